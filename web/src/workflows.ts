// Workflows (`/api/workflows`): the editor's form for the common case, the JSON document it
// writes, and the validation messages of a document (local JSON syntax, then the server's 422
// with the JSON path of each problem). See docs/workflows.md for the format.
import type { ProblemFieldError } from './api'

export type TriggerType =
  | 'kri.colour_changed'
  | 'kri.stale'
  | 'risk.severity_crossed'
  | 'source.failed'
  | 'vendor.reassessment_due'
  | 'acceptance.expiring'

export const TRIGGERS: readonly { value: TriggerType; label: string }[] = [
  { value: 'kri.colour_changed', label: 'A KRI turns red' },
  { value: 'kri.stale', label: 'A KRI goes stale' },
  { value: 'risk.severity_crossed', label: 'A risk rises to high or above' },
  { value: 'source.failed', label: 'A source fails 3 times in a row' },
  { value: 'vendor.reassessment_due', label: "A vendor's reassessment is due within 30 days" },
  { value: 'acceptance.expiring', label: 'A risk acceptance expires within 14 days' },
]

const CONDITION: Partial<Record<TriggerType, string>> = {
  'kri.colour_changed': 'kri_green',
  'kri.stale': 'kri_green',
  'risk.severity_crossed': 'risk_below_band',
  'source.failed': 'source_recovered',
  'vendor.reassessment_due': 'vendor_reviewed',
}

export interface WorkflowForm {
  trigger: TriggerType
  taskTitle: string
  notifyAdmins: boolean
  approval: boolean
  closeWhenResolved: boolean
}

export const DEFAULT_FORM: WorkflowForm = {
  trigger: 'kri.colour_changed',
  taskTitle: 'Bring {subject} back to green',
  notifyAdmins: true,
  approval: false,
  closeWhenResolved: true,
}

type Json = Record<string, unknown>

function trigger(type: TriggerType): Json {
  switch (type) {
    case 'kri.colour_changed':
      return { type, to: ['red'] }
    case 'risk.severity_crossed':
      return { type, band: 'high' }
    case 'source.failed':
      return { type, failures: 3 }
    case 'vendor.reassessment_due':
      return { type, within_days: 30 }
    case 'acceptance.expiring':
      return { type, within_days: 14 }
    default:
      return { type }
  }
}

/** The document the form describes: a task for the subject's owner (the admins when it has
 * none), then optionally notify the admins, wait for an admin's approval, close when resolved. */
export function documentFromForm(form: WorkflowForm): Json {
  const steps: Json[] = [
    {
      type: 'create_task',
      title: form.taskTitle.trim() || '{subject}',
      assignee: { subject_owner: true, role: 'tenant_admin' },
      due_in_days: 7,
    },
  ]
  if (form.notifyAdmins) steps.push({ type: 'notify', to: { roles: ['tenant_admin'] }, title: 'Workflow {workflow}: {subject}' })
  if (form.approval) steps.push({ type: 'wait_for_approval', role: 'tenant_admin', deadline_days: 3, escalate_to: 'tenant_admin' })
  const condition = CONDITION[form.trigger]
  if (form.closeWhenResolved && condition) steps.push({ type: 'wait_until', condition })
  return { trigger: trigger(form.trigger), steps }
}

export type Parsed = { ok: true; document: Json } | { ok: false; message: string }

/** The editor's text as a document, or why it is not one (before asking the server). */
export function parseDocument(text: string): Parsed {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    return { ok: false, message: `Not valid JSON: ${e instanceof Error ? e.message : String(e)}` }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'The document must be a JSON object with "trigger" and "steps".' }
  }
  return { ok: true, document: value as Json }
}

/** A 422's errors as "steps.0.title: message" lines, the path inside the document. */
export function documentMessages(errors: readonly ProblemFieldError[] | undefined): string[] {
  return (errors ?? []).map((e) => {
    const path = (e.location ?? '').replace(/^body\.document\.?/, '')
    return path ? `${path}: ${e.message ?? 'invalid'}` : (e.message ?? 'invalid')
  })
}

export interface StepState {
  status?: string
  role?: string
}

/** A run waits on an approval (the API's approve and reject apply to it). */
export function waitingApproval(run: { status: string; step: number; steps: readonly StepState[] }): StepState | null {
  const state = run.steps[run.step]
  return run.status === 'waiting' && state?.status === 'waiting' && state.role ? state : null
}
