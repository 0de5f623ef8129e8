import { useState, type FormEvent } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Link } from 'react-router'
import { DataTable } from '../components/DataTable'
import { inputClass, linkClass, primaryButton, SelectField, TextField } from '../components/form'
import { LoadingPanel } from '../components/LoadingScreen'
import { OwnerPicker } from '../components/OwnerPicker'
import { formatDate, Page, Section } from '../components/Page'
import { asProblem, ProblemAlert } from '../components/ProblemAlert'
import type { Session } from '../session'
import {
  bulkTasks,
  createTask,
  listTasks,
  OPEN_STATUSES,
  ownerText,
  STATUS_LABEL,
  STATUSES,
  type Task,
  type TaskFilters,
  type TaskStatus,
} from '../tasks'

type StatusChoice = 'active' | 'all' | TaskStatus
const STATUS_CHOICES: { value: StatusChoice; label: string }[] = [
  { value: 'active', label: 'Not done yet' },
  { value: 'all', label: 'Any status' },
  ...STATUSES.map((s) => ({ value: s as StatusChoice, label: STATUS_LABEL[s] })),
]

export function filtersFor(status: StatusChoice, mine: boolean, overdue: boolean, q: string): TaskFilters {
  return {
    status: status === 'all' ? undefined : status === 'active' ? OPEN_STATUSES : [status],
    mine,
    overdue,
    q: q.trim() || undefined,
  }
}

/** `/tasks`: the tenant's tasks, filtered and sorted, with bulk moves and a form for a new one. */
export function TasksPage({ session }: { session: Session }) {
  const client = useQueryClient()
  const [status, setStatus] = useState<StatusChoice>('active')
  const [mine, setMine] = useState(false)
  const [overdue, setOverdue] = useState(false)
  const [q, setQ] = useState('')
  const [reassignTo, setReassignTo] = useState<string | null>(null)
  const filters = filtersFor(status, mine, overdue, q)
  const tasks = useQuery({
    queryKey: ['tasks', session.user.tenant_id, filters],
    queryFn: ({ signal }) => listTasks(filters, signal),
  })
  const refresh = () => client.invalidateQueries({ queryKey: ['tasks'] })
  const bulk = useMutation({ mutationFn: bulkTasks, onSettled: refresh })
  const run = (rows: Task[], body: Omit<Parameters<typeof bulkTasks>[0], 'ids'>) =>
    bulk.mutateAsync({ ids: rows.map((r) => r.id), ...body })

  return (
    <Page title="Tasks" eyebrow={session.impersonated_tenant_name ?? session.user.tenant_name ?? undefined}>
      <NewTaskForm onCreated={refresh} />
      <Section title="All tasks" description="Filter, sort by any column, and select tasks to move or reassign them together.">
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <SelectField label="Status" value={status} options={STATUS_CHOICES} onChange={setStatus} />
          <TextField label="Search" type="search" value={q} onChange={setQ} placeholder="Title or description" />
          <label className="flex items-center gap-2 self-end pb-2 text-sm text-slate-700">
            <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} />
            Only mine
          </label>
          <label className="flex items-center gap-2 self-end pb-2 text-sm text-slate-700">
            <input type="checkbox" checked={overdue} onChange={(e) => setOverdue(e.target.checked)} />
            Only overdue
          </label>
        </div>
        <div className="mt-3 max-w-sm">
          <OwnerPicker label="Reassign selected to" value={reassignTo} onChange={setReassignTo} noneLabel="Nobody (unassign)" />
        </div>
        {tasks.isPending && <LoadingPanel label="Loading tasks…" />}
        {tasks.isError && <ProblemAlert error={asProblem(tasks.error)} />}
        {tasks.data && (
          <DataTable
            rows={tasks.data.items}
            rowTestId="task-row"
            exportTable="tasks"
            empty="No tasks match."
            rowLabel={(t) => t.title}
            above={bulk.isError && <ProblemAlert error={asProblem(bulk.error)} />}
            bulkActions={[
              { label: 'Mark in progress', run: (rows) => run(rows, { action: 'status', status: 'in_progress' }) },
              { label: 'Mark done', run: (rows) => run(rows, { action: 'status', status: 'done' }) },
              {
                label: 'Reassign',
                run: (rows) => run(rows, { action: 'reassign', owner_user_id: reassignTo }),
              },
              { label: 'Cancel tasks', danger: true, run: (rows) => run(rows, { action: 'cancel' }) },
            ]}
            columns={[
              {
                header: 'Title',
                sortValue: (t) => t.title,
                cell: (t) => (
                  <Link to={`/tasks/${t.id}`} className={linkClass}>
                    {t.title}
                  </Link>
                ),
              },
              { header: 'Status', sortValue: (t) => STATUSES.indexOf(t.status), cell: (t) => STATUS_LABEL[t.status] },
              { header: 'Owner', sortValue: (t) => ownerText(t), cell: (t) => ownerText(t) },
              {
                header: 'Subject',
                sortValue: (t) => t.subject_name,
                cell: (t) => (t.subject_kind ? `${t.subject_kind.toUpperCase()}: ${t.subject_name ?? '—'}` : '—'),
              },
              {
                header: 'Due',
                className: 'whitespace-nowrap',
                sortValue: (t) => t.due_date,
                cell: (t) => (
                  <>
                    {t.due_date ? formatDate(t.due_date) : '—'}
                    {t.overdue && (
                      <span className="ml-2 rounded bg-rose-100 px-1.5 py-0.5 text-xs font-semibold text-rose-800">Overdue</span>
                    )}
                  </>
                ),
              },
            ]}
          />
        )}
      </Section>
    </Page>
  )
}

function NewTaskForm({ onCreated }: { onCreated: () => void }) {
  const [title, setTitle] = useState('')
  const [owner, setOwner] = useState<string | null>(null)
  const [due, setDue] = useState('')
  const create = useMutation({
    mutationFn: createTask,
    onSuccess: () => {
      setTitle('')
      setDue('')
      onCreated()
    },
  })
  const submit = (e: FormEvent) => {
    e.preventDefault()
    create.mutate({ title, description: '', owner_user_id: owner, due_date: due || null })
  }
  return (
    <Section title="New task">
      <form onSubmit={submit} className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <TextField label="Title" value={title} onChange={setTitle} required maxLength={200} />
        <OwnerPicker value={owner} onChange={setOwner} />
        <div className="space-y-1.5">
          <label htmlFor="new-task-due" className="block text-sm font-medium text-slate-700">
            Due date
          </label>
          <input id="new-task-due" type="date" value={due} onChange={(e) => setDue(e.target.value)} className={inputClass} />
        </div>
        <div className="self-end">
          <button type="submit" className={primaryButton} disabled={create.isPending || !title.trim()}>
            Create task
          </button>
        </div>
        {create.isError && (
          <div className="sm:col-span-2 lg:col-span-4">
            <ProblemAlert error={asProblem(create.error)} />
          </div>
        )}
      </form>
    </Section>
  )
}
