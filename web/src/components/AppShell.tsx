import { useEffect, useId, useRef, useState } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router'
import { landingFor, PERMISSION } from '../identity'
import { INTEGRATIONS_PERMISSION } from '../integrations'
import { usePermissions } from '../me'
import { signOut, type Session } from '../session'
import { AccountMenu } from './AccountMenu'
import { secondaryButton } from './form'
import { GlobalSearch } from './GlobalSearch'
import { ImpersonationBanner } from './ImpersonationBanner'
import { NotificationBell } from './NotificationBell'

interface NavItem {
  to: string
  label: string
  permission: string
}

const NAV: readonly NavItem[] = [
  { to: '/', label: 'Dashboard', permission: PERMISSION.dashboardRead },
  { to: '/model', label: 'Risk model', permission: PERMISSION.riskModelRead },
  { to: '/tasks', label: 'Tasks', permission: PERMISSION.tasksRead },
  { to: '/acceptances', label: 'Acceptances', permission: PERMISSION.riskModelRead },
  { to: '/vendors', label: 'Vendors', permission: PERMISSION.tprmRead },
  { to: '/assessments', label: 'Assessments', permission: PERMISSION.tprmRead },
  { to: '/tprm/questionnaires', label: 'Questionnaires', permission: PERMISSION.tprmRead },
  { to: '/integrations', label: 'Integrations', permission: INTEGRATIONS_PERMISSION.read },
  { to: '/workflows', label: 'Workflows', permission: PERMISSION.riskModelRead },
  { to: '/panel', label: 'Expert panel', permission: PERMISSION.panelUse },
  { to: '/memory', label: 'Memory', permission: PERMISSION.knowledgeRead },
  { to: '/tenant/users', label: 'Users', permission: PERMISSION.tenantUsersRead },
  { to: '/tenant/carriers', label: 'Carriers', permission: PERMISSION.carrierConsentManage },
  { to: '/tenant/audit', label: 'Audit log', permission: PERMISSION.tenantAuditRead },
  { to: '/tenant/webhooks', label: 'Webhooks', permission: INTEGRATIONS_PERMISSION.manage },
  { to: '/org', label: 'Organization', permission: PERMISSION.orgRead },
  { to: '/platform', label: 'Platform', permission: PERMISSION.platformOrgsManage },
  { to: '/carrier', label: 'Portfolio', permission: PERMISSION.carrierRead },
  { to: '/reports', label: 'Reports', permission: PERMISSION.dashboardRead },
  { to: '/org/reports', label: 'Reports', permission: PERMISSION.orgRead },
  { to: '/carrier/reports', label: 'Reports', permission: PERMISSION.carrierRead },
  { to: '/settings/api-tokens', label: 'API tokens', permission: PERMISSION.self },
]

function navClass({ isActive }: { isActive: boolean }): string {
  return isActive
    ? 'block rounded-md bg-slate-100 px-3 py-1.5 text-sm font-medium text-slate-900'
    : 'block rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-50 hover:text-slate-900'
}

/** Top bar (product, links by permission, who you are, sign out) around every signed-in page. */
export function AppShell({ session }: { session: Session }) {
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const permissions = usePermissions()
  const location = useLocation()
  const navId = useId()
  // The nav collapses behind a "Menu" button on narrow screens; a navigation closes it.
  const [menuOpen, setMenuOpen] = useState(false)
  useEffect(() => setMenuOpen(false), [location.pathname])

  // An impersonation that ends on its own (expiry, 401) falls back to the actor's session:
  // take them back to their own landing page.
  const wasImpersonating = useRef(session.impersonation !== null)
  useEffect(() => {
    const now = session.impersonation !== null
    if (wasImpersonating.current && !now) navigate(landingFor(session.user.role), { replace: true })
    wasImpersonating.current = now
  }, [session.impersonation, session.user.role, navigate])

  const links = NAV.filter(
    (item) =>
      permissions?.has(item.permission) &&
      // A superadmin reads every organization but has none of their own: /platform lists them.
      !(item.to === '/org' && session.user.org_id === null),
  )

  async function onSignOut() {
    await signOut(() => queryClient.clear())
  }

  return (
    <div className="min-h-screen">
      <ImpersonationBanner session={session} />
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-x-4 gap-y-2 px-4 py-3 sm:px-6 lg:px-8">
          <div className="flex flex-wrap items-center gap-x-6 gap-y-2">
            <span className="text-lg font-semibold tracking-tight text-slate-900">Draxis</span>
            {links.length > 0 && (
              <button
                type="button"
                className={`${secondaryButton} md:hidden`}
                aria-expanded={menuOpen}
                aria-controls={navId}
                onClick={() => setMenuOpen((v) => !v)}
              >
                Menu
              </button>
            )}
          </div>
          <div className="flex flex-wrap items-center gap-3">
            {permissions?.has(PERMISSION.riskModelRead) && <GlobalSearch />}
            {session.user.tenant_id && <NotificationBell />}
            <AccountMenu session={session} onSignOut={() => void onSignOut()} />
          </div>
          {links.length > 0 && (
            <nav id={navId} aria-label="Main" className={`${menuOpen ? 'block' : 'hidden'} w-full md:block`}>
              <ul className="flex flex-col gap-1 md:flex-row md:flex-wrap">
                {links.map((item) => (
                  <li key={item.to}>
                    <NavLink to={item.to} end={item.to === '/'} className={navClass}>
                      {item.label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </nav>
          )}
        </div>
      </header>
      <Outlet />
    </div>
  )
}
