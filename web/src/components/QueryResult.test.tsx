import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query'
import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { ProblemError } from '../api'
import { QueryResult } from './QueryResult'

function Fruits({ load }: { load: () => Promise<string[]> }) {
  const fruits = useQuery({ queryKey: ['fruits'], queryFn: load, retry: false })
  return (
    <QueryResult query={fruits} loading="Loading fruit…">
      {(data) => <p data-testid="fruits">{data.length === 0 ? 'None' : data.join(', ')}</p>}
    </QueryResult>
  )
}

function renderFruits(load: () => Promise<string[]>) {
  return render(
    <QueryClientProvider client={new QueryClient()}>
      <Fruits load={load} />
    </QueryClientProvider>,
  )
}

describe('QueryResult', () => {
  it('shows the loading panel while pending', () => {
    renderFruits(() => new Promise(() => {}))
    expect(screen.getByRole('status')).toHaveTextContent('Loading fruit…')
    expect(screen.queryByTestId('fruits')).not.toBeInTheDocument()
  })

  it('renders the data, even an empty list, once loaded', async () => {
    renderFruits(async () => [])
    expect(await screen.findByTestId('fruits')).toHaveTextContent('None')
    expect(screen.queryByRole('status')).not.toBeInTheDocument()
  })

  it('shows the error as a problem', async () => {
    renderFruits(() => Promise.reject(new ProblemError({ status: 403, title: 'Forbidden', detail: 'Not yours.' })))
    expect(await screen.findByRole('alert')).toHaveTextContent('Not yours.')
    expect(screen.queryByRole('status')).not.toBeInTheDocument()
    expect(screen.queryByTestId('fruits')).not.toBeInTheDocument()
  })
})
