"""Google Workspace's application inventory (Reports API activities.list, applicationName=token,
eventName=authorize) at its documented limits: ``maxResults`` ≤ 1000, ``nextPageToken``
paging, 429 with ``Retry-After``, and a delegation without admin.reports.audit.readonly, which
must leave the directory KRIs as they were."""

from __future__ import annotations

from typing import Any

from connectors.base import Application
from connectors.google_workspace import CONNECTOR
from connectors.google_workspace_apps import AUDIT_PAGE
from connectors.google_workspace_apps import AUDIT_PATH as TOKENS_PATH
from tests.connectors.harness import Recorded, Resp, make_ctx, values
from tests.connectors.test_google_workspace import (
    ADMIN,
    TOKEN_OK,
    USER_SLUGS,
    build,
    key_json,
    routes,
)

CRM = "1234567890-crm.apps.googleusercontent.com"
SLACK = "9876543210-slack.apps.googleusercontent.com"
PAYROLL = "5555555555-payroll.apps.googleusercontent.com"


def authorize(n: int, event: str = "authorize") -> dict[str, Any]:
    return {
        "kind": "admin#reports#activity",
        "id": {"time": "2026-11-01T00:00:00.000Z", "applicationName": "token"},
        "actor": {"email": f"user{n}@acme.example"},
        "events": [
            {
                "type": "auth",
                "name": event,
                "parameters": [
                    {"name": "client_id", "value": f"{n}.apps.googleusercontent.com"},
                    {"name": "app_name", "value": f"App {n}"},
                ],
            }
        ],
    }


def pages(total: int, size: int = AUDIT_PAGE) -> list[Resp]:
    out: list[Resp] = []
    for number, start in enumerate(range(0, total, size)):
        body: dict[str, Any] = {
            "kind": "admin#reports#activities",
            "items": [authorize(n) for n in range(start, min(start + size, total))],
        }
        if start + size < total:
            body["nextPageToken"] = f"A:page{number + 1}"
        out.append(Resp(json=body))
    return out


def test_the_run_reports_each_authorized_app_once() -> None:
    recorded = Recorded(routes())
    result = CONNECTOR.run(build(recorded))

    assert recorded.unmatched == []
    assert result.warnings == ()
    # Newest event first: the CRM's current name wins over its older one.
    assert result.applications == (
        Application(CRM, "Acme CRM", True),
        Application(SLACK, "Slack", True),
        Application(PAYROLL, "Payroll SaaS", True),
    )
    first, second = recorded.calls_to(TOKENS_PATH)
    assert first.params["eventName"] == "authorize"
    assert first.params["maxResults"] == "1000"
    assert first.params["startTime"] == "2026-05-31T12:00:00.000Z"  # 179 days before the run
    assert first.params["endTime"] == "2026-11-26T12:00:00.000Z"
    assert "pageToken" not in first.params
    assert second.params["pageToken"] == "A:1701388800000000:-8832736284720138212:token:C01abc23d"
    assert set(values(result)) == {k.slug for k in CONNECTOR.kris}


def test_other_token_events_and_grants_without_a_client_are_not_apps() -> None:
    revoked = authorize(1, event="revoke")
    no_client = authorize(2)
    no_client["events"][0]["parameters"] = [{"name": "app_name", "value": "Nameless"}]
    unnamed = authorize(3)
    unnamed["events"][0]["parameters"] = [{"name": "client_id", "value": "3.apps"}]
    body = {"kind": "admin#reports#activities", "items": [revoked, no_client, unnamed]}
    result = CONNECTOR.run(build(Recorded(routes(tokens=[Resp(json=body)]))))
    assert result.applications == (Application("3.apps", "3.apps", True),)


def test_full_pages_at_the_maximum_size_are_followed_to_the_end() -> None:
    recorded = Recorded(routes(tokens=pages(4 * AUDIT_PAGE + 2)))
    result = CONNECTOR.run(build(recorded))

    assert result.applications is not None
    assert len(result.applications) == 4 * AUDIT_PAGE + 2
    calls = recorded.calls_to(TOKENS_PATH)
    assert [c.params.get("pageToken") for c in calls] == [
        None,
        *(f"A:page{n}" for n in range(1, 5)),
    ]
    assert all(c.params["maxResults"] == "1000" for c in calls)


def test_a_429_mid_listing_honours_retry_after_and_goes_on() -> None:
    limited = Resp(
        429,
        json={"error": {"code": 429, "message": "Quota exceeded for quota metric 'Queries'"}},
        headers={"Retry-After": "13"},
    )
    first, second = pages(AUDIT_PAGE + 1)
    recorded = Recorded(routes(tokens=[first, limited, second]))
    ctx, sleeps = make_ctx(
        "google-workspace",
        config={"admin_email": ADMIN},
        credentials={"service_account_key": key_json()},
        recorded=recorded,
    )
    result = CONNECTOR.run(ctx)
    assert sleeps == [13.0]
    assert result.applications is not None
    assert len(result.applications) == AUDIT_PAGE + 1
    tokens = [c.params.get("pageToken") for c in recorded.calls_to(TOKENS_PATH)]
    assert tokens == [None, "A:page1", "A:page1"]


def test_a_domain_without_grants_reports_an_empty_inventory() -> None:
    empty = Resp(json={"kind": "admin#reports#activities", "etag": '"e"'})  # no items at all
    result = CONNECTOR.run(build(Recorded(routes(tokens=[empty]))))
    assert result.applications == ()
    assert result.warnings == ()


def test_without_the_reports_scope_the_directory_kris_stay_and_the_warning_names_it() -> None:
    unauthorized = Resp(
        401,
        json={
            "error": "unauthorized_client",
            "error_description": "Client is unauthorized to retrieve access tokens using this "
            "method, or client not authorized for any of the scopes requested.",
        },
    )
    recorded = Recorded(routes(token=[TOKEN_OK, unauthorized]))
    result = CONNECTOR.run(build(recorded))

    assert result.applications is None
    assert set(USER_SLUGS) <= set(values(result))
    app_warnings = [w for w in result.warnings if "application inventory" in w]
    [warning] = app_warnings
    assert "admin.reports.audit.readonly" in warning
    assert "previous list is kept" in warning
    assert recorded.calls_to(TOKENS_PATH) == []


def test_a_403_on_the_token_audit_log_alone_is_a_warning() -> None:
    denied = Resp(
        403,
        json={"error": {"code": 403, "message": "Not Authorized to access this resource/api"}},
    )
    result = CONNECTOR.run(build(Recorded(routes(tokens=[denied]))))
    assert result.applications is None
    assert set(values(result)) == {k.slug for k in CONNECTOR.kris}
    [warning] = result.warnings
    assert "admin.reports.audit.readonly" in warning
    assert "Not Authorized" in warning
