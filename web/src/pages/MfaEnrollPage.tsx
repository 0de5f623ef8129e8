import { useState } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { QRCodeSVG } from 'qrcode.react'
import { Link, useNavigate } from 'react-router'
import { AuthCard } from '../components/AuthCard'
import { AuthenticatorCodeForm, useCodeSubmission } from '../components/CodeForm'
import { CopyButton } from '../components/CopyButton'
import { linkClass, primaryButton } from '../components/form'
import { LoadingPanel } from '../components/LoadingScreen'
import { asProblem, ProblemAlert } from '../components/ProblemAlert'
import { SignOutLink } from '../components/SignOutLink'
import { confirmMfaEnrollment, startMfaEnrollment } from '../endpoints'
import { sessionFromAuth, setSession, useSession } from '../session'

/** Groups of four characters are easier to type into an authenticator app. */
function groupSecret(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim()
}

/**
 * `/mfa/enroll`: start a TOTP enrollment, show its QR code and secret, confirm with a code,
 * then show the ten recovery codes once.
 */
export function MfaEnrollPage() {
  const session = useSession()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const [code, setCode] = useState('')
  const submission = useCodeSubmission()
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null)

  // Each POST makes a new secret: never refetch on its own, and key by user (not token) so a
  // token refresh does not start over. Dropped once confirmed.
  const enrollmentKey = ['mfa-enroll', session?.user.id ?? null]
  const enrollment = useQuery({
    queryKey: enrollmentKey,
    queryFn: startMfaEnrollment,
    enabled: session !== null && recoveryCodes === null,
    staleTime: Infinity,
    retry: false,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  })

  async function confirm() {
    const res = await confirmMfaEnrollment(code)
    // Codes first, so the page shows them before anything reacts to the verified session.
    setRecoveryCodes(res.recovery_codes)
    queryClient.removeQueries({ queryKey: enrollmentKey })
    setSession(sessionFromAuth(res))
  }

  if (recoveryCodes) {
    const text = recoveryCodes.join('\n')
    return (
      <AuthCard
        title="Save your recovery codes"
        subtitle="Each code signs you in once if you lose your authenticator. They are shown only now."
      >
        <ul
          data-testid="recovery-codes"
          aria-label="Recovery codes"
          className="grid grid-cols-2 gap-2 rounded-md border border-slate-200 bg-slate-50 p-4 font-mono text-sm text-slate-900"
        >
          {recoveryCodes.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
        <div className="flex flex-wrap items-center justify-between gap-3">
          <CopyButton text={text} label="Copy codes" />
          <button type="button" onClick={() => navigate('/', { replace: true })} className={primaryButton}>
            I have saved these codes
          </button>
        </div>
      </AuthCard>
    )
  }

  const alreadyEnrolled = enrollment.error ? asProblem(enrollment.error).status === 409 : false

  return (
    <AuthCard
      title="Set up two-factor authentication"
      subtitle="Scan the QR code with an authenticator app (1Password, Google Authenticator, …), then enter the code it shows."
    >
      {enrollment.isPending && <LoadingPanel label="Preparing your authenticator secret…" />}

      {enrollment.isError &&
        (alreadyEnrolled ? (
          <div role="alert" className="space-y-2 rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-800">
            <p>{asProblem(enrollment.error).detail}</p>
            <p>
              <Link to="/mfa/verify" className={linkClass}>
                Enter a code instead
              </Link>
            </p>
          </div>
        ) : (
          <ProblemAlert error={asProblem(enrollment.error)} />
        ))}

      {enrollment.data && (
        <>
          <figure className="flex flex-col items-center gap-3">
            <div className="rounded-lg border border-slate-200 bg-white p-3" data-testid="mfa-qr">
              <QRCodeSVG value={enrollment.data.provisioning_uri} size={176} title="QR code for your authenticator app" />
            </div>
            <figcaption className="w-full text-center text-sm text-slate-600">
              Can’t scan it? Enter this secret manually:
              <code
                data-testid="mfa-secret"
                className="mt-1 block rounded bg-slate-100 px-2 py-1 font-mono text-sm break-all text-slate-900 select-all"
              >
                {groupSecret(enrollment.data.secret)}
              </code>
            </figcaption>
          </figure>

          <AuthenticatorCodeForm
            label="Confirm authenticator"
            submission={submission}
            code={code}
            onCodeChange={setCode}
            send={confirm}
          />
        </>
      )}
      <SignOutLink />
    </AuthCard>
  )
}
