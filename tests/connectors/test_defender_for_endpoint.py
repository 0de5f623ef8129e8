"""Defender for Endpoint connector against recorded responses (tests/connectors/harness.py)."""

from __future__ import annotations

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
    values,
)

VENDOR = "defender-for-endpoint"
SECRET = "mde-client-secret-XYZ"
TENANT = "7f3c1b2a-0d4e-4f7a-9a59-1c1f0b5e7a01"
CONFIG = {"tenant_id": TENANT, "client_id": "mde-client-id"}
API = "api.securitycenter.microsoft.com"


def routes(**override: list[Resp]) -> list[Route]:
    """Every endpoint answering its fixture; `override` replaces a route's responses by name."""
    table: dict[str, tuple[str, str, list[Resp], dict[str, str] | None]] = {
        "token": ("POST", f"/{TENANT}/oauth2/v2.0/token", [Resp(fixture="token.json")], None),
        "machines2": (
            "GET",
            "/api/machines",
            [Resp(fixture="machines_page2.json")],
            {"$skiptoken": "page2token"},
        ),
        "machines": ("GET", "/api/machines", [Resp(fixture="machines_page1.json")], None),
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
        # onboarded: m1 Active, m2 Inactive, m4 ImpairedCommunication, m5 Active (m3 is
        # CanBeOnboarded, left out) -> 2 of 4 not Active
        "unhealthy_sensors_pct": 50.0,
        # exposureLevel High: m2 and m5 of the 4 onboarded
        "high_exposure_machines_pct": 50.0,
        "exposure_score": 41.38,
        # High alerts: New, InProgress, Resolved -> 2 not resolved
        "open_high_severity_alerts": 2.0,
        # 1001 (public exploit, 3 machines) and 1004 (verified, 1 machine); 1002 has no
        # exposed machine, 1003 no exploit
        "critical_vulns_with_exploit": 2.0,
    }
    assert details(result)["unhealthy_sensors_pct"] == {"numerator": 2, "denominator": 4}
    assert result.items_fetched == 5 + 1 + 3 + 4
    assert result.warnings == ()
    token_call = recorded.calls[0]
    assert token_call.url.host == "login.microsoftonline.com"
    assert token_call.form()["scope"] == "https://api.securitycenter.microsoft.com/.default"
    assert token_call.form()["grant_type"] == "client_credentials"
    assert_secrets_not_in_urls(recorded, [SECRET])
    for call in recorded.calls[1:]:
        assert call.url.host == API
        assert call.headers["Authorization"] == "Bearer mde-access-token"
    assert recorded.calls_to("/api/alerts")[0].params["$filter"] == "severity eq 'High'"
    assert recorded.calls_to("/api/vulnerabilities")[0].params["$filter"] == (
        "severity eq 'Critical'"
    )


def test_machines_follow_odata_next_link() -> None:
    recorded = Recorded(routes())
    run(recorded)
    pages = recorded.calls_to("/api/machines")
    assert len(pages) == 2
    assert pages[1].params["$skiptoken"] == "page2token"


def test_regional_base_url_override() -> None:
    single = load_fixture(VENDOR, "machines_page1.json")
    del single["@odata.nextLink"]
    recorded = Recorded(routes(machines=[Resp(json=single)]))
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
    names = ("machines", "machines2", "score", "alerts", "vulns")
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
    body = load_fixture(VENDOR, "machines_page2.json")
    for machine in body["value"]:
        machine["sensorHealthState"] = machine.pop("healthStatus")
    result, _ = run(Recorded(routes(machines2=[Resp(json=body)])))
    assert_group_left_out(
        result, ("unhealthy_sensors_pct", "high_exposure_machines_pct"), "'healthStatus'"
    )
