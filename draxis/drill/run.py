"""`draxis db drill`: restore the database two ways and prove nothing was lost or gained.

1. **Logical**: pg_dump -Fc of the database (in an exported snapshot, fingerprinted in the same
   snapshot), roles copied, pg_restore --create into a fresh database of a scratch cluster.
2. **Point in time**: that scratch cluster archives its WAL; a base backup (pg_basebackup, WAL
   from the archive only), a marker, a named restore point, a later marker; the backup is
   restored into a second scratch cluster, replayed to the restore point and promoted.

Each restored copy must have the source's tables, row counts and content fingerprints, pass the
catalog audit, and keep the source's roles, grants, policies and owners; the PITR copy must hold
the first marker and not the later one. PITR runs in a scratch source cluster because turning on
WAL archiving in the given cluster needs a restart (archive_mode); the report says so.

`before_verify(stage, conninfo)` runs between each restore and its verification: the tests use
it to corrupt one row and watch the drill fail.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from draxis.drill.cluster import DrillError, ScratchCluster, give_to_server, remove_tree
from draxis.drill.logical import copy_roles, dump_in_snapshot, restore_fresh
from draxis.drill.pitr import (
    AFTER,
    BEFORE,
    archiving_settings,
    markers,
    restore_to_point,
    take_base_backup,
    write_markers_around_restore_point,
)
from draxis.drill.report import DrillReport, Stage
from draxis.drill.verify import VerifyHook, verify_copy


def describe(url: str) -> str:
    """The database's address without credentials."""
    params = conninfo_to_dict(url)
    where = params.get("host") or "localhost"
    port = f":{params['port']}" if params.get("port") else ""
    return f"{params.get('dbname', '?')} on {where}{port}"


def run_drill(
    source_url: str,
    *,
    before_verify: VerifyHook | None = None,
    scratch_parent: Path | None = None,
) -> DrillReport:
    """Run both restores of the database at `source_url` (a role that bypasses RLS)."""
    report = DrillReport(source=describe(source_url))
    work = Path(tempfile.mkdtemp(prefix="draxis-drill-", dir=scratch_parent))
    work.chmod(0o755)  # the server's system user traverses it when we are root
    source = ScratchCluster(work / "source")
    restored = ScratchCluster(work / "restored")
    try:
        _drill(source_url, work, source, restored, report, before_verify)
    except (DrillError, psycopg.Error) as exc:
        report.problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        for cluster in (restored, source):
            try:
                cluster.stop()
            except DrillError as exc:
                report.problems.append(str(exc))
        remove_tree(work)
    return report.finish()


def _drill(
    source_url: str,
    work: Path,
    source: ScratchCluster,
    restored: ScratchCluster,
    report: DrillReport,
    before_verify: VerifyHook | None,
) -> None:
    dump = work / "source.dump"
    expected, privileges = dump_in_snapshot(source_url, dump)

    archive = work / "wal-archive"
    archive.mkdir()
    source.init(archiving_settings(archive))
    give_to_server(archive)
    source.start()
    copy_roles(source_url, source, work)
    started = time.monotonic()
    dbname = restore_fresh(dump, source)
    logical = Stage(
        name="logical",
        how=f"pg_dump -Fc of {report.source} restored with pg_restore --create into a fresh"
        " database of a scratch cluster",
        restore_seconds=time.monotonic() - started,
    )
    report.stages.append(logical)
    verify_copy(logical, source.conninfo(dbname), expected, privileges, before_verify)

    backup = work / "base-backup"
    take_base_backup(source, backup)
    point = f"draxis-drill-{uuid.uuid4().hex[:12]}"
    at_point = write_markers_around_restore_point(source.conninfo(dbname), point)
    seconds = restore_to_point(backup, archive, restored, point)
    pitr = Stage(
        name="pitr",
        how="base backup + WAL archive of a scratch source cluster seeded from the logical copy"
        f" (archiving the given cluster needs a restart), replayed to restore point {point!r}"
        " and promoted",
        restore_seconds=seconds,
    )
    report.stages.append(pitr)
    copy = restored.conninfo(dbname)
    verify_copy(pitr, copy, at_point, privileges, before_verify)
    found = markers(copy)
    if BEFORE not in found:
        pitr.problems.append("pitr: the marker written before the restore point is missing")
    if AFTER in found:
        pitr.problems.append("pitr: the marker written after the restore point is present")
