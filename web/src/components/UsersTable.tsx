import { useState } from 'react'
import { ROLE_LABEL, type Role, type UserOut, type UserPatch } from '../identity'
import { relativeTime } from '../kri'
import { useBulkActions } from './BulkActions'
import { ConfirmDialog } from './ConfirmDialog'
import { DataTable, useRowAction } from './DataTable'
import { dangerButton, inputClass, secondaryButton } from './form'
import { formatDateTime } from './Page'
import { ProblemAlert } from './ProblemAlert'

interface Props {
  users: readonly UserOut[]
  /** The signed-in user: no actions on their own row. */
  currentUserId: string
  canManage: boolean
  /** Roles this user may be switched between, or null when their role cannot change here. */
  roleOptions: (user: UserOut) => readonly Role[] | null
  /** When given, a "Tenant" column shows each user's tenant. */
  tenantName?: (tenantId: string | null) => string
  onPatch: (user: UserOut, patch: UserPatch) => Promise<unknown>
  onResetMfa: (user: UserOut) => Promise<unknown>
  /** Offer a CSV export of the tenant's users (the tenant's own users page). */
  exportable?: boolean
  /** Enable or disable the selected users in one request (all or none); adds the bulk bar. */
  onBulkActive?: (users: UserOut[], isActive: boolean) => Promise<unknown>
}

function YesNo({ value, yes = 'Yes', no = 'No' }: { value: boolean; yes?: string; no?: string }) {
  return (
    <span
      className={
        value
          ? 'inline-flex rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-900 ring-1 ring-emerald-200 ring-inset'
          : 'inline-flex rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700 ring-1 ring-slate-200 ring-inset'
      }
    >
      {value ? yes : no}
    </span>
  )
}

/** Users with role, status, MFA and last sign-in; role / active / MFA-reset actions when allowed. */
export function UsersTable({ users, currentUserId, canManage, roleOptions, tenantName, onPatch, onResetMfa, exportable, onBulkActive }: Props) {
  const { busy, error, run } = useRowAction()
  const names = (rows: UserOut[]) => rows.map((u) => u.email).join(', ')
  const bulk = useBulkActions<UserOut>(
    canManage && onBulkActive
      ? [
          {
            label: 'Disable selected',
            danger: true,
            title: (rows) => `Disable ${rows.length} ${rows.length === 1 ? 'user' : 'users'}?`,
            confirmLabel: 'Disable all',
            describe: (rows) => `${names(rows)} will be signed out at once and cannot sign in until enabled again.`,
            run: (rows) => onBulkActive(rows, false),
            skip: (u) => u.id === currentUserId,
          },
          {
            label: 'Enable selected',
            title: (rows) => `Enable ${rows.length} ${rows.length === 1 ? 'user' : 'users'}?`,
            confirmLabel: 'Enable all',
            describe: (rows) => `${names(rows)} will be able to sign in again.`,
            run: (rows) => onBulkActive(rows, true),
            skip: (u) => u.id === currentUserId,
          },
        ]
      : [],
  )
  const [resetting, setResetting] = useState<UserOut | null>(null)

  function role(u: UserOut) {
    const roles = roleOptions(u)
    if (!canManage || u.id === currentUserId || !roles || roles.length < 2) return ROLE_LABEL[u.role] ?? u.role
    return (
      <select
        aria-label={`Change role for ${u.email}`}
        value={u.role}
        disabled={busy === u.id}
        onChange={(e) => {
          const role = roles.find((r) => r === e.target.value)
          if (role) void run(u, () => onPatch(u, { role }))
        }}
        className={`${inputClass} w-auto py-1`}
      >
        {roles.map((r) => (
          <option key={r} value={r}>
            {ROLE_LABEL[r]}
          </option>
        ))}
      </select>
    )
  }

  function actions(u: UserOut) {
    if (u.id === currentUserId) return <span className="text-xs text-slate-600">You</span>
    const disabled = busy === u.id
    return (
      <span className="inline-flex gap-2">
        <button
          type="button"
          disabled={disabled}
          onClick={() => void run(u, () => onPatch(u, { is_active: !u.is_active }))}
          className={u.is_active ? dangerButton : secondaryButton}
        >
          {u.is_active ? 'Disable' : 'Enable'}
        </button>
        <button
          type="button"
          disabled={disabled || !u.mfa_enrolled}
          title={u.mfa_enrolled ? undefined : 'Not enrolled'}
          onClick={() => setResetting(u)}
          className={secondaryButton}
        >
          Reset MFA
        </button>
      </span>
    )
  }

  return (
    <DataTable
      rows={users}
      rowTestId="user-row"
      exportTable={exportable ? 'users' : undefined}
      rowAttributes={(u) => ({ 'data-user-id': u.id, className: u.is_active ? '' : 'text-slate-500' })}
      empty="No users yet."
      above={(error || bulk.alert) && (
        <>
          {error && <ProblemAlert error={error} />}
          {bulk.alert}
        </>
      )}
      bulkActions={bulk.actions}
      rowLabel={(u) => u.email}
      columns={[
        { header: 'Email', className: 'font-medium', sortValue: (u) => u.email, cell: (u) => u.email },
        { header: 'Name', sortValue: (u) => u.display_name, cell: (u) => u.display_name },
        { header: 'Role', cell: role },
        tenantName && { header: 'Tenant', sortValue: (u) => u.tenant_id, cell: (u) => tenantName(u.tenant_id) },
        { header: 'Active', sortValue: (u) => u.is_active, cell: (u) => <YesNo value={u.is_active} yes="Active" no="Disabled" /> },
        { header: 'MFA enrolled', sortValue: (u) => u.mfa_enrolled, cell: (u) => <YesNo value={u.mfa_enrolled} /> },
        {
          header: 'Last login',
          cell: (u) =>
            u.last_login_at ? (
              <time dateTime={u.last_login_at} title={formatDateTime(u.last_login_at)}>
                {relativeTime(u.last_login_at)}
              </time>
            ) : (
              'never'
            ),
        },
        canManage && { header: 'Actions', hideHeader: true, className: 'whitespace-nowrap text-right', cell: actions },
      ]}
      below={
        bulk.dialog ||
        (resetting && (
          <ConfirmDialog
            title="Reset MFA?"
            confirmLabel="Reset MFA"
            pending={busy === resetting.id}
            onCancel={() => setResetting(null)}
            onConfirm={() => {
              const user = resetting
              void run(user, () => onResetMfa(user)).then(() => setResetting(null))
            }}
          >
            {resetting.email} will have to set up their authenticator again at their next sign-in, and their recovery
            codes stop working.
          </ConfirmDialog>
        ))
      }
    />
  )
}
