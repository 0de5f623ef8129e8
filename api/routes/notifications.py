"""The notification centre and one's notification preferences (`/api/me/notifications...`).

A user reads and marks read only their own notifications (RLS on `draxis.user_id`, migration
0016). Users outside a tenant (organization and platform admins, carriers) receive none: their
list is empty and they have no preferences to set.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response

from api.access import Tx, self_scope
from api.problems import Problem, problem_responses
from api.schemas.notifications import (
    EventPreference,
    MarkedRead,
    NotificationOut,
    NotificationPage,
    PreferencesIn,
    PreferencesOut,
    UnreadCount,
)
from draxis.notifications import EVENT_CATALOGUE

router = APIRouter(prefix="/api/me", tags=["notifications"])
SelfTx = Annotated[Tx, self_scope()]

_COLUMNS = "id, event, title, body, link, subject_kind, subject_id, created_at, read_at"


def _unread(tx: Tx) -> int:
    row = tx.conn.execute(
        "select count(*) from tenant.notification where user_id = %s and read_at is null",
        (tx.principal.user_id,),
    ).fetchone()
    return int(row[0]) if row else 0


def _out(row: tuple[Any, ...]) -> NotificationOut:
    return NotificationOut(**dict(zip(_COLUMNS.split(", "), row, strict=True)))


@router.get("/notifications", response_model=NotificationPage)
def list_notifications(
    tx: SelfTx,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    before: datetime | None = None,
    unread_only: bool = False,
) -> NotificationPage:
    """One's notifications, newest first, `limit` at a time (page with `before`)."""
    rows = tx.conn.execute(
        f"select {_COLUMNS} from tenant.notification where user_id = %s"
        " and (%s::timestamptz is null or created_at < %s) and (not %s or read_at is null)"
        " order by created_at desc, id limit %s",
        (tx.principal.user_id, before, before, unread_only, limit + 1),
    ).fetchall()
    items = [_out(r) for r in rows[:limit]]
    more = len(rows) > limit
    return NotificationPage(
        items=items,
        unread=_unread(tx),
        next_before=items[-1].created_at if more and items else None,
    )


@router.get("/notifications/unread-count", response_model=UnreadCount)
def unread_count(tx: SelfTx) -> UnreadCount:
    """What the bell shows."""
    return UnreadCount(unread=_unread(tx))


@router.post(
    "/notifications/{notification_id}/read",
    status_code=204,
    responses=problem_responses(404),
)
def mark_read(notification_id: UUID, tx: SelfTx) -> Response:
    """Mark one of one's notifications read (marking it again changes nothing)."""
    row = tx.conn.execute(
        "update tenant.notification set read_at = coalesce(read_at, now())"
        " where id = %s and user_id = %s returning id",
        (notification_id, tx.principal.user_id),
    ).fetchone()
    if row is None:
        raise Problem(404, "No such notification.")
    return Response(status_code=204)


@router.post("/notifications/read-all", response_model=MarkedRead)
def mark_all_read(tx: SelfTx) -> MarkedRead:
    """Mark every unread notification of one's read; how many were."""
    marked = tx.conn.execute(
        "update tenant.notification set read_at = now() where user_id = %s and read_at is null",
        (tx.principal.user_id,),
    ).rowcount
    return MarkedRead(marked=max(marked, 0))


def _preferences(tx: Tx) -> PreferencesOut:
    row = tx.conn.execute(
        "select email_off, digest from tenant.notification_preference where user_id = %s",
        (tx.principal.user_id,),
    ).fetchone()
    email_off = set(row[0]) if row else set()
    return PreferencesOut(
        digest=bool(row[1]) if row else False,
        events=[
            EventPreference(event=e.name, description=e.description, email=e.name not in email_off)
            for e in EVENT_CATALOGUE
        ],
    )


@router.get("/notification-preferences", response_model=PreferencesOut)
def get_preferences(tx: SelfTx) -> PreferencesOut:
    """Which events reach one by e-mail (in-app is always on), and the daily digest. Users
    outside a tenant receive no notifications: no events to choose from."""
    if tx.principal.tenant_id is None:
        return PreferencesOut(digest=False, events=[])
    return _preferences(tx)


@router.put(
    "/notification-preferences", response_model=PreferencesOut, responses=problem_responses(409)
)
def put_preferences(body: PreferencesIn, tx: SelfTx) -> PreferencesOut:
    """Replace one's preferences: `email_off` lists the events not to e-mail; `digest` sends
    one e-mail a day summarizing them instead of one e-mail per event."""
    if tx.principal.tenant_id is None:
        raise Problem(409, "Only a tenant's users receive notifications.")
    tx.conn.execute(
        "insert into tenant.notification_preference (tenant_id, user_id, email_off, digest)"
        " values (%s, %s, %s, %s) on conflict (tenant_id, user_id) do update"
        " set email_off = excluded.email_off, digest = excluded.digest, updated_at = now()",
        (tx.principal.tenant_id, tx.principal.user_id, sorted(set(body.email_off)), body.digest),
    )
    return _preferences(tx)
