"""Who the MCP server lets in, and what a token sees: its own tenant, never another's.

Refused tokens (none, unknown, revoked, expired, push) get 401 with the RFC 9728 metadata URL;
the metadata is served at the root where MCP clients look for it. The cross-tenant probe runs
every read tool with tenant A's token after tenant B has written distinctive rows, and no
answer may carry any of them; A's write tools cannot reach B's rows either.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import httpx
import pytest

from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import create_carrier, create_user
from tests.mcp.client import call_tools, personal_token, raw_call, session_token
from tests.mcp.test_mcp_tools import TENANT_READ_CALLS


def refused_with_metadata(answer: httpx.Response, status: int = 401, why: str = "") -> None:
    assert answer.status_code == status, answer.text
    assert why in answer.json()["error_description"]
    challenge = answer.headers["www-authenticate"]
    assert challenge.startswith("Bearer")
    assert "resource_metadata=" in challenge
    assert "/.well-known/oauth-protected-resource/api/mcp" in challenge


def test_no_token_gets_401_with_the_protected_resource_metadata(base: str) -> None:
    refused_with_metadata(raw_call(base, None, "posture_summary", {}))
    metadata = httpx.get(f"{base}/.well-known/oauth-protected-resource/api/mcp")
    assert metadata.status_code == 200
    body = metadata.json()
    assert body["resource"].endswith("/api/mcp")
    assert body["authorization_servers"]
    assert body["bearer_methods_supported"] == ["header"]


def test_unknown_revoked_and_expired_tokens_are_refused(
    base: str, tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    revoked = personal_token(base, tenant_a.user_email)
    expired = personal_token(base, tenant_a.user_email)
    session = {"Authorization": f"Bearer {session_token(base, tenant_a.user_email)}"}
    assert httpx.delete(f"{base}/api/me/tokens/{revoked['id']}", headers=session).status_code == 204
    observer_conn.execute(
        "update platform.api_token set created_at = now() - interval '2 days',"
        " expires_at = now() - interval '1 second' where id = %s",
        (expired["id"],),
    )
    for token in (revoked["token"], expired["token"]):
        refused_with_metadata(
            raw_call(base, token, "posture_summary", {}), why="revoked or has expired"
        )
    for token in ("drx_pat_" + "A" * 43, "not-a-token"):
        refused_with_metadata(raw_call(base, token, "posture_summary", {}))


def test_a_token_over_its_rate_limit_gets_429(
    base: str, tenant_a: TenantFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = personal_token(base, tenant_a.user_email)["token"]
    monkeypatch.setattr("api.token_auth.RATE_LIMIT_PER_MINUTE", 1)
    assert raw_call(base, token, "posture_summary", {}).status_code == 200
    limited = raw_call(base, token, "posture_summary", {})
    refused_with_metadata(limited, 429, "Too many calls")
    assert int(limited.headers["retry-after"]) > 0


def test_a_session_jwt_is_not_an_mcp_credential(base: str, tenant_a: TenantFixture) -> None:
    token = session_token(base, tenant_a.user_email)
    refused_with_metadata(raw_call(base, token, "posture_summary", {}))


def test_a_push_token_is_refused_everywhere_but_its_push(
    base: str, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    session = {"Authorization": f"Bearer {session_token(base, tenant_a.user_email)}"}
    source = httpx.post(
        f"{base}/api/sources",
        headers=session,
        json={"vendor_id": "external-push", "name": "Pushed", "schedule": "manual"},
    )
    assert source.status_code == 201, source.text
    minted = httpx.post(f"{base}/api/sources/{source.json()['id']}/push-token", headers=session)
    push = minted.json()["token"]
    for tool, arguments in (
        ("posture_summary", {}),
        ("record_kri_value", {"kri_slug": "x", "value": 1}),
    ):
        refused_with_metadata(raw_call(base, push, tool, arguments), 403, "push token")
    rest = httpx.get(f"{base}/api/dashboard", headers={"Authorization": f"Bearer {push}"})
    assert rest.status_code == 403
    pushed = httpx.post(
        f"{base}/api/push/kri-values",
        headers={"Authorization": f"Bearer {push}"},
        json={"values": []},
    )
    assert pushed.status_code != 401, "the push token still pushes"


def _plant(base: str, tenant: TenantFixture) -> dict[str, str]:
    """Distinctive rows in `tenant`, written through its own read-write token."""
    marker = uuid4().hex[:10]
    token = personal_token(base, tenant.user_email, "read_write")["token"]
    calls: dict[str, dict[str, Any]] = {
        "upsert_risk": {"slug": f"secret_risk_{marker}", "title": f"Secret risk {marker}"},
        "add_memory_fact": {
            "key": f"secret.{marker}",
            "value": f"The vault code is {marker}; backup retention is secret.",
            "citation": f"Secret memo {marker}",
        },
    }
    results = call_tools(base, token, calls)
    assert all(r.ok for r in results.values()), {n: r.text for n, r in results.items()}
    headers = {"Authorization": f"Bearer {session_token(base, tenant.user_email)}"}
    vendor = httpx.post(
        f"{base}/api/vendors",
        headers=headers,
        json={"slug": f"secret_vendor_{marker}", "name": f"Vendor {marker}", "tier": 1},
    )
    assert vendor.status_code == 201, vendor.text
    return {"marker": marker, "tenant": str(tenant.id), "risk": f"secret_risk_{marker}"}


def test_tenant_as_token_never_sees_tenant_b(
    base: str, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    planted = _plant(base, tenant_b)
    token = personal_token(base, tenant_a.user_email, "read_write")["token"]
    probe = {
        **TENANT_READ_CALLS,
        "list_kris": {"limit": 200},
        "search_memory": {"question": f"vault code {planted['marker']} backup retention"},
        "list_risks": {"query": planted["marker"]},
    }
    results = call_tools(base, token, probe)
    for name, called in results.items():
        assert called.ok, (name, called.text)
        answer = json.dumps(called.result.structured_content) + called.text
        assert planted["marker"] not in answer, f"{name} leaked tenant B's rows"
        assert planted["tenant"] not in answer, f"{name} named tenant B"
    reach = call_tools(
        base,
        token,
        {
            "link_kri_to_risk": {
                "kri_slug": "phishing_click_rate_pct",
                "risk_slug": planted["risk"],
            },
            "kri_history": {"kri_slug": f"secret_{planted['marker']}"},
        },
    )
    assert all(r.result.is_error for r in reach.values())


def test_master_admins_and_carrier_users_get_their_portfolio_tools(
    base: str, app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    master = create_user(app_conn, "master_admin", tenant=tenant_a)
    token = personal_token(base, master.email)["token"]
    results = call_tools(base, token, {"org_rollup": {}, "posture_summary": {}})
    rollup = results["org_rollup"]
    assert rollup.ok, rollup.text
    tenants = {t["tenant_id"] for t in rollup.result.structured_content["tenants"]}
    assert str(tenant_a.id) in tenants
    assert str(tenant_b.id) not in tenants
    assert results["posture_summary"].result.is_error, "a master admin has no tenant of its own"
    carrier = create_user(app_conn, "carrier_user", carrier_id=create_carrier(app_conn))
    book = call_tools(base, personal_token(base, carrier.email)["token"], {"carrier_portfolio": {}})
    assert book["carrier_portfolio"].ok, book["carrier_portfolio"].text
    assert book["carrier_portfolio"].result.structured_content["book"]["tenants"] == 0
    tenant_token = personal_token(base, tenant_a.user_email)["token"]
    denied = call_tools(base, tenant_token, {"org_rollup": {}, "carrier_portfolio": {}})
    assert all(r.result.is_error and "403" in r.text for r in denied.values())
    root = create_user(app_conn, "superadmin")
    homeless = call_tools(base, personal_token(base, root.email)["token"], {"org_rollup": {}})
    assert homeless["org_rollup"].result.is_error
    assert "403" in homeless["org_rollup"].text
