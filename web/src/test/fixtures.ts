import type { Dashboard, Kri, LoginResponse } from '../api'

export function kri(overrides: Partial<Kri> = {}): Kri {
  return {
    id: overrides.id ?? crypto.randomUUID(),
    slug: 'mfa_adoption_pct',
    name: 'MFA adoption',
    description: 'Share of active accounts enrolled in MFA',
    unit: '%',
    direction: 'lower_is_worse',
    warn: 95,
    critical: 90,
    value: 97.3,
    status: 'green',
    observed_at: '2025-01-01T09:00:00Z',
    source: 'Demo data',
    ...overrides,
  }
}

export const loginResponse: LoginResponse = {
  access_token: 'tok-123',
  token_type: 'bearer',
  expires_in: 900,
  user: {
    id: 'u-1',
    email: 'ada@acme.test',
    display_name: 'Ada Lovelace',
    role: 'tenant_admin',
    tenant_id: 't-1',
    tenant_name: 'Acme Health',
  },
}

export function dashboard(kris: Kri[]): Dashboard {
  const counts = { green: 0, amber: 0, red: 0, stale: 0, no_data: 0 }
  for (const k of kris) counts[k.status] += 1
  return {
    tenant: { id: 't-1', name: 'Acme Health' },
    generated_at: new Date().toISOString(),
    counts,
    kris,
  }
}

export function jsonResponse(body: unknown, status = 200, contentType = 'application/json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': contentType } })
}
