"""Forged, foreign, stale and tampered access tokens: every one is a 401 problem, nothing written.

Each forgery starts from the claims of a real, live token, so the only thing wrong with it is the
one thing the test changes; `test_a_server_signed_copy_of_real_claims_is_accepted` proves that the
unchanged copy does pass, so a refusal below is never an accident of the test's own token.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any
from uuid import uuid4

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi.testclient import TestClient

from draxis.security.tokens import key_ring
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import User
from tests.security.helpers import (
    SignedIn,
    assert_problem,
    b64json,
    b64url,
    call,
    foreign_key,
    foreign_kid,
    nothing_written,
    server_public_pem,
    server_signed,
    sign_in,
    tamper,
    unverified_claims,
    unverified_header,
)


@pytest.fixture
def admin_a(client: TestClient, tenant_a: TenantFixture) -> SignedIn:
    """Tenant A's admin, signed in: the victim whose token the forgeries start from."""
    return sign_in(client, tenant_a.user_email)


def assert_refused_everywhere(client: TestClient, observer: Conn, token: str) -> None:
    """The token gets 401 on a read, a self route, and a write; none of them writes."""
    with nothing_written(observer):
        for method, path, body in (
            ("GET", "/api/dashboard", None),
            ("GET", "/api/me", None),
            ("GET", "/api/tenant/users", None),
            ("POST", "/api/tenant/invites", {"email": "x@evil.example", "role": "tenant_admin"}),
            ("PUT", "/api/tenant/mfa-policy", {"required": False}),
        ):
            response = call(client, method, path, token, body)
            assert_problem(response, 401)
            assert response.headers["www-authenticate"].startswith("Bearer")


def hs256(claims: dict[str, Any], secret: bytes, header: dict[str, Any]) -> str:
    """An HS256 JWT built by hand (PyJWT refuses a PEM as an HMAC secret, on purpose)."""
    signing_input = f"{b64json(header)}.{b64json(claims)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


# The control -------------------------------------------------------------------------------------


def test_a_server_signed_copy_of_real_claims_is_accepted(
    client: TestClient, settings: Settings, admin_a: SignedIn
) -> None:
    copy = server_signed(settings, admin_a.claims)
    assert call(client, "GET", "/api/dashboard", copy).status_code == 200


# Algorithm confusion ---------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_unsigned_alg_none_token_is_401(
    client: TestClient, observer_conn: Conn, admin_a: SignedIn, alg: str
) -> None:
    header = {"alg": alg, "typ": "JWT", "kid": unverified_header(admin_a.access)["kid"]}
    token = f"{b64json(header)}.{b64json(admin_a.claims)}."
    assert_refused_everywhere(client, observer_conn, token)


def test_alg_none_header_keeping_the_real_signature_is_401(
    client: TestClient, observer_conn: Conn, admin_a: SignedIn
) -> None:
    _, payload, signature = admin_a.access.split(".")
    header = {"alg": "none", "typ": "JWT", "kid": unverified_header(admin_a.access)["kid"]}
    assert_refused_everywhere(client, observer_conn, f"{b64json(header)}.{payload}.{signature}")


@pytest.mark.parametrize(
    "fmt",
    [serialization.PublicFormat.SubjectPublicKeyInfo, serialization.PublicFormat.PKCS1],
    ids=["spki-pem", "pkcs1-pem"],
)
def test_hs256_signed_with_the_servers_public_key_is_401(
    client: TestClient,
    settings: Settings,
    observer_conn: Conn,
    admin_a: SignedIn,
    fmt: serialization.PublicFormat,
) -> None:
    pem = server_public_pem(settings, fmt)
    header = {"alg": "HS256", "typ": "JWT", "kid": key_ring(settings).kid}
    forged = hs256(admin_a.claims, pem, header)
    # The forgery is well made: verifying it as HS256 with the PEM as secret succeeds.
    signing_input, _, signature = forged.rpartition(".")
    expected = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    assert b64url(expected) == signature
    assert_refused_everywhere(client, observer_conn, forged)


def test_hs256_without_kid_signed_with_the_public_key_is_401(
    client: TestClient, settings: Settings, observer_conn: Conn, admin_a: SignedIn
) -> None:
    pem = server_public_pem(settings, serialization.PublicFormat.SubjectPublicKeyInfo)
    forged = hs256(admin_a.claims, pem, {"alg": "HS256", "typ": "JWT"})
    assert_refused_everywhere(client, observer_conn, forged)


