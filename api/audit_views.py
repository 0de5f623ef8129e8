"""Reading the audit trail, newest first, keyset-paginated on `at`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from psycopg import sql
from psycopg.rows import class_row
from pydantic import BaseModel

from api.access import Tx


class AuditEntry(BaseModel):
    id: UUID
    at: datetime
    actor_user_id: UUID | None
    impersonator_user_id: UUID | None
    scope: str
    action: str
    target_type: str | None
    target_id: str | None
    request_id: str | None
    ip: str | None
    detail: dict[str, Any]
    # Who, by name: null when the user is not visible in the reader's scope (e.g. an MSP admin
    # acting in a tenant) or no longer exists.
    actor_name: str | None = None
    actor_email: str | None = None
    impersonator_email: str | None = None
    # The user a `user` target names (role changes, MFA resets), when visible.
    target_name: str | None = None


def read_audit(
    tx: Tx,
    table: Literal["tenant.audit_log", "platform.platform_audit_logs"],
    limit: int,
    before: datetime | None,
) -> list[AuditEntry]:
    schema, name = table.split(".")
    # Names come from platform.users under the reader's own RLS scope: one query, no extra rows.
    query = sql.SQL(
        "select a.id, a.at, a.actor_user_id, a.impersonator_user_id, a.scope, a.action,"
        " a.target_type, a.target_id, a.request_id, a.ip, a.detail,"
        " actor.display_name as actor_name, actor.email as actor_email,"
        " impersonator.email as impersonator_email, target.display_name as target_name"
        " from {} a"
        " left join platform.users actor on actor.id = a.actor_user_id"
        " left join platform.users impersonator on impersonator.id = a.impersonator_user_id"
        " left join platform.users target"
        "   on a.target_type = 'user' and target.id::text = a.target_id"
        " where (%s::timestamptz is null or a.at < %s)"
        " order by a.at desc limit %s"
    ).format(sql.Identifier(schema, name))
    return (
        tx.conn.cursor(row_factory=class_row(AuditEntry))
        .execute(query, (before, before, limit))
        .fetchall()
    )
