import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { CopyButton } from '../components/CopyButton'
import { DataTable, useRowAction } from '../components/DataTable'
import { dangerButton, primaryButton, secondaryButton, TextField } from '../components/form'
import { formatDate, Page, Section } from '../components/Page'
import { asProblem, ProblemAlert } from '../components/ProblemAlert'
import { QueryResult } from '../components/QueryResult'
import { WebhookDeliveries } from '../components/WebhookDeliveries'
import { getPreferences, notificationKeys } from '../notifications'
import {
  createEndpoint,
  deleteEndpoint,
  eventsText,
  listEndpoints,
  rotateSecret,
  sendTestEvent,
  toggled,
  updateEndpoint,
  webhookKeys,
  type Endpoint,
  type EndpointWithSecret,
} from '../webhooks'

function SecretReveal({ created, onDone }: { created: EndpointWithSecret; onDone: () => void }) {
  return (
    <div data-testid="secret-reveal" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950">
      <p className="font-medium">The signing secret of {created.url}. It is shown this once: store it now.</p>
      <code data-testid="secret-value" className="block break-all">
        {created.secret}
      </code>
      <div className="flex items-center gap-3">
        <CopyButton text={created.secret} label="Copy secret" />
        <button type="button" className={secondaryButton} onClick={onDone}>
          I have stored it
        </button>
      </div>
    </div>
  )
}

function NewEndpointForm({ onCreated }: { onCreated: (e: EndpointWithSecret) => void }) {
  const [url, setUrl] = useState('')
  const [description, setDescription] = useState('')
  const [events, setEvents] = useState<string[]>([])
  const catalogue = useQuery({ queryKey: notificationKeys.preferences, queryFn: ({ signal }) => getPreferences(signal) })
  const create = useMutation({
    mutationFn: createEndpoint,
    onSuccess: (created) => {
      setUrl('')
      setDescription('')
      setEvents([])
      onCreated(created)
    },
  })
  function onSubmit(event: FormEvent) {
    event.preventDefault()
    create.mutate({ url: url.trim(), description: description.trim(), events, enabled: true })
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label="New webhook endpoint">
      <TextField label="URL" value={url} onChange={setUrl} required placeholder="https://hooks.example.com/draxis" />
      <TextField label="Description" value={description} onChange={setDescription} />
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">Events (none checked: all events)</legend>
        <ul className="mt-2 grid gap-1 sm:grid-cols-2">
          {(catalogue.data?.events ?? []).map((e) => (
            <li key={e.event}>
              <label className="flex items-center gap-2 text-sm text-slate-700">
                <input
                  type="checkbox"
                  checked={events.includes(e.event)}
                  onChange={(ev) =>
                    setEvents((prev) => (ev.target.checked ? [...prev, e.event] : prev.filter((x) => x !== e.event)))
                  }
                />
                <code>{e.event}</code>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      {create.error && <ProblemAlert error={asProblem(create.error)} />}
      <button type="submit" className={primaryButton} disabled={create.isPending}>
        Add endpoint
      </button>
    </form>
  )
}

/** `/tenant/webhooks`: endpoints that receive every notification signed per Standard Webhooks. */
export function WebhooksPage() {
  const queryClient = useQueryClient()
  const endpoints = useQuery({ queryKey: webhookKeys.list, queryFn: ({ signal }) => listEndpoints(signal) })
  const [secret, setSecret] = useState<EndpointWithSecret | null>(null)
  const [shown, setShown] = useState<string | null>(null)
  const { busy, error, run } = useRowAction()
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['webhooks'] })
  const act = (e: Endpoint, action: () => Promise<unknown>) =>
    void run(e, async () => {
      await action()
      await refresh()
    })
  return (
    <Page title="Webhooks">
      <Section
        title="Endpoints"
        description="Each endpoint receives the tenant's notifications as signed JSON (Standard Webhooks), retried with backoff."
      >
        {secret && <SecretReveal created={secret} onDone={() => setSecret(null)} />}
        <QueryResult query={endpoints} loading="Loading endpoints…">
          {(rows) => (
            <DataTable
              rows={rows}
              rowTestId="webhook-endpoint"
              empty="No endpoints yet."
              above={error && <ProblemAlert error={error} />}
              columns={[
                { header: 'URL', className: 'font-medium break-all', cell: (e) => e.url },
                { header: 'Events', className: 'text-slate-600', cell: (e) => eventsText(e.events) },
                { header: 'Enabled', cell: (e) => (e.enabled ? 'Yes' : 'No') },
                { header: 'Secret rotated', className: 'text-slate-600', cell: (e) => formatDate(e.secret_rotated_at) },
                {
                  header: 'Actions',
                  hideHeader: true,
                  className: 'whitespace-nowrap text-right space-x-2',
                  cell: (e) => (
                    <>
                      <button type="button" className={secondaryButton} onClick={() => setShown(shown === e.id ? null : e.id)}>
                        {shown === e.id ? 'Hide log' : 'Delivery log'}
                      </button>
                      <button type="button" className={secondaryButton} disabled={busy === e.id} onClick={() => act(e, () => sendTestEvent(e.id))}>
                        Send test event
                      </button>
                      <button type="button" className={secondaryButton} disabled={busy === e.id} onClick={() => act(e, () => updateEndpoint(e.id, toggled(e)))}>
                        {e.enabled ? 'Disable' : 'Enable'}
                      </button>
                      <button
                        type="button"
                        className={secondaryButton}
                        disabled={busy === e.id}
                        onClick={() => act(e, async () => setSecret(await rotateSecret(e.id)))}
                      >
                        Rotate secret
                      </button>
                      <button type="button" className={dangerButton} disabled={busy === e.id} onClick={() => act(e, () => deleteEndpoint(e.id))}>
                        Delete
                      </button>
                    </>
                  ),
                },
              ]}
            />
          )}
        </QueryResult>
      </Section>
      {shown && (
        <Section title="Delivery log" description="Each delivery to the endpoint, its attempts and the next one.">
          <WebhookDeliveries endpointId={shown} />
        </Section>
      )}
      <Section title="Add an endpoint" description="An https URL; the signing secret is shown once, after adding.">
        <NewEndpointForm
          onCreated={(created) => {
            setSecret(created)
            void refresh()
          }}
        />
      </Section>
    </Page>
  )
}
