"""The catalog audit: the isolation promises read from pg_catalog, and a privilege snapshot.

`audit_catalog` checks the invariants every copy of a Draxis database must keep (RLS enabled and
forced on every table of our schemas, a tenant policy on every tenant table, login roles that
cannot bypass RLS and own nothing they should not). `privilege_snapshot` reads roles, grants,
policies and ownership so that a restored copy can be compared with its source: a restore that
loses one GRANT or one policy fails the drill. tests/draxis/test_catalog.py runs the audit on
the test database too.
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from psycopg.rows import TupleRow

from draxis.db.roles import AUTH_ROLE, DbRole

Conn = psycopg.Connection[TupleRow]

OUR_SCHEMAS = ("platform", "tenant", "carrier")
# Tables whose tenant_id is a reference, not an owner (docs/architecture.md): no tenant policy.
PLATFORM_ONLY = frozenset({"platform.platform_audit_logs", "carrier.portfolio"})
_NO_OWNERSHIP = (DbRole.APP.value, DbRole.PIPELINE.value)


def audit_catalog(conn: Conn) -> list[str]:
    """Every broken isolation promise in the connected database, as readable sentences."""
    return [
        *_tables_without_forced_rls(conn),
        *_tenant_tables_without_policy(conn),
        *_roles_that_can_bypass(conn),
        *_objects_owned_by_app_roles(conn),
        *_scope_accessor_not_fail_closed(conn),
    ]


def _tables_without_forced_rls(conn: Conn) -> Iterable[str]:
    rows = conn.execute(
        "select n.nspname || '.' || c.relname from pg_class c"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where c.relkind in ('r', 'p') and n.nspname = any(%s)"
        " and not (c.relrowsecurity and c.relforcerowsecurity) order by 1",
        (list(OUR_SCHEMAS),),
    ).fetchall()
    return [f"table {r[0]} does not ENABLE and FORCE row level security" for r in rows]


def _tenant_tables_without_policy(conn: Conn) -> Iterable[str]:
    rows = conn.execute(
        "select n.nspname || '.' || c.relname,"
        " coalesce(array_agg(p.qual) filter (where p.qual is not null), '{}')"
        " from pg_attribute a"
        " join pg_class c on c.oid = a.attrelid and c.relkind in ('r', 'p')"
        " join pg_namespace n on n.oid = c.relnamespace"
        " left join pg_policies p on p.schemaname = n.nspname and p.tablename = c.relname"
        " where a.attname = 'tenant_id' and not a.attisdropped and n.nspname = any(%s)"
        " group by 1 order by 1",
        (list(OUR_SCHEMAS),),
    ).fetchall()
    problems = []
    if not rows:
        problems.append("no tenant table found: is this a Draxis database?")
    for table, quals in rows:
        if table in PLATFORM_ONLY:
            continue
        if not any("current_tenant_id" in str(q) for q in quals):
            problems.append(f"tenant table {table} has no policy on platform.current_tenant_id()")
    return problems


def _roles_that_can_bypass(conn: Conn) -> Iterable[str]:
    problems = []
    for role in DbRole:
        row = conn.execute(
            "select rolcanlogin, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb"
            " from pg_roles where rolname = %s",
            (role.value,),
        ).fetchone()
        if row is None:
            problems.append(f"role {role.value} is missing")
        elif tuple(row) != (True, False, False, False, False):
            problems.append(
                f"role {role.value} must be LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE"
                f" NOCREATEDB; it is (login, super, bypassrls, createrole, createdb) = {row}"
            )
    if conn.execute("select 1 from pg_roles where rolname = %s", (AUTH_ROLE,)).fetchone() is None:
        problems.append(f"role {AUTH_ROLE} (owner of the identity functions) is missing")
    return problems


def _objects_owned_by_app_roles(conn: Conn) -> Iterable[str]:
    rows = conn.execute(
        "select r.rolname, 'relation ' || c.relname from pg_class c"
        "   join pg_roles r on r.oid = c.relowner where r.rolname = any(%(roles)s)"
        " union all select r.rolname, 'schema ' || n.nspname from pg_namespace n"
        "   join pg_roles r on r.oid = n.nspowner where r.rolname = any(%(roles)s)"
        " union all select r.rolname, 'function ' || p.proname from pg_proc p"
        "   join pg_roles r on r.oid = p.proowner where r.rolname = any(%(roles)s)"
        " order by 1, 2",
        {"roles": list(_NO_OWNERSHIP)},
    ).fetchall()
    return [f"role {role} owns {what}; it must own nothing" for role, what in rows]


def _scope_accessor_not_fail_closed(conn: Conn) -> Iterable[str]:
    row = conn.execute(
        "select prosrc from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
        " where n.nspname = 'platform' and p.proname = 'current_tenant_id'"
    ).fetchone()
    if row is None:
        return ["function platform.current_tenant_id() is missing"]
    if "nullif" not in str(row[0]):
        return ["platform.current_tenant_id() does not fail closed on an empty setting"]
    return []


Snapshot = dict[str, frozenset[tuple[str, ...]]]


def privilege_snapshot(conn: Conn) -> Snapshot:
    """Roles, memberships, ACLs, policies, RLS flags and owners of our objects, as sets of rows."""
    schemas = list((*OUR_SCHEMAS, "dagster"))
    queries = {
        "roles": (
            "select rolname, rolcanlogin::text, rolsuper::text, rolbypassrls::text,"
            " rolcreaterole::text, rolcreatedb::text, rolinherit::text, rolreplication::text"
            " from pg_roles where rolname = any(%(roles)s)"
        ),
        "memberships": (
            "select m.rolname, r.rolname, a.admin_option::text"
            " from pg_auth_members a join pg_roles r on r.oid = a.roleid"
            " join pg_roles m on m.oid = a.member where m.rolname = any(%(roles)s)"
        ),
        "database": (
            "select coalesce(d.datacl::text, ''), pg_get_userbyid(d.datdba) from pg_database d"
            " where d.datname = current_database()"
        ),
        "role settings": (
            "select r.rolname, array_to_string(s.setconfig, ',') from pg_db_role_setting s"
            " join pg_roles r on r.oid = s.setrole join pg_database d on d.oid = s.setdatabase"
            " where d.datname = current_database()"
        ),
        "schemas": (
            "select nspname, pg_get_userbyid(nspowner), coalesce(nspacl::text, '')"
            " from pg_namespace where nspname = any(%(schemas)s)"
        ),
        "tables": (
            "select n.nspname || '.' || c.relname, c.relkind::text, pg_get_userbyid(c.relowner),"
            " coalesce(c.relacl::text, ''), c.relrowsecurity::text, c.relforcerowsecurity::text"
            " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = any(%(schemas)s) and c.relkind in ('r', 'p', 'v', 'm', 'S')"
        ),
        "columns": (
            "select n.nspname || '.' || c.relname || '.' || a.attname, a.attacl::text"
            " from pg_attribute a join pg_class c on c.oid = a.attrelid"
            " join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = any(%(schemas)s) and a.attacl is not null"
        ),
        "functions": (
            "select p.oid::regprocedure::text, pg_get_userbyid(p.proowner), p.prosecdef::text,"
            " coalesce(p.proacl::text, ''), coalesce(array_to_string(p.proconfig, ','), '')"
            " from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
            " where n.nspname = any(%(schemas)s)"
        ),
        "policies": (
            "select schemaname || '.' || tablename, policyname, permissive, cmd,"
            " roles::text, coalesce(qual, ''), coalesce(with_check, '')"
            " from pg_policies where schemaname = any(%(schemas)s)"
        ),
        "default privileges": (
            "select pg_get_userbyid(defaclrole), coalesce(n.nspname, ''), defaclobjtype::text,"
            " defaclacl::text from pg_default_acl d"
            " left join pg_namespace n on n.oid = d.defaclnamespace"
        ),
    }
    roles = [*(role.value for role in DbRole), AUTH_ROLE]
    params = {"roles": roles, "schemas": schemas}
    return {
        name: frozenset(tuple(str(v) for v in row) for row in conn.execute(q, params).fetchall())
        for name, q in queries.items()
    }


def compare_snapshots(source: Snapshot, restored: Snapshot, *, what: str) -> list[str]:
    """What the restored copy lost or gained in roles, grants, policies and ownership."""
    problems = []
    for name in sorted(source.keys() | restored.keys()):
        lost = source.get(name, frozenset()) - restored.get(name, frozenset())
        gained = restored.get(name, frozenset()) - source.get(name, frozenset())
        problems += [f"{what}: {name} lost {row}" for row in sorted(lost)]
        problems += [f"{what}: {name} gained {row}" for row in sorted(gained)]
    return problems
