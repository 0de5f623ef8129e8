"""AWS Security Hub (CSPM): active critical findings, ageing severe findings, severe findings on
internet-facing resources, and the failed share of security-standard control checks.

Endpoints (``https://securityhub.<region>.amazonaws.com``, ``.amazonaws.com.cn`` in China; the
region comes from the source's config and must look like an AWS region):

- ``GET /accounts`` (DescribeHub): the probe; answers the hub ARN when Security Hub is enabled.
- ``POST /findings`` (GetFindings), JSON body ``{"Filters": {...}, "MaxResults": 100,
  "NextToken": ...}``; answers ``{"Findings": [AwsSecurityFinding...], "NextToken": ...}``.
  Two queries:

  1. severe open findings: ``RecordState`` = ACTIVE, ``WorkflowStatus`` = NEW or NOTIFIED,
     ``SeverityLabel`` = CRITICAL or HIGH (values of one filter field are ORed, fields ANDed);
  2. control checks: ``RecordState`` = ACTIVE, ``ComplianceStatus`` = PASSED or FAILED, and
     then, per finding, ``ProductArn`` Security Hub's own (``arn:<partition>:securityhub:<region>::
     product/aws/securityhub``: the findings of the enabled standards' controls, CIS AWS
     Foundations, AWS FSBP, ...), not ``ProductName``, which AWS renamed from "Security Hub"
     to "Security Hub CSPM" ("AwsSecurityFinding" ProductArn; "Product ARNs for Security Hub
     integrations" gives the ARN form).

  Fields read: ``Severity.Label``, ``CreatedAt``, ``FirstObservedAt``, ``Resources[].Type`` /
  ``Details``, ``Compliance.Status``, ``ProductArn``.

Auth: AWS Signature Version 4 (service ``securityhub``) by hand, `connectors.aws_sigv4`, from an
access key id and secret access key, plus a session token for temporary credentials (sent as
``X-Amz-Security-Token``). The IAM principal needs ``securityhub:GetFindings`` and
``securityhub:DescribeHub``.

Pagination: ``NextToken`` from the response is sent back in the next request's body until the
response has none.

Errors and rate limits: AWS answers JSON ``{"Code"|"__type": ..., "Message": ...}`` (and an
``x-amzn-ErrorType`` header). 401 (``InvalidAccessException``: Security Hub not enabled for the
account/region) and 403 (``AccessDeniedException``, ``UnrecognizedClientException``,
``InvalidSignatureException``, ``ExpiredTokenException``) become `AuthFailed` naming the AWS
error code; other 4xx become `UpstreamFailed`. Throttling (``TooManyRequestsException`` /
``ThrottlingException`` / ``LimitExceededException``, HTTP 429; GetFindings is limited to a
few requests per second per account) is retried by the kit with jittered exponential backoff
(AWS sends no ``Retry-After``; one is honoured if present).

Docs: AWS Security Hub API Reference, "GetFindings", "DescribeHub", "AwsSecurityFindingFilters",
"AwsSecurityFinding", "Common Errors"; IAM User Guide "Create a signed AWS API request" and the
SigV4 test suite (see `connectors.aws_sigv4`). The corpus held the GetFindings request/response
shape (SDK docs) but not the per-operation throttling table; the rate described above follows
the public Security Hub quotas page as best known.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from connectors.aws_sigv4 import SigV4Auth
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
from connectors.errors import AuthFailed, ConnectorError, UpstreamFailed
from connectors.fields import (
    Observation,
    parse_time,
    pct,
    require_config,
    require_secret,
)
from connectors.http import VendorHttp
from connectors.kri_groups import KriGroups

VENDOR = "aws-security-hub"
SERVICE = "securityhub"
PAGE_SIZE = 100
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")

KRIS: tuple[KriSpec, ...] = (
    KriSpec(
        "critical_findings_active",
        "Active critical findings",
        "count",
        "higher_is_worse",
        1,
        5,
        "Count of findings with RecordState ACTIVE, WorkflowStatus NEW or NOTIFIED and "
        "Severity.Label CRITICAL.",
    ),
    KriSpec(
        "severe_findings_open_gt_30d",
        "High/critical findings open > 30 days",
        "count",
        "higher_is_worse",
        10,
        25,
        "Count of ACTIVE, NEW or NOTIFIED findings with Severity.Label HIGH or CRITICAL whose "
        "FirstObservedAt (CreatedAt when absent) is more than 30 days before the run.",
    ),
    KriSpec(
        "severe_findings_public_resources",
        "High/critical findings on internet-facing resources",
        "count",
        "higher_is_worse",
        1,
        3,
        "Count of ACTIVE, NEW or NOTIFIED HIGH or CRITICAL findings with at least one "
        "internet-facing resource: an AwsEc2Instance with a public IPv4 address, an "
        "AwsElbLoadBalancer or AwsElbv2LoadBalancer with Scheme internet-facing, or an "
        "AwsRdsDbInstance with PubliclyAccessible true.",
    ),
    KriSpec(
        "failed_control_checks_pct",
        "Failed security control checks",
        "%",
        "higher_is_worse",
        10,
        25,
        "Active Security Hub control findings (enabled standards such as CIS AWS Foundations and "
        "AWS FSBP) with Compliance.Status FAILED, as a percentage of those with PASSED or FAILED.",
    ),
)

SEVERE_QUERY: dict[str, Any] = {
    "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
    "WorkflowStatus": [
        {"Value": "NEW", "Comparison": "EQUALS"},
        {"Value": "NOTIFIED", "Comparison": "EQUALS"},
    ],
    "SeverityLabel": [
        {"Value": "CRITICAL", "Comparison": "EQUALS"},
        {"Value": "HIGH", "Comparison": "EQUALS"},
    ],
}
CONTROL_QUERY: dict[str, Any] = {
    "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
    # Which findings are control checks is decided on each finding's ProductArn
    # (`is_security_hub_control`), not in the query: Security Hub's own ARN is
    # arn:<partition>:securityhub:<region>::product/aws/securityhub and findings aggregated from
    # linked regions keep their region, so no single EQUALS value (nor a PREFIX, which cannot
    # pin the suffix) selects them all. ProductName is not used: AWS renamed it from
    # "Security Hub" to "Security Hub CSPM" and the KRI vanished.
    "ComplianceStatus": [
        {"Value": "PASSED", "Comparison": "EQUALS"},
        {"Value": "FAILED", "Comparison": "EQUALS"},
    ],
}
SEVERE_KRIS = (
    "critical_findings_active",
    "severe_findings_open_gt_30d",
    "severe_findings_public_resources",
)


# --- the formulas (pure) ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    severity: str  # Severity.Label, upper-case
    first_observed: datetime
    public: bool  # on at least one internet-facing resource


def count_severity(findings: Iterable[Finding], label: str) -> int:
    return sum(1 for f in findings if f.severity == label)


def older_than(findings: Iterable[Finding], days: int, now: datetime) -> int:
    cutoff = now - timedelta(days=days)
    return sum(1 for f in findings if f.first_observed < cutoff)


def on_public_resources(findings: Iterable[Finding]) -> int:
    return sum(1 for f in findings if f.public)


def failed_share(statuses: Iterable[str]) -> tuple[int, int]:
    """(FAILED, PASSED + FAILED) over control findings' Compliance.Status."""
    counted = [s for s in statuses if s in {"PASSED", "FAILED"}]
    return sum(1 for s in counted if s == "FAILED"), len(counted)


