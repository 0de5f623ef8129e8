import { useState } from 'react'
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router'
import { AuthCard } from '../components/AuthCard'
import { AuthenticatorCodeForm, CodeForm, useCodeSubmission } from '../components/CodeForm'
import { linkClass, primaryButton, TextField } from '../components/form'
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
  const submission = useCodeSubmission()
  const { pending } = submission
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

  async function verify() {
    const res = await verifyMfa(code)
    setSession(sessionFromAuth(res))
    navigate('/', { replace: true })
  }

  async function recover() {
    const res = await recoverMfa(recoveryCode.trim())
    if (res.recovery_codes_left <= LOW_RECOVERY_CODES) setCodesLeft(res.recovery_codes_left)
    setSession(sessionFromAuth(res))
    if (res.recovery_codes_left > LOW_RECOVERY_CODES) navigate('/', { replace: true })
  }

  /** To the other kind of code; its form starts without the messages of this one. */
  const switchLink = (to: string, label: string) => (
    <p className="text-center text-sm">
      <Link to={to} replace onClick={submission.clearErrors} className={linkClass}>
        {label}
      </Link>
    </p>
  )

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
        <CodeForm
          label="Use a recovery code"
          submission={submission}
          validate={() => (recoveryCode.trim() ? null : 'Enter one of your recovery codes.')}
          send={recover}
          submitLabel="Use recovery code"
          pendingLabel="Checking…"
          footer={switchLink('/mfa/verify', 'Use your authenticator app')}
        >
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
        </CodeForm>
      ) : (
        <AuthenticatorCodeForm
          label="Verify authentication code"
          submission={submission}
          code={code}
          onCodeChange={setCode}
          send={verify}
          footer={switchLink('/mfa/verify?method=recovery', 'Use a recovery code')}
        />
      )}
      <SignOutLink />
    </AuthCard>
  )
}
