import { useId, useState } from 'react'
import type { ProblemError } from '../../api'
import { ConfirmDialog } from '../ConfirmDialog'
import { dangerButton } from '../form'
import { asProblem, ProblemAlert } from '../ProblemAlert'
import { endPanelSession } from '../../panelApi'
import type { PanelSession } from '../../panel'

/** "End session": confirm, optionally keep the synthesis in institutional memory. */
export function EndSession({ session, disabled, onEnded }: { session: PanelSession; disabled: boolean; onEnded: (s: PanelSession) => Promise<void> }) {
  const checkboxId = useId()
  const [confirming, setConfirming] = useState(false)
  const [remember, setRemember] = useState(true)
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<ProblemError | null>(null)

  async function end() {
    setPending(true)
    setError(null)
    try {
      const ended = await endPanelSession(session.id, remember)
      setConfirming(false)
      await onEnded(ended)
    } catch (err) {
      setConfirming(false)
      setError(asProblem(err))
    } finally {
      setPending(false)
    }
  }

  return (
    <div className="space-y-2">
      <button
        type="button"
        className={dangerButton}
        disabled={disabled || pending}
        onClick={() => {
          setRemember(true)
          setConfirming(true)
        }}
      >
        End session
      </button>
      {error && <ProblemAlert error={error} />}
      {confirming && (
        <ConfirmDialog title="End this session?" confirmLabel="End session" pending={pending} onConfirm={() => void end()} onCancel={() => setConfirming(false)}>
          <p>An ended session is read-only: no more questions can be asked in it.</p>
          <div className="mt-3 flex items-start gap-2">
            <input
              id={checkboxId}
              type="checkbox"
              checked={remember}
              onChange={(e) => setRemember(e.target.checked)}
              className="mt-0.5 h-4 w-4 rounded border-slate-300"
            />
            <label htmlFor={checkboxId}>Keep the synthesis in institutional memory</label>
          </div>
        </ConfirmDialog>
      )}
    </div>
  )
}
