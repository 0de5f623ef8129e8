"""The MCP `list_risks` tool shows a formally accepted risk as accepted, with its severity."""

from __future__ import annotations

from datetime import date, timedelta

from draxis.db.scope import scoped_transaction
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import create_user
from tests.mcp.client import call_tools, personal_token


def test_list_risks_flags_an_accepted_risk(
    base: str, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    member = create_user(app_conn, "tenant_user", tenant=tenant_a)
    admin = observer_conn.execute(
        "select id from platform.users where email = %s", (tenant_a.user_email,)
    ).fetchone()
    assert admin is not None
    until = date.today() + timedelta(days=30)
    with scoped_transaction(app_conn, tenant_a.scope):
        ids = [
            app_conn.execute(
                "insert into tenant.risk (tenant_id, slug, title, status) values (%s, %s, %s, %s)"
                " returning id",
                (tenant_a.id, slug, slug.title(), status),
            ).fetchone()
            for slug, status in (("accepted_one", "accepted"), ("plain_one", "open"))
        ]
        accepted = ids[0]
        assert accepted is not None
        app_conn.execute(
            "insert into tenant.risk_acceptance (tenant_id, risk_id, justification,"
            " requested_by, expires_at, status, decided_by, decided_at)"
            " values (%s, %s, 'Compensated', %s, %s, 'approved', %s, now())",
            (tenant_a.id, accepted[0], member.id, until, admin[0]),
        )
    token = personal_token(base, tenant_a.user_email)["token"]
    called = call_tools(base, token, {"list_risks": {}})["list_risks"]
    assert called.result.structured_content is not None
    risks = {r["slug"]: r for r in called.result.structured_content["risks"]}
    assert risks["accepted_one"]["accepted_until"] == until.isoformat()
    assert risks["accepted_one"]["severity"] == "unassessed"  # as computed: no link yet
    assert risks["plain_one"]["accepted_until"] is None
