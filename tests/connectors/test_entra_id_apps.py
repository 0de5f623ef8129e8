"""Entra ID's application inventory (GET /servicePrincipals, Microsoft Graph v1.0) at its
documented limits: ``$top`` ≤ 999, ``@odata.nextLink`` paging, 429 with ``Retry-After``, and an
app registration without Application.Read.All, which must leave every KRI as it was."""

from __future__ import annotations

from typing import Any

from connectors.base import Application
from connectors.entra_id import CONNECTOR
from tests.connectors.harness import Recorded, Resp, make_ctx, values
from tests.connectors.test_entra_id import CLIENT_ID, DENIED, SECRET, TENANT, build, routes

GRAPH = "https://graph.microsoft.com/v1.0"
SP_PATH = "/v1.0/servicePrincipals"
PAGE = 999
KRIS = {
    "mfa_enrollment_pct",
    "admins_without_mfa",
    "inactive_users_gt_90d",
    "global_admins",
    "ca_policies_not_enforced",
    "risky_users_at_risk",
}


def sp(n: int) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-4000-9000-{n:012d}",
        "appId": f"11111111-0000-4000-9000-{n:012d}",
        "displayName": f"App {n}",
        "accountEnabled": True,
    }


def pages(total: int, size: int = PAGE) -> list[Resp]:
    out: list[Resp] = []
    for number, start in enumerate(range(0, total, size)):
        body: dict[str, Any] = {
            "@odata.context": f"{GRAPH}/$metadata#servicePrincipals(id,appId,displayName,"
            "accountEnabled)",
            "value": [sp(n) for n in range(start, min(start + size, total))],
        }
        if start + size < total:
            body["@odata.nextLink"] = (
                f"{GRAPH}/servicePrincipals?$top={size}&$skiptoken=page{number + 1}"
            )
        out.append(Resp(json=body))
    return out or [Resp(json={"value": []})]


def test_the_run_reports_the_enterprise_apps_of_every_page() -> None:
    recorded = Recorded(routes())
    result = CONNECTOR.run(build(recorded))

    assert recorded.unmatched == []
    assert result.warnings == ()
    assert result.applications == (
        Application("22222222-aaaa-4000-8000-000000000001", "Acme CRM", True),
        Application("22222222-aaaa-4000-8000-000000000002", "Slack", True),
        Application("22222222-aaaa-4000-8000-000000000003", "Payroll SaaS", False),
        # No displayName: named by its appId; accountEnabled null counts as enabled.
        Application(
            "22222222-aaaa-4000-8000-000000000004", "22222222-aaaa-4000-8000-000000000004", True
        ),
    )
    first, second = recorded.calls_to(SP_PATH)
    assert first.params["$select"] == "id,appId,displayName,accountEnabled"
    assert first.params["$filter"] == "tags/any(t:t eq 'WindowsAzureActiveDirectoryIntegratedApp')"
    assert first.params["$top"] == "999"
    # The next link is followed as given, its own query (skiptoken included) and nothing more.
    assert second.params["$skiptoken"] == "RFNwdAIAAQAAACpTZXJ2aWNlUHJpbmNpcGFs"
    assert second.params["$top"] == "999"
    assert set(values(result)) == KRIS


def test_full_pages_at_the_maximum_size_are_followed_to_the_end() -> None:
    recorded = Recorded(routes(apps=pages(5 * PAGE + 3)))
    result = CONNECTOR.run(build(recorded))

    assert result.applications is not None
    assert len(result.applications) == 5 * PAGE + 3
    calls = recorded.calls_to(SP_PATH)
    assert len(calls) == 6
    assert [c.params.get("$skiptoken") for c in calls] == [None, *(f"page{n}" for n in range(1, 6))]


def test_a_429_mid_listing_honours_retry_after_and_goes_on() -> None:
    limited = Resp(
        429,
        json={"error": {"code": "TooManyRequests", "message": "Too many requests"}},
        headers={"Retry-After": "7"},
    )
    first, second = pages(PAGE + 1)
    recorded = Recorded(routes(apps=[first, limited, second]))
    ctx, sleeps = make_ctx(
        "entra-id",
        config={"tenant_id": TENANT, "client_id": CLIENT_ID},
        credentials={"client_secret": SECRET},
        recorded=recorded,
    )
    result = CONNECTOR.run(ctx)

    assert sleeps == [7.0]
    assert result.applications is not None
    assert len(result.applications) == PAGE + 1
    skip = [c.params.get("$skiptoken") for c in recorded.calls_to(SP_PATH)]
    assert skip == [None, "page1", "page1"]


def test_a_tenant_without_enterprise_apps_reports_an_empty_inventory() -> None:
    recorded = Recorded(routes(apps=[Resp(json={"@odata.context": "x", "value": []})]))
    result = CONNECTOR.run(build(recorded))
    assert result.applications == ()
    assert result.warnings == ()


def test_without_application_read_all_every_kri_is_kept_and_the_warning_names_it() -> None:
    recorded = Recorded(routes(apps=[DENIED]))
    result = CONNECTOR.run(build(recorded))

    assert result.applications is None
    assert set(values(result)) == KRIS
    [warning] = result.warnings
    assert warning.startswith("entra-id: application inventory not read")
    assert "Application.Read.All" in warning
    assert "Insufficient privileges" in warning
    assert SECRET not in warning
    assert len(recorded.calls_to(SP_PATH)) == 1


def test_a_filter_graph_refuses_is_a_warning_not_a_failure() -> None:
    bad = Resp(
        400,
        json={"error": {"code": "Request_UnsupportedQuery", "message": "Unsupported query."}},
    )
    result = CONNECTOR.run(build(Recorded(routes(apps=[bad]))))
    assert result.applications is None
    assert set(values(result)) == KRIS
    assert "Unsupported query." in result.warnings[0]
