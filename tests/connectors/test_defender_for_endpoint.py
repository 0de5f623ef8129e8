"""Defender for Endpoint connector against recorded responses (tests/connectors/harness.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from connectors.base import RunResult
from connectors.defender_for_endpoint import CONNECTOR
from connectors.errors import AuthFailed
from tests.connectors.harness import (
    Recorded,
    Resp,
    Route,
    assert_group_left_out,
    assert_no_secret_in,
    assert_secrets_not_in_urls,
    details,
    load_fixture,
    make_ctx,
    sim_ctx,
    values,
)
from tests.connectors.sims.core import SimRequest
from tests.connectors.sims.defender import DefenderSim

VENDOR = "defender-for-endpoint"
SECRET = "mde-client-secret-XYZ"
TENANT = "7f3c1b2a-0d4e-4f7a-9a59-1c1f0b5e7a01"
CONFIG = {"tenant_id": TENANT, "client_id": "mde-client-id"}
API = "api.securitycenter.microsoft.com"


def routes(**override: list[Resp]) -> list[Route]:
    """Every endpoint answering its fixture; `override` replaces a route's responses by name."""
    table: dict[str, tuple[str, str, list[Resp], dict[str, str] | None]] = {
        "token": ("POST", f"/{TENANT}/oauth2/v2.0/token", [Resp(fixture="token.json")], None),
        "machines": ("GET", "/api/machines", [Resp(fixture="machines.json")], None),
        "score": ("GET", "/api/exposureScore", [Resp(fixture="exposure_score.json")], None),
        "alerts": ("GET", "/api/alerts", [Resp(fixture="alerts.json")], None),
        "vulns": ("GET", "/api/vulnerabilities", [Resp(fixture="vulnerabilities.json")], None),
    }
    return [
        Route(method, path, override.get(name, responses), query=query)
        for name, (method, path, responses, query) in table.items()
    ]


def context(recorded: Recorded) -> Any:
    ctx, sleeps = make_ctx(
        VENDOR, config=CONFIG, credentials={"client_secret": SECRET}, recorded=recorded
    )
    return ctx, sleeps


def run(recorded: Recorded) -> tuple[RunResult, list[float]]:
    ctx, sleeps = context(recorded)
    return CONNECTOR.run(ctx), sleeps


def test_success_computes_every_kri_from_the_fixtures() -> None:
    recorded = Recorded(routes())
    result, _ = run(recorded)
    assert recorded.unmatched == []
    assert values(result) == {
        # onboarded (the server's filter; m2 says "onboarded", m5 omits the field as Microsoft's
        # example does): m1 Active, m2 Inactive, m4 ImpairedCommunication, m5 Active -> 2 of 4
        "unhealthy_sensors_pct": 50.0,
        # exposureLevel High: m2 and m5 of the 4 onboarded
        "high_exposure_machines_pct": 50.0,
        "exposure_score": 41.38,
        # open High alerts (the server filtered out the resolved ones): New, inProgress -> 2
        "open_high_severity_alerts": 2.0,
        # 1001 (public exploit, 3 machines) and 1004 (verified, 1 machine); 1002 has no
        # exposed machine, 1003 no exploit
        "critical_vulns_with_exploit": 2.0,
    }
    assert details(result)["unhealthy_sensors_pct"] == {"numerator": 2, "denominator": 4}
    assert result.items_fetched == 4 + 1 + 2 + 4
    assert result.warnings == ()
    token_call = recorded.calls[0]
    assert token_call.url.host == "login.microsoftonline.com"
    assert token_call.form()["scope"] == "https://api.securitycenter.microsoft.com/.default"
    assert token_call.form()["grant_type"] == "client_credentials"
    assert_secrets_not_in_urls(recorded, [SECRET])
    for call in recorded.calls[1:]:
        assert call.url.host == API
        assert call.headers["Authorization"] == "Bearer mde-access-token"
    alerts = recorded.calls_to("/api/alerts")[0].params
    assert alerts["$filter"] == "severity eq 'High' and status ne 'Resolved'"
    assert (alerts["$top"], alerts["$skip"]) == ("10000", "0")
    machines = recorded.calls_to("/api/machines")[0].params
    assert machines["$filter"] == "onboardingStatus eq 'Onboarded'"
    assert (machines["$top"], machines["$skip"]) == ("10000", "0")
    vulns = recorded.calls_to("/api/vulnerabilities")[0].params
    assert (vulns["$filter"], vulns["$top"]) == ("severity eq 'Critical'", "8000")


