import { useEffect, useId, useMemo, useState, type KeyboardEvent } from 'react'
import { useQuery } from '@tanstack/react-query'
import { useNavigate } from 'react-router'
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

/** The next active option for a key: arrows move and wrap, -1 means none is active. */
export function moveActive(active: number, count: number, key: 'ArrowDown' | 'ArrowUp'): number {
  if (count === 0) return -1
  if (key === 'ArrowDown') return active < 0 || active >= count - 1 ? 0 : active + 1
  return active <= 0 ? count - 1 : active - 1
}

/** The shell's search box: names across KRIs, risks, controls, outcomes, vendors and sources.
 * A combobox (ARIA 1.2): arrows move through the results (the input keeps focus and names the
 * active one in aria-activedescendant), Enter opens it, Escape closes the list. */
export function GlobalSearch() {
  const [text, setText] = useState('')
  const [open, setOpen] = useState(false)
  const [active, setActive] = useState(-1)
  const navigate = useNavigate()
  const q = useDebounced(text.trim(), 200)
  const listId = useId()
  const query = useQuery({
    queryKey: ['search', q],
    queryFn: async ({ signal }) => answer(await api.GET('/api/search', { params: { query: { q, limit: 12 } }, signal })),
    enabled: q.length > 0,
    staleTime: 30_000,
  })
  const hits = useMemo(() => query.data ?? [], [query.data])
  const showList = open && q.length > 0
  const showOptions = showList && !query.isPending && hits.length > 0
  const optionId = (i: number) => `${listId}-option-${i}`
  useEffect(() => setActive(-1), [hits])

  const choose = (hit: Hit) => {
    setOpen(false)
    setText('')
    setActive(-1)
    void navigate(hitHref(hit))
  }
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault()
      setOpen(true)
      setActive((current) => moveActive(current, hits.length, e.key as 'ArrowDown' | 'ArrowUp'))
    } else if (e.key === 'Enter') {
      const hit = showOptions && active >= 0 ? hits[active] : undefined
      if (hit) {
        e.preventDefault()
        choose(hit)
      }
    } else if (e.key === 'Escape') {
      if (open) e.preventDefault()
      setOpen(false)
      setActive(-1)
    }
  }

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
        aria-expanded={showOptions}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={showOptions && active >= 0 ? optionId(active) : undefined}
        placeholder="Search KRIs, risks, vendors…"
        value={text}
        onChange={(e) => {
          setText(e.target.value)
          setOpen(true)
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={onKeyDown}
        className="block w-full rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-900 placeholder:text-slate-600 focus:border-sky-600 focus:ring-2 focus:ring-sky-600/30 focus:outline-none"
      />
      {showList && (
        <div className="absolute right-0 z-30 mt-1 w-full min-w-72 rounded-lg border border-slate-200 bg-white p-1 shadow-lg">
          {query.isPending ? (
            <p role="status" className="px-3 py-2 text-sm text-slate-600">
              Searching…
            </p>
          ) : hits.length === 0 ? (
            <p role="status" className="px-3 py-2 text-sm text-slate-600">
              {query.isError ? 'Search failed; try again.' : `Nothing named like “${q}”.`}
            </p>
          ) : (
            <ul id={listId} role="listbox" aria-label="Search results" data-testid="search-results">
              {hits.map((hit, i) => (
                <li
                  key={`${hit.kind}-${hit.id}`}
                  id={optionId(i)}
                  role="option"
                  aria-selected={i === active}
                  // Keep focus in the input (no blur closing the list before the click lands).
                  onMouseDown={(e) => e.preventDefault()}
                  onClick={() => choose(hit)}
                  onMouseEnter={() => setActive(i)}
                  className={`flex cursor-pointer items-center justify-between gap-3 rounded px-3 py-2 text-sm text-slate-800 ${
                    i === active ? 'bg-sky-100 text-slate-900' : 'hover:bg-slate-100'
                  }`}
                >
                  <span className="truncate">{hit.name}</span>
                  <span className="shrink-0 text-xs text-slate-600">{KIND_LABEL[hit.kind]}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  )
}
