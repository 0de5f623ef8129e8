import { Link } from 'react-router'
import { useDocumentTitle } from '../components/documentTitle'

export function NotFoundPage() {
  useDocumentTitle('Page not found')
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-3 px-4 text-center">
      <p className="text-sm font-semibold text-slate-500">404</p>
      <h1 className="text-2xl font-semibold text-slate-900">Page not found</h1>
      <p className="text-sm text-slate-600">The page you asked for does not exist.</p>
      <Link
        to="/"
        className="mt-2 rounded-md bg-slate-900 px-4 py-2 text-sm font-semibold text-white hover:bg-slate-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
      >
        Back to dashboard
      </Link>
    </main>
  )
}
