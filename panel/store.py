"""Panel sessions and their audit trail in Postgres: SQL only, in the caller's tenant scope.

Every function takes a connection inside a transaction that already set the tenant scope (RLS
does the tenant filtering; `tenant_id` is filled from `platform.current_tenant_id()`). Messages
are only ever inserted: the app role has no UPDATE or DELETE on `tenant.panel_message`.

A turn in progress is marked on the session row (`turn_started_at`), so any API process can
refuse a second concurrent turn; a mark older than `STALE_TURN_SECONDS` is a process that died
mid-turn and no longer blocks the session.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow, class_row
from pydantic import BaseModel

from panel.analyst import CallMeta, Exchange, Mode, Target
from panel.personas import PersonaId, SpecialistId

Conn = psycopg.Connection[TupleRow]
Kind = Literal["user", "decision", "specialist", "synthesis", "error"]
STALE_TURN_SECONDS = 300
HISTORY_TURNS = 6
DEFAULT_TITLE = "New session"  # until the first question names the session


class TenantDb(Protocol):
    """Short transactions in one caller's tenant scope (the API's `TenantWork`)."""

    @property
    def tenant_id(self) -> UUID: ...

    @property
    def user_id(self) -> UUID | None: ...

    def transaction(self) -> AbstractContextManager[Conn]: ...

    def audit(self, conn: Conn, action: str, target_id: UUID, **detail: Any) -> None: ...


class TurnRefused(Exception):
    """The turn cannot start: `status` is the HTTP status the API answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class PanelSessionOut(BaseModel):
    id: UUID
    title: str
    status: Literal["open", "ended"]
    created_by: UUID | None
    created_at: datetime
    last_message_at: datetime | None
    turn_count: int
    turn_in_progress: bool
    ended_at: datetime | None
    ended_by: UUID | None
    remembered_knowledge_id: UUID | None


class AssignmentOut(BaseModel):
    """One specialist the moderator consulted, the question put to it and why."""

    # Fields in the order PostgreSQL's jsonb keeps the stored keys (shorter keys first), so the
    # answer reads byte for byte as it did when `decision` was served as a plain object.
    why: str
    persona: SpecialistId
    question: str


class DecisionOut(BaseModel):
    """The moderator's decision (`Decision.as_json`), as stored on a `decision` message."""

    framing: str
    specialists: list[AssignmentOut]


# Who speaks on a message, and whom a user's question was put to.
MessageTarget = Literal["panel", "vciso", "privacy", "tprm", "insurance"]


class PanelMessageOut(BaseModel):
    id: UUID
    seq: int
    turn: int
    kind: Kind
    persona: PersonaId | None
    target: MessageTarget | None
    content: str
    rationale: str | None
    decision: DecisionOut | None
    context: dict[str, Any] | None
    mode: Mode | None
    model: str | None
    prompt_version: str | None
    input_tokens: int | None
    output_tokens: int | None
    cache_read_tokens: int | None
    cache_creation_tokens: int | None
    latency_ms: int | None
    attempts: int | None
    trace_id: str | None
    author_user_id: UUID | None
    created_at: datetime


_SESSION = f"""
select id, title, status, created_by, created_at, last_message_at, turn_count,
       (turn_started_at is not null
        and turn_started_at > now() - interval '{STALE_TURN_SECONDS} seconds') as turn_in_progress,
       ended_at, ended_by, remembered_knowledge_id
from tenant.panel_session
"""
_MESSAGE_COLUMNS = (
    "id, seq, turn, kind, persona, target, content, rationale, decision, context, mode, model,"
    " prompt_version, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens,"
    " latency_ms, attempts, trace_id, author_user_id, created_at"
)


def create_session(conn: Conn, title: str, user_id: UUID | None) -> PanelSessionOut:
    row = conn.execute(
        "insert into tenant.panel_session (tenant_id, title, created_by)"
        " values ((select platform.current_tenant_id()), %s, %s) returning id",
        (title, user_id),
    ).fetchone()
    assert row is not None
    found = get_session(conn, row[0])
    assert found is not None
    return found


def get_session(conn: Conn, session_id: UUID) -> PanelSessionOut | None:
    cur = conn.cursor(row_factory=class_row(PanelSessionOut))
    return cur.execute(_SESSION + " where id = %s", (session_id,)).fetchone()


def list_sessions(conn: Conn, limit: int, offset: int) -> tuple[list[PanelSessionOut], int]:
    cur = conn.cursor(row_factory=class_row(PanelSessionOut))
    items = cur.execute(
        _SESSION + " order by created_at desc, id limit %s offset %s", (limit, offset)
    ).fetchall()
    total = conn.execute("select count(*) from tenant.panel_session").fetchone()
    return items, int(total[0]) if total else 0


def messages(conn: Conn, session_id: UUID) -> list[PanelMessageOut]:
    cur = conn.cursor(row_factory=class_row(PanelMessageOut))
    return cur.execute(
        f"select {_MESSAGE_COLUMNS} from tenant.panel_message where session_id = %s order by seq",
        (session_id,),
    ).fetchall()


@dataclass(frozen=True, slots=True)
class NewMessage:
    turn: int
    kind: Kind
    content: str
    persona: str | None = None
    target: Target | None = None
    rationale: str | None = None
    decision: Mapping[str, object] | None = None
    context: Mapping[str, object] | None = None
    meta: CallMeta | None = None
    trace_id: str | None = None
    author_user_id: UUID | None = None


