import { TextField } from './form'

/** The 6-digit TOTP input ("Authentication code"). */
export function CodeField({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return (
    <TextField
      label="Authentication code"
      name="code"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]{6}"
      maxLength={6}
      required
      value={value}
      onChange={(v) => onChange(v.replace(/\D/g, '').slice(0, 6))}
      hint="The 6-digit code your authenticator app shows."
      className="[&_input]:font-mono [&_input]:tracking-widest"
    />
  )
}

export function isSixDigits(code: string): boolean {
  return /^\d{6}$/.test(code)
}

/** Why `code` cannot be an authenticator code, or null when it can. */
export function sixDigitsError(code: string): string | null {
  return isSixDigits(code) ? null : 'Enter the 6-digit code from your authenticator app.'
}
