import { useId, useState } from 'react'
import { secondaryButton } from '../form'
import { formatDateTime } from '../Page'
import { isSpecialist, messageMeta, PERSONAS, turnStatus, type PanelMessage, type Turn } from '../../panel'
import { Markdown } from './Markdown'
import { OfflineBadge, PersonaBadge } from './PersonaBadge'

/** Model, tokens, latency and the offline mark of one message. */
export function MessageMeta({ message }: { message: PanelMessage }) {
  const text = messageMeta(message)
  if (!text && message.mode !== 'offline') return null
  return (
    <p className="flex flex-wrap items-center gap-2 text-xs text-slate-500" data-testid="message-meta">
      {message.mode === 'offline' && <OfflineBadge />}
      {text && <span>{text}</span>}
    </p>
  )
}

/** The user's question. */
export function UserQuestion({ content, target }: { content: string; target: PanelMessage['target'] }) {
  return (
    <div className="ml-auto max-w-[85%] rounded-xl bg-slate-900 px-4 py-3 text-sm whitespace-pre-wrap text-white" data-testid="user-question">
      {isSpecialist(target) && <p className="mb-1 text-xs font-semibold text-slate-300">To {PERSONAS[target].name}</p>}
      {content}
    </div>
  )
}

/** A failure, in red: the turn's error or one specialist's. */
export function ErrorMessage({ message, label }: { message: PanelMessage; label: string }) {
  return (
    <div className="space-y-1 rounded-lg border border-rose-300 bg-rose-50 px-3 py-2 text-sm text-rose-900" data-testid="panel-error">
      <p className="flex flex-wrap items-center gap-2 font-semibold">
        {isSpecialist(message.persona) && <PersonaBadge persona={message.persona} />}
        {label}
      </p>
      <p className="whitespace-pre-wrap">{message.content}</p>
    </div>
  )
}

function Decision({ message }: { message: PanelMessage }) {
  const called = message.decision?.specialists ?? []
  return (
    <div className="space-y-2" data-testid="moderator-decision">
      <p className="flex flex-wrap items-center gap-2 text-xs font-semibold tracking-wide text-slate-600 uppercase">
        <PersonaBadge persona="vciso" suffix="decision" />
      </p>
      {message.decision?.framing && (
        <p className="text-sm text-slate-800">
          <span className="font-medium">Framing:</span> {message.decision.framing}
        </p>
      )}
      {message.rationale && <p className="text-sm whitespace-pre-wrap text-slate-700">{message.rationale}</p>}
      {called.length === 0 ? (
        <p className="text-sm text-slate-700">The vCISO answered without calling a specialist.</p>
      ) : (
        <ul className="space-y-1 text-sm text-slate-800">
          {called.map((s) => (
            <li key={s.persona}>
              <span className="font-medium">{PERSONAS[s.persona]?.name ?? s.persona}</span>: {s.question}
              {s.why && <span className="text-slate-600"> — why: {s.why}</span>}
            </li>
          ))}
        </ul>
      )}
      <MessageMeta message={message} />
    </div>
  )
}

function Answer({ message }: { message: PanelMessage }) {
  if (message.kind === 'error') return <ErrorMessage message={message} label="failed to answer" />
  return (
    <div className="space-y-2 rounded-lg border border-slate-200 p-3" data-testid="specialist-answer">
      {message.persona && <PersonaBadge persona={message.persona} />}
      <Markdown text={message.content} />
      <MessageMeta message={message} />
    </div>
  )
}

/** One turn: the question, the synthesis as the reply, and behind a toggle how it was reached. */
export function TurnView({ turn, inProgress }: { turn: Turn; inProgress: boolean }) {
  const [open, setOpen] = useState(false)
  const detailsId = useId()
  const status = turnStatus(turn)
  const hasDetails = Boolean(turn.synthesis?.rationale || turn.decision || turn.answers.length > 0)
  return (
    <article className="space-y-3" data-testid="panel-turn" data-turn={turn.turn} data-status={status} aria-label={`Turn ${turn.turn}`}>
      {turn.user && <UserQuestion content={turn.user.content} target={turn.user.target} />}
      {turn.synthesis && (
        <div className="space-y-2 rounded-xl border border-indigo-200 bg-white p-4 shadow-sm" data-testid="synthesis">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <PersonaBadge persona="vciso" suffix="synthesis" />
            <span className="text-xs text-slate-500">{formatDateTime(turn.synthesis.created_at)}</span>
          </div>
          <Markdown text={turn.synthesis.content} />
          <MessageMeta message={turn.synthesis} />
        </div>
      )}
      {turn.errors.map((e) => (
        <ErrorMessage key={e.id} message={e} label="The panel could not finish this turn" />
      ))}
      {status === 'incomplete' && (
        <p className="text-sm text-slate-600">
          {inProgress ? 'The panel is still working on this question…' : 'No answer was recorded for this turn.'}
        </p>
      )}
      {hasDetails && (
        <div>
          <button type="button" className={secondaryButton} aria-expanded={open} aria-controls={detailsId} onClick={() => setOpen((o) => !o)}>
            {open ? 'Hide rationale' : 'Show rationale'}
          </button>
          {open && (
            <div id={detailsId} className="mt-3 space-y-4 border-l-2 border-slate-200 pl-4" data-testid="turn-rationale">
              {turn.synthesis?.rationale && (
                <div className="space-y-1">
                  <p className="text-xs font-semibold tracking-wide text-slate-600 uppercase">Why this synthesis</p>
                  <p className="text-sm whitespace-pre-wrap text-slate-800">{turn.synthesis.rationale}</p>
                </div>
              )}
              {turn.decision && <Decision message={turn.decision} />}
              {turn.answers.map((m) => (
                <Answer key={m.id} message={m} />
              ))}
            </div>
          )}
        </div>
      )}
    </article>
  )
}
