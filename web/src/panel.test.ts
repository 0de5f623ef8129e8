import { describe, expect, it } from 'vitest'
import {
  groupTurns,
  liveTurnReducer,
  messageMeta,
  parseInline,
  parseMarkdown,
  progressText,
  readSse,
  SseParser,
  toTurnEvent,
  turnStatus,
  type LiveAction,
  type LiveTurn,
  type SseEvent,
} from './panel'
import { panelMessage } from './test/panelFixtures'

function parseAll(chunks: string[]): SseEvent[] {
  const p = new SseParser()
  return chunks.flatMap((c) => p.push(c))
}

function streamOf(chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder()
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(typeof c === 'string' ? enc.encode(c) : c)
      controller.close()
    },
  })
}

describe('SseParser', () => {
  it('parses events with names and JSON data', () => {
    expect(parseAll(['event: turn.started\ndata: {"turn":1}\n\nevent: turn.completed\ndata: {"turn":1}\n\n'])).toEqual([
      { event: 'turn.started', data: '{"turn":1}' },
      { event: 'turn.completed', data: '{"turn":1}' },
    ])
  })

  it('joins multi-line data, defaults the name, ignores comments, keep-alives and unknown fields', () => {
    expect(parseAll([': keep-alive\n\n', 'id: 7\nretry: 100\ndata: one\ndata:two\ndata\n\n', ':ping\n\n'])).toEqual([
      { event: 'message', data: 'one\ntwo\n' },
    ])
  })

  it('handles lines and events split across chunks, and CRLF / CR line ends (also split)', () => {
    const text = 'event: a\r\ndata: {"x":1}\r\n\r\nevent: b\rdata: 2\r\r'
    const whole = parseAll([text])
    expect(whole).toEqual([
      { event: 'a', data: '{"x":1}' },
      { event: 'b', data: '2' },
    ])
    // Every split point gives the same events.
    for (let i = 1; i < text.length; i++) expect(parseAll([text.slice(0, i), text.slice(i)])).toEqual(whole)
    // One character at a time.
    expect(parseAll([...text])).toEqual(whole)
  })

  it('drops an event without its closing blank line', () => {
    const p = new SseParser()
    expect(p.push('event: a\ndata: 1\n')).toEqual([])
    expect(p.end()).toEqual([])
  })
})

describe('readSse', () => {
  it('decodes UTF-8 split across chunks', async () => {
    const bytes = new TextEncoder().encode('event: x\ndata: "Zürich — ✓"\n\n')
    const cut = 16 // inside "ü"
    const events: SseEvent[] = []
    for await (const e of readSse(streamOf([bytes.slice(0, cut), bytes.slice(cut, cut + 5), bytes.slice(cut + 5)]))) events.push(e)
    expect(events).toEqual([{ event: 'x', data: '"Zürich — ✓"' }])
  })
})

describe('toTurnEvent', () => {
  it('reads the known events and ignores the rest', () => {
    const message = panelMessage({ kind: 'decision' })
    expect(toTurnEvent({ event: 'moderator.decided', data: JSON.stringify({ message }) })).toEqual({ type: 'moderator.decided', message })
    expect(toTurnEvent({ event: 'turn.completed', data: '{"turn":2,"latency_ms":1500}' })).toEqual({
      type: 'turn.completed',
      turn: 2,
      latency_ms: 1500,
    })
    expect(toTurnEvent({ event: 'turn.started', data: JSON.stringify({ turn: 1, message }) })).toMatchObject({ type: 'turn.started', turn: 1 })
    expect(toTurnEvent({ event: 'something.else', data: JSON.stringify({ message }) })).toBeNull()
    expect(toTurnEvent({ event: 'turn.failed', data: 'not json' })).toBeNull()
    expect(toTurnEvent({ event: 'synthesis.done', data: '{}' })).toBeNull()
  })
})

describe('groupTurns', () => {
  it('groups by turn in seq order; specialist failures go with the answers, others stop the turn', () => {
    const trail = [
      panelMessage({ seq: 6, turn: 2, kind: 'user', content: 'Q2' }),
      panelMessage({ seq: 1, turn: 1, kind: 'user', content: 'Q1' }),
      panelMessage({ seq: 3, turn: 1, kind: 'specialist', persona: 'privacy' }),
      panelMessage({ seq: 2, turn: 1, kind: 'decision', persona: 'vciso' }),
      panelMessage({ seq: 4, turn: 1, kind: 'error', persona: 'tprm', content: 'tprm timed out' }),
      panelMessage({ seq: 5, turn: 1, kind: 'synthesis', persona: 'vciso' }),
      panelMessage({ seq: 7, turn: 2, kind: 'error', persona: null, content: 'model error' }),
    ]
    const turns = groupTurns(trail)
    expect(turns.map((t) => t.turn)).toEqual([1, 2])
    const [one, two] = turns
    expect(one?.user?.content).toBe('Q1')
    expect(one?.decision?.seq).toBe(2)
    expect(one?.answers.map((m) => m.seq)).toEqual([3, 4])
    expect(one?.synthesis?.seq).toBe(5)
    expect(one?.errors).toEqual([])
    expect(turnStatus(one!)).toBe('completed')
    expect(two?.errors.map((m) => m.content)).toEqual(['model error'])
    expect(turnStatus(two!)).toBe('failed')
    expect(turnStatus({ ...two!, errors: [] })).toBe('incomplete')
  })
})

function run(actions: LiveAction[]): LiveTurn | null {
  return actions.reduce<LiveTurn | null>(liveTurnReducer, null)
}

