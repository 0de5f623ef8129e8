import { useState } from 'react'
import type { ProblemError } from '../api'
import { ROLE_LABEL, type Role, type UserOut, type UserPatch } from '../identity'
import { relativeTime } from '../kri'
import { ConfirmDialog } from './ConfirmDialog'
import { dangerButton, inputClass, secondaryButton } from './form'
import { formatDateTime, tableClass, tdClass, thClass } from './Page'
import { asProblem, ProblemAlert } from './ProblemAlert'

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
export function UsersTable({ users, currentUserId, canManage, roleOptions, tenantName, onPatch, onResetMfa }: Props) {
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<ProblemError | null>(null)
  const [resetting, setResetting] = useState<UserOut | null>(null)

  async function run(user: UserOut, action: () => Promise<unknown>) {
    setBusy(user.id)
    setError(null)
    try {
      await action()
      return true
    } catch (err) {
      setError(asProblem(err))
      return false
    } finally {
      setBusy(null)
    }
  }

  if (users.length === 0) return <p className="text-sm text-slate-600">No users yet.</p>

  return (
    <div className="space-y-3">
      {error && <ProblemAlert error={error} />}
      <div className="overflow-x-auto">
        <table className={tableClass}>
          <thead>
            <tr>
              <th scope="col" className={thClass}>Email</th>
              <th scope="col" className={thClass}>Name</th>
              <th scope="col" className={thClass}>Role</th>
              {tenantName && <th scope="col" className={thClass}>Tenant</th>}
              <th scope="col" className={thClass}>Active</th>
              <th scope="col" className={thClass}>MFA enrolled</th>
              <th scope="col" className={thClass}>Last login</th>
              {canManage && <th scope="col" className={thClass}><span className="sr-only">Actions</span></th>}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {users.map((u) => {
              const self = u.id === currentUserId
              const roles = roleOptions(u)
              const disabled = busy === u.id
              return (
                <tr key={u.id} data-testid="user-row" data-user-id={u.id} className={u.is_active ? '' : 'text-slate-500'}>
                  <td className={`${tdClass} font-medium`}>{u.email}</td>
                  <td className={tdClass}>{u.display_name}</td>
                  <td className={tdClass}>
                    {canManage && !self && roles && roles.length > 1 ? (
                      <select
                        aria-label={`Change role for ${u.email}`}
                        value={u.role}
                        disabled={disabled}
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
                    ) : (
                      ROLE_LABEL[u.role] ?? u.role
                    )}
                  </td>
                  {tenantName && <td className={tdClass}>{tenantName(u.tenant_id)}</td>}
                  <td className={tdClass}>
                    <YesNo value={u.is_active} yes="Active" no="Disabled" />
                  </td>
                  <td className={tdClass}>
                    <YesNo value={u.mfa_enrolled} />
                  </td>
                  <td className={tdClass}>
                    {u.last_login_at ? (
                      <time dateTime={u.last_login_at} title={formatDateTime(u.last_login_at)}>
                        {relativeTime(u.last_login_at)}
                      </time>
                    ) : (
                      'never'
                    )}
                  </td>
                  {canManage && (
                    <td className={`${tdClass} whitespace-nowrap text-right`}>
                      {self ? (
                        <span className="text-xs text-slate-500">You</span>
                      ) : (
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
                      )}
                    </td>
                  )}
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
      {resetting && (
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
      )}
    </div>
  )
}
