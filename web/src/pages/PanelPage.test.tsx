import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { PanelMessage, PanelSessionDetail } from '../panel'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, me, problem, tenantAdmin } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import {
  completedTurn,
  controlledStream,
  page,
  panelInfo,
  panelMe,
  panelMessage,
  panelSession,
  sessionDetail,
  sse,
  tenantUser,
} from '../test/panelFixtures'
import { renderApp } from '../test/render'

function signIn(user = authResponse().user) {
  setSession(sessionFromAuth(authResponse({ user })))
}

const OPEN = panelSession()
const carrierUser = { ...tenantAdmin, id: 'u-c', email: 'carol@carrier.test', role: 'carrier_user' as const, tenant_id: null, carrier_id: 'c-1' }

function baseRoutes(detail: () => PanelSessionDetail, mode: 'llm' | 'offline' = 'llm') {
  return {
    'GET /api/me': jsonResponse(panelMe(tenantUser)),
    'GET /api/panel': jsonResponse(panelInfo(mode)),
    'GET /api/panel-sessions': () => jsonResponse(page([detail()])),
    [`GET /api/panel-sessions/${OPEN.id}`]: () => jsonResponse(detail()),
  }
}

describe('PanelPage', () => {
  it('lists sessions newest first with their status, loads more, and links the nav entry', async () => {
    signIn(tenantUser)
    const first = Array.from({ length: 20 }, (_, i) => panelSession({ id: `ps-${i}`, title: `Session ${i}`, status: i === 1 ? 'ended' : 'open' }))
    const api = mockApi({
      'GET /api/me': jsonResponse(panelMe(tenantUser)),
      'GET /api/panel': jsonResponse(panelInfo()),
      'GET /api/panel-sessions': (call) => {
        const offset = Number(new URL(call.path, 'http://x').searchParams.get('offset'))
        return jsonResponse(offset === 0 ? page(first, 21, 20, 0) : page([panelSession({ id: 'ps-old', title: 'Oldest' })], 21, 20, 20))
      },
    })
    const user = userEvent.setup()
    renderApp('/panel')
    const items = await screen.findAllByTestId('session-item')
    expect(items).toHaveLength(20)
    expect(items[0]).toHaveTextContent('Session 0')
    expect(within(items[1]!).getByTestId('session-status')).toHaveTextContent('Ended')
    expect(within(items[0]!).getByTestId('session-status')).toHaveTextContent('Open')
    expect(within(items[0]!).getByRole('link')).toHaveAttribute('href', '/panel/ps-0')
    await user.click(screen.getByRole('button', { name: 'Load more' }))
    await waitFor(() => expect(screen.getAllByTestId('session-item')).toHaveLength(21))
    expect(api.callsTo('GET /api/panel-sessions').map((c) => c.path)).toEqual([
      '/api/panel-sessions?limit=20&offset=0',
      '/api/panel-sessions?limit=20&offset=20',
    ])
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Expert panel' })).toHaveAttribute('href', '/panel')
    expect(screen.getByRole('link', { name: 'Memory' })).toHaveAttribute('href', '/memory')
    expect(screen.queryByTestId('offline-banner')).not.toBeInTheDocument()
  })

  it('starts a new session and opens it', async () => {
    signIn(tenantUser)
    const created = panelSession({ id: 'ps-new', title: 'New session', turn_count: 0, last_message_at: null })
    const api = mockApi({
      'GET /api/me': jsonResponse(panelMe(tenantUser)),
      'GET /api/panel': jsonResponse(panelInfo()),
      'GET /api/panel-sessions': jsonResponse(page([])),
      'POST /api/panel-sessions': jsonResponse(created, 201),
      'GET /api/panel-sessions/ps-new': jsonResponse(sessionDetail(created, [])),
    })
    const user = userEvent.setup()
    renderApp('/panel')
    expect(await screen.findByText('No sessions yet. Start one to ask the panel.')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'New session' }))
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/panel/ps-new'))
    expect(api.callsTo('POST /api/panel-sessions')[0]?.body).toEqual({})
    expect(await screen.findByText('No questions yet. Ask the panel below.')).toBeInTheDocument()
  })

  it('renders turns: the question, the synthesis with its badge, and the rationale behind a toggle', async () => {
    signIn(tenantUser)
    const detail = sessionDetail(OPEN, completedTurn(1, 'Are we ready for DORA?'))
    mockApi(baseRoutes(() => detail))
    const user = userEvent.setup()
    renderApp(`/panel/${OPEN.id}`)
    const turn = await screen.findByTestId('panel-turn')
    expect(within(turn).getByTestId('user-question')).toHaveTextContent('Are we ready for DORA?')
    const synthesis = within(turn).getByTestId('synthesis')
    expect(within(synthesis).getByTestId('persona-badge')).toHaveTextContent('AI vCISO · synthesis')
    expect(within(synthesis).getByText('close the vendor register gap').tagName).toBe('STRONG')
    expect(within(synthesis).getByTestId('message-meta')).toHaveTextContent('claude-test · 1,500 in / 400 out tokens · 3.2 s')
    expect(screen.queryByTestId('turn-rationale')).not.toBeInTheDocument()

    const toggle = within(turn).getByRole('button', { name: 'Show rationale' })
    expect(toggle).toHaveAttribute('aria-expanded', 'false')
    await user.click(toggle)
    expect(toggle).toHaveAttribute('aria-expanded', 'true')
    const rationale = within(turn).getByTestId('turn-rationale')
    expect(rationale).toHaveTextContent('Both specialists point at third parties.')
    const decision = within(rationale).getByTestId('moderator-decision')
    expect(decision).toHaveTextContent('Framing: Board-level readiness for DORA')
    expect(decision).toHaveTextContent('Privacy: Which DORA duties overlap GDPR? — why: incident reporting')
    expect(decision).toHaveTextContent('TPRM: Which vendors are critical ICT providers?')
    const answers = within(rationale).getAllByTestId('specialist-answer')
    expect(answers.map((a) => within(a).getByTestId('persona-badge').textContent)).toEqual(['Privacy', 'TPRM'])
    expect(within(answers[0]!).getAllByRole('listitem')).toHaveLength(2)
    expect(within(answers[0]!).getByText('GDPR').tagName).toBe('STRONG')
    await user.click(within(turn).getByRole('button', { name: 'Hide rationale' }))
    expect(screen.queryByTestId('turn-rationale')).not.toBeInTheDocument()
  })

  it('shows the offline banner and marks offline messages', async () => {
    signIn(tenantUser)
    const detail = sessionDetail(OPEN, completedTurn(1, 'How are we doing?', 'offline'))
    mockApi(baseRoutes(() => detail, 'offline'))
    renderApp(`/panel/${OPEN.id}`)
    expect(await screen.findByTestId('offline-banner')).toHaveTextContent(
      'Offline analyst — no language model is configured; answers are built deterministically from your data',
    )
    const synthesis = await screen.findByTestId('synthesis')
    expect(within(synthesis).getByTestId('offline-badge')).toHaveTextContent('offline')
  })

  it('asks over SSE: the question at once, live progress, then the answer from the refetched session', async () => {
    signIn(tenantUser)
    let detail = sessionDetail(OPEN, completedTurn(1, 'First question'))
    const stream = controlledStream()
    const api = mockApi({ ...baseRoutes(() => detail), [`POST /api/panel-sessions/${OPEN.id}/messages`]: () => stream.response() })
    const user = userEvent.setup()
    renderApp(`/panel/${OPEN.id}`)
    await screen.findByTestId('panel-turn')

    await user.type(screen.getByLabelText('Your question'), 'Is our cyber cover enough?')
    await user.selectOptions(screen.getByLabelText('Ask'), 'panel')
    await user.click(screen.getByRole('button', { name: 'Ask' }))

    const live = await screen.findByTestId('live-turn')
    expect(within(live).getByTestId('user-question')).toHaveTextContent('Is our cyber cover enough?')
    expect(screen.getByLabelText('Your question')).toHaveValue('')
    expect(screen.getByRole('button', { name: 'Ask' })).toBeDisabled()
    expect(screen.getByRole('button', { name: 'End session' })).toBeDisabled()
    const call = api.callsTo(`POST /api/panel-sessions/${OPEN.id}/messages`)[0]
    expect(call?.body).toEqual({ content: 'Is our cyber cover enough?', target: 'panel' })
    expect(call?.token).toBe('tok-123')
    const init = api.fetchMock.mock.calls.find(([url]) => String(url).endsWith('/messages'))?.[1]
    expect((init?.headers as Record<string, string>).Accept).toMatch(/^text\/event-stream/)

    const turn2 = (m: Partial<PanelMessage>) => panelMessage({ turn: 2, ...m })
    const question = turn2({ kind: 'user', target: 'panel', content: 'Is our cyber cover enough?' })
    stream.write(': keep-alive\n\n')
    stream.write(sse({ type: 'turn.started', turn: 2, message: question }))
    await waitFor(() => expect(screen.getByTestId('live-progress')).toHaveTextContent('vCISO is deciding…'))

    const decision = turn2({
      kind: 'decision',
      persona: 'vciso',
      decision: { framing: 'cover', specialists: [{ persona: 'insurance', question: 'q', why: 'w' }, { persona: 'tprm', question: 'q', why: 'w' }] },
    })
    // An event split across two chunks.
    const text = sse({ type: 'moderator.decided', message: decision })
    stream.write(text.slice(0, 30))
    stream.write(text.slice(30))
    await waitFor(() => expect(screen.getByTestId('live-progress')).toHaveTextContent('Asked Insurance and TPRM (0 of 2 answered)…'))
    expect(screen.getAllByTestId('live-specialist').map((s) => s.textContent)).toEqual(['Insurance …', 'TPRM …'])

    const insurance = turn2({ kind: 'specialist', persona: 'insurance', content: 'Cover is thin.' })
    stream.write(sse({ type: 'specialist.answered', message: insurance }))
    await waitFor(() => expect(screen.getAllByTestId('live-specialist').map((s) => s.textContent)).toEqual(['Insurance ✓', 'TPRM …']))
    const tprmFailed = turn2({ kind: 'error', persona: 'tprm', content: 'TPRM timed out.' })
    stream.write(sse({ type: 'specialist.failed', message: tprmFailed }))
    await waitFor(() => expect(screen.getByTestId('live-progress')).toHaveTextContent('vCISO is synthesising…'))
    expect(screen.getAllByTestId('live-specialist').map((s) => s.textContent)).toEqual(['Insurance ✓', 'TPRM ✗ failed'])

    const synthesis = turn2({ kind: 'synthesis', persona: 'vciso', content: 'Raise the sublimit.', rationale: 'Insurance says so.' })
    stream.write(sse({ type: 'synthesis.done', message: synthesis }))
    detail = sessionDetail({ ...OPEN, turn_count: 2 }, [...completedTurn(1, 'First question'), question, decision, insurance, tprmFailed, synthesis])
    stream.write(sse({ type: 'turn.completed', turn: 2, latency_ms: 5000 }))
    stream.close()

    await waitFor(() => expect(screen.queryByTestId('live-turn')).not.toBeInTheDocument())
    const turns = screen.getAllByTestId('panel-turn')
    expect(turns).toHaveLength(2)
    expect(within(turns[1]!).getByTestId('synthesis')).toHaveTextContent('Raise the sublimit.')
    await user.click(within(turns[1]!).getByRole('button', { name: 'Show rationale' }))
    expect(within(turns[1]!).getByTestId('panel-error')).toHaveTextContent('TPRM timed out.')
    expect(screen.getByRole('button', { name: 'Ask' })).toBeDisabled() // empty box
    await user.type(screen.getByLabelText('Your question'), 'Next')
    expect(screen.getByRole('button', { name: 'Ask' })).toBeEnabled()
  })

  it('a failed turn shows its error in red', async () => {
    signIn(tenantUser)
    let detail = sessionDetail(OPEN, [])
    const stream = controlledStream()
    mockApi({ ...baseRoutes(() => detail), [`POST /api/panel-sessions/${OPEN.id}/messages`]: () => stream.response() })
    const user = userEvent.setup()
    renderApp(`/panel/${OPEN.id}`)
    await user.type(await screen.findByLabelText('Your question'), 'Ask TPRM directly')
    await user.selectOptions(screen.getByLabelText('Ask'), 'tprm')
    await user.click(screen.getByRole('button', { name: 'Ask' }))
    const question = panelMessage({ turn: 1, kind: 'user', target: 'tprm', content: 'Ask TPRM directly' })
    stream.write(sse({ type: 'turn.started', turn: 1, message: question }))
    await waitFor(() => expect(screen.getByTestId('live-progress')).toHaveTextContent('Asked TPRM…'))
    expect(within(screen.getByTestId('live-turn')).getByText('To TPRM')).toBeInTheDocument()
    const error = panelMessage({ turn: 1, kind: 'error', persona: null, content: 'The model did not answer (overloaded).' })
    detail = sessionDetail(OPEN, [question, error])
    stream.write(sse({ type: 'turn.failed', message: error }))
    stream.close()
    const turn = await screen.findByTestId('panel-turn')
    expect(turn).toHaveAttribute('data-status', 'failed')
    const shown = within(turn).getByTestId('panel-error')
    expect(shown).toHaveTextContent('The panel could not finish this turn')
    expect(shown).toHaveTextContent('The model did not answer (overloaded).')
    expect(shown.className).toMatch(/rose/)
    expect(screen.queryByTestId('live-turn')).not.toBeInTheDocument()
  })

  it('a refusal before the stream keeps the question and shows the problem', async () => {
    signIn(tenantUser)
    const detail = sessionDetail(OPEN, [])
    mockApi({
      ...baseRoutes(() => detail),
      [`POST /api/panel-sessions/${OPEN.id}/messages`]: problem(409, 'A turn of this session is already in progress.'),
    })
    const user = userEvent.setup()
    renderApp(`/panel/${OPEN.id}`)
    await user.type(await screen.findByLabelText('Your question'), 'Hello?')
    await user.click(screen.getByRole('button', { name: 'Ask' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('A turn of this session is already in progress.')
    expect(screen.getByLabelText('Your question')).toHaveValue('Hello?')
    expect(screen.queryByTestId('live-turn')).not.toBeInTheDocument()
  })

  it('ends a session after confirming; it becomes read-only and links the remembered fact', async () => {
    signIn(tenantUser)
    let detail = sessionDetail(OPEN, completedTurn(1, 'Q'))
    const ended = { ...OPEN, status: 'ended' as const, ended_at: '2026-11-20T10:00:00Z', ended_by: 'u-2', remembered_knowledge_id: 'f-9' }
    const api = mockApi({
      ...baseRoutes(() => detail),
      [`POST /api/panel-sessions/${OPEN.id}/end`]: () => {
        detail = sessionDetail(ended, detail.messages)
        return jsonResponse(ended)
      },
    })
    const user = userEvent.setup()
    renderApp(`/panel/${OPEN.id}`)
    await user.click(await screen.findByRole('button', { name: 'End session' }))
    const dialog = screen.getByRole('alertdialog', { name: 'End this session?' })
    const remember = within(dialog).getByLabelText('Keep the synthesis in institutional memory')
    expect(remember).toBeChecked()
    await user.click(within(dialog).getByRole('button', { name: 'End session' }))
    await waitFor(() => expect(api.callsTo(`POST /api/panel-sessions/${OPEN.id}/end`)).toHaveLength(1))
    expect(api.callsTo(`POST /api/panel-sessions/${OPEN.id}/end`)[0]?.body).toEqual({ remember: true })
    const note = await screen.findByTestId('ended-note')
    expect(note).toHaveTextContent('read-only')
    expect(within(note).getByRole('link', { name: 'see the remembered fact' })).toHaveAttribute('href', '/memory?fact=f-9')
    expect(screen.queryByRole('button', { name: 'End session' })).not.toBeInTheDocument()
    expect(screen.getByLabelText('Your question')).toBeDisabled()
    expect(screen.getByRole('button', { name: 'Ask' })).toBeDisabled()
    expect(within(screen.getByTestId('session-title')).getByTestId('session-status')).toHaveTextContent('Ended')
  })

  it('can end without remembering', async () => {
    signIn(tenantUser)
    const detail = sessionDetail(OPEN, [])
    const api = mockApi({
      ...baseRoutes(() => detail),
      [`POST /api/panel-sessions/${OPEN.id}/end`]: jsonResponse({ ...OPEN, status: 'ended' }),
    })
    const user = userEvent.setup()
    renderApp(`/panel/${OPEN.id}`)
    await user.click(await screen.findByRole('button', { name: 'End session' }))
    const dialog = screen.getByRole('alertdialog')
    await user.click(within(dialog).getByLabelText('Keep the synthesis in institutional memory'))
    await user.click(within(dialog).getByRole('button', { name: 'End session' }))
    await waitFor(() => expect(api.callsTo(`POST /api/panel-sessions/${OPEN.id}/end`)[0]?.body).toEqual({ remember: false }))
  })

  it('carrier users neither see nor reach the panel and memory', async () => {
    signIn(carrierUser)
    mockApi({ 'GET /api/me': jsonResponse(me(carrierUser)) })
    renderApp('/panel')
    expect(await screen.findByText('You do not have access to this page.')).toBeInTheDocument()
    expect(screen.queryByRole('link', { name: 'Expert panel' })).not.toBeInTheDocument()
    expect(screen.queryByRole('link', { name: 'Memory' })).not.toBeInTheDocument()
  })
})
