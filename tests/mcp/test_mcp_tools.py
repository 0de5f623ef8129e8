"""The MCP server at /api/mcp, driven by the SDK's own client over streamable HTTP.

Every tool is called as a read token and as a read + write token of a tenant admin; write tools
are refused to read tokens (403 insufficient_scope); each call is audited as the token's user.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mcp.client.session import ClientSession

from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import create_user
from tests.mcp.client import call_tools, personal_token, raw_call, session_token, with_session

READ_TOOLS = {
    "posture_summary",
    "list_kris",
    "kri_history",
    "list_risks",
    "list_outcomes",
    "list_vendors",
    "list_sources",
    "stale_or_failing_feeds",
    "search_memory",
    "ask_expert_panel",
    "org_rollup",
    "carrier_portfolio",
}
WRITE_TOOLS = {"record_kri_value", "upsert_risk", "link_kri_to_risk", "add_memory_fact"}
# Tools a tenant's users call; org_rollup and carrier_portfolio are master admins' and carriers'.
TENANT_READ_CALLS: dict[str, dict[str, Any]] = {
    "posture_summary": {},
    "list_kris": {"query": "patch", "limit": 10},
    "kri_history": {"kri_slug": "critical_cves_unpatched_gt_30d", "days": 30, "bucket": "week"},
    "list_risks": {},
    "list_outcomes": {},
    "list_vendors": {},
    "list_sources": {},
    "stale_or_failing_feeds": {},
    "search_memory": {"question": "backup retention"},
    "ask_expert_panel": {"question": "Are our critical vulnerabilities under control?"},
}


def manual_kri(base: str, tenant: TenantFixture, slug: str = "tabletop_exercises") -> None:
    """A manual source in `tenant` with one KRI fed by it."""
    headers = {"Authorization": f"Bearer {session_token(base, tenant.user_email)}"}
    source = httpx.post(
        f"{base}/api/sources",
        headers=headers,
        json={"vendor_id": "manual", "name": "By hand", "schedule": "manual"},
    )
    assert source.status_code == 201, source.text
    kri = httpx.post(
        f"{base}/api/kris",
        headers=headers,
        json={
            "slug": slug,
            "name": "Tabletop exercises this year",
            "direction": "lower_is_worse",
            "warn": 2,
            "critical": 1,
            "source_id": source.json()["id"],
        },
    )
    assert kri.status_code == 201, kri.text


def write_calls(risk: str = "mcp_phishing_risk") -> dict[str, dict[str, Any]]:
    return {
        "upsert_risk": {"slug": risk, "title": "Phishing leads to account takeover"},
        "link_kri_to_risk": {"kri_slug": "phishing_click_rate_pct", "risk_slug": risk},
        "record_kri_value": {"kri_slug": "tabletop_exercises", "value": 1, "note": "Q4"},
        "add_memory_fact": {
            "key": "backup.retention_days",
            "value": "Backups are kept for 35 days.",
            "citation": "IT policy v4, section 6.2",
        },
    }


def test_lists_every_tool_with_a_description_and_typed_schemas(
    base: str, tenant_a: TenantFixture
) -> None:
    token = personal_token(base, tenant_a.user_email)["token"]

    async def listing(session: ClientSession) -> Any:
        return await session.list_tools()

    tools = with_session(base, token, listing).tools
    assert {t.name for t in tools} == READ_TOOLS | WRITE_TOOLS
    for tool in tools:
        assert tool.description is not None, tool.name
        assert len(tool.description) > 60, tool.name
        assert tool.input_schema["type"] == "object", tool.name
        assert tool.output_schema is not None, tool.name


def test_a_read_token_calls_every_read_tool(
    base: str, tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    token = personal_token(base, tenant_a.user_email)
    results = call_tools(base, token["token"], TENANT_READ_CALLS)
    failed = {name: r.text for name, r in results.items() if not r.ok}
    assert failed == {}
    assert results["posture_summary"].result.structured_content["tenant"] == "Tenant A"
    assert results["kri_history"].result.structured_content["bucket"] == "week"
    panel = results["ask_expert_panel"]
    assert panel.result.structured_content["synthesis"]
    assert len(panel.progress) >= 3, "the panel reports its steps as MCP progress"
    assert panel.progress[-1][0] == panel.progress[-1][1]
    audited = observer_conn.execute(
        "select target_id, count(*) from tenant.audit_log where action = 'mcp.tool_call'"
        " and tenant_id = %s and actor_user_id = (select user_id from platform.api_token"
        " where id = %s) group by 1",
        (tenant_a.id, token["id"]),
    ).fetchall()
    assert dict(audited) == dict.fromkeys(TENANT_READ_CALLS, 1)


def test_a_read_write_token_calls_every_tool(
    base: str, tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    manual_kri(base, tenant_a)
    token = personal_token(base, tenant_a.user_email, "read_write")["token"]
    results = call_tools(base, token, {**write_calls(), **TENANT_READ_CALLS})
    failed = {name: r.text for name, r in results.items() if not r.ok}
    assert failed == {}
    assert results["upsert_risk"].result.structured_content["created"] is True
    risks = results["list_risks"].result.structured_content["risks"]
    linked = next(r for r in risks if r["slug"] == "mcp_phishing_risk")
    assert [k["slug"] for k in linked["kris"]] == ["phishing_click_rate_pct"]
    hits = results["search_memory"].result.structured_content["hits"]
    assert any(h["title"] == "backup.retention_days" for h in hits)
    staged = observer_conn.execute(
        "select value from tenant.staged_value where tenant_id = %s and kri_slug = %s",
        (tenant_a.id, "tabletop_exercises"),
    ).fetchall()
    assert staged == [(1.0,)]
    again = call_tools(
        base, token, {"upsert_risk": {"slug": "mcp_phishing_risk", "status": "mitigating"}}
    )
    assert again["upsert_risk"].result.structured_content["created"] is False
    assert again["upsert_risk"].result.structured_content["risk"]["status"] == "mitigating"


@pytest.mark.parametrize("tool", sorted(WRITE_TOOLS))
def test_a_read_token_is_refused_every_write_tool(
    base: str, tenant_a: TenantFixture, observer_conn: Conn, tool: str
) -> None:
    token = personal_token(base, tenant_a.user_email)["token"]
    answer = raw_call(base, token, tool, write_calls()[tool])
    assert answer.status_code == 403
    challenge = answer.headers["www-authenticate"]
    assert 'error="insufficient_scope"' in challenge
    assert 'scope="read_write"' in challenge
    assert "resource_metadata=" in challenge
    rows = observer_conn.execute(
        "select count(*) from tenant.risk where tenant_id = %s and slug = 'mcp_phishing_risk'",
        (tenant_a.id,),
    ).fetchone()
    assert rows == (0,)


def test_a_read_write_token_of_a_tenant_user_still_cannot_write(
    base: str, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    token = personal_token(base, user.email, "read_write")["token"]
    results = call_tools(base, token, {"upsert_risk": write_calls()["upsert_risk"]})
    refused = results["upsert_risk"]
    assert refused.result.is_error
    assert "403" in refused.text
