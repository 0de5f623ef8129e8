import type { UserSummary } from '../identity'
import type { CatalogEntry, RunRequest, Source, SourceRun } from '../integrations'
import type { ModelKri } from '../riskModel'
import { jsonResponse, me, tenantAdmin } from './fixtures'
import type { Call } from './mockApi'

export const tenantUser: UserSummary = { ...tenantAdmin, id: 'u-2', email: 'bob@acme.test', role: 'tenant_user' }

/** `/api/me` with the integrations permissions of the role (the base fixture predates them). */
export function integrationsMe(user: UserSummary = tenantAdmin) {
  const base = me(user)
  const extra = user.role === 'tenant_admin' ? ['integrations:read', 'integrations:manage'] : ['integrations:read']
  return { ...base, permissions: [...base.permissions, ...extra] }
}

export const okta: CatalogEntry = {
  vendor_id: 'okta',
  display_name: 'Okta',
  source_type: 'vendor_api',
  auth_type: 'api_token',
  base_url: null,
  config_fields: [
    { name: 'org_url', label: 'Org URL', kind: 'url', required: true, secret: false, help: 'Your Okta org, e.g. https://acme.okta.com.', default: null, choices: [] },
    { name: 'api_token', label: 'API token', kind: 'secret', required: true, secret: true, help: 'A read-only admin token.', default: null, choices: [] },
    { name: 'region', label: 'Region', kind: 'choice', required: true, secret: false, help: '', default: 'us', choices: ['us', 'eu'] },
    { name: 'page_size', label: 'Page size', kind: 'integer', required: false, secret: false, help: '', default: '200', choices: [] },
  ],
  kris: [
    { slug: 'mfa_adoption_pct', name: 'MFA adoption', unit: '%', direction: 'lower_is_worse', warn: 95, critical: 90, formula: 'enrolled / active users × 100' },
  ],
}

export const tenable: CatalogEntry = {
  vendor_id: 'tenable-io',
  display_name: 'Tenable.io',
  source_type: 'vendor_api',
  auth_type: 'api_key',
  base_url: 'https://cloud.tenable.com',
  config_fields: [],
  kris: [],
}

export const demo: CatalogEntry = { ...tenable, vendor_id: 'demo', display_name: 'Demo data', source_type: 'demo', base_url: null }

function firstParty(vendor_id: string, display_name: string, source_type: CatalogEntry['source_type']): CatalogEntry {
  return { vendor_id, display_name, source_type, auth_type: 'none', base_url: null, config_fields: [], kris: [] }
}

export const pushEntry = firstParty('external-push', 'Push API', 'external_push')
export const artifactEntry = firstParty('artifact', 'File upload', 'artifact')
export const manualEntry: CatalogEntry = {
  ...firstParty('manual', 'Manual entry', 'manual'),
  kris: [{ slug: 'phish_click_pct', name: 'Phishing click rate', unit: '%', direction: 'higher_is_worse', warn: 5, critical: 10, formula: 'entered by hand' }],
}

export const catalog: CatalogEntry[] = [manualEntry, okta, pushEntry, tenable, artifactEntry, demo]

export function source(overrides: Partial<Source> = {}): Source {
  return {
    id: 's-1',
    vendor_id: 'okta',
    source_type: 'vendor_api',
    name: 'Okta (production)',
    schedule: 'daily',
    enabled: true,
    config: { org_url: 'https://acme.okta.com', region: 'eu', page_size: 200 },
    credentials_set: ['api_token'],
    next_run_at: '2026-11-28T06:00:00Z',
    last_run_at: '2026-11-27T06:00:00Z',
    last_run_status: 'succeeded',
    consecutive_failures: 0,
    backoff_until: null,
    kri_count: 1,
    created_at: '2026-11-01T09:00:00Z',
    updated_at: '2026-11-01T09:00:00Z',
    ...overrides,
  }
}

export function runRequest(overrides: Partial<RunRequest> = {}): RunRequest {
  return {
    id: 'rq-1',
    source_id: 's-1',
    status: 'pending',
    phase: 'queued',
    source_name: null,
    requested_at: '2026-11-27T06:00:00Z',
    launched_at: null,
    finished_at: null,
    dagster_run_id: null,
    source_run_id: null,
    error: null,
    ...overrides,
  }
}

export function sourceRun(overrides: Partial<SourceRun> = {}): SourceRun {
  return {
    id: 'r-1',
    source_id: 's-1',
    trigger: 'run_now',
    status: 'succeeded',
    started_at: '2026-11-27T06:00:05Z',
    finished_at: '2026-11-27T06:00:07Z',
    rows_written: 3,
    rows_skipped: 0,
    items_fetched: 120,
    warnings: [],
    items_summary: {},
    error: null,
    fetch_ms: 1500,
    write_ms: 200,
    dagster_run_id: 'dg-1',
    request_id: 'rq-1',
    ...overrides,
  }
}

export function runPage(items: SourceRun[], total = items.length) {
  return { items, total, limit: 20, offset: 0 }
}

/**
 * A tenant's KRIs behind `GET /api/kris` (honouring a `source_id` filter) and
 * `PATCH /api/kris/{id}` (applying the body), so wiring shows up in the next list.
 */
export function kriStore(initial: ModelKri[]) {
  const kris = initial.map((k) => ({ ...k }))
  const routes: Record<string, (call: Call) => Response> = {
    'GET /api/kris': (call) => {
      const q = new URL(call.path, 'http://localhost').searchParams
      const sourceId = q.get('source_id')
      const items = sourceId === null ? kris : kris.filter((k) => k.source_id === sourceId)
      return jsonResponse({ items, total: items.length, limit: Number(q.get('limit') ?? 50), offset: 0 })
    },
  }
  for (const k of kris) {
    routes[`PATCH /api/kris/${k.id}`] = (call) => {
      Object.assign(k, call.body as Partial<ModelKri>)
      return jsonResponse(k)
    }
  }
  return { kris, routes }
}
