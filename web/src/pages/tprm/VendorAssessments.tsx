import { useState, type FormEvent } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Link } from 'react-router'
import {
  ASSESSMENTS_KEY,
  cancelAssessment,
  dueBounds,
  formatScore,
  isOpen,
  RATING_LABEL,
  resendAssessment,
  sendAssessment,
  sendOptions,
  STATUS_LABEL,
  vendorAssessments,
  type Assessment,
  type AssessmentSent,
} from '../../assessments'
import { PERMISSION } from '../../identity'
import { usePermissions } from '../../me'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { CopyButton } from '../../components/CopyButton'
import { inputClass, linkClass, primaryButton, secondaryButton, SelectField, TextField } from '../../components/form'
import { formatDate, Section } from '../../components/Page'
import { asProblem, ProblemAlert } from '../../components/ProblemAlert'

/** The one-time vendor link of an assessment just sent or resent, with a copy button. */
function SentLink({ sent, onClose }: { sent: AssessmentSent; onClose: () => void }) {
  return (
    <div role="status" className="space-y-2 rounded-md border border-emerald-200 bg-emerald-50 p-3 text-sm">
      <p className="font-medium text-emerald-900">
        Sent to {sent.recipient_name || sent.recipient_email}. The invitation e-mail is queued; if e-mail is not configured, send
        them this link yourself. It is shown only now.
      </p>
      <p className="break-all font-mono text-xs text-slate-800" data-testid="assessment-link">
        {sent.link}
      </p>
      <div className="flex gap-2">
        <CopyButton text={sent.link} label="Copy link" />
        <button type="button" className={secondaryButton} onClick={onClose}>
          Done
        </button>
      </div>
    </div>
  )
}

