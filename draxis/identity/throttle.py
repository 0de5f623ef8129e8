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


# `platform.rate_limit_take` weighs in the previous window's hits, refused ones included, so its
# answer (the seconds left in the current window) was not the wait: at the turn of the window
# the old hits still refused the client, for most of another window. Naming the bucket after
# its window, in SQL, on the clock the function reads, leaves it no previous window: each window
# counts from zero, and the seconds left in it are exactly how long a refused client waits.
_TAKE_IN_WINDOW = (
    "select platform.rate_limit_take("
    "%s || '@' || floor(extract(epoch from now()) / %s)::bigint, %s, %s)"
)


def take(conn: Conn, bucket: str, limit: int, window_seconds: int) -> int:
    """Count one hit in `bucket`'s current fixed window of `window_seconds`.

    0 when the window holds at most `limit` hits; else the seconds until the next window opens,
    which is when this bucket takes a request again (the true `Retry-After`).
    """
    return _one_int(conn, _TAKE_IN_WINDOW, (bucket, window_seconds, limit, window_seconds))


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
