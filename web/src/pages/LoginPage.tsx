import { useState, type FormEvent } from 'react'
import { Navigate, useNavigate } from 'react-router'
import { login, ProblemError } from '../api'
import { sessionFromLogin, setSession, useSession } from '../session'

export function LoginPage() {
  const session = useSession()
  const navigate = useNavigate()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<ProblemError | null>(null)

  if (session) return <Navigate to="/" replace />

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (pending) return
    setPending(true)
    setError(null)
    try {
      const res = await login(email.trim(), password)
      setSession(sessionFromLogin(res))
      navigate('/', { replace: true })
    } catch (err) {
      setError(
        err instanceof ProblemError
          ? err
          : new ProblemError({ status: 0, title: 'Error', detail: 'Something went wrong. Please try again.' }),
      )
      setPending(false)
    }
  }

  const fieldErrors = error?.errors?.map((e) => (e.location ? `${e.location}: ${e.message ?? ''}` : e.message)).filter((m): m is string => typeof m === 'string') ?? []

  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 text-center">
          <div className="text-2xl font-semibold tracking-tight text-slate-900">Draxis</div>
          <p className="mt-1 text-sm text-slate-600">Cyber-risk posture for your organisation</p>
        </div>

        <form
          onSubmit={onSubmit}
          noValidate
          aria-labelledby="login-heading"
          className="space-y-5 rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
        >
          <h1 id="login-heading" className="text-lg font-semibold text-slate-900">
            Sign in to your account
          </h1>

          {error && (
            <div role="alert" className="rounded-md border border-rose-300 bg-rose-50 px-3 py-2 text-sm text-rose-900">
              <p>{error.detail}</p>
              {fieldErrors.length > 0 && (
                <ul className="mt-1 list-disc pl-5">
                  {fieldErrors.map((m, i) => (
                    <li key={i}>{m}</li>
                  ))}
                </ul>
              )}
            </div>
          )}

          <div className="space-y-1.5">
            <label htmlFor="email" className="block text-sm font-medium text-slate-700">
              Email
            </label>
            <input
              id="email"
              name="email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-sky-600 focus:ring-2 focus:ring-sky-600/30 focus:outline-none"
            />
          </div>

          <div className="space-y-1.5">
            <label htmlFor="password" className="block text-sm font-medium text-slate-700">
              Password
            </label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm focus:border-sky-600 focus:ring-2 focus:ring-sky-600/30 focus:outline-none"
            />
          </div>

          <button
            type="submit"
            disabled={pending}
            aria-busy={pending}
            className="w-full rounded-md bg-slate-900 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:cursor-not-allowed disabled:opacity-60"
          >
            {pending ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  )
}
