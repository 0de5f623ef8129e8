// Integrations (docs: "Integrations" API): the connector catalog, the tenant's sources, their
// runs and run requests, and the first-party inbound routes. Route functions are in
// integrationsApi.ts; these are the types (aliases of the OpenAPI document's schemas) and the pure
// helpers the pages share.
import type { Schema } from './api/client'

export const INTEGRATIONS_PERMISSION = {
  read: 'integrations:read',
  manage: 'integrations:manage',
} as const

export type SourceType = Schema<'CatalogEntry'>['source_type']
export type FieldKind = Schema<'ConfigFieldOut'>['kind']
export type Schedule = Schema<'SourceOut'>['schedule']

export type ConfigField = Schema<'ConfigFieldOut'>

export type ConnectorKri = Schema<'KriSpecOut'>

export type CatalogEntry = Schema<'CatalogEntry'>

export type Source = Schema<'SourceOut'>

export type SourceIn = Schema<'SourceIn'>

export type SourcePatch = Schema<'SourcePatch'>

export type ProbeResult = Schema<'ProbeOut'>

export type RunRequestStatus = Schema<'RunRequestOut'>['status']

export type RunRequest = Schema<'RunRequestOut'>

export type RunTrigger = Schema<'RunOut'>['trigger']

export type SourceRun = Schema<'RunOut'>

export type RunPage = Schema<'Page_RunOut_'>

export type PushToken = Schema<'PushTokenOut'>

/** The answer to a push batch, an uploaded file or a manual value: a run request to follow. */
export type Accepted = Schema<'Accepted'>

export type ManualValueIn = Schema<'ManualValue'>

// ---- catalog ---------------------------------------------------------------------------------

export interface CatalogGroup {
  key: string
  title: string
  description: string
  entries: CatalogEntry[]
}

const GROUPS: readonly { key: string; title: string; description: string; types: readonly SourceType[] }[] = [
  { key: 'vendor', title: 'Vendor APIs', description: 'Draxis calls the vendor on a schedule.', types: ['vendor_api', 'demo'] },
  { key: 'push', title: 'Push', description: 'Your tooling posts values with a token.', types: ['external_push'] },
  { key: 'artifact', title: 'File upload', description: 'Upload a CSV or JSON file of values.', types: ['artifact'] },
  { key: 'manual', title: 'Manual entry', description: 'People type values in.', types: ['manual'] },
  { key: 'computed', title: 'Computed by Draxis', description: "Values Draxis computes from this tenant's own data, on a schedule.", types: ['tprm'] },
]

/** The catalog in the page's groups (empty groups left out), each sorted by name. */
export function groupCatalog(entries: readonly CatalogEntry[]): CatalogGroup[] {
  return GROUPS.map((g) => ({
    key: g.key,
    title: g.title,
    description: g.description,
    entries: entries
      .filter((e) => g.types.includes(e.source_type))
      .sort((a, b) => a.display_name.localeCompare(b.display_name)),
  })).filter((g) => g.entries.length > 0)
}

export const FIRST_PARTY_TYPES: readonly SourceType[] = ['external_push', 'artifact', 'manual']

export function isFirstParty(type: SourceType): boolean {
  return FIRST_PARTY_TYPES.includes(type)
}

export const SCHEDULE_OPTIONS: readonly { value: Schedule; label: string }[] = [
  { value: 'hourly', label: 'Hourly' },
  { value: 'daily', label: 'Daily' },
  { value: 'weekly', label: 'Weekly' },
  { value: 'manual', label: 'Manual only' },
]

export function scheduleLabel(s: Schedule): string {
  return SCHEDULE_OPTIONS.find((o) => o.value === s)?.label ?? s
}

export const SOURCE_TYPE_LABEL: Record<SourceType, string> = {
  vendor_api: 'Vendor API',
  demo: 'Demo',
  external_push: 'Push',
  artifact: 'File upload',
  manual: 'Manual entry',
  tprm: 'Computed',
}

export const TRIGGER_LABEL: Record<RunTrigger, string> = {
  schedule: 'Schedule',
  run_now: 'Run now',
  backfill: 'Backfill',
  push: 'Push',
  artifact: 'File upload',
  manual: 'Manual entry',
}

export function isFinished(status: RunRequestStatus): boolean {
  return status === 'succeeded' || status === 'failed'
}

/** What a run request is doing, in the words the issue asks for: Queued, Running, Done, Failed. */
export const REQUEST_STATUS_TEXT: Record<RunRequestStatus, string> = {
  pending: 'Queued (waiting for the scheduler to start it)',
  launched: 'Running',
  succeeded: 'Done',
  failed: 'Failed',
}

