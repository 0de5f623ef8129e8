// Tenant admins' webhook endpoints (`/api/tenant/webhooks`): the signing secret comes back only
// from create and rotate; test events and redeliveries are queued and sent by the pipeline.
import { answer, api, done, type Schema } from './api/client'

export type Endpoint = Schema<'EndpointOut'>
export type EndpointWithSecret = Schema<'EndpointWithSecret'>
export type EndpointIn = Schema<'EndpointIn'>
export type Delivery = Schema<'DeliveryOut'>

export const webhookKeys = {
  list: ['webhooks'] as const,
  deliveries: (id: string) => ['webhooks', id, 'deliveries'] as const,
}

const endpoint = (id: string) => ({ params: { path: { endpoint_id: id } } })

export async function listEndpoints(signal?: AbortSignal): Promise<Endpoint[]> {
  return answer(await api.GET('/api/tenant/webhooks', { signal }))
}

export async function createEndpoint(body: EndpointIn): Promise<EndpointWithSecret> {
  return answer(await api.POST('/api/tenant/webhooks', { body }))
}

export async function updateEndpoint(id: string, body: EndpointIn): Promise<Endpoint> {
  return answer(await api.PUT('/api/tenant/webhooks/{endpoint_id}', { ...endpoint(id), body }))
}

export function deleteEndpoint(id: string): Promise<void> {
  return done(api.DELETE('/api/tenant/webhooks/{endpoint_id}', endpoint(id)))
}

export async function rotateSecret(id: string): Promise<EndpointWithSecret> {
  return answer(await api.POST('/api/tenant/webhooks/{endpoint_id}/rotate-secret', endpoint(id)))
}

export async function sendTestEvent(id: string): Promise<Delivery> {
  return answer(await api.POST('/api/tenant/webhooks/{endpoint_id}/test', endpoint(id)))
}

export async function listDeliveries(id: string, signal?: AbortSignal): Promise<Delivery[]> {
  return answer(await api.GET('/api/tenant/webhooks/{endpoint_id}/deliveries', { ...endpoint(id), signal }))
}

export async function redeliver(id: string, deliveryId: string): Promise<Delivery> {
  return answer(
    await api.POST('/api/tenant/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver', {
      params: { path: { endpoint_id: id, delivery_id: deliveryId } },
    }),
  )
}

/** The endpoint's body for a PUT that changes only `enabled`. */
export function toggled(e: Endpoint): EndpointIn {
  return { url: e.url, description: e.description, events: e.events, enabled: !e.enabled }
}

/** "All events" or the filter's names. */
export function eventsText(events: readonly string[]): string {
  return events.length === 0 ? 'All events' : events.join(', ')
}
