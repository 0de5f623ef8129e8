"""The deployment's configuration agrees with the application it deploys: the Dagster run queue
in production is the repository's, the edge's rate limits are the app's, the secrets Terraform
creates are the ones the app reads."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from draxis.secrets import SECRET_SETTINGS, secret_name
from draxis.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def _hcl_default(path: Path, variable: str) -> str:
    match = re.search(
        rf'variable "{variable}" {{.*?default\s*=\s*"?([^"\n]+)"?\n', path.read_text(), re.DOTALL
    )
    assert match, f"{path.name}: variable {variable} has no default"
    return match.group(1).strip()


def test_production_run_queue_is_the_repositorys() -> None:
    local = _yaml(ROOT / "dagster.yaml")["run_coordinator"]["config"]
    values = _yaml(INFRA / "dagster" / "values.yaml")["dagsterDaemon"]["runCoordinator"]
    queued = values["config"]["queuedRunCoordinator"]
    instance = _yaml(INFRA / "dagster" / "instance.yaml")["run_coordinator"]["config"]
    assert queued["tagConcurrencyLimits"] == local["tag_concurrency_limits"]
    assert queued["maxConcurrentRuns"] == local["max_concurrent_runs"]
    assert instance == local


def test_production_run_monitoring_matches_the_repositorys() -> None:
    local = _yaml(ROOT / "dagster.yaml")["run_monitoring"]
    monitoring = _yaml(INFRA / "dagster" / "values.yaml")["dagsterDaemon"]["runMonitoring"]
    assert monitoring["enabled"] is True
    assert monitoring["startTimeoutSeconds"] == local["start_timeout_seconds"]
    assert monitoring["maxRuntimeSeconds"] == local["max_runtime_seconds"]
    assert _yaml(INFRA / "dagster" / "instance.yaml")["run_monitoring"] == local


def test_production_dagster_storage_uses_psycopg2_and_k8s_runs() -> None:
    values = _yaml(INFRA / "dagster" / "values.yaml")
    assert values["postgresql"]["postgresqlScheme"] == "postgresql+psycopg2"
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert values["computeLogManager"]["type"] == "GCSComputeLogManager"
    instance = _yaml(INFRA / "dagster" / "instance.yaml")
    assert instance["storage"]["postgres"]["postgres_db"]["scheme"] == "postgresql+psycopg2"


def test_edge_rate_limits_are_the_apps() -> None:
    edge = INFRA / "terraform" / "modules" / "edge" / "variables.tf"
    fields = Settings.model_fields
    assert int(_hcl_default(edge, "login_rate_limit")) == fields["login_rate_limit"].default
    assert int(_hcl_default(edge, "auth_rate_limit")) == fields["auth_rate_limit"].default
    window = int(_hcl_default(edge, "rate_limit_window_seconds"))
    assert window == fields["rate_limit_window_seconds"].default


def test_terraform_creates_the_secrets_the_app_reads() -> None:
    module = (INFRA / "terraform" / "modules" / "secrets" / "main.tf").read_text()
    block = module[module.index("secrets = toset([") : module.index("])")]
    created = {"draxis-" + name for name in re.findall(r'"([a-z0-9-]+)"', block)}
    expected = {secret_name(setting) for setting in SECRET_SETTINGS} | {"draxis-db-admin-password"}
    assert created == expected
