"""Microsoft Defender for Endpoint: sensor health, exposure, open alerts and exploitable CVEs.

Auth: OAuth 2 client credentials with the Microsoft identity platform (an Entra app
registration): ``POST https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`` with
``scope=https://api.securitycenter.microsoft.com/.default``; the API calls carry
``Authorization: Bearer <token>``. Application permissions (WindowsDefenderATP API):
Machine.Read.All, Alert.Read.All, Score.Read.All, Vulnerability.Read.All; a KRI whose permission
is missing (403) is left out with a warning.

Base URL: ``https://api.securitycenter.microsoft.com`` unless the source overrides it (e.g.
``https://api.security.microsoft.com`` or a regional ``https://eu.api.security.microsoft.com``).

Endpoints (Microsoft Learn, "Microsoft Defender for Endpoint API" reference,
learn.microsoft.com/defender-endpoint/api/...). Every list is paged explicitly with ``$top`` and
``$skip`` (both documented on each page) until a page comes back short, never by
``@odata.nextLink`` alone: pages are capped (10,000 machines or alerts, 8,000 vulnerabilities)
and a missing link would silently truncate the tenant.

- ``GET /api/machines`` ("List machines API"): ``$top`` ≤ 10,000, ``$skip``; ``$filter`` on
  ``onboardingStatus eq 'Onboarded'`` (a documented filter field) so only onboarded machines
  cross the network. Fields read: ``id``, ``healthStatus`` (Active, Inactive,
  ImpairedCommunication, NoSensorData, ...), ``onboardingStatus`` (absent from Microsoft's own
  response example, so read when present and compared case-insensitively; a machine the
  server's filter returned without it is onboarded), ``exposureLevel`` (None, Low, Medium,
  High; optional). "If no machines found: 404 Not Found" — an empty tenant, read as no machines.
- ``GET /api/exposureScore`` ("Get exposure score"): ``score`` (0-100, lower is better); a 404
  (no score computed yet) leaves the KRI out with a warning.
- ``GET /api/alerts`` ("List alerts API"): ``$top`` ≤ 10,000, ``$skip``, ``$filter=severity eq
  'High' and status ne 'Resolved'`` (severity and status are documented filter fields), so
  resolved alerts are not fetched; ``status`` (Unknown, New, InProgress, Resolved) is checked
  again case-insensitively when read. A 404 is no alerts.
- ``GET /api/vulnerabilities`` ("List vulnerabilities"): ``$top`` ≤ 8,000, ``$skip``,
  ``$filter=severity eq 'Critical'``; one record per CVE with ``exposedMachines``,
  ``publicExploit``, ``exploitVerified``, ``exploitInKit`` (flags optional). A 404 is none.

Rate limits: 100 calls a minute and 1500 an hour per API (documented on each page); a 429
carries ``Retry-After``, which the HTTP kit honours. A 50,000-machine tenant takes five machine
pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
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
from connectors.errors import ConnectorError, UpstreamFailed
from connectors.fields import Observation, pct, require_config, require_secret
from connectors.http import VendorHttp
from connectors.kri_groups import KriGroups

VENDOR = "defender-for-endpoint"
DEFAULT_API = "https://api.securitycenter.microsoft.com"
TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"  # noqa: S105
SCOPE = "https://api.securitycenter.microsoft.com/.default"
MACHINE_PAGE = 10_000  # List machines: $top maximum
ALERT_PAGE = 10_000  # List alerts: $top maximum
VULN_PAGE = 8_000  # List vulnerabilities: $top maximum
ONBOARDED_FILTER = "onboardingStatus eq 'Onboarded'"
OPEN_HIGH_ALERTS_FILTER = "severity eq 'High' and status ne 'Resolved'"
CRITICAL_VULNS_FILTER = "severity eq 'Critical'"
TENANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,252}")

KRIS: tuple[KriSpec, ...] = (
    KriSpec(
        "unhealthy_sensors_pct",
        "Defender sensors inactive or unhealthy",
        "%",
        "higher_is_worse",
        5,
        10,
        "Onboarded machines whose healthStatus is not 'Active' (Inactive, ImpairedCommunication, "
        "NoSensorData, ...), as a share of onboarded machines (onboardingStatus 'Onboarded', "
        "compared case-insensitively).",
    ),
    KriSpec(
        "high_exposure_machines_pct",
        "Machines at high exposure level",
        "%",
        "higher_is_worse",
        5,
        15,
        "Onboarded machines whose exposureLevel is 'High', as a share of onboarded machines.",
    ),
    KriSpec(
        "exposure_score",
        "Defender exposure score",
        "score",
        "higher_is_worse",
        30,
        70,
        "The organisation's exposure score (0-100) from GET /api/exposureScore.",
    ),
    KriSpec(
        "open_high_severity_alerts",
        "Open high-severity Defender alerts",
        "count",
        "higher_is_worse",
        3,
        10,
        "Alerts with severity 'High' whose status is not 'Resolved'.",
    ),
    KriSpec(
        "critical_vulns_with_exploit",
        "Critical CVEs with a known exploit",
        "count",
        "higher_is_worse",
        1,
        5,
        "Distinct CVEs of severity 'Critical' exposed on at least one machine "
        "(exposedMachines > 0) with a public, verified or exploit-kit exploit.",
    ),
)


# --- formulas (pure) ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Machine:
    health: str
    onboarding: str
    exposure: str


@dataclass(frozen=True, slots=True)
class Vulnerability:
    exposed_machines: int
    exploitable: bool


def _onboarded(machines: Sequence[Machine]) -> list[Machine]:
    return [m for m in machines if m.onboarding == "onboarded"]


def unhealthy_sensors(machines: Sequence[Machine]) -> tuple[int, int]:
    onboarded = _onboarded(machines)
    return sum(1 for m in onboarded if m.health != "active"), len(onboarded)


def high_exposure(machines: Sequence[Machine]) -> tuple[int, int]:
    onboarded = _onboarded(machines)
    return sum(1 for m in onboarded if m.exposure == "high"), len(onboarded)


def open_alerts(statuses: Sequence[str]) -> int:
    return sum(1 for s in statuses if s.lower() != "resolved")


def exploitable_vulns(vulns: Sequence[Vulnerability]) -> int:
    return sum(1 for v in vulns if v.exposed_machines > 0 and v.exploitable)


def _machine(raw: Any) -> Machine:
    dig(raw, "id", vendor=VENDOR, expect=str)
    onboarding = dig_optional(raw, "onboardingStatus", vendor=VENDOR, expect=str)
    return Machine(
        health=str(dig(raw, "healthStatus", vendor=VENDOR, expect=str)).lower(),
        # The query asked for onboarded machines only; one returned without the field is one.
        onboarding=(onboarding or "Onboarded").lower(),
        exposure=(dig_optional(raw, "exposureLevel", vendor=VENDOR, expect=str) or "None").lower(),
    )


def odata_pages(
    http: VendorHttp, path: str, *, top: int, params: Mapping[str, str]
) -> Iterator[Any]:
    """Every item of an MDE list, paged with ``$top``/``$skip`` until a short page (the
    documented paging; ``@odata.nextLink`` is not relied on). A 404 on the first page is the
    documented answer of a tenant with nothing to list."""
    skip = 0
    for _ in range(http.max_pages):
        response = http.get(
            path, params={**params, "$top": top, "$skip": skip}, allow_status=(404,)
        )
        if response.status_code == 404:
            if skip == 0:
                return
            raise UpstreamFailed(f"{VENDOR}: GET {path} returned 404 at $skip={skip}", status=404)
        page = dig(http.json_of(response), "value", vendor=VENDOR, expect=list)
        yield from page
        if len(page) < top:
            return
        skip += len(page)
    raise UpstreamFailed(f"{VENDOR}: GET {path} still had a next page after {http.max_pages}")


def _vulnerability(raw: Any) -> Vulnerability:
    flags = (
        dig_optional(raw, name, vendor=VENDOR, expect=bool)
        for name in ("publicExploit", "exploitVerified", "exploitInKit")
    )
    return Vulnerability(
        exposed_machines=dig(raw, "exposedMachines", vendor=VENDOR, expect=int),
        exploitable=any(bool(f) for f in flags),
    )


# --- the connector ------------------------------------------------------------------------------


class DefenderForEndpointConnector:
    vendor_id = VENDOR
    source_type: SourceType = "vendor_api"
    display_name = "Microsoft Defender for Endpoint"
    auth_type: AuthType = "oauth2_client_credentials"
    base_url: str | None = DEFAULT_API
    config_fields: tuple[ConfigField, ...] = (
        ConfigField("tenant_id", "Entra tenant ID", help="Directory (tenant) ID of the app."),
        ConfigField("client_id", "Application (client) ID"),
        ConfigField(
            "client_secret",
            "Client secret",
            kind="secret",
            help="Permissions: Machine.Read.All, Alert.Read.All, Score.Read.All, "
            "Vulnerability.Read.All (WindowsDefenderATP, application).",
        ),
        ConfigField(
            "api_base_url",
            "API base URL",
            kind="url",
            required=False,
            default=DEFAULT_API,
            help="Leave empty for api.securitycenter.microsoft.com; or e.g. "
            "https://eu.api.security.microsoft.com.",
        ),
    )
    kris: tuple[KriSpec, ...] = KRIS

    @contextmanager
    def _client(self, ctx: ConnectorContext) -> Iterator[VendorHttp]:
        tenant = require_config(ctx, "tenant_id", VENDOR, "Entra tenant ID")
        if not TENANT.fullmatch(tenant):
            raise ConnectorError(f"{VENDOR}: the Entra tenant ID must be a GUID or a domain name")
        base = str(ctx.config.get("api_base_url") or DEFAULT_API).strip().rstrip("/")
        if not base.startswith("https://"):
            raise ConnectorError(f"{VENDOR}: the API base URL must start with https://")
        token_http = ctx.http_env.client(vendor=VENDOR)
        credentials = OAuth2ClientCredentials(
            token_http,
            TOKEN_URL.format(tenant=tenant),
            require_config(ctx, "client_id", VENDOR, "application (client) ID"),
            require_secret(ctx, "client_secret", VENDOR, "client secret"),
            scope=SCOPE,
        )
        auth = RefreshingBearer(credentials)
        with token_http, ctx.http_env.client(vendor=VENDOR, base_url=base, auth=auth) as http:
            credentials.token()  # bad client credentials fail here, once, not once per KRI
            yield http

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        try:
            with self._client(ctx) as http:
                body = http.get_json("/api/machines", params={"$top": 1})
                dig(body, "value", vendor=VENDOR, expect=list)
        except ConnectorError as exc:
            return ProbeResult(False, str(exc))
        return ProbeResult(True, f"{VENDOR}: connected; machines are readable")

    def run(self, ctx: ConnectorContext) -> RunResult:
        now = ctx.clock()
        rows: list[Observation] = []
        groups = KriGroups(VENDOR)
        with self._client(ctx) as http:
            groups.attempt_rows(
                ("unhealthy_sensors_pct", "high_exposure_machines_pct"),
                lambda: self._machines(http, now, groups.warnings),
                into=rows,
            )
            groups.attempt_rows(
                ("exposure_score",), lambda: self._score(http, now, groups.warnings), into=rows
            )
            groups.attempt_rows(
                ("open_high_severity_alerts",), lambda: self._alerts(http, now), into=rows
            )
            groups.attempt_rows(
                ("critical_vulns_with_exploit",), lambda: self._vulns(http, now), into=rows
            )
        return groups.result(rows)

    def _machines(
        self, http: VendorHttp, now: datetime, warnings: list[str]
    ) -> tuple[list[Observation], int]:
        machines = [
            _machine(r)
            for r in odata_pages(
                http, "/api/machines", top=MACHINE_PAGE, params={"$filter": ONBOARDED_FILTER}
            )
        ]
        out: list[Observation] = []
        for slug, (part, whole) in (
            ("unhealthy_sensors_pct", unhealthy_sensors(machines)),
            ("high_exposure_machines_pct", high_exposure(machines)),
        ):
            value = pct(part, whole)
            if value is None:
                warnings.append(f"{VENDOR}: no onboarded machines, {slug} not computed")
                continue
            out.append((slug, value, now, {"numerator": part, "denominator": whole}))
        return out, len(machines)

    def _score(
        self, http: VendorHttp, now: datetime, warnings: list[str]
    ) -> tuple[list[Observation], int]:
        response = http.get("/api/exposureScore", allow_status=(404,))
        if response.status_code == 404:
            warnings.append(f"{VENDOR}: no exposure score yet (404), exposure_score not computed")
            return [], 0
        score = float(dig(http.json_of(response), "score", vendor=VENDOR, expect=float))
        return [("exposure_score", round(score, 2), now, {"score": score})], 1

    def _alerts(self, http: VendorHttp, now: datetime) -> tuple[list[Observation], int]:
        statuses = [
            str(dig(r, "status", vendor=VENDOR, expect=str))
            for r in odata_pages(
                http, "/api/alerts", top=ALERT_PAGE, params={"$filter": OPEN_HIGH_ALERTS_FILTER}
            )
        ]
        count = open_alerts(statuses)
        detail = {"filter": OPEN_HIGH_ALERTS_FILTER, "fetched": len(statuses)}
        return [("open_high_severity_alerts", float(count), now, detail)], len(statuses)

    def _vulns(self, http: VendorHttp, now: datetime) -> tuple[list[Observation], int]:
        vulns = [
            _vulnerability(r)
            for r in odata_pages(
                http,
                "/api/vulnerabilities",
                top=VULN_PAGE,
                params={"$filter": CRITICAL_VULNS_FILTER},
            )
        ]
        count = exploitable_vulns(vulns)
        detail = {"critical_cves": len(vulns), "exposed_with_exploit": count}
        return [("critical_vulns_with_exploit", float(count), now, detail)], len(vulns)


CONNECTOR = DefenderForEndpointConnector()
