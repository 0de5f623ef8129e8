"""The restore drill: a logical and a point-in-time copy of the test database come back
identical (row counts, content fingerprints, roles, grants, policies), the later marker stays
out of the PITR copy, and any difference in a restored copy fails the drill."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest

from cli.main import main
from draxis.drill.cluster import without_password
from draxis.drill.fingerprint import TableFingerprint, compare, table_fingerprint
from draxis.drill.run import describe, run_drill
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import TenantFixture


def test_drill_restores_the_database_identically_both_ways(
    settings: Settings, tenant_a: TenantFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "drill"]) == 0
    out = capsys.readouterr().out
    assert "logical: ok - restored in" in out
    assert "pitr: ok - restored in" in out
    assert "scratch source cluster seeded from the logical copy" in out
    assert out.rstrip().endswith("drill PASSED")


def test_drill_fails_when_a_restored_copy_differs(
    settings: Settings, tenant_a: TenantFixture
) -> None:
    def tamper(stage: str, conninfo: str) -> None:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            if stage == "logical":  # a restore that lost one grant and one FORCE RLS
                conn.execute("revoke select on tenant.kri from draxis_pipeline")
                conn.execute("alter table tenant.kri_status no force row level security")
            else:  # a restore with one row's content changed
                conn.execute(
                    "update platform.tenants set name = name || ' (corrupted)' where id = %s",
                    (tenant_a.id,),
                )

    assert settings.database_url
    # pytest's tmp_path is private to root; the server's system user must traverse this one.
    scratch = Path(tempfile.mkdtemp(prefix="draxis-drill-test-"))
    scratch.chmod(0o755)
    try:
        report = run_drill(settings.database_url, before_verify=tamper, scratch_parent=scratch)
        assert list(scratch.iterdir()) == [], "scratch clusters are stopped and removed"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    assert len(report.stages) == 2, report.render()
    assert not report.passed
    logical, pitr = report.stages
    lost = [p for p in logical.problems if p.startswith("logical: tables lost ('tenant.kri'")]
    gained = [p for p in logical.problems if p.startswith("logical: tables gained ('tenant.kri'")]
    assert len(lost) == 1, logical.problems
    assert len(gained) == 1, logical.problems
    assert "draxis_pipeline=r/" in lost[0]
    assert "draxis_pipeline=r/" not in gained[0]
    assert (
        "logical: audit: table tenant.kri_status does not ENABLE and FORCE row level security"
        in logical.problems
    )
    assert [p for p in pitr.problems if "platform.tenants content differs" in p], pitr.problems
    assert report.render().endswith("drill FAILED")
    assert '"passed": false' in report.record()


def test_fingerprint_ignores_row_order_but_not_content(observer_conn: Conn) -> None:
    observer_conn.execute("create temporary table drill_a (id int, label text)")
    observer_conn.execute("create temporary table drill_b (id int, label text)")
    observer_conn.execute("insert into drill_a values (1, 'one'), (2, 'two'), (3, 'three')")
    observer_conn.execute("insert into drill_b values (3, 'three'), (1, 'one'), (2, 'two')")
    a = table_fingerprint(observer_conn, "pg_temp", "drill_a")
    b = table_fingerprint(observer_conn, "pg_temp", "drill_b")
    assert a == b
    assert a.rows == 3
    observer_conn.execute("update drill_b set label = 'TWO' where id = 2")
    changed = table_fingerprint(observer_conn, "pg_temp", "drill_b")
    assert changed.rows == 3
    assert changed.checksum != a.checksum


def test_compare_names_each_difference() -> None:
    source = {"t.a": TableFingerprint(2, "10"), "t.b": TableFingerprint(1, "5")}
    copy = {"t.a": TableFingerprint(2, "11"), "t.c": TableFingerprint(0, "0")}
    assert compare(source, copy, what="pitr") == [
        "pitr: table t.b is missing from the restored copy",
        "pitr: table t.c exists only in the restored copy",
        "pitr: t.a content differs (2 rows in both, checksum 11 where the source had 10)",
    ]
    assert compare(source, {**source, "t.b": TableFingerprint(2, "5")}, what="logical") == [
        "logical: t.b has 2 rows, the source had 1"
    ]


def test_passwords_stay_off_command_lines_and_reports() -> None:
    url = "postgresql://draxis_admin:s3cret-pass@10.0.0.3:5432/draxis?sslmode=require"
    conninfo, env = without_password(url)
    assert "s3cret-pass" not in conninfo
    assert "sslmode=require" in conninfo
    assert env == {"PGPASSWORD": "s3cret-pass"}
    assert without_password("host=/tmp/sock dbname=draxis")[1] == {}
    assert describe(url) == "draxis on 10.0.0.3:5432"
