import { Link } from 'react-router'
import { ChangePasswordForm } from '../components/ChangePasswordForm'
import { linkClass } from '../components/form'
import { NotificationPreferences } from '../components/NotificationPreferences'
import { Page, Section } from '../components/Page'
import { ROLE_LABEL } from '../identity'
import type { Session } from '../session'

/** `/account`: who you are signed in as, and your two-factor authentication. */
export function AccountPage({ session }: { session: Session }) {
  const { user, mfa } = session
  const where = session.impersonated_tenant_name ?? user.tenant_name
  return (
    <Page title="Your account">
      <Section title="Profile">
        <dl className="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-[auto_1fr]">
          <dt className="font-medium text-slate-700">Name</dt>
          <dd className="text-slate-900">{user.display_name}</dd>
          <dt className="font-medium text-slate-700">Email</dt>
          <dd className="text-slate-900">{user.email}</dd>
          <dt className="font-medium text-slate-700">Role</dt>
          <dd className="text-slate-900">{ROLE_LABEL[user.role] ?? user.role}</dd>
          {where && (
            <>
              <dt className="font-medium text-slate-700">Tenant</dt>
              <dd className="text-slate-900">{where}</dd>
            </>
          )}
        </dl>
      </Section>
      <Section title="Two-factor authentication">
        {mfa.enrolled ? (
          <p className="text-sm text-slate-700">
            An authenticator app is set up for your account. If you lose it, sign in with a recovery code, or ask an
            administrator to reset it.
          </p>
        ) : (
          <p className="text-sm text-slate-700">
            Not set up.{' '}
            <Link to="/mfa/enroll" className={linkClass}>
              Set up an authenticator app
            </Link>{' '}
            to protect your account with a one-time code.
          </p>
        )}
      </Section>
      {user.tenant_id && (
        <Section title="Notifications">
          <NotificationPreferences />
        </Section>
      )}
      <Section title="Password">
        {session.impersonation ? (
          <p className="text-sm text-slate-700">You cannot change a password while impersonating.</p>
        ) : (
          <ChangePasswordForm />
        )}
      </Section>
    </Page>
  )
}
