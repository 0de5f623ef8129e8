import { useState, type ReactNode } from 'react'
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query'
import { Link } from 'react-router'
import { EntityForm } from '../components/EntityForm'
import { KriStateLine } from '../components/KriStateLine'
import { KriChart } from '../components/KriChart'
import { linkClass, SelectField } from '../components/form'
import { LinksEditor } from '../components/LinksEditor'
import { LoadingPanel } from '../components/LoadingScreen'
import { formatDateTime, Page, Section } from '../components/Page'
import { asProblem, ProblemAlert } from '../components/ProblemAlert'
import { QueryResult } from '../components/QueryResult'
import { getEntity, getKriLinks, getKriObservations, listAllEntities, putKriLinks, updateEntity } from '../endpoints'
import { PERMISSION } from '../identity'
import { getSource } from '../integrationsApi'
import { directionText, formatValue } from '../kri'
import { usePermissions } from '../me'
import { KRI_FIELDS, ownershipFields, SPECS } from '../modelSpecs'
import type { Bucket, ModelKri } from '../riskModel'
import type { Session } from '../session'
import { modelKey } from './ModelPage'

const BUCKETS: readonly { value: Bucket; label: string }[] = [
  { value: 'day', label: 'Daily' },
  { value: 'week', label: 'Weekly' },
  { value: 'raw', label: 'Raw observations' },
]

const RANGES = [
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
  { value: '365', label: 'Last year' },
] as const
type Range = (typeof RANGES)[number]['value']

const EDIT_FIELDS = [KRI_FIELDS.name, KRI_FIELDS.unit, KRI_FIELDS.direction, KRI_FIELDS.warn, KRI_FIELDS.critical, ...ownershipFields]

/** The source a KRI is wired to, by name and linked; "Manual" when it has none. */
export function SourceName({ sourceId }: { sourceId: string | null }) {
  const source = useQuery({
    queryKey: ['source', sourceId],
    queryFn: ({ signal }) => getSource(sourceId ?? '', signal),
    enabled: sourceId !== null,
    staleTime: 60_000,
  })
  if (sourceId === null) return <>Manual</>
  if (source.isError) return <>A source you cannot see</>
  return (
    <Link to={`/integrations/${encodeURIComponent(sourceId)}`} className={linkClass}>
      {source.data?.name ?? 'Loading…'}
    </Link>
  )
}