// ---- the generated source form ----------------------------------------------------------------

export type FieldValues = Record<string, string>
/** Errors by field key: `name`, `schedule`, `config.<field>`, `credentials.<field>`. */
export type FieldErrors = Record<string, string>

export function fieldKey(f: ConfigField): string {
  return `${f.secret ? 'credentials' : 'config'}.${f.name}`
}

function configText(value: unknown): string {
  if (value === null || value === undefined) return ''
  return typeof value === 'string' ? value : String(value)
}

/** Starting values: a source's config when editing, else the defaults. Secrets always start empty. */
export function initialFieldValues(fields: readonly ConfigField[], source?: Source): FieldValues {
  const values: FieldValues = {}
  for (const f of fields) {
    if (f.secret) values[f.name] = ''
    else if (source) values[f.name] = configText(source.config[f.name])
    else values[f.name] = f.default ?? (f.kind === 'choice' && f.required ? (f.choices[0] ?? '') : '')
  }
  return values
}

const INTEGER = /^-?\d+$/

/** Client-side checks, keyed like the server's 422 `errors`. */
export function fieldErrors(fields: readonly ConfigField[], values: FieldValues, credentialsSet: readonly string[] = []): FieldErrors {
  const errors: FieldErrors = {}
  for (const f of fields) {
    const raw = (values[f.name] ?? '').trim()
    const key = fieldKey(f)
    if (raw === '') {
      if (f.required && !(f.secret && credentialsSet.includes(f.name))) errors[key] = `${f.label} is required`
      continue
    }
    if (f.kind === 'url' && !/^https:\/\/[^/\s]+/i.test(raw)) errors[key] = 'must be an https:// URL'
    else if (f.kind === 'integer' && !INTEGER.test(raw)) errors[key] = 'must be a whole number'
    else if (f.kind === 'choice' && !f.choices.includes(raw)) errors[key] = `must be one of ${f.choices.join(', ')}`
  }
  return errors
}

function configValue(f: ConfigField, raw: string): string | number {
  const s = f.kind === 'text' ? raw : raw.trim()
  return f.kind === 'integer' ? Number(s) : s
}

/**
 * `config` and `credentials` to send. Creating: every non-empty field. Editing (`initial`
 * given): only the config fields that changed, and only the secrets typed in (an empty secret
 * keeps the stored one).
 */
export function splitFieldValues(
  fields: readonly ConfigField[],
  values: FieldValues,
  initial?: FieldValues,
): { config: Record<string, string | number>; credentials: Record<string, string> } {
  const config: Record<string, string | number> = {}
  const credentials: Record<string, string> = {}
  for (const f of fields) {
    const raw = values[f.name] ?? ''
    if (f.secret) {
      if (raw.trim() !== '') credentials[f.name] = raw.trim()
    } else if (initial) {
      if (raw !== (initial[f.name] ?? '')) config[f.name] = configValue(f, raw)
    } else if (raw.trim() !== '') {
      config[f.name] = configValue(f, raw)
    }
  }
  return { config, credentials }
}

// ---- first-party ------------------------------------------------------------------------------

/** The example a push source's token is shown with: runnable as pasted, with a slug wired to
 * the source (the API takes the time of receipt when `observed_at` is left out). */
export function pushCurl(origin: string, token: string, slug = 'your_kri_slug'): string {
  return [
    `curl -X POST ${origin}/api/push/kri-values \\`,
    `  -H "Authorization: Bearer ${token}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"values":[{"kri_slug":"${slug}","value":12}]}'`,
  ].join('\n')
}

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024

/** A `datetime-local` value (local time, no zone) as an ISO instant, or undefined when empty. */
export function localToIso(local: string): string | undefined {
  if (local.trim() === '') return undefined
  const d = new Date(local)
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString()
}

/** The query keys of a tenant's integrations (catalog, sources, runs, requests) start with this. */
export function integrationsKey(session: { user: { id: string; tenant_id: string | null } }): readonly unknown[] {
  return ['integrations', session.user.id, session.user.tenant_id]
}

/** How often a run request is polled until it finishes. */
export const POLL_MS = 2_000

/** How long a run request is polled before the page stops and points at the scheduler. */
export const POLL_CAP_MS = 5 * 60_000

/** Shown once polling stops at the cap with the request still unfinished. */
export const POLL_GAVE_UP_TEXT = 'Still waiting for the scheduler — check the Dagster UI'
