"""CrowdStrike Falcon: sensor coverage, open alerts and Spotlight vulnerabilities.

Auth: OAuth 2 client credentials. ``POST {cloud}/oauth2/token`` with ``client_id`` and
``client_secret`` in the form body (tokens live 30 minutes); every API call then carries
``Authorization: Bearer <token>``. The API client needs the scopes Hosts: Read, Alerts: Read and
Vulnerabilities (Spotlight): Read; a KRI whose scope is missing (403) is left out with a warning.

Base URL: the tenant's Falcon cloud, a choice of ``api.crowdstrike.com`` (US-1),
``api.us-2.crowdstrike.com``, ``api.eu-1.crowdstrike.com``, ``api.laggar.gcw.crowdstrike.com``
(US-GOV-1) and ``api.us-gov-2.crowdstrike.mil`` (US-GOV-2) — FalconPy's ``BaseURL`` enum and
CrowdStrike's "Falcon cloud regions" table.

Endpoints (CrowdStrike API reference, developer.crowdstrike.com/api-reference, service
collections "Hosts", "Alerts", "Spotlight Vulnerabilities"; FalconPy docs falconpy.io,
Service-Collections/Hosts.html, Alerts.html, Spotlight-Vulnerabilities.html). Falcon refuses any
offset query whose ``offset + limit`` passes 10,000 with a 400, so nothing here pages by offset:

- ``GET /devices/queries/devices-scroll/v1`` (QueryDevicesByFilterScroll): device ids, paged by
  the opaque ``offset`` token of ``meta.pagination.offset`` (no 10,000 cap), ``limit`` ≤ 5000,
  the total in ``meta.pagination.total``; we stop when that many ids came or a page is empty.
- ``POST /devices/entities/devices/v2`` (PostDeviceDetailsV2): ``{"ids": [...]}``, at most 5000
  ids a request; fields read: ``device_id``, ``last_seen``, ``reduced_functionality_mode``
  (``"yes"``/``"no"``/``"Unknown"``), ``device_policies.prevention.applied``.
- ``POST /alerts/combined/alerts/v1`` (PostCombinedAlertsV1): full alert records matching an
  FQL ``filter`` (here ``status:!'closed'``), body ``{filter, limit, sort, after}``, ``limit``
  ≤ 1000, the next page asked with ``after`` = ``meta.pagination.after`` until it is empty.
  Fields read: ``composite_id``, ``status``, ``severity_name`` (Informational, Low, Medium,
  High, Critical: the console's bands, so no numeric cut-off is assumed), ``created_timestamp``.
- ``GET /spotlight/combined/vulnerabilities/v1`` (combinedQueryVulnerabilities): vulnerability
  records (one per host and CVE) matching an FQL ``filter``, with ``facet=cve``; cursor paging:
  the next page is asked with ``after`` = ``meta.pagination.after`` until it is empty; ``limit``
  ≤ 5000. Suppressed records (``suppression_info.is_suppressed``, set by a suppression rule in
  Spotlight) are left out in the filter and again when read. Fields read: ``id``, ``status``,
  ``created_timestamp``, ``cve.severity``, ``suppression_info.is_suppressed``.

Rate limits: per CID and API client (6000 requests a minute by default). Every answer carries
``X-RateLimit-Limit`` and ``X-RateLimit-Remaining``; a 429 carries ``X-RateLimit-RetryAfter`` — an
epoch time in seconds, not the RFC ``Retry-After`` delta; the client names that header
(`reset_headers`), so the HTTP kit waits until then.

"Mean time to triage" is not computable from the public API (alerts carry no time of their
first status change), so the connector reports the mean age of the triage backlog instead:
open alerts still in status ``new``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from connectors.auth import OAuth2ClientCredentials, RefreshingBearer
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
from connectors.fields import (
    Observation,
    parse_time,
    pct,
    require_config,
    require_secret,
)
from connectors.http import VendorHttp
from connectors.kri_groups import KriGroups

VENDOR = "crowdstrike-falcon"
CLOUDS = (
    "api.crowdstrike.com",
    "api.us-2.crowdstrike.com",
    "api.eu-1.crowdstrike.com",
    "api.laggar.gcw.crowdstrike.com",
    "api.us-gov-2.crowdstrike.mil",
)
HOST_PAGE = 5000  # QueryDevicesByFilterScroll limit maximum
HOST_BATCH = 5000  # PostDeviceDetailsV2 ids per request
ALERT_PAGE = 1000  # PostCombinedAlertsV1 limit maximum
VULN_PAGE = 5000
STALE_AFTER = timedelta(days=7)
VULN_AGE = timedelta(days=30)
OPEN_ALERT_FILTER = "status:!'closed'"
ALERT_SORT = "created_timestamp|asc"
HIGH_BANDS = frozenset({"high", "critical"})  # severity_name, compared case-insensitively

KRIS: tuple[KriSpec, ...] = (
    KriSpec(
        "sensors_not_seen_7d_pct",
        "Falcon sensors not seen in 7 days",
        "%",
        "higher_is_worse",
        5,
        10,
        "Hosts whose last_seen is more than 7 days before the run, as a share of all hosts "
        "the Hosts API lists.",
    ),
    KriSpec(
        "sensors_reduced_functionality_pct",
        "Falcon sensors in reduced functionality mode",
        "%",
        "higher_is_worse",
        1,
        5,
        "Hosts whose reduced_functionality_mode is 'yes', as a share of all hosts.",
    ),
    KriSpec(
        "hosts_without_prevention_policy_pct",
        "Hosts without an applied prevention policy",
        "%",
        "higher_is_worse",
        2,
        5,
        "Hosts with no prevention policy in device_policies or whose prevention policy is not "
        "applied (applied = false), as a share of all hosts.",
    ),
    KriSpec(
        "open_critical_high_alerts",
        "Open critical/high Falcon alerts",
        "count",
        "higher_is_worse",
        5,
        20,
        "Alerts whose status is not 'closed' and whose severity_name is High or Critical (the "
        "bands the Falcon console shows).",
    ),
    KriSpec(
        "untriaged_alert_age_hours",
        "Mean age of untriaged Falcon alerts",
        "hours",
        "higher_is_worse",
        24,
        72,
        "Mean hours between created_timestamp and the run over open alerts still in status "
        "'new' (the triage backlog; the API gives no time of first triage).",
    ),
    KriSpec(
        "critical_vulns_open_gt_30d",
        "Critical Spotlight vulnerabilities open > 30 days",
        "count",
        "higher_is_worse",
        5,
        15,
        "Spotlight vulnerability records (one per host and CVE) with status open or reopen, "
        "CVE severity CRITICAL and created_timestamp more than 30 days before the run; "
        "records a Spotlight suppression rule suppressed are not counted.",
    ),
)


# --- formulas (pure) ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Host:
    last_seen: datetime | None
    reduced_functionality: bool
    prevention_applied: bool


@dataclass(frozen=True, slots=True)
class Alert:
    status: str
    severity: str  # severity_name, lower-cased
    created: datetime


@dataclass(frozen=True, slots=True)
class Vuln:
    status: str
    severity: str
    created: datetime
    suppressed: bool = False


def stale_sensors(hosts: Sequence[Host], now: datetime) -> tuple[int, int]:
    """(hosts not seen for more than 7 days — never seen counts as stale, all hosts)."""
    cutoff = now - STALE_AFTER
    stale = sum(1 for h in hosts if h.last_seen is None or h.last_seen < cutoff)
    return stale, len(hosts)


def reduced_functionality(hosts: Sequence[Host]) -> tuple[int, int]:
    return sum(1 for h in hosts if h.reduced_functionality), len(hosts)


def without_prevention(hosts: Sequence[Host]) -> tuple[int, int]:
    return sum(1 for h in hosts if not h.prevention_applied), len(hosts)


def open_high_alerts(alerts: Sequence[Alert]) -> int:
    return sum(1 for a in alerts if a.status != "closed" and a.severity in HIGH_BANDS)


def untriaged_age_hours(alerts: Sequence[Alert], now: datetime) -> tuple[float | None, int]:
    """(mean age in hours of alerts in status 'new', how many); None when there are none."""
    ages = [(now - a.created).total_seconds() / 3600 for a in alerts if a.status == "new"]
    if not ages:
        return None, 0
    return round(sum(ages) / len(ages), 2), len(ages)


def old_critical_vulns(vulns: Sequence[Vuln], now: datetime) -> int:
    cutoff = now - VULN_AGE
    return sum(
        1
        for v in vulns
        if v.status in ("open", "reopen")
        and v.severity == "CRITICAL"
        and v.created < cutoff
        and not v.suppressed
    )


# --- parsing ------------------------------------------------------------------------------------


def _host(raw: Any) -> Host:
    seen = dig_optional(raw, "last_seen", vendor=VENDOR, expect=str)
    rfm = dig_optional(raw, "reduced_functionality_mode", vendor=VENDOR, expect=str)
    applied = dig_optional(raw, "device_policies.prevention.applied", vendor=VENDOR, expect=bool)
    dig(raw, "device_id", vendor=VENDOR, expect=str)
    return Host(
        last_seen=parse_time(seen, "last_seen", vendor=VENDOR) if seen else None,
        reduced_functionality=(rfm or "").lower() == "yes",
        prevention_applied=bool(applied),
    )


def _alert(raw: Any) -> Alert:
    created = dig(raw, "created_timestamp", vendor=VENDOR, expect=str)
    return Alert(
        status=dig(raw, "status", vendor=VENDOR, expect=str),
        severity=str(dig(raw, "severity_name", vendor=VENDOR, expect=str)).lower(),
        created=parse_time(created, "created_timestamp", vendor=VENDOR),
    )


def _vuln(raw: Any) -> Vuln:
    created = dig(raw, "created_timestamp", vendor=VENDOR, expect=str)
    return Vuln(
        status=dig(raw, "status", vendor=VENDOR, expect=str),
        severity=str(dig(raw, "cve.severity", vendor=VENDOR, expect=str)).upper(),
        created=parse_time(created, "created_timestamp", vendor=VENDOR),
        suppressed=bool(
            dig_optional(raw, "suppression_info.is_suppressed", vendor=VENDOR, expect=bool)
        ),
    )


def _batches(ids: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _fql_time(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the connector ------------------------------------------------------------------------------


class CrowdStrikeFalconConnector:
    vendor_id = VENDOR
    source_type: SourceType = "vendor_api"
    display_name = "CrowdStrike Falcon"
    auth_type: AuthType = "oauth2_client_credentials"
    base_url: str | None = None
    config_fields: tuple[ConfigField, ...] = (
        ConfigField(
            "cloud",
            "Falcon cloud",
            kind="choice",
            choices=CLOUDS,
            default=CLOUDS[0],
            help="The API host of your Falcon cloud (US-1, US-2, EU-1, US-GOV-1, US-GOV-2).",
        ),
        ConfigField(
            "client_id",
            "API client ID",
            help="Falcon console > Support and resources > API clients and keys.",
        ),
        ConfigField(
            "client_secret",
            "API client secret",
            kind="secret",
            help="Scopes: Hosts: Read, Alerts: Read, Vulnerabilities: Read.",
        ),
    )
    kris: tuple[KriSpec, ...] = KRIS

    @contextmanager
    def _client(self, ctx: ConnectorContext) -> Iterator[VendorHttp]:
        cloud = require_config(ctx, "cloud", VENDOR, "Falcon cloud")
        if cloud not in CLOUDS:
            raise ConnectorError(f"{VENDOR}: unknown Falcon cloud {cloud!r}")
        base = f"https://{cloud}"
        token_http = ctx.http_env.client(vendor=VENDOR, base_url=base)
        credentials = OAuth2ClientCredentials(
            token_http,
            "/oauth2/token",
            require_config(ctx, "client_id", VENDOR, "API client ID"),
            require_secret(ctx, "client_secret", VENDOR, "API client secret"),
        )
        http = ctx.http_env.client(
            vendor=VENDOR,
            base_url=base,
            auth=RefreshingBearer(credentials),
            reset_headers=("X-RateLimit-RetryAfter",),
        )
        with token_http, http:
            credentials.token()  # bad client credentials fail here, once, not once per KRI
            yield http

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        try:
            with self._client(ctx) as http:
                body = http.get_json("/devices/queries/devices-scroll/v1", params={"limit": 1})
                total = dig(body, "meta.pagination.total", vendor=VENDOR, expect=int)
        except ConnectorError as exc:
            return ProbeResult(False, str(exc))
        return ProbeResult(True, f"{VENDOR}: connected; {total} hosts visible")

    def run(self, ctx: ConnectorContext) -> RunResult:
        now = ctx.clock()
        rows: list[Observation] = []
        groups = KriGroups(VENDOR)
        warnings = groups.warnings
        with self._client(ctx) as http:
            groups.attempt_rows(
                (
                    "sensors_not_seen_7d_pct",
                    "sensors_reduced_functionality_pct",
                    "hosts_without_prevention_policy_pct",
                ),
                lambda: self._hosts(http, now, warnings),
                into=rows,
            )
            groups.attempt_rows(
                ("open_critical_high_alerts", "untriaged_alert_age_hours"),
                lambda: self._alerts(http, now, warnings),
                into=rows,
            )
            groups.attempt_rows(
                ("critical_vulns_open_gt_30d",), lambda: self._vulns(http, now), into=rows
            )
        return groups.result(rows)

    # -- fetching

    def _hosts(
        self, http: VendorHttp, now: datetime, warnings: list[str]
    ) -> tuple[list[Observation], int]:
        ids = [
            str(i)
            for i in http.paginate_cursor(
                "/devices/queries/devices-scroll/v1",
                items="resources",
                cursor="meta.pagination.offset",
                cursor_param="offset",
                total="meta.pagination.total",
                params={"limit": HOST_PAGE},
            )
        ]
        hosts: list[Host] = []
        for batch in _batches(ids, HOST_BATCH):
            body = http.post_json("/devices/entities/devices/v2", json={"ids": batch})
            hosts.extend(_host(r) for r in dig(body, "resources", vendor=VENDOR, expect=list))
        out: list[Observation] = []
        for slug, (part, whole) in (
            ("sensors_not_seen_7d_pct", stale_sensors(hosts, now)),
            ("sensors_reduced_functionality_pct", reduced_functionality(hosts)),
            ("hosts_without_prevention_policy_pct", without_prevention(hosts)),
        ):
            value = pct(part, whole)
            if value is None:
                warnings.append(f"{VENDOR}: no hosts, {slug} not computed")
                continue
            out.append((slug, value, now, {"numerator": part, "denominator": whole}))
        return out, len(hosts)

    def _alerts(
        self, http: VendorHttp, now: datetime, warnings: list[str]
    ) -> tuple[list[Observation], int]:
        alerts = [
            _alert(r)
            for r in http.paginate_cursor(
                "/alerts/combined/alerts/v1",
                items="resources",
                cursor="meta.pagination.after",
                cursor_param="after",
                method="POST",
                in_body=True,
                params={"filter": OPEN_ALERT_FILTER, "limit": ALERT_PAGE, "sort": ALERT_SORT},
            )
        ]
        out: list[Observation] = [
            (
                "open_critical_high_alerts",
                float(open_high_alerts(alerts)),
                now,
                {"open_alerts": len(alerts), "severity_names": sorted(HIGH_BANDS)},
            )
        ]
        mean_age, backlog = untriaged_age_hours(alerts, now)
        if mean_age is None:
            warnings.append(
                f"{VENDOR}: no alerts in status new, untriaged_alert_age_hours not computed"
            )
        else:
            out.append(("untriaged_alert_age_hours", mean_age, now, {"new_alerts": backlog}))
        return out, len(alerts)

    def _vulns(self, http: VendorHttp, now: datetime) -> tuple[list[Observation], int]:
        cutoff = _fql_time(now - VULN_AGE)
        fql = (
            f"status:['open','reopen']+cve.severity:'CRITICAL'+created_timestamp:<'{cutoff}'"
            "+suppression_info.is_suppressed:false"
        )
        vulns = [
            _vuln(r)
            for r in http.paginate_cursor(
                "/spotlight/combined/vulnerabilities/v1",
                items="resources",
                cursor="meta.pagination.after",
                cursor_param="after",
                params={"filter": fql, "facet": "cve", "limit": VULN_PAGE},
            )
        ]
        count = old_critical_vulns(vulns, now)
        return [
            (
                "critical_vulns_open_gt_30d",
                float(count),
                now,
                {"records": len(vulns), "created_before": cutoff},
            )
        ], len(vulns)


CONNECTOR = CrowdStrikeFalconConnector()
