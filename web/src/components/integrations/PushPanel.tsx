import { useEffect, useId, useRef, useState } from 'react'
import type { ProblemError } from '../../api'
import { pushCurl, type PushToken, type Source } from '../../integrations'
import { mintPushToken } from '../../integrationsApi'
import { ConfirmDialog } from '../ConfirmDialog'
import { CopyButton } from '../CopyButton'
import { primaryButton } from '../form'
import { asProblem, ProblemAlert } from '../ProblemAlert'
import { AcceptedSlugs } from './WiredKris'

/** The new token, shown once: copy it (and the example) now; closing forgets it. */
function TokenDialog({ token, origin, slug, onClose }: { token: PushToken; origin: string; slug?: string; onClose: () => void }) {
  const titleId = useId()
  const closeRef = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    closeRef.current?.focus()
  }, [])
  const curl = pushCurl(origin, token.token, slug)
  return (
    <div
      className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/40 px-4"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose()
      }}
    >
      <div role="dialog" aria-modal="true" aria-labelledby={titleId} className="w-full max-w-2xl space-y-4 rounded-xl bg-white p-6 shadow-lg">
        <h2 id={titleId} className="text-base font-semibold text-slate-900">
          Push token
        </h2>
        <p className="text-sm text-slate-700">
          This token is shown <strong>only once</strong>. Store it in your tooling's secret store now; Draxis keeps only
          its hash.
        </p>
        <div className="space-y-2">
          <code className="block break-all rounded-md bg-slate-100 px-3 py-2 font-mono text-sm text-slate-900" data-testid="push-token">
            {token.token}
          </code>
          <CopyButton text={token.token} label="Copy token" />
        </div>
        <div className="space-y-2">
          <p className="text-sm font-medium text-slate-800">Example</p>
          <pre className="overflow-x-auto rounded-md bg-slate-900 px-3 py-2 text-xs text-slate-100" data-testid="push-curl">
            {curl}
          </pre>
          <CopyButton text={curl} label="Copy example" />
        </div>
        <div className="flex justify-end">
          <button ref={closeRef} type="button" onClick={onClose} className={primaryButton}>
            Done
          </button>
        </div>
      </div>
    </div>
  )
}

/** A push source's token: minting one replaces (revokes) the previous one, so it is confirmed. */
export function PushPanel({
  source,
  kris,
  origin = window.location.origin,
}: {
  source: Source
  /** The KRIs wired to the source: the only `kri_slug`s a push may carry. */
  kris: readonly { slug: string }[]
  origin?: string
}) {
  const [confirming, setConfirming] = useState(false)
  const [pending, setPending] = useState(false)
  const [token, setToken] = useState<PushToken | null>(null)
  const [error, setError] = useState<ProblemError | null>(null)

  async function mint() {
    setPending(true)
    setError(null)
    try {
      const minted = await mintPushToken(source.id)
      setConfirming(false)
      setToken(minted)
    } catch (err) {
      setConfirming(false)
      setError(asProblem(err))
    } finally {
      setPending(false)
    }
  }

  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-700">
        Your tooling posts values to <code>POST /api/push/kri-values</code> with this source's token as a Bearer token.
        Each value is <code>{'{kri_slug, value, observed_at?, detail?}'}</code>; a batch holds up to 5,000 values.
      </p>
      <AcceptedSlugs kris={kris} />
      <button type="button" onClick={() => setConfirming(true)} disabled={pending || !source.enabled} aria-busy={pending} className={primaryButton}>
        {pending ? 'Creating…' : 'Create push token'}
      </button>
      {!source.enabled && <p className="text-sm text-slate-600">Enable the source to create a token.</p>}
      {error && <ProblemAlert error={error} />}
      {confirming && (
        <ConfirmDialog
          title="Create a new push token?"
          confirmLabel="Create token"
          pending={pending}
          onConfirm={() => void mint()}
          onCancel={() => setConfirming(false)}
        >
          <p>
            A new token replaces this source's current one: the previous token stops working at once, and tooling that
            uses it must be updated.
          </p>
        </ConfirmDialog>
      )}
      {token && <TokenDialog token={token} origin={origin} slug={kris[0]?.slug} onClose={() => setToken(null)} />}
    </div>
  )
}
