import { MIN_PASSWORD_LENGTH, passwordErrors } from '../identity'
import { TextField } from './form'

/** A new password and its confirmation, as typed. */
export interface NewPassword {
  password: string
  confirmation: string
}

export const EMPTY_NEW_PASSWORD: NewPassword = { password: '', confirmation: '' }

/** Client-side checks before a new password goes to the server (which checks more). */
export function newPasswordErrors({ password, confirmation }: NewPassword): string[] {
  return passwordErrors(password, confirmation)
}

/**
 * "Password" (with its length hint) and "Confirm password", for choosing a new password.
 * `onChange` takes an update, as a `useState` setter does.
 */
export function NewPasswordFields({
  value,
  onChange,
  label = 'Password',
}: {
  value: NewPassword
  onChange: (update: (previous: NewPassword) => NewPassword) => void
  /** The first field's label; the second is "Confirm" and this, in lower case. */
  label?: string
}) {
  return (
    <>
      <TextField
        label={label}
        type="password"
        autoComplete="new-password"
        required
        minLength={MIN_PASSWORD_LENGTH}
        value={value.password}
        onChange={(password) => onChange((previous) => ({ ...previous, password }))}
        hint={`At least ${MIN_PASSWORD_LENGTH} characters; avoid common passwords.`}
      />
      <TextField
        label={`Confirm ${label.toLowerCase()}`}
        type="password"
        autoComplete="new-password"
        required
        value={value.confirmation}
        onChange={(confirmation) => onChange((previous) => ({ ...previous, confirmation }))}
      />
    </>
  )
}
