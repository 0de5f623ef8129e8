"""Okta: MFA enrolment, phishing-resistant factors, dormant accounts, super admins, failed sign-ins.

Auth: an Okta API token, sent as ``Authorization: SSWS <token>`` (developer.okta.com, "Okta API
authentication methods"). The token acts with the permissions of the admin who created it; a
read-only administrator is enough for every endpoint below. The org URL comes from the tenant's
config (``https://{yourOktaDomain}``, https only).

Endpoints (Okta Management API reference, developer.okta.com/docs/api/openapi/okta-management):

- ``GET /api/v1/users?filter=status eq "ACTIVE"&limit=200`` (List all users): ``limit`` ≤ 200,
  pagination by the RFC 8288 ``Link: <...>; rel="next"`` header. Fields read: ``id``,
  ``status``, ``created``, ``activated``, ``lastLogin`` (null when the user never signed in).
- ``GET /api/v1/users/{id}/factors`` (List all enrolled factors): one call per active user, as
  Okta documents no bulk listing of enrolled factors in the Management API. Fields read:
  ``factorType``, ``status`` (only ``ACTIVE`` factors count). What the MFA KRIs measure follows
  from this endpoint, and the KRI formulas say it: the factors enrolled for each user as the
  calling admin's token sees them — enrolment, not enforcement (no policy is read); Identity
  Engine authenticators the Factors API does not return as factors are not counted. A tenant
  wanting "MFA required" should read its sign-on policies, which this connector does not.
- ``GET /api/v1/iam/assignees/users`` (List all users with role assignments): body
  ``{"value": [{"id": ...}], "_links": {"next": {"href": ...}}}``, then
  ``GET /api/v1/users/{id}/roles`` (List all user role assignments) for each; field read:
  ``type`` (``SUPER_ADMIN``).
- ``GET /api/v1/logs`` (System Log, List all log events) with ``since``/``until`` (the last 7
  days before the run) and ``filter=eventType eq "user.session.start" and outcome.result eq
  "FAILURE"``, ``limit`` ≤ 1000, ``Link`` header pagination. Field read: ``outcome.result``.

- ``GET /api/v1/apps?limit=200`` (Applications API, List all applications): the application
  inventory for integration drift (`connectors.identity_apps`). ``limit`` ≤ 200 (the spec's
  maximum), ``Link`` header pagination (the ``after`` cursor is opaque: the next link is
  followed as given). No filter, so ACTIVE and INACTIVE apps both come. Fields read: ``id``,
  ``label`` (the name an admin gave the instance; else ``name``, the app key such as
  ``salesforce``) and ``status`` (``ACTIVE`` is active). OAuth scope ``okta.apps.read``; an API
  token's read-only administrator may list apps. The Management rate limits give this endpoint
  its own small bucket ("Create or list applications", 20 to 100 requests a minute by plan):
  at 200 apps a page even the smallest lists 4,000 apps a minute, and a 429 waits for
  ``X-Rate-Limit-Reset`` like every other call.

Rate limits (developer.okta.com/docs/reference/rl-best-practices, "rate limit headers"): a 429
carries ``X-Rate-Limit-Limit``, ``X-Rate-Limit-Remaining`` and ``X-Rate-Limit-Reset`` — the UTC
epoch second the window resets — and usually no ``Retry-After``; the client names that header
(`reset_headers`), so the HTTP kit waits exactly until the window resets.

Phishing-resistant factors: ``webauthn`` (FIDO2 / WebAuthn), ``u2f`` (FIDO U2F security keys) and
``signed_nonce`` (Okta FastPass), the factor types Okta documents as phishing resistant.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from connectors.auth import HeaderToken
from connectors.base import (
    Application,
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
    rfc3339_millis,
)
from connectors.http import VendorHttp
from connectors.identity_apps import read_applications, with_applications
from connectors.kri_groups import KriGroups

VENDOR = "okta"
USER_PAGE = 200  # List all users: limit maximum
LOG_PAGE = 1000  # System Log: limit maximum
APP_PAGE = 200  # List all applications: limit maximum
APPS_PERMISSION = "okta.apps.read"
INACTIVE_AFTER = timedelta(days=90)
LOG_WINDOW_DAYS = 7
ACTIVE_USERS_FILTER = 'status eq "ACTIVE"'
FAILED_SIGNIN_FILTER = 'eventType eq "user.session.start" and outcome.result eq "FAILURE"'
PHISHING_RESISTANT = frozenset({"webauthn", "u2f", "signed_nonce"})
_ORG_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:\d+)?/?$")

KRIS: tuple[KriSpec, ...] = (
    KriSpec(
        "mfa_enrollment_pct",
        "Okta MFA enrollment",
        "%",
        "lower_is_worse",
        95,
        90,
        "ACTIVE users with at least one factor in status ACTIVE, as a share of all ACTIVE users. "
        "Factors are those Okta's Factors API (GET /api/v1/users/{id}/factors) lists for the "
        "user as the API token's admin sees them: it measures enrolment, not whether a "
        "sign-on or authentication policy requires MFA, and authenticators the Factors API "
        "does not list (the password, Identity Engine authenticators without a factor form) "
        "do not count.",
    ),
    KriSpec(
        "users_without_phishing_resistant_mfa_pct",
        "Okta users without a phishing-resistant factor",
        "%",
        "higher_is_worse",
        50,
        75,
        "ACTIVE users with no ACTIVE factor of type webauthn, u2f or signed_nonce (FastPass), as "
        "a share of all ACTIVE users; factors as the Factors API lists them for the API "
        "token's admin (enrolment, not policy enforcement).",
    ),
    KriSpec(
        "inactive_users_gt_90d",
        "Okta users inactive > 90 days",
        "count",
        "higher_is_worse",
        10,
        25,
        "ACTIVE users whose lastLogin is more than 90 days before the run; a user who never "
        "signed in counts when activated (else created) more than 90 days before the run.",
    ),
    KriSpec(
        "super_admins",
        "Okta super administrators",
        "count",
        "higher_is_worse",
        4,
        8,
        "Users listed by /iam/assignees/users holding a role assignment of type SUPER_ADMIN.",
    ),
    KriSpec(
        "failed_signins_per_day_7d",
        "Okta failed sign-ins per day (7 days)",
        "count",
        "higher_is_worse",
        50,
        200,
        "System Log events user.session.start with outcome.result FAILURE in the 7 days before "
        "the run, divided by 7.",
    ),
)


# --- formulas (pure) ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class User:
    id: str
    created: datetime
    activated: datetime | None
    last_login: datetime | None


@dataclass(frozen=True, slots=True)
class Factor:
    factor_type: str
    status: str


def inactive_users(users: Sequence[User], now: datetime) -> int:
    """Users whose last sign-in (else activation, else creation) is older than 90 days."""
    cutoff = now - INACTIVE_AFTER
    return sum(1 for u in users if (u.last_login or u.activated or u.created) < cutoff)


def mfa_enrolled(factors_by_user: dict[str, Sequence[Factor]]) -> tuple[int, int]:
    """(users with an ACTIVE factor, users)."""
    enrolled = sum(1 for fs in factors_by_user.values() if any(f.status == "ACTIVE" for f in fs))
    return enrolled, len(factors_by_user)


def without_phishing_resistant(factors_by_user: dict[str, Sequence[Factor]]) -> tuple[int, int]:
    """(users with no ACTIVE phishing-resistant factor, users)."""
    missing = sum(
        1
        for fs in factors_by_user.values()
        if not any(f.status == "ACTIVE" and f.factor_type in PHISHING_RESISTANT for f in fs)
    )
    return missing, len(factors_by_user)


def per_day(count: int, days: int = LOG_WINDOW_DAYS) -> float:
    return round(count / days, 2)


# --- parsing ------------------------------------------------------------------------------------


def _time(raw: Any, name: str) -> datetime | None:
    value = dig_optional(raw, name, vendor=VENDOR, expect=str)
    return parse_time(value, name, vendor=VENDOR) if value else None


def _user(raw: Any) -> User:
    created = dig(raw, "created", vendor=VENDOR, expect=str)
    return User(
        id=dig(raw, "id", vendor=VENDOR, expect=str),
        created=parse_time(created, "created", vendor=VENDOR),
        activated=_time(raw, "activated"),
        last_login=_time(raw, "lastLogin"),
    )


def _factor(raw: Any) -> Factor:
    return Factor(
        factor_type=dig(raw, "factorType", vendor=VENDOR, expect=str),
        status=dig(raw, "status", vendor=VENDOR, expect=str),
    )


def _application(raw: Any) -> Application:
    label = dig_optional(raw, "label", vendor=VENDOR, expect=str)
    return Application(
        app_id=dig(raw, "id", vendor=VENDOR, expect=str),
        name=label or dig(raw, "name", vendor=VENDOR, expect=str),
        active=dig(raw, "status", vendor=VENDOR, expect=str) == "ACTIVE",
    )


def org_url(ctx: ConnectorContext) -> str:
    url = require_config(ctx, "org_url", VENDOR, "org URL")
    if "://" not in url:
        url = f"https://{url}"
    if not _ORG_URL.match(url):
        raise ConnectorError(
            f"{VENDOR}: the org URL must look like https://acme.okta.com (https, no path)"
        )
    return url.rstrip("/")


# --- the connector ------------------------------------------------------------------------------


class OktaConnector:
    vendor_id = VENDOR
    source_type: SourceType = "vendor_api"
    display_name = "Okta"
    auth_type: AuthType = "api_key"
    base_url: str | None = None
    config_fields: tuple[ConfigField, ...] = (
        ConfigField(
            "org_url",
            "Okta org URL",
            kind="url",
            help="https://{yourOktaDomain}, e.g. https://acme.okta.com",
        ),
        ConfigField(
            "api_token",
            "API token",
            kind="secret",
            help="Security > API > Tokens; created by a read-only administrator (it reads "
            "users, factors, roles, the System Log and, for integration drift, the app list: "
            "okta.apps.read).",
        ),
    )
    kris: tuple[KriSpec, ...] = KRIS

    def _client(self, ctx: ConnectorContext) -> VendorHttp:
        base = org_url(ctx)
        token = require_secret(ctx, "api_token", VENDOR, "API token")
        return ctx.http_env.client(
            vendor=VENDOR,
            base_url=base,
            auth=HeaderToken("Authorization", token, prefix="SSWS "),
            headers={"Accept": "application/json"},
            reset_headers=("X-Rate-Limit-Reset",),
        )

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        try:
            with self._client(ctx) as http:
                body = http.get_json("/api/v1/users", params={"limit": 1})
                dig(body, "", vendor=VENDOR, expect=list)
        except ConnectorError as exc:
            return ProbeResult(False, str(exc))
        return ProbeResult(True, f"{VENDOR}: connected; the token can list users")

    def run(self, ctx: ConnectorContext) -> RunResult:
        now = ctx.clock()
        rows: list[Observation] = []
        groups = KriGroups(VENDOR)
        with self._client(ctx) as http:
            users: list[User] = []

            def fetch_users() -> int:
                users.extend(
                    _user(raw)
                    for raw in http.paginate_link_header(
                        "/api/v1/users",
                        params={"filter": ACTIVE_USERS_FILTER, "limit": USER_PAGE},
                    )
                )
                count = inactive_users(users, now)
                rows.append(
                    ("inactive_users_gt_90d", float(count), now, {"active_users": len(users)})
                )
                return len(users)

            factor_slugs = ("mfa_enrollment_pct", "users_without_phishing_resistant_mfa_pct")
            if groups.attempt(("inactive_users_gt_90d", *factor_slugs), fetch_users):
                groups.attempt(
                    factor_slugs, lambda: self._factors(http, users, now, rows, groups.warnings)
                )
            groups.attempt(("super_admins",), lambda: self._super_admins(http, now, rows))
            groups.attempt(
                ("failed_signins_per_day_7d",), lambda: self._failed_signins(http, now, rows)
            )
            apps = read_applications(groups, APPS_PERMISSION, lambda: self._applications(http))
        return with_applications(groups.result(rows), apps)

    # -- fetching

    def _factors(
        self,
        http: VendorHttp,
        users: Sequence[User],
        now: datetime,
        rows: list[Observation],
        warnings: list[str],
    ) -> int:
        by_user: dict[str, Sequence[Factor]] = {}
        fetched = 0
        for user in users:
            raw = dig(
                http.get_json(f"/api/v1/users/{user.id}/factors"), "", vendor=VENDOR, expect=list
            )
            by_user[user.id] = [_factor(f) for f in raw]
            fetched += len(raw)
        for slug, (part, whole) in (
            ("mfa_enrollment_pct", mfa_enrolled(by_user)),
            ("users_without_phishing_resistant_mfa_pct", without_phishing_resistant(by_user)),
        ):
            value = pct(part, whole)
            if value is None:
                warnings.append(f"{VENDOR}: no active users, {slug} not computed")
                continue
            rows.append((slug, value, now, {"numerator": part, "denominator": whole}))
        return fetched

    def _super_admins(self, http: VendorHttp, now: datetime, rows: list[Observation]) -> int:
        assignees = [
            str(dig(a, "id", vendor=VENDOR, expect=str))
            for a in http.paginate_next_url(
                "/api/v1/iam/assignees/users", items="value", next_key="_links.next.href"
            )
        ]
        supers = 0
        for user_id in assignees:
            roles = dig(
                http.get_json(f"/api/v1/users/{user_id}/roles"), "", vendor=VENDOR, expect=list
            )
            if any(dig(r, "type", vendor=VENDOR, expect=str) == "SUPER_ADMIN" for r in roles):
                supers += 1
        rows.append(("super_admins", float(supers), now, {"users_with_roles": len(assignees)}))
        return len(assignees)

    def _applications(self, http: VendorHttp) -> list[Application]:
        return [
            _application(raw)
            for raw in http.paginate_link_header("/api/v1/apps", params={"limit": APP_PAGE})
        ]

    def _failed_signins(self, http: VendorHttp, now: datetime, rows: list[Observation]) -> int:
        since = now - timedelta(days=LOG_WINDOW_DAYS)
        events = 0
        for event in http.paginate_link_header(
            "/api/v1/logs",
            params={
                "since": rfc3339_millis(since),
                "until": rfc3339_millis(now),
                "filter": FAILED_SIGNIN_FILTER,
                "limit": LOG_PAGE,
            },
        ):
            if dig(event, "outcome.result", vendor=VENDOR, expect=str) == "FAILURE":
                events += 1
        rows.append(
            (
                "failed_signins_per_day_7d",
                per_day(events),
                now,
                {"failed_signins": events, "days": LOG_WINDOW_DAYS, "since": rfc3339_millis(since)},
            )
        )
        return events


CONNECTOR = OktaConnector()
