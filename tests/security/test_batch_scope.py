"""The pipeline's batch scope (`Scope.tenants`, migration 0009): exactly the listed tenants.

Read from the catalog and exercised as the real roles: the scope widens nothing for the app,
fails closed when unset or empty, never outlives its transaction, and refuses writes outside
the list.
"""

from __future__ import annotations

from uuid import uuid4

import psycopg
import pytest

from draxis.db.roles import DbRole
from draxis.db.scope import Scope, scoped_transaction
from tests.conftest import Conn
from tests.factories import TenantFixture

BATCH_POLICY = "pipeline_batch"


def _kri_tenants(conn: Conn) -> set[object]:
    return {r[0] for r in conn.execute("select distinct tenant_id from tenant.kri").fetchall()}


def test_pipeline_batch_sees_exactly_the_listed_tenants(
    pipeline_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    with scoped_transaction(pipeline_conn, Scope.tenants([tenant_a.id]), read_only=True):
        only_a = _kri_tenants(pipeline_conn)
    with scoped_transaction(pipeline_conn, Scope.tenants([tenant_a.id, tenant_b.id])):
        both = _kri_tenants(pipeline_conn)
    assert only_a == {tenant_a.id}
    assert {tenant_a.id, tenant_b.id} <= both


def test_an_empty_or_unknown_batch_sees_nothing(
    pipeline_conn: Conn, tenant_a: TenantFixture
) -> None:
    with scoped_transaction(pipeline_conn, Scope.tenants([]), read_only=True):
        empty = _kri_tenants(pipeline_conn)
    with scoped_transaction(pipeline_conn, Scope.tenants([uuid4()]), read_only=True):
        unknown = _kri_tenants(pipeline_conn)
    assert (empty, unknown) == (set(), set())


def test_the_batch_list_counts_only_under_the_tenants_scope(
    pipeline_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    """A list smuggled beside another scope kind is ignored: tenant A's scope stays tenant A's."""
    with pipeline_conn.transaction():
        pipeline_conn.execute(
            "select set_config('draxis.scope', 'tenant', true),"
            " set_config('draxis.tenant_id', %s, true),"
            " set_config('draxis.tenant_ids', %s, true)",
            (str(tenant_a.id), "{" + str(tenant_b.id) + "}"),
        )
        seen = _kri_tenants(pipeline_conn)
    assert seen == {tenant_a.id}


def test_the_app_role_gains_nothing_from_a_batch_scope(
    app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    with scoped_transaction(app_conn, Scope.tenants([tenant_a.id, tenant_b.id]), read_only=True):
        assert _kri_tenants(app_conn) == set()


def test_a_batch_scope_does_not_outlive_its_transaction(
    pipeline_conn: Conn, tenant_a: TenantFixture
) -> None:
    with scoped_transaction(pipeline_conn, Scope.tenants([tenant_a.id])):
        assert _kri_tenants(pipeline_conn) == {tenant_a.id}
    with pipeline_conn.transaction():
        leaked = pipeline_conn.execute(
            "select current_setting('draxis.tenant_ids', true)"
        ).fetchone()
        assert _kri_tenants(pipeline_conn) == set()
    assert leaked == ("",)


def test_a_batch_cannot_write_outside_its_list(
    pipeline_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"),
        scoped_transaction(pipeline_conn, Scope.tenants([tenant_a.id])),
    ):
        pipeline_conn.execute(
            "insert into tenant.risk_posture (tenant_id, risk_id, score, severity, kri_count,"
            " control_count, red_kris, amber_kris, stale_kris)"
            " values (%s, %s, 50, 'medium', 0, 0, 0, 0, 0)",
            (tenant_b.id, uuid4()),
        )


def test_batch_policies_apply_to_the_pipeline_alone(app_conn: Conn) -> None:
    rows = app_conn.execute(
        "select schemaname || '.' || tablename, policyname, roles::text[] from pg_policies"
        " where qual like '%%current_tenant_ids%%' or with_check like '%%current_tenant_ids%%'"
        " order by 1"
    ).fetchall()
    assert rows, "migration 0009 creates the batch policies"
    assert {(name, tuple(roles)) for _, name, roles in rows} == {
        (BATCH_POLICY, (DbRole.PIPELINE.value,))
    }


def test_every_tenant_table_the_pipeline_reads_has_a_batch_policy(app_conn: Conn) -> None:
    """A table added later that the pipeline reads must join the batch, or a batch run would
    silently read nothing from it."""
    missing = app_conn.execute(
        """
        select c.oid::regclass::text from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'tenant' and c.relkind in ('r', 'p')
          and has_table_privilege(%(role)s, c.oid, 'SELECT')
          and exists (select 1 from pg_attribute a where a.attrelid = c.oid
                      and a.attname = 'tenant_id' and not a.attisdropped)
          and not exists (select 1 from pg_policies p where p.schemaname = 'tenant'
                          and p.tablename = c.relname and p.policyname = %(policy)s)
        order by 1
        """,
        {"role": DbRole.PIPELINE.value, "policy": BATCH_POLICY},
    ).fetchall()
    assert missing == []


def test_only_the_pipeline_may_call_the_batch_accessor(app_conn: Conn) -> None:
    rows = app_conn.execute(
        "select r, has_function_privilege(r, 'platform.current_tenant_ids()', 'EXECUTE')"
        " from unnest(%s::text[]) r order by 1",
        (["public", DbRole.APP.value, DbRole.DAGSTER.value, DbRole.PIPELINE.value],),
    ).fetchall()
    assert rows == [
        (DbRole.APP.value, False),
        (DbRole.DAGSTER.value, False),
        (DbRole.PIPELINE.value, True),
        ("public", False),
    ]
