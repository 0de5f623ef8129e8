import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { usePermissions } from '../me'
import { getMyWork, PERMISSION_TASKS_READ, STATUS_LABEL } from '../tasks'
import { linkClass } from './form'
import { formatDate } from './Page'

/** The dashboard's "Assigned to me" (open tasks, and what I own that falls due) and the overdue
 * task counts, from `GET /api/my-work`. */
export function MyWorkCards({ tenantKey }: { tenantKey: string }) {
  const permissions = usePermissions()
  const allowed = permissions?.has(PERMISSION_TASKS_READ) ?? false
  const work = useQuery({
    queryKey: ['my-work', tenantKey],
    queryFn: ({ signal }) => getMyWork(signal),
    enabled: allowed,
  })
  if (!allowed || !work.data) return null
  const { tasks, owned, my_overdue_tasks, tenant_overdue_tasks, horizon_days } = work.data
  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
      <section aria-labelledby="assigned-title" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm lg:col-span-2">
        <h2 id="assigned-title" className="mb-3 text-base font-semibold text-slate-900">
          Assigned to me
        </h2>
        {tasks.length === 0 && owned.length === 0 ? (
          <p className="text-sm text-slate-600">Nothing is waiting on you.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm" data-testid="assigned-to-me">
            {tasks.map((t) => (
              <li key={t.id} data-testid="my-task" className="flex items-center gap-3 py-2">
                <Link to={`/tasks/${t.id}`} className={`min-w-0 flex-1 truncate ${linkClass}`}>
                  {t.title}
                </Link>
                <span className="text-slate-600">{STATUS_LABEL[t.status]}</span>
                <span className={t.overdue ? 'font-semibold text-rose-800' : 'text-slate-600'}>
                  {t.due_date ? `${t.overdue ? 'overdue since' : 'due'} ${formatDate(t.due_date)}` : 'no due date'}
                </span>
              </li>
            ))}
            {owned.map((o) => (
              <li key={`${o.kind}:${o.id}`} data-testid="my-owned" className="flex items-center gap-3 py-2">
                <span className="min-w-0 flex-1 truncate text-slate-900">
                  {o.kind.toUpperCase()}: {o.name}
                </span>
                <span className={o.overdue ? 'font-semibold text-rose-800' : 'text-slate-600'}>
                  {o.due_date && `due ${formatDate(o.due_date)}`}
                  {o.due_date && o.review_date && ' · '}
                  {o.review_date && `review ${formatDate(o.review_date)}`}
                </span>
              </li>
            ))}
          </ul>
        )}
        <p className="mt-2 text-xs text-slate-600">Owned items show when due or up for review within {horizon_days} days.</p>
      </section>
      <section aria-labelledby="overdue-title" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <h2 id="overdue-title" className="mb-3 text-base font-semibold text-slate-900">
          Overdue tasks
        </h2>
        <p className="text-3xl font-semibold tabular-nums text-slate-900" data-testid="overdue-count">
          {tenant_overdue_tasks}
        </p>
        <p className="text-sm text-slate-600">
          {my_overdue_tasks} of them yours ·{' '}
          <Link to="/tasks" className={linkClass}>
            See all tasks
          </Link>
        </p>
      </section>
    </div>
  )
}
