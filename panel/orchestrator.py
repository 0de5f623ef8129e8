"""One panel turn as an explicit state machine:

    RECEIVED → DECIDING → CONSULTING → SYNTHESISING → COMPLETED
                  ╰──────────┴─────────────┴──────→ FAILED

- RECEIVED (`begin`): claim the session for a turn (refused with 404/409 before anything is
  said), record the user's message, read the tenant's data under its RLS scope and render the
  context. Then the API starts answering (JSON or a Server-Sent Events stream) and `run` goes on.
- DECIDING: the moderator picks specialists (a model's forced tool call, validated), or the user
  addressed one specialist directly. The decision and its reasons are recorded.
- CONSULTING: one call per specialist, concurrently; each answer (or failure) is recorded as it
  arrives. A specialist that fails does not stop the others; if all fail, the turn fails.
- SYNTHESISING: one reply and its rationale, recorded.
- FAILED: an `error` message says what went wrong; what was said before stays in the trail.

Every step is its own short transaction in the caller's tenant scope, and nothing is kept in
memory between requests: the session row and the trail are the state, so any API process can
serve the next turn of the same session.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID

from panel import store
from panel.analyst import (
    Analyst,
    Answer,
    Assignment,
    CallMeta,
    Decision,
    Failure,
    PanelError,
    Synthesis,
    Target,
    TurnInput,
)
from panel.context import load_snapshot, render_context
from panel.personas import persona
from panel.store import Conn, NewMessage, PanelMessageOut, TenantDb
from panel.tracing import PanelTracer, TurnTrace, turn_trace_id
from panel.turn_span import current_again, turn_span

log = logging.getLogger("draxis.panel")
_T = TypeVar("_T")


class TurnState(StrEnum):
    RECEIVED = "received"
    DECIDING = "deciding"
    CONSULTING = "consulting"
    SYNTHESISING = "synthesising"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class TurnEvent:
    """One step of progress, as the SSE stream sends it (`event:` name, `data:` JSON)."""

    name: str
    data: dict[str, Any]


Emit = Callable[[TurnEvent], Awaitable[None]]


@dataclass(slots=True)
class Turn:
    """A turn in flight: everything the next state needs, and what has been said so far."""

    session_id: UUID
    number: int
    user_message: PanelMessageOut
    input: TurnInput
    started: float
    state: TurnState = TurnState.RECEIVED
    decision: Decision | None = None
    answers: list[Answer] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    synthesis: Synthesis | None = None
    messages: list[PanelMessageOut] = field(default_factory=list)
    error: PanelError | None = None


@dataclass(frozen=True, slots=True)
class TurnOutcome:
    number: int
    state: TurnState
    messages: tuple[PanelMessageOut, ...]
    latency_ms: int
    error: str | None


async def in_transaction(db: TenantDb, work: Callable[[Conn], _T]) -> _T:
    """Run `work` in one short transaction of the caller's scope, off the event loop."""

    def run() -> _T:
        with db.transaction() as conn:
            return work(conn)

    return await asyncio.to_thread(run)


