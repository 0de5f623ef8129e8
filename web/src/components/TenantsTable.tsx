import { useState } from 'react'
import type { ProblemError } from '../api'
import type { TenantOut } from '../identity'
import { ConfirmDialog } from './ConfirmDialog'
import { dangerButton, secondaryButton } from './form'
import { formatDate, tableClass, tdClass, thClass } from './Page'
import { asProblem, ProblemAlert } from './ProblemAlert'

interface Props {
  tenants: readonly TenantOut[]
  canDelete: boolean
  canImpersonate: boolean
  onDelete: (tenant: TenantOut) => Promise<unknown>
  onImpersonate: (tenant: TenantOut) => Promise<unknown>
}

/** An organization's tenants, with soft delete and "Impersonate" (act as the tenant's admin). */
export function TenantsTable({ tenants, canDelete, canImpersonate, onDelete, onImpersonate }: Props) {
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<ProblemError | null>(null)
  const [deleting, setDeleting] = useState<TenantOut | null>(null)
  const actions = canDelete || canImpersonate

  async function run(tenant: TenantOut, action: () => Promise<unknown>) {
    setBusy(tenant.id)
    setError(null)
    try {
      await action()
    } catch (err) {
      setError(asProblem(err))
    } finally {
      setBusy(null)
    }
  }

  if (tenants.length === 0) return <p className="text-sm text-slate-600">No tenants yet.</p>

  return (
    <div className="space-y-3">
      {error && <ProblemAlert error={error} />}
      <div className="overflow-x-auto">
        <table className={tableClass}>
          <thead>
            <tr>
              <th scope="col" className={thClass}>Slug</th>
              <th scope="col" className={thClass}>Name</th>
              <th scope="col" className={thClass}>Created</th>
              <th scope="col" className={thClass}>Deleted</th>
              {actions && <th scope="col" className={thClass}><span className="sr-only">Actions</span></th>}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {tenants.map((t) => {
              const deleted = t.deleted_at !== null
              return (
                <tr
                  key={t.id}
                  data-testid="tenant-row"
                  data-tenant-id={t.id}
                  data-deleted={deleted ? 'true' : 'false'}
                  className={deleted ? 'text-slate-500' : ''}
                >
                  <td className={`${tdClass} font-mono text-xs`}>{t.slug}</td>
                  <td className={`${tdClass} font-medium`}>{t.name}</td>
                  <td className={tdClass}>{formatDate(t.created_at)}</td>
                  <td className={tdClass}>{deleted ? formatDate(t.deleted_at) : '—'}</td>
                  {actions && (
                    <td className={`${tdClass} whitespace-nowrap text-right`}>
                      {!deleted && (
                        <span className="inline-flex gap-2">
                          {canImpersonate && (
                            <button
                              type="button"
                              disabled={busy === t.id}
                              onClick={() => void run(t, () => onImpersonate(t))}
                              className={secondaryButton}
                            >
                              Impersonate
                            </button>
                          )}
                          {canDelete && (
                            <button
                              type="button"
                              disabled={busy === t.id}
                              onClick={() => setDeleting(t)}
                              className={dangerButton}
                            >
                              Delete
                            </button>
                          )}
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
      {deleting && (
        <ConfirmDialog
          title={`Delete ${deleting.name}?`}
          confirmLabel="Delete tenant"
          pending={busy === deleting.id}
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const tenant = deleting
            void run(tenant, () => onDelete(tenant)).then(() => setDeleting(null))
          }}
        >
          Its users can no longer sign in and its data is hidden. This is a soft delete: the data is kept.
        </ConfirmDialog>
      )}
    </div>
  )
}
