"""Entra ID connector against recorded Microsoft Graph responses (fixtures/entra-id)."""

from __future__ import annotations

import json

import pytest

from connectors.base import ConnectorContext
from connectors.entra_id import CONNECTOR
from connectors.errors import AuthFailed
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

TENANT = "6f1c2a3b-0000-4000-8000-0000000000aa"
CLIENT_ID = "3c9d8e7f-0000-4000-8000-0000000000bb"
SECRET = "s3cr3t~Graph.Client_Secret"
ACCESS = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.graph-access"
TOKEN_PATH = f"/{TENANT}/oauth2/v2.0/token"
TOKEN_OK = Resp(
    json={
        "token_type": "Bearer",
        "expires_in": 3599,
        "ext_expires_in": 3599,
        "access_token": ACCESS,
    }
)
REG = "/v1.0/reports/authenticationMethods/userRegistrationDetails"
ROLE_MEMBERS = "/v1.0/directoryRoles(roleTemplateId='62e90394-69f5-4237-9190-012177145e10')/members"
DENIED = Resp(
    403,
    json={"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges"}},
)


def routes(**override: list[Resp]) -> list[Route]:
    table: dict[str, tuple[str, list[Resp]]] = {
        "token": (TOKEN_PATH, [TOKEN_OK]),
        "registration": (
            REG,
            [Resp(fixture="registration_page1.json"), Resp(fixture="registration_page2.json")],
        ),
        "users": ("/v1.0/users", [Resp(fixture="users.json")]),
        "admins": (ROLE_MEMBERS, [Resp(fixture="global_admin_members.json")]),
        "policies": (
            "/v1.0/identity/conditionalAccess/policies",
            [Resp(fixture="ca_policies.json")],
        ),
        "risky": ("/v1.0/identityProtection/riskyUsers", [Resp(fixture="risky_users.json")]),
        "apps": (
            "/v1.0/servicePrincipals",
            [
                Resp(fixture="service_principals_page1.json"),
                Resp(fixture="service_principals_page2.json"),
            ],
        ),
    }
    return [
        Route("POST" if key == "token" else "GET", path=path, responses=override.get(key, r))
        for key, (path, r) in table.items()
    ]


def build(recorded: Recorded) -> ConnectorContext:
    ctx, _ = make_ctx(
        "entra-id",
        config={"tenant_id": TENANT, "client_id": CLIENT_ID},
        credentials={"client_secret": SECRET},
        recorded=recorded,
    )
    return ctx


def test_run_computes_every_kri_from_the_recorded_tenant() -> None:
    recorded = Recorded(routes())
    result = CONNECTOR.run(build(recorded))

    assert recorded.unmatched == []
    assert result.warnings == ()
    got = values(result)
    # Members alice, bob, carol, dave (the guest is left out); registered: alice, bob -> 50 %.
    assert got["mfa_enrollment_pct"] == 50.0
    # Admins alice (registered) and carol (not) -> 1.
    assert got["admins_without_mfa"] == 1
    # Cutoff 2026-08-28: u3 last seen 2026-05-01; u6 never signed in, created 2025-02-01;
    # u2's interactive sign-in is old but its non-interactive one is recent; u4 is new -> 2.
    assert got["inactive_users_gt_90d"] == 2
    # Two users and one service principal hold Global Administrator.
    assert got["global_admins"] == 3
    # One report-only and one disabled policy out of 4.
    assert got["ca_policies_not_enforced"] == 2
    # atRisk (bob) and confirmedCompromised (dave); remediated and dismissed don't count.
    assert got["risky_users_at_risk"] == 2
    detail = {
        r["kri_slug"]: json.loads(r["detail"]) for r in result.observations.iter_rows(named=True)
    }
    assert detail["mfa_enrollment_pct"] == {"numerator": 2, "denominator": 4}
    assert detail["global_admins"] == {"by_type": {"user": 2, "servicePrincipal": 1}}
    assert set(result.observations["observed_at"].to_list()) == {FIXED_NOW}
    assert result.items_fetched == 5 + 5 + 3 + 4 + 4

    token_calls = recorded.calls_to(TOKEN_PATH, "POST")
    assert len(token_calls) == 1  # the token is cached across calls
    form = token_calls[0].form()
    assert form["grant_type"] == "client_credentials"
    assert form["scope"] == "https://graph.microsoft.com/.default"
    assert form["client_id"] == CLIENT_ID
    assert token_calls[0].url.host == "login.microsoftonline.com"
    graph_calls = [c for c in recorded.calls if c.url.host == "graph.microsoft.com"]
    assert all(c.headers["Authorization"] == f"Bearer {ACCESS}" for c in graph_calls)
    assert_secrets_not_in_urls(recorded, [SECRET])


def test_run_follows_odata_next_link_and_selects_sign_in_activity() -> None:
    recorded = Recorded(routes())
    CONNECTOR.run(build(recorded))

    pages = recorded.calls_to(REG)
    assert [c.params.get("$skiptoken") for c in pages] == [None, "page2"]
    users = recorded.calls_to("/v1.0/users")[0]
    assert "signInActivity" in users.params["$select"]
    assert users.params["$filter"] == "accountEnabled eq true"


