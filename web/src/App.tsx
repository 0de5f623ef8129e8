import { lazy, Suspense, useEffect, type ReactNode } from 'react'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { Navigate, Route, Routes, useParams } from 'react-router'
import { ProblemError } from './api'
import { AppShell } from './components/AppShell'
import { LoadingPanel, LoadingScreen } from './components/LoadingScreen'
import { Forbidden } from './components/Page'
import { landingFor, mfaPath, PERMISSION } from './identity'
import { INTEGRATIONS_PERMISSION } from './integrations'
import { useMe } from './me'
import { ApiTokensPage } from './pages/ApiTokensPage'
import { NotificationsPage } from './pages/NotificationsPage'
import { WebhooksPage } from './pages/WebhooksPage'
import { AccountPage } from './pages/AccountPage'
import { AuditLogPage } from './pages/AuditLogPage'
import { CarrierConsentPage } from './pages/CarrierConsentPage'
import { CarrierPage } from './pages/CarrierPage'
import { CarrierTenantPage } from './pages/CarrierTenantPage'
import { DashboardPage } from './pages/DashboardPage'
import { IntegrationsPage } from './pages/IntegrationsPage'
import { InvitePage } from './pages/InvitePage'
import { KriPage } from './pages/KriPage'
import { LoginPage } from './pages/LoginPage'
import { MfaEnrollPage } from './pages/MfaEnrollPage'
import { MfaVerifyPage } from './pages/MfaVerifyPage'
import { ModelPage } from './pages/ModelPage'
import { NotFoundPage } from './pages/NotFoundPage'
import { OrgPage } from './pages/OrgPage'
import { OrgRiskPage } from './pages/OrgRiskPage'
import { PlatformPage } from './pages/PlatformPage'
import { ReportsPage } from './pages/ReportsPage'
import { RiskPage } from './pages/RiskPage'
import { AcceptancesPage } from './pages/AcceptancesPage'
import { SetupPage } from './pages/SetupPage'
import { SourcePage } from './pages/SourcePage'
import { TenantUsersPage } from './pages/TenantUsersPage'
import { isEntityKind } from './riskModel'
import { bootstrapSession, useAuth, useSession, type Session } from './session'

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Client errors (4xx) will not fix themselves; retry only network/5xx. (401s are
        // already refreshed-and-retried once by the session fetch (withAccessToken).)
        retry: (failureCount, error) =>
          !(error instanceof ProblemError && error.status >= 400 && error.status < 500) && failureCount < 2,
        refetchOnWindowFocus: true,
        staleTime: 15_000,
      },
    },
  })
}

/** The session, inside routes that guarantee one. */
function useSignedIn(): Session {
  const session = useSession()
  if (!session) throw new Error('useSignedIn outside a signed-in route')
  return session
}

/** Signed in, MFA complete: the app shell. Otherwise /login or the pending MFA step. */
function RequireSession() {
  const session = useSession()
  if (!session) return <Navigate to="/login" replace />
  const mfa = mfaPath(session.mfa)
  if (mfa) return <Navigate to={mfa} replace />
  return <AppShell session={session} />
}

/** Signed in, MFA possibly pending (the MFA pages themselves). */
function RequireSignedIn({ children }: { children: ReactNode }) {
  const session = useSession()
  if (!session) return <Navigate to="/login" replace />
  return children
}

/** Waits for `/api/me`; without the permission, says so (the server would refuse anyway). */
function RequirePermission({ permission, children }: { permission: string; children: ReactNode }) {
  const me = useMe()
  if (me.isPending)
    return (
      <main className="mx-auto max-w-7xl px-4 py-6 sm:px-6 lg:px-8">
        <LoadingPanel label="Loading…" />
      </main>
    )
  if (me.data && !me.data.permissions.includes(permission)) return <Forbidden />
  return children
}

