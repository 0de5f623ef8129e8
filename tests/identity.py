"""Helpers for identity tests: users of every role, sign-in, TOTP codes, and row counts."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pyotp
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from psycopg.rows import TupleRow
from starlette.routing import BaseRoute

from draxis.db.scope import Scope, scoped_transaction
from draxis.security.mfa import STEP_SECONDS
from tests.factories import _PASSWORD_HASH, PASSWORD, TenantFixture

Conn = psycopg.Connection[TupleRow]
ROLES = (
    "superadmin",
    "master_admin",
    "tenant_admin",
    "tenant_user",
    "carrier_admin",
    "carrier_user",
)


@dataclass(frozen=True, slots=True)
class User:
    id: UUID
    email: str
    role: str
    org_id: UUID | None
    tenant_id: UUID | None
    carrier_id: UUID | None


def create_carrier(conn: Conn) -> UUID:
    suffix = uuid.uuid4().hex[:8]
    with scoped_transaction(conn, Scope.platform()):
        row = conn.execute(
            "insert into carrier.carriers (slug, name) values (%s, %s) returning id",
            (f"c-{suffix}", f"Carrier {suffix}"),
        ).fetchone()
    assert row is not None
    return UUID(str(row[0]))


def create_user(
    conn: Conn,
    role: str,
    *,
    tenant: TenantFixture | None = None,
    org_id: UUID | None = None,
    carrier_id: UUID | None = None,
) -> User:
    """A user of `role` with the shared test password; tenant roles need `tenant`."""
    if role in ("tenant_admin", "tenant_user"):
        assert tenant is not None
        org_id, tenant_id = tenant.org_id, tenant.id
    else:
        tenant_id = None
        if role == "master_admin" and org_id is None:
            assert tenant is not None
            org_id = tenant.org_id
        if role.startswith("carrier") and carrier_id is None:
            carrier_id = create_carrier(conn)
    email = f"{role.replace('_', '-')}-{uuid.uuid4().hex[:10]}@example.test"
    with scoped_transaction(conn, Scope.platform()):
        row = conn.execute(
            "insert into platform.users (email, display_name, password_hash, role,"
            " organization_id, tenant_id, carrier_id) values (%s, %s, %s, %s, %s, %s, %s)"
            " returning id",
            (email, f"Test {role}", _PASSWORD_HASH, role, org_id, tenant_id, carrier_id),
        ).fetchone()
    assert row is not None
    return User(UUID(str(row[0])), email, role, org_id, tenant_id, carrier_id)


def login(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def totp_code(secret: str, at: datetime | None = None, steps_ahead: int = 0) -> str:
    moment = (at or datetime.now(UTC)) + timedelta(seconds=STEP_SECONDS * steps_ahead)
    return pyotp.TOTP(secret).at(moment)


def enroll_mfa(client: TestClient, token: str) -> tuple[str, list[str], str]:
    """Enroll the token's user; returns (secret, recovery codes, MFA-verified access token)."""
    started = client.post("/api/auth/mfa/enroll", headers=bearer(token))
    assert started.status_code == 200, started.text
    secret: str = started.json()["secret"]
    confirmed = client.post(
        "/api/auth/mfa/enroll/confirm", headers=bearer(token), json={"code": totp_code(secret)}
    )
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    return secret, list(body["recovery_codes"]), str(body["access_token"])


def count_rows(observer: Conn, table: str) -> int:
    """Row count of `table` seen by the observer (cluster admin) connection, across RLS."""
    row = observer.execute(f"select count(*) from {table}").fetchone()
    assert row is not None
    return int(row[0])


def use_refresh(client: TestClient, token: str) -> None:
    """Make `token` the client's refresh cookie (to replay an old one, say)."""
    client.cookies.clear()
    client.cookies.set("draxis_refresh", token, domain="testserver.local", path="/api/auth")


def flatten_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    """Every API route; FastAPI >= 0.16x keeps included routers nested, older ones flattened."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from flatten_routes(nested.routes)