def append(conn: Conn, session_id: UUID, message: NewMessage) -> PanelMessageOut:
    meta = message.meta
    # Tokens only for a step that called a model (not offline rules, not a direct question).
    usage = meta.usage if meta and meta.mode == "llm" and meta.model else None
    cur = conn.cursor(row_factory=class_row(PanelMessageOut))
    row = cur.execute(
        "insert into tenant.panel_message (tenant_id, session_id, turn, kind, persona, target,"
        " content, rationale, decision, context, mode, model, prompt_version, input_tokens,"
        " output_tokens, cache_read_tokens, cache_creation_tokens, latency_ms, attempts,"
        " trace_id, author_user_id)"
        " values ((select platform.current_tenant_id()), %s, %s, %s, %s, %s, %s, %s, %s, %s,"
        " %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
        f" returning {_MESSAGE_COLUMNS}",
        (
            session_id,
            message.turn,
            message.kind,
            message.persona,
            message.target,
            message.content,
            message.rationale,
            _json(message.decision),
            _json(message.context),
            meta.mode if meta else None,
            (meta.model or None) if meta else None,
            meta.prompt_version if meta else None,
            usage.input_tokens if usage else None,
            usage.output_tokens if usage else None,
            usage.cache_read_tokens if usage else None,
            usage.cache_creation_tokens if usage else None,
            meta.latency_ms if meta else None,
            meta.attempts if meta else None,
            message.trace_id,
            message.author_user_id,
        ),
    ).fetchone()
    assert row is not None
    conn.execute(
        "update tenant.panel_session set last_message_at = now() where id = %s", (session_id,)
    )
    return row


def _json(value: Mapping[str, object] | None) -> str | None:
    return None if value is None else json.dumps(value, default=str)


def begin_turn(conn: Conn, session_id: UUID) -> int:
    """Claim the session for a new turn and return its number, or refuse (404 / 409)."""
    row = conn.execute(
        "update tenant.panel_session set turn_count = turn_count + 1, turn_started_at = now()"
        " where id = %s and status = 'open' and (turn_started_at is null"
        f" or turn_started_at <= now() - interval '{STALE_TURN_SECONDS} seconds')"
        " returning turn_count",
        (session_id,),
    ).fetchone()
    if row is not None:
        return int(row[0])
    found = get_session(conn, session_id)
    if found is None:
        raise TurnRefused(404, "No such panel session.")
    if found.status == "ended":
        raise TurnRefused(409, "This panel session has ended; open a new one to ask again.")
    raise TurnRefused(
        409, "The panel is still answering the previous message of this session; wait for it."
    )


def retitle_if_new(conn: Conn, session_id: UUID, question: str) -> None:
    """A session opened without a title takes its first question's opening words."""
    title = " ".join(question.split())[:120]
    conn.execute(
        "update tenant.panel_session set title = %s where id = %s and turn_count = 1"
        " and title = %s",
        (title, session_id, DEFAULT_TITLE),
    )


def finish_turn(conn: Conn, session_id: UUID) -> None:
    conn.execute(
        "update tenant.panel_session set turn_started_at = null where id = %s", (session_id,)
    )


def history(conn: Conn, session_id: UUID, before_turn: int) -> tuple[Exchange, ...]:
    """The last completed turns' question and reply, oldest first."""
    rows = conn.execute(
        "select q.content, s.content from tenant.panel_message s"
        " join tenant.panel_message q on q.tenant_id = s.tenant_id"
        " and q.session_id = s.session_id and q.turn = s.turn and q.kind = 'user'"
        " where s.session_id = %s and s.kind = 'synthesis' and s.turn < %s"
        " order by s.turn desc limit %s",
        (session_id, before_turn, HISTORY_TURNS),
    ).fetchall()
    return tuple(Exchange(q, r) for q, r in reversed(rows))


def end_session(
    conn: Conn, session_id: UUID, user_id: UUID | None, remembered: UUID | None
) -> None:
    conn.execute(
        "update tenant.panel_session set status = 'ended', ended_at = now(), ended_by = %s,"
        " remembered_knowledge_id = %s, turn_started_at = null where id = %s",
        (user_id, remembered, session_id),
    )


def last_synthesis(conn: Conn, session_id: UUID) -> PanelMessageOut | None:
    cur = conn.cursor(row_factory=class_row(PanelMessageOut))
    return cur.execute(
        f"select {_MESSAGE_COLUMNS} from tenant.panel_message"
        " where session_id = %s and kind = 'synthesis' order by seq desc limit 1",
        (session_id,),
    ).fetchone()


def remember(
    conn: Conn, session: PanelSessionOut, synthesis: PanelMessageOut, user_id: UUID | None
) -> UUID:
    """Keep a session's synthesis as an institutional fact citing the session."""
    key = f"panel.{synthesis.created_at:%Y-%m-%d}.{str(session.id)[:8]}"
    citation = (
        f"Expert panel session “{session.title}”, turn {synthesis.turn},"
        f" {synthesis.created_at:%Y-%m-%d} (/panel/{session.id})"
    )[:500]
    value = synthesis.content if len(synthesis.content) <= 4000 else synthesis.content[:3999] + "…"
    row = conn.execute(
        "insert into tenant.institutional_knowledge (tenant_id, key, value, citation, origin,"
        " panel_session_id, author_user_id)"
        " values ((select platform.current_tenant_id()), %s, %s, %s, 'panel_session', %s, %s)"
        " on conflict (tenant_id, key) do update set value = excluded.value,"
        " citation = excluded.citation, updated_at = now() returning id",
        (key, value, citation, session.id, user_id),
    ).fetchone()
    assert row is not None
    return UUID(str(row[0]))