/** `/`: the dashboard for tenant roles; everyone else goes to their own landing page. */
function Home() {
  const session = useSignedIn()
  const landing = landingFor(session.user.role)
  if (landing !== '/') return <Navigate to={landing} replace />
  return <DashboardPage session={session} />
}

function TenantUsersRoute() {
  const session = useSignedIn()
  return (
    <RequirePermission permission={PERMISSION.tenantUsersRead}>
      <TenantUsersPage session={session} />
    </RequirePermission>
  )
}

function ApiTokensRoute() {
  const session = useSignedIn()
  return <ApiTokensPage session={session} />
}

function AuditLogRoute() {
  const session = useSignedIn()
  return (
    <RequirePermission permission={PERMISSION.tenantAuditRead}>
      <AuditLogPage session={session} />
    </RequirePermission>
  )
}

function AccountRoute() {
  return <AccountPage session={useSignedIn()} />
}

function CarrierConsentRoute() {
  const session = useSignedIn()
  return (
    <RequirePermission permission={PERMISSION.carrierConsentManage}>
      <CarrierConsentPage session={session} />
    </RequirePermission>
  )
}

/** `/carrier/tenants/:tenantId`: one insured of the carrier's book. */
function CarrierTenantRoute() {
  const { tenantId } = useParams()
  if (!tenantId) return <NotFoundPage />
  return (
    <RequirePermission permission={PERMISSION.carrierRead}>
      <CarrierTenantPage key={tenantId} tenantId={tenantId} />
    </RequirePermission>
  )
}

/** `/org/reports`: board reports over a master admin's own organization. */
function OrgReportsRoute() {
  const session = useSignedIn()
  if (!session.user.org_id) {
    return session.user.role === 'superadmin' ? <Navigate to="/platform" replace /> : <Forbidden />
  }
  return (
    <RequirePermission permission={PERMISSION.orgRead}>
      <ReportsPage scope={{ kind: 'org', orgId: session.user.org_id }} title="Organization reports" />
    </RequirePermission>
  )
}

/** `/org`: a master admin's own organization (a superadmin has none: /platform lists them). */
function OwnOrgRoute() {
  const session = useSignedIn()
  if (!session.user.org_id) {
    return session.user.role === 'superadmin' ? <Navigate to="/platform" replace /> : <Forbidden />
  }
  return (
    <RequirePermission permission={PERMISSION.orgRead}>
      <OrgPage key={session.user.org_id} session={session} orgId={session.user.org_id} />
    </RequirePermission>
  )
}

/** `/orgs/:orgId`: any organization, for a superadmin (the API answers 404 to anyone else). */
function OrgByIdRoute() {
  const session = useSignedIn()
  const { orgId } = useParams()
  if (!orgId) return <NotFoundPage />
  return (
    <RequirePermission permission={PERMISSION.orgRead}>
      <OrgPage key={orgId} session={session} orgId={orgId} />
    </RequirePermission>
  )
}

/** `/orgs/:orgId/tenants/:tenantId/risks/:riskId`: the heat map's click-through, read-only. */
function OrgRiskRoute() {
  const { orgId, tenantId, riskId } = useParams()
  if (!orgId || !tenantId || !riskId) return <NotFoundPage />
  return (
    <RequirePermission permission={PERMISSION.orgRead}>
      <OrgRiskPage key={`${tenantId}/${riskId}`} orgId={orgId} tenantId={tenantId} riskId={riskId} />
    </RequirePermission>
  )
}

/** `/model/:kind`: the risk model's lists (KRIs, controls, risks, outcomes, vendors). */
function ModelRoute() {
  const session = useSignedIn()
  const { kind } = useParams()
  if (!isEntityKind(kind)) return <NotFoundPage />
  return (
    <RequirePermission permission={PERMISSION.riskModelRead}>
      <ModelPage session={session} kind={kind} />
    </RequirePermission>
  )
}

