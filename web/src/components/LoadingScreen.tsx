/** Neutral full-page placeholder while the session is being restored. */
export function LoadingScreen({ label = 'Loading…' }: { label?: string }) {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div role="status" aria-live="polite" className="flex items-center gap-3 text-sm text-slate-600">
        <span aria-hidden="true" className="h-4 w-4 animate-spin rounded-full border-2 border-slate-300 border-t-slate-700" />
        {label}
      </div>
    </main>
  )
}

/** Inline placeholder inside a page. */
export function LoadingPanel({ label }: { label: string }) {
  return (
    <div role="status" aria-live="polite" className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-600">
      {label}
    </div>
  )
}
