import type { UserSummary } from '../identity'
import type { Fact, MemoryDocument } from '../memory'
import type { PanelInfo, PanelMessage, PanelSession, PanelSessionDetail, TurnEvent } from '../panel'
import { me, tenantAdmin } from './fixtures'

export const tenantUser: UserSummary = { ...tenantAdmin, id: 'u-2', email: 'bob@acme.test', role: 'tenant_user' }

/** `/api/me` with the panel and memory permissions of the role (the base fixture predates them). */
export function panelMe(user: UserSummary = tenantAdmin) {
  const base = me(user)
  const extra =
    user.role === 'tenant_admin'
      ? ['panel:use', 'knowledge:read', 'knowledge:write']
      : user.role === 'tenant_user'
        ? ['panel:use', 'knowledge:read']
        : []
  return { ...base, permissions: [...base.permissions, ...extra] }
}

export function panelInfo(mode: PanelInfo['mode'] = 'llm'): PanelInfo {
  return {
    mode,
    model: mode === 'llm' ? 'claude-test' : 'offline-analyst',
    personas: [
      { id: 'vciso', name: 'AI vCISO', role: 'moderator', prompt_version: 'vciso@1' },
      { id: 'privacy', name: 'Privacy', role: 'privacy', prompt_version: 'privacy@1' },
      { id: 'tprm', name: 'TPRM', role: 'tprm', prompt_version: 'tprm@1' },
      { id: 'insurance', name: 'Cyber insurance', role: 'insurance', prompt_version: 'insurance@1' },
    ],
  }
}

export function panelSession(overrides: Partial<PanelSession> = {}): PanelSession {
  return {
    id: 'ps-1',
    title: 'Are we ready for the DORA audit?',
    status: 'open',
    created_by: 'u-1',
    created_at: '2026-11-20T09:00:00Z',
    last_message_at: '2026-11-20T09:05:00Z',
    turn_count: 1,
    turn_in_progress: false,
    ended_at: null,
    ended_by: null,
    remembered_knowledge_id: null,
    ...overrides,
  }
}

let seq = 0

export function panelMessage(overrides: Partial<PanelMessage> = {}): PanelMessage {
  seq += 1
  return {
    id: overrides.id ?? `m-${seq}`,
    seq,
    turn: 1,
    kind: 'user',
    persona: null,
    target: null,
    content: 'text',
    rationale: null,
    decision: null,
    context: null,
    mode: 'llm',
    model: null,
    prompt_version: null,
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_creation_tokens: 0,
    latency_ms: 0,
    attempts: 1,
    trace_id: null,
    author_user_id: null,
    created_at: '2026-11-20T09:00:00Z',
    ...overrides,
  }
}

/** One whole-panel turn: question, decision (Privacy, TPRM), both answers, synthesis. */
export function completedTurn(turn: number, question: string, mode: PanelMessage['mode'] = 'llm'): PanelMessage[] {
  const model = mode === 'offline' ? 'offline-analyst' : 'claude-test'
  const base = turn * 10
  return [
    panelMessage({ seq: base + 1, turn, kind: 'user', target: 'panel', content: question, mode: null }),
    panelMessage({
      seq: base + 2,
      turn,
      kind: 'decision',
      persona: 'vciso',
      content: 'Privacy and TPRM',
      rationale: 'DORA touches personal data and ICT third parties.',
      decision: {
        framing: 'Board-level readiness for DORA',
        specialists: [
          { persona: 'privacy', question: 'Which DORA duties overlap GDPR?', why: 'incident reporting' },
          { persona: 'tprm', question: 'Which vendors are critical ICT providers?', why: 'register of information' },
        ],
      },
      mode,
      model,
    }),
    panelMessage({ seq: base + 3, turn, kind: 'specialist', persona: 'privacy', content: '- **GDPR** breach clock is 72h\n- DORA major incident: 4h', mode, model, input_tokens: 900, output_tokens: 200, latency_ms: 1800 }),
    panelMessage({ seq: base + 4, turn, kind: 'specialist', persona: 'tprm', content: 'Two vendors are critical.', mode, model }),
    panelMessage({
      seq: base + 5,
      turn,
      kind: 'synthesis',
      persona: 'vciso',
      content: 'Not yet ready: **close the vendor register gap**.',
      rationale: 'Both specialists point at third parties.',
      mode,
      model,
      input_tokens: 1500,
      output_tokens: 400,
      latency_ms: 3200,
    }),
  ]
}

export function sessionDetail(session: PanelSession, messages: PanelMessage[]): PanelSessionDetail {
  return { ...session, messages }
}

/** The text of an SSE event. */
export function sse(event: TurnEvent): string {
  const { type, ...data } = event
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`
}

/** An SSE response whose body the test writes to, one chunk at a time. */
export function controlledStream() {
  const enc = new TextEncoder()
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c
    },
  })
  return {
    response: () => new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } }),
    write: (text: string) => controller.enqueue(enc.encode(text)),
    close: () => controller.close(),
  }
}

export function fact(overrides: Partial<Fact> = {}): Fact {
  return {
    id: overrides.id ?? 'f-1',
    key: 'dora.register.owner',
    value: 'The CFO owns the register of information.',
    citation: 'Board minutes 2026-10',
    origin: 'manual',
    panel_session_id: null,
    author_user_id: 'u-1',
    created_at: '2026-11-01T09:00:00Z',
    updated_at: '2026-11-02T09:00:00Z',
    ...overrides,
  }
}

export function memoryDocument(overrides: Partial<MemoryDocument> = {}): MemoryDocument {
  return {
    id: overrides.id ?? 'd-1',
    title: 'Incident response policy',
    filename: 'ir-policy.pdf',
    media_type: 'application/pdf',
    byte_size: 250_000,
    sha256: 'ab'.repeat(32),
    page_count: 12,
    char_count: 40_000,
    chunk_count: 30,
    citation: 'IR policy v3',
    uploaded_by: 'u-1',
    uploaded_at: '2026-11-03T09:00:00Z',
    ...overrides,
  }
}

export function page<T>(items: T[], total = items.length, limit = 50, offset = 0) {
  return { items, total, limit, offset }
}