/** `/kris/:kriId`: one KRI's definition, history and links. */
function KriRoute() {
  const session = useSignedIn()
  const { kriId } = useParams()
  if (!kriId) return <NotFoundPage />
  return (
    <RequirePermission permission={PERMISSION.riskModelRead}>
      <KriPage key={kriId} session={session} kriId={kriId} />
    </RequirePermission>
  )
}

/** `/acceptances`: risk acceptances waiting for approval, and those standing. */
function AcceptancesRoute() {
  return (
    <RequirePermission permission={PERMISSION.riskModelRead}>
      <AcceptancesPage />
    </RequirePermission>
  )
}

/** `/risks/:riskId`: one risk's fields and links. */
function RiskRoute() {
  const session = useSignedIn()
  const { riskId } = useParams()
  if (!riskId) return <NotFoundPage />
  return (
    <RequirePermission permission={PERMISSION.riskModelRead}>
      <RiskPage key={riskId} session={session} riskId={riskId} />
    </RequirePermission>
  )
}

// The vendor portal: no session, outside the signed-in shell.
const RespondPage = lazy(() => import('./pages/RespondPage').then((m) => ({ default: m.RespondPage })))

// The tasks pages load on first visit, like the panel's: the main bundle stays small.
const TasksPage = lazy(() => import('./pages/TasksPage').then((m) => ({ default: m.TasksPage })))
const TaskPage = lazy(() => import('./pages/TaskPage').then((m) => ({ default: m.TaskPage })))

function TasksRoute() {
  const session = useSignedIn()
  return (
    <RequirePermission permission={PERMISSION.tasksRead}>
      <Suspense fallback={<LoadingPanel label="Loading tasks…" />}>
        <TasksPage session={session} />
      </Suspense>
    </RequirePermission>
  )
}

/** `/tasks/:taskId`: one task's status, comments, attachments and history. */
function TaskRoute() {
  const { taskId } = useParams()
  if (!taskId) return <NotFoundPage />
  return (
    <RequirePermission permission={PERMISSION.tasksRead}>
      <Suspense fallback={<LoadingPanel label="Loading the task…" />}>
        <TaskPage key={taskId} taskId={taskId} />
      </Suspense>
    </RequirePermission>
  )
}

// The vendor pages (third-party risk) load on first visit.
const VendorsPage = lazy(() => import('./pages/tprm/VendorsPage').then((m) => ({ default: m.VendorsPage })))
const VendorPage = lazy(() => import('./pages/tprm/VendorPage').then((m) => ({ default: m.VendorPage })))

function VendorsRoute() {
  return (
    <RequirePermission permission={PERMISSION.tprmRead}>
      <Suspense fallback={<LoadingPanel label="Loading vendors…" />}>
        <VendorsPage />
      </Suspense>
    </RequirePermission>
  )
}

/** `/vendors/:vendorId`: one vendor's profile. */
function VendorRoute() {
  const { vendorId } = useParams()
  if (!vendorId) return <NotFoundPage />
  return (
    <RequirePermission permission={PERMISSION.tprmRead}>
      <Suspense fallback={<LoadingPanel label="Loading the vendor…" />}>
        <VendorPage key={vendorId} vendorId={vendorId} />
      </Suspense>
    </RequirePermission>
  )
}

function IntegrationsRoute() {
  const session = useSignedIn()
  return (
    <RequirePermission permission={INTEGRATIONS_PERMISSION.read}>
      <IntegrationsPage session={session} />
    </RequirePermission>
  )
}

/** `/integrations/:sourceId`: one source's settings, runs and inbound panels. */
function SourceRoute() {
  const session = useSignedIn()
  const { sourceId } = useParams()
  if (!sourceId) return <NotFoundPage />
  return (
    <RequirePermission permission={INTEGRATIONS_PERMISSION.read}>
      <SourcePage key={sourceId} session={session} sourceId={sourceId} />
    </RequirePermission>
  )
}

