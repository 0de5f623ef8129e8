import { useState, type FormEvent } from 'react'
import { useNavigate, useSearchParams } from 'react-router'
import type { ProblemError } from '../api'
import { AuthCard } from '../components/AuthCard'
import { primaryButton, TextField } from '../components/form'
import { EMPTY_NEW_PASSWORD, NewPasswordFields, newPasswordErrors } from '../components/NewPasswordFields'
import { asProblem, ErrorList, ProblemAlert } from '../components/ProblemAlert'
import { acceptInvite } from '../endpoints'
import { postAuthPath } from '../identity'
import { sessionFromAuth, setSession } from '../session'

/** `/invite?token=…`: an invited person picks their name and password and is signed in. */
export function InvitePage() {
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const token = params.get('token') ?? ''
  const [displayName, setDisplayName] = useState('')
  const [newPassword, setNewPassword] = useState(EMPTY_NEW_PASSWORD)
  const [clientErrors, setClientErrors] = useState<string[]>([])
  const [error, setError] = useState<ProblemError | null>(null)
  const [pending, setPending] = useState(false)

  if (!token) {
    return (
      <AuthCard title="Accept your invitation">
        <div role="alert" className="rounded-md border border-rose-300 bg-rose-50 px-3 py-2 text-sm text-rose-900">
          This invitation link is incomplete. Open the full link you were sent, or ask your administrator for a new
          one.
        </div>
      </AuthCard>
    )
  }

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (pending) return
    setError(null)
    const errors = [...(displayName.trim() ? [] : ['Enter your name.']), ...newPasswordErrors(newPassword)]
    setClientErrors(errors)
    if (errors.length > 0) return
    setPending(true)
    try {
      const res = await acceptInvite({ token, display_name: displayName.trim(), password: newPassword.password })
      const session = sessionFromAuth(res)
      setSession(session)
      navigate(postAuthPath(session), { replace: true })
    } catch (err) {
      setError(asProblem(err))
      setPending(false)
    }
  }

  return (
    <AuthCard title="Accept your invitation" subtitle="Choose how you appear in Draxis and set a password.">
      <form onSubmit={onSubmit} noValidate aria-label="Accept invitation" className="space-y-5">
        <ErrorList messages={clientErrors} />
        {error && <ProblemAlert error={error} />}
        <TextField label="Display name" autoComplete="name" required value={displayName} onChange={setDisplayName} />
        <NewPasswordFields value={newPassword} onChange={setNewPassword} />
        <button type="submit" disabled={pending} aria-busy={pending} className={`w-full ${primaryButton}`}>
          {pending ? 'Accepting…' : 'Accept invitation'}
        </button>
      </form>
    </AuthCard>
  )
}
