import { useState } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useNavigate } from 'react-router'
import { replaceById } from '../cache'
import { CreateForm } from '../components/CreateForm'
import { TextField } from '../components/form'
import { InviteForm } from '../components/InviteForm'
import { PendingInvites } from '../components/PendingInvites'
import { invitesBase } from '../invites'
import { MfaPolicyControl } from '../components/MfaPolicyControl'
import { Page, Section, Subsection } from '../components/Page'
import { asProblem, ProblemAlert } from '../components/ProblemAlert'
import { QueryResult } from '../components/QueryResult'
import { RollupTable } from '../components/RollupTable'
import { OrgTrends } from '../components/ScopeTrends'
import { api } from '../api/client'
import { TenantsTable } from '../components/TenantsTable'
import { UsersTable } from '../components/UsersTable'
import {
  createTenant,
  deleteTenant,
  getMeWithToken,
  getOrg,
  getOrgRollup,
  impersonateTenant,
  inviteOrgUser,
  listOrgTenants,
  listOrgUsers,
  resetOrgUserMfa,
  setOrgMfaPolicy,
  updateOrgUser,
} from '../endpoints'
import { PERMISSION, tenantRoleChoices, type Me, type Role, type TenantOut, type UserOut } from '../identity'
import { usePermissions } from '../me'
import { sessionFromImpersonation, setSession, type Session } from '../session'

const ORG_INVITE_ROLES: readonly Role[] = ['master_admin', 'tenant_admin', 'tenant_user']

/** `/org` (a master admin's own) and `/orgs/:orgId` (any, for a superadmin). */
export function OrgPage({ session, orgId }: { session: Session; orgId: string }) {
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const permissions = usePermissions()
  const can = (p: string) => permissions?.has(p) ?? false

  const org = useQuery({ queryKey: ['org', orgId], queryFn: ({ signal }) => getOrg(orgId, signal) })
  const tenantsKey = ['org', orgId, 'tenants']
  const usersKey = ['org', orgId, 'users']
  const tenants = useQuery({ queryKey: tenantsKey, queryFn: ({ signal }) => listOrgTenants(orgId, signal) })
  const users = useQuery({ queryKey: usersKey, queryFn: ({ signal }) => listOrgUsers(orgId, signal) })
  const rollup = useQuery({ queryKey: ['org', orgId, 'rollup'], queryFn: ({ signal }) => getOrgRollup(orgId, signal) })

  const [slug, setSlug] = useState('')
  const [name, setName] = useState('')

  const tenantNames = new Map((tenants.data ?? []).map((t) => [t.id, t.name]))

  async function impersonate(tenant: TenantOut) {
    const start = await impersonateTenant(orgId, tenant.id)
    let me: Pick<Me, 'user' | 'mfa'>
    try {
      me = await getMeWithToken(start.access_token)
    } catch {
      // Fall back to what we know: the actor, acting as the tenant's admin.
      me = {
        user: { ...session.user, role: 'tenant_admin', tenant_id: tenant.id, tenant_name: start.tenant_name },
        mfa: session.mfa,
      }
    }
    setSession(sessionFromImpersonation(start, me))
    navigate('/')
  }

  const refreshOrg = () => queryClient.invalidateQueries({ queryKey: ['org', orgId] })

  return (
    <Page
      title={org.data?.name ?? 'Organization'}
      titleTestId="org-name"
      eyebrow={org.data ? `Organization · ${org.data.slug} · ${org.data.kind}` : 'Organization'}
    >
      {org.isError && <ProblemAlert error={asProblem(org.error)} />}

      <Section title="Posture" description="Each tenant's rolled-up cyber-risk posture, worst first.">
        <QueryResult query={rollup} loading="Loading posture…">
          {(data) => <RollupTable rollup={data} />}
        </QueryResult>
      </Section>

      <Section title="Risks and trends" description="Open risks of every tenant by severity and red KRIs; each tenant's posture over time.">
        <OrgTrends orgId={orgId} />
      </Section>

      <Section title="Tenants">
        <QueryResult query={tenants} loading="Loading tenants…">
          {(data) => (
            <TenantsTable
              tenants={data}
              canDelete={can(PERMISSION.orgTenantsManage)}
              canImpersonate={can(PERMISSION.impersonate)}
              onDelete={async (t) => {
                await deleteTenant(orgId, t.id)
                await refreshOrg()
              }}
              onImpersonate={impersonate}
              onBulkDelete={async (rows) => {
                await api.POST('/api/orgs/{org_id}/tenants/bulk-delete', {
                  params: { path: { org_id: orgId } },
                  body: { ids: rows.map((t) => t.id) },
                })
                await refreshOrg()
              }}
            />
          )}
        </QueryResult>
        {can(PERMISSION.orgTenantsManage) && (
          <Subsection title="Create tenant">
            <CreateForm
              label="Create tenant"
              submitLabel="Create tenant"
              pendingLabel="Creating…"
              onSubmit={async () => {
                await createTenant(orgId, { slug: slug.trim(), name: name.trim() })
                setSlug('')
                setName('')
                await refreshOrg()
              }}
            >
              <TextField
                label="Slug"
                required
                autoComplete="off"
                value={slug}
                onChange={setSlug}
                hint="Lowercase letters, digits and dashes."
              />
              <TextField label="Display name" required autoComplete="off" value={name} onChange={setName} className="min-w-64 flex-1" />
            </CreateForm>
          </Subsection>
        )}
      </Section>

      <Section title="Users" description="Everyone in this organization and its tenants.">
        <QueryResult query={users} loading="Loading users…">
          {(data) => (
            <UsersTable
              users={data}
              currentUserId={session.user.id}
              canManage={can(PERMISSION.orgUsersManage)}
              roleOptions={tenantRoleChoices}
              tenantName={(id) => (id ? (tenantNames.get(id) ?? '—') : '—')}
              onPatch={async (user, body) => {
                const updated = await updateOrgUser(orgId, user.id, body)
                queryClient.setQueryData<UserOut[]>(usersKey, replaceById(updated))
              }}
              onResetMfa={async (user) => {
                await resetOrgUserMfa(orgId, user.id)
                await queryClient.invalidateQueries({ queryKey: usersKey })
              }}
              onBulkActive={async (rows, isActive) => {
                await api.POST('/api/orgs/{org_id}/users/bulk-active', {
                  params: { path: { org_id: orgId } },
                  body: { ids: rows.map((u) => u.id), is_active: isActive },
                })
                await queryClient.invalidateQueries({ queryKey: usersKey })
              }}
            />
          )}
        </QueryResult>
        {can(PERMISSION.orgUsersManage) && (
          <Subsection title="Invite user">
            <InviteForm
              roles={ORG_INVITE_ROLES}
              tenants={tenants.data ?? []}
              onInvite={async (body) => {
                const invite = await inviteOrgUser(orgId, body)
                await queryClient.invalidateQueries({ queryKey: usersKey })
                await queryClient.invalidateQueries({ queryKey: ['pending-invites'] })
                return invite
              }}
            />
          </Subsection>
        )}
        {can(PERMISSION.orgUsersManage) && (
          <Subsection title="Pending invites">
            <PendingInvites base={invitesBase(orgId)} />
          </Subsection>
        )}
      </Section>

      {can(PERMISSION.orgMfaManage) && (
        <Section title="MFA policy" description="The default for every tenant and user in this organization.">
          <MfaPolicyControl
            inheritHint="Inherit follows the platform policy; tenants and users may override it."
            onSave={(required) => setOrgMfaPolicy(orgId, required)}
          />
        </Section>
      )}
    </Page>
  )
}