// The panel and memory pages (chat, Markdown, uploads) load on first visit: most sessions never
// open them, and the main bundle stays under Vite's 500 kB warning.
const PanelPage = lazy(() => import('./pages/PanelPage').then((m) => ({ default: m.PanelPage })))
const MemoryPage = lazy(() => import('./pages/MemoryPage').then((m) => ({ default: m.MemoryPage })))
const WorkflowsPage = lazy(() => import('./pages/WorkflowsPage').then((m) => ({ default: m.WorkflowsPage })))

/** `/panel` and `/panel/:sessionId`: the expert panel (tenant roles; carriers never reach it). */
function PanelRoute() {
  const session = useSignedIn()
  const { sessionId } = useParams()
  return (
    <RequirePermission permission={PERMISSION.panelUse}>
      <Suspense fallback={<LoadingPanel label="Loading the panel…" />}>
        <PanelPage session={session} sessionId={sessionId ?? null} />
      </Suspense>
    </RequirePermission>
  )
}

function MemoryRoute() {
  const session = useSignedIn()
  return (
    <RequirePermission permission={PERMISSION.knowledgeRead}>
      <Suspense fallback={<LoadingPanel label="Loading memory…" />}>
        <MemoryPage session={session} />
      </Suspense>
    </RequirePermission>
  )
}

/** `/workflows`: definitions, the editor with its preview, and runs (tenant roles). */
function WorkflowsRoute() {
  const session = useSignedIn()
  return (
    <RequirePermission permission={PERMISSION.riskModelRead}>
      <Suspense fallback={<LoadingPanel label="Loading workflows…" />}>
        <WorkflowsPage session={session} />
      </Suspense>
    </RequirePermission>
  )
}

// Third-party risk: the tenant's assessments and one assessment's review, loaded on first visit.
const AssessmentsPage = lazy(() => import('./pages/tprm/AssessmentsPage').then((m) => ({ default: m.AssessmentsPage })))
const AssessmentReviewPage = lazy(() =>
  import('./pages/tprm/AssessmentReviewPage').then((m) => ({ default: m.AssessmentReviewPage })),
)

/** `/assessments` and `/assessments/:assessmentId`: the list and one assessment's review. */
function AssessmentsRoute() {
  const { assessmentId } = useParams()
  return (
    <RequirePermission permission={PERMISSION.tprmRead}>
      <Suspense fallback={<LoadingPanel label="Loading assessments…" />}>
        {assessmentId ? <AssessmentReviewPage key={assessmentId} assessmentId={assessmentId} /> : <AssessmentsPage />}
      </Suspense>
    </RequirePermission>
  )
}

const QuestionnairesPage = lazy(() => import('./pages/tprm/QuestionnairesPage').then((m) => ({ default: m.QuestionnairesPage })))
const QuestionnairePage = lazy(() => import('./pages/tprm/QuestionnairePage').then((m) => ({ default: m.QuestionnairePage })))

/** `/tprm/questionnaires` and `/tprm/questionnaires/:questionnaireId`: questionnaire templates. */
function QuestionnairesRoute() {
  const { questionnaireId } = useParams()
  return (
    <RequirePermission permission={PERMISSION.tprmRead}>
      <Suspense fallback={<LoadingPanel label="Loading questionnaires…" />}>
        {questionnaireId ? <QuestionnairePage key={questionnaireId} questionnaireId={questionnaireId} /> : <QuestionnairesPage />}
      </Suspense>
    </RequirePermission>
  )
}

