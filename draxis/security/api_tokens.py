"""Personal access tokens: their shape, their hash, and what a token's scope lets it do. Pure.

A token is `drx_pat_` and 43 URL-safe characters (32 random bytes). It is shown once; only its
SHA-256 is stored (256 bits of randomness leave nothing to brute-force, and the lookup stays an
index probe), with its first 12 characters kept as a prefix the owner recognises it by.

A token acts as its user with the user's role *capped* by its scope: `read` keeps only the
permissions that read (and asking the panel, which answers questions); `read_write` keeps the
role's permissions. Neither lets a token manage its own identity (MFA, sign-out, other tokens):
those need a signed-in person.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from uuid import UUID

from draxis.security.permissions import Permission

PAT_PREFIX = "drx_pat_"  # a marker that says what a token is, not a secret
PREFIX_SHOWN = 12
DEFAULT_LIFETIME = timedelta(days=90)
MAX_LIFETIME = timedelta(days=365)
RATE_LIMIT_PER_MINUTE = 600  # calls per token

P = Permission
READ_PERMISSIONS = frozenset(
    {
        P.SELF,  # read-only by a token: see `allows`
        P.DASHBOARD_READ,
        P.RISK_MODEL_READ,
        P.TENANT_USERS_READ,
        P.TENANT_AUDIT_READ,
        P.INTEGRATIONS_READ,
        P.KNOWLEDGE_READ,
        P.TASKS_READ,
        P.PANEL_USE,  # asking a question reads the tenant's data; its trail is the panel's
        P.ORG_READ,
        P.PLATFORM_AUDIT_READ,
        P.CARRIER_READ,
    }
)
# Never by a token, whatever its scope: minting identities from an identity.
NEVER_BY_TOKEN = frozenset({P.IMPERSONATE})


class TokenScope(StrEnum):
    READ = "read"
    READ_WRITE = "read_write"


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """The personal access token a request came with."""

    token_id: UUID
    scope: TokenScope

    @property
    def writes(self) -> bool:
        return self.scope == TokenScope.READ_WRITE


def new_personal_token() -> str:
    return PAT_PREFIX + secrets.token_urlsafe(32)


def looks_like_personal_token(token: str) -> bool:
    return token.startswith(PAT_PREFIX) and 40 <= len(token) <= 80


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def shown_prefix(token: str) -> str:
    return token[:PREFIX_SHOWN]


def cap(granted: frozenset[Permission], scope: TokenScope) -> frozenset[Permission]:
    """The role's permissions as a token of `scope` may use them."""
    kept = granted - NEVER_BY_TOKEN
    return kept & READ_PERMISSIONS if scope == TokenScope.READ else kept


def allows(grant: TokenGrant, permission: Permission, *, write: bool) -> str | None:
    """Why a token may not make this call (None when it may)."""
    if permission == P.SELF and write:
        return "Managing your identity (MFA, sign-out, tokens) needs a signed-in session."
    if write and not grant.writes and permission != P.PANEL_USE:
        return "This token is read-only; create a read + write token to change data."
    return None