function Details({ kri }: { kri: ModelKri }) {
  const rows: [string, ReactNode, string][] = [
    ['Slug', kri.slug, 'kri-slug'],
    ['Unit', kri.unit || '—', 'kri-unit'],
    ['Direction', directionText(kri.direction), 'kri-direction'],
    ['Warn', formatValue(kri.warn, kri.unit), 'kri-warn'],
    ['Critical', formatValue(kri.critical, kri.unit), 'kri-critical'],
    ['Category', kri.category || '—', 'kri-category'],
    ['Owner', kri.owner_name ?? (kri.owner || '—'), 'kri-owner'],
    ['Due', kri.due_date ?? '—', 'kri-due'],
    ['Review', kri.review_date ?? '—', 'kri-review'],
    ['Source', <SourceName sourceId={kri.source_id} />, 'kri-source'],
    ['Updated', formatDateTime(kri.updated_at), 'kri-updated'],
  ]
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr_auto_1fr]">
      {rows.map(([label, value, testId]) => (
        <div key={label} className="contents">
          <dt className="font-medium text-slate-700">{label}</dt>
          <dd className="tabular-nums text-slate-900" data-testid={testId}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  )
}

function History({ kri, session }: { kri: ModelKri; session: Session }) {
  const [bucket, setBucket] = useState<Bucket>('day')
  const [range, setRange] = useState<Range>('90')
  const history = useQuery({
    queryKey: [...modelKey(session), 'history', kri.id, bucket, range],
    queryFn: ({ signal }) => {
      const to = new Date()
      const from = new Date(to.getTime() - Number(range) * 86_400_000)
      return getKriObservations(kri.id, { from: from.toISOString(), to: to.toISOString(), bucket }, signal)
    },
    placeholderData: keepPreviousData,
  })
  return (
    <Section title="History" description="Dashed lines mark the warn and critical thresholds.">
      <div className="flex flex-wrap items-end gap-3">
        <SelectField label="Bucket" value={bucket} options={BUCKETS} onChange={setBucket} className="w-48" />
        <SelectField label="Range" value={range} options={RANGES} onChange={setRange} className="w-48" />
        {history.isFetching && !history.isPending && <span className="text-sm text-slate-500">Refreshing…</span>}
      </div>
      <QueryResult query={history} loading="Loading history…">
        {(h) => (
          <KriChart
            name={kri.name}
            points={h.points}
            // The KRI's current thresholds (they may have just been edited).
            warn={kri.warn}
            critical={kri.critical}
            direction={kri.direction}
            unit={kri.unit}
            start={h.start}
            end={h.end}
          />
        )}
      </QueryResult>
    </Section>
  )
}

function KriLinksSection({ kri, session, canWrite }: { kri: ModelKri; session: Session; canWrite: boolean }) {
  const queryClient = useQueryClient()
  const links = useQuery({
    queryKey: [...modelKey(session), 'links', 'kris', kri.id],
    queryFn: ({ signal }) => getKriLinks(kri.id, signal),
  })
  const risks = useQuery({
    queryKey: [...modelKey(session), 'risks', 'all'],
    queryFn: ({ signal }) => listAllEntities('risks', signal),
  })
  const outcomes = useQuery({
    queryKey: [...modelKey(session), 'outcomes', 'all'],
    queryFn: ({ signal }) => listAllEntities('outcomes', signal),
  })
  const failed = links.error ?? risks.error ?? outcomes.error
  return (
    <Section title="Linked risks and outcomes">
      {failed ? (
        <ProblemAlert error={asProblem(failed)} />
      ) : !links.data || !risks.data || !outcomes.data ? (
        <LoadingPanel label="Loading links…" />
      ) : (
        <LinksEditor
          key={JSON.stringify(links.data)}
          canEdit={canWrite}
          groups={[
            {
              key: 'risk_ids',
              legend: 'Risks',
              options: risks.data.map((r) => ({ id: r.id, label: r.title, href: `/risks/${encodeURIComponent(r.id)}` })),
              selected: links.data.risk_ids,
            },
            {
              key: 'outcome_ids',
              legend: 'Outcomes',
              options: outcomes.data.map((o) => ({ id: o.id, label: o.name })),
              selected: links.data.outcome_ids,
            },
          ]}
          onSave={async (body) => {
            const saved = await putKriLinks(kri.id, body)
            queryClient.setQueryData([...modelKey(session), 'links', 'kris', kri.id], saved)
            await queryClient.invalidateQueries({ queryKey: modelKey(session) })
            await queryClient.invalidateQueries({ queryKey: ['dashboard'] })
          }}
        />
      )}
    </Section>
  )
}

/** `/kris/:id`: a KRI's definition, history chart, threshold editor and links. */
export function KriPage({ session, kriId }: { session: Session; kriId: string }) {
  const queryClient = useQueryClient()
  const permissions = usePermissions()
  const canWrite = permissions?.has(PERMISSION.riskModelWrite) ?? false
  const kriKey = [...modelKey(session), 'kris', kriId]
  const query = useQuery({ queryKey: kriKey, queryFn: ({ signal }) => getEntity('kris', kriId, signal) })

  return (
    <Page
      title={query.data?.name ?? 'Key risk indicator'}
      titleTestId="kri-name"
      eyebrow={
        <Link to="/model/kris" className={linkClass}>
          ← Risk model · KRIs
        </Link>
      }
    >
      <QueryResult query={query} loading="Loading KRI…">
        {(kri) => (
          <>
            <Section title="Definition" description={kri.description || undefined}>
              <KriStateLine kriId={kri.id} />
              <Details kri={kri} />
            </Section>
            <History kri={kri} session={session} />
            {canWrite && (
              <Section title="Edit KRI" description="Thresholds: when higher is worse, warn < critical; when lower is worse, warn > critical.">
                <EntityForm
                  key={kri.id}
                  spec={SPECS.kris}
                  fields={EDIT_FIELDS}
                  entity={kri}
                  label="Edit KRI"
                  submitLabel="Save KRI"
                  doneMessage="KRI saved."
                  onSubmit={async (body) => {
                    const updated = await updateEntity('kris', kri.id, body)
                    queryClient.setQueryData(kriKey, updated)
                    await queryClient.invalidateQueries({ queryKey: ['kri-state', kri.id] })
                    await queryClient.invalidateQueries({ queryKey: modelKey(session) })
                    await queryClient.invalidateQueries({ queryKey: ['dashboard'] })
                  }}
                />
              </Section>
            )}
            <KriLinksSection kri={kri} session={session} canWrite={canWrite} />
          </>
        )}
      </QueryResult>
    </Page>
  )
}
