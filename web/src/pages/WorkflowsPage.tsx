import { useEffect, useState } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { ProblemError } from '../api'
import { answer, api, type Schema } from '../api/client'
import { DataTable, useRowAction } from '../components/DataTable'
import { primaryButton, secondaryButton, SelectField, TextField } from '../components/form'
import { formatDateTime, Page, Section, Subsection } from '../components/Page'
import { asProblem, ErrorList, ProblemAlert } from '../components/ProblemAlert'
import { QueryResult } from '../components/QueryResult'
import { PERMISSION } from '../identity'
import { usePermissions } from '../me'
import type { Session } from '../session'
import {
  DEFAULT_FORM,
  documentFromForm,
  documentMessages,
  parseDocument,
  TRIGGERS,
  waitingApproval,
  type StepState,
  type WorkflowForm,
} from '../workflows'

type Workflow = Schema<'WorkflowOut'>
type Run = Schema<'WorkflowRunOut'>
type Preview = Schema<'PreviewOut'>
type Document = Schema<'WorkflowDocument'>

const pretty = (value: unknown) => JSON.stringify(value, null, 2)

/** Live validation: the text parsed here, then previewed by the server (422 names the path). */
function usePreview(text: string): { messages: string[]; preview: Preview | null } {
  const [state, setState] = useState<{ messages: string[]; preview: Preview | null }>({ messages: [], preview: null })
  useEffect(() => {
    const parsed = parseDocument(text)
    if (!parsed.ok) {
      setState({ messages: [parsed.message], preview: null })
      return
    }
    const controller = new AbortController()
    const timer = window.setTimeout(() => {
      api
        .POST('/api/workflows/preview', { body: { document: parsed.document as unknown as Document }, signal: controller.signal })
        .then((r) => setState({ messages: [], preview: answer(r) }))
        .catch((e: unknown) => {
          if (controller.signal.aborted) return
          const problem = asProblem(e)
          setState({ messages: problem.status === 422 ? documentMessages(problem.errors) : [problem.detail], preview: null })
        })
    }, 400)
    return () => {
      controller.abort()
      window.clearTimeout(timer)
    }
  }, [text])
  return state
}

