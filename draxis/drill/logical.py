"""The logical half of the drill: pg_dump -Fc of the source, pg_restore into a fresh database.

The dump is taken in a snapshot the drill exported, and the source is fingerprinted inside the
same transaction, so a live database that keeps changing still compares exactly. Roles are
cluster-wide and not in a database dump: they are copied first with pg_dumpall --roles-only
(without passwords); `--create` carries the database's own ACL and per-role settings.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from draxis.drill.audit import Snapshot, privilege_snapshot
from draxis.drill.cluster import DrillError, ScratchCluster, pg_bin, run_pg, without_password
from draxis.drill.fingerprint import Fingerprint, fingerprint

# pg_dumpall --roles-only recreates roles the scratch cluster already has (its superuser): only
# "already exists" errors are expected, every other one fails the drill.
_EXPECTED_ROLE_ERROR = re.compile(r'ERROR:\s+role "[^"]+" already exists')


def dump_in_snapshot(source_url: str, dump_file: Path) -> tuple[Fingerprint, Snapshot]:
    """Dump the source database to `dump_file`; return its fingerprint and privileges as of the
    dump's snapshot."""
    with psycopg.connect(source_url) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction():
            row = conn.execute("select pg_export_snapshot()").fetchone()
            assert row is not None
            expected = fingerprint(conn)
            privileges = privilege_snapshot(conn)
            dbname, env = without_password(source_url)
            run_pg(
                "pg_dump",
                [
                    "--format=custom",
                    "--create",
                    f"--snapshot={row[0]}",
                    "--file",
                    str(dump_file),
                    "--dbname",
                    dbname,
                ],
                what="pg_dump of the source database",
                env=env,
            )
    return expected, privileges


def copy_roles(source_url: str, target: ScratchCluster, workdir: Path) -> None:
    """Recreate the source cluster's roles (attributes and memberships) in the scratch cluster."""
    roles_sql = workdir / "roles.sql"
    dbname, env = without_password(source_url)
    run_pg(
        "pg_dumpall",
        ["--roles-only", "--no-role-passwords", "--file", str(roles_sql), "--dbname", dbname],
        what="pg_dumpall --roles-only of the source cluster",
        env=env,
    )
    roles_sql.chmod(0o644)
    result = _psql_file(target, roles_sql)
    unexpected = [
        line
        for line in result.splitlines()
        if "ERROR" in line and not _EXPECTED_ROLE_ERROR.search(line)
    ]
    if unexpected:
        raise DrillError("copying roles into the scratch cluster failed: " + "; ".join(unexpected))


def restore_fresh(dump_file: Path, target: ScratchCluster) -> str:
    """pg_restore --create into the target cluster; return the restored database's name."""
    run_pg(
        "pg_restore",
        ["--create", "--exit-on-error", "--dbname", target.conninfo("postgres"), str(dump_file)],
        what="pg_restore into a fresh database",
    )
    listed = run_pg("pg_restore", ["--list", str(dump_file)], what="reading the dump's TOC")
    match = re.search(r"^;\s+dbname: (.+)$", listed, re.MULTILINE)
    if match is None:
        raise DrillError("the dump's table of contents names no database")
    return match.group(1).strip()


def source_dbname(source_url: str) -> str:
    return str(conninfo_to_dict(source_url).get("dbname") or "postgres")


def _psql_file(target: ScratchCluster, path: Path) -> str:
    """Run a SQL file with psql (continuing past errors); return its stderr."""
    result = subprocess.run(  # noqa: S603 (our own binary, arguments we built)
        [
            str(pg_bin() / "psql"),
            "--no-psqlrc",
            "--quiet",
            "--file",
            str(path),
            "--dbname",
            target.conninfo("postgres"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stderr
