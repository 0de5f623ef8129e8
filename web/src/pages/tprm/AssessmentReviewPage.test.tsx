import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { sessionFromAuth, setSession } from '../../session'
import { authResponse, jsonResponse, me, problem } from '../../test/fixtures'
import { mockApi } from '../../test/mockApi'
import { renderApp } from '../../test/render'
import { assessment, question, review } from './fixtures'

describe('Assessment review page', () => {
  it('labels model-less scores, overrides a score with a reason and completes', async () => {
    setSession(sessionFromAuth(authResponse()))
    const ir = question({ id: 'ir', type: 'text', text: 'Breach notice?', answer: '72 hours', answer_label: '72 hours', needs_model: true, auto_score: 0.9, auto_source: 'offline', auto_rationale: 'Offline analyst: no language model is configured', effective_score: 0.9 })
    const staff = question()
    const overridden = review([ir, question({ override_score: 1, override_reason: 'Two hires next month', override_by_name: 'Alice', effective_score: 1 })], {
      result: { score: 91, rating: 'low', pending: 0, findings: [] },
    })
    const api = mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/assessments/as-1': jsonResponse(review([ir, staff])),
      'PUT /api/assessments/as-1/answers/staff/override': jsonResponse(overridden),
      'POST /api/assessments/as-1/complete': jsonResponse({ ...overridden, assessment: assessment({ status: 'completed', score: 91, rating: 'low' }), can_complete: false }),
    })
    const user = userEvent.setup()
    renderApp('/assessments/as-1')
    expect(await screen.findByText('Offline analyst — no model configured')).toBeInTheDocument()
    expect(screen.getByTestId('overall-score')).toHaveTextContent('81')
    expect(document.title).toContain('Assessment review')

    const form = screen.getByRole('form', { name: 'Override the score of staff' })
    await user.clear(within(form).getByLabelText(/Reviewer score/))
    await user.type(within(form).getByLabelText(/Reviewer score/), '1')
    await user.type(within(form).getByLabelText(/Reason/), 'Two hires next month')
    await user.click(within(form).getByRole('button', { name: 'Override' }))
    expect(await screen.findByTestId('override')).toHaveTextContent('Two hires next month')
    expect(screen.getByTestId('overall-score')).toHaveTextContent('91')
    expect(api.callsTo('PUT /api/assessments/as-1/answers/staff/override')[0]?.body).toEqual({ score: 1, reason: 'Two hires next month' })

    await user.click(screen.getByRole('button', { name: 'Complete review' }))
    expect(await screen.findByTestId('assessment-status')).toHaveTextContent('Completed')
    expect(api.callsTo('POST /api/assessments/as-1/complete')[0]?.body).toEqual({ force: false, reason: null })
  })

  it('asks for a reason to force completion when the model evaluation failed', async () => {
    setSession(sessionFromAuth(authResponse()))
    const waiting = question({ id: 'ir', needs_model: true, auto_score: null, auto_source: null, effective_score: null })
    mockApi({
      'GET /api/me': jsonResponse(me()),
      'GET /api/assessments/as-1': jsonResponse(
        review([waiting], {
          assessment: assessment({ evaluation: 'failed', evaluation_error: 'model unreachable' }),
          result: { score: 70, rating: 'medium', pending: 1, findings: [] },
          can_complete: false,
          complete_refusal: '1 question(s) still wait for the model evaluation, which failed',
        }),
      ),
      'POST /api/assessments/as-1/complete': problem(409, 'nope'),
    })
    const user = userEvent.setup()
    renderApp('/assessments/as-1')
    expect(await screen.findByText('Waiting for the model evaluation')).toBeInTheDocument()
    const complete = screen.getByRole('button', { name: 'Complete review' })
    expect(complete).toBeDisabled()
    await user.type(screen.getByLabelText(/Why complete without the model evaluation/), 'Read the report by hand')
    expect(complete).toBeEnabled()
  })
})
