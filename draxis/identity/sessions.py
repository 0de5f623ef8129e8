"""Sessions and refresh tokens through the `platform.session_*` functions.

A session is one sign-in: it carries the refresh-token family, the MFA state, and (for an
impersonation) the tenant acted in. Access tokens name their session (`sid`); every request checks
it is still live, so revoking a session or disabling a user takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow, class_row

from draxis.security.mfa import MfaRules, mfa_applies
from draxis.security.opaque import new_token, token_hash

Conn = psycopg.Connection[TupleRow]
RefreshOutcome = Literal["ok", "reused", "revoked", "unknown"]


@dataclass(frozen=True, slots=True)
class SessionState:
    live: bool
    mfa_verified: bool
    mfa_enrolled: bool
    rule_user: bool | None
    rule_tenant: bool | None
    rule_org: bool | None
    rule_platform: bool | None
    impersonated_tenant_id: UUID | None
    expires_at: datetime
    # The user's row as it is now, to compare with what the token claims.
    role: str
    tenant_id: UUID | None
    organization_id: UUID | None
    carrier_id: UUID | None

    @property
    def mfa_required(self) -> bool:
        rules = MfaRules(self.rule_user, self.rule_tenant, self.rule_org, self.rule_platform)
        return mfa_applies(self.mfa_enrolled, rules)

    @property
    def mfa_pending(self) -> bool:
        return self.mfa_required and not self.mfa_verified


@dataclass(frozen=True, slots=True)
class Refreshed:
    outcome: RefreshOutcome
    session_id: UUID | None
    user_id: UUID | None


def open_session(
    conn: Conn,
    user_id: UUID,
    ttl: timedelta,
    *,
    ip: str | None,
    user_agent: str | None,
    request_id: str | None,
) -> tuple[UUID, str]:
    """A new session for a user who just proved who they are; returns (session id, refresh)."""
    refresh = new_token()
    row = conn.execute(
        "select platform.session_open(%s, %s, %s, %s, %s, %s)",
        (user_id, token_hash(refresh), ttl, ip, user_agent, request_id),
    ).fetchone()
    assert row is not None
    return UUID(str(row[0])), refresh


def rotate_refresh(
    conn: Conn, refresh: str, *, ip: str | None, request_id: str | None
) -> tuple[Refreshed, str]:
    """Swap `refresh` for a new token; a replayed token revokes its whole session."""
    new = new_token()
    row = (
        conn.cursor(row_factory=class_row(Refreshed))
        .execute(
            "select * from platform.session_refresh(%s, %s, %s, %s)",
            (token_hash(refresh), token_hash(new), ip, request_id),
        )
        .fetchone()
    )
    assert row is not None
    return row, new


def session_state(conn: Conn, session_id: UUID, user_id: UUID) -> SessionState | None:
    return (
        conn.cursor(row_factory=class_row(SessionState))
        .execute("select * from platform.session_state(%s, %s)", (session_id, user_id))
        .fetchone()
    )


def mark_mfa_verified(conn: Conn, session_id: UUID, user_id: UUID) -> bool:
    row = conn.execute("select platform.session_mark_mfa(%s, %s)", (session_id, user_id)).fetchone()
    return bool(row and row[0])


def revoke(conn: Conn, session_id: UUID, user_id: UUID, reason: str) -> None:
    conn.execute("select platform.session_revoke(%s, %s, %s)", (session_id, user_id, reason))


def open_impersonation(
    conn: Conn,
    parent_session: UUID,
    user_id: UUID,
    tenant_id: UUID,
    ttl: timedelta,
    *,
    ip: str | None,
    user_agent: str | None,
) -> UUID:
    row = conn.execute(
        "select platform.session_open_impersonation(%s, %s, %s, %s, %s, %s)",
        (parent_session, user_id, tenant_id, ttl, ip, user_agent),
    ).fetchone()
    assert row is not None
    return UUID(str(row[0]))
