import type { ReactNode } from 'react'
import type { UseQueryResult } from '@tanstack/react-query'
import { LoadingPanel } from './LoadingScreen'
import { asProblem, ProblemAlert } from './ProblemAlert'

/** A query's loading panel, its error, and what its data renders to (each when there is one). */
export function QueryResult<T>({
  query,
  loading,
  children,
}: {
  query: UseQueryResult<T>
  /** The loading panel's text, e.g. "Loading users…". */
  loading: string
  children: (data: T) => ReactNode
}) {
  return (
    <>
      {query.isPending && <LoadingPanel label={loading} />}
      {query.isError && <ProblemAlert error={asProblem(query.error)} />}
      {query.data !== undefined && children(query.data)}
    </>
  )
}
