"""Run a migration's SQL script verbatim on Alembic's connection.

The script goes to psycopg without parameters, so `%I` in `format()` calls and `:` casts reach
PostgreSQL untouched, and the whole script runs inside Alembic's transaction.
"""

from __future__ import annotations

from alembic import op


def run_script(script: str) -> None:
    dbapi = op.get_bind().connection.dbapi_connection
    if dbapi is None:
        raise RuntimeError("migration connection is closed")
    cursor = dbapi.cursor()
    try:
        cursor.execute(script)
    finally:
        cursor.close()
