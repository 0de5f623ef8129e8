// The expert panel (docs/panel.md): a vCISO moderator and three specialists answering a tenant's
// questions. Types of the API, the personas, and the pure helpers the page shares: grouping a
// session's trail into turns, parsing a Server-Sent Events stream, and folding its events into
// the progress of the turn being asked. Route functions are in panelApi.ts.
import type { Schema } from './api/client'

export type PersonaId = Schema<'PersonaOut'>['id']
export type SpecialistId = Exclude<PersonaId, 'vciso'>
export type PanelTarget = Schema<'AskIn'>['target']
export type MessageKind = Schema<'PanelMessageOut'>['kind']
export type PanelMode = Schema<'PanelInfo'>['mode']

/** From the OpenAPI document (`PanelSessionOut`). */
export type PanelSession = Schema<'PanelSessionOut'>

export type DecisionSpecialist = Schema<'AssignmentOut'>

export type Decision = Schema<'DecisionOut'>

export type PanelMessage = Schema<'PanelMessageOut'>

export type PanelSessionDetail = Schema<'SessionDetail'>

export type PanelSessionPage = Schema<'Page_PanelSessionOut_'>

export type PanelPersonaInfo = Schema<'PersonaOut'>

export type PanelInfo = Schema<'PanelInfo'>

export type AskBody = Schema<'AskIn'>

export const PANEL_PERMISSION = 'panel:use'

export const MAX_QUESTION_CHARS = 8000

export const OFFLINE_BANNER_TEXT =
  'Offline analyst — no language model is configured; answers are built deterministically from your data'

// ---- personas ---------------------------------------------------------------------------------

export interface PersonaMeta {
  /** The persona's full name. */
  name: string
  /** A short label for chips and progress. */
  badge: string
  /** Full class strings so Tailwind can see them. */
  className: string
}

export const PERSONAS: Record<PersonaId, PersonaMeta> = {
  vciso: { name: 'AI vCISO', badge: 'vCISO', className: 'bg-indigo-100 text-indigo-900 ring-indigo-200' },
  privacy: { name: 'Privacy', badge: 'Privacy', className: 'bg-teal-100 text-teal-900 ring-teal-200' },
  tprm: { name: 'TPRM', badge: 'TPRM', className: 'bg-amber-100 text-amber-900 ring-amber-200' },
  insurance: { name: 'Cyber insurance', badge: 'Insurance', className: 'bg-fuchsia-100 text-fuchsia-900 ring-fuchsia-200' },
}

export const SPECIALISTS: readonly SpecialistId[] = ['privacy', 'tprm', 'insurance']

export function isSpecialist(p: unknown): p is SpecialistId {
  return typeof p === 'string' && (SPECIALISTS as readonly string[]).includes(p)
}

export function personaMeta(p: PersonaId | null | undefined): PersonaMeta | null {
  return p ? (PERSONAS[p] ?? null) : null
}

export const TARGET_OPTIONS: readonly { value: PanelTarget; label: string }[] = [
  { value: 'panel', label: 'Whole panel' },
  { value: 'privacy', label: 'Privacy' },
  { value: 'tprm', label: 'TPRM' },
  { value: 'insurance', label: 'Cyber insurance' },
]

// ---- turns ------------------------------------------------------------------------------------

export interface Turn {
  turn: number
  user: PanelMessage | null
  decision: PanelMessage | null
  /** The specialists' answers and their failures (errors with a specialist persona), in order. */
  answers: PanelMessage[]
  synthesis: PanelMessage | null
  /** Errors that stopped the turn (no specialist persona). */
  errors: PanelMessage[]
}

export type TurnStatus = 'completed' | 'failed' | 'incomplete'

/** A session's trail (any order) as its turns, oldest first, each in `seq` order. */
export function groupTurns(messages: readonly PanelMessage[]): Turn[] {
  const byTurn = new Map<number, Turn>()
  for (const m of [...messages].sort((a, b) => a.seq - b.seq)) {
    let t = byTurn.get(m.turn)
    if (!t) {
      t = { turn: m.turn, user: null, decision: null, answers: [], synthesis: null, errors: [] }
      byTurn.set(m.turn, t)
    }
    if (m.kind === 'user') t.user = m
    else if (m.kind === 'decision') t.decision = m
    else if (m.kind === 'specialist') t.answers.push(m)
    else if (m.kind === 'synthesis') t.synthesis = m
    else if (m.kind === 'error') (isSpecialist(m.persona) ? t.answers : t.errors).push(m)
  }
  return [...byTurn.values()].sort((a, b) => a.turn - b.turn)
}

