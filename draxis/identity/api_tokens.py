"""Personal access tokens in the database: create, list, revoke, and resolve a bearer token.

Resolving runs before any scope exists, through `platform.api_token_principal` (SECURITY
DEFINER, migration 0012); everything else runs in the caller's scoped transaction, where the
table's policies show a user their own tokens and a tenant scope its tenant's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow, class_row

from draxis.security.api_tokens import TokenGrant, TokenScope, hash_token, shown_prefix
from draxis.security.mfa import MfaRules, mfa_applies
from draxis.security.tokens import Principal

Conn = psycopg.Connection[TupleRow]


@dataclass(frozen=True, slots=True)
class ResolvedToken:
    """A token's row and its user as they are now (`platform.api_token_principal`)."""

    token_id: UUID
    kind: str
    scope: str
    source_id: UUID | None
    live: bool | None
    expires_at: datetime | None
    token_mfa_verified: bool
    user_id: UUID | None
    email: str | None
    role: str | None
    tenant_id: UUID | None
    organization_id: UUID | None
    carrier_id: UUID | None
    mfa_enrolled: bool | None
    rule_user: bool | None
    rule_tenant: bool | None
    rule_org: bool | None
    rule_platform: bool | None

    @property
    def mfa_pending(self) -> bool:
        """The user's MFA rules require MFA and the token was not made in a verified session."""
        rules = MfaRules(self.rule_user, self.rule_tenant, self.rule_org, self.rule_platform)
        return mfa_applies(bool(self.mfa_enrolled), rules) and not self.token_mfa_verified

    def principal(self) -> Principal:
        assert self.user_id is not None
        assert self.role is not None
        return Principal(
            user_id=self.user_id,
            email=self.email or "",
            role=self.role,
            tenant_id=self.tenant_id,
            org_id=self.organization_id,
            carrier_id=self.carrier_id,
            mfa_verified=self.token_mfa_verified,
            session_id=self.token_id,
            token=TokenGrant(self.token_id, TokenScope(self.scope)),
        )


@dataclass(frozen=True, slots=True)
class TokenRow:
    id: UUID
    user_id: UUID
    owner_email: str | None
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def resolve(conn: Conn, token: str) -> ResolvedToken | None:
    """The token's row and user, or None when no token has this hash."""
    return (
        conn.cursor(row_factory=class_row(ResolvedToken))
        .execute("select * from platform.api_token_principal(%s)", (hash_token(token),))
        .fetchone()
    )


def touch(conn: Conn, token_id: UUID) -> bool:
    """Note a use (at most once a minute); True on the token's first use."""
    row = conn.execute("select platform.api_token_touch(%s)", (token_id,)).fetchone()
    return bool(row and row[0])


def create(
    conn: Conn,
    principal: Principal,
    token: str,
    *,
    name: str,
    scope: TokenScope,
    expires_at: datetime,
    mfa_verified: bool,
) -> TokenRow:
    row = conn.execute(
        "insert into platform.api_token (kind, user_id, tenant_id, name, scope, token_hash,"
        " prefix, mfa_verified, created_by, expires_at)"
        " values ('personal', %s, %s, %s, %s, %s, %s, %s, %s, %s) returning id",
        (
            principal.user_id,
            principal.tenant_id,
            name,
            scope.value,
            hash_token(token),
            shown_prefix(token),
            mfa_verified,
            principal.user_id,
            expires_at,
        ),
    ).fetchone()
    assert row is not None
    found = get(conn, UUID(str(row[0])))
    assert found is not None
    return found


_SELECT = (
    "select a.id, a.user_id, u.email as owner_email, a.name, a.prefix, a.scope, a.created_at,"
    " a.expires_at, a.last_used_at, a.revoked_at"
    " from platform.api_token a left join platform.users u on u.id = a.user_id"
    " where a.kind = 'personal'"
)


def get(conn: Conn, token_id: UUID) -> TokenRow | None:
    return (
        conn.cursor(row_factory=class_row(TokenRow))
        .execute(_SELECT + " and a.id = %s", (token_id,))
        .fetchone()
    )


def list_tokens(conn: Conn, *, user_id: UUID | None = None) -> list[TokenRow]:
    """Tokens the scope shows, newest first; only `user_id`'s when given."""
    where = "" if user_id is None else " and a.user_id = %s"
    params = () if user_id is None else (user_id,)
    return (
        conn.cursor(row_factory=class_row(TokenRow))
        .execute(_SELECT + where + " order by a.created_at desc, a.id", params)
        .fetchall()
    )


def revoke(conn: Conn, token_id: UUID) -> bool:
    """Revoke a live token the scope shows; False when there is none."""
    done = conn.execute(
        "update platform.api_token set revoked_at = now()"
        " where id = %s and kind = 'personal' and revoked_at is null",
        (token_id,),
    ).rowcount
    return done > 0
