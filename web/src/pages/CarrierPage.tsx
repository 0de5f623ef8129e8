import { useQuery } from '@tanstack/react-query'
import { formatDate, Page, Section } from '../components/Page'
import { QueryResult } from '../components/QueryResult'
import { listInsureds } from '../endpoints'

/** `/carrier`: the insureds that granted this carrier access (the portfolio view comes later). */
export function CarrierPage() {
  const insureds = useQuery({ queryKey: ['carrier-insureds'], queryFn: ({ signal }) => listInsureds(signal) })
  return (
    <Page title="Portfolio">
      <Section title="Insureds" description="Tenants that have granted you access to their cyber-risk posture.">
        <QueryResult query={insureds} loading="Loading insureds…">
          {(data) =>
            data.length === 0 ? (
              <p className="text-sm text-slate-600">No insureds have granted access yet.</p>
            ) : (
              <ul className="divide-y divide-slate-100">
                {data.map((i) => (
                  <li key={i.tenant_id} data-testid="insured-row" className="flex items-baseline justify-between gap-4 py-2 text-sm">
                    <span className="font-medium text-slate-900">{i.tenant_name}</span>
                    <span className="text-slate-500">
                      {i.consent_granted_at ? `Access granted ${formatDate(i.consent_granted_at)}` : 'Access granted'}
                    </span>
                  </li>
                ))}
              </ul>
            )
          }
        </QueryResult>
      </Section>
    </Page>
  )
}
