// The portal's full-page messages: a link that is incomplete, used or expired, and "submitted".
import type { ReactNode } from 'react'
import { useDocumentTitle } from '../components/documentTitle'

export function Notice({ title, children }: { title: string; children: ReactNode }) {
  useDocumentTitle(title)
  return (
    <main className="mx-auto flex min-h-screen max-w-xl flex-col justify-center px-4 py-12">
      <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
        <p className="text-sm font-semibold text-slate-500">Draxis vendor assessment</p>
        <h1 className="mt-1 text-lg font-semibold text-slate-900">{title}</h1>
        <div className="mt-3 space-y-2 text-sm text-slate-700">{children}</div>
      </div>
    </main>
  )
}
