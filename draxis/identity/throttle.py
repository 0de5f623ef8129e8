"""Rate limits and lockouts, kept in Postgres so that they hold across API processes."""

from __future__ import annotations

import hashlib

import psycopg
from psycopg.rows import TupleRow

from draxis.settings import Settings

Conn = psycopg.Connection[TupleRow]


def _one_int(conn: Conn, query: str, params: tuple[object, ...]) -> int:
    row = conn.execute(query, params).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def take(conn: Conn, bucket: str, limit: int, window_seconds: int) -> int:
    """Count one hit in `bucket` if it fits `limit` per sliding window of `window_seconds`.

    0 when it fits (and is counted); else the seconds until one more would fit, the true
    `Retry-After` (a refused hit is not counted: knocking while refused does not extend the wait).
    """
    return _one_int(
        conn, "select platform.rate_limit_take(%s, %s, %s)", (bucket, limit, window_seconds)
    )


def account_key(kind: str, identifier: str) -> str:
    """Lockout key for an account; e-mails are hashed, so the table holds no addresses."""
    digest = hashlib.sha256(identifier.strip().lower().encode()).hexdigest()[:32]
    return f"{kind}:{digest}"


def locked_for(conn: Conn, key: str) -> int:
    return _one_int(conn, "select platform.lockout_wait(%s)", (key,))


def fail(conn: Conn, settings: Settings, key: str) -> int:
    return _one_int(
        conn,
        "select platform.lockout_fail(%s, %s, %s, %s)",
        (
            key,
            settings.lockout_threshold,
            settings.lockout_base_seconds,
            settings.lockout_max_seconds,
        ),
    )


def clear(conn: Conn, key: str) -> None:
    conn.execute("select platform.lockout_clear(%s)", (key,))
