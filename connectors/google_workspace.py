"""Google Workspace (Admin SDK): 2-Step Verification, super admins, dormant accounts, failed logins.

Auth: a service account with domain-wide delegation (developers.google.com/identity/protocols/
oauth2/service-account, "Preparing to make an authorized API call" / HTTP/REST). The connector
signs a JWT with the key's RSA private key (RS256, header ``kid`` = ``private_key_id``) whose
claims are ``iss`` = the key's ``client_email``, ``sub`` = the admin user to impersonate (config),
``scope``, ``aud`` = ``https://oauth2.googleapis.com/token``, ``iat`` and ``exp`` (one hour), and
exchanges it at that endpoint (``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer``,
``assertion=<jwt>``) for a bearer access token. The service-account key JSON is the credential;
its own ``token_uri`` is ignored (the endpoint is fixed, so a tampered key cannot send our
signed assertion elsewhere). One token is asked per scope, so a scope missing from the
delegation (``unauthorized_client``) only leaves out the KRIs that need it:

- ``https://www.googleapis.com/auth/admin.directory.user.readonly``: Directory API
  ``GET https://admin.googleapis.com/admin/directory/v1/users?customer=my_customer&maxResults=500``
  (users.list; ``maxResults`` ≤ 500, ``pageToken``/``nextPageToken`` paging, partial response
  with ``fields``). User fields read (Directory API "Users" resource): ``primaryEmail``,
  ``isAdmin`` (super administrator), ``isEnrolledIn2Sv``, ``isEnforcedIn2Sv``, ``lastLoginTime``
  (``1970-01-01T00:00:00.000Z`` when the user never logged in), ``creationTime``, ``suspended``,
  ``archived``.
- ``https://www.googleapis.com/auth/admin.reports.audit.readonly``: Reports API
  ``GET https://admin.googleapis.com/admin/reports/v1/activity/users/all/applications/login``
  (activities.list) with ``eventName=login_failure``, ``startTime``/``endTime`` (the 7 days before
  the run), ``maxResults`` ≤ 1000, ``pageToken``/``nextPageToken``; ``items`` is absent when
  there are no events. The same scope reads the application inventory for integration drift
  from the OAuth Token audit log (`connectors.google_workspace_apps` says what and why).
  Licence assignments (Enterprise License Manager API, another scope) are not read.

Rate limits: Admin SDK quotas per project and per user (Google Cloud console > Quotas); a 429
(and ``Retry-After`` when present) is retried by the HTTP kit. Google also signals quota with
``403 userRateLimitExceeded``/``quotaExceeded``, which the kit reports as a 403.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt

from connectors.auth import DEFAULT_EXPIRES_IN, CachedToken, RefreshingBearer
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
from connectors.errors import AuthFailed, ConnectorError
from connectors.fields import (
    Observation,
    parse_time,
    pct,
    require_config,
    require_secret,
    rfc3339_millis,
)
from connectors.google_workspace_apps import APPS_PERMISSION, list_applications
from connectors.http import NO_AUTH, VendorHttp
from connectors.identity_apps import read_applications, with_applications
from connectors.kri_groups import KriGroups

VENDOR = "google-workspace"
API = "https://admin.googleapis.com"
TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 - an endpoint, not a secret
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
DIRECTORY_SCOPE = "https://www.googleapis.com/auth/admin.directory.user.readonly"
REPORTS_SCOPE = "https://www.googleapis.com/auth/admin.reports.audit.readonly"
USERS_PATH = "/admin/directory/v1/users"
LOGIN_PATH = "/admin/reports/v1/activity/users/all/applications/login"
USER_FIELDS = (
    "nextPageToken,users(id,primaryEmail,isAdmin,isEnrolledIn2Sv,isEnforcedIn2Sv,"
    "lastLoginTime,creationTime,suspended,archived)"
)
USER_PAGE = 500
LOG_PAGE = 1000
ASSERTION_LIFE = 3600  # Google accepts at most one hour
INACTIVE_AFTER = timedelta(days=90)
LOG_WINDOW_DAYS = 7
NEVER = datetime(1970, 1, 1, tzinfo=UTC)
DELEGATION_ERRORS = frozenset({"unauthorized_client", "access_denied"})
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

KRIS: tuple[KriSpec, ...] = (
    KriSpec(
        "mfa_enrollment_pct",
        "Google Workspace 2-Step Verification enrollment",
        "%",
        "lower_is_worse",
        95,
        90,
        "Active users (not suspended, not archived) with isEnrolledIn2Sv, as a share of active "
        "users.",
    ),
    KriSpec(
        "two_step_not_enforced_pct",
        "Google Workspace users without 2SV enforced",
        "%",
        "higher_is_worse",
        5,
        20,
        "Active users whose isEnforcedIn2Sv is false, as a share of active users.",
    ),
    KriSpec(
        "super_admins",
        "Google Workspace super administrators",
        "count",
        "higher_is_worse",
        4,
        8,
        "Active users with isAdmin (super administrator).",
    ),
    KriSpec(
        "super_admins_without_2sv",
        "Google Workspace super admins without 2SV",
        "count",
        "higher_is_worse",
        1,
        2,
        "Active users with isAdmin and not isEnrolledIn2Sv.",
    ),
    KriSpec(
        "inactive_users_gt_90d",
        "Google Workspace users inactive > 90 days",
        "count",
        "higher_is_worse",
        10,
        25,
        "Active users whose lastLoginTime is more than 90 days before the run; a user who never "
        "logged in counts when created more than 90 days before the run.",
    ),
    KriSpec(
        "failed_signins_per_day_7d",
        "Google Workspace failed logins per day (7 days)",
        "count",
        "higher_is_worse",
        50,
        200,
        "Reports API login events named login_failure in the 7 days before the run, divided by 7.",
    ),
)


# --- formulas (pure) ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class User:
    is_admin: bool
    enrolled_2sv: bool
    enforced_2sv: bool
    last_login: datetime | None  # None: never logged in
    created: datetime
    active: bool


def active(users: Sequence[User]) -> list[User]:
    return [u for u in users if u.active]


def enrolled(users: Sequence[User]) -> tuple[int, int]:
    live = active(users)
    return sum(1 for u in live if u.enrolled_2sv), len(live)


def not_enforced(users: Sequence[User]) -> tuple[int, int]:
    live = active(users)
    return sum(1 for u in live if not u.enforced_2sv), len(live)


def super_admins(users: Sequence[User]) -> int:
    return sum(1 for u in active(users) if u.is_admin)


def super_admins_without_2sv(users: Sequence[User]) -> int:
    return sum(1 for u in active(users) if u.is_admin and not u.enrolled_2sv)


def inactive(users: Sequence[User], now: datetime) -> int:
    cutoff = now - INACTIVE_AFTER
    return sum(1 for u in active(users) if (u.last_login or u.created) < cutoff)


def per_day(count: int, days: int = LOG_WINDOW_DAYS) -> float:
    return round(count / days, 2)


# --- parsing ------------------------------------------------------------------------------------


def _user(raw: Any) -> User:
    dig(raw, "primaryEmail", vendor=VENDOR, expect=str)
    login = dig(raw, "lastLoginTime", vendor=VENDOR, expect=str)
    last = parse_time(login, "lastLoginTime", vendor=VENDOR)
    created = dig(raw, "creationTime", vendor=VENDOR, expect=str)
    suspended = dig(raw, "suspended", vendor=VENDOR, expect=bool)
    archived = dig_optional(raw, "archived", vendor=VENDOR, expect=bool)
    return User(
        is_admin=dig(raw, "isAdmin", vendor=VENDOR, expect=bool),
        enrolled_2sv=dig(raw, "isEnrolledIn2Sv", vendor=VENDOR, expect=bool),
        enforced_2sv=dig(raw, "isEnforcedIn2Sv", vendor=VENDOR, expect=bool),
        last_login=None if last <= NEVER else last,
        created=parse_time(created, "creationTime", vendor=VENDOR),
        active=not suspended and not archived,
    )


@dataclass(frozen=True, slots=True)
class ServiceAccountKey:
    client_email: str
    private_key: str
    private_key_id: str | None

    def __repr__(self) -> str:
        return f"ServiceAccountKey({self.client_email!r}, '***')"


def parse_key(text: str) -> ServiceAccountKey:
    """The service-account key JSON (as downloaded from the Cloud console). Errors never quote
    the key."""
    try:
        body = json.loads(text)
    except ValueError:
        raise ConnectorError(f"{VENDOR}: the service-account key is not valid JSON") from None
    if not isinstance(body, dict) or body.get("type") != "service_account":
        raise ConnectorError(
            f"{VENDOR}: the key is not a service-account key (its type is not service_account)"
        )
    email = body.get("client_email")
    key = body.get("private_key")
    if not isinstance(email, str) or not isinstance(key, str) or not key.strip():
        raise ConnectorError(f"{VENDOR}: the service-account key lacks client_email or private_key")
    kid = body.get("private_key_id")
    return ServiceAccountKey(email, key, kid if isinstance(kid, str) else None)


# --- auth ---------------------------------------------------------------------------------------


class ServiceAccountToken(CachedToken):
    """An access token for one scope, from a JWT signed with the service account's key and
    exchanged at Google's token endpoint (JWT bearer grant, RFC 7523); cached until near expiry."""

    def __init__(
        self,
        http: VendorHttp,
        key: ServiceAccountKey,
        *,
        subject: str,
        scope: str,
        clock: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._key = key
        self._subject = subject
        self.scope = scope
        self._clock = clock
        super().__init__(monotonic)

    def __repr__(self) -> str:
        return f"ServiceAccountToken({self._key.client_email!r}, scope={self.scope!r})"

    def assertion(self) -> str:
        issued = int(self._clock().timestamp())
        claims = {
            "iss": self._key.client_email,
            "sub": self._subject,
            "scope": self.scope,
            "aud": TOKEN_URL,
            "iat": issued,
            "exp": issued + ASSERTION_LIFE,
        }
        headers = {"kid": self._key.private_key_id} if self._key.private_key_id else None
        try:
            return jwt.encode(claims, self._key.private_key, algorithm="RS256", headers=headers)
        except (ValueError, TypeError, jwt.PyJWTError):
            raise ConnectorError(
                f"{VENDOR}: the service-account key's private_key is not a usable RSA key"
            ) from None

    def _fetch(self) -> tuple[str, float]:
        response = self._http.post(
            TOKEN_URL,
            data={"grant_type": JWT_BEARER, "assertion": self.assertion()},
            auth=NO_AUTH,
            headers={"Accept": "application/json"},
            allow_status=(400, 401, 403),
        )
        if not response.is_success:
            raise self._refused(response)
        body = self._http.json_of(response)
        token = dig(body, "access_token", vendor=VENDOR, expect=str)
        life = dig_optional(body, "expires_in", vendor=VENDOR, expect=(int, float))
        return str(token), float(life) if life is not None else DEFAULT_EXPIRES_IN

    def _refused(self, response: httpx.Response) -> AuthFailed:
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        described = body.get("error_description") if isinstance(body, dict) else None
        detail = f" ({error}: {str(described)[:200]})" if error else ""
        if error in DELEGATION_ERRORS:
            return AuthFailed(
                f"{VENDOR}: the token endpoint refused scope {self.scope} for "
                f"{self._key.client_email}{detail} — add the scope to the client's domain-wide "
                "delegation (Admin console > Security > API controls)",
                status=403,
            )
        return AuthFailed(
            f"{VENDOR}: the token endpoint refused the service account ({response.status_code})"
            f"{detail} — check the key and the admin email",
            status=401,
        )


# --- the connector ------------------------------------------------------------------------------


class GoogleWorkspaceConnector:
    vendor_id = VENDOR
    source_type: SourceType = "vendor_api"
    display_name = "Google Workspace"
    auth_type: AuthType = "service_account_jwt"
    base_url: str | None = API
    config_fields: tuple[ConfigField, ...] = (
        ConfigField(
            "admin_email",
            "Admin email to impersonate",
            help="A Workspace administrator allowed to read users and audit reports.",
        ),
        ConfigField(
            "customer",
            "Customer ID",
            required=False,
            default="my_customer",
            help="my_customer (the admin's own account) or a customer ID such as C01abc23d.",
        ),
        ConfigField(
            "service_account_key",
            "Service-account key (JSON)",
            kind="secret",
            help="Domain-wide delegation scopes: admin.directory.user.readonly, "
            "admin.reports.audit.readonly (failed logins and the OAuth app list).",
        ),
    )
    kris: tuple[KriSpec, ...] = KRIS

    def _tokens(self, ctx: ConnectorContext, http: VendorHttp) -> dict[str, ServiceAccountToken]:
        subject = require_config(ctx, "admin_email", VENDOR, "admin email")
        if not _EMAIL.match(subject):
            raise ConnectorError(f"{VENDOR}: the admin email {subject!r} is not an email address")
        key = parse_key(require_secret(ctx, "service_account_key", VENDOR, "service-account key"))
        return {
            scope: ServiceAccountToken(http, key, subject=subject, scope=scope, clock=ctx.clock)
            for scope in (DIRECTORY_SCOPE, REPORTS_SCOPE)
        }

    def _customer(self, ctx: ConnectorContext) -> str:
        customer = str(ctx.config.get("customer") or "my_customer").strip()
        if not re.fullmatch(r"[A-Za-z0-9_]+", customer):
            raise ConnectorError(f"{VENDOR}: the customer ID {customer!r} is not valid")
        return customer

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        try:
            with ctx.http_env.client(vendor=VENDOR, base_url=API) as http:
                token = self._tokens(ctx, http)[DIRECTORY_SCOPE]
                body = http.get_json(
                    USERS_PATH,
                    params={"customer": self._customer(ctx), "maxResults": 1},
                    auth=RefreshingBearer(token),
                )
                dig(body, "users", vendor=VENDOR, expect=list)
        except ConnectorError as exc:
            return ProbeResult(False, str(exc))
        return ProbeResult(True, f"{VENDOR}: connected; the service account can list users")

    def run(self, ctx: ConnectorContext) -> RunResult:
        now = ctx.clock()
        rows: list[Observation] = []
        groups = KriGroups(VENDOR)
        with ctx.http_env.client(vendor=VENDOR, base_url=API) as http:
            tokens = self._tokens(ctx, http)
            customer = self._customer(ctx)
            directory = RefreshingBearer(tokens[DIRECTORY_SCOPE])
            reports = RefreshingBearer(tokens[REPORTS_SCOPE])
            groups.attempt(
                tuple(k.slug for k in KRIS if k.slug != "failed_signins_per_day_7d"),
                lambda: self._users(http, directory, customer, now, rows, groups.warnings),
            )
            groups.attempt(
                ("failed_signins_per_day_7d",), lambda: self._logins(http, reports, now, rows)
            )
            apps = read_applications(
                groups, APPS_PERMISSION, lambda: list_applications(http, reports, now)
            )
        return with_applications(groups.result(rows), apps)

    # -- fetching

    def _users(
        self,
        http: VendorHttp,
        auth: httpx.Auth,
        customer: str,
        now: datetime,
        rows: list[Observation],
        warnings: list[str],
    ) -> int:
        users: list[User] = []
        token: str | None = None
        for _ in range(http.policy.max_pages):
            params: dict[str, Any] = {
                "customer": customer,
                "maxResults": USER_PAGE,
                "fields": USER_FIELDS,
            }
            if token:
                params["pageToken"] = token
            body = http.get_json(USERS_PATH, params=params, auth=auth)
            users.extend(_user(u) for u in dig(body, "users", vendor=VENDOR, expect=list))
            token = dig_optional(body, "nextPageToken", vendor=VENDOR, expect=str)
            if not token:
                break
        else:
            raise ConnectorError(f"{VENDOR}: {USERS_PATH} still had a next page")
        for slug, (part, whole) in (
            ("mfa_enrollment_pct", enrolled(users)),
            ("two_step_not_enforced_pct", not_enforced(users)),
        ):
            value = pct(part, whole)
            if value is None:
                warnings.append(f"{VENDOR}: no active users, {slug} not computed")
                continue
            rows.append((slug, value, now, {"numerator": part, "denominator": whole}))
        live = len(active(users))
        rows.append(("super_admins", float(super_admins(users)), now, {"active_users": live}))
        rows.append(
            (
                "super_admins_without_2sv",
                float(super_admins_without_2sv(users)),
                now,
                {"super_admins": super_admins(users)},
            )
        )
        rows.append(
            ("inactive_users_gt_90d", float(inactive(users, now)), now, {"active_users": live})
        )
        return len(users)

    def _logins(
        self, http: VendorHttp, auth: httpx.Auth, now: datetime, rows: list[Observation]
    ) -> int:
        since = now - timedelta(days=LOG_WINDOW_DAYS)
        events = 0
        token: str | None = None
        for _ in range(http.policy.max_pages):
            params: dict[str, Any] = {
                "eventName": "login_failure",
                "startTime": rfc3339_millis(since),
                "endTime": rfc3339_millis(now),
                "maxResults": LOG_PAGE,
            }
            if token:
                params["pageToken"] = token
            body = http.get_json(LOGIN_PATH, params=params, auth=auth)
            for item in dig_optional(body, "items", vendor=VENDOR, expect=list) or []:
                for event in dig(item, "events", vendor=VENDOR, expect=list):
                    if dig(event, "name", vendor=VENDOR, expect=str) == "login_failure":
                        events += 1
            token = dig_optional(body, "nextPageToken", vendor=VENDOR, expect=str)
            if not token:
                break
        else:
            raise ConnectorError(f"{VENDOR}: {LOGIN_PATH} still had a next page")
        rows.append(
            (
                "failed_signins_per_day_7d",
                per_day(events),
                now,
                {"failed_logins": events, "days": LOG_WINDOW_DAYS, "since": rfc3339_millis(since)},
            )
        )
        return events


CONNECTOR = GoogleWorkspaceConnector()
