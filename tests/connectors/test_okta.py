"""Okta connector against recorded Management API responses (tests/connectors/fixtures/okta)."""

from __future__ import annotations

import pytest

from connectors.base import ConnectorContext
from connectors.errors import AuthFailed
from connectors.okta import CONNECTOR
from tests.connectors.harness import (
    FIXED_NOW,
    Recorded,
    Resp,
    Route,
    assert_auth_failure_is_clear,
    assert_group_left_out,
    assert_header_sent,
    assert_secrets_not_in_urls,
    details,
    make_ctx,
    values,
)

TOKEN = "00aBcDeFgHiJkLmNoPqRsTuVwXyZ-secret"
BASE = "https://acme.okta.com"
USERS_NEXT = f'<{BASE}/api/v1/users?after=00u3carol&limit=200>; rel="next"'
LOGS_NEXT = f'<{BASE}/api/v1/logs?after=tx3&limit=1000>; rel="next"'
APPS_NEXT = f'<{BASE}/api/v1/apps?after=0oa3old&limit=200>; rel="next"'
USER_IDS = {"alice": "00u1alice", "bob": "00u2bob", "carol": "00u3carol", "dave": "00u4dave"}

USER_SLUGS = (
    "inactive_users_gt_90d",
    "mfa_enrollment_pct",
    "users_without_phishing_resistant_mfa_pct",
)


def routes(**override: list[Resp]) -> list[Route]:
    """Every endpoint the connector calls, answered from fixtures; `override` replaces the
    responses of a route by its key."""
    table: dict[str, tuple[str, list[Resp]]] = {
        "users": (
            r"/api/v1/users",
            [
                Resp(fixture="users_page1.json", headers={"Link": USERS_NEXT}),
                Resp(fixture="users_page2.json"),
            ],
        ),
        "factors_alice": (r"/api/v1/users/00u1alice/factors", [Resp(fixture="factors_alice.json")]),
        "factors_bob": (r"/api/v1/users/00u2bob/factors", [Resp(fixture="factors_bob.json")]),
        "factors_carol": (r"/api/v1/users/00u3carol/factors", [Resp(fixture="factors_carol.json")]),
        "factors_dave": (r"/api/v1/users/00u4dave/factors", [Resp(fixture="factors_dave.json")]),
        "factors_erin": (r"/api/v1/users/00u5erin/factors", [Resp(fixture="factors_erin.json")]),
        "assignees": (
            r"/api/v1/iam/assignees/users",
            [Resp(fixture="assignees_page1.json"), Resp(fixture="assignees_page2.json")],
        ),
        "roles_alice": (r"/api/v1/users/00u1alice/roles", [Resp(fixture="roles_alice.json")]),
        "roles_svc": (r"/api/v1/users/00u9svc/roles", [Resp(fixture="roles_svc.json")]),
        "roles_erin": (r"/api/v1/users/00u5erin/roles", [Resp(fixture="roles_erin.json")]),
        "logs": (
            r"/api/v1/logs",
            [
                Resp(fixture="logs_page1.json", headers={"Link": LOGS_NEXT}),
                Resp(fixture="logs_page2.json"),
            ],
        ),
        "apps": (
            r"/api/v1/apps",
            [
                Resp(fixture="apps_page1.json", headers={"Link": APPS_NEXT}),
                Resp(fixture="apps_page2.json"),
            ],
        ),
    }
    return [
        Route("GET", path=path, responses=override.get(key, responses))
        for key, (path, responses) in table.items()
    ]


def build(recorded: Recorded, token: str = TOKEN) -> ConnectorContext:
    ctx, _ = make_ctx(
        "okta", config={"org_url": BASE}, credentials={"api_token": token}, recorded=recorded
    )
    return ctx


