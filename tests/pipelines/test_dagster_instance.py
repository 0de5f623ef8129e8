"""The Dagster instance of `dagster.yaml`: storage in our Postgres, schema `dagster`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from assets.database import DraxisDatabase
from assets.kri.asset import kri_observations
from assets.partitions import add_cells, partition_key
from draxis.dagster_env import dagster_environment
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.urls import role_conninfo
from draxis.settings import REPO_ROOT, Settings
from pipelines.run_workers import MonitoredRunLauncher
from tests.factories import TenantFixture


def test_runs_are_stored_in_the_dagster_schema(
    settings: Settings,
    tenant_a: TenantFixture,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    env = dagster_environment(settings.model_copy(update={"data_dir": tmp_path}))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with dg.DagsterInstance.from_config(str(REPO_ROOT)) as instance:
        add_cells(instance, [tenant_a.slug], ["demo"])
        result = dg.materialize(
            [kri_observations],
            partition_key=str(partition_key(tenant_a.slug, "demo")),
            instance=instance,
            resources={"database": DraxisDatabase()},
        )
        assert result.success
    with connect(role_conninfo(settings, DbRole.DAGSTER)) as conn:
        row = conn.execute(
            "select count(*) from dagster.runs where run_id = %s", (result.run_id,)
        ).fetchone()
        schemas = conn.execute(
            "select distinct table_schema from information_schema.tables where table_name = 'runs'"
        ).fetchall()
    assert row == (1,)
    assert schemas == [("dagster",)]


def test_dagster_definitions_validate(settings: Settings, tmp_path: Path) -> None:
    env = {**os.environ, **dagster_environment(settings.model_copy(update={"data_dir": tmp_path}))}
    dagster = Path(sys.executable).parent / "dagster"
    done = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_run_monitoring_checks_run_workers(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The daemon runs Dagster's run monitor, and the launcher tells it when a worker died."""
    env = dagster_environment(settings.model_copy(update={"data_dir": tmp_path}))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with dg.DagsterInstance.from_config(str(REPO_ROOT)) as instance:
        assert instance.run_monitoring_enabled
        assert "MONITORING" in instance.get_required_daemon_types()
        assert isinstance(instance.run_launcher, MonitoredRunLauncher)
        assert instance.run_launcher.supports_check_run_worker_health
        assert instance.run_monitoring_max_resume_run_attempts == 0  # it cannot resume runs
        assert instance.run_monitoring_poll_interval_seconds <= 60
        assert 0 < instance.run_monitoring_start_timeout_seconds <= 600
        assert 0 < instance.run_monitoring_cancel_timeout_seconds <= 600
        assert instance.run_monitoring_max_runtime_seconds >= 3600
