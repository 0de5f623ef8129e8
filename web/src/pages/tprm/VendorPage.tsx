import { useState, type FormEvent } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Link } from 'react-router'
import type { ProblemError } from '../../api'
import { AcceptedBadge } from '../../components/AcceptedBadge'
import { EntityForm } from '../../components/EntityForm'
import { Page, Section, formatDate } from '../../components/Page'
import { asProblem, ProblemAlert } from '../../components/ProblemAlert'
import { QueryResult } from '../../components/QueryResult'
import { SeverityBadge } from '../../components/SeverityBadge'
import { dangerButton, inputClass, linkClass, primaryButton, secondaryButton, TextField } from '../../components/form'
import { listAllEntities, updateEntity } from '../../endpoints'
import { PERMISSION } from '../../identity'
import { usePermissions } from '../../me'
import { VendorAssessments } from './VendorAssessments'
import { SPECS } from '../../modelSpecs'
import { severityOf } from '../../riskModel'
import {
  createContact,
  CRITICALITY_LABEL,
  DATA_ACCESS_LABEL,
  decideFinding,
  deleteContact,
  getProfile,
  listVendorFindings,
  setVendorRisks,
  updateContact,
  VENDORS_KEY,
  vendorKey,
  type Contact,
  type Finding,
  type FindingDecision,
  type VendorProfile,
} from '../../vendors'

/** `/vendors/:vendorId`: one vendor's profile, contacts, risks, schedule and findings. */
export function VendorPage({ vendorId }: { vendorId: string }) {
  const queryClient = useQueryClient()
  const permissions = usePermissions()
  const canManage = permissions?.has(PERMISSION.tprmManage) ?? false
  const canEdit = permissions?.has(PERMISSION.riskModelWrite) ?? false
  const key = vendorKey(vendorId)
  const profile = useQuery({ queryKey: key, queryFn: ({ signal }) => getProfile(vendorId, signal) })
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: VENDORS_KEY })
  }
  return (
    <Page
      title={profile.data?.vendor.name ?? 'Vendor'}
      titleTestId="vendor-name"
      eyebrow={
        <Link to="/vendors" className={linkClass}>
          ← Vendors
        </Link>
      }
    >
      <QueryResult query={profile} loading="Loading the vendor…">
        {(p) => (
          <>
            <Overview profile={p} />
            {canEdit && (
              <Section title="Edit profile">
                <EntityForm
                  key={p.vendor.updated_at}
                  spec={SPECS.vendors}
                  entity={p.vendor}
                  label="Edit vendor"
                  submitLabel="Save vendor"
                  doneMessage="Vendor saved."
                  onSubmit={async (body) => {
                    await updateEntity('vendors', vendorId, body)
                    await refresh()
                  }}
                />
              </Section>
            )}
            <ContactsSection vendorId={vendorId} contacts={p.contacts} canManage={canManage} onChange={refresh} />
            <RisksSection profile={p} canManage={canManage} onChange={refresh} />
            <VendorAssessments vendorId={vendorId} />
            <FindingsSection vendorId={vendorId} canManage={canManage} onChange={refresh} />
          </>
        )}
      </QueryResult>
    </Page>
  )
}

