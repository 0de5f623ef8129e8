// Tasks in the client: the statuses and the moves a task may make (the server's rule,
// draxis/task_rules.py, mirrored for the buttons it offers: the server still decides), labels,
// and the typed API calls the tasks pages and the dashboard use.
import { answer, api, type Schema } from './api/client'
import { authedFetch } from './session'

export const PERMISSION_TASKS_READ = 'tasks:read'

export type Task = Schema<'TaskOut'>
export type TaskStatus = Task['status']
export type Member = Schema<'Member'>
export type MyWork = Schema<'MyWork'>
export type TaskFilters = {
  status?: TaskStatus[]
  mine?: boolean
  overdue?: boolean
  q?: string
  owner_user_id?: string
}

export const STATUS_LABEL: Record<TaskStatus, string> = {
  open: 'Open',
  in_progress: 'In progress',
  waiting_approval: 'Waiting for approval',
  done: 'Done',
  cancelled: 'Cancelled',
}
export const STATUSES = Object.keys(STATUS_LABEL) as TaskStatus[]
export const OPEN_STATUSES: TaskStatus[] = ['open', 'in_progress', 'waiting_approval']

const MOVES: Record<TaskStatus, TaskStatus[]> = {
  open: ['in_progress', 'waiting_approval', 'done', 'cancelled'],
  in_progress: ['open', 'waiting_approval', 'done', 'cancelled'],
  waiting_approval: ['open', 'in_progress', 'done', 'cancelled'],
  done: ['open'],
  cancelled: ['open'],
}

/** The statuses a task in `status` may move to (closed tasks only reopen). */
export function nextStatuses(status: TaskStatus): TaskStatus[] {
  return MOVES[status]
}

/** The words on a status button: "Reopen" for a closed task, else the status's name. */
export function moveLabel(from: TaskStatus, to: TaskStatus): string {
  if (to === 'open' && (from === 'done' || from === 'cancelled')) return 'Reopen'
  if (to === 'open') return 'Back to open'
  if (to === 'cancelled') return 'Cancel task'
  return `Mark ${STATUS_LABEL[to].toLowerCase()}`
}

/** Who a task is for: a member's name, a role, or nobody yet. */
export function ownerText(task: Pick<Task, 'owner_name' | 'owner_role'>): string {
  if (task.owner_name) return task.owner_name
  if (task.owner_role === 'tenant_admin') return 'Any tenant admin'
  if (task.owner_role === 'tenant_user') return 'Any tenant user'
  return 'Unassigned'
}

/** Members whose name contains `search` (case-insensitive), for an owner picker. */
export function matchMembers(members: readonly Member[], search: string): Member[] {
  const needle = search.trim().toLowerCase()
  return needle ? members.filter((m) => m.display_name.toLowerCase().includes(needle)) : [...members]
}

export async function listTasks(filters: TaskFilters, signal?: AbortSignal) {
  const query = {
    limit: 500,
    ...(filters.status?.length ? { status: filters.status } : {}),
    ...(filters.mine ? { mine: true } : {}),
    ...(filters.overdue ? { overdue: true } : {}),
    ...(filters.q ? { q: filters.q } : {}),
    ...(filters.owner_user_id ? { owner_user_id: filters.owner_user_id } : {}),
  }
  return answer(await api.GET('/api/tasks', { params: { query }, signal }))
}

export async function getTask(taskId: string, signal?: AbortSignal) {
  return answer(await api.GET('/api/tasks/{task_id}', { params: { path: { task_id: taskId } }, signal }))
}

export async function createTask(body: Schema<'TaskIn'>) {
  return answer(await api.POST('/api/tasks', { body }))
}

export async function patchTask(taskId: string, body: Schema<'TaskPatch'>) {
  return answer(await api.PATCH('/api/tasks/{task_id}', { params: { path: { task_id: taskId } }, body }))
}

export async function bulkTasks(body: Schema<'BulkTasks'>) {
  return answer(await api.POST('/api/tasks/bulk', { body }))
}

export async function listMembers(signal?: AbortSignal) {
  return answer(await api.GET('/api/members', { signal }))
}

export async function getMyWork(signal?: AbortSignal) {
  return answer(await api.GET('/api/my-work', { signal }))
}

export async function listComments(taskId: string, signal?: AbortSignal) {
  return answer(await api.GET('/api/tasks/{task_id}/comments', { params: { path: { task_id: taskId } }, signal }))
}

export async function addComment(taskId: string, body: string) {
  return answer(await api.POST('/api/tasks/{task_id}/comments', { params: { path: { task_id: taskId } }, body: { body } }))
}

export async function listAttachments(taskId: string, signal?: AbortSignal) {
  return answer(await api.GET('/api/tasks/{task_id}/attachments', { params: { path: { task_id: taskId } }, signal }))
}

export async function addAttachment(taskId: string, file: File): Promise<Schema<'AttachmentOut'>> {
  const form = new FormData()
  form.append('file', file)
  const res = await authedFetch(`/api/tasks/${encodeURIComponent(taskId)}/attachments`, {
    method: 'POST',
    headers: { Accept: 'application/json, application/problem+json' },
    body: form,
  })
  return (await res.json()) as Schema<'AttachmentOut'>
}

/** The file as a blob, for the browser to save under its name. */
export async function downloadAttachment(taskId: string, attachment: Schema<'AttachmentOut'>): Promise<Blob> {
  const res = await authedFetch(`/api/tasks/${encodeURIComponent(taskId)}/attachments/${encodeURIComponent(attachment.id)}`)
  return res.blob()
}

export async function listHistory(taskId: string, signal?: AbortSignal) {
  return answer(await api.GET('/api/tasks/{task_id}/history', { params: { path: { task_id: taskId } }, signal }))
}

/** One history row in words: "Status: Open → Done", "Reassigned", "Commented". */
export function eventText(event: Schema<'TaskEventOut'>): string {
  const detail = event.detail as Record<string, unknown>
  switch (event.kind) {
    case 'created':
      return 'Created the task'
    case 'status_changed':
      return `Status: ${STATUS_LABEL[detail.from as TaskStatus] ?? String(detail.from)} → ${STATUS_LABEL[detail.to as TaskStatus] ?? String(detail.to)}`
    case 'reassigned':
      return 'Reassigned the task'
    case 'edited':
      return `Edited ${Object.keys(detail).join(', ').replaceAll('_', ' ')}`
    case 'commented':
      return 'Commented'
    case 'attached':
      return `Attached ${String(detail.filename ?? 'a file')}`
    case 'attachment_removed':
      return `Removed ${String(detail.filename ?? 'a file')}`
    default:
      return event.kind.replaceAll('_', ' ')
  }
}
