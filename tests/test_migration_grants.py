"""Migrations and privileges: a GRANT or REVOKE that does nothing fails the migration."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import create_engine, pool

from draxis.db.roles import DbRole
from draxis.db.urls import role_conninfo, sqlalchemy_url
from draxis.migrations.privilege_notices import IneffectivePrivilegeChange
from draxis.migrations.sql import run_script
from draxis.settings import Settings

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
