"""Tenable Vulnerability Management (formerly Tenable.io): vulnerability age, remediation speed,
exploitable criticals and scan coverage, from the bulk export API.

Endpoints (base https://cloud.tenable.com, fixed):

- ``GET /session``: the probe (the user the API keys belong to).
- ``POST /vulns/export`` with ``{"num_assets": 500, "filters": {"severity": ["high",
  "critical"], "state": ["OPEN", "REOPENED", "FIXED"], "since": <now - 90 days, epoch s>}}``
  answers ``{"export_uuid": ...}``; ``GET /vulns/export/{uuid}/status`` answers ``{"status":
  "QUEUED"|"PROCESSING"|"FINISHED"|"CANCELLED"|"ERROR", "chunks_available": [1, 2, ...]}``;
  ``GET /vulns/export/{uuid}/chunks/{id}`` answers a JSON list of vulnerability records
  (``asset.uuid``, ``plugin.exploit_available``, ``severity``, ``state``, ``first_found``,
  ``last_fixed``). With ``since`` and ``state``, Tenable exports OPEN/REOPENED findings whose
  ``last_found`` is on/after ``since`` and FIXED findings whose ``last_fixed`` is.
- ``POST /assets/export`` with ``{"chunk_size": 1000}``, ``GET /assets/export/{uuid}/status``,
  ``GET /assets/export/{uuid}/chunks/{id}``: asset records (``id``, ``last_scan_time``,
  ``deleted_at``, ``terminated_at``).

Auth: ``X-ApiKeys: accessKey=<access key>;secretKey=<secret key>`` on every request.

Pagination: an export is split in chunks; `connectors.tenable_export` polls the status every
``POLL_SECONDS`` (through the kit's injectable sleep) until ``FINISHED``, for at most the
source's ``export_wait_minutes`` (default 60), logging progress (state, chunks ready, time
waited) to the run's log, then downloads every chunk in ``chunks_available``. A wait that runs
out fails the run but leaves the export running; the next run finds it in ``GET /{kind}/export/
status`` and resumes polling it rather than starting over. ``CANCELLED``/``ERROR`` fail the run.

Rate limits: Tenable answers 429 with ``Retry-After`` (per-user request rate, and at most two
concurrent exports of a kind per container); the kit honours it.

Docs: developer.tenable.com "Export vulnerabilities", "Refine Vulnerability Export Requests",
"Rate Limiting", "Concurrency Limiting"; docs.tenable.com "Generate the Vulnerability Export
File" / "Generate the Asset Export File" (API best practices guide) and the asset properties
reference (``last_scan_time``, ``deleted_at``, ``terminated_at``). The field names of a
vulnerability record follow the export's documented schema as published by Tenable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from connectors import vuln_rules as rules
from connectors.auth import HeaderToken
from connectors.base import (
    AuthType,
    ConfigField,
    ConnectorContext,
    KriSpec,
    ProbeResult,
    RunResult,
    SourceType,
)
from connectors.dig import dig, dig_optional
from connectors.errors import ConnectorError
from connectors.fields import Observation, parse_time, require_secret
from connectors.http import VendorHttp
from connectors.kri_groups import KriGroups
from connectors.tenable_export import DEFAULT_WAIT_MINUTES, ExportWait, run_export, wait_minutes

VENDOR = "tenable-io"
BASE_URL = "https://cloud.tenable.com"
VULN_CHUNK_SIZE = 500
ASSET_CHUNK_SIZE = 1000
OPEN_STATES = frozenset({"open", "reopened"})

KRIS: tuple[KriSpec, ...] = (
    KriSpec(
        "critical_vulns_open_gt_30d",
        "Critical vulnerabilities open > 30 days",
        "count",
        "higher_is_worse",
        5,
        15,
        "Count of vulnerability findings with severity critical and state OPEN or REOPENED whose "
        "first_found is more than 30 days before the run.",
    ),
    KriSpec(
        "high_vulns_open_gt_60d",
        "High vulnerabilities open > 60 days",
        "count",
        "higher_is_worse",
        25,
        75,
        "Count of vulnerability findings with severity high and state OPEN or REOPENED whose "
        "first_found is more than 60 days before the run.",
    ),
    KriSpec(
        "mttr_critical_days",
        "Mean time to remediate criticals",
        "days",
        "higher_is_worse",
        30,
        60,
        "Mean of (last_fixed - first_found) in days over critical findings in state FIXED whose "
        "last_fixed falls in the 90 days before the run.",
    ),
    KriSpec(
        "exploitable_critical_vulns_open",
        "Exploitable critical vulnerabilities open",
        "count",
        "higher_is_worse",
        1,
        5,
        "Count of critical findings in state OPEN or REOPENED whose plugin has "
        "exploit_available = true.",
    ),
    KriSpec(
        "scan_coverage_7d_pct",
        "Assets scanned in the last 7 days",
        "%",
        "lower_is_worse",
        95,
        85,
        "Assets (not deleted, not terminated) whose last_scan_time is within 7 days of the run, "
        "as a percentage of all such assets in the asset export.",
    ),
)
VULN_KRIS = (
    "critical_vulns_open_gt_30d",
    "high_vulns_open_gt_60d",
    "mttr_critical_days",
    "exploitable_critical_vulns_open",
)


# --- the formulas (pure) ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Vuln:
    severity: str  # lower-case: info, low, medium, high, critical
    state: str  # lower-case: open, reopened, fixed
    first_found: datetime
    last_fixed: datetime | None
    exploit_available: bool


@dataclass(frozen=True, slots=True)
class Asset:
    last_scan_time: datetime | None
    active: bool  # neither deleted nor terminated


def open_older_than(vulns: Iterable[Vuln], severity: str, days: int, now: datetime) -> int:
    return rules.count_older_than(
        (v.first_found for v in vulns if v.severity == severity and v.state in OPEN_STATES),
        days,
        now,
    )


def exploitable_open(vulns: Iterable[Vuln], severity: str = "critical") -> int:
    return sum(
        1
        for v in vulns
        if v.severity == severity and v.state in OPEN_STATES and v.exploit_available
    )


def mean_days_to_fix(
    vulns: Iterable[Vuln], now: datetime, *, severity: str = "critical", window_days: int = 90
) -> tuple[float | None, int]:
    """(mean days from first_found to last_fixed, how many) over fixes in the window."""
    return rules.mean_days_to_fix(
        (
            (v.first_found, v.last_fixed)
            for v in vulns
            if v.severity == severity and v.state == "fixed" and v.last_fixed is not None
        ),
        now,
        window_days=window_days,
    )


def scanned_within(assets: Iterable[Asset], days: int, now: datetime) -> tuple[int, int]:
    """(active assets scanned in the last `days`, active assets)."""
    return rules.scanned_within((a.last_scan_time for a in assets if a.active), days, now)


# --- parsing vendor records -------------------------------------------------------------------


def parse_vuln(record: Any) -> Vuln:
    def text(path: str) -> str:
        return str(dig(record, path, vendor=VENDOR, expect=str))

    fixed = dig_optional(record, "last_fixed", vendor=VENDOR, expect=str)
    exploit = dig_optional(record, "plugin.exploit_available", vendor=VENDOR, expect=bool)
    return Vuln(
        severity=text("severity").lower(),
        state=text("state").lower(),
        first_found=parse_time(text("first_found"), "first_found", vendor=VENDOR),
        last_fixed=parse_time(fixed, "last_fixed", vendor=VENDOR) if fixed else None,
        exploit_available=bool(exploit),
    )


def parse_asset(record: Any) -> Asset:
    dig(record, "id", vendor=VENDOR, expect=str)
    scanned = dig_optional(record, "last_scan_time", vendor=VENDOR, expect=str)
    deleted = dig_optional(record, "deleted_at", vendor=VENDOR, expect=str)
    terminated = dig_optional(record, "terminated_at", vendor=VENDOR, expect=str)
    return Asset(
        last_scan_time=parse_time(scanned, "last_scan_time", vendor=VENDOR) if scanned else None,
        active=not deleted and not terminated,
    )


# --- fetching ---------------------------------------------------------------------------------


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


class TenableIoConnector:
    vendor_id = VENDOR
    source_type: SourceType = "vendor_api"
    display_name = "Tenable Vulnerability Management"
    auth_type: AuthType = "api_key"
    base_url: str | None = BASE_URL
    config_fields: tuple[ConfigField, ...] = (
        ConfigField(
            "access_key",
            "Access key",
            kind="secret",
            help="API access key of a Tenable user allowed to export vulnerabilities and assets "
            "(Settings > My Account > API Keys).",
        ),
        ConfigField("secret_key", "Secret key", kind="secret", help="The matching secret key."),
        ConfigField(
            "export_wait_minutes",
            "Export wait (minutes)",
            kind="integer",
            required=False,
            default=str(DEFAULT_WAIT_MINUTES),
            help="How long a run waits for Tenable to prepare an export (1-360). A large "
            "tenant's export can take longer than an hour; an export still running when the "
            "wait ends is resumed by the next run.",
        ),
    )
    kris: tuple[KriSpec, ...] = KRIS

    def _http(self, ctx: ConnectorContext) -> VendorHttp:
        access = require_secret(ctx, "access_key", VENDOR, "access key")
        secret = require_secret(ctx, "secret_key", VENDOR, "secret key")
        auth = HeaderToken("X-ApiKeys", f"accessKey={access};secretKey={secret}")
        return ctx.http_env.client(
            vendor=VENDOR, base_url=BASE_URL, auth=auth, headers={"Accept": "application/json"}
        )

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        try:
            with self._http(ctx) as http:
                body = http.get_json("/session")
                user = dig_optional(body, "username", vendor=VENDOR, expect=str)
        except ConnectorError as exc:
            return ProbeResult(False, str(exc))
        return ProbeResult(
            True, f"connected to Tenable Vulnerability Management as {user or 'API user'}"
        )

    def run(self, ctx: ConnectorContext) -> RunResult:
        now = ctx.clock()
        wait = ExportWait(
            wait_minutes(ctx.config.get("export_wait_minutes")), ctx.http_env.sleep, ctx.logger
        )
        rows: list[Observation] = []
        groups = KriGroups(VENDOR)
        with self._http(ctx) as http:
            groups.attempt_rows(VULN_KRIS, lambda: self._vulns(http, now, wait, groups), rows)
            groups.attempt_rows(
                ("scan_coverage_7d_pct",), lambda: self._assets(http, now, wait, groups), rows
            )
        return groups.result(rows)

    def _vulns(
        self, http: VendorHttp, now: datetime, wait: ExportWait, groups: KriGroups
    ) -> tuple[list[Observation], int]:
        body = {
            "num_assets": VULN_CHUNK_SIZE,
            "filters": {
                "severity": ["high", "critical"],
                "state": ["OPEN", "REOPENED", "FIXED"],
                "since": _epoch(now - timedelta(days=90)),
            },
        }
        records = run_export(http, "vulns", body, wait)
        vulns = [parse_vuln(r) for r in records]
        return self._vuln_rows(vulns, now, groups.warnings), len(records)

    def _assets(
        self, http: VendorHttp, now: datetime, wait: ExportWait, groups: KriGroups
    ) -> tuple[list[Observation], int]:
        records = run_export(http, "assets", {"chunk_size": ASSET_CHUNK_SIZE}, wait)
        scanned, total = scanned_within([parse_asset(r) for r in records], 7, now)
        if total == 0:
            groups.warn(f"{VENDOR}: no active assets, scan_coverage_7d_pct not computed")
            return [], len(records)
        value = round(100.0 * scanned / total, 2)
        detail = {"numerator": scanned, "denominator": total, "window_days": 7}
        return [("scan_coverage_7d_pct", value, now, detail)], len(records)

    @staticmethod
    def _vuln_rows(vulns: list[Vuln], now: datetime, warnings: list[str]) -> list[Observation]:
        crit = open_older_than(vulns, "critical", 30, now)
        high = open_older_than(vulns, "high", 60, now)
        exploitable = exploitable_open(vulns)
        mttr, fixes = mean_days_to_fix(vulns, now)
        rows: list[Observation] = [
            ("critical_vulns_open_gt_30d", crit, now, {"count": crit, "age_days": 30}),
            ("high_vulns_open_gt_60d", high, now, {"count": high, "age_days": 60}),
            ("exploitable_critical_vulns_open", exploitable, now, {"count": exploitable}),
        ]
        if mttr is None:
            warnings.append(
                f"{VENDOR}: no critical findings fixed in the last 90 days, "
                "mttr_critical_days not computed"
            )
        else:
            rows.append(("mttr_critical_days", mttr, now, {"fixed": fixes, "window_days": 90}))
        return rows


CONNECTOR = TenableIoConnector()
