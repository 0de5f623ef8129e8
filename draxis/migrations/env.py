"""Alembic environment: runs migrations as the migrator role over the connection the CLI passes.

Whatever a migration runs (`run_script` or an `op.*` call), a GRANT or REVOKE that changes
nothing fails the upgrade (see `draxis.migrations.privilege_notices`). Offline (`--sql`) it
writes the SQL instead, for the zero-downtime lint (`draxis.migrations.squawk_lint`).
"""

from __future__ import annotations

from typing import Any, cast

import psycopg
from alembic import context
from sqlalchemy import Connection, create_engine, pool

from draxis.migrations.privilege_notices import refusing_ineffective_grants

# Two releases serve during a deploy (docs/deploy.md): a migration that queues behind a long
# transaction for its lock would stall every query queued behind it. It gives up instead (the
# upgrade rolls back whole; run it again), and no statement runs unbounded.
MIGRATION_TIMEOUTS = ("set local lock_timeout = '5s'", "set local statement_timeout = '10min'")

config = context.config
connection = config.attributes.get("connection")


def _upgrade(conn: Connection) -> None:
    context.configure(connection=conn, version_table_schema="public")
    dbapi = cast("psycopg.Connection[Any]", conn.connection.dbapi_connection)
    with context.begin_transaction(), refusing_ineffective_grants(dbapi):
        _set_timeouts()
        context.run_migrations()


def _offline() -> None:
    """`--sql`: the migrations' SQL as text (draxis.migrations.offline), nothing executed."""
    context.configure(
        dialect_name="postgresql",
        version_table_schema="public",
        literal_binds=True,
        transactional_ddl=True,
    )
    with context.begin_transaction():
        _set_timeouts()
        context.run_migrations()


def _set_timeouts() -> None:
    for statement in MIGRATION_TIMEOUTS:
        context.execute(statement)


def run() -> None:
    if context.is_offline_mode():
        _offline()
        return
    if connection is not None:
        _upgrade(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("run migrations with `draxis db migrate` (it sets the URL and role)")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        _upgrade(conn)


run()
