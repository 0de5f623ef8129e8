"""Verify one restored copy against its source: fingerprints, the catalog audit, privileges."""

from __future__ import annotations

from collections.abc import Callable

import psycopg

from draxis.drill.audit import Snapshot, audit_catalog, compare_snapshots, privilege_snapshot
from draxis.drill.fingerprint import Fingerprint, compare, fingerprint
from draxis.drill.report import Stage

# Called with (stage name, restored copy's conninfo) between a restore and its verification.
VerifyHook = Callable[[str, str], None]


def verify_copy(
    stage: Stage,
    conninfo: str,
    expected: Fingerprint,
    privileges: Snapshot,
    before_verify: VerifyHook | None = None,
) -> None:
    """Record in `stage` every difference between the copy at `conninfo` and its source."""
    if before_verify is not None:
        before_verify(stage.name, conninfo)
    with psycopg.connect(conninfo) as conn:
        actual = fingerprint(conn)
        stage.problems += compare(expected, actual, what=stage.name)
        stage.problems += [f"{stage.name}: audit: {p}" for p in audit_catalog(conn)]
        stage.problems += compare_snapshots(privileges, privilege_snapshot(conn), what=stage.name)
    stage.tables = len(actual)
    stage.rows = sum(table.rows for table in actual.values())
