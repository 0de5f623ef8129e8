import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { QueryClientProvider } from '@tanstack/react-query'
import { MemoryRouter } from 'react-router'
import { describe, expect, it } from 'vitest'
import { makeQueryClient } from '../../App'
import { sessionFromAuth, setSession } from '../../session'
import { authResponse, jsonResponse, me } from '../../test/fixtures'
import { mockApi } from '../../test/mockApi'
import { assessment } from './fixtures'
import { VendorAssessments } from './VendorAssessments'

function renderSection() {
  return render(
    <MemoryRouter>
      <QueryClientProvider client={makeQueryClient()}>
        <VendorAssessments vendorId="v-1" />
      </QueryClientProvider>
    </MemoryRouter>,
  )
}

describe('VendorAssessments', () => {
  it('sends a questionnaire and shows the one-time link with a copy button', async () => {
    setSession(sessionFromAuth(authResponse()))
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/vendors/v-1/assessments': jsonResponse([assessment({ status: 'completed' })]),
      'GET /api/vendors/v-1/assessment-options': jsonResponse({
        questionnaires: [{ id: 'q-1', name: 'Security baseline', version: 2 }],
        contacts: [],
      }),
      'POST /api/vendors/v-1/assessments': jsonResponse({ ...assessment({ id: 'as-2', status: 'sent' }), link: 'https://draxis.test/respond#token=abc' }, 201),
    })
    const user = userEvent.setup()
    renderSection()
    expect(await screen.findByText('Completed')).toBeInTheDocument()
    await user.click(await screen.findByRole('button', { name: 'Send assessment' }))
    await user.type(await screen.findByLabelText('Recipient e-mail'), 'vera@vendor.example')
    await user.type(screen.getByLabelText('Due date'), '2027-01-31')
    await user.click(screen.getByRole('button', { name: 'Send' }))
    expect(await screen.findByTestId('assessment-link')).toHaveTextContent('https://draxis.test/respond#token=abc')
    expect(screen.getByRole('button', { name: 'Copy link' })).toBeInTheDocument()
    expect(api.callsTo('POST /api/vendors/v-1/assessments')[0]?.body).toMatchObject({
      questionnaire_id: 'q-1',
      recipient_email: 'vera@vendor.example',
      due_date: '2027-01-31',
      contact_id: null,
    })
  })

  it('cancels an open assessment after confirmation', async () => {
    setSession(sessionFromAuth(authResponse()))
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/vendors/v-1/assessments': jsonResponse([assessment({ status: 'sent', submitted_at: null, score: null, rating: null })]),
      'POST /api/assessments/as-1/cancel': jsonResponse(assessment({ status: 'cancelled' })),
    })
    const user = userEvent.setup()
    renderSection()
    await user.click(await screen.findByRole('button', { name: 'Cancel' }))
    expect(screen.getByRole('alertdialog', { name: 'Cancel the assessment?' })).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Cancel assessment' }))
    await screen.findByRole('button', { name: 'Send assessment' })
    expect(api.callsTo('POST /api/assessments/as-1/cancel')).toHaveLength(1)
  })
})