SECURITY_HUB_PRODUCT = re.compile(r"arn:aws[a-z-]*:securityhub:[a-z0-9-]+::product/aws/securityhub")


def is_security_hub_control(product_arn: str) -> bool:
    """Whether a finding's ProductArn is Security Hub's own (its controls' checks), in any
    partition (aws, aws-cn, aws-us-gov) and region, and not an integrated product's."""
    return SECURITY_HUB_PRODUCT.fullmatch(product_arn) is not None


def _public_ip(value: Any) -> bool:
    try:
        return ipaddress.ip_address(str(value)).is_global
    except ValueError:
        return False


def resource_is_public(resource: Mapping[str, Any]) -> bool:
    """Internet-facing by the resource's own details (see the KRI formula for the rules)."""
    kind = dig(resource, "Type", vendor=VENDOR, expect=str)
    details = dig_optional(resource, "Details", vendor=VENDOR, expect=dict) or {}
    if kind == "AwsEc2Instance":
        addresses = dig_optional(
            details, "AwsEc2Instance.IpV4Addresses", vendor=VENDOR, expect=list
        )
        return any(_public_ip(a) for a in addresses or [])
    if kind in {"AwsElbLoadBalancer", "AwsElbv2LoadBalancer"}:
        scheme = dig_optional(details, f"{kind}.Scheme", vendor=VENDOR, expect=str)
        return bool(scheme == "internet-facing")
    if kind == "AwsRdsDbInstance":
        public = dig_optional(
            details, "AwsRdsDbInstance.PubliclyAccessible", vendor=VENDOR, expect=bool
        )
        return bool(public)
    return False


