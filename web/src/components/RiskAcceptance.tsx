import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import {
  ACCEPTANCE_STATUS_LABEL,
  activeAcceptance,
  decideAcceptance,
  earliestExpiry,
  listRiskAcceptances,
  requestAcceptance,
  type Acceptance,
} from '../acceptance'
import { listAllEntities } from '../endpoints'
import { PERMISSION } from '../identity'
import { useMe } from '../me'
import { AcceptedBadge } from './AcceptedBadge'
import { formatDateTime, Section } from './Page'
import { asProblem, ProblemAlert } from './ProblemAlert'
import { dangerButton, inputClass, primaryButton, secondaryButton, SelectField, TextField } from './form'

export const ACCEPTANCES_KEY = ['risk-acceptances']

/** Approve, reject or revoke one acceptance, as the caller may: never a decision on one's own. */
export function AcceptanceActions({ acceptance, onDone }: { acceptance: Acceptance; onDone: () => Promise<void> }) {
  const me = useMe()
  const permissions = new Set(me.data?.permissions ?? [])
  const userId = me.data?.user.id
  const [reason, setReason] = useState('')
  const decide = useMutation({
    mutationFn: (decision: 'approve' | 'reject' | 'revoke') => decideAcceptance(acceptance.id, decision, reason),
    onSuccess: async () => {
      setReason('')
      await onDone()
    },
  })
  const own = acceptance.requested_by === userId
  const canDecide = acceptance.status === 'pending' && permissions.has(PERMISSION.riskAcceptanceDecide) && !own
  const canRevoke =
    (acceptance.status === 'pending' || acceptance.status === 'approved') &&
    (permissions.has(PERMISSION.riskAcceptanceDecide) || own)
  const awaiting =
    acceptance.status === 'pending' && own ? (
      <p className="text-xs text-slate-600" data-testid="awaiting-approver">
        Another tenant admin must approve your request.
      </p>
    ) : null
  if (!canDecide && !canRevoke) return awaiting
  return (
    <div className="space-y-2" data-testid="acceptance-actions">
      {awaiting}
      <TextField
        label="Reason (required to reject or revoke)"
        value={reason}
        onChange={setReason}
        maxLength={2000}
      />
      <div className="flex flex-wrap gap-2">
        {canDecide && (
          <>
            <button type="button" className={primaryButton} disabled={decide.isPending} onClick={() => decide.mutate('approve')}>
              Approve
            </button>
            <button
              type="button"
              className={dangerButton}
              disabled={decide.isPending || !reason.trim()}
              onClick={() => decide.mutate('reject')}
            >
              Reject
            </button>
          </>
        )}
        {canRevoke && (
          <button
            type="button"
            className={secondaryButton}
            disabled={decide.isPending || !reason.trim()}
            onClick={() => decide.mutate('revoke')}
          >
            {acceptance.status === 'pending' ? 'Withdraw' : 'Revoke'}
          </button>
        )}
      </div>
      {decide.error && <ProblemAlert error={asProblem(decide.error)} />}
    </div>
  )
}

function RequestForm({ riskId, onDone }: { riskId: string; onDone: () => Promise<void> }) {
  const [justification, setJustification] = useState('')
  const [expiresAt, setExpiresAt] = useState('')
  const [control, setControl] = useState('')
  const controls = useQuery({ queryKey: ['acceptance-controls'], queryFn: ({ signal }) => listAllEntities('controls', signal) })
  const submit = useMutation({
    mutationFn: () =>
      requestAcceptance(riskId, { justification, expires_at: expiresAt, compensating_control_id: control || null }),
    onSuccess: async () => {
      setJustification('')
      setExpiresAt('')
      setControl('')
      await onDone()
    },
  })
  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    submit.mutate()
  }
  const options = [
    { value: '', label: 'None' },
    ...(controls.data ?? []).map((c) => ({ value: c.id, label: c.name })),
  ]
  return (
    <form onSubmit={onSubmit} className="space-y-3" aria-label="Request acceptance" data-testid="acceptance-request">
      <div className="space-y-1.5">
        <label htmlFor="acceptance-justification" className="block text-sm font-medium text-slate-700">
          Justification
        </label>
        <textarea
          id="acceptance-justification"
          required
          maxLength={4000}
          rows={3}
          value={justification}
          onChange={(e) => setJustification(e.target.value)}
          className={inputClass}
        />
      </div>
      <TextField
        label="Accepted until (UTC day)"
        type="date"
        required
        min={earliestExpiry()}
        value={expiresAt}
        onChange={setExpiresAt}
        hint="The risk returns to review the day after."
      />
      <SelectField label="Compensating control" value={control} options={options} onChange={setControl} />
      <button type="submit" className={primaryButton} disabled={submit.isPending}>
        Request acceptance
      </button>
      {submit.error && <ProblemAlert error={asProblem(submit.error)} />}
    </form>
  )
}