function Overview({ profile }: { profile: VendorProfile }) {
  const { vendor, cadence, last_assessment: last, open_findings: open } = profile
  const rows: [string, React.ReactNode][] = [
    ['Tier', `Tier ${vendor.tier}`],
    ['Criticality', CRITICALITY_LABEL[vendor.criticality] ?? vendor.criticality],
    ['Data access', DATA_ACCESS_LABEL[vendor.data_access] ?? vendor.data_access],
    ['Owner', vendor.owner_name ?? '—'],
    ['Category', vendor.category || '—'],
    ['Services', vendor.services.join(', ') || '—'],
    ['Subprocessors', vendor.subprocessors.join(', ') || '—'],
    ['Data elements', vendor.data_elements.join(', ') || '—'],
    ['Contract', `${formatDate(vendor.contract_start)} – ${formatDate(vendor.contract_end)}`],
    [
      'Website',
      vendor.website ? (
        <a href={vendor.website} className={linkClass} rel="noopener noreferrer" target="_blank">
          {vendor.website}
        </a>
      ) : (
        '—'
      ),
    ],
  ]
  return (
    <>
      <Section title="Reassessment" description={`Tier ${vendor.tier} vendors are reassessed every ${cadence.months} months.`}>
        <dl className="grid gap-3 text-sm sm:grid-cols-4">
          <div>
            <dt className="text-slate-600">Next due</dt>
            <dd className="font-medium tabular-nums" data-testid="next-due">
              {formatDate(cadence.next_due)}
              {cadence.overdue && <span className="ml-2 rounded bg-rose-50 px-1.5 py-0.5 font-semibold text-rose-800">Overdue</span>}
              {cadence.current && <span className="ml-2 rounded bg-emerald-50 px-1.5 py-0.5 text-emerald-800">Current</span>}
            </dd>
          </div>
          <div>
            <dt className="text-slate-600">Last assessment</dt>
            <dd className="font-medium tabular-nums">
              {last ? `${formatDate(last.completed_on)} · ${last.score ?? '—'} (${last.rating ?? 'no rating'})` : 'Never assessed'}
            </dd>
          </div>
          <div className="sm:col-span-2">
            <dt className="text-slate-600">Open findings</dt>
            <dd className="font-medium tabular-nums" data-testid="open-findings">
              {open.total === 0
                ? 'None'
                : `${open.total}: ${open.critical} critical, ${open.high} high, ${open.medium} medium, ${open.low} low`}
            </dd>
          </div>
        </dl>
      </Section>
      <Section title="Profile">
        <dl className="grid gap-3 text-sm sm:grid-cols-3">
          {rows.map(([label, value]) => (
            <div key={label}>
              <dt className="text-slate-600">{label}</dt>
              <dd className="font-medium break-words">{value}</dd>
            </div>
          ))}
        </dl>
        {vendor.notes && <p className="text-sm whitespace-pre-wrap text-slate-800">{vendor.notes}</p>}
      </Section>
    </>
  )
}

