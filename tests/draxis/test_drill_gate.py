"""The deploy gate: a production deploy needs a passed restore drill from the last 90 days."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from draxis.drill.gate import drill_verdict
from draxis.drill.report import DrillReport, Stage

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def _record(*, passed: bool, days_ago: float) -> str:
    report = DrillReport(source="draxis on 10.0.0.3:5432")
    stage = Stage(name="cloud-sql-clone", how="clone", restore_seconds=600.0, tables=44, rows=9)
    if not passed:
        stage.problems.append("cloud-sql-clone: tenant.kri has 3 rows, the source had 4")
    report.stages.append(stage)
    report.finished_at = (NOW - timedelta(days=days_ago)).isoformat(timespec="seconds")
    return report.record()


def test_a_recent_passed_drill_allows_the_deploy() -> None:
    allowed, reason = drill_verdict(_record(passed=True, days_ago=30), NOW)
    assert allowed
    assert reason.startswith("restore drill passed 30 days ago")


def test_a_drill_older_than_90_days_blocks_the_deploy() -> None:
    assert drill_verdict(_record(passed=True, days_ago=89.9), NOW)[0]
    allowed, reason = drill_verdict(_record(passed=True, days_ago=91), NOW)
    assert not allowed
    assert "91 days old" in reason


def test_a_failed_drill_blocks_the_deploy_and_says_why() -> None:
    allowed, reason = drill_verdict(_record(passed=False, days_ago=1), NOW)
    assert not allowed
    assert reason.endswith("failed: cloud-sql-clone: tenant.kri has 3 rows, the source had 4")


@pytest.mark.parametrize(
    ("record", "why"),
    [
        (None, "no restore drill record"),
        ("", "no restore drill record"),
        ("{not json", "is not JSON"),
        ("[]", "not a JSON object"),
        (json.dumps({"passed": True}), "has no finished_at"),
        (json.dumps({"passed": True, "finished_at": "yesterday"}), "is not ISO 8601"),
        (json.dumps({"passed": True, "finished_at": "2026-12-01T00:00:00"}), "no time zone"),
        (json.dumps({"passed": True, "finished_at": "2027-01-01T00:00:00+00:00"}), "future"),
        (json.dumps({"passed": "yes", "finished_at": "2026-12-01T00:00:00+00:00"}), "failed"),
    ],
)
def test_a_missing_or_unreadable_record_blocks_the_deploy(record: str | None, why: str) -> None:
    allowed, reason = drill_verdict(record, NOW)
    assert not allowed
    assert why in reason


def test_the_gate_runs_without_the_project_installed(tmp_path: Path) -> None:
    """deploy.yml runs it with the runner's python3 and the checkout only (-S: no site-packages)."""
    record = tmp_path / "drill.json"
    record.write_text(_record(passed=True, days_ago=0))
    done = subprocess.run(
        [sys.executable, "-S", "-E", "-m", "draxis.drill.gate", str(tmp_path / "missing.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout.startswith("deploy BLOCKED: no restore drill record")
    workflow = (ROOT / ".github" / "workflows" / "deploy.yml").read_text()
    assert "python3 -m draxis.drill.gate" in workflow
    gate = workflow.index("python3 -m draxis.drill.gate")
    assert gate < workflow.index("name: Build and push by digest")


def test_the_production_drill_process_needs_only_the_database_url() -> None:
    """The drill job (infra/terraform/modules/drill) holds no signing key, data key or role
    password: only the admin's URL (its password comes as PGPASSWORD)."""
    from pydantic import ValidationError

    from draxis.settings import Settings

    drill = Settings(environment="production", process="drill", DATABASE_URL="postgresql://a@b/c")
    assert (drill.jwt_private_key, drill.data_key, drill.app_db_password) == (None, None, None)
    with pytest.raises(ValidationError, match=r"production \(drill\) refuses.*DATABASE_URL"):
        Settings(environment="production", process="drill", DATABASE_URL=None)
    job = (ROOT / "infra" / "terraform" / "modules" / "drill" / "main.tf").read_text()
    assert 'name  = "DRAXIS_PROCESS"\n          value = "drill"' in job
