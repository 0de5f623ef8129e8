import { useState } from 'react'
import type { ProblemError } from '../../api'
import type { ProbeResult, RunRequest, Source } from '../../integrations'
import { runSource, testSource } from '../../integrationsApi'
import { primaryButton, secondaryButton } from '../form'
import { asProblem, ProblemAlert } from '../ProblemAlert'
import { Spinner } from './Field'

function ProbeMessage({ result }: { result: ProbeResult }) {
  return (
    <div
      className={
        result.ok
          ? 'rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900'
          : 'rounded-md border border-rose-300 bg-rose-50 px-3 py-2 text-sm text-rose-900'
      }
      data-testid="test-result"
    >
      <span aria-hidden="true">{result.ok ? '✓ ' : '✕ '}</span>
      <strong>{result.ok ? 'Connection OK' : 'Connection failed'}</strong>: {result.message}{' '}
      <span className="text-xs">({result.elapsed_ms} ms)</span>
    </div>
  )
}

/** Test the connection (up to 10 s) and, for scheduled sources, ask for a run now. */
export function SourceActions({
  source,
  running,
  onRunRequested,
}: {
  source: Source
  /** A run request is being followed: Run now waits for it. */
  running: boolean
  onRunRequested: (request: RunRequest) => void
}) {
  const [testing, setTesting] = useState(false)
  const [result, setResult] = useState<ProbeResult | null>(null)
  const [requesting, setRequesting] = useState(false)
  const [error, setError] = useState<ProblemError | null>(null)

  async function test() {
    setTesting(true)
    setResult(null)
    setError(null)
    try {
      setResult(await testSource(source.id))
    } catch (err) {
      setError(asProblem(err))
    } finally {
      setTesting(false)
    }
  }

  async function run() {
    setRequesting(true)
    setError(null)
    try {
      onRunRequested(await runSource(source.id))
    } catch (err) {
      setError(asProblem(err))
    } finally {
      setRequesting(false)
    }
  }

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" onClick={() => void test()} disabled={testing} aria-busy={testing} className={secondaryButton}>
          Test connection
        </button>
        <button
          type="button"
          onClick={() => void run()}
          disabled={requesting || running || !source.enabled}
          aria-busy={requesting}
          className={primaryButton}
        >
          {requesting ? 'Requesting…' : 'Run now'}
        </button>
        {!source.enabled && <span className="text-sm text-slate-600">Enable the source to run it.</span>}
      </div>
      <div aria-live="polite" className="space-y-2">
        {testing && (
          <p className="flex items-center gap-2 text-sm text-slate-700">
            <Spinner /> Testing the connection (up to 10 s)…
          </p>
        )}
        {result && <ProbeMessage result={result} />}
      </div>
      {error && <ProblemAlert error={error} />}
    </div>
  )
}
