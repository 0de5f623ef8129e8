import { useState, type FormEvent } from 'react'
import { Link } from 'react-router'
import type { ProblemError } from '../api'
import { linkClass, primaryButton } from './form'
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
                <p className="text-sm text-slate-500">None linked.</p>
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
            {g.options.length === 0 ? (
              <p className="text-sm text-slate-500">Nothing to link yet.</p>
            ) : (
              <ul className="max-h-64 space-y-1 overflow-y-auto pr-1">
                {g.options.map((o) => {
                  const id = `link-${g.key}-${o.id}`
                  return (
                    <li key={o.id} className="flex items-center gap-2 text-sm">
                      <input
                        id={id}
                        type="checkbox"
                        checked={(checked[g.key] ?? []).includes(o.id)}
                        onChange={(e) => toggle(g.key, o.id, e.target.checked)}
                        className="h-4 w-4 rounded border-slate-300"
                      />
                      <label htmlFor={id} className="text-slate-800">
                        {o.label}
                      </label>
                    </li>
                  )
                })}
              </ul>
            )}
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
