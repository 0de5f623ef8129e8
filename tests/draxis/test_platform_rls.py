"""Row-level security on the platform schema: each scope sees its own identity rows, no more."""

from __future__ import annotations

from uuid import UUID

import psycopg
import pytest

from draxis.db.scope import Scope, scoped_transaction
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import create_carrier, create_user


def _ids(conn: Conn, scope: Scope, query: str) -> set[UUID]:
    with scoped_transaction(conn, scope, read_only=True):
        return {UUID(str(row[0])) for row in conn.execute(query)}


def test_tenant_scope_sees_its_own_tenant_org_and_users_only(
    app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    other = create_user(app_conn, "tenant_user", tenant=tenant_b)
    mine = create_user(app_conn, "tenant_user", tenant=tenant_a)
    scope = Scope.tenant(tenant_a.id, tenant_a.org_id, mine.id)
    assert _ids(app_conn, scope, "select id from platform.tenants") == {tenant_a.id}
    assert _ids(app_conn, scope, "select id from platform.organizations") == {tenant_a.org_id}
    users = _ids(app_conn, scope, "select id from platform.users")
    assert mine.id in users
    assert other.id not in users
    assert _ids(app_conn, scope, "select id from platform.platform_audit_logs") == set()
    assert _ids(app_conn, scope, "select id from carrier.carriers") == set()


def test_org_scope_sees_its_organization_and_platform_scope_reads_across(
    app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    org_a = _ids(app_conn, Scope.org(tenant_a.org_id), "select id from platform.tenants")
    assert tenant_a.id in org_a
    assert tenant_b.id not in org_a
    across = _ids(app_conn, Scope.platform(), "select id from platform.tenants")
    assert {tenant_a.id, tenant_b.id} <= across
    nothing = _ids(app_conn, Scope.login(), "select id from platform.users")
    assert nothing == set()


def test_carrier_scope_sees_insured_tenants_with_consent_only(
    app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    carrier = create_carrier(app_conn)
    with scoped_transaction(app_conn, Scope.platform()):
        app_conn.execute(
            "insert into carrier.insured_tenants (carrier_id, tenant_id, revoked_at)"
            " values (%s, %s, null), (%s, %s, now())",
            (carrier, tenant_a.id, carrier, tenant_b.id),
        )
    seen = _ids(app_conn, Scope.carrier(carrier), "select id from platform.tenants")
    assert seen == {tenant_a.id}
    assert _ids(app_conn, Scope.carrier(carrier), "select id from platform.users") == set()


def test_audit_rows_cannot_be_written_in_another_scope_or_name(
    app_conn: Conn, tenant_a: TenantFixture
) -> None:
    user = create_user(app_conn, "tenant_admin", tenant=tenant_a)
    scope = Scope.tenant(tenant_a.id, tenant_a.org_id, user.id)
    for scope_claimed, actor in (("platform", user.id), ("tenant", tenant_a.org_id)):
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege),
            scoped_transaction(app_conn, scope),
        ):
            app_conn.execute(
                "insert into tenant.audit_log (tenant_id, actor_user_id, scope, action)"
                " values (%s, %s, %s, 'forged.entry')",
                (tenant_a.id, actor, scope_claimed),
            )
