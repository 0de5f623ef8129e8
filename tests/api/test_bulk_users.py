"""`POST /api/tenant/users/bulk-active`: several users disabled in one transaction, each as the
per-user PATCH does (sessions end, audited); any refusal writes nothing."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user
from tests.security.helpers import assert_problem, nothing_written, sign_in


def test_a_tenant_admin_disables_several_users_at_once(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email)
    one = create_user(app_conn, "tenant_user", tenant=tenant_a)
    two = create_user(app_conn, "tenant_user", tenant=tenant_a)
    two_session = sign_in(client, two.email)
    client.cookies.clear()
    response = client.post(
        "/api/tenant/users/bulk-active",
        json={"ids": [str(one.id), str(two.id)], "is_active": False},
        headers=bearer(admin.access),
    )
    assert response.status_code == 200, response.text
    assert {(u["id"], u["is_active"]) for u in response.json()} == {
        (str(one.id), False),
        (str(two.id), False),
    }
    # A disabled user's session ends at once, as with the per-user PATCH.
    assert_problem(client.get("/api/me", headers=bearer(two_session.access)), 401)
    listed = client.get("/api/tenant/users", headers=bearer(admin.access)).json()
    states = {u["id"]: u["is_active"] for u in listed}
    assert states[str(one.id)] is False
    assert states[str(two.id)] is False


def test_one_bad_id_refuses_the_whole_request(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email)
    one = create_user(app_conn, "tenant_user", tenant=tenant_a)
    me = client.get("/api/me", headers=bearer(admin.access)).json()["user"]["id"]
    with nothing_written(observer_conn):
        for ids in ([str(one.id), str(uuid.uuid4())], [str(one.id), me], [str(one.id)] * 2):
            response = client.post(
                "/api/tenant/users/bulk-active",
                json={"ids": ids, "is_active": False},
                headers=bearer(admin.access),
            )
            assert 400 <= response.status_code < 500, response.text
    assert client.get("/api/tenant/users", headers=bearer(admin.access)).status_code == 200
