"""Sign-in, refresh rotation with replay detection, sign-out, and sessions dying with users."""

from __future__ import annotations

from unittest import mock

import jwt
from fastapi.testclient import TestClient

from api.routes import auth as auth_routes
from draxis.db.scope import Scope, scoped_transaction
from draxis.security import passwords
from tests.conftest import Conn
from tests.factories import PASSWORD, TenantFixture
from tests.identity import bearer, count_rows, create_user, login, use_refresh

REQUIRED_CLAIMS = {
    "sub", "role", "org_id", "tenant_id", "carrier_id", "mfa_verified", "sid", "jti", "iss",
    "aud", "iat", "exp",
}  # fmt: skip


def test_login_issues_a_15_minute_token_with_every_claim_and_a_strict_refresh_cookie(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    response = client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert set(claims) >= REQUIRED_CLAIMS
    assert claims["exp"] - claims["iat"] == 900
    assert claims["tenant_id"] == str(tenant_a.id)
    cookie = response.headers["set-cookie"]
    for attribute in ("draxis_refresh=", "HttpOnly", "Secure", "SameSite=strict", "Path=/api/auth"):
        assert attribute.lower() in cookie.lower()
    assert "Max-Age=2592000" in cookie


def test_unknown_email_and_wrong_password_are_the_same_answer_and_the_same_work(
    client: TestClient, tenant_a: TenantFixture
) -> None:
    answers = []
    with mock.patch.object(
        auth_routes, "verify_password", wraps=passwords.verify_password
    ) as verify:
        for email in (tenant_a.user_email, "nobody-at-all@example.test"):
            response = client.post("/api/auth/login", json={"email": email, "password": "wrong!"})
            answers.append((response.status_code, response.json()["detail"]))
    assert answers[0] == answers[1] == (401, "Invalid email or password.")
    assert verify.call_count == 2  # one argon2 verification each, known or not


def test_refresh_rotates_and_a_replayed_token_revokes_the_whole_family(
    client: TestClient, tenant_a: TenantFixture
) -> None:
    first = login(client, tenant_a.user_email)
    original = client.cookies["draxis_refresh"]
    rotated = client.post("/api/auth/refresh")
    assert rotated.status_code == 200
    newest = client.cookies["draxis_refresh"]
    assert newest != original
    assert client.get("/api/me", headers=bearer(rotated.json()["access_token"])).status_code == 200

    use_refresh(client, original)
    assert client.post("/api/auth/refresh").status_code == 401
    # The replay killed the session: its newest refresh token and every access token die with it.
    use_refresh(client, newest)
    assert client.post("/api/auth/refresh").status_code == 401
    for token in (first["access_token"], rotated.json()["access_token"]):
        assert client.get("/api/me", headers=bearer(token)).status_code == 401


def test_logout_revokes_the_session_and_clears_the_cookie(
    client: TestClient, tenant_a: TenantFixture
) -> None:
    token = login(client, tenant_a.user_email)["access_token"]
    response = client.post("/api/auth/logout", headers=bearer(token))
    assert response.status_code == 204
    assert 'draxis_refresh=""' in response.headers["set-cookie"]
    assert client.get("/api/me", headers=bearer(token)).status_code == 401
    assert client.post("/api/auth/refresh").status_code == 401


def test_a_disabled_user_is_locked_out_at_once(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    token = login(client, user.email)["access_token"]
    admin = login(client, tenant_a.user_email)["access_token"]
    patched = client.patch(
        f"/api/tenant/users/{user.id}", headers=bearer(admin), json={"is_active": False}
    )
    assert patched.status_code == 200
    assert patched.json()["is_active"] is False
    assert client.get("/api/dashboard", headers=bearer(token)).status_code == 401
    refused = client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 401


def test_a_disabled_organization_and_a_deleted_tenant_end_their_users_sessions(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    token_a = login(client, tenant_a.user_email)["access_token"]
    token_b = login(client, tenant_b.user_email)["access_token"]
    with scoped_transaction(app_conn, Scope.platform()):
        app_conn.execute(
            "update platform.organizations set disabled_at = now() where id = %s",
            (tenant_a.org_id,),
        )
        app_conn.execute(
            "update platform.tenants set deleted_at = now() where id = %s", (tenant_b.id,)
        )
    assert client.get("/api/dashboard", headers=bearer(token_a)).status_code == 401
    assert client.get("/api/dashboard", headers=bearer(token_b)).status_code == 401


def test_sign_in_writes_a_session_and_an_audit_row_with_request_id_and_ip(
    client: TestClient, tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    before = count_rows(observer_conn, "platform.sessions")
    client.post(
        "/api/auth/login",
        json={"email": tenant_a.user_email, "password": PASSWORD},
        headers={"X-Request-ID": "req-login-audit-1"},
    )
    assert count_rows(observer_conn, "platform.sessions") == before + 1
    row = observer_conn.execute(
        "select action, ip, scope from platform.platform_audit_logs where request_id = %s",
        ("req-login-audit-1",),
    ).fetchone()
    assert row == ("auth.sign_in", "testclient", "login")


def test_jwks_publishes_the_signing_key(client: TestClient, tenant_a: TenantFixture) -> None:
    token = login(client, tenant_a.user_email)["access_token"]
    keys = client.get("/api/auth/jwks.json").json()["keys"]
    assert jwt.get_unverified_header(token)["kid"] in {k["kid"] for k in keys}
    assert all(k["alg"] == "RS256" and k["kty"] == "RSA" for k in keys)
