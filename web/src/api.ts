// Shared API types of the web client, aliases of the OpenAPI document's schemas (api/schema.d.ts,
// `make api-types`), and the error type every call throws (api/http.ts). Route functions live in
// endpoints.ts and its neighbours, all over the typed client (api/client.ts).
import type { Schema } from './api/client'

/** From the OpenAPI document (`KriTile['status']`, `draxis.kri.KriStatus`). */
export type KriStatus = Schema<'KriTile'>['status']
export type KriDirection = Schema<'KriTile'>['direction']

/** From the OpenAPI document (`KriTile`). */
export type Kri = Schema<'KriTile'>

/** A severity band (`draxis.severity`). */
export type Severity = Schema<'RiskSummary'>['severity']

/** The tenant's rolled-up posture (`Dashboard.posture`; null until the pipeline has rolled it up). */
export type Posture = Schema<'Posture'>
export type TopRisk = Schema<'RiskSummary'>
export type OutcomeScore = Schema<'OutcomeSummary'>
/** `GET /api/dashboard`: top risks worst first (at most five), outcomes worst first. */
export type Dashboard = Schema<'Dashboard'>

export {
  parseRetryAfter,
  ProblemError,
  toProblem,
  type Problem,
  type ProblemFieldError,
} from './api/http'
