"""The expert panel over HTTP: sessions, asking (JSON or Server-Sent Events), ending.

Asking does not hold a transaction open while models think: `tenant_work` authenticates and
authorises, then the orchestrator opens a short transaction in the tenant's scope for each write.
Either way the turn runs in its own task: with `Accept: text/event-stream` the response streams
its progress, otherwise it waits for the outcome. A client that goes away does not stop the turn,
whose trail is still complete and whose session is released.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Coroutine
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from api.access import TenantWork, Tx, tenant_scope, tenant_work_scope
from api.problems import Problem, problem_responses
from api.types import Page, Strict
from draxis.security.permissions import Permission
from panel import store
from panel.analyst import Target
from panel.orchestrator import Orchestrator, Turn, TurnEvent, TurnOutcome, TurnState
from panel.personas import PersonaId, personas
from panel.store import PanelMessageOut, PanelSessionOut, TurnRefused

router = APIRouter(prefix="/api", tags=["panel"], responses=problem_responses(409, 502))
P = Permission
PanelTx = Annotated[Tx, tenant_scope(P.PANEL_USE)]
PanelWork = Annotated[TenantWork, tenant_work_scope(P.PANEL_USE)]
KEEPALIVE_SECONDS = 15.0
# Turns streaming to a client run as tasks; hold them so they are not collected mid-turn.
_RUNNING: set[asyncio.Task[TurnOutcome]] = set()


class PersonaOut(BaseModel):
    id: PersonaId
    name: str
    role: str
    prompt_version: str


class PanelInfo(BaseModel):
    mode: Literal["llm", "offline"]
    model: str
    personas: list[PersonaOut]


class SessionIn(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"title": "DORA readiness"}]}
    )
    title: str | None = Field(default=None, min_length=1, max_length=200)


class SessionDetail(PanelSessionOut):
    messages: list[PanelMessageOut]


class AskIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "content": "Are we ready for our cyber-insurance renewal next quarter?",
                    "target": "panel",
                }
            ]
        },
    )
    content: str = Field(min_length=1, max_length=8000)
    target: Target = "panel"


class TurnOut(BaseModel):
    turn: int
    status: Literal["completed"]
    messages: list[PanelMessageOut]
    latency_ms: int


class EndIn(Strict):
    remember: bool = True


def _orchestrator(request: Request) -> Orchestrator:
    orchestrator: Orchestrator = request.app.state.panel
    return orchestrator


def _session(tx: Tx, session_id: UUID) -> PanelSessionOut:
    found = store.get_session(tx.conn, session_id)
    if found is None:
        raise Problem(404, "No such panel session.")
    return found


@router.get("/panel", response_model=PanelInfo)
def panel_info(request: Request, tx: PanelTx) -> PanelInfo:
    """Whether the panel answers through a model or the offline analyst, and its personas."""
    orchestrator = _orchestrator(request)
    return PanelInfo(
        mode=orchestrator.analyst.mode,
        model=orchestrator.analyst.model,
        personas=[
            PersonaOut(id=p.id, name=p.name, role=p.role, prompt_version=p.prompt_version)
            for p in personas().values()
        ],
    )


@router.post("/panel-sessions", response_model=PanelSessionOut, status_code=201)
def open_session(body: SessionIn, tx: PanelTx) -> PanelSessionOut:
    session = store.create_session(tx.conn, body.title or store.DEFAULT_TITLE, tx.principal.user_id)
    tx.audit("panel.session.open", target_type="panel_session", target_id=session.id)
    return session


@router.get("/panel-sessions", response_model=Page[PanelSessionOut])
def list_sessions(
    tx: PanelTx,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[PanelSessionOut]:
    items, total = store.list_sessions(tx.conn, limit, offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/panel-sessions/{session_id}", response_model=SessionDetail)
def get_session(session_id: UUID, tx: PanelTx) -> SessionDetail:
    session = _session(tx, session_id)
    return SessionDetail(**session.model_dump(), messages=store.messages(tx.conn, session_id))


@router.post(
    "/panel-sessions/{session_id}/messages",
    status_code=201,
    response_model=TurnOut,
    responses={
        200: {
            "description": "With `Accept: text/event-stream`: the turn's progress as it happens.",
            "content": {"text/event-stream": {}},
        },
        409: {"description": "The session has ended, or a turn of it is in progress."},
        502: {"description": "The turn failed (model error, malformed routing decision)."},
    },
)
async def ask(
    session_id: UUID,
    body: AskIn,
    request: Request,
    work: PanelWork,
) -> Any:
    """Ask the panel. The question and every step of the answer are kept in the session."""
    orchestrator = _orchestrator(request)
    try:
        turn = await orchestrator.begin(work, session_id, body.content, body.target)
    except TurnRefused as exc:
        raise Problem(exc.status, str(exc)) from None
    if "text/event-stream" in request.headers.get("accept", ""):
        return _stream(orchestrator, work, turn)
    events: list[TurnEvent] = []

    async def collect(event: TurnEvent) -> None:
        events.append(event)

    # Shielded: a client that hangs up does not cut the turn short; its trail stays complete
    # and the session is released.
    outcome = await asyncio.shield(_detached(orchestrator.run(work, turn, collect)))
    messages = [m.model_dump(mode="json") for m in outcome.messages]
    if outcome.state != TurnState.COMPLETED:
        raise Problem(502, outcome.error or "The panel could not answer.", turn=outcome.number,
                      messages=messages)  # fmt: skip
    return JSONResponse(
        status_code=201,
        content={
            "turn": outcome.number,
            "status": "completed",
            "messages": messages,
            "latency_ms": outcome.latency_ms,
        },
    )


def _detached(turn: Coroutine[Any, Any, TurnOutcome]) -> asyncio.Task[TurnOutcome]:
    """Run a turn as its own task, held until it ends, whatever happens to the request."""
    task = asyncio.create_task(turn)
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)
    return task


def sse(event: TurnEvent) -> str:
    return f"event: {event.name}\ndata: {json.dumps(event.data, separators=(',', ':'))}\n\n"


def _stream(orchestrator: Orchestrator, work: TenantWork, turn: Turn) -> StreamingResponse:
    queue: asyncio.Queue[TurnEvent | None] = asyncio.Queue()

    async def emit(event: TurnEvent) -> None:
        await queue.put(event)

    async def drive() -> TurnOutcome:
        try:
            return await orchestrator.run(work, turn, emit)
        finally:
            await queue.put(None)

    _detached(drive())

    async def events() -> AsyncIterator[str]:
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ": still working\n\n"
                continue
            if event is None:
                return
            yield sse(event)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/panel-sessions/{session_id}/end", response_model=PanelSessionOut)
def end_session(
    session_id: UUID,
    tx: PanelTx,
    body: EndIn | None = None,
) -> PanelSessionOut:
    """Freeze the session; with `remember`, keep its last model synthesis as a cited fact."""
    remember = body.remember if body is not None else True
    tx.conn.execute("select 1 from tenant.panel_session where id = %s for update", (session_id,))
    session = _session(tx, session_id)
    if session.status == "ended":
        raise Problem(409, "This panel session has already ended.")
    if session.turn_in_progress:
        raise Problem(409, "The panel is still answering; end the session when it has replied.")
    remembered = None
    synthesis = store.last_synthesis(tx.conn, session_id) if remember else None
    # Offline syntheses restate data the panel already reads: not worth a fact of their own.
    if synthesis is not None and synthesis.mode == "llm":
        remembered = store.remember(tx.conn, session, synthesis, tx.principal.user_id)
    store.end_session(tx.conn, session_id, tx.principal.user_id, remembered)
    tx.audit(
        "panel.session.end",
        target_type="panel_session",
        target_id=session_id,
        remembered_knowledge_id=str(remembered) if remembered else None,
    )
    return _session(tx, session_id)
