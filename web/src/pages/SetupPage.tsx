import { useState, type FormEvent } from 'react'
import { Link, Navigate } from 'react-router'
import type { ProblemError } from '../api'
import { AuthCard } from '../components/AuthCard'
import { linkClass, primaryButton, TextField } from '../components/form'
import { EMPTY_NEW_PASSWORD, NewPasswordFields, newPasswordErrors } from '../components/NewPasswordFields'
import { asProblem, ErrorList, ProblemAlert } from '../components/ProblemAlert'
import { setup } from '../endpoints'
import { postAuthPath } from '../identity'
import { sessionFromAuth, setSession, useSession } from '../session'
import { useNeedsSetup } from './LoginPage'

/** First run: register the platform's first superadmin. */
export function SetupPage() {
  const session = useSession()
  const needsSetup = useNeedsSetup()
  const [email, setEmail] = useState('')
  const [displayName, setDisplayName] = useState('')
  const [newPassword, setNewPassword] = useState(EMPTY_NEW_PASSWORD)
  const [clientErrors, setClientErrors] = useState<string[]>([])
  const [error, setError] = useState<ProblemError | null>(null)
  const [pending, setPending] = useState(false)

  if (session) return <Navigate to={postAuthPath(session)} replace />
  if (needsSetup.data && !needsSetup.data.needs_setup && !error) return <Navigate to="/login" replace />

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (pending) return
    setError(null)
    const errors = [
      ...(email.trim() ? [] : ['Enter your work email.']),
      ...(displayName.trim() ? [] : ['Enter a display name.']),
      ...newPasswordErrors(newPassword),
    ]
    setClientErrors(errors)
    if (errors.length > 0) return
    setPending(true)
    try {
      const res = await setup({ email: email.trim(), display_name: displayName.trim(), password: newPassword.password })
      setSession(sessionFromAuth(res))
    } catch (err) {
      setError(asProblem(err))
      setPending(false)
    }
  }

  return (
    <AuthCard
      title="Set up Draxis"
      subtitle="Create the first superadmin account. It administers the whole platform."
    >
      <form onSubmit={onSubmit} noValidate aria-label="Set up Draxis" className="space-y-5">
        <ErrorList messages={clientErrors} />
        {error && (
          <div className="space-y-2">
            <ProblemAlert error={error} />
            {error.status === 409 && (
              <p className="text-sm">
                <Link to="/login" className={linkClass}>
                  Go to sign in
                </Link>
              </p>
            )}
          </div>
        )}
        <TextField label="Work email" type="email" autoComplete="username" required value={email} onChange={setEmail} />
        <TextField label="Display name" autoComplete="name" required value={displayName} onChange={setDisplayName} />
        <NewPasswordFields value={newPassword} onChange={setNewPassword} />
        <button type="submit" disabled={pending} aria-busy={pending} className={`w-full ${primaryButton}`}>
          {pending ? 'Creating account…' : 'Create account'}
        </button>
      </form>
    </AuthCard>
  )
}
