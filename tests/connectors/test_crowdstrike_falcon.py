"""CrowdStrike Falcon connector against recorded responses (tests/connectors/harness.py)."""

from __future__ import annotations

import pytest

from connectors.base import RunResult
from connectors.crowdstrike_falcon import CONNECTOR
from connectors.errors import AuthFailed
from tests.connectors.harness import (
    FIXED_NOW,
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

VENDOR = "crowdstrike-falcon"
SECRET = "cs-client-secret-XYZ"
AFTER = "eyJ2ZXJzaW9uIjoidjEiLCJ0cyI6Mn0="
CONFIG = {"cloud": "api.eu-1.crowdstrike.com", "client_id": "cs-client-id"}
ALERT_SLUGS = ("open_critical_high_alerts", "untriaged_alert_age_hours")


def routes(**override: list[Resp]) -> list[Route]:
    """Every endpoint answering its fixture; `override` replaces a route's responses by name."""
    table: dict[str, tuple[str, str, list[Resp], dict[str, str] | None]] = {
        "token": ("POST", "/oauth2/token", [Resp(fixture="token.json", status=201)], None),
        "device_ids": (
            "GET",
            "/devices/queries/devices-scroll/v1",
            [Resp(fixture="devices_scroll.json")],
            None,
        ),
        "devices": (
            "POST",
            "/devices/entities/devices/v2",
            [Resp(fixture="device_details.json")],
            None,
        ),
        "alerts": ("POST", "/alerts/combined/alerts/v1", [Resp(fixture="alerts.json")], None),
        "vulns2": (
            "GET",
            "/spotlight/combined/vulnerabilities/v1",
            [Resp(fixture="vulns_page2.json")],
            {"after": AFTER},
        ),
        "vulns": (
            "GET",
            "/spotlight/combined/vulnerabilities/v1",
            [Resp(fixture="vulns_page1.json")],
            None,
        ),
    }
    out = []
    for name, (method, path, responses, query) in table.items():
        out.append(Route(method, path, override.get(name, responses), query=query))
    return out


def run(recorded: Recorded) -> tuple[RunResult, list[float]]:
    ctx, sleeps = make_ctx(
        VENDOR, config=CONFIG, credentials={"client_secret": SECRET}, recorded=recorded
    )
    return CONNECTOR.run(ctx), sleeps


def test_success_computes_every_kri_from_the_fixtures() -> None:
    recorded = Recorded(routes())
    result, _ = run(recorded)
    assert recorded.unmatched == []
    assert values(result) == {
        # 5 hosts; d02 (Nov 10) and d05 (Nov 1) last seen before Nov 19 12:00 -> 2/5
        "sensors_not_seen_7d_pct": 40.0,
        # d03 reduced_functionality_mode "yes" ("Unknown" is not "yes") -> 1/5
        "sensors_reduced_functionality_pct": 20.0,
        # d03 applied=false, d04 has no prevention policy -> 2/5
        "hosts_without_prevention_policy_pct": 40.0,
        # a1 (Critical, new) and a2 (High, in_progress) -> 2; a3 (Medium) and a4 (Low) are not
        "open_critical_high_alerts": 2.0,
        # status new: a1 12 h old, a3 24 h old -> (12 + 24) / 2
        "untriaged_alert_age_hours": 18.0,
        # v1 (Sep 1), v2 (Oct 1), v3 (Oct 20, reopen): all CRITICAL before Oct 27 12:00 -> 3;
        # v4 would be a fourth but a Spotlight rule suppressed it
        "critical_vulns_open_gt_30d": 3.0,
    }
    assert details(result)["sensors_not_seen_7d_pct"] == {"numerator": 2, "denominator": 5}
    assert result.items_fetched == 5 + 4 + 4
    assert result.warnings == ()
    assert set(result.observations["observed_at"].to_list()) == {FIXED_NOW}
    # OAuth client credentials in the form, never in a URL; the bearer on every API call
    token_call = recorded.calls_to("/oauth2/token")[0]
    assert token_call.url.host == "api.eu-1.crowdstrike.com"
    assert token_call.form()["client_id"] == "cs-client-id"
    assert token_call.form()["client_secret"] == SECRET
    assert_secrets_not_in_urls(recorded, [SECRET])
    for call in recorded.calls:
        if call.path != "/oauth2/token":
            assert call.headers["Authorization"] == "Bearer cs-access-token"
    assert recorded.calls_to("/devices/entities/devices/v2")[0].json() == {
        "ids": ["d01", "d02", "d03", "d04", "d05"]
    }
    alert_query = recorded.calls_to("/alerts/combined/alerts/v1")[0].json()
    assert alert_query == {
        "filter": "status:!'closed'",
        "limit": 1000,
        "sort": "created_timestamp|asc",
    }
    scroll = recorded.calls_to("/devices/queries/devices-scroll/v1")
    assert len(scroll) == 1  # 5 ids of a total of 5: no second page despite the token
    assert scroll[0].params["limit"] == "5000"


def test_spotlight_follows_the_after_cursor() -> None:
    recorded = Recorded(routes())
    run(recorded)
    pages = recorded.calls_to("/spotlight/combined/vulnerabilities/v1")
    assert len(pages) == 2
    assert "after" not in pages[0].params
    assert pages[1].params["after"] == AFTER
    assert pages[0].params["facet"] == "cve"
    assert "created_timestamp:<'2026-10-27T12:00:00Z'" in pages[0].params["filter"]
    assert "+suppression_info.is_suppressed:false" in pages[0].params["filter"]


def test_bad_client_credentials_401() -> None:
    bad = [Resp(401, json={"errors": [{"code": 401, "message": "access denied"}]})]
    recorded = Recorded(routes(token=bad))
    ctx, _ = make_ctx(
        VENDOR, config=CONFIG, credentials={"client_secret": SECRET}, recorded=recorded
    )
    probe = CONNECTOR.test(ctx)
    assert not probe.ok
    assert probe.message.startswith(f"{VENDOR}:")
    assert "client" in probe.message
    assert_no_secret_in(probe.message, [SECRET])
    with pytest.raises(AuthFailed) as caught:
        CONNECTOR.run(ctx)
    assert caught.value.status == 401
    assert_no_secret_in(str(caught.value), [SECRET])


def test_403_everywhere_fails_probe_and_run() -> None:
    denied = [
        Resp(
            403, json={"errors": [{"code": 403, "message": "access denied, authorization failed"}]}
        )
    ]
    names = ("device_ids", "devices", "alerts", "vulns", "vulns2")
    recorded = Recorded(routes(**dict.fromkeys(names, denied)))
    ctx, _ = make_ctx(
        VENDOR, config=CONFIG, credentials={"client_secret": SECRET}, recorded=recorded
    )
    probe = CONNECTOR.test(ctx)
    assert not probe.ok
    assert "403" in probe.message
    with pytest.raises(AuthFailed) as caught:
        CONNECTOR.run(ctx)
    assert caught.value.status == 403
    assert "authorization failed" in str(caught.value)


def test_403_on_spotlight_only_leaves_that_kri_out() -> None:
    denied = [Resp(403, json={"errors": [{"code": 403, "message": "access denied"}]})]
    result, _ = run(Recorded(routes(vulns=denied, vulns2=denied)))
    assert "critical_vulns_open_gt_30d" not in values(result)
    assert len(values(result)) == 5
    assert len(result.warnings) == 1
    assert "critical_vulns_open_gt_30d" in result.warnings[0]
    assert "403" in result.warnings[0]


def test_429_waits_for_x_ratelimit_retryafter() -> None:
    epoch = str(int(FIXED_NOW.timestamp()) + 7)
    limited = Resp(
        429,
        json={"errors": [{"code": 429, "message": "API rate limit exceeded."}]},
        headers={"X-RateLimit-RetryAfter": epoch, "X-RateLimit-Remaining": "0"},
    )
    recorded = Recorded(routes(device_ids=[limited, Resp(fixture="devices_scroll.json")]))
    result, sleeps = run(recorded)
    assert sleeps == [7.0]
    assert len(recorded.calls_to("/devices/queries/devices-scroll/v1")) == 2
    assert values(result)["sensors_not_seen_7d_pct"] == 40.0


def test_5xx_is_retried_then_its_group_is_left_out() -> None:
    recorded = Recorded(routes(alerts=[Resp(503, body="upstream unavailable")]))
    result, _ = run(recorded)
    assert len(recorded.calls_to("/alerts/combined/alerts/v1")) == 4
    assert_group_left_out(result, ALERT_SLUGS, "503", "after 4 attempts")
    assert values(result)["sensors_not_seen_7d_pct"] == 40.0


def test_renamed_field_leaves_its_group_out_naming_the_field() -> None:
    body = load_fixture(VENDOR, "alerts.json")
    for alert in body["resources"]:
        alert["severity_label"] = alert.pop("severity_name")
    result, _ = run(Recorded(routes(alerts=[Resp(json=body)])))
    assert_group_left_out(result, ALERT_SLUGS, "'severity_name'")


def test_a_partly_unreadable_tenant_writes_what_it_could_read() -> None:
    # Before issue 14 a 400 or 404 in one group failed the run and lost the readable KRIs.
    bad_filter = Resp(
        400,
        json={"errors": [{"code": 400, "message": "Invalid filter: suppression_info unknown"}]},
    )
    no_spotlight = Resp(404, json={"errors": [{"code": 404, "message": "Not Found"}]})
    result, _ = run(Recorded(routes(alerts=[bad_filter], vulns=[no_spotlight])))
    assert_group_left_out(result, ALERT_SLUGS, "400", "Invalid filter: suppression_info unknown")
    assert_group_left_out(result, ("critical_vulns_open_gt_30d",), "404", "Not Found")
    assert values(result) == {
        "sensors_not_seen_7d_pct": 40.0,
        "sensors_reduced_functionality_pct": 20.0,
        "hosts_without_prevention_policy_pct": 40.0,
    }
