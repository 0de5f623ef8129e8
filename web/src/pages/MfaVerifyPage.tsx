import { useState, type FormEvent } from 'react'
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router'
import type { ProblemError } from '../api'
import { AuthCard } from '../components/AuthCard'
import { CodeField, isSixDigits } from '../components/CodeField'
import { linkClass, primaryButton, TextField } from '../components/form'
import { asProblem, ErrorList, ProblemAlert } from '../components/ProblemAlert'
import { SignOutLink } from '../components/SignOutLink'
import { recoverMfa, verifyMfa } from '../endpoints'
import { mfaPending } from '../identity'
import { sessionFromAuth, setSession, useSession } from '../session'

/** At or below this many recovery codes left, say so after a recovery sign-in. */
export const LOW_RECOVERY_CODES = 3

/** `/mfa/verify`: a TOTP code, or (`?method=recovery`) a recovery code. */
export function MfaVerifyPage() {
  const session = useSession()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const recovery = params.get('method') === 'recovery'
  const [code, setCode] = useState('')
  const [recoveryCode, setRecoveryCode] = useState('')
  const [clientError, setClientError] = useState<string | null>(null)
  const [error, setError] = useState<ProblemError | null>(null)
  const [pending, setPending] = useState(false)
  const [codesLeft, setCodesLeft] = useState<number | null>(null)

  if (codesLeft !== null) {
    return (
      <AuthCard title="You are signed in">
        <div role="status" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950">
          {codesLeft === 0
            ? 'You have no recovery codes left.'
            : `You have ${codesLeft} recovery ${codesLeft === 1 ? 'code' : 'codes'} left.`}{' '}
          Ask an administrator to reset your MFA to get a new set.
        </div>
        <button type="button" onClick={() => navigate('/', { replace: true })} className={`w-full ${primaryButton}`}>
          Continue
        </button>
      </AuthCard>
    )
  }

  // Nothing to verify (already done, or MFA does not apply): go home.
  if (session && !mfaPending(session.mfa) && !pending) return <Navigate to="/" replace />

  async function onVerify(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (pending) return
    setError(null)
    if (!isSixDigits(code)) {
      setClientError('Enter the 6-digit code from your authenticator app.')
      return
    }
    setClientError(null)
    setPending(true)
    try {
      const res = await verifyMfa(code)
      setSession(sessionFromAuth(res))
      navigate('/', { replace: true })
    } catch (err) {
      setError(asProblem(err))
      setCode('')
      setPending(false)
    }
  }

  async function onRecover(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (pending) return
    setError(null)
    const value = recoveryCode.trim()
    if (!value) {
      setClientError('Enter one of your recovery codes.')
      return
    }
    setClientError(null)
    setPending(true)
    try {
      const res = await recoverMfa(value)
      if (res.recovery_codes_left <= LOW_RECOVERY_CODES) setCodesLeft(res.recovery_codes_left)
      setSession(sessionFromAuth(res))
      if (res.recovery_codes_left > LOW_RECOVERY_CODES) navigate('/', { replace: true })
    } catch (err) {
      setError(asProblem(err))
      setPending(false)
    }
  }

  function switchMethod() {
    setError(null)
    setClientError(null)
  }

  return (
    <AuthCard
      title="Two-factor authentication"
      subtitle={
        recovery
          ? 'Enter one of the recovery codes you saved when you set up your authenticator.'
          : 'Enter the 6-digit code from your authenticator app.'
      }
    >
      {recovery ? (
        <form onSubmit={onRecover} noValidate aria-label="Use a recovery code" className="space-y-4">
          <ErrorList messages={clientError ? [clientError] : []} />
          {error && <ProblemAlert error={error} />}
          <TextField
            label="Recovery code"
            name="recovery_code"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={recoveryCode}
            onChange={setRecoveryCode}
            className="[&_input]:font-mono"
          />
          <button type="submit" disabled={pending} aria-busy={pending} className={`w-full ${primaryButton}`}>
            {pending ? 'Checking…' : 'Use recovery code'}
          </button>
          <p className="text-center text-sm">
            <Link to="/mfa/verify" replace onClick={switchMethod} className={linkClass}>
              Use your authenticator app
            </Link>
          </p>
        </form>
      ) : (
        <form onSubmit={onVerify} noValidate aria-label="Verify authentication code" className="space-y-4">
          <ErrorList messages={clientError ? [clientError] : []} />
          {error && <ProblemAlert error={error} />}
          <CodeField value={code} onChange={setCode} />
          <button type="submit" disabled={pending} aria-busy={pending} className={`w-full ${primaryButton}`}>
            {pending ? 'Verifying…' : 'Verify'}
          </button>
          <p className="text-center text-sm">
            <Link to="/mfa/verify?method=recovery" replace onClick={switchMethod} className={linkClass}>
              Use a recovery code
            </Link>
          </p>
        </form>
      )}
      <SignOutLink />
    </AuthCard>
  )
}
