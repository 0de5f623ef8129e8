"""Connection pools, one per login role. Connections are autocommit; transactions are explicit."""

from __future__ import annotations

import psycopg
from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
from opentelemetry.instrumentation.utils import suppress_instrumentation
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool

from draxis import telemetry
from draxis.telemetry.instruments import (
    POOL_IN_USE,
    POOL_SIZE,
    POOL_WAITING,
    Reading,
    register_reading,
)


def _configure(conn: psycopg.Connection[TupleRow]) -> None:
    _trace(conn)
    # Transactions are opened only by scoped_transaction. Statements run five times are prepared
    # (psycopg's default): planning the dashboard's RLS-guarded joins on every request cost the
    # database twice the CPU (bench/rollups.py). Behind PgBouncer that needs transaction mode
    # with max_prepared_statements set (PgBouncer 1.21+ tracks protocol-level prepares).
    conn.autocommit = True
    conn.prepare_threshold = 5


def _trace(conn: psycopg.Connection[TupleRow]) -> None:
    """One span per statement (text with placeholders; parameters are never recorded), when
    this process traces."""
    if telemetry.current().enabled and not getattr(
        conn, "_is_instrumented_by_opentelemetry", False
    ):
        PsycopgInstrumentor.instrument_connection(
            conn, tracer_provider=telemetry.INSTRUMENTATION_PROVIDER
        )


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
        _trace(conn)  # a connection opened before tracing was on joins in at its next checkout
        try:
            with suppress_instrumentation():  # the empty check statement is not a span
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
    _observe(pool, name)
    return pool


def _observe(pool: ConnectionPool, name: str) -> None:
    """The pool's saturation as gauges (nothing once it is closed; a new pool of the same name
    takes its place)."""
    process = name.rsplit("-", 1)[0] if name.startswith("draxis-pipeline-") else name

    def stat(compute: str) -> Reading:
        def read() -> list[tuple[float, dict[str, str]]]:
            if pool.closed:
                return []
            stats = pool.get_stats()
            size = stats.get("pool_size", 0)
            value = {
                "size": size,
                "in_use": size - stats.get("pool_available", 0),
                "waiting": stats.get("requests_waiting", 0),
            }[compute]
            return [(float(value), {"process": process, "pool": name})]

        return read

    gauges = {POOL_IN_USE: "in_use", POOL_SIZE: "size", POOL_WAITING: "waiting"}
    for gauge, compute in gauges.items():
        register_reading(gauge, name, stat(compute))


def connect(conninfo: str) -> psycopg.Connection[TupleRow]:
    """A single connection configured like the pooled ones (jobs and tests)."""
    conn = psycopg.connect(conninfo)
    _configure(conn)
    return conn
