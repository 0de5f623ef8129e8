"""Point-in-time recovery: base backup + WAL archive, restore to a named point, promote.

The source cluster archives every WAL segment with `archive_command`; `take_base_backup` runs
pg_basebackup without WAL (`-X none`: the archive must supply it, as in production). Markers go
in the drill's own table (schema `draxis_drill`, in the scratch copy only): one before the
restore point, one after. `restore_to_point` copies the base backup into a new data directory,
replays the archive to `recovery_target_name` and promotes; the later marker must be absent.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import psycopg

from draxis.drill.cluster import DrillError, ScratchCluster, give_to_server, run_pg, wait_until
from draxis.drill.fingerprint import DRILL_SCHEMA, Fingerprint, fingerprint

BEFORE = "before-restore-point"
AFTER = "after-restore-point"


def archiving_settings(archive: Path) -> dict[str, str]:
    return {
        "wal_level": "replica",
        "archive_mode": "on",
        "archive_command": f"test ! -f {archive}/%f && cp %p {archive}/%f",
        # A scratch copy: durability of the copy itself is not what the drill proves.
        "fsync": "off",
        "full_page_writes": "on",
    }


def take_base_backup(source: ScratchCluster, backup_dir: Path) -> None:
    backup_dir.mkdir(mode=0o700)
    give_to_server(backup_dir)
    run_pg(
        "pg_basebackup",
        [
            "--pgdata",
            str(backup_dir),
            "--wal-method=none",
            "--checkpoint=fast",
            "--no-sync",
            "--dbname",
            source.conninfo("postgres"),
        ],
        as_server=True,
        what="pg_basebackup of the source cluster",
    )


def write_markers_around_restore_point(conninfo: str, point: str) -> Fingerprint:
    """Marker, restore point, then a later marker; return the fingerprint at the restore point.

    No one else writes to the scratch source, so the fingerprint read right after the restore
    point is the data as of that point.
    """
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"create schema if not exists {DRILL_SCHEMA}")
        conn.execute(
            f"create table if not exists {DRILL_SCHEMA}.marker"
            " (label text primary key, written_at timestamptz not null default now())"
        )
        conn.execute(f"insert into {DRILL_SCHEMA}.marker (label) values (%s)", (BEFORE,))
        conn.execute("select pg_create_restore_point(%s)", (point,))
        at_point = fingerprint(conn)
        conn.execute(f"insert into {DRILL_SCHEMA}.marker (label) values (%s)", (AFTER,))
        # Close the segment holding the restore point and the later marker, and wait until the
        # archiver has it: recovery can only reach what was archived.
        row = conn.execute("select pg_walfile_name(pg_switch_wal())").fetchone()
        assert row is not None
        segment = str(row[0])

        def archived() -> bool:
            done = conn.execute("select last_archived_wal from pg_stat_archiver").fetchone()
            return done is not None and done[0] is not None and str(done[0]) >= segment

        wait_until(archived, timeout=60, what=f"WAL segment {segment} to be archived")
    return at_point


def restore_to_point(backup_dir: Path, archive: Path, target: ScratchCluster, point: str) -> float:
    """Restore the base backup into `target`, replay to `point`, promote; seconds it took."""
    started = time.monotonic()
    shutil.copytree(backup_dir, target.datadir)
    target.datadir.chmod(0o700)
    give_to_server(target.datadir)
    target.configure(
        {
            "restore_command": f"cp {archive}/%f %p",
            "recovery_target_name": point,
            "recovery_target_action": "promote",
            "archive_mode": "off",
        }
    )
    (target.datadir / "recovery.signal").touch()
    give_to_server(target.datadir)
    target.start()

    def promoted() -> bool:
        try:
            with psycopg.connect(target.conninfo("postgres"), connect_timeout=2) as conn:
                row = conn.execute("select pg_is_in_recovery()").fetchone()
                return row is not None and row[0] is False
        except psycopg.OperationalError:
            return False

    try:
        wait_until(promoted, timeout=120, what="the restored cluster to reach the restore point")
    except DrillError as exc:
        raise DrillError(f"{exc}; server log:\n{target.log_tail()}") from exc
    return time.monotonic() - started


def markers(conninfo: str) -> set[str]:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(f"select label from {DRILL_SCHEMA}.marker").fetchall()
    return {str(r[0]) for r in rows}
