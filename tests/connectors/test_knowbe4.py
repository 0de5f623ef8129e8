"""KnowBe4 connector against recorded Reporting API responses (fixtures/knowbe4)."""

from __future__ import annotations

import json

import pytest

from connectors.base import ConnectorContext
from connectors.errors import AuthFailed
from connectors.knowbe4 import CONNECTOR
from tests.connectors.harness import (
    FIXED_NOW,
    Recorded,
    Resp,
    Route,
    assert_group_left_out,
    assert_header_sent,
    assert_secrets_not_in_urls,
    make_ctx,
    values,
)

TOKEN = "eyJhbGciOiJIUzI1NiJ9.kb4-reporting-token"
DENIED = Resp(403, json={"message": "Forbidden"})


def routes(**override: list[Resp]) -> list[Route]:
    table: dict[str, tuple[str, list[Resp]]] = {
        "account": ("/v1/account", [Resp(fixture="account.json")]),
        "users": (
            "/v1/users",
            [Resp(fixture="users_page1.json"), Resp(fixture="users_page2.json")],
        ),
        "tests": ("/v1/phishing/security_tests", [Resp(fixture="security_tests.json")]),
        "enrollments": ("/v1/training/enrollments", [Resp(fixture="enrollments.json")]),
    }
    return [
        Route("GET", path=path, responses=override.get(key, responses), host="eu.api.knowbe4.com")
        for key, (path, responses) in table.items()
    ]


def build(recorded: Recorded) -> ConnectorContext:
    ctx, _ = make_ctx(
        "knowbe4", config={"region": "eu"}, credentials={"api_key": TOKEN}, recorded=recorded
    )
    return ctx


def test_run_computes_every_kri_from_the_recorded_account() -> None:
    recorded = Recorded(routes())
    result = CONNECTOR.run(build(recorded))

    assert recorded.unmatched == []
    assert result.warnings == ()
    got = values(result)
    # Tests started since 2026-08-28: 16142 (9 of 200) and 16101 (6 of 100); the May test and
    # the scheduled one are out -> 15 / 300 = 5 %.
    assert got["phishing_click_rate_pct"] == 5.0
    # 500 users at 10 %, one at 40 %, one never phished: 5040 / 501 = 10.06.
    assert got["phish_prone_pct"] == 10.06
    # Passed (user 1), Completed (user 501), Passed (user 999) of 7 enrollments -> 42.86 %.
    assert got["training_completion_pct"] == 42.86
    assert got["training_overdue_enrollments"] == 2
    # 502 active users; users 1 and 501 completed something -> 500.
    assert got["users_never_completed_training"] == 500
    detail = {
        r["kri_slug"]: json.loads(r["detail"]) for r in result.observations.iter_rows(named=True)
    }
    assert detail["phishing_click_rate_pct"] == {"numerator": 15, "denominator": 300, "tests": 2}
    assert set(result.observations["observed_at"].to_list()) == {FIXED_NOW}
    assert result.items_fetched == 502 + 4 + 7
    assert_header_sent(recorded, "Authorization", f"Bearer {TOKEN}")
    assert_secrets_not_in_urls(recorded, [TOKEN])


def test_run_pages_with_page_and_per_page() -> None:
    recorded = Recorded(routes())
    CONNECTOR.run(build(recorded))
    users = recorded.calls_to("/v1/users")
    assert [c.params["page"] for c in users] == ["1", "2"]
    assert {c.params["per_page"] for c in users} == {"500"}
    assert users[0].params["status"] == "active"
    # a short first page is the last one
    assert len(recorded.calls_to("/v1/training/enrollments")) == 1


@pytest.mark.parametrize("status", [401, 403])
def test_auth_failures_fail_the_run_and_the_probe(status: int) -> None:
    recorded = Recorded(
        [Route("*", path_re=".*", responses=[Resp(status, json={"message": "Unauthorized"})])]
    )
    with pytest.raises(AuthFailed) as caught:
        CONNECTOR.run(build(recorded))
    assert caught.value.status == status
    message = str(caught.value)
    assert message.startswith("knowbe4:")
    assert str(status) in message
    assert TOKEN not in message
    assert len({c.path for c in recorded.calls}) == len(recorded.calls)  # nothing retried

    probe = CONNECTOR.test(build(Recorded(routes(account=[Resp(status, json={})]))))
    assert probe.ok is False
    assert str(status) in probe.message
    assert TOKEN not in probe.message


def test_probe_reads_the_account() -> None:
    probe = CONNECTOR.test(build(Recorded(routes())))
    assert probe.ok is True
    assert "Acme Health" in probe.message


def test_a_403_on_phishing_tests_leaves_only_the_click_rate_out() -> None:
    result = CONNECTOR.run(build(Recorded(routes(tests=[DENIED]))))
    got = values(result)
    assert "phishing_click_rate_pct" not in got
    assert got["training_completion_pct"] == 42.86
    assert len(result.warnings) == 1
    assert "phishing_click_rate_pct" in result.warnings[0]
    assert "403" in result.warnings[0]


def test_a_403_on_users_leaves_the_user_kris_out() -> None:
    result = CONNECTOR.run(build(Recorded(routes(users=[DENIED]))))
    got = values(result)
    assert "phish_prone_pct" not in got
    assert "users_never_completed_training" not in got
    assert got["training_overdue_enrollments"] == 2
    assert "users_never_completed_training" in result.warnings[0]


def test_429_with_retry_after_then_success() -> None:
    limited = Resp(429, json={"message": "API Limit Exceeded"}, headers={"Retry-After": "2"})
    recorded = Recorded(routes(enrollments=[limited, Resp(fixture="enrollments.json")]))
    ctx, sleeps = make_ctx(
        "knowbe4", config={"region": "eu"}, credentials={"api_key": TOKEN}, recorded=recorded
    )
    result = CONNECTOR.run(ctx)
    assert sleeps == [2.0]
    assert values(result)["training_overdue_enrollments"] == 2


def test_5xx_is_retried_then_its_group_is_left_out() -> None:
    recorded = Recorded(routes(users=[Resp(503, body="Service Unavailable")]))
    ctx, sleeps = make_ctx(
        "knowbe4", config={"region": "eu"}, credentials={"api_key": TOKEN}, recorded=recorded
    )
    result = CONNECTOR.run(ctx)
    assert len(recorded.calls_to("/v1/users")) == 4
    assert len(sleeps) == 3
    assert_group_left_out(result, ("phish_prone_pct", "users_never_completed_training"), "503")


def test_a_renamed_field_leaves_its_group_out_naming_it() -> None:
    renamed = [{"pst_id": 1, "started_at": None, "delivered": 10, "clicked_count": 1}]
    result = CONNECTOR.run(build(Recorded(routes(tests=[Resp(json=renamed)]))))
    assert_group_left_out(result, ("phishing_click_rate_pct",), "delivered_count")


def test_no_recent_phishing_test_leaves_the_click_rate_out() -> None:
    result = CONNECTOR.run(build(Recorded(routes(tests=[Resp(json=[])]))))
    assert "phishing_click_rate_pct" not in values(result)
    assert any("phishing_click_rate_pct not computed" in w for w in result.warnings)


def test_an_unknown_region_is_refused_before_any_call() -> None:
    recorded = Recorded(routes())
    ctx, _ = make_ctx(
        "knowbe4",
        config={"region": "evil.example/x"},
        credentials={"api_key": TOKEN},
        recorded=recorded,
    )
    assert CONNECTOR.test(ctx).ok is False
    assert recorded.calls == []