describe('liveTurnReducer', () => {
  const decision = panelMessage({
    kind: 'decision',
    persona: 'vciso',
    decision: {
      framing: 'DORA',
      specialists: [
        { persona: 'privacy', question: 'q', why: 'w' },
        { persona: 'tprm', question: 'q', why: 'w' },
      ],
    },
  })

  it('follows a whole-panel turn from the question to done', () => {
    let live = run([{ type: 'start', question: 'Ready for DORA?', target: 'panel' }])
    expect(live?.phase).toBe('sending')
    expect(live?.question).toBe('Ready for DORA?')
    expect(progressText(live!)).toBe('Sending your question…')

    live = liveTurnReducer(live, { type: 'turn.started', turn: 3, message: panelMessage({ kind: 'user' }) })
    expect(live?.turn).toBe(3)
    expect(progressText(live!)).toBe('vCISO is deciding…')

    live = liveTurnReducer(live, { type: 'moderator.decided', message: decision })
    expect(live?.specialists).toEqual([
      { persona: 'privacy', status: 'working' },
      { persona: 'tprm', status: 'working' },
    ])
    expect(progressText(live!)).toBe('Asked Privacy and TPRM (0 of 2 answered)…')

    live = liveTurnReducer(live, { type: 'specialist.answered', message: panelMessage({ kind: 'specialist', persona: 'tprm' }) })
    expect(live?.phase).toBe('consulting')
    live = liveTurnReducer(live, { type: 'specialist.failed', message: panelMessage({ kind: 'error', persona: 'privacy' }) })
    expect(live?.specialists.map((s) => s.status)).toEqual(['failed', 'answered'])
    expect(progressText(live!)).toBe('vCISO is synthesising…')

    live = liveTurnReducer(live, { type: 'synthesis.done', message: panelMessage({ kind: 'synthesis', persona: 'vciso' }) })
    expect(live?.synthesis).not.toBeNull()
    live = liveTurnReducer(live, { type: 'turn.completed', turn: 3, latency_ms: 4200 })
    expect(live?.phase).toBe('completed')
    expect(live?.latencyMs).toBe(4200)
    expect(live?.messages).toHaveLength(5)
  })

  it('a direct question has its specialist at work at once; a moderator that calls nobody goes to synthesis', () => {
    const direct = run([
      { type: 'start', question: 'q', target: 'insurance' },
      { type: 'turn.started', turn: 1, message: panelMessage({ kind: 'user' }) },
    ])
    expect(direct?.phase).toBe('consulting')
    expect(progressText(direct!)).toBe('Asked Insurance…')
    const none = run([
      { type: 'start', question: 'q', target: 'panel' },
      { type: 'turn.started', turn: 1, message: panelMessage({ kind: 'user' }) },
      { type: 'moderator.decided', message: panelMessage({ kind: 'decision', decision: { framing: '', specialists: [] } }) },
    ])
    expect(none?.phase).toBe('synthesising')
  })

  it('fails on turn.failed or a broken stream, and then ignores further events', () => {
    const failed = run([
      { type: 'start', question: 'q', target: 'panel' },
      { type: 'turn.failed', message: panelMessage({ kind: 'error', content: 'The routing decision was malformed.' }) },
      { type: 'turn.completed', turn: 1, latency_ms: 1 },
    ])
    expect(failed?.phase).toBe('failed')
    expect(progressText(failed!)).toBe('Failed: The routing decision was malformed.')
    const broken = run([
      { type: 'start', question: 'q', target: 'panel' },
      { type: 'stream.error', detail: 'Connection lost.' },
    ])
    expect(broken?.error).toBe('Connection lost.')
    expect(liveTurnReducer(broken, { type: 'reset' })).toBeNull()
  })
})

describe('messageMeta', () => {
  it('says model, tokens and latency when there are some', () => {
    expect(messageMeta(panelMessage({ model: 'claude-x', input_tokens: 1200, output_tokens: 300, latency_ms: 2400 }))).toBe(
      'claude-x · 1,200 in / 300 out tokens · 2.4 s',
    )
    expect(messageMeta(panelMessage({ model: null, input_tokens: 0, output_tokens: 0, latency_ms: 0 }))).toBe('')
  })
})

describe('parseMarkdown', () => {
  it('reads paragraphs with line breaks, bullets, numbered lists, headings, bold and code', () => {
    const blocks = parseMarkdown('## Verdict\nWe are **not** ready.\nSecond line\n\n- one `x`\n* two\n  continued\n1. first\n2. second\nafter')
    expect(blocks).toEqual([
      { kind: 'heading', inlines: [{ kind: 'text', text: 'Verdict' }] },
      {
        kind: 'paragraph',
        lines: [
          [
            { kind: 'text', text: 'We are ' },
            { kind: 'strong', text: 'not' },
            { kind: 'text', text: ' ready.' },
          ],
          [{ kind: 'text', text: 'Second line' }],
        ],
      },
      {
        kind: 'list',
        ordered: false,
        items: [
          [
            { kind: 'text', text: 'one ' },
            { kind: 'code', text: 'x' },
          ],
          [
            { kind: 'text', text: 'two' },
            { kind: 'text', text: ' ' },
            { kind: 'text', text: 'continued' },
          ],
        ],
      },
      {
        kind: 'list',
        ordered: true,
        items: [[{ kind: 'text', text: 'first' }], [{ kind: 'text', text: 'second' }]],
      },
      { kind: 'paragraph', lines: [[{ kind: 'text', text: 'after' }]] },
    ])
  })

  it('leaves markup-like text that is not markup alone (no HTML is ever produced)', () => {
    expect(parseInline('<script>x</script> 2 * 3 snake_case_name')).toEqual([{ kind: 'text', text: '<script>x</script> 2 * 3 snake_case_name' }])
    expect(parseInline('an *emphasis*')).toEqual([
      { kind: 'text', text: 'an ' },
      { kind: 'em', text: 'emphasis' },
    ])
  })
})
