import { useState, type FormEvent } from 'react'
import { useQuery } from '@tanstack/react-query'
import { Navigate } from 'react-router'
import type { ProblemError } from '../api'
import { AuthCard } from '../components/AuthCard'
import { primaryButton, TextField } from '../components/form'
import { asProblem, ProblemAlert } from '../components/ProblemAlert'
import { getNeedsSetup, login } from '../endpoints'
import { postAuthPath } from '../identity'
import { sessionFromAuth, setSession, useSession, useSignOutReason } from '../session'
import { signOutMessage } from '../signOutReason'

export function useNeedsSetup() {
  return useQuery({
    queryKey: ['needs-setup'],
    queryFn: ({ signal }) => getNeedsSetup(signal),
    staleTime: 30_000,
    retry: false,
    refetchOnWindowFocus: false,
  })
}

export interface SignInErrors {
  email?: string
  password?: string
}

/** What is wrong with the form before it is sent, in words a person can act on. */
export function signInErrors(email: string, password: string): SignInErrors {
  const errors: SignInErrors = {}
  const trimmed = email.trim()
  if (!trimmed) errors.email = 'Enter your email address.'
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(trimmed)) errors.email = 'Enter an email address like name@company.com.'
  if (!password) errors.password = 'Enter your password.'
  return errors
}

function FieldError({ message }: { message: string | undefined }) {
  if (!message) return null
  return <span className="font-medium text-rose-800">{message}</span>
}

export function LoginPage() {
  const session = useSession()
  const signOutReason = useSignOutReason()
  const needsSetup = useNeedsSetup()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<ProblemError | null>(null)
  const [fieldErrors, setFieldErrors] = useState<SignInErrors>({})

  // Signed in (now, or already): MFA first if it is pending, else home.
  if (session) return <Navigate to={postAuthPath(session)} replace />
  if (needsSetup.data?.needs_setup) return <Navigate to="/setup" replace />

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (pending) return
    const invalid = signInErrors(email, password)
    setFieldErrors(invalid)
    if (invalid.email || invalid.password) {
      const first = e.currentTarget.querySelector<HTMLInputElement>(invalid.email ? 'input[name=email]' : 'input[name=password]')
      first?.focus()
      return
    }
    setPending(true)
    setError(null)
    try {
      const res = await login(email.trim(), password)
      setSession(sessionFromAuth(res))
    } catch (err) {
      setError(asProblem(err))
      setPending(false)
    }
  }

  return (
    <AuthCard title="Sign in to your account">
      <form onSubmit={onSubmit} noValidate aria-label="Sign in" className="space-y-5">
        {signOutReason && !error && (
          <p role="status" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            {signOutMessage(signOutReason)}
          </p>
        )}
        {error && <ProblemAlert error={error} />}
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(v) => {
            setEmail(v)
            if (fieldErrors.email) setFieldErrors({ ...fieldErrors, email: undefined })
          }}
          aria-invalid={fieldErrors.email ? true : undefined}
          hint={<FieldError message={fieldErrors.email} />}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(v) => {
            setPassword(v)
            if (fieldErrors.password) setFieldErrors({ ...fieldErrors, password: undefined })
          }}
          aria-invalid={fieldErrors.password ? true : undefined}
          hint={<FieldError message={fieldErrors.password} />}
        />
        <button type="submit" disabled={pending} aria-busy={pending} className={`w-full ${primaryButton}`}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </AuthCard>
  )
}
