"""Connection pools, one per login role. Connections are autocommit; transactions are explicit."""

from __future__ import annotations

import psycopg
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool


def _configure(conn: psycopg.Connection[TupleRow]) -> None:
    # Transactions are opened only by scoped_transaction. Statements run five times are prepared
    # (psycopg's default): planning the dashboard's RLS-guarded joins on every request cost the
    # database twice the CPU (bench/rollups.py). Behind PgBouncer that needs transaction mode
    # with max_prepared_statements set (PgBouncer 1.21+ tracks protocol-level prepares).
    conn.autocommit = True
    conn.prepare_threshold = 5


def _reset(conn: psycopg.Connection[TupleRow]) -> None:
    conn.read_only = False


def open_pool(conninfo: str, *, min_size: int = 1, max_size: int = 10, name: str) -> ConnectionPool:
    pool: ConnectionPool = ConnectionPool(
        conninfo,
        min_size=min_size,
        max_size=max_size,
        name=name,
        configure=_configure,
        reset=_reset,
        open=False,
    )
    pool.open(wait=True, timeout=15)
    return pool


def connect(conninfo: str) -> psycopg.Connection[TupleRow]:
    """A single connection configured like the pooled ones (jobs and tests)."""
    conn = psycopg.connect(conninfo)
    _configure(conn)
    return conn
