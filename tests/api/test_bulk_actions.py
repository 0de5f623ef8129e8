"""Bulk actions beyond the risk model and tenant users: organization users and tenants, the
platform's organizations, API tokens, integration sources. Each runs the single action per id in
one transaction: all are done and audited, or (one unknown id, named in the answer) none."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user
from tests.security.helpers import assert_problem, nothing_written, sign_in


def _audited(observer: Conn, table: str, action: str, ids: list[str]) -> int:
    row = observer.execute(
        f"select count(*) from {table} where action = %s and target_id = any(%s)",
        (action, ids),
    ).fetchone()
    assert row is not None
    return int(row[0])


def _refused_naming(response: Any, stranger: str) -> None:
    body = assert_problem(response, 404)
    assert stranger in body["detail"]
    assert body["id"] == stranger


def test_a_master_admin_disables_org_users_at_once_or_not_at_all(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    master = bearer(
        sign_in(client, create_user(app_conn, "master_admin", tenant=tenant_a).email).access
    )
    one = create_user(app_conn, "tenant_user", tenant=tenant_a)
    two = create_user(app_conn, "tenant_admin", tenant=tenant_a)
    url = f"/api/orgs/{tenant_a.org_id}/users/bulk-active"
    stranger = str(uuid.uuid4())
    with nothing_written(observer_conn):
        refused = client.post(
            url, json={"ids": [str(one.id), stranger], "is_active": False}, headers=master
        )
        _refused_naming(refused, stranger)
    done = client.post(
        url, json={"ids": [str(one.id), str(two.id)], "is_active": False}, headers=master
    )
    assert done.status_code == 200, done.text
    assert {u["is_active"] for u in done.json()} == {False}
    listed = {
        u["id"]: u["is_active"]
        for u in client.get(f"/api/orgs/{tenant_a.org_id}/users", headers=master).json()
    }
    assert listed[str(one.id)] is False
    assert listed[str(two.id)] is False


def test_a_master_admin_deletes_tenants_at_once_and_never_another_orgs(
    client: TestClient,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:
    master = bearer(
        sign_in(client, create_user(app_conn, "master_admin", tenant=tenant_a).email).access
    )
    url = f"/api/orgs/{tenant_a.org_id}/tenants"
    extra = client.post(
        url, json={"slug": f"extra{uuid.uuid4().hex[:6]}", "name": "Extra"}, headers=master
    )
    assert extra.status_code == 201, extra.text
    ids = [str(tenant_a.id), extra.json()["id"]]
    with nothing_written(observer_conn):
        _refused_naming(
            client.post(
                f"{url}/bulk-delete", json={"ids": [*ids, str(tenant_b.id)]}, headers=master
            ),
            str(tenant_b.id),
        )
    assert client.post(f"{url}/bulk-delete", json={"ids": ids}, headers=master).status_code == 204
    deleted = {t["id"] for t in client.get(url, headers=master).json() if t["deleted_at"]}
    assert deleted == set(ids)
    assert _audited(observer_conn, "platform.platform_audit_logs", "tenant.delete", ids) == 2
    assert observer_conn.execute(
        "select deleted_at from platform.tenants where id = %s", (tenant_b.id,)
    ).fetchone() == (None,)


def test_a_superadmin_disables_organizations_at_once(
    client: TestClient, app_conn: Conn, observer_conn: Conn
) -> None:
    root = bearer(sign_in(client, create_user(app_conn, "superadmin").email).access)
    made = [
        client.post(
            "/api/platform/orgs",
            json={"slug": f"bulk{uuid.uuid4().hex[:8]}", "name": name},
            headers=root,
        ).json()["id"]
        for name in ("One", "Two")
    ]
    stranger = str(uuid.uuid4())
    with nothing_written(observer_conn):
        _refused_naming(
            client.post(
                "/api/platform/orgs/bulk-disabled",
                json={"ids": [*made, stranger], "disabled": True},
                headers=root,
            ),
            stranger,
        )
    done = client.post(
        "/api/platform/orgs/bulk-disabled", json={"ids": made, "disabled": True}, headers=root
    )
    assert done.status_code == 200, done.text
    assert all(o["disabled_at"] for o in done.json())
    assert (
        _audited(observer_conn, "platform.platform_audit_logs", "organization.disable", made) == 2
    )
    assert (
        client.post(
            "/api/platform/orgs/bulk-disabled", json={"ids": made, "disabled": True}, headers=root
        ).status_code
        == 200
    )  # already disabled: as the PATCH, no refusal


def test_tokens_are_revoked_at_once_by_their_owner_or_the_tenant_admin(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    analyst = create_user(app_conn, "tenant_user", tenant=tenant_a)
    mine = bearer(sign_in(client, analyst.email).access)
    made = [
        client.post("/api/me/tokens", json={"name": f"t{i}", "scope": "read"}, headers=mine).json()[
            "id"
        ]
        for i in range(3)
    ]
    stranger = str(uuid.uuid4())
    with nothing_written(observer_conn):
        _refused_naming(
            client.post(
                "/api/me/tokens/bulk-revoke", json={"ids": [made[0], stranger]}, headers=mine
            ),
            stranger,
        )
    assert (
        client.post("/api/me/tokens/bulk-revoke", json={"ids": made[:2]}, headers=mine).status_code
        == 204
    )
    admin = bearer(sign_in(client, tenant_a.user_email).access)
    # Already revoked refuses the lot, as the single revoke does (409).
    again = client.post("/api/tenant/tokens/bulk-revoke", json={"ids": made}, headers=admin)
    assert_problem(again, 409)
    assert (
        client.post(
            "/api/tenant/tokens/bulk-revoke", json={"ids": made[2:]}, headers=admin
        ).status_code
        == 204
    )
    states = {t["id"]: t["revoked_at"] for t in client.get("/api/me/tokens", headers=mine).json()}
    assert all(states[t] for t in made)
    assert _audited(observer_conn, "tenant.audit_log", "api_token.revoke", made) == 3
    # An analyst may not use the tenant-wide route.
    assert (
        client.post(
            "/api/tenant/tokens/bulk-revoke", json={"ids": made[2:]}, headers=mine
        ).status_code
        == 403
    )


def test_sources_are_disabled_run_and_deleted_at_once(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    admin = bearer(sign_in(client, tenant_a.user_email).access)
    source = str(tenant_a.source_id)
    theirs = str(tenant_b.source_id)
    with nothing_written(observer_conn):
        for path, extra in (
            ("bulk-enabled", {"enabled": False}),
            ("bulk-run", {}),
            ("bulk-delete", {}),
        ):
            _refused_naming(
                client.post(
                    f"/api/sources/{path}", json={"ids": [source, theirs], **extra}, headers=admin
                ),
                theirs,
            )
    ran = client.post("/api/sources/bulk-run", json={"ids": [source]}, headers=admin)
    assert ran.status_code == 202, ran.text
    assert [r["source_id"] for r in ran.json()] == [source]
    off = client.post(
        "/api/sources/bulk-enabled", json={"ids": [source], "enabled": False}, headers=admin
    )
    assert off.status_code == 200, off.text
    assert off.json()[0]["enabled"] is False
    assert _audited(observer_conn, "tenant.audit_log", "source.update", [source]) == 1
    # A disabled source may not run: the whole request is refused, as the single run is.
    assert_problem(client.post("/api/sources/bulk-run", json={"ids": [source]}, headers=admin), 409)
    assert (
        client.post("/api/sources/bulk-delete", json={"ids": [source]}, headers=admin).status_code
        == 204
    )
    assert client.get(f"/api/sources/{source}", headers=admin).status_code == 404
    assert _audited(observer_conn, "tenant.audit_log", "source.delete", [source]) == 1
