"""GitHub Advanced Security: open code-scanning, secret-scanning and Dependabot alerts of an
organization.

Endpoints (REST API version 2022-11-28; base https://api.github.com, or a GitHub Enterprise
Server's ``https://<host>/api/v3`` from the source's config):

- ``GET /orgs/{org}/code-scanning/alerts?state=open&per_page=100``: alerts with
  ``rule.security_severity_level`` (critical/high/medium/low, null for non-security rules) and
  ``created_at``. Needs ``security_events`` (classic token) or "Code scanning alerts: read"; the
  user must be an org owner or security manager.
- ``GET /orgs/{org}/secret-scanning/alerts?state=open&per_page=100&hide_secret=true``:
  ``number``, ``created_at``. ``hide_secret=true`` keeps the literal secret out of the answer
  (by default GitHub returns it in ``secret``: every leaked credential would cross our
  network). Called twice: once with no ``secret_type`` (GitHub returns the default,
  provider patterns only) and once with ``secret_type`` = the generic (non-provider) patterns
  and ``password``, which GitHub returns only when named ("Supported secret scanning
  patterns", non-provider table; changelog 2024-08-06 "Secret scanning alerts for
  non-provider patterns and passwords are retrievable with the REST API"); alerts are counted
  once by ``number``. Needs ``security_events`` / "Secret scanning alerts: read".
- ``GET /orgs/{org}/dependabot/alerts?state=open&per_page=100``: ``security_advisory.severity``,
  ``created_at``. Needs ``security_events`` / "Dependabot alerts: read".
- The probe: the code-scanning endpoint with ``per_page=1`` (checks the token and its scope).

Auth: ``Authorization: Bearer <token>``, with ``Accept: application/vnd.github+json`` and
``X-GitHub-Api-Version: 2022-11-28`` on every request.

Pagination: RFC 8288 ``Link: <...>; rel="next"`` (page numbers or, for Dependabot, cursors); the
next link is followed as given and must stay on the API host.

Rate limits ("Rate limits for the REST API"): the primary limit answers 403 or 429 with
``x-ratelimit-remaining: 0``, wait until ``x-ratelimit-reset`` (epoch seconds); a secondary
limit answers 403 or 429, with ``retry-after`` when GitHub gives one, else wait at least a
minute. A 403 is therefore only a permission failure when it is none of these: this connector
sends its GETs with 403/429 allowed and decides itself, waiting (bounded by the policy's
attempts and ``max_retry_after``) through the kit's injectable sleep.

Docs: docs.github.com "REST API endpoints for code scanning" / "secret scanning" / "Dependabot
alerts" (List ... alerts for an organization), "Rate limits for the REST API", "Using
pagination in the REST API", "API Versions".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from connectors.auth import BearerToken
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
from connectors.errors import AuthFailed, ConnectorError, RateLimited, UpstreamFailed
from connectors.fields import (
    Observation,
    parse_time,
    require_config,
    require_secret,
)
from connectors.http import Params, VendorHttp, parse_retry_after
from connectors.kri_groups import KriGroups

VENDOR = "github-advanced-security"
DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
PER_PAGE = 100
# Generic (non-provider) patterns and Copilot's passwords: returned only when named in
# secret_type ("Supported secret scanning patterns", non-provider patterns table).
GENERIC_SECRETS = (
    "ec_private_key",
    "generic_private_key",
    "http_basic_authentication_header",
    "http_bearer_authentication_header",
    "mongodb_connection_string",
    "mysql_connection_string",
    "openssh_private_key",
    "pgp_private_key",
    "postgres_connection_string",
    "rsa_private_key",
    "password",
)
SECONDARY_LIMIT_WAIT = 60.0  # GitHub: without a header, wait at least one minute
DAY = 86_400.0
SEVERE = frozenset({"high", "critical"})
ORG = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")

KRIS: tuple[KriSpec, ...] = (
    KriSpec(
        "code_scanning_critical_open",
        "Open critical code-scanning alerts",
        "count",
        "higher_is_worse",
        1,
        5,
        "Count of the organization's open code-scanning alerts whose rule."
        "security_severity_level is critical.",
    ),
    KriSpec(
        "secret_scanning_open",
        "Open secret-scanning alerts",
        "count",
        "higher_is_worse",
        1,
        5,
        "Count of the organization's open secret-scanning alerts (leaked credentials not yet "
        "resolved): provider patterns (GitHub's default list) plus the generic patterns "
        "(private keys, connection strings, HTTP auth headers) and passwords, which the API "
        "returns only when asked by name; the detail splits the two.",
    ),
    KriSpec(
        "dependabot_critical_open_gt_30d",
        "Critical Dependabot alerts open > 30 days",
        "count",
        "higher_is_worse",
        1,
        5,
        "Count of open Dependabot alerts whose security_advisory.severity is critical and whose "
        "created_at is more than 30 days before the run.",
    ),
    KriSpec(
        "severe_alerts_mean_age_days",
        "Mean age of open high/critical alerts",
        "days",
        "higher_is_worse",
        30,
        60,
        "Mean days from created_at to the run over open code-scanning alerts with "
        "security_severity_level high or critical and open Dependabot alerts with "
        "security_advisory.severity high or critical.",
    ),
)


# --- the formulas (pure) ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Alert:
    severity: str | None  # lower-case; None when the alert has no security severity
    created_at: datetime


def count_severity(alerts: Iterable[Alert], severity: str) -> int:
    return sum(1 for a in alerts if a.severity == severity)


def older_than(alerts: Iterable[Alert], severity: str, days: int, now: datetime) -> int:
    cutoff = now - timedelta(days=days)
    return sum(1 for a in alerts if a.severity == severity and a.created_at < cutoff)


def mean_age_days(alerts: Iterable[Alert], now: datetime) -> tuple[float | None, int]:
    """(mean age in days of the high/critical alerts, how many)."""
    ages = [(now - a.created_at).total_seconds() / DAY for a in alerts if a.severity in SEVERE]
    if not ages:
        return None, 0
    return round(sum(ages) / len(ages), 2), len(ages)


def rate_limit_wait(response: httpx.Response, now: datetime) -> float | None:
    """Seconds to wait when a 403/429 is a rate limit (primary or secondary), else None."""
    headers = response.headers
    retry_after = parse_retry_after(headers.get("retry-after"), now)
    if retry_after is not None:
        return retry_after
    if headers.get("x-ratelimit-remaining") == "0":
        reset = headers.get("x-ratelimit-reset", "")
        try:
            return max(0.0, float(reset) - now.timestamp())
        except ValueError:
            return SECONDARY_LIMIT_WAIT
    if response.status_code == 429 or "rate limit" in response.text.lower():
        return SECONDARY_LIMIT_WAIT
    return None


# --- parsing ----------------------------------------------------------------------------------


def _created(record: Any) -> datetime:
    return parse_time(
        dig(record, "created_at", vendor=VENDOR, expect=str), "created_at", vendor=VENDOR
    )


def parse_code_alert(record: Any) -> Alert:
    dig(record, "rule", vendor=VENDOR, expect=dict)
    level = dig_optional(record, "rule.security_severity_level", vendor=VENDOR, expect=str)
    return Alert(level.lower() if level else None, _created(record))


def parse_dependabot_alert(record: Any) -> Alert:
    level = dig(record, "security_advisory.severity", vendor=VENDOR, expect=str)
    return Alert(str(level).lower(), _created(record))


def parse_secret_alert(record: Any) -> int:
    """A secret-scanning alert's number (alerts are counted once by it); its created_at must
    parse. The literal secret is never asked for (hide_secret=true) nor read."""
    _created(record)
    return int(dig(record, "number", vendor=VENDOR, expect=int))


# --- fetching ---------------------------------------------------------------------------------


@dataclass
class GitHubApi:
    """GETs with GitHub's rate-limit rules on top of the kit's retries."""

    http: VendorHttp
    sleep: Callable[[float], None]
    now: Callable[[], datetime]

    def get(self, url: str, params: Params | None = None) -> httpx.Response:
        attempts = self.http.policy.max_attempts
        for attempt in range(1, attempts + 1):
            response = self.http.request("GET", url, params=params, allow_status=(403, 429))
            if response.is_success:
                return response
            where = f"GET {response.request.url.path}"
            wait = rate_limit_wait(response, self.now())
            if wait is None:  # a 403 that is not a rate limit: the token lacks a permission
                raise AuthFailed(
                    f"{VENDOR}: the token lacks permission (403) on {where}: {_message(response)}",
                    status=403,
                )
            if wait > self.http.policy.max_retry_after:
                raise RateLimited(
                    f"{VENDOR}: {where} is rate limited ({response.status_code}); GitHub asks us "
                    f"to wait {wait:.0f}s, more than the {self.http.policy.max_retry_after:.0f}s "
                    "we hold a worker for; the next scheduled run will try again",
                    retry_after=wait,
                )
            if attempt == attempts:
                raise RateLimited(
                    f"{VENDOR}: {where} still rate limited ({response.status_code}) after "
                    f"{attempts} attempts",
                    retry_after=wait,
                )
            self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def paginate(self, url: str, params: Params) -> list[Any]:
        """Every item of every page, following the Link header's rel="next"."""
        first = current = self.http.url(url)
        query: Params | None = params
        items: list[Any] = []
        seen: set[str] = set()
        for _ in range(self.http.policy.max_pages):
            response = self.get(str(current), query)
            items.extend(dig(self.http.json_of(response), "", vendor=VENDOR, expect=list))
            following = response.links.get("next", {}).get("url")
            if not following:
                return items
            current = current.join(following)
            if current.host != first.host or current.scheme != first.scheme:
                raise UpstreamFailed(
                    f"{VENDOR}: the next-page link of {first.path} leaves {first.host}"
                )
            if str(current) in seen:
                raise UpstreamFailed(f"{VENDOR}: {first.path} paginates in a loop")
            seen.add(str(current))
            query = None  # the next link carries the whole query
        raise UpstreamFailed(f"{VENDOR}: {first.path} still had a next page after the page budget")


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:200] or "(empty body)"
    message = body.get("message") if isinstance(body, dict) else None
    return str(message)[:200] if message else "(no message)"