function SendForm({ vendorId, onSent, onCancel }: { vendorId: string; onSent: (s: AssessmentSent) => void; onCancel: () => void }) {
  const options = useQuery({ queryKey: [...ASSESSMENTS_KEY, 'options', vendorId], queryFn: ({ signal }) => sendOptions(vendorId, signal) })
  const bounds = dueBounds()
  const [questionnaire, setQuestionnaire] = useState('')
  const [contact, setContact] = useState('')
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [due, setDue] = useState('')
  const [message, setMessage] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [pending, setPending] = useState(false)

  if (options.error) return <ProblemAlert error={asProblem(options.error)} />
  if (!options.data) return <p role="status">Loading…</p>
  const published = options.data.questionnaires
  const contacts = options.data.contacts
  const chosenQuestionnaire = questionnaire || published[0]?.id || ''
  if (published.length === 0) {
    return <p className="text-sm text-slate-600">No questionnaire is published yet: publish one first.</p>
  }

  async function submit(e: FormEvent) {
    e.preventDefault()
    setPending(true)
    setError(null)
    try {
      const sent = await sendAssessment(vendorId, {
        questionnaire_id: chosenQuestionnaire,
        contact_id: contact || null,
        recipient_name: contact ? null : name.trim() || null,
        recipient_email: contact ? null : email.trim() || null,
        due_date: due,
        message,
      })
      onSent(sent)
    } catch (err) {
      setError(err)
    } finally {
      setPending(false)
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} className="space-y-3" aria-label="Send assessment">
      <SelectField
        label="Questionnaire"
        value={chosenQuestionnaire}
        options={published.map((q) => ({ value: q.id, label: `${q.name} (version ${q.version})` }))}
        onChange={setQuestionnaire}
      />
      {contacts.length > 0 && (
        <SelectField
          label="Recipient"
          value={contact}
          options={[
            { value: '', label: 'Someone else (type a name and e-mail)' },
            ...contacts.map((c) => ({ value: c.id, label: `${c.name} <${c.email}>${c.is_primary ? ' (primary)' : ''}` })),
          ]}
          onChange={setContact}
        />
      )}
      {!contact && (
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField label="Recipient name" value={name} onChange={setName} maxLength={200} />
          <TextField label="Recipient e-mail" type="email" value={email} onChange={setEmail} required maxLength={254} />
        </div>
      )}
      <TextField label="Due date" type="date" value={due} onChange={setDue} min={bounds.min} max={bounds.max} required />
      <div className="space-y-1.5">
        <label htmlFor={`message-${vendorId}`} className="block text-sm font-medium text-slate-700">
          Message (optional)
        </label>
        <textarea
          id={`message-${vendorId}`}
          value={message}
          onChange={(e) => setMessage(e.target.value)}
          maxLength={4000}
          rows={3}
          className={inputClass}
        />
      </div>
      {error !== null && <ProblemAlert error={asProblem(error)} />}
      <div className="flex gap-2">
        <button type="submit" className={primaryButton} disabled={pending}>
          {pending ? 'Sending…' : 'Send'}
        </button>
        <button type="button" className={secondaryButton} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}

type Confirming = { kind: 'resend' | 'cancel'; assessment: Assessment }

/** A vendor's assessments: history, "Send assessment", resend and cancel (tprm:manage). */
export function VendorAssessments({ vendorId }: { vendorId: string }) {
  const queryClient = useQueryClient()
  const permissions = usePermissions()
  const canManage = permissions?.has(PERMISSION.tprmManage) ?? false
  const key = [...ASSESSMENTS_KEY, 'vendor', vendorId]
  const history = useQuery({ queryKey: key, queryFn: ({ signal }) => vendorAssessments(vendorId, signal) })
  const [sending, setSending] = useState(false)
  const [sent, setSent] = useState<AssessmentSent | null>(null)
  const [confirming, setConfirming] = useState<Confirming | null>(null)
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<unknown>(null)

  const refresh = () => queryClient.invalidateQueries({ queryKey: ASSESSMENTS_KEY })

  async function confirm() {
    if (!confirming) return
    setPending(true)
    setError(null)
    try {
      if (confirming.kind === 'resend') setSent(await resendAssessment(confirming.assessment.id, null))
      else await cancelAssessment(confirming.assessment.id)
      await refresh()
    } catch (err) {
      setError(err)
    } finally {
      setPending(false)
      setConfirming(null)
    }
  }

  return (
    <Section title="Assessments" description="Security questionnaires sent to this vendor, newest first.">
      {sent && <SentLink sent={sent} onClose={() => setSent(null)} />}
      {error !== null && <ProblemAlert error={asProblem(error)} />}
      {canManage && !sending && (
        <button type="button" className={primaryButton} onClick={() => setSending(true)}>
          Send assessment
        </button>
      )}
      {sending && (
        <SendForm
          vendorId={vendorId}
          onCancel={() => setSending(false)}
          onSent={(s) => {
            setSending(false)
            setSent(s)
            void refresh()
          }}
        />
      )}
      {history.error ? (
        <ProblemAlert error={asProblem(history.error)} />
      ) : !history.data ? (
        <p role="status">Loading…</p>
      ) : history.data.length === 0 ? (
        <p className="text-sm text-slate-600">No assessment has been sent to this vendor.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="min-w-full text-left text-sm">
            <caption className="sr-only">Assessments of this vendor</caption>
            <thead className="text-xs uppercase text-slate-600">
              <tr>
                <th scope="col" className="py-2 pr-3">Questionnaire</th>
                <th scope="col" className="py-2 pr-3">Status</th>
                <th scope="col" className="py-2 pr-3">Sent</th>
                <th scope="col" className="py-2 pr-3">Due</th>
                <th scope="col" className="py-2 pr-3">Submitted</th>
                <th scope="col" className="py-2 pr-3">Score</th>
                <th scope="col" className="py-2 pr-3"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {history.data.map((a) => (
                <tr key={a.id} data-testid="vendor-assessment">
                  <td className="py-2 pr-3">
                    <Link to={`/assessments/${encodeURIComponent(a.id)}`} className={linkClass}>
                      {a.questionnaire_name}
                    </Link>
                    <span className="block text-xs text-slate-600">to {a.recipient_name || a.recipient_email}</span>
                  </td>
                  <td className="py-2 pr-3">
                    {STATUS_LABEL[a.status]}
                    {a.link_expired && <span className="block text-xs text-amber-800">Link expired</span>}
                  </td>
                  <td className="py-2 pr-3 tabular-nums">{formatDate(a.sent_at)}</td>
                  <td className="py-2 pr-3 tabular-nums">{a.due_date}</td>
                  <td className="py-2 pr-3 tabular-nums">{a.submitted_at ? formatDate(a.submitted_at) : '—'}</td>
                  <td className="py-2 pr-3 tabular-nums">
                    {formatScore(a.score)}
                    {a.rating && <span className="block text-xs text-slate-600">{RATING_LABEL[a.rating]}</span>}
                  </td>
                  <td className="py-2 pr-3">
                    {canManage && isOpen(a) && (
                      <span className="flex gap-2">
                        <button type="button" className={secondaryButton} onClick={() => setConfirming({ kind: 'resend', assessment: a })}>
                          Resend
                        </button>
                        <button type="button" className={secondaryButton} onClick={() => setConfirming({ kind: 'cancel', assessment: a })}>
                          Cancel
                        </button>
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {confirming && (
        <ConfirmDialog
          title={confirming.kind === 'resend' ? 'Resend the assessment?' : 'Cancel the assessment?'}
          confirmLabel={confirming.kind === 'resend' ? 'Resend' : 'Cancel assessment'}
          pending={pending}
          onConfirm={() => void confirm()}
          onCancel={() => setConfirming(null)}
        >
          {confirming.kind === 'resend'
            ? 'A new link is sent by e-mail and shown once; the old link stops working.'
            : 'The vendor link stops working and the answers given so far are kept.'}
        </ConfirmDialog>
      )}
    </Section>
  )
}
