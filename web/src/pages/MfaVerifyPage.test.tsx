import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { getSession, sessionFromAuth, setSession } from '../session'
import { authResponse, dashboard, jsonResponse, me, problem } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

const PENDING = { required: true, enrolled: true, verified: false }
const VERIFIED = { required: true, enrolled: true, verified: true }
const home = { 'GET /api/me': jsonResponse(me()), 'GET /api/dashboard': jsonResponse(dashboard([])) }

describe('MfaVerifyPage', () => {
  it('verifies a code and goes home', async () => {
    setSession(sessionFromAuth(authResponse({ mfa: PENDING })))
    const api = mockApi({
      ...home,
      'POST /api/auth/mfa/verify': jsonResponse(authResponse({ access_token: 'v-tok', mfa: VERIFIED })),
    })
    const user = userEvent.setup()
    renderApp('/mfa/verify')
    await user.type(await screen.findByLabelText('Authentication code'), '492039')
    await user.click(screen.getByRole('button', { name: 'Verify' }))
    expect(await screen.findByTestId('tenant-name')).toBeInTheDocument()
    expect(api.callsTo('POST /api/auth/mfa/verify')[0]?.body).toEqual({ code: '492039' })
    expect(getSession()?.token).toBe('v-tok')
  })

  it('shows a wrong code', async () => {
    setSession(sessionFromAuth(authResponse({ mfa: PENDING })))
    mockApi({ 'POST /api/auth/mfa/verify': problem(401, 'That authentication code is not valid.') })
    const user = userEvent.setup()
    renderApp('/mfa/verify')
    await user.type(await screen.findByLabelText('Authentication code'), '111111')
    await user.click(screen.getByRole('button', { name: 'Verify' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('not valid')
    expect(getSession()?.mfa.verified).toBe(false)
  })

  it('switches to a recovery code and shows how few are left', async () => {
    setSession(sessionFromAuth(authResponse({ mfa: PENDING })))
    const api = mockApi({
      ...home,
      'POST /api/auth/mfa/recover': jsonResponse({ ...authResponse({ mfa: VERIFIED }), recovery_codes_left: 2 }),
    })
    const user = userEvent.setup()
    renderApp('/mfa/verify')
    await user.click(await screen.findByRole('link', { name: 'Use a recovery code' }))
    await user.type(screen.getByLabelText('Recovery code'), 'k3xbd-7mq2p')
    await user.click(screen.getByRole('button', { name: 'Use recovery code' }))
    expect(await screen.findByRole('status')).toHaveTextContent('You have 2 recovery codes left.')
    expect(api.callsTo('POST /api/auth/mfa/recover')[0]?.body).toEqual({ recovery_code: 'k3xbd-7mq2p' })
    await user.click(screen.getByRole('button', { name: 'Continue' }))
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/$/))
  })
})
