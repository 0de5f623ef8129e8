"""Ids of another tenant or organization in paths and bodies; roles reaching past their scope.

Another organization's id answers exactly like an id that does not exist (404, same detail), so an
id in a path is no oracle for what exists elsewhere.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import User, create_user
from tests.security.helpers import (
    SignedIn,
    assert_problem,
    call,
    nothing_written,
    sign_in,
)

# Master admin of organization X (tenant A's) against organization Y (tenant B's) ----------------


@pytest.fixture
def master(client: TestClient, master_a: User) -> SignedIn:
    return sign_in(client, master_a.email)


def _org_paths(org: UUID, tenant: UUID, user: UUID) -> list[tuple[str, str, Any]]:
    return [
        ("GET", f"/api/orgs/{org}", None),
        ("GET", f"/api/orgs/{org}/tenants", None),
        ("GET", f"/api/orgs/{org}/users", None),
        ("POST", f"/api/orgs/{org}/tenants", {"slug": f"x-{uuid4().hex[:8]}", "name": "Evil"}),
        ("DELETE", f"/api/orgs/{org}/tenants/{tenant}", None),
        ("POST", f"/api/orgs/{org}/invites", {"email": "m@evil.example", "role": "master_admin"}),
        (
            "POST",
            f"/api/orgs/{org}/invites",
            {"email": "t@evil.example", "role": "tenant_admin", "tenant_id": str(tenant)},
        ),
        ("PATCH", f"/api/orgs/{org}/users/{user}", {"is_active": False}),
        ("PATCH", f"/api/orgs/{org}/users/{user}", {"role": "tenant_admin"}),
        ("POST", f"/api/orgs/{org}/users/{user}/mfa-reset", None),
        ("PUT", f"/api/orgs/{org}/mfa-policy", {"required": False}),
        ("POST", f"/api/orgs/{org}/tenants/{tenant}/impersonate", None),
    ]


def test_master_admin_gets_404_for_every_route_of_another_org(
    client: TestClient,
    observer_conn: Conn,
    master: SignedIn,
    tenant_b: TenantFixture,
    user_b: User,
) -> None:
    with nothing_written(observer_conn):
        for method, path, body in _org_paths(tenant_b.org_id, tenant_b.id, user_b.id):
            assert_problem(call(client, method, path, master.access, body), 404)


def test_master_admin_gets_the_same_404_for_another_org_as_for_none(
    client: TestClient, observer_conn: Conn, master: SignedIn, tenant_b: TenantFixture
) -> None:
    with nothing_written(observer_conn):
        foreign = assert_problem(
            call(client, "GET", f"/api/orgs/{tenant_b.org_id}", master.access), 404
        )
        missing = assert_problem(call(client, "GET", f"/api/orgs/{uuid4()}", master.access), 404)
    assert (foreign["title"], foreign["detail"]) == (missing["title"], missing["detail"])


def test_master_admin_cannot_delete_another_orgs_tenant_under_their_own_org_id(
    client: TestClient,
    observer_conn: Conn,
    master: SignedIn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:
    with nothing_written(observer_conn):
        path = f"/api/orgs/{tenant_a.org_id}/tenants/{tenant_b.id}"
        assert_problem(call(client, "DELETE", path, master.access), 404)


def test_master_admin_cannot_impersonate_another_orgs_tenant_under_their_own_org_id(
    client: TestClient,
    observer_conn: Conn,
    master: SignedIn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:
    with nothing_written(observer_conn):
        path = f"/api/orgs/{tenant_a.org_id}/tenants/{tenant_b.id}/impersonate"
        assert_problem(call(client, "POST", path, master.access), 404)


def test_master_admin_cannot_manage_another_orgs_user_under_their_own_org_id(
    client: TestClient,
    observer_conn: Conn,
    master: SignedIn,
    tenant_a: TenantFixture,
    user_b: User,
) -> None:
    org = tenant_a.org_id
    with nothing_written(observer_conn):
        for body in ({"is_active": False}, {"role": "tenant_admin"}, {"role": "master_admin"}):
            response = call(
                client, "PATCH", f"/api/orgs/{org}/users/{user_b.id}", master.access, body
            )
            assert_problem(response, 404)
        response = call(
            client, "POST", f"/api/orgs/{org}/users/{user_b.id}/mfa-reset", master.access
        )
        assert_problem(response, 404)


def test_master_admin_cannot_invite_into_another_orgs_tenant_by_body_tenant_id(
    client: TestClient,
    observer_conn: Conn,
    master: SignedIn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:
    with nothing_written(observer_conn):
        for role in ("tenant_user", "tenant_admin"):
            response = call(
                client,
                "POST",
                f"/api/orgs/{tenant_a.org_id}/invites",
                master.access,
                {"email": f"{role}@evil.example", "role": role, "tenant_id": str(tenant_b.id)},
            )
            assert_problem(response, 404)


def test_master_admin_cannot_touch_a_superadmin_or_carrier_user_of_any_org(
    client: TestClient,
    observer_conn: Conn,
    app_conn: Conn,
    master: SignedIn,
    tenant_a: TenantFixture,
    superadmin: User,
) -> None:
    carrier = create_user(app_conn, "carrier_admin")
    org = tenant_a.org_id
    with nothing_written(observer_conn):
        for target in (superadmin.id, carrier.id):
            for body in ({"is_active": False}, {"role": "tenant_user"}):
                response = call(
                    client, "PATCH", f"/api/orgs/{org}/users/{target}", master.access, body
                )
                assert_problem(response, 404)
            response = call(
                client, "POST", f"/api/orgs/{org}/users/{target}/mfa-reset", master.access
            )
            assert_problem(response, 404)


def test_master_admin_cannot_reach_platform_routes(
    client: TestClient, observer_conn: Conn, master: SignedIn, tenant_b: TenantFixture
) -> None:
    with nothing_written(observer_conn):
        for method, path, body in (
            ("GET", "/api/platform/orgs", None),
            ("POST", "/api/platform/orgs", {"slug": "evil-org", "name": "Evil"}),
            ("PATCH", f"/api/platform/orgs/{tenant_b.org_id}", {"disabled": True}),
            ("PUT", "/api/platform/mfa-policy", {"required": False}),
            ("GET", "/api/platform/audit", None),
        ):
            assert_problem(call(client, method, path, master.access, body), 403)


# Tenant admin of tenant A against other tenants -------------------------------------------------


@pytest.fixture
def admin_a(client: TestClient, tenant_a: TenantFixture) -> SignedIn:
    return sign_in(client, tenant_a.user_email)


def _tenant_user_attacks(user: UUID) -> list[tuple[str, str, Any]]:
    return [
        ("PATCH", f"/api/tenant/users/{user}", {"is_active": False}),
        ("PATCH", f"/api/tenant/users/{user}", {"role": "tenant_admin"}),
        ("POST", f"/api/tenant/users/{user}/mfa-reset", None),
        ("PUT", f"/api/tenant/users/{user}/mfa-policy", {"required": False}),
        ("PUT", f"/api/tenant/users/{user}/mfa-policy", {"required": True}),
    ]


def test_tenant_admin_gets_404_for_a_user_of_another_org(
    client: TestClient, observer_conn: Conn, admin_a: SignedIn, user_b: User
) -> None:
    with nothing_written(observer_conn):
        for method, path, body in _tenant_user_attacks(user_b.id):
            assert_problem(call(client, method, path, admin_a.access, body), 404)


def test_tenant_admin_gets_404_for_a_user_of_a_sibling_tenant(
    client: TestClient,
    observer_conn: Conn,
    app_conn: Conn,
    admin_a: SignedIn,
    sibling_a: TenantFixture,
) -> None:
    neighbour = create_user(app_conn, "tenant_user", tenant=sibling_a)
    with nothing_written(observer_conn):
        for method, path, body in _tenant_user_attacks(neighbour.id):
            assert_problem(call(client, method, path, admin_a.access, body), 404)


def test_tenant_admin_gets_404_for_their_org_admin_and_a_superadmin(
    client: TestClient,
    observer_conn: Conn,
    admin_a: SignedIn,
    master_a: User,
    superadmin: User,
) -> None:
    with nothing_written(observer_conn):
        for target in (master_a.id, superadmin.id, uuid4()):
            for method, path, body in _tenant_user_attacks(target):
                assert_problem(call(client, method, path, admin_a.access, body), 404)


def test_tenant_admin_gets_the_same_404_for_another_tenants_user_as_for_none(
    client: TestClient, observer_conn: Conn, admin_a: SignedIn, user_b: User
) -> None:
    with nothing_written(observer_conn):
        foreign = assert_problem(
            call(client, "PATCH", f"/api/tenant/users/{user_b.id}", admin_a.access, {}), 404
        )
        missing = assert_problem(
            call(client, "PATCH", f"/api/tenant/users/{uuid4()}", admin_a.access, {}), 404
        )
    assert foreign["detail"] == missing["detail"]


def test_tenant_admin_cannot_reach_org_routes_of_their_own_org(
    client: TestClient,
    observer_conn: Conn,
    admin_a: SignedIn,
    tenant_a: TenantFixture,
    user_a: User,
) -> None:
    with nothing_written(observer_conn):
        for method, path, body in _org_paths(tenant_a.org_id, tenant_a.id, user_a.id):
            assert_problem(call(client, method, path, admin_a.access, body), 403)


# Role escalation through bodies ------------------------------------------------------------------


@pytest.mark.parametrize("role", ["master_admin", "superadmin", "carrier_admin", "carrier_user"])
def test_tenant_admin_cannot_invite_above_tenant_roles(
    client: TestClient, observer_conn: Conn, admin_a: SignedIn, role: str
) -> None:
    with nothing_written(observer_conn):
        response = call(
            client,
            "POST",
            "/api/tenant/invites",
            admin_a.access,
            {"email": f"{role.replace('_', '-')}@evil.example", "role": role},
        )
        assert_problem(response, 403)


@pytest.mark.parametrize("role", ["master_admin", "superadmin", "carrier_admin", "carrier_user"])
def test_tenant_admin_cannot_promote_a_user_above_tenant_roles(
    client: TestClient, observer_conn: Conn, admin_a: SignedIn, user_a: User, role: str
) -> None:
    with nothing_written(observer_conn):
        response = call(
            client, "PATCH", f"/api/tenant/users/{user_a.id}", admin_a.access, {"role": role}
        )
        assert_problem(response, 403)


@pytest.mark.parametrize("role", ["superadmin", "carrier_admin", "carrier_user"])
def test_master_admin_cannot_invite_or_promote_above_org_roles(
    client: TestClient,
    observer_conn: Conn,
    master: SignedIn,
    tenant_a: TenantFixture,
    user_a: User,
    role: str,
) -> None:
    org = tenant_a.org_id
    with nothing_written(observer_conn):
        invited = call(
            client,
            "POST",
            f"/api/orgs/{org}/invites",
            master.access,
            {"email": "x@evil.example", "role": role, "tenant_id": str(tenant_a.id)},
        )
        assert_problem(invited, 403)
        promoted = call(
            client, "PATCH", f"/api/orgs/{org}/users/{user_a.id}", master.access, {"role": role}
        )
        assert_problem(promoted, 403)


def test_admins_cannot_change_or_disable_themselves(
    client: TestClient,
    observer_conn: Conn,
    admin_a: SignedIn,
    master: SignedIn,
    tenant_a: TenantFixture,
    master_a: User,
) -> None:
    own_id = admin_a.body["user"]["id"]
    with nothing_written(observer_conn):
        for body in ({"is_active": False}, {"role": "tenant_user"}):
            assert_problem(
                call(client, "PATCH", f"/api/tenant/users/{own_id}", admin_a.access, body), 409
            )
            assert_problem(
                call(
                    client,
                    "PATCH",
                    f"/api/orgs/{tenant_a.org_id}/users/{master_a.id}",
                    master.access,
                    body,
                ),
                409,
            )


# Carrier users -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["carrier_admin", "carrier_user"])
def test_carrier_users_reach_nothing_but_the_carrier_portal(
    client: TestClient,
    observer_conn: Conn,
    app_conn: Conn,
    tenant_a: TenantFixture,
    user_a: User,
    role: str,
) -> None:
    carrier = create_user(app_conn, role)
    signed = sign_in(client, carrier.email)
    org = tenant_a.org_id
    with nothing_written(observer_conn):
        for method, path, body in (
            ("GET", "/api/dashboard", None),
            ("GET", "/api/tenant/users", None),
            ("GET", "/api/tenant/audit", None),
            ("POST", "/api/tenant/invites", {"email": "c@evil.example", "role": "tenant_user"}),
            ("PATCH", f"/api/tenant/users/{user_a.id}", {"is_active": False}),
            ("PUT", "/api/tenant/mfa-policy", {"required": False}),
            ("GET", f"/api/orgs/{org}", None),
            ("GET", f"/api/orgs/{uuid4()}", None),
            ("GET", f"/api/orgs/{org}/tenants", None),
            ("POST", f"/api/orgs/{org}/tenants/{tenant_a.id}/impersonate", None),
            ("GET", "/api/platform/orgs", None),
            ("GET", "/api/platform/audit", None),
        ):
            assert_problem(call(client, method, path, signed.access, body), 403)
    # What they do reach.
    assert call(client, "GET", "/api/carrier/insureds", signed.access).status_code == 200
    assert call(client, "GET", "/api/me", signed.access).status_code == 200


@pytest.mark.parametrize("role", ["tenant_admin", "tenant_user", "master_admin", "superadmin"])
def test_only_carrier_users_reach_the_carrier_portal(
    client: TestClient, observer_conn: Conn, app_conn: Conn, tenant_a: TenantFixture, role: str
) -> None:
    user = create_user(app_conn, role, tenant=tenant_a)
    signed = sign_in(client, user.email)
    with nothing_written(observer_conn):
        assert_problem(call(client, "GET", "/api/carrier/insureds", signed.access), 403)


# Lifecycle: an invite outliving its tenant -------------------------------------------------------


def test_invite_accepted_after_its_tenant_was_deleted_is_refused_not_a_500(
    client: TestClient, observer_conn: Conn, master: SignedIn, tenant_a: TenantFixture
) -> None:
    org = tenant_a.org_id
    invited = call(
        client,
        "POST",
        f"/api/orgs/{org}/invites",
        master.access,
        {
            "email": f"late-{uuid4().hex[:8]}@example.test",
            "role": "tenant_user",
            "tenant_id": str(tenant_a.id),
        },
    )
    assert invited.status_code == 201, invited.text
    deleted = call(client, "DELETE", f"/api/orgs/{org}/tenants/{tenant_a.id}", master.access)
    assert deleted.status_code == 204, deleted.text
    with nothing_written(observer_conn):
        accepted = client.post(
            "/api/auth/invites/accept",
            json={
                "token": invited.json()["token"],
                "display_name": "Too Late",
                "password": "a long and unusual passphrase 42",
            },
        )
        assert_problem(accepted, 410)


def test_invite_accepted_after_its_organization_was_disabled_is_refused_not_a_500(
    client: TestClient,
    observer_conn: Conn,
    master: SignedIn,
    tenant_a: TenantFixture,
    superadmin: User,
) -> None:
    org = tenant_a.org_id
    invited = call(
        client,
        "POST",
        f"/api/orgs/{org}/invites",
        master.access,
        {"email": f"late-{uuid4().hex[:8]}@example.test", "role": "master_admin"},
    )
    assert invited.status_code == 201, invited.text
    root = sign_in(client, superadmin.email)
    disabled = call(client, "PATCH", f"/api/platform/orgs/{org}", root.access, {"disabled": True})
    assert disabled.status_code == 200, disabled.text
    with nothing_written(observer_conn):
        accepted = client.post(
            "/api/auth/invites/accept",
            json={
                "token": invited.json()["token"],
                "display_name": "Too Late",
                "password": "a long and unusual passphrase 42",
            },
        )
        assert_problem(accepted, 410)
