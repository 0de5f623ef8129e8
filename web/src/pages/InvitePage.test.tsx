import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { authResponse, jsonResponse, problem } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

async function accept(password = 'a long enough password') {
  const user = userEvent.setup()
  await user.type(await screen.findByLabelText('Display name'), 'New Person')
  await user.type(screen.getByLabelText('Password'), password)
  await user.type(screen.getByLabelText('Confirm password'), password)
  await user.click(screen.getByRole('button', { name: 'Accept invitation' }))
}

describe('InvitePage', () => {
  it('accepts the invite and follows the MFA routing', async () => {
    const api = mockApi({
      'POST /api/auth/refresh': problem(401, 'No session'),
      'POST /api/auth/invites/accept': jsonResponse(
        authResponse({ mfa: { required: true, enrolled: false, verified: false } }),
        201,
      ),
      'POST /api/auth/mfa/enroll': jsonResponse({ secret: 'ABCD', provisioning_uri: 'otpauth://totp/x?secret=ABCD' }),
    })
    renderApp('/invite?token=tok-abc')
    await accept()
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/mfa/enroll'))
    expect(api.callsTo('POST /api/auth/invites/accept')[0]?.body).toEqual({
      token: 'tok-abc',
      display_name: 'New Person',
      password: 'a long enough password',
    })
  })

  it('shows a used or expired invite (410)', async () => {
    mockApi({
      'POST /api/auth/refresh': problem(401, 'No session'),
      'POST /api/auth/invites/accept': problem(410, 'This invitation has been used or has expired.'),
    })
    renderApp('/invite?token=tok-abc')
    await accept()
    expect(await screen.findByRole('alert')).toHaveTextContent('used or has expired')
  })

  it('says so when the link has no token', async () => {
    mockApi({ 'POST /api/auth/refresh': problem(401, 'No session') })
    renderApp('/invite')
    expect(await screen.findByRole('alert')).toHaveTextContent('incomplete')
  })
})