def parse_finding(record: Any) -> Finding:
    label = str(dig(record, "Severity.Label", vendor=VENDOR, expect=str)).upper()
    observed = dig_optional(record, "FirstObservedAt", vendor=VENDOR, expect=str)
    if observed:
        first = parse_time(observed, "FirstObservedAt", vendor=VENDOR)
    else:
        first = parse_time(
            dig(record, "CreatedAt", vendor=VENDOR, expect=str), "CreatedAt", vendor=VENDOR
        )
    resources = dig(record, "Resources", vendor=VENDOR, expect=list)
    public = any(resource_is_public(r) for r in resources)
    return Finding(label, first, public)


# --- fetching ---------------------------------------------------------------------------------


def endpoint(region: str) -> str:
    if not REGION.fullmatch(region):
        raise ConnectorError(f"{VENDOR}: {region!r} is not an AWS region name (e.g. eu-west-1)")
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://{SERVICE}.{region}.{suffix}"


def _aws_error(response: httpx.Response) -> tuple[str, str]:
    """(error code, message) of an AWS JSON error response."""
    code = response.headers.get("x-amzn-ErrorType", "").split(":", 1)[0]
    message = ""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        raw = body.get("__type") or body.get("Code") or body.get("code") or code
        code = str(raw).rsplit("#", 1)[-1]
        message = str(body.get("Message") or body.get("message") or "")
    return code or "UnknownError", message[:200]


def call(http: VendorHttp, method: str, path: str, body: Any = None) -> Any:
    """One AWS call: the JSON answer, or the `ConnectorError` its error code explains."""
    response = http.request(method, path, json=body, allow_status=(400, 401, 403, 404))
    if response.is_success:
        return http.json_of(response)
    status = response.status_code
    code, message = _aws_error(response)
    where = f"{method} {path}"
    detail = f": {message}" if message else ""
    if status in (401, 403):
        hint = (
            "Security Hub is not enabled for this account in this region"
            if code == "InvalidAccessException"
            else "check the access key, the secret and the IAM policy (securityhub:GetFindings)"
        )
        raise AuthFailed(
            f"{VENDOR}: AWS refused {where} ({status} {code}){detail} — {hint}", status=status
        )
    raise UpstreamFailed(f"{VENDOR}: {where} returned {status} {code}{detail}", status=status)


def get_findings(http: VendorHttp, filters: Mapping[str, Any], max_pages: int) -> list[Any]:
    """Every finding matching `filters`, following NextToken in the request body."""
    findings: list[Any] = []
    token: str | None = None
    seen: set[str] = set()
    for _ in range(max_pages):
        body: dict[str, Any] = {"Filters": filters, "MaxResults": PAGE_SIZE}
        if token:
            body["NextToken"] = token
        page = call(http, "POST", "/findings", body)
        findings.extend(dig(page, "Findings", vendor=VENDOR, expect=list))
        token = dig_optional(page, "NextToken", vendor=VENDOR, expect=str)
        if not token:
            return findings
        if token in seen:
            raise UpstreamFailed(f"{VENDOR}: POST /findings returned the same NextToken twice")
        seen.add(token)
    raise UpstreamFailed(f"{VENDOR}: POST /findings still had a next page after {max_pages} pages")