export function turnStatus(t: Turn): TurnStatus {
  if (t.synthesis) return 'completed'
  if (t.errors.length > 0) return 'failed'
  return 'incomplete'
}

// ---- Server-Sent Events -----------------------------------------------------------------------

export interface SseEvent {
  event: string
  data: string
}

/**
 * An incremental parser of a `text/event-stream` (the WHATWG rules): lines end in LF, CR or
 * CRLF (also split across chunks); `:` lines are comments (keep-alives); `data:` lines of one
 * event are joined with LF; a blank line dispatches the event (none when it has no data).
 */
export class SseParser {
  private buffer = ''
  private pendingCr = false
  private eventName = ''
  private dataLines: string[] = []

  /** Feeds decoded text; answers the events it completed. */
  push(chunk: string): SseEvent[] {
    let text = chunk
    if (this.pendingCr) {
      this.pendingCr = false
      if (text.startsWith('\n')) text = text.slice(1)
    }
    this.buffer += text
    const out: SseEvent[] = []
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer)
      if (!match) break
      // A CR that ends the buffer may be the first half of a CRLF.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) {
        this.pendingCr = true
      }
      const line = this.buffer.slice(0, match.index)
      this.buffer = this.buffer.slice(match.index + match[0].length)
      const event = this.line(line)
      if (event) out.push(event)
    }
    return out
  }

  /** The stream ended: an event without its closing blank line is dropped, as the spec says. */
  end(): SseEvent[] {
    this.buffer = ''
    this.pendingCr = false
    this.eventName = ''
    this.dataLines = []
    return []
  }

  private line(line: string): SseEvent | null {
    if (line === '') {
      const event = this.dataLines.length > 0 ? { event: this.eventName || 'message', data: this.dataLines.join('\n') } : null
      this.eventName = ''
      this.dataLines = []
      return event
    }
    if (line.startsWith(':')) return null
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') this.eventName = value
    else if (field === 'data') this.dataLines.push(value)
    // `id` and `retry` mean nothing to a one-shot POST stream.
    return null
  }
}

/** The events of a response body, as they arrive. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const parser = new SseParser()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      yield* parser.push(decoder.decode(value, { stream: true }))
    }
    yield* parser.push(decoder.decode())
    parser.end()
  } finally {
    reader.releaseLock()
  }
}

// ---- turn events ------------------------------------------------------------------------------

export type TurnEvent =
  | { type: 'turn.started'; turn: number; message: PanelMessage }
  | { type: 'moderator.decided'; message: PanelMessage }
  | { type: 'specialist.answered'; message: PanelMessage }
  | { type: 'specialist.failed'; message: PanelMessage }
  | { type: 'synthesis.done'; message: PanelMessage }
  | { type: 'turn.completed'; turn: number; latency_ms: number }
  | { type: 'turn.failed'; message: PanelMessage }

const MESSAGE_EVENTS = ['moderator.decided', 'specialist.answered', 'specialist.failed', 'synthesis.done', 'turn.failed'] as const

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function asMessage(v: unknown): PanelMessage | null {
  return isRecord(v) && typeof v.kind === 'string' && typeof v.content === 'string' ? (v as unknown as PanelMessage) : null
}

/** An SSE event as a turn event, or null (an unknown event, bad JSON). */
export function toTurnEvent(e: SseEvent): TurnEvent | null {
  let data: unknown
  try {
    data = JSON.parse(e.data)
  } catch {
    return null
  }
  if (!isRecord(data)) return null
  if (e.event === 'turn.started') {
    const message = asMessage(data.message)
    return message && typeof data.turn === 'number' ? { type: 'turn.started', turn: data.turn, message } : null
  }
  if (e.event === 'turn.completed') {
    return typeof data.turn === 'number'
      ? { type: 'turn.completed', turn: data.turn, latency_ms: typeof data.latency_ms === 'number' ? data.latency_ms : 0 }
      : null
  }
  const type = MESSAGE_EVENTS.find((t) => t === e.event)
  const message = asMessage(data.message)
  return type && message ? { type, message } : null
}

// ---- the live turn ----------------------------------------------------------------------------