# Foreign keys ------------------------------------------------------------------------------------


def test_token_signed_by_another_rsa_key_claiming_the_servers_kid_is_401(
    client: TestClient, settings: Settings, observer_conn: Conn, admin_a: SignedIn
) -> None:
    forged = jwt.encode(
        admin_a.claims, foreign_key(), algorithm="RS256", headers={"kid": key_ring(settings).kid}
    )
    assert_refused_everywhere(client, observer_conn, forged)


def test_token_signed_by_another_rsa_key_with_its_own_kid_is_401(
    client: TestClient, observer_conn: Conn, admin_a: SignedIn
) -> None:
    key = foreign_key()
    forged = jwt.encode(admin_a.claims, key, algorithm="RS256", headers={"kid": foreign_kid(key)})
    assert_refused_everywhere(client, observer_conn, forged)


def test_token_signed_by_another_rsa_key_without_kid_is_401(
    client: TestClient, observer_conn: Conn, admin_a: SignedIn
) -> None:
    forged = jwt.encode(admin_a.claims, foreign_key(), algorithm="RS256")
    assert "kid" not in unverified_header(forged)
    assert_refused_everywhere(client, observer_conn, forged)


def test_token_embedding_its_own_jwk_in_the_header_is_401(
    client: TestClient, settings: Settings, observer_conn: Conn, admin_a: SignedIn
) -> None:
    key = foreign_key()
    numbers = key.public_key().public_numbers()
    jwk = {
        "kty": "RSA",
        "kid": foreign_kid(key),
        "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
        "e": b64url(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")),
    }
    for kid in (foreign_kid(key), key_ring(settings).kid):
        forged = jwt.encode(
            admin_a.claims,
            key,
            algorithm="RS256",
            headers={"kid": kid, "jwk": jwk, "jku": "https://evil.example/jwks.json"},
        )
        assert_refused_everywhere(client, observer_conn, forged)


# Claims the server signs but must still refuse ------------------------------------------------


def test_wrong_issuer_is_401(
    client: TestClient, settings: Settings, observer_conn: Conn, admin_a: SignedIn
) -> None:
    forged = server_signed(settings, {**admin_a.claims, "iss": "https://evil.example"})
    assert_refused_everywhere(client, observer_conn, forged)


@pytest.mark.parametrize("audience", ["someone-else", ["someone-else", "draxis-api-x"], ""])
def test_wrong_audience_is_401(
    client: TestClient,
    settings: Settings,
    observer_conn: Conn,
    admin_a: SignedIn,
    audience: str | list[str],
) -> None:
    forged = server_signed(settings, {**admin_a.claims, "aud": audience})
    assert_refused_everywhere(client, observer_conn, forged)


def test_expired_token_is_401(
    client: TestClient, settings: Settings, observer_conn: Conn, admin_a: SignedIn
) -> None:
    now = int(time.time())
    forged = server_signed(
        settings, {**admin_a.claims, "iat": now - 1000, "nbf": now - 1000, "exp": now - 100}
    )
    assert_refused_everywhere(client, observer_conn, forged)


def test_not_yet_valid_token_is_401(
    client: TestClient, settings: Settings, observer_conn: Conn, admin_a: SignedIn
) -> None:
    now = int(time.time())
    forged = server_signed(settings, {**admin_a.claims, "nbf": now + 300, "exp": now + 1200})
    assert_refused_everywhere(client, observer_conn, forged)


def _without(claims: dict[str, Any], name: str) -> dict[str, Any]:
    assert name in claims
    return {k: v for k, v in claims.items() if k != name}


def test_token_without_sid_is_401(
    client: TestClient, settings: Settings, observer_conn: Conn, admin_a: SignedIn
) -> None:
    forged = server_signed(settings, _without(admin_a.claims, "sid"))
    assert_refused_everywhere(client, observer_conn, forged)


def test_token_without_jti_is_401(
    client: TestClient, settings: Settings, observer_conn: Conn, admin_a: SignedIn
) -> None:
    forged = server_signed(settings, _without(admin_a.claims, "jti"))
    assert_refused_everywhere(client, observer_conn, forged)


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf", "sub", "iss", "aud", "role", "email"])
def test_token_without_another_required_claim_is_401(
    client: TestClient, settings: Settings, observer_conn: Conn, admin_a: SignedIn, claim: str
) -> None:
    forged = server_signed(settings, _without(admin_a.claims, claim))
    assert_refused_everywhere(client, observer_conn, forged)


@pytest.mark.parametrize(
    ("claim", "value"),
    [("sub", "not-a-uuid"), ("sid", "1 or 1=1"), ("tenant_id", "' or 1=1 --"), ("act", "root")],
)
def test_token_with_malformed_claims_is_401(
    client: TestClient,
    settings: Settings,
    observer_conn: Conn,
    admin_a: SignedIn,
    claim: str,
    value: str,
) -> None:
    forged = server_signed(settings, {**admin_a.claims, claim: value})
    assert_refused_everywhere(client, observer_conn, forged)


def test_token_naming_a_session_of_another_user_is_401(
    client: TestClient,
    settings: Settings,
    observer_conn: Conn,
    admin_a: SignedIn,
    user_a: User,
) -> None:
    """Even server-signed, `sid` must belong to `sub`: a session id is no bearer credential."""
    victim = sign_in(client, user_a.email)
    forged = server_signed(settings, {**admin_a.claims, "sid": victim.claims["sid"]})
    assert_refused_everywhere(client, observer_conn, forged)


def test_token_naming_an_unknown_session_is_401(
    client: TestClient, settings: Settings, observer_conn: Conn, admin_a: SignedIn
) -> None:
    forged = server_signed(settings, {**admin_a.claims, "sid": str(uuid4())})
    assert_refused_everywhere(client, observer_conn, forged)


# Tampered payloads (original signature kept) ------------------------------------------------------


def test_tampered_tenant_id_is_401(
    client: TestClient, observer_conn: Conn, admin_a: SignedIn, tenant_b: TenantFixture
) -> None:
    forged = tamper(admin_a.access, tenant_id=str(tenant_b.id), org_id=str(tenant_b.org_id))
    assert unverified_claims(forged)["tenant_id"] == str(tenant_b.id)
    assert_refused_everywhere(client, observer_conn, forged)


def test_tampered_role_is_401(
    client: TestClient, observer_conn: Conn, admin_a: SignedIn, tenant_b: TenantFixture
) -> None:
    forged = tamper(admin_a.access, role="superadmin", tenant_id=None)
    assert_refused_everywhere(client, observer_conn, forged)
    with nothing_written(observer_conn):
        for method, path, body in (
            ("GET", "/api/platform/orgs", None),
            ("POST", "/api/platform/orgs", {"slug": "evil-org", "name": "Evil"}),
            ("GET", f"/api/orgs/{tenant_b.org_id}/users", None),
            ("DELETE", f"/api/orgs/{tenant_b.org_id}/tenants/{tenant_b.id}", None),
        ):
            assert_problem(call(client, method, path, forged, body), 401)


def test_tampered_org_id_of_a_master_admin_is_401(
    client: TestClient, observer_conn: Conn, master_a: User, tenant_b: TenantFixture
) -> None:
    master = sign_in(client, master_a.email)
    forged = tamper(master.access, org_id=str(tenant_b.org_id))
    with nothing_written(observer_conn):
        for method, path, body in (
            ("GET", f"/api/orgs/{tenant_b.org_id}", None),
            ("POST", f"/api/orgs/{tenant_b.org_id}/tenants", {"slug": "evil-t", "name": "Evil"}),
            ("POST", f"/api/orgs/{tenant_b.org_id}/tenants/{tenant_b.id}/impersonate", None),
        ):
            assert_problem(call(client, method, path, forged, body), 401)


@pytest.mark.parametrize(
    "changes",
    [
        {"mfa_verified": True},
        {"sub": str(uuid4())},
        {"exp": int(time.time()) + 365 * 24 * 3600},
        {"act": {"sub": str(uuid4()), "email": "boss@example.test", "role": "superadmin"}},
    ],
    ids=["mfa_verified", "sub", "exp", "act"],
)
def test_other_tampered_claims_are_401(
    client: TestClient, observer_conn: Conn, admin_a: SignedIn, changes: dict[str, Any]
) -> None:
    assert_refused_everywhere(client, observer_conn, tamper(admin_a.access, **changes))


def test_token_with_its_signature_stripped_is_401(
    client: TestClient, observer_conn: Conn, admin_a: SignedIn
) -> None:
    header, payload, _ = admin_a.access.split(".")
    for token in (f"{header}.{payload}.", f"{header}.{payload}", f"{header}.{payload}.AAAA"):
        assert_refused_everywhere(client, observer_conn, token)
