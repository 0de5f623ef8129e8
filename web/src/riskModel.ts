import type { Schema } from './api/client'
import type { operations } from './api/schema'
// The tenant's risk model (docs: "Risk model" API): KRI definitions, controls, risks, outcomes,
// vendors, the links between them, and KRI history. Route functions are in endpoints.ts.
import type { KriDirection, Severity } from './api'

/** From the OpenAPI document (`KriOut`). */
export type ModelKri = Schema<'KriOut'>

export type Effectiveness = Schema<'ControlOut'>['effectiveness']
export type Framework = NonNullable<Schema<'ControlOut'>['framework']>

/** From the OpenAPI document (`ControlOut`). */
export type Control = Schema<'ControlOut'>

export type RiskStatus = Schema<'RiskOut'>['status']

/** From the OpenAPI document (`RiskOut`). */
export type Risk = Schema<'RiskOut'>

/** From the OpenAPI document (`OutcomeOut`). */
export type Outcome = Schema<'OutcomeOut'>

/** From the OpenAPI document (`VendorOut`). */
export type Vendor = Schema<'VendorOut'>

/** The API's plural path segment → its item type. */
export interface EntityMap {
  kris: ModelKri
  controls: Control
  risks: Risk
  outcomes: Outcome
  vendors: Vendor
}
export type EntityKind = keyof EntityMap
export const ENTITY_KINDS: readonly EntityKind[] = ['kris', 'controls', 'risks', 'outcomes', 'vendors']

export function isEntityKind(value: string | undefined): value is EntityKind {
  return value !== undefined && (ENTITY_KINDS as readonly string[]).includes(value)
}

export interface ListPage<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}

export interface ListParams {
  limit?: number
  offset?: number
  /** A column, or `-column` for descending. */
  sort?: string
  q?: string
  /** Extra `name=value` filters (empty values are left out). */
  filters?: Record<string, string>
}

export type RiskLinks = Schema<'RiskLinksOut'>
export type KriLinks = Schema<'KriLinksOut'>

export type Bucket = NonNullable<NonNullable<operations['observations_api_kris__kri_id__observations_get']['parameters']['query']>['bucket']>

export type ObservationPoint = Schema<'ObservationPoint'>

/** From the OpenAPI document (`History`). */
export type KriHistory = Schema<'History'>

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9_]{1,79}$/
export const ATTACK_TECHNIQUE_PATTERN = /^T\d{4}(\.\d{3})?$/

/** The server's rule: higher-is-worse needs warn < critical; lower-is-worse needs warn > critical. */
export function thresholdErrors(direction: KriDirection, warn: number, critical: number): string[] {
  if (!Number.isFinite(warn) || !Number.isFinite(critical)) return []
  if (direction === 'higher_is_worse' && !(warn < critical))
    return ['When higher is worse, the warn threshold must be below the critical threshold.']
  if (direction === 'lower_is_worse' && !(warn > critical))
    return ['When lower is worse, the warn threshold must be above the critical threshold.']
  return []
}

export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'unassessed']

/** 0 for critical … 4 for unassessed: sorting ascending puts the worst first. */
export function severityRank(severity: string): number {
  const i = (SEVERITY_ORDER as readonly string[]).indexOf(severity)
  return i === -1 ? SEVERITY_ORDER.length : i
}

export const SEVERITY_LABEL: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  unassessed: 'Unassessed',
}

/** Non-colour glyph so severity is never conveyed by colour alone. */
export const SEVERITY_ICON: Record<Severity, string> = {
  critical: '✕',
  high: '▲',
  medium: '!',
  low: '✓',
  unassessed: '–',
}

// Full class strings so Tailwind can see them.
export const SEVERITY_BADGE: Record<Severity, string> = {
  critical: 'bg-rose-600 text-white ring-1 ring-inset ring-rose-700',
  high: 'bg-rose-100 text-rose-900 ring-1 ring-inset ring-rose-300',
  medium: 'bg-amber-100 text-amber-900 ring-1 ring-inset ring-amber-300',
  low: 'bg-emerald-100 text-emerald-900 ring-1 ring-inset ring-emerald-300',
  unassessed: 'bg-gray-200 text-gray-700 ring-1 ring-inset ring-gray-300',
}

export function severityOf(value: string): Severity {
  return (SEVERITY_ORDER as readonly string[]).includes(value) ? (value as Severity) : 'unassessed'
}