def test_regional_base_url_override() -> None:
    recorded = Recorded(routes())
    ctx, _ = make_ctx(
        VENDOR,
        config={**CONFIG, "api_base_url": "https://eu.api.security.microsoft.com"},
        credentials={"client_secret": SECRET},
        recorded=recorded,
    )
    CONNECTOR.run(ctx)
    assert recorded.unmatched == []
    assert {c.url.host for c in recorded.calls[1:]} == {"eu.api.security.microsoft.com"}


def test_bad_client_secret_401() -> None:
    refused = Resp(
        401,
        json={
            "error": "invalid_client",
            "error_description": "AADSTS7000215: Invalid client secret provided.",
        },
    )
    recorded = Recorded(routes(token=[refused]))
    ctx, _ = context(recorded)
    probe = CONNECTOR.test(ctx)
    assert not probe.ok
    assert "invalid_client" in probe.message
    assert_no_secret_in(probe.message, [SECRET])
    with pytest.raises(AuthFailed) as caught:
        CONNECTOR.run(ctx)
    assert caught.value.status == 401


def test_403_everywhere_fails_probe_and_run() -> None:
    denied = [
        Resp(403, json={"error": {"code": "Forbidden", "message": "Missing application roles"}})
    ]
    names = ("machines", "score", "alerts", "vulns")
    recorded = Recorded(routes(**dict.fromkeys(names, denied)))
    ctx, _ = context(recorded)
    probe = CONNECTOR.test(ctx)
    assert not probe.ok
    assert "403" in probe.message
    with pytest.raises(AuthFailed) as caught:
        CONNECTOR.run(ctx)
    assert caught.value.status == 403
    assert "Missing application roles" in str(caught.value)


def test_403_on_vulnerabilities_only_leaves_that_kri_out() -> None:
    denied = [
        Resp(403, json={"error": {"code": "Forbidden", "message": "Missing application roles"}})
    ]
    result, _ = run(Recorded(routes(vulns=denied)))
    assert "critical_vulns_with_exploit" not in values(result)
    assert len(values(result)) == 4
    assert len(result.warnings) == 1
    assert "critical_vulns_with_exploit" in result.warnings[0]
    assert "403" in result.warnings[0]


def test_429_honours_retry_after() -> None:
    limited = Resp(
        429,
        json={"error": {"code": "TooManyRequests", "message": "slow down"}},
        headers={"Retry-After": "12"},
    )
    recorded = Recorded(routes(score=[limited, Resp(fixture="exposure_score.json")]))
    result, sleeps = run(recorded)
    assert sleeps == [12.0]
    assert len(recorded.calls_to("/api/exposureScore")) == 2
    assert values(result)["exposure_score"] == 41.38


def test_5xx_is_retried_then_its_group_is_left_out() -> None:
    recorded = Recorded(routes(alerts=[Resp(500, body="internal error")]))
    result, _ = run(recorded)
    assert len(recorded.calls_to("/api/alerts")) == 4
    assert_group_left_out(result, ("open_high_severity_alerts",), "500")


def test_renamed_field_leaves_its_group_out_naming_the_field() -> None:
    body = load_fixture(VENDOR, "machines.json")
    for machine in body["value"]:
        machine["sensorHealthState"] = machine.pop("healthStatus")
    result, _ = run(Recorded(routes(machines=[Resp(json=body)])))
    assert_group_left_out(
        result, ("unhealthy_sensors_pct", "high_exposure_machines_pct"), "'healthStatus'"
    )


