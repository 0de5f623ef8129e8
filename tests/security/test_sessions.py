"""Sessions that have ended, refresh-token replay, and MFA that is required but not done.

A JWT that is still unexpired is only as good as its session: after a logout, a disabled user, a
disabled organization, a deleted tenant or a replayed refresh token it answers 401 at once.
"""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from draxis.db.scope import Scope, scoped_transaction
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import PASSWORD, TenantFixture
from tests.identity import User, bearer, create_user, enroll_mfa, totp_code
from tests.security.helpers import (
    SignedIn,
    assert_mfa_required,
    assert_problem,
    assert_unchanged,
    call,
    logout_with,
    new_refresh_cookie,
    nothing_written,
    refresh_with,
    server_signed,
    sign_in,
    snapshot,
)

# What a live session may call and what an ended one gets 401 on (all allowed for a tenant admin).
TENANT_ADMIN_PROBES: tuple[tuple[str, str, object], ...] = (
    ("GET", "/api/me", None),
    ("GET", "/api/dashboard", None),
    ("GET", "/api/tenant/users", None),
    ("POST", "/api/tenant/invites", {"email": "late@example.test", "role": "tenant_user"}),
    ("PUT", "/api/tenant/mfa-policy", {"required": False}),
    ("POST", "/api/auth/mfa/enroll", None),
)


def assert_session_ended(client: TestClient, observer: Conn, token: str) -> None:
    with nothing_written(observer):
        for method, path, body in TENANT_ADMIN_PROBES:
            response = call(client, method, path, token, body)
            assert_problem(response, 401)
            assert response.headers["www-authenticate"].startswith("Bearer")


def assert_unexpired(token: SignedIn) -> None:
    assert token.claims["exp"] > time.time() + 60


# Logout ------------------------------------------------------------------------------------------


def test_access_token_of_a_logged_out_session_is_401(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email)
    assert call(client, "GET", "/api/me", admin.access).status_code == 200
    assert logout_with(client, token=admin.access).status_code == 204
    assert_unexpired(admin)
    assert_session_ended(client, observer_conn, admin.access)
    with nothing_written(observer_conn):
        assert_problem(refresh_with(client, admin.refresh), 401)


def test_cookie_only_logout_ends_the_access_token_too(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email)
    assert logout_with(client, refresh=admin.refresh).status_code == 204
    assert_session_ended(client, observer_conn, admin.access)


def test_logout_ends_only_its_own_session(client: TestClient, tenant_a: TenantFixture) -> None:
    first = sign_in(client, tenant_a.user_email)
    second = sign_in(client, tenant_a.user_email)
    assert logout_with(client, token=first.access, refresh=first.refresh).status_code == 204
    assert call(client, "GET", "/api/me", second.access).status_code == 200


# Users, organizations and tenants that are switched off -----------------------------------------


