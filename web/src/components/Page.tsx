import { useId, type ReactNode } from 'react'
import { useDocumentTitle } from './documentTitle'

/** The main column of a signed-in page, with its heading. */
export function Page({
  title,
  titleTestId,
  documentTitle,
  eyebrow,
  actions,
  children,
}: {
  title: ReactNode
  titleTestId?: string
  /** The browser tab's title; defaults to `title` when that is text. */
  documentTitle?: string
  eyebrow?: ReactNode
  actions?: ReactNode
  children: ReactNode
}) {
  useDocumentTitle(documentTitle ?? (typeof title === 'string' ? title : undefined))
  return (
    <main className="mx-auto max-w-7xl space-y-6 px-4 py-6 sm:px-6 lg:px-8">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          {eyebrow && <p className="text-sm font-medium text-slate-500">{eyebrow}</p>}
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900" data-testid={titleTestId}>
            {title}
          </h1>
        </div>
        {actions}
      </div>
      {children}
    </main>
  )
}

/** A titled card inside a page. */
export function Section({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  const id = useId()
  return (
    <section aria-labelledby={id} className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <div>
        <h2 id={id} className="text-base font-semibold text-slate-900">
          {title}
        </h2>
        {description && <p className="mt-0.5 text-sm text-slate-600">{description}</p>}
      </div>
      {children}
    </section>
  )
}

/** A titled part of a Section, below a rule (e.g. its "create" or "invite" form). */
export function Subsection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="border-t border-slate-100 pt-4">
      <h3 className="mb-2 text-sm font-semibold text-slate-800">{title}</h3>
      {children}
    </div>
  )
}

/** Shown when `/api/me` says this page is not for you. */
export function Forbidden() {
  return (
    <main className="mx-auto max-w-7xl px-4 py-6 sm:px-6 lg:px-8">
      <div role="alert" className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-700">
        <p className="font-semibold text-slate-900">You do not have access to this page.</p>
        <p className="mt-1">Ask an administrator if you need it.</p>
      </div>
    </main>
  )
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
}