/** The risk page's acceptance: the one standing (with its badge), its decision, a request form
 * when none stands, and the whole history. */
export function RiskAcceptanceSection({ riskId }: { riskId: string }) {
  const queryClient = useQueryClient()
  const me = useMe()
  const canRequest = new Set(me.data?.permissions ?? []).has(PERMISSION.riskAcceptanceRequest)
  const key = [...ACCEPTANCES_KEY, 'risk', riskId]
  const query = useQuery({ queryKey: key, queryFn: ({ signal }) => listRiskAcceptances(riskId, signal) })
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ACCEPTANCES_KEY })
    await queryClient.invalidateQueries({ queryKey: ['risk-scores'] })
    await queryClient.invalidateQueries({ queryKey: ['risk-explanation', riskId] })
    await queryClient.invalidateQueries({ queryKey: ['dashboard'] })
  }
  const active = query.data ? activeAcceptance(query.data) : undefined
  return (
    <Section
      title="Risk acceptance"
      description="Accept the risk until a date, with a justification; another tenant admin approves. The score stays the computed one."
    >
      {query.error ? (
        <ProblemAlert error={asProblem(query.error)} />
      ) : !query.data ? (
        <p role="status">Loading acceptances…</p>
      ) : (
        <div className="space-y-4">
          {active ? (
            <div className="space-y-2 rounded-md border border-slate-200 p-3" data-testid="active-acceptance" data-status={active.status}>
              <p className="flex flex-wrap items-center gap-2 text-sm">
                <span className="font-medium">{ACCEPTANCE_STATUS_LABEL[active.status]}</span>
                {active.in_force ? <AcceptedBadge until={active.expires_at} /> : <span>until {active.expires_at}</span>}
              </p>
              <p className="text-sm text-slate-800">{active.justification}</p>
              {active.compensating_control_name && (
                <p className="text-xs text-slate-600">Compensating control: {active.compensating_control_name}</p>
              )}
              <p className="text-xs text-slate-600">Requested by {active.requested_by_name ?? 'a former user'}</p>
              <AcceptanceActions acceptance={active} onDone={refresh} />
            </div>
          ) : canRequest ? (
            <RequestForm riskId={riskId} onDone={refresh} />
          ) : (
            <p className="text-sm text-slate-600">Not accepted.</p>
          )}
          {query.data.length > 0 && (
            <table className="w-full text-sm" data-testid="acceptance-history">
              <caption className="sr-only">Every acceptance of this risk, newest first</caption>
              <thead>
                <tr className="text-left text-xs text-slate-600">
                  <th scope="col" className="py-1 pr-3">Status</th>
                  <th scope="col" className="py-1 pr-3">Until</th>
                  <th scope="col" className="py-1 pr-3">Requested</th>
                  <th scope="col" className="py-1 pr-3">Decided by</th>
                  <th scope="col" className="py-1">Reason</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {query.data.map((a) => (
                  <tr key={a.id} data-testid="acceptance-row" data-status={a.status}>
                    <td className="py-1 pr-3">{ACCEPTANCE_STATUS_LABEL[a.status]}</td>
                    <td className="py-1 pr-3 tabular-nums">{a.expires_at}</td>
                    <td className="py-1 pr-3">
                      {a.requested_by_name ?? '—'}, {formatDateTime(a.requested_at)}
                    </td>
                    <td className="py-1 pr-3">{a.decided_by_name ?? '—'}</td>
                    <td className="py-1">{a.reason ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </Section>
  )
}
