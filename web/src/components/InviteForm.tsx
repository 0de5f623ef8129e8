import { useState, type FormEvent } from 'react'
import type { ProblemError } from '../api'
import { isTenantRole, ROLE_LABEL, type InviteOut, type Role, type TenantOut } from '../identity'
import { CopyButton } from './CopyButton'
import { primaryButton, secondaryButton, SelectField, TextField } from './form'
import { formatDateTime } from './Page'
import { asProblem, ErrorList, ProblemAlert } from './ProblemAlert'

interface Props {
  roles: readonly Role[]
  /** Given for org invites: tenant roles then need a tenant. */
  tenants?: readonly TenantOut[]
  onInvite: (body: { email: string; role: Role; tenant_id?: string }) => Promise<InviteOut>
}

/**
 * Invite someone. There is no mail server: the accept link is shown once for the admin to pass on.
 */
export function InviteForm({ roles, tenants, onInvite }: Props) {
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<Role>(roles[roles.length - 1] ?? 'tenant_user')
  const [tenantId, setTenantId] = useState('')
  const [clientError, setClientError] = useState<string | null>(null)
  const [error, setError] = useState<ProblemError | null>(null)
  const [pending, setPending] = useState(false)
  const [invite, setInvite] = useState<InviteOut | null>(null)

  const liveTenants = tenants?.filter((t) => t.deleted_at === null) ?? []
  const needsTenant = tenants !== undefined && isTenantRole(role)
  const effectiveTenant = needsTenant ? (tenantId || liveTenants[0]?.id || '') : ''

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (pending) return
    setError(null)
    if (!email.trim()) {
      setClientError('Enter the email address to invite.')
      return
    }
    if (needsTenant && !effectiveTenant) {
      setClientError('Choose a tenant for this role (create one first).')
      return
    }
    setClientError(null)
    setPending(true)
    try {
      const res = await onInvite({
        email: email.trim(),
        role,
        ...(needsTenant ? { tenant_id: effectiveTenant } : {}),
      })
      setInvite(res)
      setEmail('')
    } catch (err) {
      setError(asProblem(err))
    } finally {
      setPending(false)
    }
  }

  return (
    <div className="space-y-4">
      <form onSubmit={onSubmit} noValidate aria-label="Invite user" className="flex flex-wrap items-end gap-3">
        <TextField
          label="Email"
          type="email"
          autoComplete="off"
          required
          value={email}
          onChange={setEmail}
          className="min-w-64 flex-1"
        />
        <SelectField
          label="Invite as"
          value={role}
          options={roles.map((r) => ({ value: r, label: ROLE_LABEL[r] }))}
          onChange={setRole}
        />
        {needsTenant && (
          <SelectField
            label="Tenant"
            value={effectiveTenant}
            options={liveTenants.map((t) => ({ value: t.id, label: t.name }))}
            onChange={setTenantId}
            disabled={liveTenants.length === 0}
          />
        )}
        <button type="submit" disabled={pending} aria-busy={pending} className={primaryButton}>
          {pending ? 'Inviting…' : 'Invite user'}
        </button>
      </form>
      <ErrorList messages={clientError ? [clientError] : []} />
      {error && <ProblemAlert error={error} />}
      {invite && (
        <div
          role="status"
          data-testid="invite-link"
          className="space-y-2 rounded-md border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-950"
        >
          <p>
            Invitation for <strong>{invite.email}</strong> ({ROLE_LABEL[invite.role]}) created. Send them this link; it
            is shown only once and expires {formatDateTime(invite.expires_at)}.
          </p>
          <code data-testid="invite-url" className="block rounded bg-white px-2 py-1 font-mono text-xs break-all select-all">
            {invite.accept_url}
          </code>
          <div className="flex flex-wrap items-center gap-3">
            <CopyButton text={invite.accept_url} label="Copy link" />
            <button type="button" onClick={() => setInvite(null)} className={secondaryButton}>
              Done
            </button>
          </div>
        </div>
      )}
    </div>
  )
}
