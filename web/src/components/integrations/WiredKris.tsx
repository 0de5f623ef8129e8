import { useState, type FormEvent, type ReactNode } from 'react'
import { useQuery, type UseQueryResult } from '@tanstack/react-query'
import { Link } from 'react-router'
import type { ProblemError } from '../../api'
import type { Source } from '../../integrations'
import { KRI_LIST_LIMIT, listKrisForWiring, setKriSource } from '../../integrationsApi'
import { directionText } from '../../kri'
import type { ListPage, ModelKri } from '../../riskModel'
import { inputClass, linkClass, primaryButton, secondaryButton } from '../form'
import { asProblem, ProblemAlert } from '../ProblemAlert'
import { Field } from './Field'

export const WIRE_FIRST_TEXT = 'Wire a KRI to this source first'

/** The KRIs wired to `source` from a `listWiredKris` answer (kept defensive: only exact matches). */
export function wiredOf(page: ListPage<ModelKri> | undefined, source: Source): ModelKri[] {
  return (page?.items ?? []).filter((k) => k.source_id === source.id)
}

/**
 * Renders `children` with the source's wired KRIs once they are known; while loading, on an
 * error, or without permission to read the risk model, a line saying so instead.
 */
export function WithWiredKris({
  query,
  source,
  canReadModel,
  children,
}: {
  query: UseQueryResult<ListPage<ModelKri>>
  source: Source
  canReadModel: boolean
  children: (kris: readonly ModelKri[]) => ReactNode
}) {
  if (!canReadModel) {
    return <p className="text-sm text-slate-600">You need permission to read the risk model to see which KRIs this source accepts.</p>
  }
  if (query.isPending) return <p className="text-sm text-slate-600">Loading the KRIs wired to this source…</p>
  if (query.isError) return <ProblemAlert error={asProblem(query.error)} />
  return <>{children(wiredOf(query.data, source))}</>
}

/** "Accepts values for: a, b" — or, with none wired, that one must be wired first. */
export function AcceptedSlugs({ kris }: { kris: readonly { slug: string }[] }) {
  if (kris.length === 0) {
    return (
      <p className="text-sm font-medium text-amber-900" data-testid="accepted-slugs">
        {WIRE_FIRST_TEXT}: it accepts values only for the KRIs wired to it (see “KRIs fed by this source”).
      </p>
    )
  }
  return (
    <p className="text-sm text-slate-700" data-testid="accepted-slugs">
      Accepted <code>kri_slug</code> values:{' '}
      {kris.map((k, i) => (
        <span key={k.slug}>
          {i > 0 && ', '}
          <code>{k.slug}</code>
        </span>
      ))}
      . Any other slug is refused.
    </p>
  )
}

function WireForm({
  source,
  queryKey,
  onChanged,
}: {
  source: Source
  queryKey: readonly unknown[]
  onChanged: () => Promise<void>
}) {
  const candidates = useQuery({
    queryKey: [...queryKey, 'kris-for-wiring'],
    queryFn: ({ signal }) => listKrisForWiring(signal),
  })
  const unwired = (candidates.data?.items ?? []).filter((k) => k.source_id == null).sort((a, b) => a.name.localeCompare(b.name))
  const [chosen, setChosen] = useState('')
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<ProblemError | null>(null)
  const kriId = unwired.some((k) => k.id === chosen) ? chosen : (unwired[0]?.id ?? '')

  async function wire(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (pending || !kriId) return
    setPending(true)
    setError(null)
    try {
      await setKriSource(kriId, source.id)
      setChosen('')
      await onChanged()
    } catch (err) {
      setError(asProblem(err))
    } finally {
      setPending(false)
    }
  }

  if (candidates.isPending) return <p className="text-sm text-slate-600">Loading the KRIs that can be wired…</p>
  if (candidates.isError) return <ProblemAlert error={asProblem(candidates.error)} />
  const truncated = (candidates.data?.total ?? 0) > KRI_LIST_LIMIT
  return (
    <div className="space-y-2">
      {unwired.length === 0 ? (
        <p className="text-sm text-slate-600">Every KRI already has a source: there is none to wire.</p>
      ) : (
        <form onSubmit={wire} aria-label="Wire a KRI" className="flex flex-wrap items-end gap-3">
          <Field label="KRI without a source" className="w-full max-w-md">
            {(control) => (
              <select {...control} value={kriId} onChange={(e) => setChosen(e.target.value)} className={inputClass}>
                {unwired.map((k) => (
                  <option key={k.id} value={k.id}>
                    {k.name} ({k.slug})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="submit" disabled={pending} aria-busy={pending} className={primaryButton}>
            {pending ? 'Wiring…' : 'Wire'}
          </button>
        </form>
      )}
      {truncated && <p className="text-xs text-slate-500">Only the first {KRI_LIST_LIMIT} of the tenant's KRIs are offered.</p>}
      {error && <ProblemAlert error={error} />}
    </div>
  )
}

/**
 * "KRIs fed by this source": the KRIs wired to a first-party source (the only slugs its
 * inbound routes accept), with wire / unwire for a user who may edit the risk model.
 */
export function WiredKris({
  source,
  kris,
  queryKey,
  canWrite,
  onChanged,
}: {
  source: Source
  kris: readonly ModelKri[]
  queryKey: readonly unknown[]
  canWrite: boolean
  /** Called after a wire or unwire succeeded; refreshes the lists (awaited). */
  onChanged: () => Promise<void>
}) {
  const [pendingId, setPendingId] = useState<string | null>(null)
  const [error, setError] = useState<ProblemError | null>(null)

  async function unwire(kri: ModelKri) {
    setPendingId(kri.id)
    setError(null)
    try {
      await setKriSource(kri.id, null)
      await onChanged()
    } catch (err) {
      setError(asProblem(err))
    } finally {
      setPendingId(null)
    }
  }

  return (
    <div className="space-y-4">
      {kris.length === 0 ? (
        <p className="text-sm text-slate-600" data-testid="wired-empty">
          No KRIs are wired to this source yet: it refuses every value until one is.
        </p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm" aria-label="KRIs fed by this source">
          {kris.map((k) => (
            <li key={k.id} className="flex flex-wrap items-center justify-between gap-2 py-2" data-testid="wired-kri">
              <div>
                <Link to={`/kris/${encodeURIComponent(k.id)}`} className={linkClass}>
                  {k.name}
                </Link>{' '}
                <code className="text-xs text-slate-600">{k.slug}</code>
                <span className="text-slate-600">
                  {' '}
                  · {k.unit || 'no unit'} · {directionText(k.direction)} · warn {k.warn}, critical {k.critical}
                </span>
              </div>
              {canWrite && (
                <button
                  type="button"
                  onClick={() => void unwire(k)}
                  disabled={pendingId !== null}
                  aria-busy={pendingId === k.id}
                  aria-label={`Unwire ${k.name}`}
                  className={secondaryButton}
                >
                  {pendingId === k.id ? 'Unwiring…' : 'Unwire'}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {error && <ProblemAlert error={error} />}
      {canWrite && (
        <div className="space-y-2 border-t border-slate-100 pt-4">
          <h3 className="text-sm font-semibold text-slate-800">Wire a KRI</h3>
          <WireForm source={source} queryKey={queryKey} onChanged={onChanged} />
        </div>
      )}
      <p className="text-xs text-slate-500">
        Need a new KRI? Create it on the{' '}
        <Link to="/model/kris" className={linkClass}>
          Risk model page
        </Link>
        , then wire it here.
      </p>
    </div>
  )
}