class GitHubAdvancedSecurityConnector:
    vendor_id = VENDOR
    source_type: SourceType = "vendor_api"
    display_name = "GitHub Advanced Security"
    auth_type: AuthType = "api_key"
    base_url: str | None = DEFAULT_API_URL
    config_fields: tuple[ConfigField, ...] = (
        ConfigField("org", "Organization", help="The organization's login, e.g. acme-corp."),
        ConfigField(
            "api_url",
            "API URL",
            kind="url",
            required=False,
            default=DEFAULT_API_URL,
            help="Leave as is for github.com; for GitHub Enterprise Server, "
            "https://<your-host>/api/v3.",
        ),
        ConfigField(
            "token",
            "Access token",
            kind="secret",
            help="A fine-grained token with read access to code scanning, secret scanning and "
            "Dependabot alerts, or a classic token with security_events, of an org owner or "
            "security manager.",
        ),
    )
    kris: tuple[KriSpec, ...] = KRIS

    def _api(self, ctx: ConnectorContext) -> tuple[GitHubApi, str]:
        org = require_config(ctx, "org", VENDOR, "organization")
        if not ORG.fullmatch(org):
            raise ConnectorError(f"{VENDOR}: {org!r} is not a GitHub organization login")
        api_url = str(ctx.config.get("api_url") or DEFAULT_API_URL).strip() or DEFAULT_API_URL
        token = require_secret(ctx, "token", VENDOR, "access token")
        http = ctx.http_env.client(
            vendor=VENDOR,
            base_url=api_url,
            auth=BearerToken(token),
            headers={"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION},
        )
        return GitHubApi(http, ctx.http_env.sleep, ctx.http_env.now), org

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        try:
            api, org = self._api(ctx)
            with api.http:
                response = api.get(f"/orgs/{org}/code-scanning/alerts", {"per_page": 1})
                dig(api.http.json_of(response), "", vendor=VENDOR, expect=list)
        except ConnectorError as exc:
            return ProbeResult(False, str(exc))
        return ProbeResult(True, f"connected to GitHub; can read {org}'s security alerts")

    def run(self, ctx: ConnectorContext) -> RunResult:
        now = ctx.clock()
        api, org = self._api(ctx)
        params = {"state": "open", "per_page": PER_PAGE}
        groups = KriGroups(VENDOR)
        code: list[Alert] | None = None
        deps: list[Alert] | None = None
        secrets: tuple[set[int], set[int]] | None = None

        def fetch(kind: str, query: Params | None = None) -> list[Any]:
            return api.paginate(f"/orgs/{org}/{kind}/alerts", query or params)

        def fetch_code() -> int:
            nonlocal code
            code = [parse_code_alert(r) for r in fetch("code-scanning")]
            return len(code)

        def fetch_deps() -> int:
            nonlocal deps
            deps = [parse_dependabot_alert(r) for r in fetch("dependabot")]
            return len(deps)

        def fetch_secrets() -> int:
            nonlocal secrets
            hidden = {**params, "hide_secret": "true"}
            default = fetch("secret-scanning", hidden)
            generic = fetch("secret-scanning", {**hidden, "secret_type": ",".join(GENERIC_SECRETS)})
            provider = {parse_secret_alert(r) for r in default}
            secrets = provider, {parse_secret_alert(r) for r in generic} - provider
            return len(default) + len(generic)

        with api.http:
            groups.attempt(("code_scanning_critical_open",), fetch_code)
            groups.attempt(("secret_scanning_open",), fetch_secrets)
            groups.attempt(("dependabot_critical_open_gt_30d",), fetch_deps)
        warnings = groups.warnings

        rows: list[Observation] = []
        if code is not None:
            n = count_severity(code, "critical")
            rows.append(
                ("code_scanning_critical_open", n, now, {"count": n, "open_alerts": len(code)})
            )
        if secrets is not None:
            default, generic = secrets
            n = len(default) + len(generic)
            detail = {
                "count": n,
                "provider_patterns": len(default),
                "generic_patterns": len(generic),
            }
            rows.append(("secret_scanning_open", n, now, detail))
        if deps is not None:
            n = older_than(deps, "critical", 30, now)
            rows.append(("dependabot_critical_open_gt_30d", n, now, {"count": n, "age_days": 30}))
        if code is None or deps is None:
            warnings.append(
                f"{VENDOR}: severe_alerts_mean_age_days not computed: code-scanning or "
                "Dependabot alerts could not be read"
            )
        else:
            mean, counted = mean_age_days([*code, *deps], now)
            if mean is None:
                warnings.append(
                    f"{VENDOR}: no open high/critical alerts, severe_alerts_mean_age_days "
                    "not computed"
                )
            else:
                rows.append(("severe_alerts_mean_age_days", mean, now, {"alerts": counted}))
        return groups.result(rows)


CONNECTOR = GitHubAdvancedSecurityConnector()