class AwsSecurityHubConnector:
    vendor_id = VENDOR
    source_type: SourceType = "vendor_api"
    display_name = "AWS Security Hub"
    auth_type: AuthType = "aws_sigv4"
    base_url: str | None = None  # from the region
    config_fields: tuple[ConfigField, ...] = (
        ConfigField(
            "region",
            "Region",
            help="The region Security Hub aggregates findings in (your aggregation region when "
            "cross-Region aggregation is on), e.g. eu-west-1.",
        ),
        ConfigField(
            "access_key_id",
            "Access key ID",
            kind="secret",
            help="Of an IAM principal allowed securityhub:GetFindings and securityhub:DescribeHub "
            "(e.g. the AWSSecurityHubReadOnlyAccess managed policy).",
        ),
        ConfigField("secret_access_key", "Secret access key", kind="secret"),
        ConfigField(
            "session_token",
            "Session token",
            kind="secret",
            required=False,
            help="Only for temporary (STS) credentials.",
        ),
    )
    kris: tuple[KriSpec, ...] = KRIS

    def _http(self, ctx: ConnectorContext) -> VendorHttp:
        region = require_config(ctx, "region", VENDOR)
        base = endpoint(region)
        auth = SigV4Auth(
            access_key_id=require_secret(ctx, "access_key_id", VENDOR, "access key ID"),
            secret_access_key=require_secret(ctx, "secret_access_key", VENDOR, "secret access key"),
            region=region,
            service=SERVICE,
            session_token=(ctx.credentials.get("session_token") or "").strip() or None,
            clock=ctx.clock,
        )
        return ctx.http_env.client(
            vendor=VENDOR, base_url=base, auth=auth, headers={"Accept": "application/json"}
        )

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        try:
            with self._http(ctx) as http:
                hub = call(http, "GET", "/accounts")
                arn = dig(hub, "HubArn", vendor=VENDOR, expect=str)
        except ConnectorError as exc:
            return ProbeResult(False, str(exc))
        return ProbeResult(True, f"connected to AWS Security Hub ({arn})")

    def run(self, ctx: ConnectorContext) -> RunResult:
        now = ctx.clock()
        rows: list[Observation] = []
        groups = KriGroups(VENDOR)
        with self._http(ctx) as http:
            pages = http.policy.max_pages
            groups.attempt_rows(SEVERE_KRIS, lambda: self._severe(http, pages, now), into=rows)
            groups.attempt_rows(
                ("failed_control_checks_pct",),
                lambda: self._controls(http, pages, now, groups.warnings),
                into=rows,
            )
        return groups.result(rows)

    def _severe(self, http: VendorHttp, pages: int, now: datetime) -> tuple[list[Observation], int]:
        severe = get_findings(http, SEVERE_QUERY, pages)
        findings = [parse_finding(f) for f in severe]
        critical = count_severity(findings, "CRITICAL")
        aged = older_than(findings, 30, now)
        public = on_public_resources(findings)
        return [
            ("critical_findings_active", critical, now, {"count": critical}),
            ("severe_findings_open_gt_30d", aged, now, {"count": aged, "age_days": 30}),
            ("severe_findings_public_resources", public, now, {"count": public}),
        ], len(severe)

    def _controls(
        self, http: VendorHttp, pages: int, now: datetime, warnings: list[str]
    ) -> tuple[list[Observation], int]:
        controls = get_findings(http, CONTROL_QUERY, pages)
        statuses = [
            str(dig(c, "Compliance.Status", vendor=VENDOR, expect=str)).upper()
            for c in controls
            if is_security_hub_control(str(dig(c, "ProductArn", vendor=VENDOR, expect=str)))
        ]
        failed, checked = failed_share(statuses)
        share = pct(failed, checked)
        if share is None:
            warnings.append(
                f"{VENDOR}: no control findings (is a security standard enabled?), "
                "failed_control_checks_pct not computed"
            )
            return [], len(controls)
        detail = {"numerator": failed, "denominator": checked}
        return [("failed_control_checks_pct", share, now, detail)], len(controls)


CONNECTOR = AwsSecurityHubConnector()
