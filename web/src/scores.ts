// Explained scores, heat maps, trends and board reports (api/routes/scores.py, scope_trends.py,
// reports.py). The pipeline computes every figure; the client only lays them out.
import type { Severity } from './api'
import { answer, api, pathOf, type Schema } from './api/client'
import { authedFetch } from './session'

/** From the OpenAPI document: the pipeline's figures, laid out as they come. */
export type RiskScore = Schema<'RiskScore'>
export type Contribution = Schema<'Contribution'>
export type Explanation = Schema<'Explanation'>
export type HeatRisk = Schema<'HeatRisk'>
export type HeatCell = Schema<'HeatCell'>
export type HeatMapData = Schema<'HeatMap'>
/** A day's posture score and band: what a chart draws of a tenant's or a scope's history. */
export type HistoryPoint = Pick<Schema<'HistoryPoint'>, 'day' | 'score' | 'band'>
export type PostureHistory = Schema<'PostureHistory'>
export type TenantSeries = Schema<'TenantSeries'>
export type ScopeHistory = Schema<'ScopeHistory'>
export type Sparkline = Schema<'Sparkline'>
export type Report = Schema<'Report'>

/** Where a scope's reports live: the tenant's own, an organization's, the carrier's. */
export type ReportScope = { kind: 'tenant' } | { kind: 'org'; orgId: string } | { kind: 'carrier' }

const org = (orgId: string) => ({ params: { path: { org_id: orgId } } })

export const getRiskScores = async (signal?: AbortSignal) => answer(await api.GET('/api/risk-scores', { signal }))
export const getExplanation = async (riskId: string, signal?: AbortSignal) =>
  answer(await api.GET('/api/risks/{risk_id}/explanation', { params: { path: { risk_id: riskId } }, signal }))
export const getHeatMap = async (signal?: AbortSignal) => answer(await api.GET('/api/heatmap', { signal }))
export const getOrgHeatMap = async (orgId: string, signal?: AbortSignal) =>
  answer(await api.GET('/api/orgs/{org_id}/heatmap', { ...org(orgId), signal }))
export const getPostureHistory = async (signal?: AbortSignal) =>
  answer(await api.GET('/api/posture/history', { params: { query: { days: 90 } }, signal }))
export const getOrgHistory = async (orgId: string, signal?: AbortSignal) =>
  answer(await api.GET('/api/orgs/{org_id}/posture-history', { ...org(orgId), signal }))
export const getCarrierHistory = async (signal?: AbortSignal) =>
  answer(await api.GET('/api/carrier/posture-history', { signal }))
export const getSparklines = async (signal?: AbortSignal) =>
  answer(await api.GET('/api/kri-sparklines', { params: { query: { days: 30 } }, signal }))

export async function listReports(scope: ReportScope, signal?: AbortSignal): Promise<Report[]> {
  if (scope.kind === 'org') return answer(await api.GET('/api/orgs/{org_id}/reports', { ...org(scope.orgId), signal }))
  if (scope.kind === 'carrier') return answer(await api.GET('/api/carrier/reports', { signal }))
  return answer(await api.GET('/api/reports', { signal }))
}

export async function generateReport(scope: ReportScope): Promise<Report> {
  if (scope.kind === 'org') return answer(await api.POST('/api/orgs/{org_id}/reports', org(scope.orgId)))
  if (scope.kind === 'carrier') return answer(await api.POST('/api/carrier/reports'))
  return answer(await api.POST('/api/reports'))
}

/** The report's PDF (a file, not JSON): the raw helper, with the same token and refresh. */
export function reportPdf(scope: ReportScope, id: string): Promise<Response> {
  if (scope.kind === 'org')
    return authedFetch(pathOf('/api/orgs/{org_id}/reports/{report_id}/pdf', { org_id: scope.orgId, report_id: id }))
  if (scope.kind === 'carrier') return authedFetch(pathOf('/api/carrier/reports/{report_id}/pdf', { report_id: id }))
  return authedFetch(pathOf('/api/reports/{report_id}/pdf', { report_id: id }))
}

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

export type KriState = Schema<'KriState'>

export const getKriState = async (kriId: string, signal?: AbortSignal) =>
  answer(await api.GET('/api/kris/{kri_id}/state', { params: { path: { kri_id: kriId } }, signal }))
