import { describe, expect, it } from 'vitest'
import { DEFAULT_FORM, documentFromForm, documentMessages, parseDocument, waitingApproval } from './workflows'

describe('documentFromForm', () => {
  it('writes a task for the owner, notify, and a wait fitting the trigger', () => {
    expect(documentFromForm(DEFAULT_FORM)).toEqual({
      trigger: { type: 'kri.colour_changed', to: ['red'] },
      steps: [
        { type: 'create_task', title: 'Bring {subject} back to green', assignee: { subject_owner: true, role: 'tenant_admin' }, due_in_days: 7 },
        { type: 'notify', to: { roles: ['tenant_admin'] }, title: 'Workflow {workflow}: {subject}' },
        { type: 'wait_until', condition: 'kri_green' },
      ],
    })
    const vendor = documentFromForm({ ...DEFAULT_FORM, trigger: 'vendor.reassessment_due', notifyAdmins: false, approval: true })
    expect(vendor.steps).toEqual([
      expect.objectContaining({ type: 'create_task' }),
      expect.objectContaining({ type: 'wait_for_approval', role: 'tenant_admin' }),
      { type: 'wait_until', condition: 'vendor_reviewed' },
    ])
    // No condition for an acceptance: no wait step.
    const acceptance = documentFromForm({ ...DEFAULT_FORM, trigger: 'acceptance.expiring', notifyAdmins: false })
    expect(acceptance.steps).toHaveLength(1)
  })
})

describe('parseDocument and documentMessages', () => {
  it('says why text is not a document, and where the server found a problem', () => {
    expect(parseDocument('{"trigger": 1}')).toEqual({ ok: true, document: { trigger: 1 } })
    expect(parseDocument('{').ok).toBe(false)
    expect(parseDocument('[]')).toEqual({ ok: false, message: 'The document must be a JSON object with "trigger" and "steps".' })
    expect(documentMessages([{ location: 'body.document.steps.0.create_task.title', message: 'unknown placeholder' }, { location: 'body.document', message: 'x' }])).toEqual([
      'steps.0.create_task.title: unknown placeholder',
      'x',
    ])
  })
})

describe('waitingApproval', () => {
  it('is the current step of a waiting run that names a role', () => {
    expect(waitingApproval({ status: 'waiting', step: 1, steps: [{ status: 'done' }, { status: 'waiting', role: 'tenant_admin' }] })).toEqual({ status: 'waiting', role: 'tenant_admin' })
    expect(waitingApproval({ status: 'waiting', step: 0, steps: [{ status: 'waiting' }] })).toBeNull()
    expect(waitingApproval({ status: 'finished', step: 1, steps: [{ status: 'approved', role: 'tenant_admin' }] })).toBeNull()
  })
})