export type LivePhase = 'sending' | 'deciding' | 'consulting' | 'synthesising' | 'completed' | 'failed'
export type SpecialistProgress = 'working' | 'answered' | 'failed'

export interface LiveTurn {
  question: string
  target: PanelTarget
  phase: LivePhase
  turn: number | null
  /** The specialists called, in the moderator's order, and how each is doing. */
  specialists: { persona: SpecialistId; status: SpecialistProgress }[]
  /** The moderator has decided (so `specialists` is the whole list). */
  decided: boolean
  messages: PanelMessage[]
  synthesis: PanelMessage | null
  /** Why the turn failed: the server's error message, or the client's own words. */
  error: string | null
  latencyMs: number | null
}

export type LiveAction =
  | TurnEvent
  | { type: 'start'; question: string; target: PanelTarget }
  /** The stream broke, or ended before the turn did. */
  | { type: 'stream.error'; detail: string }
  | { type: 'reset' }

export function startLiveTurn(question: string, target: PanelTarget): LiveTurn {
  return {
    question,
    target,
    phase: 'sending',
    turn: null,
    specialists: [],
    decided: false,
    messages: [],
    synthesis: null,
    error: null,
    latencyMs: null,
  }
}

export function isRunning(live: LiveTurn | null): boolean {
  return live !== null && live.phase !== 'completed' && live.phase !== 'failed'
}

function withSpecialist(live: LiveTurn, persona: SpecialistId, status: SpecialistProgress): LiveTurn['specialists'] {
  return live.specialists.some((s) => s.persona === persona)
    ? live.specialists.map((s) => (s.persona === persona ? { ...s, status } : s))
    : [...live.specialists, { persona, status }]
}

function afterSpecialists(live: LiveTurn, specialists: LiveTurn['specialists']): LivePhase {
  if (!live.decided && live.target === 'panel') return live.phase
  return specialists.every((s) => s.status !== 'working') ? 'synthesising' : 'consulting'
}

/** Applies one event (or the client's own start / failure) to the live turn. */
export function liveTurnReducer(live: LiveTurn | null, action: LiveAction): LiveTurn | null {
  if (action.type === 'start') return startLiveTurn(action.question, action.target)
  if (action.type === 'reset') return null
  if (!live || live.phase === 'completed' || live.phase === 'failed') return live
  const messages = 'message' in action ? [...live.messages, action.message] : live.messages
  switch (action.type) {
    case 'turn.started': {
      // Asked directly, a specialist is at work from the start; the whole panel waits for the vCISO.
      if (live.target === 'panel') return { ...live, messages, turn: action.turn, phase: 'deciding' }
      return { ...live, messages, turn: action.turn, phase: 'consulting', specialists: withSpecialist(live, live.target, 'working') }
    }
    case 'moderator.decided': {
      const called = (action.message.decision?.specialists ?? []).map((s) => s.persona).filter(isSpecialist)
      const specialists = called.map((persona) => ({
        persona,
        status: live.specialists.find((s) => s.persona === persona)?.status ?? ('working' as const),
      }))
      const next = { ...live, messages, decided: true, specialists }
      return { ...next, phase: afterSpecialists(next, specialists) }
    }
    case 'specialist.answered':
    case 'specialist.failed': {
      const persona = action.message.persona
      if (!isSpecialist(persona)) return { ...live, messages }
      const specialists = withSpecialist(live, persona, action.type === 'specialist.answered' ? 'answered' : 'failed')
      return { ...live, messages, specialists, phase: afterSpecialists(live, specialists) }
    }
    case 'synthesis.done':
      return { ...live, messages, synthesis: action.message, phase: 'synthesising' }
    case 'turn.completed':
      return { ...live, phase: 'completed', latencyMs: action.latency_ms }
    case 'turn.failed':
      return { ...live, messages, phase: 'failed', error: action.message.content || 'The panel could not finish this turn.' }
    case 'stream.error':
      return { ...live, phase: 'failed', error: action.detail }
  }
}