def test_run_computes_every_kri_from_the_recorded_org() -> None:
    recorded = Recorded(routes())
    result = CONNECTOR.run(build(recorded))

    assert recorded.unmatched == []
    assert result.warnings == ()
    got = values(result)
    # 5 ACTIVE users. Factors in status ACTIVE: alice (push, webauthn), bob (sms; webauthn only
    # pending), carol (email), dave (totp pending only), erin (signed_nonce) -> 4/5 = 80 %.
    assert got["mfa_enrollment_pct"] == 80.0
    # Phishing-resistant ACTIVE factor: alice (webauthn), erin (FastPass) -> 3 of 5 lack one.
    assert got["users_without_phishing_resistant_mfa_pct"] == 60.0
    # Cutoff 2026-08-28: bob last signed in 2026-06-01; dave never signed in, never activated,
    # created 2025-01-10; carol never signed in but was activated 2026-11-01 -> 2.
    assert got["inactive_users_gt_90d"] == 2
    # Role holders alice (SUPER_ADMIN), svc (ORG_ADMIN, READ_ONLY_ADMIN), erin (SUPER_ADMIN by
    # group) -> 2.
    assert got["super_admins"] == 2
    # 3 + 1 failed user.session.start events over 7 days -> 4 / 7 = 0.57.
    assert got["failed_signins_per_day_7d"] == 0.57
    assert details(result)["mfa_enrollment_pct"] == {"numerator": 4, "denominator": 5}
    assert set(result.observations["observed_at"].to_list()) == {FIXED_NOW}
    # 5 users + 7 factors (2+2+1+1+1) + 3 role holders + 4 log events.
    assert result.items_fetched == 19
    assert_header_sent(recorded, "Authorization", f"SSWS {TOKEN}")
    assert_secrets_not_in_urls(recorded, [TOKEN])


def test_run_follows_the_link_header_and_body_next_links() -> None:
    recorded = Recorded(routes())
    CONNECTOR.run(build(recorded))

    users = recorded.calls_to("/api/v1/users")
    assert [c.params.get("after") for c in users] == [None, "00u3carol"]
    assert users[0].params["filter"] == 'status eq "ACTIVE"'
    assert users[0].params["limit"] == "200"
    logs = recorded.calls_to("/api/v1/logs")
    assert [c.params.get("after") for c in logs] == [None, "tx3"]
    assert logs[0].params["since"] == "2026-11-19T12:00:00.000Z"
    assert logs[0].params["until"] == "2026-11-26T12:00:00.000Z"
    assert 'outcome.result eq "FAILURE"' in logs[0].params["filter"]
    assignees = recorded.calls_to("/api/v1/iam/assignees/users")
    assert [c.params.get("after") for c in assignees] == [None, "00u9svc"]


def test_401_fails_the_run_at_once() -> None:
    error = assert_auth_failure_is_clear(CONNECTOR, build, status=401, secrets=[TOKEN])
    assert isinstance(error, AuthFailed)


def test_403_on_every_endpoint_fails_the_run() -> None:
    # Each endpoint group is tried once (a 403 on one may be a missing permission only), none
    # retried; when all refuse, the run fails with the first refusal.
    recorded = Recorded(
        [Route("*", path_re=".*", responses=[Resp(403, json={"errorSummary": "no"})])]
    )
    with pytest.raises(AuthFailed) as caught:
        CONNECTOR.run(build(recorded))
    assert caught.value.status == 403
    assert str(caught.value).startswith("okta:")
    assert TOKEN not in str(caught.value)
    paths = [c.path for c in recorded.calls]
    # The application inventory is read too, but is never a KRI group: its refusal alone
    # would not fail the run, nor does its success hide the KRIs' total refusal.
    assert sorted(paths) == [
        "/api/v1/apps",
        "/api/v1/iam/assignees/users",
        "/api/v1/logs",
        "/api/v1/users",
    ]


@pytest.mark.parametrize("status", [401, 403])
def test_probe_reports_auth_failures(status: int) -> None:
    recorded = Recorded(
        [Route("*", path_re=".*", responses=[Resp(status, json={"errorSummary": "Invalid token"})])]
    )
    probe = CONNECTOR.test(build(recorded))
    assert probe.ok is False
    assert probe.message.startswith("okta:")
    assert str(status) in probe.message
    assert TOKEN not in probe.message


