import { useState } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { generateReport, listReports, reportPdf, type Report, type ReportScope } from '../scores'
import { primaryButton } from '../components/form'

const STATUS_TEXT: Record<Report['status'], string> = {
  queued: 'Queued',
  running: 'Generating…',
  done: 'Ready',
  failed: 'Failed',
}

/** Board reports of a scope: generate this month's now, follow its status, download the PDF. */
export function ReportsPage({ scope, title }: { scope: ReportScope; title: string }) {
  const client = useQueryClient()
  const key = ['reports', scope]
  const [downloadError, setDownloadError] = useState<string | null>(null)
  const reports = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => listReports(scope, signal),
    // Poll while one is on its way, so "Queued" and "Generating…" are current.
    refetchInterval: (q) => (q.state.data?.some((r) => r.status === 'queued' || r.status === 'running') ? 2_000 : false),
  })
  const generate = useMutation({
    mutationFn: () => generateReport(scope),
    onSuccess: () => client.invalidateQueries({ queryKey: key }),
  })
  async function download(report: Report) {
    setDownloadError(null)
    try {
      const res = await reportPdf(scope, report.id)
      const url = URL.createObjectURL(await res.blob())
      const a = document.createElement('a')
      a.href = url
      a.download = `draxis-${report.kind}-report-${report.period}.pdf`
      a.click()
      URL.revokeObjectURL(url)
    } catch {
      setDownloadError('The download failed; try again.')
    }
  }
  return (
    <main className="mx-auto max-w-5xl space-y-4 px-4 py-6 sm:px-6 lg:px-8">
      <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
      <p className="text-sm text-slate-700">
        A PDF board report: posture and trend, top risks and why, outcomes, KRIs out of appetite, stale feeds and what
        changed since last month. One is made every month; generate this month's now at any time.
      </p>
      <button type="button" className={primaryButton} onClick={() => generate.mutate()} disabled={generate.isPending} data-testid="generate-report">
        {generate.isPending ? 'Queuing…' : 'Generate now'}
      </button>
      {generate.isError && <p role="alert">Could not queue the report.</p>}
      {downloadError && <p role="alert">{downloadError}</p>}
      {reports.data && reports.data.length === 0 && <p className="text-sm text-slate-600">No report yet.</p>}
      {reports.data && reports.data.length > 0 && (
        <div className="overflow-x-auto">
          <table className="w-full text-sm" data-testid="reports">
            <thead>
              <tr className="text-left text-xs text-slate-600">
                <th scope="col" className="py-1 pr-3">Period</th>
                <th scope="col" className="py-1 pr-3">Requested</th>
                <th scope="col" className="py-1 pr-3">Status</th>
                <th scope="col" className="py-1">PDF</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {reports.data.map((r) => (
                <tr key={r.id} data-testid="report-row" data-status={r.status}>
                  <td className="py-2 pr-3">{r.period}</td>
                  <td className="py-2 pr-3">{new Date(r.requested_at).toLocaleString()}</td>
                  <td className="py-2 pr-3" aria-live="polite">
                    {STATUS_TEXT[r.status]}
                    {r.error && <span className="block text-xs text-rose-800">{r.error}</span>}
                  </td>
                  <td className="py-2">
                    {r.status === 'done' ? (
                      <button type="button" className="text-sky-800 underline" onClick={() => void download(r)} data-testid="download-report">
                        Download ({r.pages} {r.pages === 1 ? 'page' : 'pages'})
                      </button>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  )
}