def test_401_from_the_token_endpoint_fails_the_run_and_the_probe() -> None:
    refused = Resp(
        401,
        json={
            "error": "invalid_client",
            "error_description": "AADSTS7000215: Invalid client secret.",
        },
    )
    recorded = Recorded(routes(token=[refused]))
    with pytest.raises(AuthFailed) as caught:
        CONNECTOR.run(build(recorded))
    assert caught.value.status == 401
    assert "invalid_client" in str(caught.value)
    assert SECRET not in str(caught.value)

    probe = CONNECTOR.test(build(Recorded(routes(token=[refused]))))
    assert probe.ok is False
    assert probe.message.startswith("entra-id:")
    assert SECRET not in probe.message


def test_403_on_every_graph_endpoint_fails_the_run() -> None:
    recorded = Recorded(
        [
            Route("POST", path=TOKEN_PATH, responses=[TOKEN_OK]),
            Route("GET", path_re="/v1.0/.*", responses=[DENIED]),
        ]
    )
    with pytest.raises(AuthFailed) as caught:
        CONNECTOR.run(build(recorded))
    assert caught.value.status == 403
    assert "Insufficient privileges" in str(caught.value)
    graph = [c for c in recorded.calls if c.url.host == "graph.microsoft.com"]
    # Each endpoint once, none retried: the five KRI groups and the application inventory.
    assert len(graph) == 6

    probe = CONNECTOR.test(build(Recorded(routes(users=[DENIED]))))
    assert probe.ok is False
    assert "403" in probe.message


def test_probe_succeeds() -> None:
    recorded = Recorded(routes(users=[Resp(json={"value": [{"id": "x"}]})]))
    probe = CONNECTOR.test(build(recorded))
    assert probe.ok is True
    assert recorded.calls_to("/v1.0/users")[0].params["$top"] == "1"


def test_a_403_on_risky_users_leaves_only_that_kri_out() -> None:
    recorded = Recorded(routes(risky=[DENIED]))
    result = CONNECTOR.run(build(recorded))
    got = values(result)
    assert "risky_users_at_risk" not in got
    assert got["global_admins"] == 3
    assert len(result.warnings) == 1
    assert "risky_users_at_risk" in result.warnings[0]
    assert "403" in result.warnings[0]


def test_429_with_retry_after_then_success() -> None:
    throttled = Resp(429, json={"error": {"code": "TooManyRequests"}}, headers={"Retry-After": "7"})
    recorded = Recorded(routes(policies=[throttled, Resp(fixture="ca_policies.json")]))
    ctx, sleeps = make_ctx(
        "entra-id",
        config={"tenant_id": TENANT, "client_id": CLIENT_ID},
        credentials={"client_secret": SECRET},
        recorded=recorded,
    )
    result = CONNECTOR.run(ctx)
    assert sleeps == [7.0]
    assert values(result)["ca_policies_not_enforced"] == 2


def test_5xx_is_retried_then_its_group_is_left_out() -> None:
    recorded = Recorded(routes(registration=[Resp(502, body="Bad Gateway")]))
    ctx, sleeps = make_ctx(
        "entra-id",
        config={"tenant_id": TENANT, "client_id": CLIENT_ID},
        credentials={"client_secret": SECRET},
        recorded=recorded,
    )
    result = CONNECTOR.run(ctx)
    assert len(recorded.calls_to(REG)) == 4
    assert len(sleeps) == 3
    assert_group_left_out(result, ("mfa_enrollment_pct", "admins_without_mfa"), "502")


def test_a_renamed_field_leaves_its_group_out_naming_it() -> None:
    renamed = {
        "value": [{"id": "a", "userType": "member", "isAdmin": False, "mfaRegistered": True}]
    }
    recorded = Recorded(routes(registration=[Resp(json=renamed)]))
    result = CONNECTOR.run(build(recorded))
    assert_group_left_out(result, ("mfa_enrollment_pct", "admins_without_mfa"), "isMfaRegistered")


def test_a_tenant_id_that_is_not_a_name_is_refused_before_any_call() -> None:
    recorded = Recorded(routes())
    ctx, _ = make_ctx(
        "entra-id",
        config={"tenant_id": "evil.example/../x", "client_id": CLIENT_ID},
        credentials={"client_secret": SECRET},
        recorded=recorded,
    )
    probe = CONNECTOR.test(ctx)
    assert probe.ok is False
    assert recorded.calls == []


def test_bearer_header_is_sent_on_graph_calls_only() -> None:
    recorded = Recorded(routes())
    CONNECTOR.run(build(recorded))
    token_call = recorded.calls_to(TOKEN_PATH)[0]
    assert "Authorization" not in token_call.headers
    graph_only = Recorded(routes())
    graph_only.calls = [c for c in recorded.calls if c.url.host == "graph.microsoft.com"]
    assert_header_sent(graph_only, "Authorization", f"Bearer {ACCESS}")