export function AppRoutes() {
  const auth = useAuth()
  // Until the refresh cookie has been tried, show nothing that depends on the answer.
  if (auth.status === 'loading') return <LoadingScreen />
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/setup" element={<SetupPage />} />
      <Route path="/invite" element={<InvitePage />} />
      <Route path="/respond" element={<Suspense fallback={<LoadingScreen />}><RespondPage /></Suspense>} />
      <Route
        path="/mfa/enroll"
        element={
          <RequireSignedIn>
            <MfaEnrollPage />
          </RequireSignedIn>
        }
      />
      <Route
        path="/mfa/verify"
        element={
          <RequireSignedIn>
            <MfaVerifyPage />
          </RequireSignedIn>
        }
      />
      <Route element={<RequireSession />}>
        <Route index element={<Home />} />
        <Route path="/tenant/users" element={<TenantUsersRoute />} />
        <Route path="/tenant/carriers" element={<CarrierConsentRoute />} />
        <Route path="/settings/api-tokens" element={<ApiTokensRoute />} />
        <Route path="/tenant/audit" element={<AuditLogRoute />} />
        <Route path="/account" element={<AccountRoute />} />
        <Route path="/notifications" element={<NotificationsPage />} />
        <Route
          path="/tenant/webhooks"
          element={
            <RequirePermission permission={INTEGRATIONS_PERMISSION.manage}>
              <WebhooksPage />
            </RequirePermission>
          }
        />
        <Route path="/org" element={<OwnOrgRoute />} />
        <Route path="/model" element={<Navigate to="/model/kris" replace />} />
        <Route path="/model/:kind" element={<ModelRoute />} />
        <Route path="/kris/:kriId" element={<KriRoute />} />
        <Route path="/risks/:riskId" element={<RiskRoute />} />
        <Route path="/acceptances" element={<AcceptancesRoute />} />
        <Route path="/vendors" element={<VendorsRoute />} />
        <Route path="/vendors/:vendorId" element={<VendorRoute />} />
        <Route path="/orgs/:orgId" element={<OrgByIdRoute />} />
        <Route path="/tasks" element={<TasksRoute />} />
        <Route path="/tasks/:taskId" element={<TaskRoute />} />
        <Route path="/orgs/:orgId/tenants/:tenantId/risks/:riskId" element={<OrgRiskRoute />} />
        <Route path="/integrations" element={<IntegrationsRoute />} />
        <Route path="/integrations/:sourceId" element={<SourceRoute />} />
        <Route path="/panel" element={<PanelRoute />} />
        <Route path="/panel/:sessionId" element={<PanelRoute />} />
        <Route path="/memory" element={<MemoryRoute />} />
        <Route path="/workflows" element={<WorkflowsRoute />} />
        <Route path="/assessments" element={<AssessmentsRoute />} />
        <Route path="/assessments/:assessmentId" element={<AssessmentsRoute />} />
        <Route path="/tprm/questionnaires" element={<QuestionnairesRoute />} />
        <Route path="/tprm/questionnaires/:questionnaireId" element={<QuestionnairesRoute />} />
        <Route
          path="/platform"
          element={
            <RequirePermission permission={PERMISSION.platformOrgsManage}>
              <PlatformPage />
            </RequirePermission>
          }
        />
        <Route
          path="/carrier"
          element={
            <RequirePermission permission={PERMISSION.carrierRead}>
              <CarrierPage />
            </RequirePermission>
          }
        />
        <Route path="/carrier/tenants/:tenantId" element={<CarrierTenantRoute />} />
        <Route
          path="/reports"
          element={
            <RequirePermission permission={PERMISSION.dashboardRead}>
              <ReportsPage scope={{ kind: 'tenant' }} title="Board reports" />
            </RequirePermission>
          }
        />
        <Route path="/org/reports" element={<OrgReportsRoute />} />
        <Route
          path="/carrier/reports"
          element={
            <RequirePermission permission={PERMISSION.carrierRead}>
              <ReportsPage scope={{ kind: 'carrier' }} title="Portfolio reports" />
            </RequirePermission>
          }
        />
      </Route>
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  )
}

export function App({ queryClient }: { queryClient: QueryClient }) {
  useEffect(() => {
    // Restore the session from the HttpOnly refresh cookie (once, even under StrictMode).
    void bootstrapSession()
  }, [])
  return (
    <QueryClientProvider client={queryClient}>
      <AppRoutes />
    </QueryClientProvider>
  )
}
