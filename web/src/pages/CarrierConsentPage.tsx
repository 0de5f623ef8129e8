import { useState } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { DataTable, useRowAction } from '../components/DataTable'
import { dangerButton, secondaryButton } from '../components/form'
import { formatDate, Page, Section } from '../components/Page'
import { ProblemAlert } from '../components/ProblemAlert'
import { QueryResult } from '../components/QueryResult'
import { grantCarrierConsent, listTenantCarriers, revokeCarrierConsent } from '../endpoints'
import type { CarrierConsent } from '../identity'
import type { Session } from '../session'

type Row = CarrierConsent & { id: string }

/** Consent is in force: not revoked since it was (last) granted; a relationship starts granted. */
export function hasConsent(c: CarrierConsent): boolean {
  return c.revoked_at === null
}

function consentText(c: CarrierConsent): string {
  return c.revoked_at === null
    ? `Access granted ${formatDate(c.consent_granted_at)}`
    : `Access revoked ${formatDate(c.revoked_at)}`
}

/** `/tenant/carriers`: which insurance carriers may see this tenant's posture (`carrier_consent:manage`). */
export function CarrierConsentPage({ session }: { session: Session }) {
  const queryClient = useQueryClient()
  const key = ['tenant-carriers', session.user.tenant_id]
  const carriers = useQuery({ queryKey: key, queryFn: ({ signal }) => listTenantCarriers(signal) })
  const { busy, error, run } = useRowAction()
  const [revoking, setRevoking] = useState<Row | null>(null)

  const refresh = () => queryClient.invalidateQueries({ queryKey: key })
  const tenantName = session.impersonated_tenant_name ?? session.user.tenant_name

  return (
    <Page title="Carriers" eyebrow={tenantName ?? undefined}>
      <Section
        title="Carrier access"
        description="Insurance carriers you grant access see your rolled-up posture score, risk counts and trend — not your raw data."
      >
        <QueryResult query={carriers} loading="Loading carriers…">
          {(data) => (
            <DataTable
              rows={data.map((c): Row => ({ ...c, id: c.carrier_id }))}
              rowTestId="consent-row"
              rowAttributes={(c) => ({ 'data-carrier-id': c.carrier_id, 'data-consent': hasConsent(c) ? 'granted' : 'none' })}
              empty="No carriers are available."
              above={error && <ProblemAlert error={error} />}
              columns={[
                { header: 'Carrier', className: 'font-medium', sortValue: (c) => c.carrier_name, cell: (c) => c.carrier_name },
                { header: 'Access', className: 'text-slate-600', cell: (c) => consentText(c) },
                {
                  header: 'Actions',
                  hideHeader: true,
                  className: 'whitespace-nowrap text-right',
                  cell: (c) =>
                    hasConsent(c) ? (
                      <button type="button" disabled={busy === c.id} onClick={() => setRevoking(c)} className={dangerButton}>
                        Revoke access
                      </button>
                    ) : (
                      <button
                        type="button"
                        disabled={busy === c.id}
                        onClick={() =>
                          void run(c, async () => {
                            await grantCarrierConsent(c.carrier_id)
                            await refresh()
                          })
                        }
                        className={secondaryButton}
                      >
                        Grant access
                      </button>
                    ),
                },
              ]}
              below={
                revoking && (
                  <ConfirmDialog
                    title={`Revoke access for ${revoking.carrier_name}?`}
                    confirmLabel="Revoke access"
                    pending={busy === revoking.id}
                    onCancel={() => setRevoking(null)}
                    onConfirm={() => {
                      const carrier = revoking
                      void run(carrier, async () => {
                        await revokeCarrierConsent(carrier.carrier_id)
                        await refresh()
                      }).then(() => setRevoking(null))
                    }}
                  >
                    {revoking.carrier_name} will no longer see your posture. You can grant access again later.
                  </ConfirmDialog>
                )
              }
            />
          )}
        </QueryResult>
      </Section>
    </Page>
  )
}
