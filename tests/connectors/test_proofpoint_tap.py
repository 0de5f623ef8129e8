"""Proofpoint TAP connector against recorded responses (tests/connectors/harness.py)."""

from __future__ import annotations

import base64

import pytest

from connectors.base import ConnectorContext, RunResult
from connectors.errors import AuthFailed
from connectors.proofpoint_tap import CONNECTOR, hourly_windows
from tests.connectors.harness import (
    FIXED_NOW,
    Recorded,
    Resp,
    Route,
    assert_group_left_out,
    assert_header_sent,
    assert_no_secret_in,
    assert_secrets_not_in_urls,
    details,
    load_fixture,
    make_ctx,
    values,
)

VENDOR = "proofpoint-tap"
PRINCIPAL = "pp-principal-123"
SECRET = "pp-secret-XYZ"
LAST = "2026-11-26T11:00:00Z/2026-11-26T12:00:00Z"
BEFORE = "2026-11-26T10:00:00Z/2026-11-26T11:00:00Z"

SIEM_SLUGS = (
    "malicious_clicks_permitted_12h",
    "threat_messages_delivered_12h",
    "threat_block_rate_pct",
)


def routes(**override: list[Resp]) -> list[Route]:
    table: dict[str, tuple[str, list[Resp], dict[str, str] | None]] = {
        "siem_last": ("/v2/siem/all", [Resp(fixture="siem_11h.json")], {"interval": LAST}),
        "siem_before": ("/v2/siem/all", [Resp(fixture="siem_10h.json")], {"interval": BEFORE}),
        "siem": ("/v2/siem/all", [Resp(204)], None),  # no event in the other windows
        "vap": ("/v2/people/vap", [Resp(fixture="vap.json")], {"window": "30"}),
    }
    return [
        Route("GET", path, override.get(name, responses), query=query)
        for name, (path, responses, query) in table.items()
    ]


def context(recorded: Recorded) -> tuple[ConnectorContext, list[float]]:
    credentials = {"service_principal": PRINCIPAL, "secret": SECRET}
    return make_ctx(VENDOR, config={}, credentials=credentials, recorded=recorded)


def run(recorded: Recorded) -> tuple[RunResult, list[float]]:
    ctx, sleeps = context(recorded)
    return CONNECTOR.run(ctx), sleeps


def test_success_computes_every_kri_from_the_fixtures() -> None:
    recorded = Recorded(routes())
    result, _ = run(recorded)
    assert recorded.unmatched == []
    assert values(result) == {
        # clicksPermitted ...0001 and ...0002 (0002 repeats in the 10h window: counted once)
        "malicious_clicks_permitted_12h": 2.0,
        # delivered m1 (active) and m3 (active); m2's only threat is a falsePositive
        "threat_messages_delivered_12h": 2.0,
        # blocked: 4 messages + 2 clicks = 6; passed: 3 messages + 2 clicks = 5 -> 6/11
        "threat_block_rate_pct": 54.55,
        "very_attacked_people": 2.0,
        "top_vap_attack_index": 1200.0,
    }
    assert details(result)["threat_block_rate_pct"] == {
        "hours": 12,
        "windows": 12,
        "numerator": 6,
        "denominator": 11,
    }
    assert result.items_fetched == 2 + 2 + 3 + 4 + 2
    assert result.warnings == ()
    basic = base64.b64encode(f"{PRINCIPAL}:{SECRET}".encode()).decode()
    assert_header_sent(recorded, "Authorization", f"Basic {basic}")
    assert_secrets_not_in_urls(recorded, [PRINCIPAL, SECRET])
    assert all(c.url.host == "tap-api-v2.proofpoint.com" for c in recorded.calls)


def test_siem_covers_twelve_contiguous_hourly_windows() -> None:
    recorded = Recorded(routes())
    run(recorded)
    calls = recorded.calls_to("/v2/siem/all")
    intervals = [c.params["interval"] for c in calls]
    assert intervals == hourly_windows(FIXED_NOW, 12)
    assert intervals[0] == "2026-11-26T00:00:00Z/2026-11-26T01:00:00Z"
    assert intervals[-1] == LAST
    assert all(c.params["format"] == "json" for c in calls)


def test_401_fails_probe_and_run() -> None:
    refused = [Resp(401, body="Unauthorized")]
    recorded = Recorded(routes(siem=refused, siem_last=refused, siem_before=refused, vap=refused))
    ctx, _ = context(recorded)
    probe = CONNECTOR.test(ctx)
    assert not probe.ok
    assert "401" in probe.message
    assert_no_secret_in(probe.message, [PRINCIPAL, SECRET])
    with pytest.raises(AuthFailed) as caught:
        CONNECTOR.run(ctx)
    assert caught.value.status == 401
    assert len(recorded.calls) == 2  # never retried


def test_403_everywhere_fails_probe_and_run() -> None:
    denied = [Resp(403, body="Forbidden")]
    recorded = Recorded(routes(siem=denied, siem_last=denied, siem_before=denied, vap=denied))
    ctx, _ = context(recorded)
    probe = CONNECTOR.test(ctx)
    assert not probe.ok
    assert "403" in probe.message
    with pytest.raises(AuthFailed) as caught:
        CONNECTOR.run(ctx)
    assert caught.value.status == 403


def test_403_on_people_api_only_leaves_vap_kris_out() -> None:
    result, _ = run(Recorded(routes(vap=[Resp(403, body="Forbidden")])))
    assert set(values(result)) == {
        "malicious_clicks_permitted_12h",
        "threat_messages_delivered_12h",
        "threat_block_rate_pct",
    }
    assert len(result.warnings) == 1
    assert "very_attacked_people" in result.warnings[0]
    assert "top_vap_attack_index" in result.warnings[0]
    assert "403" in result.warnings[0]


def test_429_honours_retry_after() -> None:
    limited = Resp(429, body="Too Many Requests", headers={"Retry-After": "30"})
    recorded = Recorded(routes(vap=[limited, Resp(fixture="vap.json")]))
    result, sleeps = run(recorded)
    assert sleeps == [30.0]
    assert len(recorded.calls_to("/v2/people/vap")) == 2
    assert values(result)["very_attacked_people"] == 2.0


def test_5xx_is_retried_then_its_group_is_left_out() -> None:
    recorded = Recorded(routes(siem_last=[Resp(500, body="Internal Server Error")]))
    result, _ = run(recorded)
    assert len([c for c in recorded.calls if c.params.get("interval") == LAST]) == 4
    assert_group_left_out(result, SIEM_SLUGS, "500")


def test_renamed_field_leaves_its_group_out_naming_the_field() -> None:
    body = load_fixture(VENDOR, "siem_10h.json")
    body["clicksAllowed"] = body.pop("clicksPermitted")
    result, _ = run(Recorded(routes(siem_before=[Resp(json=body)])))
    assert_group_left_out(result, SIEM_SLUGS, "'clicksPermitted'")
