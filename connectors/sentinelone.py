"""SentinelOne Singularity: agent hygiene and threat handling.

Auth: an API token (a service user's), sent as ``Authorization: ApiToken <token>``.

Base URL: the tenant's management console, ``https://<tenant>.sentinelone.net`` (config).

Endpoints (SentinelOne Management API v2.1; the reference ships inside the console at
``/api-doc/`` and is not in our doc corpus, so shapes follow the public integrations that
quote it — Cortex XSOAR "SentinelOne v2", Rapid7 InsightConnect, Google SecOps — and the
response samples they record):

- ``GET /web/api/v2.1/agents``: ``limit`` ≤ 1000, cursor paging with ``cursor`` =
  ``pagination.nextCursor`` until it is null; fields read: ``id``, ``isDecommissioned``,
  ``isUpToDate``, ``lastActiveDate``, ``infected``. Decommissioned agents are left out.
- ``GET /web/api/v2.1/threats``: same paging; once with ``incidentStatuses=unresolved,
  in_progress`` (the open threats) and once with ``createdAt__gte=<run - 30 days>`` (for the
  mitigation time). Fields read: ``threatInfo.incidentStatus``, ``threatInfo.createdAt`` and, in
  the top-level ``mitigationStatus`` list, each action's ``mitigationEndedAt``.
- ``test()``: ``GET /web/api/v2.1/agents?limit=1`` — cheap and, unlike ``/system/status``,
  certainly authenticated.

Rate limits: per token and endpoint (documented in the console only); a 429 is retried by the
HTTP kit honouring ``Retry-After`` when sent, with backoff otherwise. Pages of 1000 keep a run to
a few calls.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

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
from connectors.fields import (
    Observation,
    parse_time,
    pct,
    require_config,
    require_secret,
)
from connectors.http import VendorHttp
from connectors.kri_groups import KriGroups

VENDOR = "sentinelone"
API = "/web/api/v2.1"
PAGE = 1000
DISCONNECTED_AFTER = timedelta(days=7)
MITIGATION_WINDOW = timedelta(days=30)

KRIS: tuple[KriSpec, ...] = (
    KriSpec(
        "agents_out_of_date_pct",
        "SentinelOne agents out of date",
        "%",
        "higher_is_worse",
        10,
        25,
        "Agents (not decommissioned) whose isUpToDate is false, as a share of those agents.",
    ),
    KriSpec(
        "agents_not_connected_7d_pct",
        "SentinelOne agents silent for 7 days",
        "%",
        "higher_is_worse",
        5,
        10,
        "Agents (not decommissioned) whose lastActiveDate is more than 7 days before the run, "
        "as a share of those agents.",
    ),
    KriSpec(
        "infected_agents",
        "Infected SentinelOne agents",
        "count",
        "higher_is_worse",
        1,
        5,
        "Agents (not decommissioned) whose infected flag is true (active threats on them).",
    ),
    KriSpec(
        "unresolved_threats",
        "Unresolved SentinelOne threats",
        "count",
        "higher_is_worse",
        5,
        20,
        "Threats whose threatInfo.incidentStatus is unresolved or in_progress.",
    ),
    KriSpec(
        "mean_time_to_mitigate_hours",
        "Mean time to mitigate threats (30 days)",
        "hours",
        "higher_is_worse",
        4,
        24,
        "Over threats created in the 30 days before the run with a finished mitigation action, "
        "the mean hours from threatInfo.createdAt to the latest mitigationEndedAt.",
    ),
)


# --- formulas (pure) ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Agent:
    up_to_date: bool
    last_active: datetime | None
    infected: bool


def out_of_date(agents: Sequence[Agent]) -> tuple[int, int]:
    return sum(1 for a in agents if not a.up_to_date), len(agents)


def not_connected(agents: Sequence[Agent], now: datetime) -> tuple[int, int]:
    cutoff = now - DISCONNECTED_AFTER
    late = sum(1 for a in agents if a.last_active is None or a.last_active < cutoff)
    return late, len(agents)


def infected(agents: Sequence[Agent]) -> int:
    return sum(1 for a in agents if a.infected)


def mean_time_to_mitigate(
    threats: Sequence[tuple[datetime, datetime | None]],
) -> tuple[float | None, int, int]:
    """(mean hours created → mitigated over mitigated threats, mitigated, not yet mitigated)."""
    hours = [(end - start).total_seconds() / 3600 for start, end in threats if end is not None]
    pending = sum(1 for _, end in threats if end is None)
    if not hours:
        return None, 0, pending
    return round(sum(hours) / len(hours), 2), len(hours), pending


# --- parsing ------------------------------------------------------------------------------------


def _agent(raw: Any) -> Agent | None:
    """The agent, or None when it is decommissioned."""
    dig(raw, "id", vendor=VENDOR, expect=str)
    if dig_optional(raw, "isDecommissioned", vendor=VENDOR, expect=bool):
        return None
    active = dig_optional(raw, "lastActiveDate", vendor=VENDOR, expect=str)
    return Agent(
        up_to_date=dig(raw, "isUpToDate", vendor=VENDOR, expect=bool),
        last_active=parse_time(active, "lastActiveDate", vendor=VENDOR) if active else None,
        infected=dig(raw, "infected", vendor=VENDOR, expect=bool),
    )


def _mitigation(raw: Any) -> tuple[datetime, datetime | None]:
    created = parse_time(
        dig(raw, "threatInfo.createdAt", vendor=VENDOR, expect=str),
        "threatInfo.createdAt",
        vendor=VENDOR,
    )
    ends: list[datetime] = []
    actions = dig_optional(raw, "mitigationStatus", vendor=VENDOR, expect=list) or []
    for index in range(len(actions)):
        name = f"mitigationStatus.{index}.mitigationEndedAt"
        ended = dig_optional(raw, name, vendor=VENDOR, expect=str)
        if ended:
            ends.append(parse_time(ended, name, vendor=VENDOR))
    return created, max(ends) if ends else None


# --- the connector ------------------------------------------------------------------------------


class SentinelOneConnector:
    vendor_id = VENDOR
    source_type: SourceType = "vendor_api"
    display_name = "SentinelOne"
    auth_type: AuthType = "api_key"
    base_url: str | None = None
    config_fields: tuple[ConfigField, ...] = (
        ConfigField(
            "console_url",
            "Management console URL",
            kind="url",
            help="https://<tenant>.sentinelone.net",
        ),
        ConfigField(
            "api_token",
            "API token",
            kind="secret",
            help="A service user's API token with read access to agents and threats.",
        ),
    )
    kris: tuple[KriSpec, ...] = KRIS

    @contextmanager
    def _client(self, ctx: ConnectorContext) -> Iterator[VendorHttp]:
        console = require_config(ctx, "console_url", VENDOR, "management console URL")
        if not console.startswith("https://"):
            console = f"https://{console.removeprefix('http://')}"
        token = require_secret(ctx, "api_token", VENDOR, "API token")
        auth = HeaderToken("Authorization", token, prefix="ApiToken ")
        with ctx.http_env.client(vendor=VENDOR, base_url=console.rstrip("/"), auth=auth) as http:
            yield http

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        try:
            with self._client(ctx) as http:
                body = http.get_json(f"{API}/agents", params={"limit": 1})
                dig(body, "data", vendor=VENDOR, expect=list)
        except ConnectorError as exc:
            return ProbeResult(False, str(exc))
        return ProbeResult(True, f"{VENDOR}: connected; agents are readable")

    def run(self, ctx: ConnectorContext) -> RunResult:
        now = ctx.clock()
        rows: list[Observation] = []
        groups = KriGroups(VENDOR)
        warnings = groups.warnings
        with self._client(ctx) as http:
            groups.attempt_rows(
                ("agents_out_of_date_pct", "agents_not_connected_7d_pct", "infected_agents"),
                lambda: self._agents(http, now, warnings),
                into=rows,
            )
            groups.attempt_rows(
                ("unresolved_threats",), lambda: self._open_threats(http, now), into=rows
            )
            groups.attempt_rows(
                ("mean_time_to_mitigate_hours",), lambda: self._mttm(http, now, warnings), into=rows
            )
        return groups.result(rows)

    def _pages(self, http: VendorHttp, path: str, params: dict[str, Any]) -> Iterator[Any]:
        return http.paginate_cursor(
            f"{API}/{path}",
            items="data",
            cursor="pagination.nextCursor",
            cursor_param="cursor",
            params={"limit": PAGE, **params},
        )

    def _agents(
        self, http: VendorHttp, now: datetime, warnings: list[str]
    ) -> tuple[list[Observation], int]:
        raw = list(self._pages(http, "agents", {}))
        agents = [a for a in (_agent(r) for r in raw) if a is not None]
        out: list[Observation] = []
        for slug, (part, whole) in (
            ("agents_out_of_date_pct", out_of_date(agents)),
            ("agents_not_connected_7d_pct", not_connected(agents, now)),
        ):
            value = pct(part, whole)
            if value is None:
                warnings.append(f"{VENDOR}: no active agents, {slug} not computed")
                continue
            out.append((slug, value, now, {"numerator": part, "denominator": whole}))
        out.append(("infected_agents", float(infected(agents)), now, {"agents": len(agents)}))
        return out, len(raw)

    def _open_threats(self, http: VendorHttp, now: datetime) -> tuple[list[Observation], int]:
        raw = list(self._pages(http, "threats", {"incidentStatuses": "unresolved,in_progress"}))
        statuses = [dig(r, "threatInfo.incidentStatus", vendor=VENDOR, expect=str) for r in raw]
        count = sum(1 for s in statuses if s in ("unresolved", "in_progress"))
        return [("unresolved_threats", float(count), now, {"threats": len(raw)})], len(raw)

    def _mttm(
        self, http: VendorHttp, now: datetime, warnings: list[str]
    ) -> tuple[list[Observation], int]:
        since = (now - MITIGATION_WINDOW).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        raw = list(self._pages(http, "threats", {"createdAt__gte": since}))
        mean, mitigated, pending = mean_time_to_mitigate([_mitigation(r) for r in raw])
        if mean is None:
            warnings.append(
                f"{VENDOR}: no threat mitigated in the last 30 days, "
                "mean_time_to_mitigate_hours not computed"
            )
            return [], len(raw)
        detail = {"mitigated": mitigated, "not_mitigated": pending, "since": since}
        return [("mean_time_to_mitigate_hours", mean, now, detail)], len(raw)


CONNECTOR = SentinelOneConnector()
