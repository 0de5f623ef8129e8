import { useState, type FormEvent } from 'react'
import { Link } from 'react-router'
import type { ProblemError } from '../api'
import { inputClass, linkClass, primaryButton } from './form'
import { asProblem, ProblemAlert } from './ProblemAlert'

export interface LinkOption {
  id: string
  label: string
  /** Where the linked item's page is, if it has one. */
  href?: string
}

export interface LinkGroup {
  /** The links body's key, e.g. `kri_ids`. */
  key: string
  legend: string
  options: readonly LinkOption[]
  selected: readonly string[]
}

/** Lists longer than this get a search box. */
export const SEARCH_FROM = 7

/** One kind's checkboxes, with a search box over their labels when the list is long. */
function Picker({ group, checked, onToggle }: { group: LinkGroup; checked: readonly string[]; onToggle: (id: string, on: boolean) => void }) {
  const [q, setQ] = useState('')
  if (group.options.length === 0) return <p className="text-sm text-slate-600">Nothing to link yet.</p>
  const needle = q.trim().toLowerCase()
  const shown = needle ? group.options.filter((o) => o.label.toLowerCase().includes(needle)) : group.options
  return (
    <div className="space-y-2">
      {group.options.length >= SEARCH_FROM && (
        <input
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          aria-label={`Search ${group.legend}`}
          placeholder={`Search ${group.legend.toLowerCase()}…`}
          className={inputClass}
        />
      )}
      <p className="text-xs text-slate-600" aria-live="polite">
        {checked.length} selected{needle ? ` · ${shown.length} of ${group.options.length} match` : ''}
      </p>
      <ul className="max-h-64 space-y-1 overflow-y-auto pr-1">
        {shown.map((o) => {
          const id = `link-${group.key}-${o.id}`
          return (
            <li key={o.id} className="flex items-center gap-2 text-sm">
              <input
                id={id}
                type="checkbox"
                checked={checked.includes(o.id)}
                onChange={(e) => onToggle(o.id, e.target.checked)}
                className="h-4 w-4 rounded border-slate-300"
              />
              <label htmlFor={id} className="text-slate-800">
                {o.label}
              </label>
            </li>
          )
        })}
      </ul>
    </div>
  )
}

function initialState(groups: readonly LinkGroup[]): Record<string, string[]> {
  return Object.fromEntries(groups.map((g) => [g.key, [...g.selected]]))
}

/**
 * What an item is linked to: for readers a list per kind; for writers one checkbox list per
 * kind and "Save links", which PUTs every kind shown (replacing those links).
 */
export function LinksEditor({
  groups,
  canEdit,
  onSave,
}: {
  groups: readonly LinkGroup[]
  canEdit: boolean
  onSave: (body: Record<string, string[]>) => Promise<unknown>
}) {
  const [checked, setChecked] = useState<Record<string, string[]>>(() => initialState(groups))
  const [pending, setPending] = useState(false)
  const [problem, setProblem] = useState<ProblemError | null>(null)
  const [saved, setSaved] = useState(false)

  if (!canEdit) {
    return (
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        {groups.map((g) => {
          const linked = g.options.filter((o) => g.selected.includes(o.id))
          return (
            <div key={g.key} data-testid={`links-${g.key}`}>
              <h3 className="mb-1 text-sm font-semibold text-slate-800">{g.legend}</h3>
              {linked.length === 0 ? (
                <p className="text-sm text-slate-600">None linked.</p>
              ) : (
                <ul className="space-y-1 text-sm">
                  {linked.map((o) => (
                    <li key={o.id} data-testid="linked-item">
                      {o.href ? (
                        <Link to={o.href} className={linkClass}>
                          {o.label}
                        </Link>
                      ) : (
                        o.label
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )
        })}
      </div>
    )
  }

  function toggle(key: string, id: string, on: boolean) {
    setSaved(false)
    setChecked((prev) => {
      const current = prev[key] ?? []
      return { ...prev, [key]: on ? [...current.filter((x) => x !== id), id] : current.filter((x) => x !== id) }
    })
  }

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (pending) return
    setPending(true)
    setProblem(null)
    setSaved(false)
    // In the options' order; ids this page does not know (none expected) are kept.
    const body: Record<string, string[]> = {}
    for (const g of groups) {
      const ids = checked[g.key] ?? []
      body[g.key] = [...g.options.map((o) => o.id).filter((id) => ids.includes(id)), ...ids.filter((id) => !g.options.some((o) => o.id === id))]
    }
    try {
      await onSave(body)
      setSaved(true)
    } catch (err) {
      setProblem(asProblem(err))
    } finally {
      setPending(false)
    }
  }

  return (
    <form onSubmit={submit} aria-label="Links" className="space-y-4">
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        {groups.map((g) => (
          <fieldset key={g.key} data-testid={`links-${g.key}`} className="min-w-0">
            <legend className="mb-1 text-sm font-semibold text-slate-800">{g.legend}</legend>
            <Picker group={g} checked={checked[g.key] ?? []} onToggle={(id, on) => toggle(g.key, id, on)} />
          </fieldset>
        ))}
      </div>
      <button type="submit" disabled={pending} aria-busy={pending} className={primaryButton}>
        {pending ? 'Saving…' : 'Save links'}
      </button>
      {problem && <ProblemAlert error={problem} />}
      {saved && (
        <p role="status" className="text-sm text-emerald-800">
          Links saved.
        </p>
      )}
    </form>
  )
}
