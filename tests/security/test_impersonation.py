"""Impersonation tokens act as the tenant's admin minus managing people, MFA and impersonation.

Every refused call must leave the data as it was, and (being refused) must not even leave the
`impersonation.write` audit row a successful write under an impersonation records.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import User
from tests.security.helpers import (
    SignedIn,
    assert_problem,
    call,
    logout_with,
    nothing_written,
    refresh_with,
    sign_in,
    tamper,
)


@dataclass(frozen=True, slots=True)
class Impersonating:
    master: SignedIn
    token: str
    tenant: TenantFixture


def start_impersonation(client: TestClient, master: SignedIn, tenant: TenantFixture) -> str:
    answer = call(
        client,
        "POST",
        f"/api/orgs/{tenant.org_id}/tenants/{tenant.id}/impersonate",
        master.access,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["access_token"])


@pytest.fixture
def impersonating(client: TestClient, tenant_a: TenantFixture, master_a: User) -> Impersonating:
    master = sign_in(client, master_a.email)
    token = start_impersonation(client, master, tenant_a)
    # The impersonation works for what it may do: read the tenant's dashboard and users.
    assert call(client, "GET", "/api/dashboard", token).status_code == 200
    assert call(client, "GET", "/api/tenant/users", token).status_code == 200
    return Impersonating(master, token, tenant_a)


def test_impersonation_token_cannot_impersonate_again(
    client: TestClient,
    observer_conn: Conn,
    impersonating: Impersonating,
    sibling_a: TenantFixture,
) -> None:
    tenant = impersonating.tenant
    with nothing_written(observer_conn):
        for target in (tenant.id, sibling_a.id):
            path = f"/api/orgs/{tenant.org_id}/tenants/{target}/impersonate"
            assert_problem(call(client, "POST", path, impersonating.token), 403)


def test_impersonation_token_cannot_invite_users(
    client: TestClient, observer_conn: Conn, impersonating: Impersonating
) -> None:
    with nothing_written(observer_conn):
        for role in ("tenant_user", "tenant_admin"):
            response = call(
                client,
                "POST",
                "/api/tenant/invites",
                impersonating.token,
                {"email": f"{role}@evil.example", "role": role},
            )
            assert_problem(response, 403)


def test_impersonation_token_cannot_patch_users(
    client: TestClient, observer_conn: Conn, impersonating: Impersonating, user_a: User
) -> None:
    with nothing_written(observer_conn):
        for body in ({"role": "tenant_admin"}, {"is_active": False}, {}):
            response = call(
                client, "PATCH", f"/api/tenant/users/{user_a.id}", impersonating.token, body
            )
            assert_problem(response, 403)


def test_impersonation_token_cannot_reset_mfa(
    client: TestClient, observer_conn: Conn, impersonating: Impersonating, user_a: User
) -> None:
    with nothing_written(observer_conn):
        response = call(
            client, "POST", f"/api/tenant/users/{user_a.id}/mfa-reset", impersonating.token
        )
        assert_problem(response, 403)


def test_impersonation_token_cannot_change_mfa_rules(
    client: TestClient, observer_conn: Conn, impersonating: Impersonating, user_a: User
) -> None:
    with nothing_written(observer_conn):
        for path in ("/api/tenant/mfa-policy", f"/api/tenant/users/{user_a.id}/mfa-policy"):
            for required in (True, False, None):
                response = call(client, "PUT", path, impersonating.token, {"required": required})
                assert_problem(response, 403)


def test_impersonation_token_cannot_enroll_mfa(
    client: TestClient, observer_conn: Conn, impersonating: Impersonating
) -> None:
    with nothing_written(observer_conn):
        assert_problem(call(client, "POST", "/api/auth/mfa/enroll", impersonating.token), 403)


def test_impersonation_token_cannot_confirm_verify_or_recover_mfa(
    client: TestClient, observer_conn: Conn, impersonating: Impersonating
) -> None:
    with nothing_written(observer_conn):
        for path, body in (
            ("/api/auth/mfa/enroll/confirm", {"code": "123456"}),
            ("/api/auth/mfa/verify", {"code": "123456"}),
            ("/api/auth/mfa/recover", {"recovery_code": "aaaaa-bbbbb"}),
        ):
            assert_problem(call(client, "POST", path, impersonating.token, body), 403)


def test_impersonation_token_cannot_reach_org_or_platform_routes(
    client: TestClient, observer_conn: Conn, impersonating: Impersonating, user_a: User
) -> None:
    org = impersonating.tenant.org_id
    with nothing_written(observer_conn):
        for method, path, body in (
            ("GET", f"/api/orgs/{org}", None),
            ("GET", f"/api/orgs/{org}/users", None),
            ("POST", f"/api/orgs/{org}/tenants", {"slug": "imp-made", "name": "Imp"}),
            (
                "POST",
                f"/api/orgs/{org}/invites",
                {"email": "m@evil.example", "role": "master_admin"},
            ),
            ("PATCH", f"/api/orgs/{org}/users/{user_a.id}", {"is_active": False}),
            ("POST", f"/api/orgs/{org}/users/{user_a.id}/mfa-reset", None),
            ("PUT", f"/api/orgs/{org}/mfa-policy", {"required": False}),
            ("GET", "/api/platform/orgs", None),
            ("PUT", "/api/platform/mfa-policy", {"required": False}),
        ):
            assert_problem(call(client, method, path, impersonating.token, body), 403)


def test_stopped_impersonation_token_is_401(
    client: TestClient, observer_conn: Conn, impersonating: Impersonating
) -> None:
    stopped = call(client, "POST", "/api/auth/impersonation/stop", impersonating.token)
    assert stopped.status_code == 204, stopped.text
    with nothing_written(observer_conn):
        assert_problem(call(client, "GET", "/api/dashboard", impersonating.token), 401)
        assert_problem(
            call(client, "POST", "/api/auth/impersonation/stop", impersonating.token), 401
        )
    # The admin's own session goes on.
    assert call(client, "GET", "/api/me", impersonating.master.access).status_code == 200


def test_impersonation_ends_with_a_bearer_logout_of_its_parent(
    client: TestClient, observer_conn: Conn, impersonating: Impersonating
) -> None:
    assert logout_with(client, token=impersonating.master.access).status_code == 204
    with nothing_written(observer_conn):
        assert_problem(call(client, "GET", "/api/dashboard", impersonating.token), 401)


def test_impersonation_ends_with_a_cookie_logout_of_its_parent(
    client: TestClient, observer_conn: Conn, impersonating: Impersonating
) -> None:
    """Signing out with the cookie alone (the access token is in memory only, and may be gone)
    revokes the session; an impersonation opened from it must end with it."""
    assert logout_with(client, refresh=impersonating.master.refresh).status_code == 204
    assert_problem(call(client, "GET", "/api/me", impersonating.master.access), 401)
    with nothing_written(observer_conn):
        assert_problem(call(client, "GET", "/api/dashboard", impersonating.token), 401)


def test_impersonation_ends_when_the_impersonated_tenant_is_deleted(
    client: TestClient, observer_conn: Conn, impersonating: Impersonating
) -> None:
    tenant = impersonating.tenant
    deleted = call(
        client,
        "DELETE",
        f"/api/orgs/{tenant.org_id}/tenants/{tenant.id}",
        impersonating.master.access,
    )
    assert deleted.status_code == 204, deleted.text
    with nothing_written(observer_conn):
        assert_problem(call(client, "GET", "/api/dashboard", impersonating.token), 401)
        again = call(
            client,
            "POST",
            f"/api/orgs/{tenant.org_id}/tenants/{tenant.id}/impersonate",
            impersonating.master.access,
        )
        assert_problem(again, 409)


def test_impersonation_token_retargeted_at_another_tenant_is_401(
    client: TestClient, observer_conn: Conn, impersonating: Impersonating, tenant_b: TenantFixture
) -> None:
    forged = tamper(impersonating.token, tenant_id=str(tenant_b.id), org_id=str(tenant_b.org_id))
    with nothing_written(observer_conn):
        assert_problem(call(client, "GET", "/api/dashboard", forged), 401)


def test_impersonation_has_no_refresh_token(
    client: TestClient, observer_conn: Conn, impersonating: Impersonating
) -> None:
    with nothing_written(observer_conn):
        assert_problem(refresh_with(client, impersonating.token), 401)
