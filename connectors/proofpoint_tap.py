"""Proofpoint TAP (Targeted Attack Protection): email threats delivered, clicked and aimed at
people.

Auth: HTTP Basic with the TAP service principal (user) and secret (password), as every TAP API
requires ("Each request MUST use the HTTP Basic Authorization method").

Base URL: ``https://tap-api-v2.proofpoint.com`` (fixed).

Endpoints (Proofpoint "Threat Insight Dashboard API Documentation", help.proofpoint.com/
Threat_Insight_Dashboard/API_Documentation/SIEM_API and .../People_API):

- ``GET /v2/siem/all?format=json&interval=<start>/<end>``: the clicks and messages of known
  threats in that window, as ``clicksPermitted``, ``clicksBlocked``, ``messagesDelivered`` and
  ``messagesBlocked`` lists (plus ``queryEndTime``). No paging; at most one hour per request; a
  204 means no event in the window. Fields read: a click's ``id``; a message's ``GUID`` and
  ``threatsInfoMap[].threatStatus``.

  Covering a period: the current SIEM API page says data can be asked at most twelve hours into
  the past (older revisions and integrations say 7 days), so the connector reads the last 12
  hours as 12 consecutive one-hour ``interval`` windows ending at the run, and de-duplicates
  events by id across windows. The "12h" KRIs say so in their slug.
- ``GET /v2/people/vap?window=30``: the Very Attacked People of the last 30 days: ``users[]`` with
  ``threatStatistics.attackIndex``, and ``totalVapUsers``.
- ``test()``: ``GET /v2/siem/all?format=json&sinceSeconds=60``.

The Campaign API is not used: no KRI here needs campaign details.

Rate limits: SIEM API requests are throttled (429) per the docs; the People API allows 50
requests per rolling 24 hours (a run makes one). The HTTP kit retries a 429 honouring
``Retry-After`` when sent; a Retry-After beyond the kit's ceiling fails the run with RateLimited
(the next scheduled run tries again).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

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
from connectors.fields import Observation, pct, require_secret
from connectors.http import VendorHttp
from connectors.kri_groups import KriGroups

VENDOR = "proofpoint-tap"
BASE = "https://tap-api-v2.proofpoint.com"
LOOKBACK_HOURS = 12
VAP_WINDOW_DAYS = 30

KRIS: tuple[KriSpec, ...] = (
    KriSpec(
        "malicious_clicks_permitted_12h",
        "Clicks permitted to malicious URLs (12 h)",
        "count",
        "higher_is_worse",
        1,
        5,
        "Distinct clicksPermitted events of the SIEM API over the 12 hours before the run "
        "(12 one-hour windows).",
    ),
    KriSpec(
        "threat_messages_delivered_12h",
        "Messages delivered with a threat (12 h)",
        "count",
        "higher_is_worse",
        1,
        10,
        "Distinct messagesDelivered events (by GUID) over the 12 hours before the run with at "
        "least one threat in threatsInfoMap not marked falsePositive.",
    ),
    KriSpec(
        "threat_block_rate_pct",
        "Share of threats blocked (12 h)",
        "%",
        "lower_is_worse",
        99,
        95,
        "(messagesBlocked + clicksBlocked) / (messagesBlocked + clicksBlocked + "
        "messagesDelivered + clicksPermitted) over the 12 hours before the run.",
    ),
    KriSpec(
        "very_attacked_people",
        "Very Attacked People (30 days)",
        "count",
        "higher_is_worse",
        10,
        25,
        "totalVapUsers of the People API for the 30-day window.",
    ),
    KriSpec(
        "top_vap_attack_index",
        "Highest VAP attack index (30 days)",
        "score",
        "higher_is_worse",
        500,
        1000,
        "The largest threatStatistics.attackIndex among the Very Attacked People of the 30-day "
        "window.",
    ),
)

SIEM_LISTS = ("clicksPermitted", "clicksBlocked", "messagesDelivered", "messagesBlocked")
EVENT_ID = {
    "clicksPermitted": "id",
    "clicksBlocked": "id",
    "messagesDelivered": "GUID",
    "messagesBlocked": "GUID",
}


# --- formulas (pure) ----------------------------------------------------------------------------


@dataclass
class SiemEvents:
    """Events of several windows, de-duplicated by id. `live_delivered` holds the delivered
    messages with at least one threat not marked falsePositive."""

    ids: dict[str, set[str]] = field(default_factory=lambda: {k: set() for k in SIEM_LISTS})
    live_delivered: set[str] = field(default_factory=set)
    windows: int = 0

    def count(self, kind: str) -> int:
        return len(self.ids[kind])


def block_rate(events: SiemEvents) -> tuple[int, int]:
    blocked = events.count("messagesBlocked") + events.count("clicksBlocked")
    passed = events.count("messagesDelivered") + events.count("clicksPermitted")
    return blocked, blocked + passed


def top_attack_index(indexes: Sequence[float]) -> float | None:
    return max(indexes) if indexes else None


def hourly_windows(now: datetime, hours: int) -> list[str]:
    """ISO 8601 ``start/end`` intervals of one hour each, oldest first, the last ending at
    `now` (to the second)."""
    end = now.replace(microsecond=0)
    spans = [(end - timedelta(hours=h + 1), end - timedelta(hours=h)) for h in range(hours)]
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    return [f"{a.strftime(fmt)}/{b.strftime(fmt)}" for a, b in reversed(spans)]


def add_window(events: SiemEvents, body: Any) -> None:
    """Fold one SIEM response into `events`."""
    events.windows += 1
    for kind in SIEM_LISTS:
        for index, _ in enumerate(dig(body, kind, vendor=VENDOR, expect=list)):
            path = f"{kind}.{index}.{EVENT_ID[kind]}"
            event_id = str(dig(body, path, vendor=VENDOR, expect=str))
            events.ids[kind].add(event_id)
            if kind == "messagesDelivered":
                threats = dig(body, f"{kind}.{index}.threatsInfoMap", vendor=VENDOR, expect=list)
                statuses = [
                    dig_optional(t, "threatStatus", vendor=VENDOR, expect=str) for t in threats
                ]
                if any(s != "falsePositive" for s in statuses):
                    events.live_delivered.add(event_id)


# --- the connector ------------------------------------------------------------------------------


class ProofpointTapConnector:
    vendor_id = VENDOR
    source_type: SourceType = "vendor_api"
    display_name = "Proofpoint TAP"
    auth_type: AuthType = "basic"
    base_url: str | None = BASE
    config_fields: tuple[ConfigField, ...] = (
        ConfigField(
            "service_principal",
            "Service principal",
            kind="secret",
            help="TAP dashboard > Settings > Connected Applications > Create New Credential.",
        ),
        ConfigField("secret", "Service secret", kind="secret"),
    )
    kris: tuple[KriSpec, ...] = KRIS

    @contextmanager
    def _client(self, ctx: ConnectorContext) -> Iterator[VendorHttp]:
        auth = httpx.BasicAuth(
            require_secret(ctx, "service_principal", VENDOR, "service principal"),
            require_secret(ctx, "secret", VENDOR, "service secret"),
        )
        with ctx.http_env.client(vendor=VENDOR, base_url=BASE, auth=auth) as http:
            yield http

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        try:
            with self._client(ctx) as http:
                http.get("/v2/siem/all", params={"format": "json", "sinceSeconds": 60})
        except ConnectorError as exc:
            return ProbeResult(False, str(exc))
        return ProbeResult(True, f"{VENDOR}: connected; the SIEM API answers")

    def run(self, ctx: ConnectorContext) -> RunResult:
        now = ctx.clock()
        rows: list[Observation] = []
        groups = KriGroups(VENDOR)
        warnings = groups.warnings
        with self._client(ctx) as http:
            groups.attempt_rows(
                (
                    "malicious_clicks_permitted_12h",
                    "threat_messages_delivered_12h",
                    "threat_block_rate_pct",
                ),
                lambda: self._siem(http, now, warnings),
                into=rows,
            )
            groups.attempt_rows(
                ("very_attacked_people", "top_vap_attack_index"),
                lambda: self._people(http, now, warnings),
                into=rows,
            )
        return groups.result(rows)

    def _siem(
        self, http: VendorHttp, now: datetime, warnings: list[str]
    ) -> tuple[list[Observation], int]:
        events = SiemEvents()
        for interval in hourly_windows(now, LOOKBACK_HOURS):
            response = http.get("/v2/siem/all", params={"format": "json", "interval": interval})
            if response.status_code == 204:  # no event in this window
                events.windows += 1
                continue
            add_window(events, http.json_of(response))
        window = {"hours": LOOKBACK_HOURS, "windows": events.windows}
        out: list[Observation] = [
            (
                "malicious_clicks_permitted_12h",
                float(events.count("clicksPermitted")),
                now,
                {**window, "clicks_blocked": events.count("clicksBlocked")},
            ),
            (
                "threat_messages_delivered_12h",
                float(len(events.live_delivered)),
                now,
                {**window, "delivered_events": events.count("messagesDelivered")},
            ),
        ]
        blocked, total = block_rate(events)
        rate = pct(blocked, total)
        if rate is None:
            warnings.append(
                f"{VENDOR}: no threat events in 12 hours, threat_block_rate_pct not computed"
            )
        else:
            detail = {**window, "numerator": blocked, "denominator": total}
            out.append(("threat_block_rate_pct", rate, now, detail))
        return out, sum(events.count(k) for k in SIEM_LISTS)

    def _people(
        self, http: VendorHttp, now: datetime, warnings: list[str]
    ) -> tuple[list[Observation], int]:
        body = http.get_json("/v2/people/vap", params={"window": VAP_WINDOW_DAYS})
        total = dig(body, "totalVapUsers", vendor=VENDOR, expect=int)
        users = dig(body, "users", vendor=VENDOR, expect=list)
        indexes = [
            float(dig(body, f"users.{i}.threatStatistics.attackIndex", vendor=VENDOR, expect=float))
            for i in range(len(users))
        ]
        window = {"window_days": VAP_WINDOW_DAYS}
        out: list[Observation] = [("very_attacked_people", float(total), now, window)]
        top = top_attack_index(indexes)
        if top is None:
            warnings.append(f"{VENDOR}: no Very Attacked People, top_vap_attack_index not computed")
        else:
            out.append(("top_vap_attack_index", top, now, {**window, "users": len(users)}))
        return out, len(users)


CONNECTOR = ProofpointTapConnector()