class Orchestrator:
    def __init__(
        self,
        analyst: Analyst,
        tracer: PanelTracer,
        *,
        context_tokens: int,
        turn_timeout_seconds: float,
    ) -> None:
        self.analyst = analyst
        self.tracer = tracer
        self.context_tokens = context_tokens
        self.turn_timeout_seconds = turn_timeout_seconds

    # RECEIVED ---------------------------------------------------------------------------------

    async def begin(self, db: TenantDb, session_id: UUID, question: str, target: Target) -> Turn:
        """Record the question and read the context; `store.TurnRefused` if it cannot start."""
        started = time.perf_counter()

        def receive(conn: Conn) -> Turn:
            number = store.begin_turn(conn, session_id)
            store.retitle_if_new(conn, session_id, question)
            # The turn's trace id is known before its trace opens: the question carries it too.
            trace_id = (
                turn_trace_id(db.tenant_id, session_id, number) if self.tracer.enabled else None
            )
            user = store.append(
                conn,
                session_id,
                NewMessage(
                    number,
                    "user",
                    question,
                    target=target,
                    trace_id=trace_id,
                    author_user_id=db.user_id,
                ),
            )
            snapshot = load_snapshot(conn, question)
            context = render_context(snapshot, question, self.context_tokens)
            previous = store.history(conn, session_id, number)
            db.audit(
                conn,
                "panel.turn.start",
                session_id,
                turn=number,
                target=target,
                mode=self.analyst.mode,
            )
            turn_input = TurnInput(question, target, snapshot, context, previous)
            return Turn(session_id, number, user, turn_input, started, messages=[user])

        return await in_transaction(db, receive)

    # The rest of the machine ------------------------------------------------------------------

    async def run(self, db: TenantDb, turn: Turn, emit: Emit) -> TurnOutcome:
        """Drive `turn` from DECIDING to COMPLETED or FAILED; never raises a PanelError."""
        await emit(
            TurnEvent("turn.started", {"turn": turn.number, "message": _dump(turn.user_message)})
        )
        with (
            turn_span(turn.number) as span,
            self.tracer.turn(
                tenant_id=db.tenant_id,
                session_id=turn.session_id,
                turn=turn.number,
                user_id=db.user_id,
                question=turn.input.question,
            ) as trace,
            current_again(span),
        ):
            turn.state = TurnState.DECIDING
            try:
                async with asyncio.timeout(self.turn_timeout_seconds):
                    while turn.state not in (TurnState.COMPLETED, TurnState.FAILED):
                        turn.state = await self._step(db, turn, trace, emit)
            except TimeoutError:
                turn.error = PanelError(
                    f"The panel took longer than {self.turn_timeout_seconds:.0f} s and was"
                    " stopped; what was said so far is kept.",
                    stage=str(turn.state),
                )
                turn.state = TurnState.FAILED
            try:
                if turn.state == TurnState.FAILED:
                    await self._fail(db, turn, trace, emit)
                else:
                    trace.finish(output=turn.synthesis.reply if turn.synthesis else None)
            finally:
                # Whatever happened, the session takes its next turn at once.
                await in_transaction(db, lambda conn: store.finish_turn(conn, turn.session_id))
                span.set_attribute("draxis.panel.state", str(turn.state))
        latency_ms = int((time.perf_counter() - turn.started) * 1000)
        if turn.state == TurnState.COMPLETED:
            await emit(TurnEvent("turn.completed", {"turn": turn.number, "latency_ms": latency_ms}))
        log.info(
            "panel turn",
            extra={
                "session_id": str(turn.session_id),
                "turn": turn.number,
                "state": str(turn.state),
                "latency_ms": latency_ms,
                "specialists": [a.persona for a in turn.answers],
            },
        )
        return TurnOutcome(
            turn.number,
            turn.state,
            tuple(turn.messages),
            latency_ms,
            str(turn.error) if turn.error else None,
        )

    async def _step(self, db: TenantDb, turn: Turn, trace: TurnTrace, emit: Emit) -> TurnState:
        try:
            if turn.state == TurnState.DECIDING:
                await self._decide(db, turn, trace, emit)
                return TurnState.CONSULTING
            if turn.state == TurnState.CONSULTING:
                await self._consult(db, turn, trace, emit)
                return TurnState.SYNTHESISING
            if turn.state == TurnState.SYNTHESISING:
                await self._synthesize(db, turn, trace, emit)
                return TurnState.COMPLETED
        except PanelError as exc:
            turn.error = exc
            return TurnState.FAILED
        raise AssertionError(f"no transition from {turn.state}")

    async def _record(self, db: TenantDb, turn: Turn, message: NewMessage) -> PanelMessageOut:
        saved = await in_transaction(db, lambda conn: store.append(conn, turn.session_id, message))
        turn.messages.append(saved)
        return saved

    async def _decide(self, db: TenantDb, turn: Turn, trace: TurnTrace, emit: Emit) -> None:
        target = turn.input.target
        if target == "panel":
            decision = await self.analyst.decide(turn.input, trace)
            rationale = "; ".join(
                f"{persona(a.persona).name}: {a.why}" for a in decision.assignments
            )
            rationale = rationale or "No specialist is needed: the vCISO answers alone."
        else:
            decision = Decision(
                (Assignment(target, turn.input.question, "addressed directly by the user"),),
                f"The user asked the {persona(target).name} specialist directly.",
                CallMeta(self.analyst.mode, "", None, latency_ms=0),
            )
            rationale = f"The user addressed {persona(target).name} directly; no routing call."
        turn.decision = decision
        saved = await self._record(
            db,
            turn,
            NewMessage(
                turn.number,
                "decision",
                decision.framing,
                persona="vciso",
                rationale=rationale,
                decision=decision.as_json(),
                context=turn.input.context.summary(),
                meta=decision.meta,
                trace_id=trace.trace_id,
            ),
        )
        await emit(TurnEvent("moderator.decided", {"message": _dump(saved)}))

    async def _consult(self, db: TenantDb, turn: Turn, trace: TurnTrace, emit: Emit) -> None:
        decision = turn.decision
        assert decision is not None

        async def one(assignment: Assignment) -> None:
            try:
                answer = await self.analyst.answer(turn.input, decision, assignment, trace)
            except PanelError as exc:
                turn.failures.append(Failure(assignment.persona, str(exc)))
                saved = await self._record(
                    db,
                    turn,
                    NewMessage(
                        turn.number,
                        "error",
                        str(exc),
                        persona=assignment.persona,
                        meta=exc.meta,
                        trace_id=trace.trace_id,
                    ),
                )
                await emit(TurnEvent("specialist.failed", {"message": _dump(saved)}))
                return
            turn.answers.append(answer)
            saved = await self._record(
                db,
                turn,
                NewMessage(
                    turn.number,
                    "specialist",
                    answer.content,
                    persona=answer.persona,
                    meta=answer.meta,
                    trace_id=trace.trace_id,
                ),
            )
            await emit(TurnEvent("specialist.answered", {"message": _dump(saved)}))

        await asyncio.gather(*(one(a) for a in decision.assignments))
        if decision.assignments and not turn.answers:
            raise PanelError(
                "No specialist could answer, so there is nothing to synthesise.",
                stage="consulting",
            )
        # The synthesis reads answers in panel order, whatever order they arrived in.
        order = [a.persona for a in decision.assignments]
        turn.answers.sort(key=lambda a: order.index(a.persona))

    async def _synthesize(self, db: TenantDb, turn: Turn, trace: TurnTrace, emit: Emit) -> None:
        decision = turn.decision
        assert decision is not None
        synthesis = await self.analyst.synthesize(
            turn.input, decision, tuple(turn.answers), tuple(turn.failures), trace
        )
        turn.synthesis = synthesis
        saved = await self._record(
            db,
            turn,
            NewMessage(
                turn.number,
                "synthesis",
                synthesis.reply,
                persona="vciso",
                rationale=synthesis.rationale,
                meta=synthesis.meta,
                trace_id=trace.trace_id,
            ),
        )
        await emit(TurnEvent("synthesis.done", {"message": _dump(saved)}))

    async def _fail(self, db: TenantDb, turn: Turn, trace: TurnTrace, emit: Emit) -> None:
        error = turn.error
        assert error is not None
        trace.finish(error=str(error))
        saved = await self._record(
            db,
            turn,
            NewMessage(
                turn.number,
                "error",
                str(error),
                persona="vciso",
                rationale=f"The turn failed while {error.stage}.",
                meta=error.meta,
                trace_id=trace.trace_id,
            ),
        )
        await emit(TurnEvent("turn.failed", {"message": _dump(saved)}))


def _dump(message: PanelMessageOut) -> dict[str, Any]:
    return message.model_dump(mode="json")
