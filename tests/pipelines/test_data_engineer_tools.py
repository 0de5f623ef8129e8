"""Dagster's own command-line tools, run from the repository root as a data engineer would:
with nothing in the environment but PATH, HOME and DATABASE_URL (no DAGSTER_HOME, no Draxis
variable), they find the code location, the instance's Postgres storage and the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from assets.database import DraxisDatabase
from assets.partitions import partition_key
from draxis.settings import REPO_ROOT, Settings
from pipelines.tenant_sync import sync_partitions
from tests.factories import Conn, TenantFixture

BIN = Path(sys.executable).parent


def minimal_env(settings: Settings) -> dict[str, str]:
    assert settings.database_url
    return {
        "PATH": f"{BIN}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": os.environ.get("HOME", "/root"),
        "DATABASE_URL": settings.database_url,
    }


def run_tool(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(BIN / args[0]), *args[1:]],
        cwd=REPO_ROOT,
        env=minimal_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture
def no_leftover_homes() -> Iterator[None]:
    """Dagster's temporary DAGSTER_HOME (made in the working directory) is removed on exit."""
    before = set(REPO_ROOT.glob(".tmp_dagster_home_*"))
    yield
    assert set(REPO_ROOT.glob(".tmp_dagster_home_*")) <= before


def test_definitions_validate_and_dg_from_the_repository_root(
    settings: Settings, no_leftover_homes: None
) -> None:
    validated = run_tool(settings, "dagster", "definitions", "validate")
    assert "All code locations passed validation" in validated.stdout + validated.stderr
    checked = run_tool(settings, "dg", "check", "defs")
    assert "All definitions loaded successfully" in checked.stdout + checked.stderr
    listed = json.loads(run_tool(settings, "dg", "list", "defs", "--json").stdout)
    assets = {a["asset_key"] for a in listed["assets"]}
    assert {"kri_observations", "kri_status", "risk_posture", "tenant_posture"} <= assets
    sensors = {s["name"] for s in listed["sensors"]}
    assert "tenant_partitions_sensor" in sensors
    checks = {c["key"] for c in listed["asset_checks"]}
    assert {"risk_posture:kris_linked", "risk_posture:kris_fresh"} <= checks


def test_asset_materialize_and_dg_launch_from_the_repository_root(
    settings: Settings, tenant_a: TenantFixture, observer_conn: Conn, no_leftover_homes: None
) -> None:
    """A small demo tenant's cell through `dagster asset materialize`, then its colours through
    `dg launch`; the runs land in the instance's Postgres storage (schema `dagster`)."""
    with dg.DagsterInstance.from_config(str(REPO_ROOT)) as instance:
        # What the partitions sensor (or `draxis materialize`) does before the first run.
        sync_partitions(instance, DraxisDatabase(database_url=settings.database_url))
    key = str(partition_key(tenant_a.slug, "demo"))
    run_tool(
        settings,
        "dagster",
        "asset",
        "materialize",
        "-m",
        "pipelines.definitions",
        "--select",
        "kri_observations",
        "--partition",
        key,
    )
    written = observer_conn.execute(
        "select count(*) from tenant.kri_observation where tenant_id = %s", (tenant_a.id,)
    ).fetchone()
    assert written is not None
    assert written[0] > 0
    run_tool(settings, "dg", "launch", "--assets", "kri_status", "--partition", tenant_a.slug)
    coloured = observer_conn.execute(
        "select count(*) from tenant.kri_status where tenant_id = %s", (tenant_a.id,)
    ).fetchone()
    assert coloured is not None
    assert coloured[0] == len(tenant_a.kri_slugs)
    runs = observer_conn.execute(
        "select t.value from dagster.runs r join dagster.run_tags t on t.run_id = r.run_id"
        " where r.status = 'SUCCESS' and t.key = 'dagster/partition' and t.value in (%s, %s)"
        " order by t.value",
        (key, tenant_a.slug),
    ).fetchall()
    assert sorted(r[0] for r in runs) == sorted([key, tenant_a.slug])
