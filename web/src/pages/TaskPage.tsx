import { useRef, useState, type FormEvent } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Link } from 'react-router'
import { linkClass, primaryButton, secondaryButton } from '../components/form'
import { LoadingPanel } from '../components/LoadingScreen'
import { OwnerPicker } from '../components/OwnerPicker'
import { formatDate, formatDateTime, Page, Section } from '../components/Page'
import { asProblem, ProblemAlert } from '../components/ProblemAlert'
import {
  addAttachment,
  addComment,
  downloadAttachment,
  eventText,
  getTask,
  listAttachments,
  listComments,
  listHistory,
  moveLabel,
  nextStatuses,
  ownerText,
  patchTask,
  STATUS_LABEL,
} from '../tasks'

/** `/tasks/:taskId`: one task with its status buttons, owner, comments, attachments and history. */
export function TaskPage({ taskId }: { taskId: string }) {
  const client = useQueryClient()
  const task = useQuery({ queryKey: ['task', taskId], queryFn: ({ signal }) => getTask(taskId, signal) })
  const comments = useQuery({ queryKey: ['task', taskId, 'comments'], queryFn: ({ signal }) => listComments(taskId, signal) })
  const files = useQuery({ queryKey: ['task', taskId, 'files'], queryFn: ({ signal }) => listAttachments(taskId, signal) })
  const history = useQuery({ queryKey: ['task', taskId, 'history'], queryFn: ({ signal }) => listHistory(taskId, signal) })
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ['task', taskId] })
    void client.invalidateQueries({ queryKey: ['tasks'] })
  }
  const patch = useMutation({ mutationFn: (body: Parameters<typeof patchTask>[1]) => patchTask(taskId, body), onSuccess: refresh })
  const [comment, setComment] = useState('')
  const post = useMutation({
    mutationFn: () => addComment(taskId, comment),
    onSuccess: () => {
      setComment('')
      refresh()
    },
  })
  const fileInput = useRef<HTMLInputElement>(null)
  const upload = useMutation({ mutationFn: (file: File) => addAttachment(taskId, file), onSuccess: refresh })

  if (task.isPending) return <LoadingPanel label="Loading the task…" />
  if (task.isError) {
    return (
      <Page title="Task">
        <ProblemAlert error={asProblem(task.error)} />
      </Page>
    )
  }
  const t = task.data
  const submitComment = (e: FormEvent) => {
    e.preventDefault()
    post.mutate()
  }
  const save = async (file: { id: string; filename: string; content_type: string; size_bytes: number; uploaded_by: string | null; created_at: string }) => {
    const blob = await downloadAttachment(taskId, file)
    const url = URL.createObjectURL(blob)
    const link = document.createElement('a')
    link.href = url
    link.download = file.filename
    link.click()
    URL.revokeObjectURL(url)
  }

  return (
    <Page title={t.title} titleTestId="task-title" eyebrow={<Link to="/tasks" className={linkClass}>← Tasks</Link>}>
      <Section title="Status">
        <p className="text-sm text-slate-700">
          <span data-testid="task-status" className="font-semibold">
            {STATUS_LABEL[t.status]}
          </span>
          {' · '}
          {ownerText(t)}
          {' · '}
          {t.due_date ? `due ${formatDate(t.due_date)}` : 'no due date'}
          {t.overdue && <span className="ml-2 rounded bg-rose-100 px-1.5 py-0.5 text-xs font-semibold text-rose-800">Overdue</span>}
        </p>
        {t.subject_kind && (
          <p className="mt-1 text-sm text-slate-600">
            About the {t.subject_kind}: {t.subject_name ?? '—'}
          </p>
        )}
        {t.description && <p className="mt-2 text-sm whitespace-pre-wrap text-slate-800">{t.description}</p>}
        <div className="mt-3 flex flex-wrap gap-2">
          {nextStatuses(t.status).map((to) => (
            <button key={to} type="button" className={secondaryButton} disabled={patch.isPending} onClick={() => patch.mutate({ status: to })}>
              {moveLabel(t.status, to)}
            </button>
          ))}
        </div>
        <div className="mt-3 max-w-sm">
          <OwnerPicker value={t.owner_user_id} onChange={(owner) => patch.mutate({ owner_user_id: owner })} />
        </div>
        {patch.isError && <ProblemAlert error={asProblem(patch.error)} />}
      </Section>

      <Section title="Comments">
        <ul className="space-y-2" data-testid="task-comments">
          {(comments.data ?? []).map((c) => (
            <li key={c.id} className="rounded-md bg-slate-50 p-2 text-sm">
              <p className="text-xs text-slate-600">
                {c.author_name ?? 'Someone'} · {formatDateTime(c.created_at)}
              </p>
              <p className="whitespace-pre-wrap text-slate-800">{c.body}</p>
            </li>
          ))}
          {comments.data?.length === 0 && <li className="text-sm text-slate-600">No comments yet.</li>}
        </ul>
        <form onSubmit={submitComment} className="mt-3 space-y-2">
          <label htmlFor="task-comment" className="block text-sm font-medium text-slate-700">
            Add a comment
          </label>
          <textarea
            id="task-comment"
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            maxLength={4000}
            rows={3}
            className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900"
          />
          <button type="submit" className={primaryButton} disabled={post.isPending || !comment.trim()}>
            Comment
          </button>
          {post.isError && <ProblemAlert error={asProblem(post.error)} />}
        </form>
      </Section>

      <Section title="Attachments" description="PDF, text, Markdown, CSV, JSON, PNG, JPEG, XLSX or DOCX, at most 5 MB each.">
        <ul className="space-y-1 text-sm" data-testid="task-attachments">
          {(files.data ?? []).map((f) => (
            <li key={f.id}>
              <button type="button" className={linkClass} onClick={() => void save(f)}>
                {f.filename}
              </button>{' '}
              <span className="text-slate-600">({Math.ceil(f.size_bytes / 1024)} KB)</span>
            </li>
          ))}
          {files.data?.length === 0 && <li className="text-slate-600">No files yet.</li>}
        </ul>
        <label htmlFor="task-file" className="mt-3 block text-sm font-medium text-slate-700">
          Attach a file
        </label>
        <input
          id="task-file"
          ref={fileInput}
          type="file"
          className="mt-1 text-sm"
          onChange={(e) => {
            const file = e.target.files?.[0]
            if (file) upload.mutate(file)
            if (fileInput.current) fileInput.current.value = ''
          }}
        />
        {upload.isError && <ProblemAlert error={asProblem(upload.error)} />}
      </Section>

      <Section title="History">
        <ol className="space-y-1 text-sm" data-testid="task-history">
          {(history.data ?? []).map((e) => (
            <li key={e.id}>
              <span className="text-slate-600">{formatDateTime(e.at)}</span> · {e.actor_name ?? 'The system'}: {eventText(e)}
            </li>
          ))}
        </ol>
      </Section>
    </Page>
  )
}