def test_probe_succeeds_with_one_cheap_call() -> None:
    recorded = Recorded([Route("GET", path="/api/v1/users", responses=[Resp(json=[])])])
    probe = CONNECTOR.test(build(recorded))
    assert probe.ok is True
    assert len(recorded.calls) == 1
    assert recorded.calls[0].params["limit"] == "1"


def test_a_403_on_the_system_log_leaves_only_that_kri_out() -> None:
    denied = Resp(403, json={"errorCode": "E0000006", "errorSummary": "You do not have permission"})
    recorded = Recorded(routes(logs=[denied]))
    result = CONNECTOR.run(build(recorded))

    got = values(result)
    assert "failed_signins_per_day_7d" not in got
    assert got["super_admins"] == 2
    assert len(result.warnings) == 1
    assert "failed_signins_per_day_7d" in result.warnings[0]
    assert "403" in result.warnings[0]


def test_429_waits_until_x_rate_limit_reset_then_succeeds() -> None:
    reset = int(FIXED_NOW.timestamp()) + 17
    limited = Resp(429, json={"errorCode": "E0000047"}, headers={"X-Rate-Limit-Reset": str(reset)})
    recorded = Recorded(routes(logs=[limited, Resp(fixture="logs_page2.json")]))
    ctx, sleeps = make_ctx(
        "okta", config={"org_url": BASE}, credentials={"api_token": TOKEN}, recorded=recorded
    )
    result = CONNECTOR.run(ctx)
    assert sleeps == [17.0]
    assert values(result)["failed_signins_per_day_7d"] == round(1 / 7, 2)


def test_429_with_retry_after_is_honoured() -> None:
    limited = Resp(429, json={}, headers={"Retry-After": "3", "X-Rate-Limit-Reset": "1"})
    recorded = Recorded(routes(assignees=[limited, Resp(fixture="assignees_page2.json")]))
    ctx, sleeps = make_ctx(
        "okta", config={"org_url": BASE}, credentials={"api_token": TOKEN}, recorded=recorded
    )
    assert values(CONNECTOR.run(ctx))["super_admins"] == 1
    assert sleeps == [3.0]


def test_5xx_is_retried_then_its_group_is_left_out() -> None:
    recorded = Recorded(routes(users=[Resp(503, body="upstream unavailable")]))
    ctx, sleeps = make_ctx(
        "okta", config={"org_url": BASE}, credentials={"api_token": TOKEN}, recorded=recorded
    )
    result = CONNECTOR.run(ctx)
    assert len(recorded.calls_to("/api/v1/users")) == 4
    assert len(sleeps) == 3
    assert_group_left_out(result, USER_SLUGS, "503", "after 4 attempts")


def test_a_renamed_field_leaves_its_group_out_naming_it() -> None:
    renamed = [{"id": "00u1alice", "status": "ACTIVE", "createdAt": "2024-03-01T10:00:00.000Z"}]
    result = CONNECTOR.run(build(Recorded(routes(users=[Resp(json=renamed)]))))
    assert_group_left_out(result, USER_SLUGS, "'created'")


def test_no_active_users_leaves_the_percentages_out() -> None:
    recorded = Recorded(routes(users=[Resp(json=[])]))
    result = CONNECTOR.run(build(recorded))
    got = values(result)
    assert got["inactive_users_gt_90d"] == 0
    assert "mfa_enrollment_pct" not in got
    assert any("mfa_enrollment_pct not computed" in w for w in result.warnings)


@pytest.mark.parametrize("url", ["http://acme.okta.com", "https://acme.okta.com/admin", ""])
def test_the_org_url_must_be_an_https_origin(url: str) -> None:
    recorded = Recorded(routes())
    ctx, _ = make_ctx(
        "okta", config={"org_url": url}, credentials={"api_token": TOKEN}, recorded=recorded
    )
    probe = CONNECTOR.test(ctx)
    assert probe.ok is False
    assert recorded.calls == []
