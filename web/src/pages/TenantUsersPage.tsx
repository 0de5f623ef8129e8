import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { ProblemError } from '../api'
import { replaceById } from '../cache'
import { InviteForm } from '../components/InviteForm'
import { MfaPolicyControl } from '../components/MfaPolicyControl'
import { Page, Section } from '../components/Page'
import { PendingInvites } from '../components/PendingInvites'
import { QueryResult } from '../components/QueryResult'
import { api } from '../api/client'
import { UsersTable } from '../components/UsersTable'
import {
  inviteTenantUser,
  listTenantUsers,
  resetTenantUserMfa,
  setTenantMfaPolicy,
  updateTenantUser,
} from '../endpoints'
import { isTenantRole, PERMISSION, TENANT_ROLES, tenantRoleChoices, type UserOut, type UserPatch } from '../identity'
import { usePermissions } from '../me'
import type { Session } from '../session'

/** `/tenant/users`: who has access to this tenant; managing them needs `tenant_users:manage`. */
export function TenantUsersPage({ session }: { session: Session }) {
  const queryClient = useQueryClient()
  const permissions = usePermissions()
  const canManage = permissions?.has(PERMISSION.tenantUsersManage) ?? false
  const canSetPolicy = permissions?.has(PERMISSION.tenantMfaManage) ?? false
  const key = ['tenant-users', session.user.tenant_id]

  const users = useQuery({ queryKey: key, queryFn: ({ signal }) => listTenantUsers(signal) })

  const patch = useMutation({
    mutationFn: ({ user, body }: { user: UserOut; body: UserPatch }) => updateTenantUser(user.id, body),
    onSuccess: (updated) => queryClient.setQueryData<UserOut[]>(key, replaceById(updated)),
  })

  const tenantName = session.impersonated_tenant_name ?? session.user.tenant_name

  return (
    <Page title="Users" eyebrow={tenantName ?? undefined}>
      <Section title="People with access" description="Everyone who can sign in to this tenant.">
        <QueryResult query={users} loading="Loading users…">
          {(data) => (
            <UsersTable
              exportable
              users={data}
              currentUserId={session.user.id}
              canManage={canManage}
              roleOptions={tenantRoleChoices}
              onPatch={(user, body) => patch.mutateAsync({ user, body })}
              onResetMfa={async (user) => {
                await resetTenantUserMfa(user.id)
                await queryClient.invalidateQueries({ queryKey: key })
              }}
              onBulkActive={async (users, isActive) => {
                await api.POST('/api/tenant/users/bulk-active', { body: { ids: users.map((u) => u.id), is_active: isActive } })
                await queryClient.invalidateQueries({ queryKey: key })
              }}
            />
          )}
        </QueryResult>
      </Section>

      {canManage && (
        <Section
          title="Invite user"
          description="Creates a single-use sign-up link and e-mails it (when e-mail is set up); the link is also shown here."
        >
          <InviteForm
            roles={TENANT_ROLES}
            onInvite={async ({ email, role }) => {
              if (!isTenantRole(role))
                throw new ProblemError({ status: 422, title: 'Invalid role', detail: 'Choose a tenant role.' })
              const invite = await inviteTenantUser({ email, role })
              await queryClient.invalidateQueries({ queryKey: key })
              await queryClient.invalidateQueries({ queryKey: ['pending-invites'] })
              return invite
            }}
          />
        </Section>
      )}

      {canManage && (
        <Section title="Pending invites" description="Invites not yet accepted. Resending issues a new link.">
          <PendingInvites base={{}} />
        </Section>
      )}

      {canSetPolicy && (
        <Section title="MFA policy" description="Whether people in this tenant must use two-factor authentication.">
          <MfaPolicyControl
            inheritHint="Inherit follows your organization’s policy."
            onSave={(required) => setTenantMfaPolicy(required)}
          />
        </Section>
      )}
    </Page>
  )
}
