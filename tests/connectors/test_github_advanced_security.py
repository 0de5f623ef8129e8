"""GitHub Advanced Security connector against recorded org alert responses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from connectors.base import ConnectorContext
from connectors.errors import AuthFailed
from connectors.github_advanced_security import (
    CONNECTOR,
    GENERIC_SECRETS,
    SECONDARY_LIMIT_WAIT,
    Alert,
    mean_age_days,
    older_than,
    rate_limit_wait,
)
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
    sim_ctx,
    values,
)
from tests.connectors.sims.core import SimRequest
from tests.connectors.sims.github import GitHubSim

VENDOR = "github-advanced-security"
TOKEN = "github_pat_11AAAAexampleTOKEN"
CODE = "/orgs/acme-corp/code-scanning/alerts"
SECRET = "/orgs/acme-corp/secret-scanning/alerts"
DEPENDABOT = "/orgs/acme-corp/dependabot/alerts"
NEXT = f'<https://api.github.com{CODE}?state=open&per_page=100&page=2>; rel="next", ' + (
    f'<https://api.github.com{CODE}?state=open&per_page=100&page=2>; rel="last"'
)
RESET = int(FIXED_NOW.timestamp()) + 42
CODE_SLUGS = ("code_scanning_critical_open",)
TYPES = ",".join(GENERIC_SECRETS)
# What GitHub answers with hide_secret=true: no "secret" field.
GENERIC_ALERT = {
    "number": 7,
    "created_at": "2026-11-20T09:00:00Z",
    "state": "open",
    "secret_type": "rsa_private_key",
    "secret_type_display_name": "RSA Private Key",
}
SAME = {**GENERIC_ALERT, "number": 1}  # also in the default list: counted once


def routes(*, code: list[Resp] | None = None, secret: list[Resp] | None = None) -> list[Route]:
    return [
        Route("GET", CODE, [Resp(fixture="code_scanning_page2.json")], query={"page": "2"}),
        Route(
            "GET",
            CODE,
            code or [Resp(fixture="code_scanning_page1.json", headers={"Link": NEXT})],
        ),
        Route("GET", SECRET, [Resp(json=[GENERIC_ALERT, SAME])], query={"secret_type": TYPES}),
        Route("GET", SECRET, secret or [Resp(fixture="secret_scanning.json")]),
        Route("GET", DEPENDABOT, [Resp(fixture="dependabot.json")]),
    ]


def ctx_for(
    recorded: Recorded, config: dict[str, str] | None = None
) -> tuple[ConnectorContext, list[float]]:
    return make_ctx(
        VENDOR,
        config=config or {"org": "acme-corp"},
        credentials={"token": TOKEN},
        recorded=recorded,
    )


def test_run_computes_every_kri() -> None:
    recorded = Recorded(routes())
    ctx, sleeps = ctx_for(recorded)

    result = CONNECTOR.run(ctx)

    assert recorded.unmatched == []
    # Run at 2026-11-26 12:00 UTC.
    # Code scanning (2 pages): critical #1 and #5 -> 2 (#2 high, #3 medium, #4 no level).
    # Secret scanning: 3 open alerts of provider patterns + #7, an RSA private key (a generic
    # pattern GitHub lists only when asked by name); #1 came back in both lists, counted once.
    # Dependabot critical > 30 d: #1 (09-27, 60 d); #2 is 15 d old -> 1.
    # Mean age of high/critical: code #1 30 d, #2 10 d, #5 5 d; Dependabot #1 60 d, #2 15 d,
    # #3 20 d -> 140 / 6 = 23.33 d.
    assert values(result) == {
        "code_scanning_critical_open": 2.0,
        "secret_scanning_open": 4.0,
        "dependabot_critical_open_gt_30d": 1.0,
        "severe_alerts_mean_age_days": 23.33,
    }
    assert details(result)["secret_scanning_open"] == {
        "count": 4,
        "provider_patterns": 3,
        "generic_patterns": 1,
    }
    assert result.items_fetched == 5 + 3 + 2 + 4
    assert result.warnings == ()
    assert sleeps == []
    assert_header_sent(recorded, "Authorization", f"Bearer {TOKEN}")
    assert_header_sent(recorded, "X-GitHub-Api-Version", "2022-11-28")
    assert_header_sent(recorded, "Accept", "application/vnd.github+json")
    assert_secrets_not_in_urls(recorded, [TOKEN])


def test_link_header_pagination_follows_next() -> None:
    recorded = Recorded(routes())
    ctx, _ = ctx_for(recorded)
    CONNECTOR.run(ctx)
    calls = recorded.calls_to(CODE)
    assert len(calls) == 2
    assert dict(calls[0].params) == {"state": "open", "per_page": "100"}
    assert dict(calls[1].params) == {"state": "open", "per_page": "100", "page": "2"}
    (call,) = recorded.calls_to(DEPENDABOT)
    assert dict(call.params) == {"state": "open", "per_page": "100"}
    default, generic = recorded.calls_to(SECRET)
    # Never the literal secrets: hide_secret=true on both secret-scanning queries.
    assert dict(default.params) == {"state": "open", "per_page": "100", "hide_secret": "true"}
    assert dict(generic.params) == {
        "state": "open",
        "per_page": "100",
        "hide_secret": "true",
        "secret_type": TYPES,
    }


def test_enterprise_server_base_url() -> None:
    host = "github.acme.example"
    recorded = Recorded(
        [
            Route("GET", f"/api/v3{CODE}", [Resp(json=[])], host=host),
            Route("GET", f"/api/v3{SECRET}", [Resp(json=[])], host=host),
            Route("GET", f"/api/v3{DEPENDABOT}", [Resp(json=[])], host=host),
        ]
    )
    ctx, _ = ctx_for(recorded, {"org": "acme-corp", "api_url": f"https://{host}/api/v3"})
    result = CONNECTOR.run(ctx)
    assert recorded.unmatched == []
    assert values(result) == {
        "code_scanning_critical_open": 0.0,
        "secret_scanning_open": 0.0,
        "dependabot_critical_open_gt_30d": 0.0,
    }
    assert any("severe_alerts_mean_age_days" in w for w in result.warnings)


def test_probe_reads_one_alert() -> None:
    recorded = Recorded(routes())
    ctx, _ = ctx_for(recorded)
    probe = CONNECTOR.test(ctx)
    assert probe.ok, probe.message
    assert recorded.calls[0].params.get("per_page") == "1"


@pytest.mark.parametrize("status", [401, 403])
def test_probe_reports_refused_token(status: int) -> None:
    body = {"message": "Bad credentials" if status == 401 else "Resource not accessible"}
    recorded = Recorded([Route("GET", CODE, [Resp(status, json=body)])])
    ctx, _ = ctx_for(recorded)
    probe = CONNECTOR.test(ctx)
    assert not probe.ok
    assert probe.message.startswith(f"{VENDOR}:")
    assert f"({status})" in probe.message
    assert_no_secret_in(probe.message, [TOKEN])


def test_run_401_raises_at_once() -> None:
    recorded = Recorded(
        [Route("*", path_re=".*", responses=[Resp(401, json={"message": "Bad credentials"})])]
    )
    ctx, _ = ctx_for(recorded)
    with pytest.raises(AuthFailed) as caught:
        CONNECTOR.run(ctx)
    assert caught.value.status == 401
    assert "(401)" in str(caught.value)
    assert len(recorded.calls) == 1


def test_run_403_everywhere_raises_auth_failed() -> None:
    denied = Resp(403, json={"message": "Resource not accessible by personal access token"})
    recorded = Recorded([Route("*", path_re=".*", responses=[denied])])
    ctx, sleeps = ctx_for(recorded)
    with pytest.raises(AuthFailed) as caught:
        CONNECTOR.run(ctx)
    assert caught.value.status == 403
    assert "Resource not accessible" in str(caught.value)
    assert_no_secret_in(str(caught.value), [TOKEN])
    # Each endpoint asked once, never retried, never waited on.
    assert [c.path for c in recorded.calls] == [CODE, SECRET, DEPENDABOT]
    assert sleeps == []


def test_403_on_secret_scanning_only_leaves_that_kri_out() -> None:
    denied = Resp(403, json={"message": "Resource not accessible by integration"})
    recorded = Recorded(routes(secret=[denied]))
    ctx, _ = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert "secret_scanning_open" not in values(result)
    assert values(result)["code_scanning_critical_open"] == 2.0
    assert len(result.warnings) == 1
    assert "secret_scanning_open not computed" in result.warnings[0]
    assert "403" in result.warnings[0]


def test_403_with_remaining_zero_is_a_rate_limit_not_a_permission_failure() -> None:
    limited = Resp(
        403,
        json={"message": "API rate limit exceeded for user ID 1."},
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(RESET)},
    )
    page1 = Resp(fixture="code_scanning_page1.json", headers={"Link": NEXT})
    recorded = Recorded(routes(code=[limited, page1]))
    ctx, sleeps = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert sleeps == [42.0]  # until x-ratelimit-reset
    assert values(result)["code_scanning_critical_open"] == 2.0
    assert result.warnings == ()


def test_429_with_retry_after_is_waited_then_succeeds() -> None:
    limited = Resp(
        429,
        json={"message": "You have exceeded a secondary rate limit."},
        headers={"retry-after": "17"},
    )
    recorded = Recorded(routes(secret=[limited, Resp(fixture="secret_scanning.json")]))
    ctx, sleeps = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert sleeps == [17.0]
    assert values(result)["secret_scanning_open"] == 4.0  # 3 provider + 1 generic


def test_secondary_limit_without_headers_waits_a_minute() -> None:
    limited = Resp(403, json={"message": "You have exceeded a secondary rate limit."})
    recorded = Recorded(routes(secret=[limited, Resp(fixture="secret_scanning.json")]))
    ctx, sleeps = ctx_for(recorded)
    CONNECTOR.run(ctx)
    assert sleeps == [SECONDARY_LIMIT_WAIT]


def test_a_reset_too_far_away_fails_with_rate_limited() -> None:
    limited = Resp(
        403,
        json={"message": "API rate limit exceeded"},
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(RESET + 3600)},
    )
    recorded = Recorded(routes(code=[limited]))
    ctx, sleeps = ctx_for(recorded)
    assert_group_left_out(CONNECTOR.run(ctx), CODE_SLUGS, "wait 3642s")
    assert sleeps == []


def test_5xx_is_retried_then_its_group_is_left_out() -> None:
    recorded = Recorded(routes(code=[Resp(502, body="Bad Gateway")]))
    ctx, _ = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert_group_left_out(result, CODE_SLUGS, "502 after 4 attempts")
    assert "severe_alerts_mean_age_days" not in values(result)  # needs code-scanning too
    assert len(recorded.calls_to(CODE)) == 4


def test_a_renamed_field_leaves_its_group_out_naming_it() -> None:
    alerts: list[dict[str, Any]] = load_fixture(VENDOR, "dependabot.json")
    alerts[0]["security_advisory"]["severity_level"] = alerts[0]["security_advisory"].pop(
        "severity"
    )
    recorded = Recorded([Route("GET", DEPENDABOT, [Resp(json=alerts)]), *routes()])
    ctx, _ = ctx_for(recorded)
    result = CONNECTOR.run(ctx)
    assert_group_left_out(
        result, ("dependabot_critical_open_gt_30d",), "'security_advisory.severity'"
    )


def test_next_link_to_another_host_is_refused() -> None:
    evil = Resp(json=[], headers={"Link": '<https://evil.example/steal>; rel="next"'})
    recorded = Recorded(routes(code=[evil]))
    ctx, _ = ctx_for(recorded)
    assert_group_left_out(CONNECTOR.run(ctx), CODE_SLUGS, "leaves api.github.com")
    assert all(c.url.host == "api.github.com" for c in recorded.calls)


def test_formulas() -> None:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    alerts = [
        Alert("critical", datetime(2026, 10, 26, tzinfo=UTC)),  # 31 days
        Alert("critical", datetime(2026, 10, 28, tzinfo=UTC)),
        Alert("medium", datetime(2026, 1, 1, tzinfo=UTC)),
        Alert(None, datetime(2026, 1, 1, tzinfo=UTC)),
    ]
    assert older_than(alerts, "critical", 30, now) == 1
    assert mean_age_days(alerts, now) == (30.0, 2)
    assert mean_age_days(alerts[2:], now) == (None, 0)
    forbidden = httpx.Response(403, json={"message": "Must have admin rights"})
    assert rate_limit_wait(forbidden, now) is None


def test_a_paged_organization_never_receives_a_literal_secret() -> None:
    # 250 alerts of each kind (three pages of ≤ 100) and 25 generic secret alerts, on a synthetic
    # GitHub that puts the literal secret in every secret-scanning alert unless hide_secret=true.
    sim = GitHubSim(alerts=250)
    calls: list[SimRequest] = []
    ctx = sim_ctx(
        VENDOR, sim, config={"org": "acme-corp"}, credentials={"token": TOKEN}, calls=calls
    )
    result = CONNECTOR.run(ctx)
    assert sim.secrets_revealed == 0
    assert values(result)["secret_scanning_open"] == 275.0
    assert values(result)["code_scanning_critical_open"] == 50.0  # i % 5 == 0
    assert result.items_fetched == 250 * 3 + 25
    assert len(calls) == 3 + 3 + 1 + 3  # code, secrets (default), secrets (generic), dependabot