function ContactsSection({
  vendorId,
  contacts,
  canManage,
  onChange,
}: {
  vendorId: string
  contacts: Contact[]
  canManage: boolean
  onChange: () => Promise<void>
}) {
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [role, setRole] = useState('')
  const [primary, setPrimary] = useState(false)
  const [problem, setProblem] = useState<ProblemError | null>(null)
  const [pending, setPending] = useState(false)

  async function run(action: () => Promise<unknown>): Promise<boolean> {
    setProblem(null)
    setPending(true)
    try {
      await action()
      await onChange()
      return true
    } catch (error) {
      setProblem(asProblem(error))
      return false
    } finally {
      setPending(false)
    }
  }

  async function add(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const ok = await run(() => createContact(vendorId, { name, email, role, is_primary: primary }))
    if (ok) {
      setName('')
      setEmail('')
      setRole('')
      setPrimary(false)
    }
  }

  return (
    <Section title="Contacts" description="The people assessments are sent to; one is primary.">
      {contacts.length === 0 ? (
        <p className="text-sm text-slate-600">No contact yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {contacts.map((c) => (
            <li key={c.id} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm" data-testid="vendor-contact">
              <span>
                <span className="font-medium">{c.name}</span> · {c.email}
                {c.role && ` · ${c.role}`}
                {c.is_primary && <span className="ml-2 rounded bg-sky-50 px-1.5 py-0.5 text-xs font-semibold text-sky-900">Primary</span>}
              </span>
              {canManage && (
                <span className="flex gap-2">
                  {!c.is_primary && (
                    <button type="button" className={secondaryButton} disabled={pending} onClick={() => void run(() => updateContact(vendorId, c.id, { is_primary: true }))}>
                      Make {c.name} primary
                    </button>
                  )}
                  <button type="button" className={dangerButton} disabled={pending} onClick={() => void run(() => deleteContact(vendorId, c.id))}>
                    Remove {c.name}
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {problem && <ProblemAlert error={problem} />}
      {canManage && (
        <form aria-label="Add contact" onSubmit={add} className="grid gap-3 border-t border-slate-100 pt-4 sm:grid-cols-4">
          <TextField label="Contact name" value={name} onChange={setName} required maxLength={200} />
          <TextField label="Contact e-mail" type="email" value={email} onChange={setEmail} required maxLength={254} />
          <TextField label="Contact role" value={role} onChange={setRole} maxLength={120} />
          <label className="flex items-center gap-2 self-end text-sm text-slate-700">
            <input type="checkbox" checked={primary} onChange={(e) => setPrimary(e.target.checked)} />
            Primary contact
          </label>
          <div className="sm:col-span-4">
            <button type="submit" className={primaryButton} disabled={pending}>
              Add contact
            </button>
          </div>
        </form>
      )}
    </Section>
  )
}

function RisksSection({ profile, canManage, onChange }: { profile: VendorProfile; canManage: boolean; onChange: () => Promise<void> }) {
  const vendorId = profile.vendor.id
  const linked = profile.risks.map((r) => r.risk_id)
  const [choice, setChoice] = useState('')
  const [problem, setProblem] = useState<ProblemError | null>(null)
  const [pending, setPending] = useState(false)
  const risks = useQuery({
    queryKey: ['model-risks-picker'],
    queryFn: ({ signal }) => listAllEntities('risks', signal),
    enabled: canManage,
  })
  const candidates = (risks.data ?? []).filter((r) => !linked.includes(r.id))

  async function save(ids: string[]) {
    setProblem(null)
    setPending(true)
    try {
      await setVendorRisks(vendorId, ids)
      setChoice('')
      await onChange()
    } catch (error) {
      setProblem(asProblem(error))
    } finally {
      setPending(false)
    }
  }

  return (
    <Section title="Linked risks" description="Risks this vendor bears on, with their computed severity and any acceptance in force.">
      {profile.risks.length === 0 ? (
        <p className="text-sm text-slate-600">No risk is linked.</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {profile.risks.map((r) => (
            <li key={r.risk_id} className="flex flex-wrap items-center gap-2 py-2 text-sm" data-testid="vendor-risk">
              <Link to={`/risks/${encodeURIComponent(r.risk_id)}`} className={linkClass}>
                {r.title}
              </Link>
              <SeverityBadge severity={severityOf(r.severity)} />
              <span className="tabular-nums text-slate-600">{r.score === null ? 'no score yet' : `score ${r.score}`}</span>
              <AcceptedBadge until={r.accepted_until} />
              {canManage && (
                <button
                  type="button"
                  className={`${secondaryButton} ml-auto`}
                  disabled={pending}
                  onClick={() => void save(linked.filter((id) => id !== r.risk_id))}
                >
                  Unlink {r.title}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {problem && <ProblemAlert error={problem} />}
      {canManage && (
        <form
          aria-label="Link a risk"
          className="flex flex-wrap items-end gap-3 border-t border-slate-100 pt-4"
          onSubmit={(e) => {
            e.preventDefault()
            if (choice) void save([...linked, choice])
          }}
        >
          <div className="min-w-64 space-y-1.5">
            <label htmlFor="vendor-risk-picker" className="block text-sm font-medium text-slate-700">
              Risk to link
            </label>
            <select id="vendor-risk-picker" value={choice} onChange={(e) => setChoice(e.target.value)} className={inputClass}>
              <option value="">Choose a risk…</option>
              {candidates.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.title}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className={primaryButton} disabled={pending || !choice}>
            Link risk
          </button>
        </form>
      )}
    </Section>
  )
}

function FindingsSection({ vendorId, canManage, onChange }: { vendorId: string; canManage: boolean; onChange: () => Promise<void> }) {
  const queryClient = useQueryClient()
  const key = [...vendorKey(vendorId), 'findings']
  const findings = useQuery({ queryKey: key, queryFn: ({ signal }) => listVendorFindings(vendorId, signal) })
  const [deciding, setDeciding] = useState<{ finding: Finding; decision: FindingDecision } | null>(null)
  return (
    <Section title="Findings" description="What assessments and integration drift found. Resolve or accept each with a reason.">
      {findings.error ? (
        <ProblemAlert error={asProblem(findings.error)} />
      ) : !findings.data ? (
        <p role="status">Loading…</p>
      ) : findings.data.length === 0 ? (
        <p className="text-sm text-slate-600">No findings.</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {findings.data.map((f) => (
            <li key={f.id} className="space-y-1 py-2 text-sm" data-testid="vendor-finding">
              <div className="flex flex-wrap items-center gap-2">
                <SeverityBadge severity={severityOf(f.severity)} />
                <span className="font-medium">{f.title}</span>
                <span className="text-slate-600">
                  {f.source === 'drift' ? 'Integration drift' : 'Assessment'} · {f.status}
                </span>
                {canManage && f.status === 'open' && (
                  <span className="ml-auto flex gap-2">
                    <button type="button" className={secondaryButton} onClick={() => setDeciding({ finding: f, decision: 'resolve' })}>
                      Resolve
                    </button>
                    <button type="button" className={secondaryButton} onClick={() => setDeciding({ finding: f, decision: 'accept' })}>
                      Accept
                    </button>
                  </span>
                )}
              </div>
              {f.detail && <p className="text-slate-700">{f.detail}</p>}
              {f.resolution && (
                <p className="text-xs text-slate-600">
                  {f.status === 'accepted' ? 'Accepted' : 'Resolved'} by {f.resolved_by_name ?? 'a former user'}: {f.resolution}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
      {deciding && (
        <ReasonDialog
          finding={deciding.finding}
          decision={deciding.decision}
          onCancel={() => setDeciding(null)}
          onDone={async () => {
            setDeciding(null)
            await queryClient.invalidateQueries({ queryKey: key })
            await onChange()
          }}
        />
      )}
    </Section>
  )
}

function ReasonDialog({
  finding,
  decision,
  onCancel,
  onDone,
}: {
  finding: Finding
  decision: FindingDecision
  onCancel: () => void
  onDone: () => Promise<void>
}) {
  const [reason, setReason] = useState('')
  const [problem, setProblem] = useState<ProblemError | null>(null)
  const [pending, setPending] = useState(false)
  const verb = decision === 'resolve' ? 'Resolve' : 'Accept'
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    setProblem(null)
    setPending(true)
    try {
      await decideFinding(finding.id, decision, reason.trim())
      await onDone()
    } catch (error) {
      setProblem(asProblem(error))
      setPending(false)
    }
  }
  return (
    <div role="dialog" aria-modal="true" aria-labelledby="finding-decision-title" className="fixed inset-0 z-50 flex items-center justify-center bg-slate-900/40 px-4" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <form onSubmit={submit} className="w-full max-w-md space-y-4 rounded-xl bg-white p-6 shadow-lg">
        <h2 id="finding-decision-title" className="text-base font-semibold text-slate-900">
          {verb} “{finding.title}”
        </h2>
        <div className="space-y-1.5">
          <label htmlFor="finding-reason" className="block text-sm font-medium text-slate-700">
            Reason
          </label>
          <textarea
            id="finding-reason"
            required
            minLength={3}
            maxLength={2000}
            rows={3}
            autoFocus
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            className={inputClass}
          />
        </div>
        {problem && <ProblemAlert error={problem} />}
        <div className="flex justify-end gap-2">
          <button type="button" className={secondaryButton} onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className={primaryButton} disabled={pending || reason.trim().length < 3}>
            {verb} finding
          </button>
        </div>
      </form>
    </div>
  )
}
