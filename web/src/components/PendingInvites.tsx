import { useQuery, useQueryClient } from '@tanstack/react-query'
import { EMAIL_STATUS_LABEL, listPendingInvites, resendInvite, revokeInvite, type InvitesScope, type PendingInvite } from '../invites'
import { DataTable, useRowAction } from './DataTable'
import { dangerButton, secondaryButton } from './form'
import { ProblemAlert } from './ProblemAlert'
import { QueryResult } from './QueryResult'

function date(iso: string): string {
  return new Date(iso).toLocaleDateString()
}

/** Invites not yet accepted, revoked or expired, with their e-mail's state; revoke or resend. */
export function PendingInvites({ base }: { base: InvitesScope }) {
  const queryClient = useQueryClient()
  const key = ['pending-invites', base.orgId ?? 'tenant']
  const invites = useQuery({ queryKey: key, queryFn: ({ signal }) => listPendingInvites(base, signal) })
  const { busy, error, run } = useRowAction()
  const act = (invite: PendingInvite, action: () => Promise<void>) =>
    void run(invite, async () => {
      await action()
      await queryClient.invalidateQueries({ queryKey: key })
    })
  return (
    <QueryResult query={invites} loading="Loading invites…">
      {(rows) => (
        <DataTable
          rows={rows}
          rowTestId="pending-invite"
          empty="No pending invites."
          above={error && <ProblemAlert error={error} />}
          columns={[
            { header: 'E-mail', className: 'font-medium', cell: (i) => i.email },
            { header: 'Role', cell: (i) => i.role.replace('_', ' ') },
            { header: 'Invited', className: 'text-slate-600', cell: (i) => date(i.created_at) },
            { header: 'Expires', className: 'text-slate-600', cell: (i) => date(i.expires_at) },
            {
              header: 'E-mail status',
              cell: (i) => (i.email_status ? (EMAIL_STATUS_LABEL[i.email_status] ?? i.email_status) : '—'),
            },
            {
              header: 'Actions',
              hideHeader: true,
              className: 'whitespace-nowrap text-right space-x-2',
              cell: (i) => (
                <>
                  <button
                    type="button"
                    className={secondaryButton}
                    disabled={busy === i.id}
                    aria-label={`Resend to ${i.email}`}
                    onClick={() => act(i, () => resendInvite(base, i.id))}
                  >
                    Resend
                  </button>
                  <button
                    type="button"
                    className={dangerButton}
                    disabled={busy === i.id}
                    aria-label={`Revoke invite of ${i.email}`}
                    onClick={() => act(i, () => revokeInvite(base, i.id))}
                  >
                    Revoke
                  </button>
                </>
              ),
            },
          ]}
        />
      )}
    </QueryResult>
  )
}
