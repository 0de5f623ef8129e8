import { useDocumentTitle } from './documentTitle'
import { useId, type ReactNode } from 'react'

/** The centred card the sign-in, setup, invite and MFA pages share. */
export function AuthCard({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  useDocumentTitle(title)
  const headingId = useId()
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-md">
        <div className="mb-8 text-center">
          <div className="text-2xl font-semibold tracking-tight text-slate-900">Draxis</div>
          <p className="mt-1 text-sm text-slate-600">Cyber-risk posture for your organisation</p>
        </div>
        <section
          aria-labelledby={headingId}
          className="space-y-5 rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
        >
          <div className="space-y-1">
            <h1 id={headingId} className="text-lg font-semibold text-slate-900">
              {title}
            </h1>
            {subtitle && <p className="text-sm text-slate-600">{subtitle}</p>}
          </div>
          {children}
        </section>
      </div>
    </main>
  )
}
