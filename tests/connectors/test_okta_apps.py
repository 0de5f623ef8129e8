"""Okta's application inventory (GET /api/v1/apps, Applications API), at its documented limits:
``limit`` ≤ 200, ``Link`` header paging, ``X-Rate-Limit-Reset`` on a 429, and a token that may
not list apps (okta.apps.read), which must leave every KRI as it was."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.base import Application
from connectors.errors import AuthFailed
from connectors.okta import APP_PAGE, CONNECTOR
from tests.connectors.harness import FIXED_NOW, Recorded, Resp, make_ctx, values
from tests.connectors.test_okta import BASE, TOKEN, build, routes

KRIS = {
    "mfa_enrollment_pct",
    "users_without_phishing_resistant_mfa_pct",
    "inactive_users_gt_90d",
    "super_admins",
    "failed_signins_per_day_7d",
}


def app(n: int, status: str = "ACTIVE") -> dict[str, Any]:
    """An app as List all applications returns it (the fields that matter, and some that don't)."""
    return {
        "id": f"0oa{n:05d}",
        "name": "bookmark",
        "label": f"App {n}",
        "status": status,
        "signOnMode": "BOOKMARK",
        "created": "2025-01-01T00:00:00.000Z",
        "lastUpdated": "2025-01-01T00:00:00.000Z",
        "_links": {"users": {"href": f"{BASE}/api/v1/apps/0oa{n:05d}/users"}},
    }


def next_link(after: str) -> dict[str, str]:
    return {"Link": f'<{BASE}/api/v1/apps?after={after}&limit={APP_PAGE}>; rel="next"'}


def pages(total: int, size: int = APP_PAGE) -> list[Resp]:
    """`total` apps in pages of `size`, each but the last pointing at the next."""
    out: list[Resp] = []
    for start in range(0, total, size):
        chunk = [app(n) for n in range(start, min(start + size, total))]
        last = start + size >= total
        out.append(Resp(json=chunk, headers={} if last else next_link(chunk[-1]["id"])))
    return out or [Resp(json=[])]


def test_the_run_reports_the_apps_of_every_page() -> None:
    recorded = Recorded(routes())
    result = CONNECTOR.run(build(recorded))

    assert recorded.unmatched == []
    assert result.warnings == ()
    assert result.applications == (
        Application("0oa1crm", "Acme CRM", True),
        Application("0oa2slack", "Slack", True),
        Application("0oa3old", "HR portal (old)", False),
        Application("0oa4pay", "Payroll SaaS", True),
    )
    calls = recorded.calls_to("/api/v1/apps")
    assert [c.params.get("after") for c in calls] == [None, "0oa3old"]
    assert calls[0].params["limit"] == "200"
    assert "filter" not in calls[0].params  # INACTIVE apps are listed too
    # The inventory takes nothing from the KRIs.
    assert set(values(result)) == KRIS
    assert result.items_fetched == 19


def test_a_label_missing_names_the_app_by_its_key() -> None:
    unlabelled = {**app(7), "label": None, "name": "salesforce"}
    recorded = Recorded(routes(apps=[Resp(json=[unlabelled])]))
    assert CONNECTOR.run(build(recorded)).applications == (
        Application("0oa00007", "salesforce", True),
    )


def test_full_pages_at_the_maximum_size_are_followed_to_the_end() -> None:
    # 12 pages of 200 (the documented maximum) and a last page of 1.
    recorded = Recorded(routes(apps=pages(12 * APP_PAGE + 1)))
    result = CONNECTOR.run(build(recorded))

    assert result.applications is not None
    assert len(result.applications) == 12 * APP_PAGE + 1
    assert len({a.app_id for a in result.applications}) == 12 * APP_PAGE + 1
    calls = recorded.calls_to("/api/v1/apps")
    assert len(calls) == 13
    assert calls[0].params["limit"] == "200"
    assert all(c.params["limit"] == "200" for c in calls)  # the next link carries it
    assert [c.params.get("after") for c in calls[1:3]] == ["0oa00199", "0oa00399"]


def test_a_429_mid_listing_waits_until_the_reset_and_goes_on() -> None:
    reset = int(FIXED_NOW.timestamp()) + 23
    limited = Resp(
        429,
        json={"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit"},
        headers={
            "X-Rate-Limit-Limit": "100",
            "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(reset),
        },
    )
    first, second, third = pages(2 * APP_PAGE + 5)
    recorded = Recorded(routes(apps=[first, limited, second, third]))
    ctx, sleeps = make_ctx(
        "okta", config={"org_url": BASE}, credentials={"api_token": TOKEN}, recorded=recorded
    )
    result = CONNECTOR.run(ctx)

    assert sleeps == [23.0]
    assert result.applications is not None
    assert len(result.applications) == 2 * APP_PAGE + 5
    after = [c.params.get("after") for c in recorded.calls_to("/api/v1/apps")]
    assert after == [None, "0oa00199", "0oa00199", "0oa00399"]  # the same page, asked again
    assert result.warnings == ()


def test_an_org_without_apps_reports_an_empty_inventory() -> None:
    recorded = Recorded(routes(apps=[Resp(json=[])]))
    result = CONNECTOR.run(build(recorded))
    assert result.applications == ()  # known to be empty: not None, which would keep old rows
    assert result.warnings == ()


def test_a_token_that_may_not_list_apps_keeps_every_kri_and_says_what_is_missing() -> None:
    denied = Resp(
        403,
        json={
            "errorCode": "E0000006",
            "errorSummary": "You do not have permission to perform the requested action",
        },
    )
    recorded = Recorded(routes(apps=[denied]))
    result = CONNECTOR.run(build(recorded))

    assert result.applications is None  # the previous inventory is kept
    assert set(values(result)) == KRIS
    [warning] = result.warnings
    assert warning.startswith("okta: application inventory not read")
    assert "okta.apps.read" in warning
    assert "previous list is kept" in warning
    assert "403" in warning
    assert TOKEN not in warning
    assert len(recorded.calls_to("/api/v1/apps")) == 1  # a refusal is not retried


def test_an_apps_endpoint_that_keeps_failing_is_a_warning_not_a_failure() -> None:
    recorded = Recorded(routes(apps=[Resp(503, body="upstream unavailable")]))
    result = CONNECTOR.run(build(recorded))
    assert result.applications is None
    assert set(values(result)) == KRIS
    [warning] = result.warnings
    assert "503" in warning
    assert "okta.apps.read" in warning


def test_a_changed_app_shape_is_a_warning_naming_the_field() -> None:
    recorded = Recorded(routes(apps=[Resp(json=[{"label": "No id", "status": "ACTIVE"}])]))
    result = CONNECTOR.run(build(recorded))
    assert result.applications is None
    assert "'id'" in result.warnings[0]


def test_a_401_on_the_apps_endpoint_fails_the_run() -> None:
    recorded = Recorded(routes(apps=[Resp(401, json={"errorSummary": "Invalid token provided"})]))
    with pytest.raises(AuthFailed) as caught:
        CONNECTOR.run(build(recorded))
    assert caught.value.status == 401
