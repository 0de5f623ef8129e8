// Tenant admins' webhook endpoints (`/api/tenant/webhooks`): the signing secret comes back only
// from create and rotate; test events and redeliveries are queued and sent by the pipeline.
import type { Schema } from './api/client'
import { authedRequest } from './session'

export type Endpoint = Schema<'EndpointOut'>
export type EndpointWithSecret = Schema<'EndpointWithSecret'>
export type EndpointIn = Schema<'EndpointIn'>
export type Delivery = Schema<'DeliveryOut'>

const BASE = '/api/tenant/webhooks'
const enc = encodeURIComponent

export const webhookKeys = {
  list: ['webhooks'] as const,
  deliveries: (id: string) => ['webhooks', id, 'deliveries'] as const,
}

export function listEndpoints(signal?: AbortSignal): Promise<Endpoint[]> {
  return authedRequest<Endpoint[]>(BASE, { signal })
}

export function createEndpoint(body: EndpointIn): Promise<EndpointWithSecret> {
  return authedRequest<EndpointWithSecret>(BASE, { method: 'POST', body })
}

export function updateEndpoint(id: string, body: EndpointIn): Promise<Endpoint> {
  return authedRequest<Endpoint>(`${BASE}/${enc(id)}`, { method: 'PUT', body })
}

export function deleteEndpoint(id: string): Promise<void> {
  return authedRequest<void>(`${BASE}/${enc(id)}`, { method: 'DELETE' })
}

export function rotateSecret(id: string): Promise<EndpointWithSecret> {
  return authedRequest<EndpointWithSecret>(`${BASE}/${enc(id)}/rotate-secret`, { method: 'POST' })
}

export function sendTestEvent(id: string): Promise<Delivery> {
  return authedRequest<Delivery>(`${BASE}/${enc(id)}/test`, { method: 'POST' })
}

export function listDeliveries(id: string, signal?: AbortSignal): Promise<Delivery[]> {
  return authedRequest<Delivery[]>(`${BASE}/${enc(id)}/deliveries`, { signal })
}

export function redeliver(id: string, deliveryId: string): Promise<Delivery> {
  return authedRequest<Delivery>(`${BASE}/${enc(id)}/deliveries/${enc(deliveryId)}/redeliver`, { method: 'POST' })
}

/** The endpoint's body for a PUT that changes only `enabled`. */
export function toggled(e: Endpoint): EndpointIn {
  return { url: e.url, description: e.description, events: e.events, enabled: !e.enabled }
}

/** "All events" or the filter's names. */
export function eventsText(events: readonly string[]): string {
  return events.length === 0 ? 'All events' : events.join(', ')
}
