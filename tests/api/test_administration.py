"""Administration: organizations, tenants, invites, role changes, impersonation, audit."""

from __future__ import annotations

import jwt
from fastapi.testclient import TestClient

from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, count_rows, create_user, login

NEW_PASSWORD = "violet tram umbrella 9"


def test_superadmin_creates_and_disables_organizations(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    root = login(client, create_user(app_conn, "superadmin").email)["access_token"]
    created = client.post(
        "/api/platform/orgs",
        headers=bearer(root),
        json={"slug": f"o-new-{tenant_a.slug[-8:]}", "name": "New MSP", "kind": "partner"},
    )
    assert created.status_code == 201
    duplicate = client.post(
        "/api/platform/orgs",
        headers=bearer(root),
        json={"slug": created.json()["slug"], "name": "Again"},
    )
    assert duplicate.status_code == 409
    master = login(client, create_user(app_conn, "master_admin", tenant=tenant_a).email)
    disabled = client.patch(
        f"/api/platform/orgs/{tenant_a.org_id}", headers=bearer(root), json={"disabled": True}
    )
    assert disabled.json()["disabled_at"] is not None
    assert client.get("/api/me", headers=bearer(master["access_token"])).status_code == 401


def test_master_admin_runs_tenants_and_an_invite_is_single_use(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    master = login(client, create_user(app_conn, "master_admin", tenant=tenant_a).email)
    token, org = master["access_token"], tenant_a.org_id
    slug = f"n-{tenant_a.slug[-8:]}"
    tenant = client.post(
        f"/api/orgs/{org}/tenants", headers=bearer(token), json={"slug": slug, "name": "New Co"}
    )
    assert tenant.status_code == 201
    tenant_id = tenant.json()["id"]
    invite = client.post(
        f"/api/orgs/{org}/invites",
        headers=bearer(token),
        json={"email": f"new-{slug}@example.test", "role": "tenant_admin", "tenant_id": tenant_id},
    ).json()
    assert invite["accept_url"].endswith(invite["token"])
    preview = client.post("/api/auth/invites/preview", json={"token": invite["token"]}).json()
    assert preview["tenant_name"] == "New Co"
    weak = client.post(
        "/api/auth/invites/accept",
        json={"token": invite["token"], "display_name": "New", "password": "password12345"},
    )
    assert weak.status_code == 422
    accepted = client.post(
        "/api/auth/invites/accept",
        json={"token": invite["token"], "display_name": "New", "password": NEW_PASSWORD},
    )
    assert accepted.status_code == 201
    assert accepted.json()["user"]["tenant_id"] == tenant_id
    users_before = count_rows(observer_conn, "platform.users")
    again = client.post(
        "/api/auth/invites/accept",
        json={"token": invite["token"], "display_name": "Twice", "password": NEW_PASSWORD},
    )
    assert again.status_code == 410
    assert count_rows(observer_conn, "platform.users") == users_before

    deleted = client.delete(f"/api/orgs/{org}/tenants/{tenant_id}", headers=bearer(token))
    assert deleted.status_code == 204
    new_admin = accepted.json()["access_token"]
    assert client.get("/api/dashboard", headers=bearer(new_admin)).status_code == 401
    listed = client.get(f"/api/orgs/{org}/tenants", headers=bearer(token)).json()
    assert next(t for t in listed if t["id"] == tenant_id)["deleted_at"] is not None


def test_tenant_admin_changes_roles_within_the_tenant_only(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    analyst = create_user(app_conn, "tenant_user", tenant=tenant_a)
    analyst_token = login(client, analyst.email)["access_token"]
    admin = login(client, tenant_a.user_email)["access_token"]
    promoted = client.patch(
        f"/api/tenant/users/{analyst.id}", headers=bearer(admin), json={"role": "tenant_admin"}
    )
    assert promoted.json()["role"] == "tenant_admin"
    # A role change ends the user's sessions: the old token carried the old role.
    assert client.get("/api/me", headers=bearer(analyst_token)).status_code == 401
    to_master = client.patch(
        f"/api/tenant/users/{analyst.id}", headers=bearer(admin), json={"role": "master_admin"}
    )
    assert to_master.status_code == 403
    me = login(client, tenant_a.user_email)["user"]["id"]
    self_demote = client.patch(
        f"/api/tenant/users/{me}", headers=bearer(admin), json={"role": "tenant_user"}
    )
    assert self_demote.status_code == 409


def test_impersonation_is_time_limited_names_the_actor_and_audits_every_write(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    master = create_user(app_conn, "master_admin", tenant=tenant_a)
    token = login(client, master.email)["access_token"]
    started = client.post(
        f"/api/orgs/{tenant_a.org_id}/tenants/{tenant_a.id}/impersonate", headers=bearer(token)
    )
    assert started.status_code == 201
    acting = started.json()["access_token"]
    claims = jwt.decode(acting, options={"verify_signature": False})
    assert claims["act"]["sub"] == str(master.id)
    assert claims["tenant_id"] == str(tenant_a.id)
    assert claims["exp"] - claims["iat"] == 1800
    me = client.get("/api/me", headers=bearer(acting)).json()
    assert me["impersonation"]["actor"]["email"] == master.email
    assert client.get("/api/dashboard", headers=bearer(acting)).status_code == 200
    stop = client.post("/api/auth/impersonation/stop", headers=bearer(acting))
    assert stop.status_code == 204
    assert client.get("/api/dashboard", headers=bearer(acting)).status_code == 401
    assert client.get("/api/me", headers=bearer(token)).status_code == 200  # own session lives
    rows = observer_conn.execute(
        "select action, actor_user_id, impersonator_user_id from tenant.audit_log"
        " where tenant_id = %s and impersonator_user_id = %s order by at",
        (tenant_a.id, master.id),
    ).fetchall()
    assert ("impersonation.stop", master.id, master.id) in rows
    assert ("impersonation.write", master.id, master.id) in rows
    started_rows = observer_conn.execute(
        "select scope from platform.platform_audit_logs where action = 'impersonation.start'"
        " and actor_user_id = %s",
        (master.id,),
    ).fetchall()
    assert started_rows == [("org",)]


def test_widened_scopes_are_audited_and_audit_is_append_only(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    master = create_user(app_conn, "master_admin", tenant=tenant_a)
    token = login(client, master.email)["access_token"]
    client.get(f"/api/orgs/{tenant_a.org_id}/users", headers=bearer(token))
    row = observer_conn.execute(
        "select scope, organization_id, detail->>'path' from platform.platform_audit_logs"
        " where action = 'scope.widened' and actor_user_id = %s",
        (master.id,),
    ).fetchone()
    assert row == ("org", tenant_a.org_id, f"/api/orgs/{tenant_a.org_id}/users")
    grants = observer_conn.execute(
        "select table_schema || '.' || table_name, privilege_type"
        " from information_schema.role_table_grants where grantee = 'draxis_app'"
        " and table_name in ('platform_audit_logs', 'audit_log')"
    ).fetchall()
    assert {p for _, p in grants} == {"SELECT", "INSERT"}


def test_me_says_who_where_and_what(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    body = login(client, tenant_a.user_email)
    me = client.get("/api/me", headers=bearer(body["access_token"])).json()
    assert me["user"]["email"] == tenant_a.user_email
    assert me["scope"] == {
        "kind": "tenant",
        "tenant_id": str(tenant_a.id),
        "org_id": str(tenant_a.org_id),
        "carrier_id": None,
    }
    assert "tenant_users:manage" in me["permissions"]
    assert me["impersonation"] is None
    assert me["org_name"] == "Org a"


def test_the_tenant_audit_log_names_who_did_it_and_to_whom(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    analyst = create_user(app_conn, "tenant_user", tenant=tenant_a)
    admin_login = login(client, tenant_a.user_email)
    admin = admin_login["access_token"]
    client.patch(
        f"/api/tenant/users/{analyst.id}", headers=bearer(admin), json={"role": "tenant_admin"}
    )
    entries = client.get("/api/tenant/audit", headers=bearer(admin)).json()
    change = next(e for e in entries if e["target_id"] == str(analyst.id))
    assert change["actor_email"] == tenant_a.user_email
    assert change["actor_name"] == admin_login["user"]["display_name"]
    assert change["target_name"] == "Test tenant_user"
    # Another tenant's reader sees none of these rows, and so none of these names.
    other = login(client, tenant_b.user_email)["access_token"]
    theirs = client.get("/api/tenant/audit", headers=bearer(other)).json()
    assert all(e["actor_email"] != tenant_a.user_email for e in theirs)
