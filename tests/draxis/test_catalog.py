"""The database's own catalog proves the isolation promises, whatever the application code does."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.rows import TupleRow

from cli.main import main
from draxis.db.roles import DbRole
from draxis.drill.audit import audit_catalog
from draxis.settings import Settings

Conn = psycopg.Connection[TupleRow]
OUR_SCHEMAS = ("platform", "tenant", "carrier")
# Tables whose tenant_id is a reference, not an owner: no tenant scope may read them at all
# (the platform audit trail; the carrier's projected book, guarded by draxis.carrier_id).
PLATFORM_ONLY = {"platform.platform_audit_logs", "carrier.portfolio"}


def test_every_tenant_id_table_forces_rls_with_a_tenant_policy(app_conn: Conn) -> None:
    rows = app_conn.execute(
        """
        select n.nspname || '.' || c.relname, c.relrowsecurity, c.relforcerowsecurity,
               coalesce(array_agg(p.qual) filter (where p.qual is not null), '{}')
        from pg_attribute a
        join pg_class c on c.oid = a.attrelid and c.relkind in ('r', 'p')
        join pg_namespace n on n.oid = c.relnamespace
        left join pg_policies p on p.schemaname = n.nspname and p.tablename = c.relname
        where a.attname = 'tenant_id' and not a.attisdropped
          and n.nspname not in ('pg_catalog', 'information_schema', 'dagster')
        group by 1, 2, 3 order by 1
        """
    ).fetchall()
    assert len(rows) >= 7, "expected the foundation's tenant tables"
    for table, enabled, forced, policies in rows:
        assert enabled, f"{table} must ENABLE row level security"
        assert forced, f"{table} must FORCE row level security"
        if table in PLATFORM_ONLY:
            assert not any("current_tenant_id" in q for q in policies), table
            continue
        assert any("current_tenant_id" in q for q in policies), f"{table} has no tenant policy"


def test_every_table_in_our_schemas_has_rls(app_conn: Conn) -> None:
    unprotected = app_conn.execute(
        "select n.nspname || '.' || c.relname from pg_class c"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where c.relkind in ('r', 'p') and n.nspname = any(%s)"
        " and not (c.relrowsecurity and c.relforcerowsecurity)",
        (list(OUR_SCHEMAS),),
    ).fetchall()
    assert unprotected == []


def test_policies_fail_closed_on_empty_settings(app_conn: Conn) -> None:
    body = app_conn.execute(
        "select prosrc from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
        " where n.nspname = 'platform' and p.proname = 'current_tenant_id'"
    ).fetchone()
    assert body is not None
    assert "nullif" in body[0]


@pytest.mark.parametrize("role", list(DbRole))
def test_login_roles_cannot_bypass_rls(app_conn: Conn, settings: Settings, role: DbRole) -> None:
    row = app_conn.execute(
        "select rolcanlogin, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb"
        " from pg_roles where rolname = %s",
        (role.value,),
    ).fetchone()
    assert row == (True, False, False, False, False)


def test_no_non_superuser_login_role_bypasses_rls(app_conn: Conn) -> None:
    bypassing = app_conn.execute(
        "select rolname from pg_roles where rolcanlogin and rolbypassrls and not rolsuper"
    ).fetchall()
    assert bypassing == []


@pytest.mark.parametrize("role", [DbRole.APP, DbRole.PIPELINE])
def test_app_and_pipeline_roles_own_nothing(app_conn: Conn, role: DbRole) -> None:
    owned = app_conn.execute(
        """
        select 'relation ' || c.relname from pg_class c join pg_roles r on r.oid = c.relowner
            where r.rolname = %(role)s
        union all
        select 'schema ' || n.nspname from pg_namespace n join pg_roles r on r.oid = n.nspowner
            where r.rolname = %(role)s
        union all
        select 'function ' || p.proname from pg_proc p join pg_roles r on r.oid = p.proowner
            where r.rolname = %(role)s
        """,
        {"role": role.value},
    ).fetchall()
    assert owned == []


def test_app_role_has_a_statement_timeout(app_conn: Conn) -> None:
    row = app_conn.execute("show statement_timeout").fetchone()
    assert row is not None
    assert row[0] not in ("0", "")


def test_sign_in_lookup_runs_as_a_role_that_cannot_log_in(app_conn: Conn) -> None:
    row = app_conn.execute(
        "select r.rolcanlogin, p.prosecdef from pg_proc p join pg_roles r on r.oid = p.proowner"
        " where p.proname = 'login_candidate'"
    ).fetchone()
    assert row == (False, True)


def test_the_kernel_audit_the_restore_drill_runs_passes_here(
    observer_conn: Conn, capsys: pytest.CaptureFixture[str]
) -> None:
    """draxis/drill/audit.py checks restored copies with the promises above; here it agrees,
    and `draxis db audit` says so."""
    assert audit_catalog(observer_conn) == []
    assert main(["db", "audit"]) == 0
    assert capsys.readouterr().out.strip().endswith("catalog audit passed")