# --- at the documented caps, on a synthetic tenant (tests/connectors/sims/defender.py) ----------


def sim_run(sim: DefenderSim) -> tuple[RunResult, list[SimRequest], list[float]]:
    calls: list[SimRequest] = []
    sleeps: list[float] = []
    ctx = sim_ctx(
        VENDOR,
        sim,
        config=CONFIG,
        credentials={"client_secret": SECRET},
        calls=calls,
        sleeps=sleeps,
    )
    return CONNECTOR.run(ctx), calls, sleeps


@pytest.mark.parametrize("next_links", [True, False], ids=["with-next-links", "links-missing"])
def test_a_paged_tenant_is_read_whole_by_top_and_skip(next_links: bool) -> None:
    # 25,001 machines: three pages at the 10,000 cap. Before issue 14 the connector followed
    # @odata.nextLink alone: with the link missing (as reported) it stopped after 10,000.
    sim = DefenderSim(machines=25_001, alerts=30_001, vulns=9_001, next_links=next_links)
    result, calls, _ = sim_run(sim)
    onboarded = [i for i in range(25_001) if i % 25 != 0]
    assert values(result) == {
        "unhealthy_sensors_pct": round(
            100 * sum(1 for i in onboarded if i % 10 == 0) / len(onboarded), 2
        ),
        "high_exposure_machines_pct": round(
            100 * sum(1 for i in onboarded if i % 5 == 0) / len(onboarded), 2
        ),
        "exposure_score": 41.38,
        "open_high_severity_alerts": float(sum(1 for i in range(30_001) if i % 6 in (2, 4))),
        "critical_vulns_with_exploit": float(sum(1 for i in range(9_001) if i % 6 in (2, 4))),
    }
    assert details(result)["unhealthy_sensors_pct"]["denominator"] == len(onboarded)
    machine_pages = [c.query for c in calls if c.path == "/api/machines"]
    assert [(q["$top"], q["$skip"]) for q in machine_pages] == [
        ("10000", "0"),
        ("10000", "10000"),
        ("10000", "20000"),
    ]
    vuln_pages = [c.query["$skip"] for c in calls if c.path == "/api/vulnerabilities"]
    assert vuln_pages == ["0", "8000"]  # the 8,000 cap of List vulnerabilities


def test_an_empty_tenant_answers_404_and_that_is_no_data_not_a_failure() -> None:
    result, calls, _ = sim_run(DefenderSim(machines=0))
    assert values(result) == {"open_high_severity_alerts": 0.0, "critical_vulns_with_exploit": 0.0}
    assert any("no onboarded machines" in w for w in result.warnings)
    assert any("no exposure score yet (404)" in w for w in result.warnings)
    assert {c.path for c in calls if c.path.startswith("/api/")} == {
        "/api/machines",
        "/api/exposureScore",
        "/api/alerts",
        "/api/vulnerabilities",
    }


def test_the_per_minute_limit_is_waited_out_with_retry_after() -> None:
    clock = [1_000.0]

    def tick() -> float:
        return clock[0]

    sim = DefenderSim(machines=30_001, rate_limit=2, clock=tick)
    calls: list[SimRequest] = []
    sleeps: list[float] = []

    def wait(seconds: float) -> None:
        sleeps.append(seconds)
        clock[0] += seconds

    ctx = sim_ctx(VENDOR, sim, config=CONFIG, credentials={"client_secret": SECRET}, calls=calls)
    ctx = replace(ctx, http_env=replace(ctx.http_env, sleep=wait))
    result = CONNECTOR.run(ctx)
    assert sleeps == [60.0]  # the third machine page waited for the next minute
    assert "unhealthy_sensors_pct" in values(result)
