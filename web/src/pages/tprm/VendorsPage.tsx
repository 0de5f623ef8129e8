import { useState, type FormEvent } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Link } from 'react-router'
import { Page, Section, formatDate } from '../../components/Page'
import { asProblem, ProblemAlert } from '../../components/ProblemAlert'
import { inputClass, linkClass, primaryButton, SelectField, TextField } from '../../components/form'
import { PERMISSION } from '../../identity'
import { usePermissions } from '../../me'
import type { ProblemError } from '../../api'
import {
  CRITICALITY_LABEL,
  DATA_ACCESS_LABEL,
  getPolicy,
  listVendorSummaries,
  POLICY_KEY,
  putPolicy,
  VENDORS_KEY,
  type Policy,
} from '../../vendors'

type TierFilter = '' | '1' | '2' | '3'
type DueFilter = '' | 'overdue' | 'not_overdue'

const TIER_OPTIONS = [
  { value: '' as TierFilter, label: 'All tiers' },
  { value: '1' as TierFilter, label: 'Tier 1' },
  { value: '2' as TierFilter, label: 'Tier 2' },
  { value: '3' as TierFilter, label: 'Tier 3' },
]
const DUE_OPTIONS = [
  { value: '' as DueFilter, label: 'Any' },
  { value: 'overdue' as DueFilter, label: 'Overdue' },
  { value: 'not_overdue' as DueFilter, label: 'Not overdue' },
]

