"""Migrations and privileges: a GRANT or REVOKE that does nothing fails the migration, and a
database migrated with the old, ineffective grants is repaired to exactly a fresh one's ACLs."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from psycopg import sql
from sqlalchemy import create_engine, pool

from draxis.db.migrate import migrate
from draxis.db.roles import AUTH_ROLE, DbRole
from draxis.db.urls import role_conninfo, sqlalchemy_url, with_database
from draxis.migrations.privilege_notices import IneffectivePrivilegeChange
from draxis.migrations.sql import run_script
from draxis.settings import Settings
from tests.conftest import TEST_DB, Conn

# The bug of revisions 0001..0006, replayed: a function executable by PUBLIC is handed to
# draxis_auth, after which the migrator (NOINHERIT) holds EXECUTE only through PUBLIC and no grant
# option, so PostgreSQL merely warns that its REVOKE or GRANT did nothing.
HAND_OVER = """
create function platform.grant_probe() returns integer language sql as 'select 1';
grant execute on function platform.grant_probe() to public;
grant create on schema platform to draxis_auth;
alter function platform.grant_probe() owner to draxis_auth;
revoke create on schema platform from draxis_auth;
"""
INEFFECTIVE = {
    "revoke": "revoke all on function platform.grant_probe() from public",
    "grant": "grant execute on function platform.grant_probe() to draxis_app",
}

# Every ACL of our schemas, sorted entry by entry: functions, relations, columns, schemas and
# default privileges. NULL (PostgreSQL's built-in default) reads as 'default'.
ACLS = """
with ours as (select oid, nspname from pg_namespace
              where nspname in ('platform', 'tenant', 'carrier', 'public'))
select kind, name, owner, acl from (
    select 'function' as kind, p.oid::regprocedure::text as name,
           pg_get_userbyid(p.proowner) as owner, p.proacl as raw
    from pg_proc p join ours n on n.oid = p.pronamespace
    union all
    select 'relation', n.nspname || '.' || c.relname, pg_get_userbyid(c.relowner), c.relacl
    from pg_class c join ours n on n.oid = c.relnamespace
    union all
    select 'column', n.nspname || '.' || c.relname || '.' || a.attname, '', a.attacl
    from pg_attribute a join pg_class c on c.oid = a.attrelid
    join ours n on n.oid = c.relnamespace where a.attacl is not null
    union all
    select 'schema', n.nspname, pg_get_userbyid(s.nspowner), s.nspacl
    from pg_namespace s join ours n on n.oid = s.oid
    union all
    select 'default', pg_get_userbyid(d.defaclrole) || ' ' || d.defaclobjtype::text, '', d.defaclacl
    from pg_default_acl d
) o (kind, name, owner, raw),
lateral (select coalesce(array_agg(e order by e), '{default}') as acl
         from unnest(o.raw::text[]) e) a
order by kind, name
"""


@pytest.fixture
def migrator_operations(settings: Settings) -> Iterator[None]:
    """Alembic's `op` bound to a migrator connection, as in a migration; rolled back after."""
    url = sqlalchemy_url(role_conninfo(settings, DbRole.MIGRATOR), "psycopg")
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            transaction = conn.begin()
            try:
                with Operations.context(MigrationContext.configure(conn)):
                    yield
            finally:
                transaction.rollback()
    finally:
        engine.dispose()


@pytest.mark.parametrize("verb", sorted(INEFFECTIVE))
def test_a_grant_or_revoke_that_changes_nothing_fails_the_migration(
    migrator_operations: None, verb: str
) -> None:
    run_script(HAND_OVER)
    with pytest.raises(IneffectivePrivilegeChange, match="no privileges"):
        run_script(INEFFECTIVE[verb])


def test_an_effective_grant_passes(migrator_operations: None) -> None:
    run_script("grant select on platform.tenants to draxis_pipeline")


@pytest.fixture
def old_database(settings: Settings, observer_conn: Conn) -> Iterator[Settings]:
    """A scratch database, dropped afterwards."""
    name = f"{TEST_DB}_repair"
    drop = sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
    base = settings.database_url or ""
    with psycopg.connect(with_database(base, "postgres"), autocommit=True) as admin:
        admin.execute(drop)
    try:
        yield settings.model_copy(update={"database_url": with_database(base, name)})
    finally:
        with psycopg.connect(with_database(base, "postgres"), autocommit=True) as admin:
            admin.execute(drop)


def test_a_database_migrated_with_the_old_grants_is_repaired_to_a_fresh_ones_acls(
    old_database: Settings, observer_conn: Conn
) -> None:
    migrate(old_database, "0006")
    with psycopg.connect(old_database.database_url or "", autocommit=True) as old:
        # What revisions 0001..0006 used to leave: their REVOKE and GRANT on the functions they
        # had just handed to draxis_auth changed nothing, so every ACL kept PostgreSQL's default
        # (EXECUTE for PUBLIC). Put that state back, as the cluster admin.
        old.execute(
            "update pg_proc set proacl = acldefault('f', proowner) where proowner = %s::regrole",
            (AUTH_ROLE,),
        )
        assert old.execute(
            "select count(*) from pg_proc p where p.proowner = %s::regrole"
            " and has_function_privilege('draxis_pipeline', p.oid, 'EXECUTE')",
            (AUTH_ROLE,),
        ).fetchone() == (20,)
        migrate(old_database, "head")
        repaired = old.execute(ACLS).fetchall()
    fresh = observer_conn.execute(ACLS).fetchall()
    assert len(fresh) > 100
    assert repaired == fresh
