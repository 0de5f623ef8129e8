"""Shared tools of the attack suite: sign-in with the refresh cookie, problem assertions,
token forgery, and the "nothing was written" snapshot.

The snapshot is taken with `observer_conn` (the cluster admin, which RLS does not filter): a count
and a digest of the security-relevant columns of every identity table, so that an UPDATE (a role
raised, a user disabled, a tenant deleted) shows up as well as an INSERT.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx2
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from api.access import MFA_REQUIRED_TYPE
from draxis.security.tokens import key_ring, kid_of
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import PASSWORD
from tests.identity import bearer

PROBLEM_JSON = "application/problem+json"
REFRESH_COOKIE = "draxis_refresh"

# Table → the columns whose change counts as "written". Timestamps that reads legitimately move
# (last_login_at, mfa_last_step) are left out.
WATCHED: dict[str, str] = {
    "platform.organizations": "id, slug, name, kind, disabled_at",
    "platform.tenants": "id, organization_id, slug, name, deleted_at",
    "platform.users": (
        "id, email, display_name, role, is_active, organization_id, tenant_id, carrier_id,"
        " password_hash, mfa_secret, mfa_enrolled_at"
    ),
    "platform.invites": "id, email, role, organization_id, tenant_id, accepted_at, revoked_at",
    "platform.mfa_policy": "id, level, organization_id, tenant_id, user_id, required",
    "platform.mfa_recovery_codes": "user_id, code_hash, used_at",
    "platform.sessions": "id, user_id, kind, impersonated_tenant_id, revoked_at, mfa_verified_at",
    "platform.refresh_tokens": "token_hash, session_id, rotated_at",
    "platform.api_token": "id, kind, user_id, tenant_id, token_hash, revoked_at",
    "tenant.kri": "id, tenant_id, slug, warn, critical, source_id",
    "tenant.audit_log": "id",
    "platform.platform_audit_logs": "id",
}

Snapshot = dict[str, tuple[int, str]]


def snapshot(observer: Conn) -> Snapshot:
    """Row count and content digest of every watched table."""
    taken: Snapshot = {}
    for table, columns in WATCHED.items():
        row = observer.execute(
            f"select count(*), md5(coalesce(string_agg(row({columns})::text, '|'"
            f" order by row({columns})::text), '')) from {table}"
        ).fetchone()
        assert row is not None
        taken[table] = (int(row[0]), str(row[1]))
    return taken


def assert_unchanged(
    before: Snapshot, after: Snapshot, *, may_change: tuple[str, ...] = ()
) -> None:
    changed = {
        table: {"before": before[table], "after": after[table]}
        for table in before
        if table not in may_change and before[table] != after[table]
    }
    assert not changed, f"a refused request wrote to: {changed}"


@contextmanager
def nothing_written(observer: Conn, *, may_change: tuple[str, ...] = ()) -> Iterator[None]:
    """Assert that the block leaves every watched table (count and content) as it found it."""
    before = snapshot(observer)
    yield
    assert_unchanged(before, snapshot(observer), may_change=may_change)


def assert_problem(response: httpx2.Response, status: int) -> dict[str, Any]:
    """The exact status, as an RFC 9457 problem document; returns the body."""
    request = response.request
    assert response.status_code == status, (
        f"{request.method} {request.url} answered {response.status_code}, not {status}:"
        f" {response.text[:500]}"
    )
    assert response.headers["content-type"] == PROBLEM_JSON, response.headers["content-type"]
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert isinstance(body["type"], str)
    return body


def assert_mfa_required(response: httpx2.Response) -> None:
    body = assert_problem(response, 403)
    assert body["type"] == MFA_REQUIRED_TYPE
    assert body["type"].endswith("/mfa-required")


def assert_invalid_field(response: httpx2.Response, location: str) -> None:
    """A 422 problem naming `location` (for example `body.tenant_id` or `path.user_id`)."""
    body = assert_problem(response, 422)
    locations = [e["location"] for e in body.get("errors", [])]
    assert location in locations, f"422 does not name {location}: {locations}"


def call(
    client: TestClient,
    method: str,
    path: str,
    token: str | None = None,
    json_body: Any = None,
) -> httpx2.Response:
    """One request with an optional bearer and JSON body, never following redirects."""
    response: httpx2.Response = client.request(
        method,
        path,
        headers=bearer(token) if token else {},
        json=json_body,
        follow_redirects=False,
    )
    return response


@dataclass(frozen=True, slots=True)
class SignedIn:
    access: str
    refresh: str
    body: dict[str, Any]

    @property
    def claims(self) -> dict[str, Any]:
        return unverified_claims(self.access)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> SignedIn:
    """Log in; returns the access token and the refresh token the cookie carried."""
    client.cookies.clear()
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    refresh = response.cookies.get(REFRESH_COOKIE)
    assert refresh, "login set no refresh cookie"
    client.cookies.clear()  # every later cookie is sent explicitly
    body: dict[str, Any] = response.json()
    return SignedIn(str(body["access_token"]), refresh, body)


def refresh_with(client: TestClient, refresh: str) -> httpx2.Response:
    """POST /api/auth/refresh presenting exactly `refresh` as the cookie."""
    client.cookies.clear()
    response: httpx2.Response = client.post(
        "/api/auth/refresh", headers={"Cookie": f"{REFRESH_COOKIE}={refresh}"}
    )
    client.cookies.clear()
    return response


def new_refresh_cookie(response: httpx2.Response) -> str:
    value = response.cookies.get(REFRESH_COOKIE)
    assert value, "the answer set no refresh cookie"
    return value


def logout_with(
    client: TestClient, *, token: str | None = None, refresh: str | None = None
) -> httpx2.Response:
    client.cookies.clear()
    headers = bearer(token) if token else {}
    if refresh:
        headers["Cookie"] = f"{REFRESH_COOKIE}={refresh}"
    response: httpx2.Response = client.post("/api/auth/logout", headers=headers)
    client.cookies.clear()
    return response


# Token surgery ------------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64json(value: Mapping[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def unverified_claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = json.loads(b64url_decode(token.split(".")[1]))
    return claims


def unverified_header(token: str) -> dict[str, Any]:
    header: dict[str, Any] = json.loads(b64url_decode(token.split(".")[0]))
    return header


def tamper(token: str, **changes: Any) -> str:
    """The token with its payload changed and its original signature kept."""
    header, _, signature = token.split(".")
    claims = unverified_claims(token)
    claims.update(changes)
    return f"{header}.{b64json(claims)}.{signature}"


def server_signed(
    settings: Settings, claims: Mapping[str, Any], *, headers: Mapping[str, Any] | None = None
) -> str:
    """Claims signed with the server's own key and kid: what the server itself would issue."""
    ring = key_ring(settings)
    return jwt.encode(
        dict(claims),
        ring.signing,
        algorithm="RS256",
        headers=dict(headers) if headers is not None else {"kid": ring.kid},
    )


def server_public_pem(settings: Settings, fmt: serialization.PublicFormat) -> bytes:
    return key_ring(settings).signing.public_key().public_bytes(serialization.Encoding.PEM, fmt)


def foreign_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def foreign_kid(key: rsa.RSAPrivateKey) -> str:
    return kid_of(key.public_key())