def test_token_of_a_user_disabled_by_their_tenant_admin_is_401(
    client: TestClient, observer_conn: Conn, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    victim = create_user(app_conn, "tenant_admin", tenant=tenant_a)
    signed = sign_in(client, victim.email)
    assert call(client, "GET", "/api/dashboard", signed.access).status_code == 200
    admin = sign_in(client, tenant_a.user_email)
    patched = call(
        client, "PATCH", f"/api/tenant/users/{victim.id}", admin.access, {"is_active": False}
    )
    assert patched.status_code == 200, patched.text
    assert_unexpired(signed)
    assert_session_ended(client, observer_conn, signed.access)
    with nothing_written(observer_conn):
        assert_problem(refresh_with(client, signed.refresh), 401)
        response = client.post(
            "/api/auth/login", json={"email": victim.email, "password": PASSWORD}
        )
        assert_problem(response, 401)


def test_token_of_a_user_disabled_directly_in_the_database_is_401(
    client: TestClient, observer_conn: Conn, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    victim = create_user(app_conn, "tenant_admin", tenant=tenant_a)
    signed = sign_in(client, victim.email)
    with scoped_transaction(app_conn, Scope.platform()):
        app_conn.execute("update platform.users set is_active = false where id = %s", (victim.id,))
    assert_session_ended(client, observer_conn, signed.access)
    with nothing_written(observer_conn):
        assert_problem(refresh_with(client, signed.refresh), 401)


def test_token_of_a_demoted_user_is_401(
    client: TestClient, observer_conn: Conn, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    """The token still says `tenant_admin`; the user is a `tenant_user` now."""
    victim = create_user(app_conn, "tenant_admin", tenant=tenant_a)
    signed = sign_in(client, victim.email)
    admin = sign_in(client, tenant_a.user_email)
    patched = call(
        client, "PATCH", f"/api/tenant/users/{victim.id}", admin.access, {"role": "tenant_user"}
    )
    assert patched.status_code == 200, patched.text
    assert_session_ended(client, observer_conn, signed.access)


def test_token_of_a_user_whose_mfa_was_reset_is_401(
    client: TestClient, observer_conn: Conn, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    victim = create_user(app_conn, "tenant_admin", tenant=tenant_a)
    signed = sign_in(client, victim.email)
    _, _, verified = enroll_mfa(client, signed.access)
    admin = sign_in(client, tenant_a.user_email)
    reset = call(client, "POST", f"/api/tenant/users/{victim.id}/mfa-reset", admin.access)
    assert reset.status_code == 204, reset.text
    assert_session_ended(client, observer_conn, verified)


def test_token_of_a_user_in_a_disabled_organization_is_401(
    client: TestClient,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    superadmin: User,
) -> None:
    admin = sign_in(client, tenant_a.user_email)
    root = sign_in(client, superadmin.email)
    disabled = call(
        client, "PATCH", f"/api/platform/orgs/{tenant_a.org_id}", root.access, {"disabled": True}
    )
    assert disabled.status_code == 200, disabled.text
    assert_session_ended(client, observer_conn, admin.access)
    with nothing_written(observer_conn):
        assert_problem(refresh_with(client, admin.refresh), 401)


def test_token_of_a_user_in_a_deleted_tenant_is_401(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture, master_a: User
) -> None:
    admin = sign_in(client, tenant_a.user_email)
    master = sign_in(client, master_a.email)
    deleted = call(
        client, "DELETE", f"/api/orgs/{tenant_a.org_id}/tenants/{tenant_a.id}", master.access
    )
    assert deleted.status_code == 204, deleted.text
    assert_session_ended(client, observer_conn, admin.access)
    with nothing_written(observer_conn):
        assert_problem(refresh_with(client, admin.refresh), 401)


# Refresh-token replay ----------------------------------------------------------------------------


def test_replayed_refresh_token_is_401_and_revokes_the_whole_family(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    first = sign_in(client, tenant_a.user_email)
    rotated = refresh_with(client, first.refresh)
    assert rotated.status_code == 200, rotated.text
    second_refresh = new_refresh_cookie(rotated)
    second_access = str(rotated.json()["access_token"])
    assert second_refresh != first.refresh
    assert call(client, "GET", "/api/dashboard", second_access).status_code == 200

    # The replay is refused and mints nothing; only the session's revocation (and its audit row)
    # may be written.
    before = snapshot(observer_conn)
    replay = refresh_with(client, first.refresh)
    body = assert_problem(replay, 401)
    assert replay.cookies.get("draxis_refresh") is None
    assert "access_token" not in body
    after = snapshot(observer_conn)
    assert_unchanged(
        before, after, may_change=("platform.sessions", "platform.platform_audit_logs")
    )
    assert after["platform.sessions"][0] == before["platform.sessions"][0], "a session was opened"
    assert after["platform.platform_audit_logs"][0] == before["platform.platform_audit_logs"][0] + 1
    revoked = observer_conn.execute(
        "select revoked_at is not null, revoked_reason from platform.sessions where id = %s",
        (first.claims["sid"],),
    ).fetchone()
    assert revoked == (True, "refresh_reuse")

    # Every descendant is dead: the newer refresh token, the newer and the older access token.
    with nothing_written(observer_conn):
        assert_problem(refresh_with(client, second_refresh), 401)
        assert_problem(refresh_with(client, first.refresh), 401)
    assert_session_ended(client, observer_conn, second_access)
    assert_session_ended(client, observer_conn, first.access)


def test_replayed_refresh_token_revokes_impersonations_opened_from_the_family(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture, master_a: User
) -> None:
    """An attacker who rotated a stolen refresh token, then impersonated, loses that too.

    The impersonation session is a child of the signed-in session (`parent_session_id`), so it
    is part of the family that a replay must revoke.
    """
    master = sign_in(client, master_a.email)
    rotated = refresh_with(client, master.refresh)  # the thief's rotation
    assert rotated.status_code == 200, rotated.text
    thief_access = str(rotated.json()["access_token"])
    started = call(
        client,
        "POST",
        f"/api/orgs/{tenant_a.org_id}/tenants/{tenant_a.id}/impersonate",
        thief_access,
    )
    assert started.status_code == 201, started.text
    impersonation = str(started.json()["access_token"])
    assert call(client, "GET", "/api/dashboard", impersonation).status_code == 200

    assert_problem(refresh_with(client, master.refresh), 401)  # the owner's replay

    assert_problem(call(client, "GET", "/api/me", thief_access), 401)
    with nothing_written(observer_conn):
        assert_problem(call(client, "GET", "/api/dashboard", impersonation), 401)
        assert_problem(call(client, "GET", "/api/tenant/audit", impersonation), 401)


def test_unknown_refresh_token_is_401(client: TestClient, observer_conn: Conn) -> None:
    with nothing_written(observer_conn):
        for value in ("not-a-token", "' or 1=1 --", "A" * 4096):
            assert_problem(refresh_with(client, value), 401)
        client.cookies.clear()
        assert_problem(client.post("/api/auth/refresh"), 401)


def test_access_token_is_no_refresh_token(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email)
    with nothing_written(observer_conn):
        assert_problem(refresh_with(client, admin.access), 401)
        response = client.post("/api/auth/refresh", headers=bearer(admin.access))
        assert_problem(response, 401)


# MFA required but not verified -------------------------------------------------------------------


def require_tenant_mfa(client: TestClient, tenant: TenantFixture) -> None:
    """The tenant's admin enrolls first, then switches the tenant's MFA rule on."""
    admin = sign_in(client, tenant.user_email)
    _, _, verified = enroll_mfa(client, admin.access)
    answer = call(client, "PUT", "/api/tenant/mfa-policy", verified, {"required": True})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"level": "tenant", "required": True}


@pytest.fixture
def mfa_tenant(client: TestClient, tenant_a: TenantFixture) -> TenantFixture:
    require_tenant_mfa(client, tenant_a)
    return tenant_a


def test_mfa_required_user_without_verification_gets_403_mfa_required(
    client: TestClient, observer_conn: Conn, app_conn: Conn, mfa_tenant: TenantFixture
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=mfa_tenant)
    signed = sign_in(client, user.email)
    assert signed.body["mfa"] == {"required": True, "enrolled": False, "verified": False}
    assert signed.claims["mfa_verified"] is False
    with nothing_written(observer_conn):
        assert_mfa_required(call(client, "GET", "/api/dashboard", signed.access))
        assert_mfa_required(call(client, "GET", "/api/tenant/users", signed.access))
        me = call(client, "GET", "/api/me", signed.access)
        assert me.status_code == 200, me.text
        assert me.json()["mfa"] == {"required": True, "enrolled": False, "verified": False}


def test_mfa_pending_tenant_admin_cannot_switch_the_rule_off_or_manage_users(
    client: TestClient,
    observer_conn: Conn,
    app_conn: Conn,
    mfa_tenant: TenantFixture,
    user_a: User,
) -> None:
    admin = create_user(app_conn, "tenant_admin", tenant=mfa_tenant)
    signed = sign_in(client, admin.email)
    with nothing_written(observer_conn):
        for method, path, body in (
            ("PUT", "/api/tenant/mfa-policy", {"required": False}),
            ("PUT", "/api/tenant/mfa-policy", {"required": None}),
            ("PUT", f"/api/tenant/users/{admin.id}/mfa-policy", {"required": False}),
            ("PATCH", f"/api/tenant/users/{user_a.id}", {"role": "tenant_admin"}),
            ("POST", f"/api/tenant/users/{user_a.id}/mfa-reset", None),
            ("POST", "/api/tenant/invites", {"email": "new@example.test", "role": "tenant_admin"}),
            ("GET", "/api/tenant/audit", None),
        ):
            assert_mfa_required(call(client, method, path, signed.access, body))


def test_refresh_does_not_launder_a_pending_mfa(
    client: TestClient, observer_conn: Conn, app_conn: Conn, mfa_tenant: TenantFixture
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=mfa_tenant)
    signed = sign_in(client, user.email)
    refreshed = refresh_with(client, signed.refresh)
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["mfa"]["verified"] is False
    with nothing_written(observer_conn):
        assert_mfa_required(
            call(client, "GET", "/api/dashboard", str(refreshed.json()["access_token"]))
        )


def test_server_signed_mfa_verified_claim_does_not_skip_mfa(
    client: TestClient,
    settings: Settings,
    observer_conn: Conn,
    app_conn: Conn,
    mfa_tenant: TenantFixture,
) -> None:
    """MFA state lives in the session row; the token's `mfa_verified` claim is only a hint."""
    user = create_user(app_conn, "tenant_user", tenant=mfa_tenant)
    signed = sign_in(client, user.email)
    claimed = server_signed(settings, {**signed.claims, "mfa_verified": True})
    with nothing_written(observer_conn):
        assert_mfa_required(call(client, "GET", "/api/dashboard", claimed))


def test_wrong_totp_code_leaves_the_session_unverified(
    client: TestClient, observer_conn: Conn, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    first = sign_in(client, user.email)
    secret, _, _ = enroll_mfa(client, first.access)
    # Enrolled: MFA applies to every later sign-in, whatever the rules say.
    signed = sign_in(client, user.email)
    assert signed.body["mfa"]["enrolled"] is True
    wrong = totp_code(secret, steps_ahead=20)
    with nothing_written(observer_conn):
        assert_problem(
            call(client, "POST", "/api/auth/mfa/verify", signed.access, {"code": wrong}), 401
        )
        assert_problem(
            call(
                client,
                "POST",
                "/api/auth/mfa/recover",
                signed.access,
                {"recovery_code": "aaaaa-bbbbb"},
            ),
            401,
        )
        assert_problem(call(client, "POST", "/api/auth/mfa/enroll", signed.access), 409)
        assert_mfa_required(call(client, "GET", "/api/dashboard", signed.access))


def test_mfa_pending_master_admin_cannot_impersonate(
    client: TestClient,
    observer_conn: Conn,
    app_conn: Conn,
    tenant_a: TenantFixture,
    master_a: User,
) -> None:
    with scoped_transaction(app_conn, Scope.platform()):
        app_conn.execute(
            "insert into platform.mfa_policy (level, organization_id, required)"
            " values ('organization', %s, true)",
            (tenant_a.org_id,),
        )
    master = sign_in(client, master_a.email)
    assert master.body["mfa"]["verified"] is False
    with nothing_written(observer_conn):
        path = f"/api/orgs/{tenant_a.org_id}/tenants/{tenant_a.id}/impersonate"
        assert_mfa_required(call(client, "POST", path, master.access))
        assert_mfa_required(call(client, "GET", f"/api/orgs/{tenant_a.org_id}", master.access))
        assert_mfa_required(
            call(
                client,
                "PUT",
                f"/api/orgs/{tenant_a.org_id}/mfa-policy",
                master.access,
                {"required": False},
            )
        )


def test_replayed_totp_code_is_refused(
    client: TestClient, observer_conn: Conn, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    """The code that confirmed enrollment cannot verify another session: a code works once."""
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    first = sign_in(client, user.email)
    started = call(client, "POST", "/api/auth/mfa/enroll", first.access)
    assert started.status_code == 200, started.text
    secret = str(started.json()["secret"])
    code = totp_code(secret)
    confirmed = call(client, "POST", "/api/auth/mfa/enroll/confirm", first.access, {"code": code})
    assert confirmed.status_code == 200, confirmed.text
    second = sign_in(client, user.email)
    with nothing_written(observer_conn):
        replay = call(client, "POST", "/api/auth/mfa/verify", second.access, {"code": code})
        assert_problem(replay, 401)
        assert_mfa_required(call(client, "GET", "/api/dashboard", second.access))


def test_spent_or_foreign_recovery_codes_are_refused(
    client: TestClient,
    observer_conn: Conn,
    app_conn: Conn,
    tenant_a: TenantFixture,
    user_a: User,
) -> None:
    victim = create_user(app_conn, "tenant_user", tenant=tenant_a)
    _, victim_codes, _ = enroll_mfa(client, sign_in(client, victim.email).access)
    _, own_codes, _ = enroll_mfa(client, sign_in(client, user_a.email).access)
    used = call(
        client,
        "POST",
        "/api/auth/mfa/recover",
        sign_in(client, user_a.email).access,
        {"recovery_code": own_codes[0]},
    )
    assert used.status_code == 200, used.text
    attacker = sign_in(client, user_a.email)
    with nothing_written(observer_conn):
        for code in (own_codes[0], victim_codes[0]):
            response = call(
                client, "POST", "/api/auth/mfa/recover", attacker.access, {"recovery_code": code}
            )
            assert_problem(response, 401)
        assert_mfa_required(call(client, "GET", "/api/dashboard", attacker.access))


def test_refresh_cookie_is_http_only_secure_strict_and_scoped_to_auth(
    client: TestClient, tenant_a: TenantFixture
) -> None:
    client.cookies.clear()
    response = client.post(
        "/api/auth/login", json={"email": tenant_a.user_email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    client.cookies.clear()
    cookie = response.headers["set-cookie"]
    attributes = {part.strip().split("=", 1)[0].lower() for part in cookie.split(";")}
    assert {"httponly", "secure", "samesite", "path"} <= attributes, cookie
    assert "samesite=strict" in cookie.lower()
    assert "path=/api/auth" in cookie.lower()
    assert response.json()["access_token"] not in cookie
