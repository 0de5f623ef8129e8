"""The production restore drill: a Cloud SQL point-in-time clone checked like the local copies.

The source is read in one REPEATABLE READ snapshot whose first statement reads the clock: the
fingerprint and privileges are the data as of that instant, and the clone is made at that instant
(millisecond precision). A commit landing in the sub-millisecond gap between the snapshot and
the clock reading shows as a difference in one table: rerun the drill (docs/operations.md).
The record goes to the bucket whatever the verdict; the deploy gate (`draxis.drill.gate`) reads it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import httpx
import psycopg

from draxis.drill.audit import Snapshot, privilege_snapshot
from draxis.drill.cloudsql import rfc3339_ms
from draxis.drill.cluster import DrillError
from draxis.drill.fingerprint import Fingerprint, fingerprint
from draxis.drill.report import DrillReport, Stage
from draxis.drill.run import describe
from draxis.drill.verify import VerifyHook, verify_copy


class CloneBackend(Protocol):
    def clone(self, point_in_time: datetime) -> str: ...
    def discard(self) -> None: ...
    def store(self, record: str, finished_at: str) -> None: ...


@dataclass(frozen=True)
class SourceState:
    point_in_time: datetime
    fingerprint: Fingerprint
    privileges: Snapshot


def read_source_state(source_url: str) -> SourceState:
    with psycopg.connect(source_url) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction():
            row = conn.execute("select clock_timestamp()").fetchone()  # takes the snapshot
            assert row is not None
            return SourceState(row[0], fingerprint(conn), privilege_snapshot(conn))


def run_cloud_drill(
    source_url: str,
    backend: CloneBackend,
    *,
    before_verify: VerifyHook | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> DrillReport:
    report = DrillReport(source=describe(source_url))
    try:
        state = read_source_state(source_url)
        started = clock()
        copy = backend.clone(state.point_in_time)
        stage = Stage(
            name="cloud-sql-clone",
            how=f"Cloud SQL point-in-time clone at {rfc3339_ms(state.point_in_time)}",
            restore_seconds=clock() - started,
        )
        report.stages.append(stage)
        verify_copy(stage, copy, state.fingerprint, state.privileges, before_verify)
    except (DrillError, psycopg.Error, httpx.HTTPError) as exc:
        report.problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        try:
            backend.discard()
        except (DrillError, httpx.HTTPError) as exc:
            report.problems.append(f"the clone was not deleted: {exc}")
    report.finish()
    try:
        backend.store(report.record(), report.finished_at)
    except (DrillError, httpx.HTTPError) as exc:
        report.problems.append(f"the record was not stored (the deploy gate will block): {exc}")
    return report