export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? ''
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`
}

/** The one-line summary of a live turn's progress (what screen readers hear). */
export function progressText(live: LiveTurn): string {
  const called = joinNames(live.specialists.map((s) => PERSONAS[s.persona].badge))
  switch (live.phase) {
    case 'sending':
      return 'Sending your question…'
    case 'deciding':
      return 'vCISO is deciding…'
    case 'consulting': {
      const done = live.specialists.filter((s) => s.status !== 'working').length
      return live.decided || live.target === 'panel'
        ? `Asked ${called} (${done} of ${live.specialists.length} answered)…`
        : `Asked ${called}…`
    }
    case 'synthesising':
      return live.specialists.length > 0 || live.decided ? 'vCISO is synthesising…' : 'Working…'
    case 'completed':
      return 'Done.'
    case 'failed':
      return `Failed: ${live.error ?? 'the panel could not finish this turn.'}`
  }
}

export function liveSpecialistText(s: { persona: SpecialistId; status: SpecialistProgress }): string {
  const name = PERSONAS[s.persona].badge
  if (s.status === 'answered') return `${name} ✓`
  if (s.status === 'failed') return `${name} ✗ failed`
  return `${name} …`
}

// ---- message meta -----------------------------------------------------------------------------

export function formatLatency(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms <= 0) return null
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}

/** "claude-x · 1,200 in / 300 out tokens · 2.4 s": what a model message cost. */
export function messageMeta(m: PanelMessage): string {
  const parts: string[] = []
  if (m.model) parts.push(m.model)
  // Null on messages no model wrote (the user's question, an error).
  const input = m.input_tokens ?? 0
  const output = m.output_tokens ?? 0
  if (input > 0 || output > 0)
    parts.push(`${input.toLocaleString('en-US')} in / ${output.toLocaleString('en-US')} out tokens`)
  const latency = formatLatency(m.latency_ms)
  if (latency) parts.push(latency)
  return parts.join(' · ')
}

// ---- a little Markdown ------------------------------------------------------------------------

export type Inline = { kind: 'text' | 'strong' | 'em' | 'code'; text: string }
export type Block =
  | { kind: 'paragraph'; lines: Inline[][] }
  | { kind: 'heading'; inlines: Inline[] }
  | { kind: 'list'; ordered: boolean; items: Inline[][] }

/** `**bold**`, `*em*` / `_em_` and `` `code` ``; everything else stays text. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = []
  const re = /\*\*(.+?)\*\*|__(.+?)__|`([^`]+)`|\*([^*\s][^*]*?)\*|(?<![\w])_([^_\s][^_]*?)_(?![\w])/g
  let last = 0
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m.index > last) out.push({ kind: 'text', text: text.slice(last, m.index) })
    if (m[1] !== undefined || m[2] !== undefined) out.push({ kind: 'strong', text: m[1] ?? m[2] ?? '' })
    else if (m[3] !== undefined) out.push({ kind: 'code', text: m[3] })
    else out.push({ kind: 'em', text: m[4] ?? m[5] ?? '' })
    last = m.index + m[0].length
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) })
  return out
}

const BULLET = /^\s*[-*•]\s+(.*)$/
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/
const HEADING = /^\s*#{1,6}\s+(.*)$/

/** Paragraphs (line breaks kept), headings and bullet / numbered lists. */
export function parseMarkdown(text: string): Block[] {
  const blocks: Block[] = []
  let paragraph: Inline[][] | null = null
  let list: { kind: 'list'; ordered: boolean; items: Inline[][] } | null = null
  const flush = () => {
    if (paragraph) blocks.push({ kind: 'paragraph', lines: paragraph })
    if (list) blocks.push(list)
    paragraph = null
    list = null
  }
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const bullet = BULLET.exec(line)
    const numbered = bullet ? null : NUMBERED.exec(line)
    const heading = HEADING.exec(line)
    if (line.trim() === '') {
      flush()
    } else if (heading) {
      flush()
      blocks.push({ kind: 'heading', inlines: parseInline(heading[1] ?? '') })
    } else if (bullet || numbered) {
      const ordered = numbered !== null
      const item = parseInline((bullet ?? numbered)?.[1] ?? '')
      if (list && list.ordered === ordered) list.items.push(item)
      else {
        flush()
        list = { kind: 'list', ordered, items: [item] }
      }
    } else if (list && /^\s{2,}\S/.test(line)) {
      // An indented line continues the list item above it.
      const items: Inline[][] = list.items
      const lastItem = items[items.length - 1]
      if (lastItem) lastItem.push({ kind: 'text', text: ' ' }, ...parseInline(line.trim()))
    } else {
      if (list) flush()
      paragraph ??= []
      paragraph.push(parseInline(line))
    }
  }
  flush()
  return blocks
}
