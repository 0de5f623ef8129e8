"""The one place that sets the RLS scope: a transaction whose first statement is `set_config`.

Policies read `draxis.scope`, `draxis.tenant_id`, `draxis.tenant_ids`, `draxis.org_id`,
`draxis.carrier_id`, `draxis.user_id` and `draxis.respondent` through the `platform.current_*()`
functions. The settings are
transaction-local (`is_local = true`), so a pooled connection never carries one request's scope
into the next.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow

ScopeKind = Literal[
    "tenant", "tenants", "org", "platform", "carrier", "user", "login", "respondent"
]

_SET_SCOPE = (
    "select set_config('draxis.scope', %s, true), set_config('draxis.tenant_id', %s, true),"
    " set_config('draxis.tenant_ids', %s, true),"
    " set_config('draxis.org_id', %s, true), set_config('draxis.carrier_id', %s, true),"
    " set_config('draxis.user_id', %s, true), set_config('draxis.respondent', %s, true)"
)


@dataclass(frozen=True, slots=True)
class Scope:
    """What one transaction may see. Built from a verified JWT or by a trusted job."""

    kind: ScopeKind
    tenant_id: UUID | None = None
    org_id: UUID | None = None
    carrier_id: UUID | None = None
    # The caller: a user always sees their own row, and audit rows must name them.
    user_id: UUID | None = None
    # The `tenants` scope's tenants (a pipeline batch); empty for every other kind.
    tenant_ids: tuple[UUID, ...] = ()
    # The `respondent` scope's SHA-256 of a vendor link's token (hex); empty for every other kind.
    respondent: str = ""

    @classmethod
    def tenant(
        cls, tenant_id: UUID, org_id: UUID | None = None, user_id: UUID | None = None
    ) -> Scope:
        return cls("tenant", tenant_id=tenant_id, org_id=org_id, user_id=user_id)

    @classmethod
    def tenants(cls, tenant_ids: Iterable[UUID]) -> Scope:
        """Exactly these tenants' rows, in one transaction: a pipeline run's batch of tenant
        partitions. Only `draxis_pipeline` has policies that honour it (migration 0009); for
        any other role it sees nothing, and so does an empty batch."""
        return cls("tenants", tenant_ids=tuple(sorted(set(tenant_ids))))

    @classmethod
    def org(cls, org_id: UUID, user_id: UUID | None = None) -> Scope:
        """An organization's tenants and users: master admins' scope; widened, so audited."""
        return cls("org", org_id=org_id, user_id=user_id)

    @classmethod
    def platform(cls, user_id: UUID | None = None) -> Scope:
        """Reads across every tenant (pipeline sensors, superadmins); widened, so audited."""
        return cls("platform", user_id=user_id)

    @classmethod
    def carrier(cls, carrier_id: UUID, user_id: UUID | None = None) -> Scope:
        return cls("carrier", carrier_id=carrier_id, user_id=user_id)

    @classmethod
    def user(
        cls, user_id: UUID, org_id: UUID | None = None, carrier_id: UUID | None = None
    ) -> Scope:
        """One's own user row (and home organization / carrier row) and nothing else."""
        return cls("user", org_id=org_id, carrier_id=carrier_id, user_id=user_id)

    @classmethod
    def respondent_of(cls, token_sha256: bytes) -> Scope:
        """A vendor answering an assessment through its link: no tenant, no user; policies
        (migration 0022) show the one open assessment whose token hashes to this, and its
        questionnaire, answers and evidence, and nothing else."""
        if len(token_sha256) != 32:
            raise ValueError("a respondent scope needs a SHA-256 digest")
        return cls("respondent", respondent=token_sha256.hex())

    @classmethod
    def login(cls) -> Scope:
        """Before authentication: sees nothing but what `platform.login_candidate()` returns."""
        return cls("login")


def _text(value: UUID | None) -> str:
    return "" if value is None else str(value)


def _array(values: tuple[UUID, ...]) -> str:
    """A uuid[] literal; '' (no scope) outside the `tenants` kind."""
    return "{" + ",".join(map(str, values)) + "}" if values else ""


@contextmanager
def scoped_transaction(
    conn: psycopg.Connection[TupleRow], scope: Scope, *, read_only: bool = False
) -> Iterator[psycopg.Connection[TupleRow]]:
    """Open one transaction on `conn` whose first statement sets `scope`; commit on success."""
    previous, conn.read_only = conn.read_only, read_only
    try:
        with conn.transaction():
            conn.execute(
                _SET_SCOPE,
                (
                    scope.kind,
                    _text(scope.tenant_id),
                    _array(scope.tenant_ids) if scope.kind == "tenants" else "",
                    _text(scope.org_id),
                    _text(scope.carrier_id),
                    _text(scope.user_id),
                    scope.respondent if scope.kind == "respondent" else "",
                ),
            )
            yield conn
    finally:
        conn.read_only = previous
