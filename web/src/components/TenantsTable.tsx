import { useState } from 'react'
import type { TenantOut } from '../identity'
import { useBulkActions } from './BulkActions'
import { ConfirmDialog } from './ConfirmDialog'
import { DataTable, useRowAction } from './DataTable'
import { dangerButton, secondaryButton } from './form'
import { formatDate } from './Page'
import { ProblemAlert } from './ProblemAlert'

interface Props {
  tenants: readonly TenantOut[]
  canDelete: boolean
  canImpersonate: boolean
  onDelete: (tenant: TenantOut) => Promise<unknown>
  onImpersonate: (tenant: TenantOut) => Promise<unknown>
  /** Soft-delete the selected tenants in one request (all or none); adds the bulk bar. */
  onBulkDelete?: (tenants: TenantOut[]) => Promise<unknown>
}

const isDeleted = (t: TenantOut) => t.deleted_at !== null

/** An organization's tenants, with soft delete and "Impersonate" (act as the tenant's admin). */
export function TenantsTable({ tenants, canDelete, canImpersonate, onDelete, onImpersonate, onBulkDelete }: Props) {
  const { busy, error, run } = useRowAction()
  const bulk = useBulkActions<TenantOut>([
    canDelete &&
      onBulkDelete && {
        label: 'Delete selected',
        danger: true,
        title: (rows) => `Delete ${rows.length} ${rows.length === 1 ? 'tenant' : 'tenants'}?`,
        confirmLabel: 'Delete all',
        describe: (rows) =>
          `${rows.map((t) => t.name).join(', ')}: their users can no longer sign in and their data is hidden (a soft delete; the data is kept).`,
        run: onBulkDelete,
        skip: isDeleted,
      },
  ])
  const [deleting, setDeleting] = useState<TenantOut | null>(null)
  const actions = canDelete || canImpersonate

  return (
    <DataTable
      rows={tenants}
      rowTestId="tenant-row"
      rowAttributes={(t) => ({
        'data-tenant-id': t.id,
        'data-deleted': isDeleted(t) ? 'true' : 'false',
        className: isDeleted(t) ? 'text-slate-500' : '',
      })}
      empty="No tenants yet."
      above={(error || bulk.alert) && (
        <>
          {error && <ProblemAlert error={error} />}
          {bulk.alert}
        </>
      )}
      bulkActions={bulk.actions}
      rowLabel={(t) => t.name}
      columns={[
        { header: 'Slug', className: 'font-mono text-xs', sortValue: (t) => t.slug, cell: (t) => t.slug },
        { header: 'Name', className: 'font-medium', sortValue: (t) => t.name, cell: (t) => t.name },
        { header: 'Created', sortValue: (t) => t.created_at, cell: (t) => formatDate(t.created_at) },
        { header: 'Deleted', sortValue: (t) => t.deleted_at, cell: (t) => (isDeleted(t) ? formatDate(t.deleted_at) : '—') },
        actions && {
          header: 'Actions',
          hideHeader: true,
          className: 'whitespace-nowrap text-right',
          cell: (t) =>
            !isDeleted(t) && (
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
                  <button type="button" disabled={busy === t.id} onClick={() => setDeleting(t)} className={dangerButton}>
                    Delete
                  </button>
                )}
              </span>
            ),
        },
      ]}
      below={
        bulk.dialog ||
        (deleting && (
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
        ))
      }
    />
  )
}
