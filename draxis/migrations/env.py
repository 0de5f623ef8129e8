"""Alembic environment: runs migrations as the migrator role over the connection the CLI passes.

Whatever a migration runs (`run_script` or an `op.*` call), a GRANT or REVOKE that changes
nothing fails the upgrade (see `draxis.migrations.privilege_notices`).
"""

from __future__ import annotations

from typing import Any, cast

import psycopg
from alembic import context
from sqlalchemy import Connection, create_engine, pool

from draxis.migrations.privilege_notices import refusing_ineffective_grants

config = context.config
connection = config.attributes.get("connection")


def _upgrade(conn: Connection) -> None:
    context.configure(connection=conn, version_table_schema="public")
    dbapi = cast("psycopg.Connection[Any]", conn.connection.dbapi_connection)
    with context.begin_transaction(), refusing_ineffective_grants(dbapi):
        context.run_migrations()


def run() -> None:
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
