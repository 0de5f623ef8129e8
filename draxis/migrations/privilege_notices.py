"""Make a GRANT or REVOKE that changes nothing an error instead of a warning.

PostgreSQL answers a GRANT or REVOKE by a role that holds no grant option on the object (for
example the migrator, NOINHERIT, on a function it has handed to `draxis_auth`) with a WARNING,
"no privileges were granted" (SQLSTATE 01007) or "no privileges could be revoked" (01006), and
goes on. A migration that meant to close a door must not pass with the door open: these notices
fail the migration, and its transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.errors import Diagnostic

PRIVILEGE_NOT_GRANTED = "01007"
PRIVILEGE_NOT_REVOKED = "01006"
INEFFECTIVE = frozenset({PRIVILEGE_NOT_GRANTED, PRIVILEGE_NOT_REVOKED})


class IneffectivePrivilegeChange(RuntimeError):
    """A GRANT or REVOKE in a migration changed nothing: its author lacked the grant option."""


def describe(notice: Diagnostic) -> str | None:
    """The message of a notice that reports an ineffective GRANT/REVOKE; None for any other."""
    if notice.sqlstate not in INEFFECTIVE:
        return None
    return notice.message_primary or f"SQLSTATE {notice.sqlstate}"


@contextmanager
def refusing_ineffective_grants(conn: psycopg.Connection[Any]) -> Iterator[None]:
    """Raise `IneffectivePrivilegeChange` when a statement run inside the block warned that a
    GRANT or REVOKE did nothing. An exception raised inside the block wins."""
    messages: list[str] = []

    def record(notice: Diagnostic) -> None:
        message = describe(notice)
        if message is not None:
            messages.append(message)

    conn.add_notice_handler(record)
    try:
        yield
    finally:
        conn.remove_notice_handler(record)
    if messages:
        raise IneffectivePrivilegeChange(
            "a GRANT or REVOKE changed nothing (run it as the object's owner, e.g. after"
            " `set role draxis_auth`): " + "; ".join(messages)
        )
