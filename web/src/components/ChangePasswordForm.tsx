import { type FormEvent, useState } from 'react'
import type { ProblemError } from '../api'
import { changePassword } from '../endpoints'
import { sessionFromAuth, setSession } from '../session'
import { primaryButton, TextField } from './form'
import { EMPTY_NEW_PASSWORD, NewPasswordFields, newPasswordErrors } from './NewPasswordFields'
import { asProblem, ErrorList, ProblemAlert } from './ProblemAlert'

/**
 * The Account page's password form: the current password and a new one (twice). On success this
 * device gets a fresh session and every other device is signed out.
 */
export function ChangePasswordForm() {
  const [current, setCurrent] = useState('')
  const [newPassword, setNewPassword] = useState(EMPTY_NEW_PASSWORD)
  const [clientErrors, setClientErrors] = useState<string[]>([])
  const [error, setError] = useState<ProblemError | null>(null)
  const [pending, setPending] = useState(false)
  const [done, setDone] = useState(false)

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (pending) return
    setError(null)
    setDone(false)
    const errors = [
      ...(current ? [] : ['Enter your current password.']),
      ...newPasswordErrors(newPassword),
      ...(current && newPassword.password === current ? ['The new password must differ from the current one.'] : []),
    ]
    setClientErrors(errors)
    if (errors.length > 0) return
    setPending(true)
    try {
      const res = await changePassword({ current_password: current, new_password: newPassword.password })
      setSession(sessionFromAuth(res))
      setCurrent('')
      setNewPassword(EMPTY_NEW_PASSWORD)
      setDone(true)
    } catch (err) {
      setError(asProblem(err))
    } finally {
      setPending(false)
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Change password" className="max-w-md space-y-4">
      <ErrorList messages={clientErrors} />
      {error && <ProblemAlert error={error} />}
      {done && (
        <p role="status" className="rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-950">
          Your password has been changed. You stay signed in here; other devices have been signed out.
        </p>
      )}
      <TextField
        label="Current password"
        type="password"
        autoComplete="current-password"
        required
        value={current}
        onChange={setCurrent}
      />
      <NewPasswordFields value={newPassword} onChange={setNewPassword} label="New password" />
      <button type="submit" disabled={pending} className={primaryButton}>
        {pending ? 'Changing…' : 'Change password'}
      </button>
    </form>
  )
}
