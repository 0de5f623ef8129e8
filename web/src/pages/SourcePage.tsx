import { useState } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { Link, useNavigate } from 'react-router'
import type { ProblemError } from '../api'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { dangerButton, linkClass } from '../components/form'
import { ArtifactPanel } from '../components/integrations/ArtifactPanel'
import { ConnectorKris } from '../components/integrations/ConnectorKris'
import { ManualPanel } from '../components/integrations/ManualPanel'
import { PushPanel } from '../components/integrations/PushPanel'
import { RequestStatus } from '../components/integrations/RequestStatus'
import { RunHistory } from '../components/integrations/RunHistory'
import { SourceActions } from '../components/integrations/SourceActions'
import { SourceForm } from '../components/integrations/SourceForm'
import { WiredKris, WithWiredKris } from '../components/integrations/WiredKris'
import { healthText, lastRunText, nextRunText } from '../components/integrations/SourcesTable'
import { Page, Section } from '../components/Page'
import { asProblem, ProblemAlert } from '../components/ProblemAlert'
import { QueryResult } from '../components/QueryResult'
import { PERMISSION } from '../identity'
import {
  INTEGRATIONS_PERMISSION,
  integrationsKey,
  isFirstParty,
  scheduleLabel,
  SOURCE_TYPE_LABEL,
  type CatalogEntry,
  type RunRequest,
  type Source,
} from '../integrations'
import { deleteSource, getSource, listWiredKris, updateSource } from '../integrationsApi'
import { usePermissions } from '../me'
import type { Session } from '../session'
import { useCatalog } from './IntegrationsPage'
import { modelKey } from './ModelPage'

function Overview({ source, entry }: { source: Source; entry: CatalogEntry | undefined }) {
  const rows: [string, string, string][] = [
    ['Vendor', entry?.display_name ?? source.vendor_id, 'source-vendor'],
    ['Type', SOURCE_TYPE_LABEL[source.source_type] ?? source.source_type, 'source-type'],
    ['Schedule', scheduleLabel(source.schedule), 'source-schedule'],
    ['Enabled', source.enabled ? 'Enabled' : 'Disabled', 'source-enabled'],
    ['Last run', lastRunText(source), 'source-last-run'],
    ['Failures', healthText(source), 'source-failures'],
    ['Next run', nextRunText(source), 'source-next-run'],
    ['KRIs', String(source.kri_count), 'source-kri-count'],
    ['Credentials set', source.credentials_set.length > 0 ? source.credentials_set.join(', ') : 'None', 'source-credentials'],
  ]
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr_auto_1fr]">
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

function DeleteSource({ source, onDeleted }: { source: Source; onDeleted: () => Promise<void> }) {
  const [confirming, setConfirming] = useState(false)
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<ProblemError | null>(null)
  async function remove() {
    setPending(true)
    setError(null)
    try {
      await deleteSource(source.id)
      setConfirming(false)
      await onDeleted()
    } catch (err) {
      setConfirming(false)
      setError(asProblem(err))
    } finally {
      setPending(false)
    }
  }
  return (
    <div className="space-y-2 border-t border-slate-100 pt-4">
      <button type="button" onClick={() => setConfirming(true)} disabled={pending} className={dangerButton}>
        Delete source
      </button>
      {error && <ProblemAlert error={error} />}
      {confirming && (
        <ConfirmDialog title="Delete source?" confirmLabel="Delete" pending={pending} onConfirm={() => void remove()} onCancel={() => setConfirming(false)}>
          <p>
            Delete <strong>{source.name}</strong> and its run records? Its KRIs and their history stay.
          </p>
        </ConfirmDialog>
      )}
    </div>
  )
}

