"""`POST /api/auth/password`: the current password is checked, the policy applies, the change is
audited, other sessions end and the caller stays signed in; a refusal writes nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx2 import Response

from draxis.db.scope import Scope, scoped_transaction
from tests.conftest import Conn
from tests.factories import PASSWORD, TenantFixture
from tests.identity import bearer, create_user
from tests.security.helpers import (
    assert_invalid_field,
    assert_problem,
    nothing_written,
    refresh_with,
    sign_in,
)

NEW_PASSWORD = "a fresh and rather long passphrase 42"


def _change(client: TestClient, token: str, current: str, new: str) -> Response:
    client.cookies.clear()
    return client.post(
        "/api/auth/password",
        json={"current_password": current, "new_password": new},
        headers=bearer(token),
    )


def _audited(app_conn: Conn, user_id: str) -> list[tuple[str, str]]:
    with scoped_transaction(app_conn, Scope.platform(), read_only=True):
        rows = app_conn.execute(
            "select action, scope from platform.platform_audit_logs"
            " where actor_user_id = %s and action = 'auth.password_change'",
            (user_id,),
        ).fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


def test_changing_the_password_keeps_this_session_and_ends_the_others(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    other_device = sign_in(client, user.email)
    this_device = sign_in(client, user.email)

    response = _change(client, this_device.access, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 200, response.text
    fresh = response.json()
    assert fresh["user"]["email"] == user.email
    new_refresh = response.cookies.get("draxis_refresh")
    assert new_refresh

    # The fresh session works; every earlier one (this device's old one too) has ended.
    client.cookies.clear()
    assert client.get("/api/me", headers=bearer(fresh["access_token"])).status_code == 200
    for old in (other_device, this_device):
        assert_problem(client.get("/api/me", headers=bearer(old.access)), 401)
        assert_problem(refresh_with(client, old.refresh), 401)
    assert refresh_with(client, new_refresh).status_code == 200

    # The new password signs in, the old one no longer does; the change is audited once.
    client.cookies.clear()
    old_login = client.post("/api/auth/login", json={"email": user.email, "password": PASSWORD})
    assert_problem(old_login, 401)
    sign_in(client, user.email, NEW_PASSWORD)
    assert _audited(app_conn, str(user.id)) == [("auth.password_change", "self")]


def test_a_wrong_current_password_is_refused_and_writes_nothing(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    user = create_user(app_conn, "tenant_admin", tenant=tenant_a)
    session = sign_in(client, user.email)
    with nothing_written(observer_conn):
        body = assert_problem(
            _change(client, session.access, "not my password at all", NEW_PASSWORD),
            400,
        )
    assert "current password" in body["detail"]
    assert [e["location"] for e in body["errors"]] == ["body.current_password"]
    # Still signed in with the same session, and the password is unchanged.
    assert client.get("/api/me", headers=bearer(session.access)).status_code == 200
    sign_in(client, user.email)
    assert _audited(app_conn, str(user.id)) == []


def test_the_new_password_must_pass_the_policy(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    session = sign_in(client, user.email)
    with nothing_written(observer_conn):
        assert_invalid_field(
            _change(client, session.access, PASSWORD, "short"),
            "body.new_password",
        )
        assert_problem(_change(client, session.access, PASSWORD, PASSWORD), 422)
    assert client.get("/api/me", headers=bearer(session.access)).status_code == 200


def test_changing_a_password_needs_a_session(client: TestClient) -> None:
    client.cookies.clear()
    response = client.post(
        "/api/auth/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert_problem(response, 401)
