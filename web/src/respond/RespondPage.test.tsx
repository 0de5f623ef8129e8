import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { jsonResponse, problem } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'
import { fileRefusal, visibleIds, type Assessment, type Document } from './portal'

const DOC: Document = {
  format: 'draxis.questionnaire/1',
  name: 'Sample',
  description: '',
  steps: [
    {
      id: 'access',
      title: 'Access control',
      description: '',
      questions: [
        { id: 'mfa', type: 'yes_no', text: 'Do you use MFA?', help: '', required: true, weight: 1, severity: 'high', evidence: 'none', requirement: '' },
        {
          id: 'mfa.scope',
          type: 'single_choice',
          text: 'Which accounts?',
          help: '',
          required: true,
          weight: 1,
          severity: 'medium',
          evidence: 'none',
          requirement: '',
          show_if: { question: 'mfa', equals: true },
          options: [
            { value: 'all', label: 'All accounts', score: 1 },
            { value: 'admins', label: 'Admins only', score: 0 },
          ],
        },
      ],
    },
  ],
}

function assessment(): Assessment {
  return {
    requester_name: 'Example Corp',
    vendor_name: 'Acme',
    recipient_name: 'Vera',
    recipient_email: 'vera@acme.example',
    message: '',
    due_date: '2027-01-01',
    expires_at: '2027-01-10T00:00:00Z',
    status: 'in_progress',
    questionnaire: DOC,
    answers: {},
    evidence: [],
    visible: ['mfa'],
    missing: [{ question_id: 'mfa', reason: 'an answer is required' }],
  }
}

afterEach(() => {
  window.sessionStorage.clear()
  window.history.replaceState(null, '', '/')
})

describe('visibleIds', () => {
  it('shows a conditional question only when its condition holds', () => {
    expect([...visibleIds(DOC, {})]).toEqual(['mfa'])
    expect([...visibleIds(DOC, { mfa: true })]).toEqual(['mfa', 'mfa.scope'])
    expect([...visibleIds(DOC, { mfa: false, 'mfa.scope': 'all' })]).toEqual(['mfa'])
  })
})

describe('fileRefusal', () => {
  it('pre-checks kind and size', () => {
    expect(fileRefusal(new File(['%PDF-'], 'a.pdf'))).toBeNull()
    expect(fileRefusal(new File(['x'], 'a.exe'))).toMatch(/Upload one of/)
    expect(fileRefusal(new File([], 'a.pdf'))).toBe('The file is empty.')
  })
})

describe('RespondPage', () => {
  it('takes the token from the fragment, wipes it and sends it as an Assessment header', async () => {
    window.history.replaceState(null, '', '/respond#token=tok-abcdefghijklmnop')
    const api = mockApi({
      'POST /api/auth/refresh': problem(401, 'No session'),
      'GET /api/respond': jsonResponse(assessment()),
      'PUT /api/respond/answers/mfa': jsonResponse({ question_id: 'mfa', value: true, visible: [], missing: [] }),
    })
    renderApp('/respond')
    expect(await screen.findByRole('heading', { name: 'Access control' }, { timeout: 15_000 })).toBeInTheDocument()
    expect(window.location.hash).toBe('')
    expect(window.sessionStorage.getItem('draxis.respond.token')).toBe('tok-abcdefghijklmnop')
    expect(screen.queryByRole('group', { name: /Which accounts/ })).toBeNull()
    await userEvent.setup().click(screen.getByLabelText('Yes'))
    expect(await screen.findByRole('group', { name: /Which accounts/ })).toBeInTheDocument()
    await waitFor(() => expect(screen.getByText('Saved')).toBeInTheDocument())
    const put = api.fetchMock.mock.calls.find(([url]) => String(url).endsWith('/api/respond/answers/mfa'))
    const headers = (put?.[1]?.headers ?? {}) as Record<string, string>
    expect(headers.authorization).toBe('Assessment tok-abcdefghijklmnop')
  })

  it('shows the server reason beside the field when a save is refused', async () => {
    window.history.replaceState(null, '', '/respond#token=tok-abcdefghijklmnop')
    mockApi({
      'POST /api/auth/refresh': problem(401, 'No session'),
      'GET /api/respond': jsonResponse(assessment()),
      'PUT /api/respond/answers/mfa': problem(422, 'Not saved: answer yes (true) or no (false).'),
    })
    renderApp('/respond')
    await userEvent.setup().click(await screen.findByLabelText('No'))
    expect(await screen.findByText('Could not save: answer yes (true) or no (false).')).toBeInTheDocument()
  })

  it('says so when the link is used or expired', async () => {
    window.history.replaceState(null, '', '/respond#token=tok-abcdefghijklmnop')
    mockApi({
      'POST /api/auth/refresh': problem(401, 'No session'),
      'GET /api/respond': problem(410, 'This assessment link is no longer valid.'),
    })
    renderApp('/respond')
    expect(await screen.findByRole('heading', { name: 'This assessment link can no longer be used' })).toBeInTheDocument()
    expect(window.sessionStorage.getItem('draxis.respond.token')).toBeNull()
  })

  it('says so when there is no token', async () => {
    mockApi({ 'POST /api/auth/refresh': problem(401, 'No session') })
    renderApp('/respond')
    expect(await screen.findByRole('heading', { name: 'This assessment link is incomplete' })).toBeInTheDocument()
  })
})
