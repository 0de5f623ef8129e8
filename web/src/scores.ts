// Explained scores, heat maps, trends and board reports (api/routes/scores.py, scope_trends.py,
// reports.py). The pipeline computes every figure; the client only lays them out.
import type { Severity } from './api'
import { authedFetch, authedRequest } from './session'

export interface RiskScore {
  risk_id: string
  slug: string
  title: string
  status: string
  score: number | null
  severity: Severity
  kri_count: number
  control_count: number
  red_kris: number
  amber_kris: number
  stale_kris: number
  computed_at: string | null
  /** Formally accepted until this UTC day (null: not accepted); the severity stays computed. */
  accepted_until: string | null
}

export interface Contribution {
  kind: 'kri' | 'control'
  id: string
  name: string
  slug: string
  state: string
  worst_points: number
  mean_points: number
  gap_points: number
  contribution: number
  share: number | null
}

export interface Explanation {
  risk: RiskScore
  direction: string
  formula: string
  contributions: Contribution[]
}

export interface HeatRisk {
  id: string
  tenant_id: string
  title: string
  score: number | null
  accepted_until?: string | null
}

export interface HeatCell {
  severity: Severity
  red_kris: string
  count: number
  risks: HeatRisk[]
}

export interface HeatMapData {
  rows: Severity[]
  columns: string[]
  x_axis: string
  y_axis: string
  cells: HeatCell[]
}

export interface HistoryPoint {
  day: string
  score: number | null
  band: Severity
}

export interface PostureHistory {
  tenant_id: string
  direction: string
  computed_at: string | null
  points: HistoryPoint[]
}

export interface TenantSeries {
  tenant_id: string
  tenant_name: string
  score: number | null
  band: Severity
  computed_at: string | null
  points: HistoryPoint[]
}

export interface ScopeHistory {
  direction: string
  tenants: TenantSeries[]
}

export interface Sparkline {
  kri_id: string
  days: string[]
  values: number[]
}

export interface Report {
  id: string
  kind: 'tenant' | 'org' | 'carrier'
  title: string
  period: string
  status: 'queued' | 'running' | 'done' | 'failed'
  requested_at: string
  started_at: string | null
  finished_at: string | null
  error: string | null
  pages: number | null
  size_bytes: number | null
}

/** Where a scope's reports live: the tenant's own, an organization's, the carrier's. */
export type ReportScope = { kind: 'tenant' } | { kind: 'org'; orgId: string } | { kind: 'carrier' }

function reportBase(scope: ReportScope): string {
  if (scope.kind === 'org') return `/api/orgs/${encodeURIComponent(scope.orgId)}/reports`
  if (scope.kind === 'carrier') return '/api/carrier/reports'
  return '/api/reports'
}

export const getRiskScores = (signal?: AbortSignal) => authedRequest<RiskScore[]>('/api/risk-scores', { signal })
export const getExplanation = (riskId: string, signal?: AbortSignal) =>
  authedRequest<Explanation>(`/api/risks/${encodeURIComponent(riskId)}/explanation`, { signal })
export const getHeatMap = (signal?: AbortSignal) => authedRequest<HeatMapData>('/api/heatmap', { signal })
export const getOrgHeatMap = (orgId: string, signal?: AbortSignal) =>
  authedRequest<HeatMapData>(`/api/orgs/${encodeURIComponent(orgId)}/heatmap`, { signal })
export const getPostureHistory = (signal?: AbortSignal) =>
  authedRequest<PostureHistory>('/api/posture/history?days=90', { signal })
export const getOrgHistory = (orgId: string, signal?: AbortSignal) =>
  authedRequest<ScopeHistory>(`/api/orgs/${encodeURIComponent(orgId)}/posture-history`, { signal })
export const getCarrierHistory = (signal?: AbortSignal) =>
  authedRequest<ScopeHistory>('/api/carrier/posture-history', { signal })
export const getSparklines = (signal?: AbortSignal) => authedRequest<Sparkline[]>('/api/kri-sparklines?days=30', { signal })
export const listReports = (scope: ReportScope, signal?: AbortSignal) => authedRequest<Report[]>(reportBase(scope), { signal })
export const generateReport = (scope: ReportScope) => authedRequest<Report>(reportBase(scope), { method: 'POST' })
export const reportPdf = (scope: ReportScope, id: string) =>
  authedFetch(`${reportBase(scope)}/${encodeURIComponent(id)}/pdf`)

/** The one way a posture score is written: `72.6 · High (higher is worse)`. */
export function postureLabel(score: number | null | undefined, band: Severity): string {
  if (score === null || score === undefined) return 'Not assessed yet'
  return `${score.toFixed(1)} · ${band.charAt(0).toUpperCase()}${band.slice(1)} (higher is worse)`
}

/** The band of a score by the server's thresholds (draxis/severity.py): for display only. */
export function bandOf(score: number | null | undefined): Severity {
  if (score === null || score === undefined) return 'unassessed'
  if (score >= 75) return 'critical'
  if (score >= 50) return 'high'
  if (score >= 25) return 'medium'
  return 'low'
}

export interface KriState {
  kri_id: string
  status: 'green' | 'amber' | 'red' | 'stale' | 'no_data'
  value: number | null
  observed_at: string | null
  computed_at: string | null
  source_id: string | null
  source_name: string | null
}

export const getKriState = (kriId: string, signal?: AbortSignal) =>
  authedRequest<KriState>(`/api/kris/${encodeURIComponent(kriId)}/state`, { signal })
