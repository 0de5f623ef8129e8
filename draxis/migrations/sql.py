"""Run a migration's SQL script verbatim on Alembic's connection.

The script goes to psycopg without parameters, so `%I` in `format()` calls and `:` casts reach
PostgreSQL untouched, and the whole script runs inside Alembic's transaction. A GRANT or REVOKE
that changes nothing fails the script (see `draxis.migrations.privilege_notices`).
"""

from __future__ import annotations

from typing import Any, cast

import psycopg
from alembic import op

from draxis.migrations.privilege_notices import refusing_ineffective_grants


def run_script(script: str) -> None:
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
