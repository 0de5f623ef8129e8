"""Tenant A sees none of tenant B's rows, through raw SQL and through the API."""

from __future__ import annotations

from uuid import uuid4

import psycopg
import pytest
from psycopg.rows import TupleRow

from draxis.db.scope import Scope, scoped_transaction
from tests.factories import TenantFixture

Conn = psycopg.Connection[TupleRow]
TENANT_TABLES = [
    "tenant.kri_source",
    "tenant.kri",
    "tenant.source_run",
    "tenant.kri_observation",
    "tenant.kri_status",
]


def _tenant_ids(conn: Conn, table: str) -> set[object]:
    return {r[0] for r in conn.execute(f"select tenant_id from {table}").fetchall()}


@pytest.mark.parametrize("table", ["tenant.kri_source", "tenant.kri"])
def test_tenant_cannot_read_other_tenants_rows(
    app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture, table: str
) -> None:
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        assert _tenant_ids(app_conn, table) == {tenant_a.id}
        # Even an explicit filter on B's id finds nothing.
        rows = app_conn.execute(
            f"select count(*) from {table} where tenant_id = %s",
            (tenant_b.id,),
        ).fetchone()
        assert rows == (0,)


def test_tenant_sees_only_its_own_tenant_and_users(
    app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        tenants = app_conn.execute("select id from platform.tenants").fetchall()
        users = app_conn.execute("select email from platform.users").fetchall()
        orgs = app_conn.execute("select id from platform.organizations").fetchall()
    assert tenants == [(tenant_a.id,)]
    assert users == [(tenant_a.user_email,)]
    assert orgs == [(tenant_a.org_id,)]


@pytest.mark.parametrize("table", [*TENANT_TABLES, "platform.tenants", "platform.users"])
def test_unset_scope_sees_nothing_and_does_not_fail(
    app_conn: Conn, tenant_a: TenantFixture, table: str
) -> None:
    with app_conn.transaction():
        count = app_conn.execute(f"select count(*) from {table}").fetchone()
    assert count == (0,)


def test_setting_does_not_leak_into_the_next_transaction(
    app_conn: Conn, tenant_a: TenantFixture
) -> None:
    with scoped_transaction(app_conn, tenant_a.scope):
        assert app_conn.execute("select count(*) from tenant.kri").fetchone() != (0,)
    # Same connection, new transaction: the local setting now reads as '' and must fail closed.
    with app_conn.transaction():
        leaked = app_conn.execute("select current_setting('draxis.tenant_id', true)").fetchone()
        count = app_conn.execute("select count(*) from tenant.kri").fetchone()
    assert leaked == ("",)
    assert count == (0,)


def test_tenant_cannot_write_rows_for_another_tenant(
    app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"),
        scoped_transaction(app_conn, tenant_a.scope),
    ):
        app_conn.execute(
            "insert into tenant.kri (tenant_id, slug, name, direction, warn, critical)"
            " values (%s, 'smuggled_kri', 'Smuggled', 'higher_is_worse', 1, 2)",
            (tenant_b.id,),
        )


def test_tenant_cannot_update_or_delete_other_tenants_rows(
    app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    with scoped_transaction(app_conn, tenant_a.scope):
        updated = app_conn.execute(
            "update tenant.kri set name = 'pwned' where tenant_id = %s", (tenant_b.id,)
        ).rowcount
        deleted = app_conn.execute(
            "delete from tenant.kri_source where tenant_id = %s", (tenant_b.id,)
        ).rowcount
    assert (updated, deleted) == (0, 0)
    with scoped_transaction(app_conn, tenant_b.scope, read_only=True):
        names = app_conn.execute("select name from tenant.kri").fetchall()
    assert names
    assert all(n != ("pwned",) for n in names)


def test_unknown_tenant_scope_sees_nothing(app_conn: Conn, tenant_a: TenantFixture) -> None:
    with scoped_transaction(app_conn, Scope.tenant(uuid4()), read_only=True):
        assert app_conn.execute("select count(*) from tenant.kri").fetchone() == (0,)


def test_read_only_transactions_refuse_writes(app_conn: Conn, tenant_a: TenantFixture) -> None:
    with (
        pytest.raises(psycopg.errors.ReadOnlySqlTransaction),
        scoped_transaction(app_conn, tenant_a.scope, read_only=True),
    ):
        app_conn.execute("update tenant.kri set name = name")


def test_login_scope_reads_no_user_rows(app_conn: Conn, tenant_a: TenantFixture) -> None:
    with scoped_transaction(app_conn, Scope.login(), read_only=True):
        direct = app_conn.execute("select count(*) from platform.users").fetchone()
        one = app_conn.execute(
            "select email from platform.login_candidate(%s)", (tenant_a.user_email.upper(),)
        ).fetchall()
    assert direct == (0,)
    assert one == [(tenant_a.user_email,)]
