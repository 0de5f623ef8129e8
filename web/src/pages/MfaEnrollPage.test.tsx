import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { getSession, sessionFromAuth, setSession } from '../session'
import { authResponse, dashboard, jsonResponse, me, problem } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

const PENDING = { required: true, enrolled: false, verified: false }
const CODES = Array.from({ length: 10 }, (_, i) => `code-${String(i).padStart(2, '0')}x`)
const ENROLLMENT = {
  secret: 'JBSWY3DPEHPK3PXP',
  provisioning_uri: 'otpauth://totp/Draxis:ada%40acme.test?secret=JBSWY3DPEHPK3PXP&issuer=Draxis',
}

describe('MfaEnrollPage', () => {
  it('shows the QR code and secret, confirms a code, shows the recovery codes once, then goes home', async () => {
    setSession(sessionFromAuth(authResponse({ mfa: PENDING })))
    const api = mockApi({
      'POST /api/auth/mfa/enroll': jsonResponse(ENROLLMENT),
      'POST /api/auth/mfa/enroll/confirm': (call) =>
        (call.body as { code: string }).code === '123456'
          ? jsonResponse({
              ...authResponse({ access_token: 'verified-tok', mfa: { required: true, enrolled: true, verified: true } }),
              recovery_codes: CODES,
            })
          : problem(401, 'That authentication code is not valid.'),
      'GET /api/me': jsonResponse(me()),
      'GET /api/dashboard': jsonResponse(dashboard([])),
    })
    const user = userEvent.setup()
    renderApp('/mfa/enroll')

    expect(await screen.findByTestId('mfa-secret')).toHaveTextContent('JBSW Y3DP EHPK 3PXP')
    expect(within(screen.getByTestId('mfa-qr')).getByTitle('QR code for your authenticator app')).toBeInTheDocument()
    expect(screen.getByTestId('mfa-qr').querySelector('svg')).not.toBeNull()

    // Client-side check: six digits.
    await user.type(screen.getByLabelText('Authentication code'), '12')
    await user.click(screen.getByRole('button', { name: 'Verify' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('6-digit code')
    expect(api.callsTo('POST /api/auth/mfa/enroll/confirm')).toHaveLength(0)

    // A wrong code: the server's problem.
    await user.clear(screen.getByLabelText('Authentication code'))
    await user.type(screen.getByLabelText('Authentication code'), '000000')
    await user.click(screen.getByRole('button', { name: 'Verify' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('That authentication code is not valid.')

    await user.type(screen.getByLabelText('Authentication code'), '123456')
    await user.click(screen.getByRole('button', { name: 'Verify' }))

    const list = await screen.findByTestId('recovery-codes')
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual(CODES)
    expect(screen.getByRole('button', { name: 'Copy codes' })).toBeInTheDocument()
    expect(getSession()?.token).toBe('verified-tok')
    expect(getSession()?.mfa.verified).toBe(true)
    expect(api.callsTo('POST /api/auth/mfa/enroll')).toHaveLength(1)

    await user.click(screen.getByRole('button', { name: 'Copy codes' }))
    expect(await navigator.clipboard.readText()).toBe(CODES.join('\n'))

    await user.click(screen.getByRole('button', { name: 'I have saved these codes' }))
    expect(await screen.findByTestId('tenant-name')).toBeInTheDocument()
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/$/))
    // Only one enrollment was started throughout.
    expect(api.callsTo('POST /api/auth/mfa/enroll')).toHaveLength(1)
  })

  it('says so when MFA is already enrolled (409)', async () => {
    setSession(sessionFromAuth(authResponse({ mfa: { required: true, enrolled: true, verified: false } })))
    mockApi({ 'POST /api/auth/mfa/enroll': problem(409, 'MFA is already enrolled; ask an administrator to reset it.') })
    renderApp('/mfa/enroll')
    expect(await screen.findByRole('alert')).toHaveTextContent('already enrolled')
    expect(screen.getByRole('link', { name: 'Enter a code instead' })).toHaveAttribute('href', '/mfa/verify')
  })

  it('needs a session', async () => {
    mockApi({
      'POST /api/auth/refresh': problem(401, 'nope'),
      'GET /api/auth/needs-setup': jsonResponse({ needs_setup: false }),
    })
    renderApp('/mfa/enroll')
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument()
  })
})
