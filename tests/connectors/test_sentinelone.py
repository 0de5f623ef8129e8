"""SentinelOne connector against recorded responses (tests/connectors/harness.py)."""

from __future__ import annotations

import pytest

from connectors.base import ConnectorContext, RunResult
from connectors.errors import AuthFailed
from connectors.sentinelone import CONNECTOR
from tests.connectors.harness import (
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

VENDOR = "sentinelone"
TOKEN = "s1-api-token-XYZ"
CONFIG = {"console_url": "https://acme.sentinelone.net"}
CURSOR = "YWdlbnRfaWQ6MTAwMw=="
SINCE = "2026-10-27T12:00:00.000000Z"
AGENTS = "/web/api/v2.1/agents"
THREATS = "/web/api/v2.1/threats"

AGENT_SLUGS = ("agents_out_of_date_pct", "agents_not_connected_7d_pct", "infected_agents")


def routes(**override: list[Resp]) -> list[Route]:
    table: dict[str, tuple[str, list[Resp], dict[str, str] | None]] = {
        "agents2": (AGENTS, [Resp(fixture="agents_page2.json")], {"cursor": CURSOR}),
        "agents": (AGENTS, [Resp(fixture="agents_page1.json")], None),
        "open": (
            THREATS,
            [Resp(fixture="threats_open.json")],
            {"incidentStatuses": "unresolved,in_progress"},
        ),
        "recent": (THREATS, [Resp(fixture="threats_recent.json")], {"createdAt__gte": SINCE}),
    }
    return [
        Route("GET", path, override.get(name, responses), query=query)
        for name, (path, responses, query) in table.items()
    ]


def context(recorded: Recorded) -> tuple[ConnectorContext, list[float]]:
    return make_ctx(VENDOR, config=CONFIG, credentials={"api_token": TOKEN}, recorded=recorded)


def run(recorded: Recorded) -> tuple[RunResult, list[float]]:
    ctx, sleeps = context(recorded)
    return CONNECTOR.run(ctx), sleeps


def test_success_computes_every_kri_from_the_fixtures() -> None:
    recorded = Recorded(routes())
    result, _ = run(recorded)
    assert recorded.unmatched == []
    assert values(result) == {
        # 4 agents once 1003 (decommissioned) is left out; 1002 and 1005 not up to date
        "agents_out_of_date_pct": 50.0,
        # last active before Nov 19 12:00: only 1002 (Nov 10) -> 1/4
        "agents_not_connected_7d_pct": 25.0,
        # infected: 1002 and 1004
        "infected_agents": 2.0,
        # one unresolved, one in_progress
        "unresolved_threats": 2.0,
        # 3001: created Nov 20 00:00, last mitigation ended 02:00 -> 2 h; 3002: 6 h;
        # 2001 not mitigated yet -> (2 + 6) / 2
        "mean_time_to_mitigate_hours": 4.0,
    }
    assert details(result)["mean_time_to_mitigate_hours"] == {
        "mitigated": 2,
        "not_mitigated": 1,
        "since": SINCE,
    }
    assert result.items_fetched == 5 + 2 + 3
    assert result.warnings == ()
    assert_header_sent(recorded, "Authorization", f"ApiToken {TOKEN}")
    assert_secrets_not_in_urls(recorded, [TOKEN])
    assert all(c.url.host == "acme.sentinelone.net" for c in recorded.calls)


def test_agents_follow_next_cursor() -> None:
    recorded = Recorded(routes())
    run(recorded)
    pages = recorded.calls_to(AGENTS)
    assert len(pages) == 2
    assert "cursor" not in pages[0].params
    assert pages[1].params["cursor"] == CURSOR
    assert pages[0].params["limit"] == "1000"


def test_401_fails_probe_and_run() -> None:
    recorded = Recorded(
        routes(
            agents=[
                Resp(401, json={"errors": [{"code": 4010010, "title": "Authentication Failed"}]})
            ]
        )
    )
    ctx, _ = context(recorded)
    probe = CONNECTOR.test(ctx)
    assert not probe.ok
    assert "401" in probe.message
    assert_no_secret_in(probe.message, [TOKEN])
    with pytest.raises(AuthFailed) as caught:
        CONNECTOR.run(ctx)
    assert caught.value.status == 401
    assert len(recorded.calls) == 2  # one probe, one run: never retried


def test_403_everywhere_fails_probe_and_run() -> None:
    denied = [Resp(403, json={"errors": [{"code": 4030010, "title": "Insufficient permissions"}]})]
    recorded = Recorded(routes(**dict.fromkeys(("agents", "agents2", "open", "recent"), denied)))
    ctx, _ = context(recorded)
    probe = CONNECTOR.test(ctx)
    assert not probe.ok
    assert "403" in probe.message
    with pytest.raises(AuthFailed) as caught:
        CONNECTOR.run(ctx)
    assert caught.value.status == 403


def test_403_on_threats_only_leaves_those_kris_out() -> None:
    denied = [Resp(403, json={"errors": [{"code": 4030010, "title": "Insufficient permissions"}]})]
    result, _ = run(Recorded(routes(open=denied, recent=denied)))
    assert set(values(result)) == {
        "agents_out_of_date_pct",
        "agents_not_connected_7d_pct",
        "infected_agents",
    }
    assert len(result.warnings) == 2
    assert "unresolved_threats" in result.warnings[0]
    assert "mean_time_to_mitigate_hours" in result.warnings[1]


def test_429_honours_retry_after() -> None:
    limited = Resp(
        429,
        json={"errors": [{"code": 4290010, "title": "Too many requests"}]},
        headers={"Retry-After": "3"},
    )
    recorded = Recorded(routes(open=[limited, Resp(fixture="threats_open.json")]))
    result, sleeps = run(recorded)
    assert sleeps == [3.0]
    assert values(result)["unresolved_threats"] == 2.0


def test_5xx_is_retried_then_its_group_is_left_out() -> None:
    recorded = Recorded(routes(agents=[Resp(502, body="bad gateway")]))
    result, _ = run(recorded)
    assert len(recorded.calls_to(AGENTS)) == 4
    assert_group_left_out(result, AGENT_SLUGS, "502")


def test_renamed_field_leaves_its_group_out_naming_the_field() -> None:
    body = load_fixture(VENDOR, "agents_page2.json")
    for agent in body["data"]:
        agent["upToDate"] = agent.pop("isUpToDate")
    result, _ = run(Recorded(routes(agents2=[Resp(json=body)])))
    assert_group_left_out(result, AGENT_SLUGS, "'isUpToDate'")
