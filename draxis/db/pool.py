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


# A caller waits this long for a connection, then gets PoolTimeout (the API answers 503): during
# an outage requests fail fast instead of hanging for psycopg_pool's default 30 s.
CHECKOUT_TIMEOUT_SECONDS = 2.0
# A failed reconnection backs off (1 s, 2 s, 4 s...) and gives up after this; the next checkout
# then tries again at once, so the pool is back within seconds of the database, not minutes.
RECONNECT_TIMEOUT_SECONDS = 5.0


def open_pool(
    conninfo: str,
    *,
    min_size: int = 1,
    max_size: int = 10,
    name: str,
    timeout: float = CHECKOUT_TIMEOUT_SECONDS,
) -> ConnectionPool:
    """A pool that checks each connection as it hands it out (one empty round trip).

    After a database restart the idle connections are dead. The first that fails its check
    drains the pool (every connection opened before it is replaced), so the request gets a fresh
    connection instead of an error, or a backoff sleep per dead connection it is handed.
    """

    def check(conn: psycopg.Connection[TupleRow]) -> None:
        try:
            ConnectionPool.check_connection(conn)
        except Exception:
            pool.drain()
            raise

    pool: ConnectionPool = ConnectionPool(
        conninfo,
        min_size=min_size,
        max_size=max_size,
        name=name,
        configure=_configure,
        reset=_reset,
        check=check,
        timeout=timeout,
        reconnect_timeout=RECONNECT_TIMEOUT_SECONDS,
        open=False,
    )
    pool.open(wait=True, timeout=15)
    return pool


def connect(conninfo: str) -> psycopg.Connection[TupleRow]:
    """A single connection configured like the pooled ones (jobs and tests)."""
    conn = psycopg.connect(conninfo)
    _configure(conn)
    return conn
