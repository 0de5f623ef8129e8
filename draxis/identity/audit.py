"""The audit trail: one row per security-relevant act, in the transaction that does it.

Tenant-scoped acts go to `tenant.audit_log`; org, platform, user and sign-in acts to
`platform.platform_audit_logs`. Both are append-only for the app role, and their policies refuse a
row whose scope or actor is not the transaction's own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow

from draxis.db.scope import Scope

Conn = psycopg.Connection[TupleRow]


@dataclass(frozen=True, slots=True)
class AuditContext:
    """Who acts and from where: the same for every row a request writes."""

    actor_user_id: UUID | None
    impersonator_user_id: UUID | None = None
    request_id: str | None = None
    ip: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEvent:
    action: str  # dotted, e.g. `user.invite`
    target_type: str | None = None
    target_id: UUID | str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    tenant_id: UUID | None = None  # for org / platform rows about one tenant


def record(conn: Conn, scope: Scope, who: AuditContext, event: AuditEvent) -> None:
    target = None if event.target_id is None else str(event.target_id)
    common = (
        who.actor_user_id,
        who.impersonator_user_id,
        scope.kind,
        event.action,
        event.target_type,
        target,
        who.request_id,
        who.ip,
        json.dumps(event.detail, default=str),
    )
    if scope.kind == "tenant":
        conn.execute(
            "insert into tenant.audit_log (actor_user_id, impersonator_user_id, scope, action,"
            " target_type, target_id, request_id, ip, detail, tenant_id)"
            " values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (*common, scope.tenant_id),
        )
    else:
        conn.execute(
            "insert into platform.platform_audit_logs (actor_user_id, impersonator_user_id,"
            " scope, action, target_type, target_id, request_id, ip, detail, organization_id,"
            " tenant_id) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (*common, scope.org_id, event.tenant_id),
        )
