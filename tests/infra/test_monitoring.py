"""The monitoring and restore-drill Terraform agree with the application: every alert, SLO and
chart reads a metric or log field the telemetry contract names (docs/telemetry.md), the SLOs
are the seed's, the modules' variables are all used and all passed, and the drill's schedule
always leaves a passed drill within the deploy gate's 90 days."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from cli.main import main
from draxis.drill.cloudsql import LATEST
from draxis.drill.gate import MAX_AGE

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "infra" / "terraform"
MODULES = TERRAFORM / "modules"
MONITORING = MODULES / "monitoring"
DRILL = MODULES / "drill"

# The telemetry contract of issue 16: OpenTelemetry metric => its attributes.
CONTRACT_METRICS: dict[str, set[str]] = {
    "http.server.request.duration": {
        "http.route",
        "http.request.method",
        "http.response.status_code",
        "http.status_class",
    },
    "draxis.connector.run.duration": {"vendor", "outcome"},
    "draxis.pipeline.rows_written": {"asset"},
    "draxis.pipeline.runs": {"job", "status"},
    "draxis.feed.age": {"vendor"},
    "draxis.feed.stale": {"vendor"},
    "draxis.panel.model_call.duration": {"model", "role"},
    "draxis.panel.model_call.tokens": {"model", "direction"},
    "draxis.db.pool.in_use": {"process"},
    "draxis.db.pool.size": {"process"},
    "draxis.db.pool.waiting": {"process"},
    "draxis.dagster.daemon.heartbeat_age": {"daemon_type"},
}
# The access log line's JSON fields (Cloud Logging's jsonPayload).
CONTRACT_LOG_FIELDS = {"msg", "method", "path", "route", "status", "ms", "severity"}
# Labels of metrics that are not ours: the log-based metrics' own, uptime checks', Cloud Run jobs'.
OTHER_LABELS = {"route", "check_id", "result"}


def _module_text(module: Path) -> str:
    return "\n".join(path.read_text() for path in sorted(module.glob("*.tf")))


def _label(attribute: str) -> str:
    """Cloud Monitoring label keys: the exporter turns every non-alphanumeric into `_`."""
    return re.sub(r"[^A-Za-z0-9_]", "_", attribute)


def _variables(module: Path) -> dict[str, bool]:
    """Variable name => whether it has a default."""
    text = (module / "variables.tf").read_text()
    found = {}
    for match in re.finditer(r'variable "(\w+)" \{(.*?)\n\}', text, re.DOTALL):
        found[match.group(1)] = re.search(r"^\s*default\s*=", match.group(2), re.M) is not None
    return found


def _default(module: Path, variable: str) -> str:
    text = (module / "variables.tf").read_text()
    match = re.search(rf'variable "{variable}" \{{.*?default\s*=\s*"?([^"\n]+)"?\n', text, re.S)
    assert match, f"{module.name}: variable {variable} has no default"
    return match.group(1).strip()


def test_every_metric_monitoring_reads_is_in_the_telemetry_contract() -> None:
    text = _module_text(MONITORING)
    used = set(re.findall(r"\$\{local\.m\}([a-z0-9_.]+)", text))
    assert used - CONTRACT_METRICS.keys() == set()
    assert CONTRACT_METRICS.keys() - used == set(), "every contract metric is charted or alerted"


def test_every_label_monitoring_reads_is_a_contract_attribute() -> None:
    text = _module_text(MONITORING)
    labels = set(re.findall(r"metric\.label\.([A-Za-z0-9_]+)", text))
    attributes = {_label(a) for attrs in CONTRACT_METRICS.values() for a in attrs}
    assert labels - attributes - OTHER_LABELS == set()


def test_log_based_metrics_filter_on_the_access_log_contract() -> None:
    text = _module_text(MONITORING)
    fields = set(re.findall(r"jsonPayload\.([A-Za-z_]+)", text))
    assert fields
    assert fields - CONTRACT_LOG_FIELDS == set()
    assert 'jsonPayload.msg = \\"request\\"' in text
    assert "jsonPayload.status >= 500" in text
    assert "jsonPayload.ms > ${var.latency_threshold_seconds * 1000}" in text


@pytest.mark.parametrize(
    ("alert", "metric"),
    [
        ("stale-feeds", "draxis.feed.stale"),
        ("failed-runs", "draxis.pipeline.runs"),
        ("dagster-daemon-stopped", "draxis.dagster.daemon.heartbeat_age"),
        ("pool-saturated", "draxis.db.pool.waiting"),
    ],
)
def test_each_operational_alert_watches_its_metric(alert: str, metric: str) -> None:
    text = (MONITORING / "alerts.tf").read_text()
    block = text[text.index(f"    {alert} = {{") :]
    block = block[: block.index("\n    }\n")]
    assert f"${{local.m}}{metric}" in block
    assert f'runbook   = "{alert}"' in block
    doc = (ROOT / "docs" / "operations.md").read_text()
    assert f'<a id="{alert}"></a>' in doc, f"docs/operations.md has no runbook for {alert}"


def test_every_runbook_an_alert_links_exists() -> None:
    doc = (ROOT / "docs" / "operations.md").read_text()
    text = _module_text(MONITORING)
    anchors = set(re.findall(r"docs/operations\.md#([a-z0-9-]+)", text))
    anchors |= set(re.findall(r'runbook\s*=\s*"([a-z0-9-]+)"', text))
    anchors.discard("${each.value.runbook}")
    assert anchors
    for anchor in anchors:
        assert f'<a id="{anchor}"></a>' in doc, anchor


def test_the_slos_are_the_seeds() -> None:
    assert float(_default(MONITORING, "availability_goal")) == 0.999
    assert float(_default(MONITORING, "latency_goal")) == 0.95
    assert float(_default(MONITORING, "latency_threshold_seconds")) == 0.5
    assert float(_default(MONITORING, "error_rate_goal")) == 0.99
    assert int(_default(MONITORING, "slo_rolling_days")) == 30
    main_tf = (MONITORING / "main.tf").read_text()
    # The latency SLO excludes the panel's long calls and covers /api/* only.
    assert (
        'starts_with(\\"/api/\\") AND NOT metric.label.http_route = starts_with(\\"/api/panel\\")'
        in main_tf
    )


def test_burn_rate_alerts_use_the_multi_window_pairs() -> None:
    main_tf = (MONITORING / "main.tf").read_text()
    assert 'fast = { long = "3600s", short = "300s", rate = 14.4' in main_tf
    assert 'slow = { long = "21600s", short = "1800s", rate = 6' in main_tf
    assert main_tf.count("select_slo_burn_rate(") == 2  # long and short window, AND-ed
    assert 'combiner     = "AND"' in main_tf


@pytest.mark.parametrize("module", sorted(p.name for p in MODULES.iterdir() if p.is_dir()))
def test_every_module_variable_is_used(module: str) -> None:
    path = MODULES / module
    body = "\n".join(p.read_text() for p in sorted(path.glob("*.tf")) if p.name != "variables.tf")
    unused = [name for name in _variables(path) if not re.search(rf"\bvar\.{name}\b", body)]
    assert unused == []


def _module_calls() -> list[tuple[str, str, set[str]]]:
    """(env, module source folder, arguments) of every module block in every env."""
    calls = []
    for env in sorted((TERRAFORM / "envs").iterdir()):
        for tf in sorted(env.glob("*.tf")):
            text = tf.read_text()
            for match in re.finditer(r'^module "\w+" \{\n(.*?)^\}', text, re.M | re.S):
                source = re.search(r'source\s*=\s*"\.\./\.\./modules/(\w+)"', match.group(1))
                assert source, match.group(0)[:80]
                args = set(re.findall(r"^  (\w+)\s*=", match.group(1), re.M)) - {"source"}
                calls.append((env.name, source.group(1), args))
    return calls


def test_every_module_call_passes_declared_and_required_variables() -> None:
    calls = _module_calls()
    assert {"monitoring", "drill"} <= {module for _, module, _ in calls}
    for env, module, args in calls:
        declared = _variables(MODULES / module)
        required = {name for name, has_default in declared.items() if not has_default}
        assert args - declared.keys() == set(), f"{env} passes unknown variables to {module}"
        assert required - args == set(), f"{env} omits required variables of {module}"


def _cron_runs(cron: str, years: int = 3) -> list[date]:
    _minute, _hour, day, month, weekday = cron.split()
    assert weekday == "*"
    assert day.isdigit()
    if month == "*":
        months = list(range(1, 13))
    elif month.startswith("*/"):
        months = list(range(1, 13, int(month[2:])))
    else:
        months = [int(m) for m in month.split(",")]
    return [date(2026 + y, m, int(day)) for y in range(years) for m in months]


def test_the_drill_schedule_keeps_a_pass_within_the_deploy_gates_window() -> None:
    runs = _cron_runs(_default(DRILL, "schedule"))
    longest = max(b - a for a, b in itertools.pairwise(runs))
    timeout = timedelta(seconds=int(_default(DRILL, "timeout_seconds")))
    # After a failed run there are still two weeks to fix and rerun before the last pass ages out.
    assert longest + timeout < MAX_AGE - timedelta(days=14)


def test_a_calendar_quarter_schedule_would_not_keep_the_window() -> None:
    runs = _cron_runs("0 5 1 1,4,7,10 *")
    assert max(b - a for a, b in itertools.pairwise(runs)) > MAX_AGE


def test_the_drill_job_runs_the_cli_it_names(capsys: pytest.CaptureFixture[str]) -> None:
    job = (DRILL / "main.tf").read_text()
    flags = re.findall(r'"(--[a-z-]+)"', job)
    assert flags == ["--cloud-sql-instance", "--project", "--record-bucket"]
    with pytest.raises(SystemExit):
        main(["db", "drill", "--help"])
    usage = capsys.readouterr().out
    for flag in flags:
        assert flag in usage


def test_the_deploy_gate_reads_where_the_drill_writes() -> None:
    workflow = (ROOT / ".github" / "workflows" / "deploy.yml").read_text()
    assert f'"gs://$DRILL_BUCKET/{LATEST}"' in workflow
    assert "DRILL_RECORD_BUCKET" in workflow
    outputs = (TERRAFORM / "envs" / "us-central1" / "outputs.tf").read_text()
    assert "DRILL_RECORD_BUCKET" in outputs
