"""Microsoft Entra ID (Microsoft Graph): MFA registration, stale accounts, Global Administrators,
Conditional Access policies not enforced, risky users.

Auth: OAuth 2 client credentials (Microsoft identity platform, "client credentials flow"):
``POST https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`` with ``client_id``,
``client_secret`` and ``scope=https://graph.microsoft.com/.default``; Graph calls carry
``Authorization: Bearer <token>``. Application permissions the app registration needs (admin
consent): ``AuditLog.Read.All`` (registration details, signInActivity), ``User.Read.All``,
``Policy.Read.All`` (Conditional Access), ``RoleManagement.Read.Directory`` (role members),
``Application.Read.All`` (the application inventory) and, optionally,
``IdentityRiskyUser.Read.All`` (needs Entra ID P2). A KRI whose permission or licence
is missing (403) is left out with a warning.

Endpoints (learn.microsoft.com/graph/api, v1.0):

- ``GET /reports/authenticationMethods/userRegistrationDetails`` (List userRegistrationDetails):
  fields ``id``, ``userType`` (``member``/``guest``), ``isAdmin``, ``isMfaRegistered``.
- ``GET /users?$select=id,accountEnabled,userType,createdDateTime,signInActivity&$filter=
  accountEnabled eq true&$top=999`` (List users; signInActivity needs AuditLog.Read.All and an
  Entra ID P1 licence): ``signInActivity.lastSignInDateTime``,
  ``lastNonInteractiveSignInDateTime`` and ``lastSuccessfulSignInDateTime``.
- ``GET /identity/conditionalAccess/policies`` (List policies): ``state`` — ``enabled``,
  ``disabled`` or ``enabledForReportingButNotEnforced`` (report-only).
- ``GET /directoryRoles(roleTemplateId='62e90394-69f5-4237-9190-012177145e10')/members`` (List
  members of a directory role, addressed by the Global Administrator role template id).
- ``GET /identityProtection/riskyUsers`` (List riskyUsers): ``riskState`` (``atRisk``,
  ``confirmedCompromised``, ``remediated``, ``dismissed``, ...).

- ``GET /servicePrincipals?$select=id,appId,displayName,accountEnabled&$filter=tags/any(t:t eq
  'WindowsAzureActiveDirectoryIntegratedApp')&$top=999`` (List servicePrincipals; application
  permission ``Application.Read.All``): the application inventory for integration drift
  (`connectors.identity_apps`). ``$top`` ≤ 999 (the documented maximum page; the default is
  100). The filter keeps the enterprise applications, the service principals carrying the tag
  the Entra admin center's Enterprise applications list shows (``tags`` supports ``$filter``
  with ``eq``); Microsoft's own first-party principals and managed identities are left out.
  Fields read: ``appId`` (the application (client) ID, the same in every tenant: the app's id
  here), ``displayName`` (else the appId) and ``accountEnabled`` (false: sign-in disabled, the
  app is inactive; null counts as enabled).

Pagination: every collection is followed through ``@odata.nextLink`` (Graph paging guide).
Throttling (Graph throttling guidance): 429 with ``Retry-After`` seconds, honoured by the HTTP kit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from connectors.auth import OAuth2ClientCredentials, RefreshingBearer
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
)
from connectors.http import VendorHttp
from connectors.identity_apps import read_applications, with_applications
from connectors.kri_groups import KriGroups

VENDOR = "entra-id"
GRAPH = "https://graph.microsoft.com/v1.0"
SCOPE = "https://graph.microsoft.com/.default"
TOKEN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"  # noqa: S105
GLOBAL_ADMIN_TEMPLATE = "62e90394-69f5-4237-9190-012177145e10"
NEXT = "@odata.nextLink"
STALE_AFTER = timedelta(days=90)
AT_RISK = frozenset({"atRisk", "confirmedCompromised"})
NOT_ENFORCED = frozenset({"disabled", "enabledForReportingButNotEnforced"})
USER_SELECT = "id,accountEnabled,userType,createdDateTime,signInActivity"
APP_SELECT = "id,appId,displayName,accountEnabled"
ENTERPRISE_APPS = "tags/any(t:t eq 'WindowsAzureActiveDirectoryIntegratedApp')"
APP_PAGE = "999"  # List servicePrincipals: $top maximum
APPS_PERMISSION = "Application.Read.All"
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$")

KRIS: tuple[KriSpec, ...] = (
    KriSpec(
        "mfa_enrollment_pct",
        "Entra ID MFA registration",
        "%",
        "lower_is_worse",
        95,
        90,
        "Member users (userType member) whose userRegistrationDetails say isMfaRegistered, as a "
        "share of all member users in the registration report.",
    ),
    KriSpec(
        "admins_without_mfa",
        "Entra ID admins without MFA registered",
        "count",
        "higher_is_worse",
        1,
        2,
        "Users whose userRegistrationDetails say isAdmin and not isMfaRegistered.",
    ),
    KriSpec(
        "inactive_users_gt_90d",
        "Entra ID enabled accounts inactive > 90 days",
        "count",
        "higher_is_worse",
        10,
        25,
        "Enabled users whose latest signInActivity time (interactive, non-interactive or "
        "successful) is more than 90 days before the run; a user with none counts when created "
        "more than 90 days before the run.",
    ),
    KriSpec(
        "global_admins",
        "Entra ID Global Administrators",
        "count",
        "higher_is_worse",
        5,
        8,
        "Principals that are members of the Global Administrator directory role (template "
        "62e90394-69f5-4237-9190-012177145e10).",
    ),
    KriSpec(
        "ca_policies_not_enforced",
        "Conditional Access policies disabled or report-only",
        "count",
        "higher_is_worse",
        1,
        3,
        "Conditional Access policies whose state is disabled or enabledForReportingButNotEnforced.",
    ),
    KriSpec(
        "risky_users_at_risk",
        "Entra ID users at risk",
        "count",
        "higher_is_worse",
        1,
        5,
        "riskyUsers (Identity Protection) whose riskState is atRisk or confirmedCompromised.",
    ),
)


# --- formulas (pure) ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Registration:
    user_type: str
    is_admin: bool
    mfa_registered: bool


@dataclass(frozen=True, slots=True)
class User:
    created: datetime | None
    last_activity: datetime | None


def mfa_registered(regs: Sequence[Registration]) -> tuple[int, int]:
    """(member users registered for MFA, member users)."""
    members = [r for r in regs if r.user_type.lower() == "member"]
    return sum(1 for r in members if r.mfa_registered), len(members)


def admins_without_mfa(regs: Sequence[Registration]) -> int:
    return sum(1 for r in regs if r.is_admin and not r.mfa_registered)


def stale_users(users: Sequence[User], now: datetime) -> int:
    """Users whose latest sign-in (else creation) is more than 90 days old; a user with neither
    (creation date unknown, never signed in) counts as stale."""
    cutoff = now - STALE_AFTER
    return sum(1 for u in users if (u.last_activity or u.created or cutoff) <= cutoff)


def policies_not_enforced(states: Sequence[str]) -> int:
    return sum(1 for s in states if s in NOT_ENFORCED)


def users_at_risk(states: Sequence[str]) -> int:
    return sum(1 for s in states if s in AT_RISK)


# --- parsing ------------------------------------------------------------------------------------


def _time(raw: Any, name: str) -> datetime | None:
    value = dig_optional(raw, name, vendor=VENDOR, expect=str)
    return parse_time(value, name, vendor=VENDOR) if value else None


def _registration(raw: Any) -> Registration:
    return Registration(
        user_type=dig(raw, "userType", vendor=VENDOR, expect=str),
        is_admin=dig(raw, "isAdmin", vendor=VENDOR, expect=bool),
        mfa_registered=dig(raw, "isMfaRegistered", vendor=VENDOR, expect=bool),
    )


def _user(raw: Any) -> User:
    dig(raw, "id", vendor=VENDOR, expect=str)
    times = [
        _time(raw, f"signInActivity.{name}")
        for name in (
            "lastSignInDateTime",
            "lastNonInteractiveSignInDateTime",
            "lastSuccessfulSignInDateTime",
        )
    ]
    seen = [t for t in times if t is not None]
    return User(created=_time(raw, "createdDateTime"), last_activity=max(seen) if seen else None)


def _application(raw: Any) -> Application:
    app_id = dig(raw, "appId", vendor=VENDOR, expect=str)
    name = dig_optional(raw, "displayName", vendor=VENDOR, expect=str)
    enabled = dig_optional(raw, "accountEnabled", vendor=VENDOR, expect=bool)
    return Application(app_id=app_id, name=name or app_id, active=enabled is not False)


def tenant_of(ctx: ConnectorContext) -> str:
    tenant = require_config(ctx, "tenant_id", VENDOR, "directory (tenant) ID")
    if not _TENANT.match(tenant):
        raise ConnectorError(
            f"{VENDOR}: the tenant must be a directory (tenant) ID or a verified domain name"
        )
    return tenant


# --- the connector ------------------------------------------------------------------------------


class EntraIdConnector:
    vendor_id = VENDOR
    source_type: SourceType = "vendor_api"
    display_name = "Microsoft Entra ID"
    auth_type: AuthType = "oauth2_client_credentials"
    base_url: str | None = GRAPH
    config_fields: tuple[ConfigField, ...] = (
        ConfigField(
            "tenant_id",
            "Directory (tenant) ID",
            help="Entra admin center > Overview; a GUID (or a verified domain).",
        ),
        ConfigField("client_id", "Application (client) ID", help="The app registration's id."),
        ConfigField(
            "client_secret",
            "Client secret",
            kind="secret",
            help="Application permissions: AuditLog.Read.All, User.Read.All, Policy.Read.All, "
            "RoleManagement.Read.Directory, Application.Read.All (the app list, for "
            "integration drift), optionally IdentityRiskyUser.Read.All.",
        ),
    )
    kris: tuple[KriSpec, ...] = KRIS

    def _client(self, ctx: ConnectorContext) -> tuple[VendorHttp, VendorHttp]:
        tenant = tenant_of(ctx)
        client_id = require_config(ctx, "client_id", VENDOR, "application (client) ID")
        secret = require_secret(ctx, "client_secret", VENDOR, "client secret")
        token_http = ctx.http_env.client(vendor=VENDOR)
        credentials = OAuth2ClientCredentials(
            token_http, TOKEN_URL.format(tenant=tenant), client_id, secret, scope=SCOPE
        )
        graph = ctx.http_env.client(
            vendor=VENDOR, base_url=GRAPH, auth=RefreshingBearer(credentials)
        )
        return token_http, graph

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        try:
            token_http, graph = self._client(ctx)
            with token_http, graph:
                body = graph.get_json("/users", params={"$select": "id", "$top": "1"})
                dig(body, "value", vendor=VENDOR, expect=list)
        except ConnectorError as exc:
            return ProbeResult(False, str(exc))
        return ProbeResult(True, f"{VENDOR}: connected; the app can read the directory")

    def run(self, ctx: ConnectorContext) -> RunResult:
        now = ctx.clock()
        rows: list[Observation] = []
        groups = KriGroups(VENDOR)
        token_http, graph = self._client(ctx)
        with token_http, graph:
            groups.attempt(
                ("mfa_enrollment_pct", "admins_without_mfa"),
                lambda: self._registrations(graph, now, rows, groups.warnings),
            )
            groups.attempt(("inactive_users_gt_90d",), lambda: self._users(graph, now, rows))
            groups.attempt(("global_admins",), lambda: self._global_admins(graph, now, rows))
            groups.attempt(("ca_policies_not_enforced",), lambda: self._policies(graph, now, rows))
            groups.attempt(("risky_users_at_risk",), lambda: self._risky(graph, now, rows))
            apps = read_applications(groups, APPS_PERMISSION, lambda: self._applications(graph))
        return with_applications(groups.result(rows), apps)

    # -- fetching

    def _applications(self, graph: VendorHttp) -> list[Application]:
        return [
            _application(sp)
            for sp in graph.paginate_next_url(
                "/servicePrincipals",
                items="value",
                next_key=NEXT,
                params={"$select": APP_SELECT, "$filter": ENTERPRISE_APPS, "$top": APP_PAGE},
            )
        ]

    def _registrations(
        self, graph: VendorHttp, now: datetime, rows: list[Observation], warnings: list[str]
    ) -> int:
        regs = [
            _registration(r)
            for r in graph.paginate_next_url(
                "/reports/authenticationMethods/userRegistrationDetails",
                items="value",
                next_key=NEXT,
            )
        ]
        part, whole = mfa_registered(regs)
        value = pct(part, whole)
        if value is None:
            warnings.append(f"{VENDOR}: no member users, mfa_enrollment_pct not computed")
        else:
            rows.append(
                ("mfa_enrollment_pct", value, now, {"numerator": part, "denominator": whole})
            )
        admins = sum(1 for r in regs if r.is_admin)
        rows.append(
            (
                "admins_without_mfa",
                float(admins_without_mfa(regs)),
                now,
                {"admins": admins},
            )
        )
        return len(regs)

    def _users(self, graph: VendorHttp, now: datetime, rows: list[Observation]) -> int:
        users = [
            _user(u)
            for u in graph.paginate_next_url(
                "/users",
                items="value",
                next_key=NEXT,
                params={
                    "$select": USER_SELECT,
                    "$filter": "accountEnabled eq true",
                    "$top": "999",
                },
            )
        ]
        stale = stale_users(users, now)
        rows.append(("inactive_users_gt_90d", float(stale), now, {"enabled_users": len(users)}))
        return len(users)

    def _global_admins(self, graph: VendorHttp, now: datetime, rows: list[Observation]) -> int:
        members = list(
            graph.paginate_next_url(
                f"/directoryRoles(roleTemplateId='{GLOBAL_ADMIN_TEMPLATE}')/members",
                items="value",
                next_key=NEXT,
            )
        )
        kinds: dict[str, int] = {}
        for m in members:
            kind = str(dig(m, "@odata.type", vendor=VENDOR, expect=str)).rsplit(".", 1)[-1]
            kinds[kind] = kinds.get(kind, 0) + 1
        rows.append(("global_admins", float(len(members)), now, {"by_type": kinds}))
        return len(members)

    def _policies(self, graph: VendorHttp, now: datetime, rows: list[Observation]) -> int:
        states = [
            str(dig(p, "state", vendor=VENDOR, expect=str))
            for p in graph.paginate_next_url(
                "/identity/conditionalAccess/policies", items="value", next_key=NEXT
            )
        ]
        count = policies_not_enforced(states)
        rows.append(("ca_policies_not_enforced", float(count), now, {"policies": len(states)}))
        return len(states)

    def _risky(self, graph: VendorHttp, now: datetime, rows: list[Observation]) -> int:
        states = [
            str(dig(u, "riskState", vendor=VENDOR, expect=str))
            for u in graph.paginate_next_url(
                "/identityProtection/riskyUsers", items="value", next_key=NEXT
            )
        ]
        rows.append(
            ("risky_users_at_risk", float(users_at_risk(states)), now, {"risky_users": len(states)})
        )
        return len(states)


CONNECTOR = EntraIdConnector()