/** `/integrations/:sourceId`: one source's settings, Test, Run now / inbound panels, and runs. */
export function SourcePage({ session, sourceId }: { session: Session; sourceId: string }) {
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const permissions = usePermissions()
  const canManage = permissions?.has(INTEGRATIONS_PERMISSION.manage) ?? false
  const canReadModel = permissions?.has(PERMISSION.riskModelRead) ?? false
  const canWriteModel = permissions?.has(PERMISSION.riskModelWrite) ?? false
  const key = integrationsKey(session)
  const sourceKey = [...key, 'source', sourceId]
  const query = useQuery({ queryKey: sourceKey, queryFn: ({ signal }) => getSource(sourceId, signal) })
  const catalog = useCatalog(session)
  const entry = catalog.data?.find((c) => c.vendor_id === query.data?.vendor_id)
  // A first-party source accepts values only for the KRIs wired to it: this list is what the
  // panels offer, and what the server checks slugs against.
  const wiredKey = [...key, 'wired-kris', sourceId]
  const wired = useQuery({
    queryKey: wiredKey,
    queryFn: ({ signal }) => listWiredKris(sourceId, signal),
    enabled: query.data !== undefined && isFirstParty(query.data.source_type) && canReadModel,
  })
  const [active, setActive] = useState<{ id: string; initial?: RunRequest; done: boolean } | null>(null)

  function onFinished(request: RunRequest) {
    setActive((a) => (a && a.id === request.id ? { ...a, done: true } : a))
    void queryClient.invalidateQueries({ queryKey: [...key, 'runs', sourceId] })
    void queryClient.invalidateQueries({ queryKey: sourceKey })
    void queryClient.invalidateQueries({ queryKey: [...key, 'sources'] })
  }

  const follow = (id: string, initial?: RunRequest) => setActive({ id, initial, done: false })
  // Polling gave up: let Run now be pressed again (the server answers 409 while one is pending).
  const onGaveUp = () => setActive((a) => (a ? { ...a, done: true } : a))

  async function onWiringChanged() {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: wiredKey }),
      queryClient.invalidateQueries({ queryKey: [...key, 'kris-for-wiring'] }),
      queryClient.invalidateQueries({ queryKey: sourceKey }),
      queryClient.invalidateQueries({ queryKey: [...key, 'sources'] }),
      queryClient.invalidateQueries({ queryKey: modelKey(session) }),
    ])
  }

  return (
    <Page
      title={query.data?.name ?? 'Source'}
      titleTestId="source-name"
      eyebrow={
        <Link to="/integrations" className={linkClass}>
          ← Integrations
        </Link>
      }
    >
      <QueryResult query={query} loading="Loading source…">
        {(source) => {
          const firstParty = isFirstParty(source.source_type)
          return (
            <>
              <Section title="Overview">
                <Overview source={source} entry={entry} />
              </Section>

              {canManage && !firstParty && (
                <Section title="Test and run" description="Test checks the stored settings with one cheap call to the vendor.">
                  <SourceActions source={source} running={active !== null && !active.done} onRunRequested={(r) => follow(r.id, r)} />
                </Section>
              )}
              {firstParty && (
                <Section
                  title="KRIs fed by this source"
                  description="This source accepts values only for the KRIs wired to it; any other slug is refused."
                >
                  <WithWiredKris query={wired} source={source} canReadModel={canReadModel}>
                    {(kris) => (
                      <WiredKris source={source} kris={kris} queryKey={key} canWrite={canWriteModel} onChanged={onWiringChanged} />
                    )}
                  </WithWiredKris>
                </Section>
              )}
              {canManage && source.source_type === 'external_push' && (
                <Section title="Push token">
                  <WithWiredKris query={wired} source={source} canReadModel={canReadModel}>
                    {(kris) => <PushPanel source={source} kris={kris} />}
                  </WithWiredKris>
                </Section>
              )}
              {canManage && source.source_type === 'artifact' && (
                <Section title="Upload a file">
                  <WithWiredKris query={wired} source={source} canReadModel={canReadModel}>
                    {(kris) => <ArtifactPanel source={source} kris={kris} onAccepted={(a) => follow(a.request_id)} />}
                  </WithWiredKris>
                </Section>
              )}
              {canManage && source.source_type === 'manual' && (
                <Section title="Enter a value">
                  <WithWiredKris query={wired} source={source} canReadModel={canReadModel}>
                    {(kris) => <ManualPanel source={source} kris={kris} onAccepted={(a) => follow(a.request_id)} />}
                  </WithWiredKris>
                </Section>
              )}

              <div aria-live="polite">
                {active && (
                  <RequestStatus
                    key={active.id}
                    requestId={active.id}
                    initial={active.initial}
                    queryKey={key}
                    onFinished={onFinished}
                    onGaveUp={onGaveUp}
                  />
                )}
              </div>

              <Section title="Run history">
                <RunHistory sourceId={source.id} queryKey={key} />
              </Section>

              {canManage && (
                <Section title="Settings">
                  {entry ? (
                    <SourceForm
                      key={source.id}
                      entry={entry}
                      label="Edit source"
                      submitLabel="Save source"
                      mode={{
                        kind: 'edit',
                        source,
                        onSubmit: async (body) => {
                          const updated = await updateSource(source.id, body)
                          queryClient.setQueryData(sourceKey, updated)
                          await queryClient.invalidateQueries({ queryKey: [...key, 'sources'] })
                        },
                      }}
                    />
                  ) : catalog.isPending ? null : (
                    <p className="text-sm text-slate-600">This source's connector is not in the catalog; its settings cannot be edited.</p>
                  )}
                  {entry && entry.kris.length > 0 && (
                    <div className="space-y-2">
                      <h3 className="text-sm font-semibold text-slate-800">KRIs this connector produces</h3>
                      <ConnectorKris kris={entry.kris} />
                    </div>
                  )}
                  <DeleteSource
                    source={source}
                    onDeleted={async () => {
                      queryClient.removeQueries({ queryKey: sourceKey })
                      await queryClient.invalidateQueries({ queryKey: [...key, 'sources'] })
                      navigate('/integrations')
                    }}
                  />
                </Section>
              )}
            </>
          )
        }}
      </QueryResult>
    </Page>
  )
}
