"""Run a migration's SQL script verbatim on Alembic's connection.

The script goes to psycopg without parameters, so `%I` in `format()` calls and `:` casts reach
PostgreSQL untouched, and the whole script runs inside Alembic's transaction. A GRANT or REVOKE
that changes nothing fails the script (see `draxis.migrations.privilege_notices`).

In offline mode (`alembic upgrade --sql`, `draxis.migrations.offline`) the script is written to
Alembic's output verbatim, as the server would receive it, so the SQL linted there is the SQL
that runs.
"""

from __future__ import annotations

from typing import Any, cast

import psycopg
from alembic import op

from draxis.migrations.privilege_notices import refusing_ineffective_grants


def run_script(script: str) -> None:
    migration = op.get_context()
    if migration.as_sql:
        migration.impl.static_output(script.strip() + "\n")
        return
    dbapi = op.get_bind().connection.dbapi_connection
    if dbapi is None:
        raise RuntimeError("migration connection is closed")
    conn = cast("psycopg.Connection[Any]", dbapi)
    cursor = conn.cursor()
    try:
        with refusing_ineffective_grants(conn):
            cursor.execute(script)
    finally:
        cursor.close()
