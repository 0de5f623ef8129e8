import { useState } from 'react'
import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { ASSESSMENTS_KEY, formatScore, listAssessments, RATING_LABEL, STATUS_LABEL, type AssessmentStatus } from '../../assessments'
import { linkClass, secondaryButton, SelectField } from '../../components/form'
import { formatDate, Page, Section } from '../../components/Page'
import { asProblem, ProblemAlert } from '../../components/ProblemAlert'

const PAGE = 50
const FILTERS: readonly { value: AssessmentStatus | ''; label: string }[] = [
  { value: '', label: 'Every status' },
  ...(Object.keys(STATUS_LABEL) as AssessmentStatus[]).map((s) => ({ value: s, label: STATUS_LABEL[s] })),
]

/** `/assessments`: the tenant's assessments, newest first, by status. */
export function AssessmentsPage() {
  const [status, setStatus] = useState<AssessmentStatus | ''>('')
  const [offset, setOffset] = useState(0)
  const list = useQuery({
    queryKey: [...ASSESSMENTS_KEY, 'list', status, offset],
    queryFn: ({ signal }) => listAssessments({ ...(status ? { status } : {}), limit: PAGE, offset }, signal),
  })
  return (
    <Page title="Assessments">
      <Section title="Vendor assessments" description="Send a new one from the vendor's page.">
        <SelectField
          label="Status"
          value={status}
          options={FILTERS}
          onChange={(v) => {
            setStatus(v)
            setOffset(0)
          }}
          className="max-w-xs"
        />
        {list.error ? (
          <ProblemAlert error={asProblem(list.error)} />
        ) : !list.data ? (
          <p role="status">Loading…</p>
        ) : list.data.items.length === 0 ? (
          <p className="text-sm text-slate-600">No assessment.</p>
        ) : (
          <>
            <div className="overflow-x-auto">
              <table className="min-w-full text-left text-sm">
                <caption className="sr-only">Assessments</caption>
                <thead className="text-xs uppercase text-slate-600">
                  <tr>
                    <th scope="col" className="py-2 pr-3">Vendor</th>
                    <th scope="col" className="py-2 pr-3">Questionnaire</th>
                    <th scope="col" className="py-2 pr-3">Status</th>
                    <th scope="col" className="py-2 pr-3">Sent</th>
                    <th scope="col" className="py-2 pr-3">Due</th>
                    <th scope="col" className="py-2 pr-3">Score</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {list.data.items.map((a) => (
                    <tr key={a.id} data-testid="assessment-row">
                      <td className="py-2 pr-3">{a.vendor_name}</td>
                      <td className="py-2 pr-3">
                        <Link to={`/assessments/${encodeURIComponent(a.id)}`} className={linkClass}>
                          {a.questionnaire_name}
                        </Link>
                      </td>
                      <td className="py-2 pr-3">{STATUS_LABEL[a.status]}</td>
                      <td className="py-2 pr-3 tabular-nums">{formatDate(a.sent_at)}</td>
                      <td className="py-2 pr-3 tabular-nums">{a.due_date}</td>
                      <td className="py-2 pr-3 tabular-nums">
                        {formatScore(a.score)}
                        {a.rating ? ` · ${RATING_LABEL[a.rating]}` : ''}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="flex items-center gap-3 text-sm">
              <button type="button" className={secondaryButton} disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                Previous
              </button>
              <span>
                {offset + 1}–{offset + list.data.items.length} of {list.data.total}
              </span>
              <button type="button" className={secondaryButton} disabled={offset + PAGE >= list.data.total} onClick={() => setOffset(offset + PAGE)}>
                Next
              </button>
            </div>
          </>
        )}
      </Section>
    </Page>
  )
}