/** `/vendors`: every vendor and where it stands against the reassessment policy. */
export function VendorsPage() {
  const [tier, setTier] = useState<TierFilter>('')
  const [due, setDue] = useState<DueFilter>('')
  const filters = {
    ...(tier ? { tier: Number(tier) } : {}),
    ...(due ? { overdue: due === 'overdue' } : {}),
  }
  const vendors = useQuery({
    queryKey: [...VENDORS_KEY, 'list', filters],
    queryFn: ({ signal }) => listVendorSummaries(filters, signal),
  })
  return (
    <Page title="Vendors">
      <Section title="Vendor list" description="Add and remove vendors in the risk model; open one for its profile.">
        <div className="flex flex-wrap gap-4">
          <SelectField label="Tier filter" value={tier} options={TIER_OPTIONS} onChange={setTier} />
          <SelectField label="Due filter" value={due} options={DUE_OPTIONS} onChange={setDue} />
        </div>
        {vendors.error ? (
          <ProblemAlert error={asProblem(vendors.error)} />
        ) : !vendors.data ? (
          <p role="status">Loading…</p>
        ) : vendors.data.length === 0 ? (
          <p className="text-sm text-slate-600">
            No vendor matches. Vendors are added in the{' '}
            <Link to="/model/vendors" className={linkClass}>
              risk model
            </Link>
            .
          </p>
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full text-left text-sm">
              <thead className="border-b border-slate-200 text-xs font-semibold text-slate-600 uppercase">
                <tr>
                  <th scope="col" className="py-2 pr-4">Name</th>
                  <th scope="col" className="py-2 pr-4">Tier</th>
                  <th scope="col" className="py-2 pr-4">Criticality</th>
                  <th scope="col" className="py-2 pr-4">Data access</th>
                  <th scope="col" className="py-2 pr-4">Owner</th>
                  <th scope="col" className="py-2 pr-4">Last score</th>
                  <th scope="col" className="py-2 pr-4">Next due</th>
                  <th scope="col" className="py-2 pr-4">Open findings</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {vendors.data.map((v) => (
                  <tr key={v.id} data-testid="vendor-row" data-overdue={v.overdue ? 'true' : 'false'}>
                    <td className="py-2 pr-4">
                      <Link to={`/vendors/${encodeURIComponent(v.id)}`} className={linkClass}>
                        {v.name}
                      </Link>
                    </td>
                    <td className="py-2 pr-4">Tier {v.tier}</td>
                    <td className="py-2 pr-4">{CRITICALITY_LABEL[v.criticality] ?? v.criticality}</td>
                    <td className="py-2 pr-4">{DATA_ACCESS_LABEL[v.data_access] ?? v.data_access}</td>
                    <td className="py-2 pr-4">{v.owner_name ?? '—'}</td>
                    <td className="py-2 pr-4 tabular-nums">
                      {v.last_score === null ? 'Not assessed' : `${v.last_score} (${v.last_rating ?? '—'})`}
                    </td>
                    <td className="py-2 pr-4 tabular-nums">
                      {v.overdue ? (
                        <span className="rounded bg-rose-50 px-1.5 py-0.5 font-semibold text-rose-800">
                          {formatDate(v.next_due)} · overdue
                        </span>
                      ) : (
                        formatDate(v.next_due)
                      )}
                    </td>
                    <td className="py-2 pr-4 tabular-nums">{v.open_findings}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <PolicySection />
    </Page>
  )
}

const POLICY_FIELDS = [
  { name: 'tier1_months', label: 'Tier 1 cadence (months)', min: 1, max: 60 },
  { name: 'tier2_months', label: 'Tier 2 cadence (months)', min: 1, max: 60 },
  { name: 'tier3_months', label: 'Tier 3 cadence (months)', min: 1, max: 60 },
  { name: 'reminder_days', label: 'Reminder lead time (days)', min: 1, max: 60 },
  { name: 'link_days', label: 'Vendor link valid for (days)', min: 1, max: 90 },
] as const

/** The tenant's reassessment policy: read by everyone, edited by tenant admins. */
function PolicySection() {
  const permissions = usePermissions()
  const canManage = permissions?.has(PERMISSION.tprmManage) ?? false
  const policy = useQuery({ queryKey: POLICY_KEY, queryFn: ({ signal }) => getPolicy(signal) })
  return (
    <Section title="Reassessment policy" description="How often each tier is reassessed; next due days follow at once.">
      {policy.error ? (
        <ProblemAlert error={asProblem(policy.error)} />
      ) : !policy.data ? (
        <p role="status">Loading…</p>
      ) : canManage ? (
        <PolicyForm key={policy.data.updated_at ?? 'defaults'} policy={policy.data} />
      ) : (
        <dl className="grid gap-2 text-sm sm:grid-cols-3">
          {POLICY_FIELDS.map((f) => (
            <div key={f.name}>
              <dt className="text-slate-600">{f.label}</dt>
              <dd className="font-medium tabular-nums">{policy.data[f.name]}</dd>
            </div>
          ))}
          <div className="sm:col-span-3">
            <dt className="text-slate-600">Requirements</dt>
            <dd className="whitespace-pre-wrap">{policy.data.requirements || '—'}</dd>
          </div>
        </dl>
      )}
    </Section>
  )
}

function PolicyForm({ policy }: { policy: Policy }) {
  const queryClient = useQueryClient()
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(POLICY_FIELDS.map((f) => [f.name, String(policy[f.name])])),
  )
  const [requirements, setRequirements] = useState(policy.requirements)
  const [problem, setProblem] = useState<ProblemError | null>(null)
  const [saved, setSaved] = useState(false)
  const [pending, setPending] = useState(false)

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    setProblem(null)
    setSaved(false)
    setPending(true)
    try {
      const stored = await putPolicy({
        tier1_months: Number(values.tier1_months),
        tier2_months: Number(values.tier2_months),
        tier3_months: Number(values.tier3_months),
        reminder_days: Number(values.reminder_days),
        link_days: Number(values.link_days),
        requirements,
      })
      queryClient.setQueryData(POLICY_KEY, stored)
      await queryClient.invalidateQueries({ queryKey: VENDORS_KEY })
      setSaved(true)
    } catch (error) {
      setProblem(asProblem(error))
    } finally {
      setPending(false)
    }
  }

  return (
    <form aria-label="Reassessment policy" onSubmit={submit} className="space-y-4">
      <div className="grid gap-4 sm:grid-cols-3">
        {POLICY_FIELDS.map((f) => (
          <TextField
            key={f.name}
            label={f.label}
            type="number"
            min={f.min}
            max={f.max}
            required
            value={values[f.name] ?? ''}
            onChange={(v) => setValues((old) => ({ ...old, [f.name]: v }))}
          />
        ))}
      </div>
      <div className="space-y-1.5">
        <label htmlFor="tprm-requirements" className="block text-sm font-medium text-slate-700">
          Requirements
        </label>
        <textarea
          id="tprm-requirements"
          value={requirements}
          maxLength={8000}
          rows={4}
          onChange={(e) => setRequirements(e.target.value)}
          className={inputClass}
        />
      </div>
      {problem && <ProblemAlert error={problem} />}
      {saved && (
        <p role="status" className="text-sm text-emerald-800">
          Policy saved.
        </p>
      )}
      <button type="submit" className={primaryButton} disabled={pending}>
        {pending ? 'Saving…' : 'Save policy'}
      </button>
    </form>
  )
}
