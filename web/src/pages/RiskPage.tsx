import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Link } from 'react-router'
import { EntityForm } from '../components/EntityForm'
import { linkClass } from '../components/form'
import { LinksEditor } from '../components/LinksEditor'
import { LoadingPanel } from '../components/LoadingScreen'
import { formatDateTime, Page, Section } from '../components/Page'
import { asProblem, ProblemAlert } from '../components/ProblemAlert'
import { QueryResult } from '../components/QueryResult'
import { RiskAcceptanceSection } from '../components/RiskAcceptance'
import { RiskExplanation } from '../components/RiskExplanation'
import { getEntity, getRiskLinks, listAllEntities, putRiskLinks, updateEntity } from '../endpoints'
import { PERMISSION } from '../identity'
import { usePermissions } from '../me'
import { RISK_STATUSES, SPECS } from '../modelSpecs'
import type { Risk } from '../riskModel'
import type { Session } from '../session'
import { modelKey } from './ModelPage'

function Details({ risk }: { risk: Risk }) {
  const rows: [string, string, string][] = [
    ['Slug', risk.slug, 'risk-slug'],
    ['Status', RISK_STATUSES.find((s) => s.value === risk.status)?.label ?? risk.status, 'risk-status'],
    ['Category', risk.category || '—', 'risk-category'],
    ['Owner', risk.owner_name ?? (risk.owner || '—'), 'risk-owner'],
    ['Due', risk.due_date ?? '—', 'risk-due'],
    ['Review', risk.review_date ?? '—', 'risk-review'],
    ['Updated', formatDateTime(risk.updated_at), 'risk-updated'],
  ]
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
      {rows.map(([label, value, testId]) => (
        <div key={label} className="contents">
          <dt className="font-medium text-slate-700">{label}</dt>
          <dd className="text-slate-900" data-testid={testId}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  )
}

function RiskLinksSection({ risk, session, canWrite }: { risk: Risk; session: Session; canWrite: boolean }) {
  const queryClient = useQueryClient()
  const linksKey = [...modelKey(session), 'links', 'risks', risk.id]
  const links = useQuery({ queryKey: linksKey, queryFn: ({ signal }) => getRiskLinks(risk.id, signal) })
  const kris = useQuery({ queryKey: [...modelKey(session), 'kris', 'all'], queryFn: ({ signal }) => listAllEntities('kris', signal) })
  const controls = useQuery({
    queryKey: [...modelKey(session), 'controls', 'all'],
    queryFn: ({ signal }) => listAllEntities('controls', signal),
  })
  const outcomes = useQuery({
    queryKey: [...modelKey(session), 'outcomes', 'all'],
    queryFn: ({ signal }) => listAllEntities('outcomes', signal),
  })
  const failed = links.error ?? kris.error ?? controls.error ?? outcomes.error
  return (
    <Section title="Links" description="The KRIs that indicate this risk, the controls that mitigate it, and the outcomes it leads to.">
      {failed ? (
        <ProblemAlert error={asProblem(failed)} />
      ) : !links.data || !kris.data || !controls.data || !outcomes.data ? (
        <LoadingPanel label="Loading links…" />
      ) : (
        <LinksEditor
          key={JSON.stringify(links.data)}
          canEdit={canWrite}
          groups={[
            {
              key: 'kri_ids',
              legend: 'KRIs',
              options: kris.data.map((k) => ({ id: k.id, label: k.name, href: `/kris/${encodeURIComponent(k.id)}` })),
              selected: links.data.kri_ids,
            },
            {
              key: 'control_ids',
              legend: 'Controls',
              options: controls.data.map((c) => ({ id: c.id, label: c.name })),
              selected: links.data.control_ids,
            },
            {
              key: 'outcome_ids',
              legend: 'Outcomes',
              options: outcomes.data.map((o) => ({ id: o.id, label: o.name })),
              selected: links.data.outcome_ids,
            },
          ]}
          onSave={async (body) => {
            const saved = await putRiskLinks(risk.id, body)
            queryClient.setQueryData(linksKey, saved)
            await queryClient.invalidateQueries({ queryKey: modelKey(session) })
            await queryClient.invalidateQueries({ queryKey: ['dashboard'] })
          }}
        />
      )}
    </Section>
  )
}

/** `/risks/:id`: a risk's fields (editable by writers) and its links. */
export function RiskPage({ session, riskId }: { session: Session; riskId: string }) {
  const queryClient = useQueryClient()
  const permissions = usePermissions()
  const canWrite = permissions?.has(PERMISSION.riskModelWrite) ?? false
  const riskKey = [...modelKey(session), 'risks', riskId]
  const query = useQuery({ queryKey: riskKey, queryFn: ({ signal }) => getEntity('risks', riskId, signal) })

  return (
    <Page
      title={query.data?.title ?? 'Risk'}
      titleTestId="risk-title"
      eyebrow={
        <Link to="/model/risks" className={linkClass}>
          ← Risk model · Risks
        </Link>
      }
    >
      <QueryResult query={query} loading="Loading risk…">
        {(risk) => (
          <>
            <RiskExplanation riskId={risk.id} />
            <RiskAcceptanceSection riskId={risk.id} />
            <Section title="Details" description={risk.description || undefined}>
              <Details risk={risk} />
            </Section>
            {canWrite && (
              <Section title="Edit risk">
                <EntityForm
                  key={risk.id}
                  spec={SPECS.risks}
                  entity={risk}
                  label="Edit risk"
                  submitLabel="Save risk"
                  doneMessage="Risk saved."
                  onSubmit={async (body) => {
                    const updated = await updateEntity('risks', risk.id, body)
                    queryClient.setQueryData(riskKey, updated)
                    await queryClient.invalidateQueries({ queryKey: modelKey(session) })
                    await queryClient.invalidateQueries({ queryKey: ['dashboard'] })
                  }}
                />
              </Section>
            )}
            <RiskLinksSection risk={risk} session={session} canWrite={canWrite} />
          </>
        )}
      </QueryResult>
    </Page>
  )
}
