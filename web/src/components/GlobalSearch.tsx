import { useEffect, useId, useState } from 'react'
import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { answer, api, type Schema } from '../api/client'

type Hit = Schema<'SearchResult'>

const KIND_LABEL: Record<Hit['kind'], string> = {
  kri: 'KRI',
  risk: 'Risk',
  control: 'Control',
  outcome: 'Outcome',
  vendor: 'Vendor',
  source: 'Source',
}

/** Where a hit opens: its own page, or its list in the risk model. */
export function hitHref(hit: Hit): string {
  switch (hit.kind) {
    case 'kri':
      return `/kris/${hit.id}`
    case 'risk':
      return `/risks/${hit.id}`
    case 'source':
      return `/integrations/${hit.id}`
    default:
      return `/model/${hit.kind}s`
  }
}

/** Debounced: the value once it has stopped changing for `ms`. */
function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value)
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms)
    return () => clearTimeout(t)
  }, [value, ms])
  return settled
}

/** The shell's search box: names across KRIs, risks, controls, outcomes, vendors and sources. */
export function GlobalSearch() {
  const [text, setText] = useState('')
  const [open, setOpen] = useState(false)
  const q = useDebounced(text.trim(), 200)
  const listId = useId()
  const query = useQuery({
    queryKey: ['search', q],
    queryFn: async ({ signal }) => answer(await api.GET('/api/search', { params: { query: { q, limit: 12 } }, signal })),
    enabled: q.length > 0,
    staleTime: 30_000,
  })
  const hits = query.data ?? []
  const showList = open && q.length > 0

  return (
    <div
      className="relative w-full sm:w-64"
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOpen(false)
      }}
    >
      <label className="sr-only" htmlFor={`${listId}-input`}>
        Search everything
      </label>
      <input
        id={`${listId}-input`}
        type="search"
        role="combobox"
        aria-expanded={showList}
        aria-controls={listId}
        aria-autocomplete="list"
        placeholder="Search KRIs, risks, vendors…"
        value={text}
        onChange={(e) => {
          setText(e.target.value)
          setOpen(true)
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
        className="block w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900 placeholder:text-slate-600 focus:border-sky-600 focus:ring-2 focus:ring-sky-600/30 focus:outline-none"
      />
      {showList && (
        <div id={listId} className="absolute right-0 z-30 mt-1 w-full min-w-72 rounded-lg border border-slate-200 bg-white p-1 shadow-lg">
          {query.isPending ? (
            <p role="status" className="px-3 py-2 text-sm text-slate-600">
              Searching…
            </p>
          ) : hits.length === 0 ? (
            <p role="status" className="px-3 py-2 text-sm text-slate-600">
              {query.isError ? 'Search failed; try again.' : `Nothing named like “${q}”.`}
            </p>
          ) : (
            <ul aria-label="Search results" data-testid="search-results">
              {hits.map((hit) => (
                <li key={`${hit.kind}-${hit.id}`}>
                  <Link
                    to={hitHref(hit)}
                    onClick={() => {
                      setOpen(false)
                      setText('')
                    }}
                    className="flex items-center justify-between gap-3 rounded px-3 py-2 text-sm text-slate-800 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-600"
                  >
                    <span className="truncate">{hit.name}</span>
                    <span className="shrink-0 text-xs text-slate-600">{KIND_LABEL[hit.kind]}</span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  )
}
