"""Qualys VMDR: vulnerability age, remediation speed, hosts carrying open criticals and scan
coverage, from the VM/PC API v2 (XML).

Base URL from the source's config: Qualys runs several platforms (qualysapi.qualys.com,
qualysapi.qg2.apps.qualys.com, qualysapi.qualys.eu, ...) and each subscription lives on one.

Endpoints:

- ``GET /api/2.0/fo/asset/host/vm/detection/?action=list&severities=4-5&status=New,Active,
  Re-Opened,Fixed&show_results=0&truncation_limit=1000`` (Host List Detection): root
  ``HOST_LIST_VM_DETECTION_OUTPUT/RESPONSE/HOST_LIST/HOST`` with ``ID`` and
  ``DETECTION_LIST/DETECTION`` (``QID``, ``SEVERITY`` 1-5, ``STATUS`` New/Active/Re-Opened/
  Fixed, ``FIRST_FOUND_DATETIME``, ``LAST_FIXED_DATETIME``).
- ``GET /api/2.0/fo/asset/host/?action=list&details=Basic&truncation_limit=1000`` (Host
  List): ``HOST_LIST_OUTPUT/RESPONSE/HOST_LIST/HOST`` with ``ID`` and
  ``LAST_VULN_SCAN_DATETIME``. The probe asks it for one host.

Severity: Qualys severity 5 ("Urgent") is counted as critical and 4 ("Critical") as high, the
usual alignment with CVSS-based critical/high used by the other scanners' KRIs.

Auth: HTTP Basic (the Qualys user's login and password) plus the ``X-Requested-With`` header
Qualys requires on every API v2 call.

Pagination: when a list is truncated Qualys adds ``RESPONSE/WARNING`` (``CODE`` 1980, ``TEXT``,
``URL`` = the request for the next batch, e.g. with ``id_min=``); we follow ``URL`` until a
response has none. The URL must stay on the configured host (our credentials go with it).

Rate limits: every response carries ``X-RateLimit-Limit``, ``X-RateLimit-Window-Sec``,
``X-RateLimit-Remaining``, ``X-RateLimit-ToWait-Sec``, ``X-Concurrency-Limit-Limit`` and
``X-Concurrency-Limit-Running``. A blocked call answers **409 Conflict** (rate limit exceeded or
concurrency limit reached), not 429: we wait ``X-RateLimit-ToWait-Sec`` (or ``CONCURRENCY_WAIT``
when it is 0, i.e. the concurrency limit) through the kit's sleep, bounded by the policy's
attempts and ``max_retry_after``, then fail with `RateLimited`. Errors come as
``SIMPLE_RETURN/RESPONSE/{CODE,TEXT}``; we report them.

XML safety: defusedxml is not installed. Real Qualys responses start with ``<!DOCTYPE ...
SYSTEM "https://.../....dtd">``, so refusing every DOCTYPE would refuse every answer; we do what
defusedxml does by default instead: refuse any entity declaration (``<!ENTITY``: billion laughs,
XXE) and any DOCTYPE internal subset, then parse with ElementTree (expat never fetches the
external DTD).

Docs: Qualys "VM/PC API User Guide" (Host List Detection API, Host List API, truncation and
WARNING/URL), "API limits" / "HTTP response headers" pages (qualysguard.qg2.apps.qualys.com
qwebhelp api_doc get_started http_headers; Qualys community "API limits exposed in the HTTP
header"). The host-list-detection DTD was not in the corpus; element names follow the published
DTD as best known (they match open-source Qualys clients found in the corpus).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from connectors import vuln_rules as rules
from connectors.base import (
    AuthType,
    ConfigField,
    ConnectorContext,
    KriSpec,
    ProbeResult,
    RunResult,
    SourceType,
)
from connectors.errors import (
    ConnectorError,
    RateLimited,
    SchemaMismatch,
    UpstreamFailed,
)
from connectors.fields import (
    Observation,
    parse_time,
    pct,
    require_config,
    require_secret,
)
from connectors.http import VendorHttp
from connectors.kri_groups import KriGroups

VENDOR = "qualys-vmdr"
DETECTION_PATH = "/api/2.0/fo/asset/host/vm/detection/"
HOST_PATH = "/api/2.0/fo/asset/host/"
TRUNCATION = 1000
CONCURRENCY_WAIT = 10.0
OPEN_STATUSES = frozenset({"new", "active", "re-opened"})
CRITICAL, HIGH = 5, 4
_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)

KRIS: tuple[KriSpec, ...] = (
    KriSpec(
        "critical_vulns_open_gt_30d",
        "Critical vulnerabilities open > 30 days",
        "count",
        "higher_is_worse",
        5,
        15,
        "Count of severity-5 (Urgent) detections with STATUS New, Active or Re-Opened whose "
        "FIRST_FOUND_DATETIME is more than 30 days before the run.",
    ),
    KriSpec(
        "high_vulns_open_gt_60d",
        "High vulnerabilities open > 60 days",
        "count",
        "higher_is_worse",
        25,
        75,
        "Count of severity-4 (Critical in Qualys terms) detections with STATUS New, Active or "
        "Re-Opened whose FIRST_FOUND_DATETIME is more than 60 days before the run.",
    ),
    KriSpec(
        "mttr_critical_days",
        "Mean time to remediate criticals",
        "days",
        "higher_is_worse",
        30,
        60,
        "Mean of (LAST_FIXED_DATETIME - FIRST_FOUND_DATETIME) in days over severity-5 detections "
        "with STATUS Fixed whose LAST_FIXED_DATETIME falls in the 90 days before the run.",
    ),
    KriSpec(
        "hosts_with_open_critical_pct",
        "Hosts with an open critical vulnerability",
        "%",
        "higher_is_worse",
        10,
        25,
        "Hosts with at least one open (New, Active, Re-Opened) severity-5 detection, as a "
        "percentage of the hosts in the Host List API.",
    ),
    KriSpec(
        "scan_coverage_7d_pct",
        "Hosts scanned in the last 7 days",
        "%",
        "lower_is_worse",
        95,
        85,
        "Hosts whose LAST_VULN_SCAN_DATETIME is within 7 days of the run, as a percentage of "
        "the hosts in the Host List API.",
    ),
)
DETECTION_KRIS = ("critical_vulns_open_gt_30d", "high_vulns_open_gt_60d", "mttr_critical_days")


# --- the formulas (pure) ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Detection:
    host_id: str
    severity: int
    status: str  # lower-case
    first_found: datetime
    last_fixed: datetime | None


def open_older_than(dets: Iterable[Detection], severity: int, days: int, now: datetime) -> int:
    return rules.count_older_than(
        (d.first_found for d in dets if d.severity == severity and d.status in OPEN_STATUSES),
        days,
        now,
    )


def mean_days_to_fix(
    dets: Iterable[Detection], now: datetime, *, severity: int = CRITICAL, window_days: int = 90
) -> tuple[float | None, int]:
    return rules.mean_days_to_fix(
        (
            (d.first_found, d.last_fixed)
            for d in dets
            if d.severity == severity and d.status == "fixed" and d.last_fixed is not None
        ),
        now,
        window_days=window_days,
    )


def hosts_with_open(dets: Iterable[Detection], severity: int = CRITICAL) -> set[str]:
    return {d.host_id for d in dets if d.severity == severity and d.status in OPEN_STATUSES}


# --- XML --------------------------------------------------------------------------------------


def safe_xml(content: bytes, where: str) -> ET.Element:
    """Parse a Qualys answer, refusing entity declarations and DOCTYPE internal subsets."""
    if b"<!ENTITY" in content.upper() or _DOCTYPE_SUBSET.search(content):
        raise SchemaMismatch(
            f"{VENDOR}: {where} answered XML declaring entities; refused", field="<!ENTITY>"
        )
    try:
        return ET.fromstring(content)  # noqa: S314 - checked above
    except ET.ParseError as exc:
        raise SchemaMismatch(
            f"{VENDOR}: {where} answered malformed XML ({exc})", field="<body>"
        ) from None


def child(elem: ET.Element, path: str, name: str) -> ET.Element:
    found = elem.find(path)
    if found is None:
        raise SchemaMismatch(
            f"{VENDOR}: expected element {name!r} in the response, missing", field=name
        )
    return found


def text(elem: ET.Element, path: str, name: str) -> str:
    value = (child(elem, path, name).text or "").strip()
    if not value:
        raise SchemaMismatch(
            f"{VENDOR}: expected element {name!r} to have a value, empty", field=name
        )
    return value


def optional_text(elem: ET.Element, path: str) -> str | None:
    found = elem.find(path)
    value = (found.text or "").strip() if found is not None else ""
    return value or None


def simple_return(root: ET.Element) -> tuple[str, str]:
    return optional_text(root, "RESPONSE/CODE") or "?", optional_text(root, "RESPONSE/TEXT") or ""


def parse_detections(host: ET.Element) -> list[Detection]:
    host_id = text(host, "ID", "HOST/ID")
    name = "HOST/DETECTION_LIST/DETECTION"
    out: list[Detection] = []
    for det in host.findall("DETECTION_LIST/DETECTION"):
        severity = text(det, "SEVERITY", f"{name}/SEVERITY")
        if not severity.isdigit():
            raise SchemaMismatch(
                f"{VENDOR}: expected element '{name}/SEVERITY' to be 1-5, got {severity!r}",
                field=f"{name}/SEVERITY",
            )
        first = text(det, "FIRST_FOUND_DATETIME", f"{name}/FIRST_FOUND_DATETIME")
        fixed = optional_text(det, "LAST_FIXED_DATETIME")
        out.append(
            Detection(
                host_id=host_id,
                severity=int(severity),
                status=text(det, "STATUS", f"{name}/STATUS").lower(),
                first_found=parse_time(first, f"{name}/FIRST_FOUND_DATETIME", vendor=VENDOR),
                last_fixed=parse_time(fixed, f"{name}/LAST_FIXED_DATETIME", vendor=VENDOR)
                if fixed
                else None,
            )
        )
    return out


def parse_last_scan(host: ET.Element) -> datetime | None:
    text(host, "ID", "HOST/ID")
    scanned = optional_text(host, "LAST_VULN_SCAN_DATETIME")
    return parse_time(scanned, "HOST/LAST_VULN_SCAN_DATETIME", vendor=VENDOR) if scanned else None


# --- fetching ---------------------------------------------------------------------------------


def rate_limit_wait(response: httpx.Response) -> float:
    """Seconds to wait after a 409: X-RateLimit-ToWait-Sec, or a pause for the concurrency limit."""
    try:
        wait = float(response.headers.get("X-RateLimit-ToWait-Sec", "0"))
    except ValueError:
        wait = 0.0
    return wait if wait > 0 else CONCURRENCY_WAIT


@dataclass
class QualysApi:
    http: VendorHttp
    sleep: Callable[[float], None]

    def get_xml(self, url: str, params: dict[str, Any] | None, expect_root: str) -> ET.Element:
        attempts = self.http.policy.max_attempts
        for attempt in range(1, attempts + 1):
            response = self.http.request("GET", url, params=params, allow_status=(409,))
            where = f"GET {response.request.url.path}"
            if response.status_code != 409:
                root = safe_xml(response.content, where)
                if root.tag == "SIMPLE_RETURN":
                    code, message = simple_return(root)
                    raise UpstreamFailed(
                        f"{VENDOR}: {where} answered error {code}: {message[:200]}"
                    )
                if root.tag != expect_root:
                    raise SchemaMismatch(
                        f"{VENDOR}: {where} answered <{root.tag}>, expected <{expect_root}>",
                        field=expect_root,
                    )
                return root
            wait = rate_limit_wait(response)
            running = response.headers.get("X-Concurrency-Limit-Running", "?")
            limit = response.headers.get("X-Concurrency-Limit-Limit", "?")
            why = f"409: rate or concurrency limit ({running} of {limit} concurrent calls running)"
            if wait > self.http.policy.max_retry_after:
                raise RateLimited(
                    f"{VENDOR}: {where} returned {why}; Qualys asks us to wait {wait:.0f}s, more "
                    f"than the {self.http.policy.max_retry_after:.0f}s we hold a worker for",
                    retry_after=wait,
                )
            if attempt == attempts:
                raise RateLimited(
                    f"{VENDOR}: {where} returned {why} after {attempts} attempts", retry_after=wait
                )
            self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def list_hosts(self, path: str, params: dict[str, Any], root_tag: str) -> list[ET.Element]:
        """Every HOST of every batch, following RESPONSE/WARNING/URL."""
        first = current = self.http.url(path)
        query: dict[str, Any] | None = params
        hosts: list[ET.Element] = []
        seen: set[str] = set()
        for _ in range(self.http.policy.max_pages):
            root = self.get_xml(str(current), query, root_tag)
            response = child(root, "RESPONSE", f"{root_tag}/RESPONSE")
            hosts.extend(response.findall("HOST_LIST/HOST"))
            following = optional_text(response, "WARNING/URL")
            if not following:
                return hosts
            current = current.join(following)
            if current.host != first.host or current.scheme != first.scheme:
                raise UpstreamFailed(
                    f"{VENDOR}: the next-batch URL of {first.path} leaves {first.host}"
                )
            if str(current) in seen:
                raise UpstreamFailed(f"{VENDOR}: {first.path} paginates in a loop")
            seen.add(str(current))
            query = None  # the URL carries the whole query
        raise UpstreamFailed(f"{VENDOR}: {first.path} still truncated after the page budget")


class QualysVmdrConnector:
    vendor_id = VENDOR
    source_type: SourceType = "vendor_api"
    display_name = "Qualys VMDR"
    auth_type: AuthType = "basic"
    base_url: str | None = None  # per platform, from config
    config_fields: tuple[ConfigField, ...] = (
        ConfigField(
            "base_url",
            "API server URL",
            kind="url",
            help="Your Qualys platform's API server, e.g. https://qualysapi.qualys.com, "
            "https://qualysapi.qg2.apps.qualys.com or https://qualysapi.qualys.eu "
            "(Help > About in the Qualys UI).",
        ),
        ConfigField(
            "username", "Username", help="A Qualys user with API access (Reader is enough)."
        ),
        ConfigField("password", "Password", kind="secret"),
    )
    kris: tuple[KriSpec, ...] = KRIS

    def _api(self, ctx: ConnectorContext) -> QualysApi:
        base = require_config(ctx, "base_url", VENDOR, "API server URL")
        user = require_config(ctx, "username", VENDOR)
        password = require_secret(ctx, "password", VENDOR)
        http = ctx.http_env.client(
            vendor=VENDOR,
            base_url=base,
            auth=httpx.BasicAuth(user, password),
            headers={"X-Requested-With": "Draxis"},
        )
        return QualysApi(http, ctx.http_env.sleep)

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        try:
            api = self._api(ctx)
            with api.http:
                root = api.get_xml(
                    HOST_PATH, {"action": "list", "truncation_limit": 1}, "HOST_LIST_OUTPUT"
                )
                child(root, "RESPONSE", "HOST_LIST_OUTPUT/RESPONSE")
        except ConnectorError as exc:
            return ProbeResult(False, str(exc))
        return ProbeResult(True, "connected to Qualys VMDR")

    def run(self, ctx: ConnectorContext) -> RunResult:
        now = ctx.clock()
        api = self._api(ctx)
        groups = KriGroups(VENDOR)
        dets: list[Detection] | None = None
        scans: list[datetime | None] | None = None

        def fetch_detections() -> int:
            nonlocal dets
            hosts = api.list_hosts(
                DETECTION_PATH,
                {
                    "action": "list",
                    "severities": "4-5",
                    "status": "New,Active,Re-Opened,Fixed",
                    "show_results": 0,
                    "truncation_limit": TRUNCATION,
                },
                "HOST_LIST_VM_DETECTION_OUTPUT",
            )
            found = [d for h in hosts for d in parse_detections(h)]
            dets = found
            return len(found)

        def fetch_hosts() -> int:
            nonlocal scans
            host_list = api.list_hosts(
                HOST_PATH,
                {"action": "list", "details": "Basic", "truncation_limit": TRUNCATION},
                "HOST_LIST_OUTPUT",
            )
            found = [parse_last_scan(h) for h in host_list]
            scans = found
            return len(found)

        with api.http:
            groups.attempt(DETECTION_KRIS, fetch_detections)
            groups.attempt(("scan_coverage_7d_pct",), fetch_hosts)
        return groups.result(self._rows(dets, scans, now, groups.warnings))

    @staticmethod
    def _rows(
        dets: list[Detection] | None,
        scans: list[datetime | None] | None,
        now: datetime,
        warnings: list[str],
    ) -> list[Observation]:
        rows: list[Observation] = []
        if dets is not None:
            crit = open_older_than(dets, CRITICAL, 30, now)
            high = open_older_than(dets, HIGH, 60, now)
            rows.append(("critical_vulns_open_gt_30d", crit, now, {"count": crit, "age_days": 30}))
            rows.append(("high_vulns_open_gt_60d", high, now, {"count": high, "age_days": 60}))
            mttr, fixes = mean_days_to_fix(dets, now)
            if mttr is None:
                warnings.append(
                    f"{VENDOR}: no severity-5 detections fixed in the last 90 days, "
                    "mttr_critical_days not computed"
                )
            else:
                rows.append(("mttr_critical_days", mttr, now, {"fixed": fixes, "window_days": 90}))
        if scans is not None:
            scanned, total = rules.scanned_within(scans, 7, now)
            coverage = pct(scanned, total)
            if coverage is None:
                warnings.append(f"{VENDOR}: no hosts, scan_coverage_7d_pct not computed")
            else:
                detail = {"numerator": scanned, "denominator": total, "window_days": 7}
                rows.append(("scan_coverage_7d_pct", coverage, now, detail))
        if dets is None or scans is None:
            warnings.append(
                f"{VENDOR}: hosts_with_open_critical_pct not computed: detections or the host "
                "list could not be read"
            )
        else:
            exposed = len(hosts_with_open(dets))
            share = pct(exposed, len(scans))
            if share is None:
                warnings.append(f"{VENDOR}: no hosts, hosts_with_open_critical_pct not computed")
            else:
                detail = {"numerator": exposed, "denominator": len(scans)}
                rows.append(("hosts_with_open_critical_pct", share, now, detail))
        return rows


CONNECTOR = QualysVmdrConnector()