function Editor({ editing, canWrite, onDone }: { editing: Workflow | null; canWrite: boolean; onDone: () => void }) {
  const [name, setName] = useState(editing?.name ?? '')
  const [form, setForm] = useState<WorkflowForm>(DEFAULT_FORM)
  const [text, setText] = useState(pretty(editing?.document ?? documentFromForm(DEFAULT_FORM)))
  const [saveError, setSaveError] = useState<ProblemError | null>(null)
  const { messages, preview } = usePreview(text)
  const versions = useQuery({
    queryKey: ['workflow-versions', editing?.id],
    enabled: editing !== null,
    queryFn: async ({ signal }) =>
      answer(await api.GET('/api/workflows/{workflow_id}/versions', { params: { path: { workflow_id: editing?.id ?? '' } }, signal })),
  })
  const updateForm = (next: WorkflowForm) => {
    setForm(next)
    setText(pretty(documentFromForm(next)))
  }
  const save = async () => {
    const parsed = parseDocument(text)
    if (!parsed.ok) return
    const document = parsed.document as unknown as Document
    setSaveError(null)
    try {
      if (editing) await api.PATCH('/api/workflows/{workflow_id}', { params: { path: { workflow_id: editing.id } }, body: { name, document } })
      else await api.POST('/api/workflows', { body: { name, document, enabled: true } })
      onDone()
    } catch (e) {
      setSaveError(asProblem(e))
    }
  }
  return (
    <Section title={editing ? `Edit ${editing.name}` : 'New workflow'} description="Fill in the form for the common case, or edit the JSON document. The preview shows what it would fire on now.">
      <div className="grid gap-6 lg:grid-cols-2">
        <div className="space-y-4">
          <TextField label="Name" value={name} onChange={setName} maxLength={120} data-testid="workflow-name" />
          <SelectField label="When" value={form.trigger} options={TRIGGERS} onChange={(trigger) => updateForm({ ...form, trigger })} data-testid="workflow-trigger" />
          <TextField label="Task title ({subject} is the KRI, risk, vendor or source)" value={form.taskTitle} onChange={(taskTitle) => updateForm({ ...form, taskTitle })} />
          {(
            [
              ['notifyAdmins', 'Notify the tenant admins'],
              ['approval', "Wait for an admin's approval"],
              ['closeWhenResolved', 'Close the task when resolved'],
            ] as const
          ).map(([key, label]) => (
            <label key={key} className="flex items-center gap-2 text-sm text-slate-700">
              <input type="checkbox" checked={form[key]} onChange={(e) => updateForm({ ...form, [key]: e.target.checked })} />
              {label}
            </label>
          ))}
          <div className="space-y-1.5">
            <label htmlFor="workflow-json" className="block text-sm font-medium text-slate-700">
              Document (JSON)
            </label>
            <textarea id="workflow-json" data-testid="workflow-json" value={text} onChange={(e) => setText(e.target.value)} rows={16} spellCheck={false} className="block w-full rounded-md border border-slate-300 p-2 font-mono text-xs text-slate-900" />
          </div>
          <div role="status" aria-live="polite" data-testid="workflow-validation">
            {messages.length > 0 ? <ErrorList messages={messages} /> : <p className="text-sm text-emerald-800">The document is valid.</p>}
          </div>
          {saveError && <ProblemAlert error={saveError} />}
          <div className="flex gap-2">
            <button type="button" className={primaryButton} disabled={!canWrite || messages.length > 0 || !name.trim()} onClick={() => void save()} data-testid="workflow-save">
              {editing ? 'Save as a new version' : 'Create workflow'}
            </button>
            <button type="button" className={secondaryButton} onClick={onDone}>
              Cancel
            </button>
          </div>
        </div>
        <div className="space-y-4">
          <Subsection title="Preview">
            {preview === null ? (
              <p className="text-sm text-slate-600">Nothing to preview until the document is valid.</p>
            ) : (
              <div data-testid="workflow-preview" className="space-y-2 text-sm">
                <p>
                  Would fire on {preview.total} {preview.total === 1 ? 'subject' : 'subjects'} now.
                </p>
                <ul className="space-y-2">
                  {preview.firings.map((f) => (
                    <li key={`${f.subject_id}-${f.occurrence}`} className="rounded-md border border-slate-200 p-2">
                      <p className="font-medium">{f.subject_label}</p>
                      <ol className="list-decimal pl-5 text-slate-700">
                        {f.steps.map((s) => (
                          <li key={s}>{s}</li>
                        ))}
                      </ol>
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </Subsection>
          {editing && (
            <Subsection title="Version history">
              <QueryResult query={versions} loading="Loading versions…">
                {(list) => (
                  <ul data-testid="workflow-versions" className="space-y-1 text-sm">
                    {list.map((v) => (
                      <li key={v.version}>
                        Version {v.version} · {v.trigger_type} · {formatDateTime(v.created_at)}
                      </li>
                    ))}
                  </ul>
                )}
              </QueryResult>
            </Subsection>
          )}
        </div>
      </div>
    </Section>
  )
}

function stepText(run: Run): string {
  const state = (run.steps[run.step] ?? {}) as StepState
  if (run.status === 'finished' || run.status === 'rejected') return run.status
  return `step ${run.step + 1}: ${state.status ?? 'pending'}`
}

function Runs({ session }: { session: Session }) {
  const queryClient = useQueryClient()
  const { busy, error, run: act } = useRowAction()
  const runs = useQuery({ queryKey: ['workflow-runs'], queryFn: async ({ signal }) => answer(await api.GET('/api/workflows/runs', { signal })) })
  const decide = (r: Run, decision: 'approve' | 'reject') =>
    act(r, async () => {
      const path = decision === 'approve' ? '/api/workflows/runs/{run_id}/approve' : '/api/workflows/runs/{run_id}/reject'
      await api.POST(path, { params: { path: { run_id: r.id } }, body: { comment: '' } })
      await queryClient.invalidateQueries({ queryKey: ['workflow-runs'] })
    })
  return (
    <Section title="Runs" description="One run per firing. Approvals waiting for your role can be decided here.">
      <QueryResult query={runs} loading="Loading runs…">
        {(list) => (
          <DataTable
            rows={list}
            rowTestId="workflow-run"
            empty="No workflow has fired yet."
            above={error && <ProblemAlert error={error} />}
            columns={[
              { header: 'Workflow', className: 'font-medium', cell: (r) => `${r.workflow_name} (v${r.version})` },
              { header: 'Subject', cell: (r) => r.subject_label || r.subject_kind },
              { header: 'State', cell: (r) => stepText(r) },
              { header: 'Started', className: 'text-slate-600', sortValue: (r) => r.started_at, cell: (r) => formatDateTime(r.started_at) },
              {
                header: 'Actions',
                hideHeader: true,
                className: 'whitespace-nowrap text-right',
                cell: (r) => {
                  const waiting = waitingApproval({ status: r.status, step: r.step, steps: r.steps as StepState[] })
                  if (!waiting || waiting.role !== session.user.role) return null
                  return (
                    <span className="flex justify-end gap-2">
                      <button type="button" className={secondaryButton} disabled={busy === r.id} onClick={() => void decide(r, 'approve')}>
                        Approve
                      </button>
                      <button type="button" className={secondaryButton} disabled={busy === r.id} onClick={() => void decide(r, 'reject')}>
                        Reject
                      </button>
                    </span>
                  )
                },
              },
            ]}
          />
        )}
      </QueryResult>
    </Section>
  )
}

/** `/workflows`: the tenant's workflows, the editor with its preview, and the runs. */
export function WorkflowsPage({ session }: { session: Session }) {
  const queryClient = useQueryClient()
  const canWrite = usePermissions()?.has(PERMISSION.riskModelWrite) ?? false
  const [editing, setEditing] = useState<Workflow | 'new' | null>(null)
  const { busy, error, run: act } = useRowAction()
  const workflows = useQuery({ queryKey: ['workflows'], queryFn: async ({ signal }) => answer(await api.GET('/api/workflows', { signal })) })
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['workflows'] })
  const toggle = (w: Workflow) =>
    act(w, async () => {
      await api.PATCH('/api/workflows/{workflow_id}', { params: { path: { workflow_id: w.id } }, body: { enabled: !w.enabled } })
      await refresh()
    })
  return (
    <Page
      title="Workflows"
      eyebrow={session.impersonated_tenant_name ?? session.user.tenant_name ?? undefined}
      actions={
        canWrite && (
          <button type="button" className={primaryButton} onClick={() => setEditing('new')} data-testid="workflow-new">
            New workflow
          </button>
        )
      }
    >
      {editing && (
        <Editor
          key={editing === 'new' ? 'new' : editing.id}
          editing={editing === 'new' ? null : editing}
          canWrite={canWrite}
          onDone={() => {
            setEditing(null)
            void refresh()
          }}
        />
      )}
      <Section title="Definitions" description="Evaluated by the pipeline after each KRI colour and risk posture recompute.">
        <QueryResult query={workflows} loading="Loading workflows…">
          {(list) => (
            <DataTable
              rows={list}
              rowTestId="workflow-row"
              empty="No workflows yet."
              above={error && <ProblemAlert error={error} />}
              columns={[
                { header: 'Name', className: 'font-medium', sortValue: (w) => w.name, cell: (w) => w.name },
                { header: 'Trigger', cell: (w) => <code className="text-xs">{w.trigger_type}</code> },
                { header: 'Version', cell: (w) => w.current_version },
                { header: 'Enabled', cell: (w) => (w.enabled ? 'Yes' : 'No') },
                { header: 'Open runs', cell: (w) => w.open_runs },
                canWrite && {
                  header: 'Actions',
                  hideHeader: true,
                  className: 'whitespace-nowrap text-right',
                  cell: (w) => (
                    <span className="flex justify-end gap-2">
                      <button type="button" className={secondaryButton} onClick={() => setEditing(w)}>
                        Edit<span className="sr-only"> {w.name}</span>
                      </button>
                      <button type="button" className={secondaryButton} disabled={busy === w.id} onClick={() => void toggle(w)}>
                        {w.enabled ? 'Disable' : 'Enable'}
                        <span className="sr-only"> {w.name}</span>
                      </button>
                    </span>
                  ),
                },
              ]}
            />
          )}
        </QueryResult>
      </Section>
      <Runs session={session} />
    </Page>
  )
}
