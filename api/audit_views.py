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


def read_audit(
    tx: Tx,
    table: Literal["tenant.audit_log", "platform.platform_audit_logs"],
    limit: int,
    before: datetime | None,
) -> list[AuditEntry]:
    schema, name = table.split(".")
    query = sql.SQL(
        "select id, at, actor_user_id, impersonator_user_id, scope, action, target_type,"
        " target_id, request_id, ip, detail from {} where (%s::timestamptz is null or at < %s)"
        " order by at desc limit %s"
    ).format(sql.Identifier(schema, name))
    return (
        tx.conn.cursor(row_factory=class_row(AuditEntry))
        .execute(query, (before, before, limit))
        .fetchall()
    )
