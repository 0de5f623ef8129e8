"""Formal risk acceptance through the API: request, approve (never one's own), reject, revoke.

Real Postgres through the app; refusals are problems with a reason and write nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from draxis.db.scope import scoped_transaction
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user
from tests.security.helpers import assert_problem, sign_in

SOON = (date.today() + timedelta(days=90)).isoformat()


def _risk(client: TestClient, token: str, slug: str) -> str:
    response = client.post(
        "/api/risks", json={"slug": slug, "title": f"Risk {slug}"}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _control(client: TestClient, token: str, slug: str) -> str:
    response = client.post(
        "/api/controls", json={"slug": slug, "name": f"Control {slug}"}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _request(client: TestClient, token: str, risk: str, **extra: Any) -> Any:
    body = {"justification": "Replaced in Q2; MFA covers it until then.", "expires_at": SOON}
    return client.post(
        f"/api/risks/{risk}/acceptances", json={**body, **extra}, headers=bearer(token)
    )


def test_a_member_requests_and_another_admin_approves(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    other_admin = create_user(app_conn, "tenant_admin", tenant=tenant_a)
    member = create_user(app_conn, "tenant_user", tenant=tenant_a)
    member_token = sign_in(client, member.email).access
    risk = _risk(client, admin, "legacy_vpn")
    control = _control(client, admin, "vpn_mfa")

    requested = _request(client, member_token, risk, compensating_control_id=control)
    assert requested.status_code == 201, requested.text
    acceptance = requested.json()
    assert acceptance["status"] == "pending"
    assert acceptance["in_force"] is False
    assert acceptance["compensating_control_name"] == "Control vpn_mfa"
    assert acceptance["requested_by"] == str(member.id)
    # Both admins are asked to decide; the requester is not notified of their own request.
    notified = observer_conn.execute(
        "select user_id, link from tenant.notification where tenant_id = %s"
        " and event = 'acceptance.requested'",
        (tenant_a.id,),
    ).fetchall()
    assert len(notified) == 2
    assert member.id not in {row[0] for row in notified}
    assert {row[1] for row in notified} == {"/acceptances"}

    # A tenant_user may not decide; an admin may.
    assert_problem(
        client.post(
            f"/api/risk-acceptances/{acceptance['id']}/approve",
            json={},
            headers=bearer(member_token),
        ),
        403,
    )
    pending = client.get("/api/risk-acceptances?status=pending", headers=bearer(admin)).json()
    assert [a["id"] for a in pending["items"]] == [acceptance["id"]]
    approved = client.post(
        f"/api/risk-acceptances/{acceptance['id']}/approve",
        json={"reason": "Agreed at the risk committee"},
        headers=bearer(admin),
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["in_force"] is True
    assert approved.json()["decided_by_name"] == "Admin a"
    risk_row = client.get(f"/api/risks/{risk}", headers=bearer(admin)).json()
    assert risk_row["status"] == "accepted"
    assert observer_conn.execute(
        "select count(*) from tenant.notification where user_id = %s"
        " and event = 'acceptance.approved'",
        (member.id,),
    ).fetchone() == (1,)
    # Decided once: a second decision is a conflict.
    assert_problem(
        client.post(
            f"/api/risk-acceptances/{acceptance['id']}/reject",
            json={"reason": "changed my mind"},
            headers=bearer(sign_in(client, other_admin.email).access),
        ),
        409,
    )
    history = client.get(f"/api/risks/{risk}/acceptances", headers=bearer(admin)).json()
    assert [a["status"] for a in history] == ["approved"]
    audited = observer_conn.execute(
        "select action from tenant.audit_log where tenant_id = %s and target_id = %s",
        (tenant_a.id, acceptance["id"]),
    ).fetchall()
    assert sorted(row[0] for row in audited) == [
        "risk_acceptance.approve",
        "risk_acceptance.request",
    ]


def test_self_approval_is_refused_with_a_reason(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    risk = _risk(client, admin, "shadow_it")
    acceptance = _request(client, admin, risk).json()
    for action, body in (("approve", {}), ("reject", {"reason": "no"})):
        problem = assert_problem(
            client.post(
                f"/api/risk-acceptances/{acceptance['id']}/{action}",
                json=body,
                headers=bearer(admin),
            ),
            403,
        )
        assert "self-approval" in problem["detail"]
    assert observer_conn.execute(
        "select status, decided_by from tenant.risk_acceptance where id = %s",
        (acceptance["id"],),
    ).fetchone() == ("pending", None)


def test_the_database_refuses_self_approval_whatever_the_sql(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    acceptance = _request(client, admin, _risk(client, admin, "self_dealing")).json()
    with (
        pytest.raises(psycopg.errors.CheckViolation, match="no_self_approval"),
        scoped_transaction(app_conn, tenant_a.scope),
    ):
        app_conn.execute(
            "update tenant.risk_acceptance set status = 'approved', decided_by = requested_by,"
            " decided_at = now() where id = %s",
            (acceptance["id"],),
        )


@pytest.mark.parametrize(
    ("days_ahead", "why"),
    [(-1, "after today"), (0, "after today"), (1097, "at most")],
    ids=["yesterday", "today", "beyond-three-years"],
)
def test_the_expiry_must_be_ahead(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture, days_ahead: int, why: str
) -> None:
    # The date is taken when the test runs, not when it is collected: a run that crosses
    # midnight once sent "today + 1097" computed yesterday, which the server found in range.
    expires_at = (date.today() + timedelta(days=days_ahead)).isoformat()
    admin = sign_in(client, tenant_a.user_email).access
    risk = _risk(client, admin, "old_backup")
    problem = assert_problem(_request(client, admin, risk, expires_at=expires_at), 422)
    assert why in problem["detail"]
    assert observer_conn.execute(
        "select count(*) from tenant.risk_acceptance where risk_id = %s", (risk,)
    ).fetchone() == (0,)


def test_one_pending_or_approved_acceptance_per_risk(
    client: TestClient, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    risk = _risk(client, admin, "phishing")
    first = _request(client, admin, risk)
    assert first.status_code == 201
    assert_problem(_request(client, admin, risk), 409)
    # Revoked, it no longer blocks a new request; the history keeps both.
    revoked = client.post(
        f"/api/risk-acceptances/{first.json()['id']}/revoke",
        json={"reason": "withdrawn"},
        headers=bearer(admin),
    )
    assert revoked.status_code == 200, revoked.text
    assert _request(client, admin, risk).status_code == 201
    history = client.get(f"/api/risks/{risk}/acceptances", headers=bearer(admin)).json()
    assert sorted(a["status"] for a in history) == ["pending", "revoked"]


def test_another_tenants_control_cannot_compensate(
    client: TestClient, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    admin_b = sign_in(client, tenant_b.user_email).access
    foreign = _control(client, admin_b, "their_edr")
    admin_a = sign_in(client, tenant_a.user_email).access
    risk = _risk(client, admin_a, "ransomware")
    problem = assert_problem(_request(client, admin_a, risk, compensating_control_id=foreign), 422)
    assert "compensating control" in problem["detail"]


def test_revoking_an_approved_acceptance_returns_the_risk_to_review(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    member = create_user(app_conn, "tenant_user", tenant=tenant_a)
    member_token = sign_in(client, member.email).access
    risk = _risk(client, admin, "unpatched_erp")
    acceptance = _request(client, member_token, risk).json()
    assert (
        client.post(
            f"/api/risk-acceptances/{acceptance['id']}/approve", json={}, headers=bearer(admin)
        ).status_code
        == 200
    )
    # Rejecting and revoking need a reason; a member may not revoke what they did not request.
    assert_problem(
        client.post(
            f"/api/risk-acceptances/{acceptance['id']}/revoke", json={}, headers=bearer(admin)
        ),
        422,
    )
    other = create_user(app_conn, "tenant_user", tenant=tenant_a)
    assert_problem(
        client.post(
            f"/api/risk-acceptances/{acceptance['id']}/revoke",
            json={"reason": "mine now"},
            headers=bearer(sign_in(client, other.email).access),
        ),
        403,
    )
    revoked = client.post(
        f"/api/risk-acceptances/{acceptance['id']}/revoke",
        json={"reason": "The exploit is now public"},
        headers=bearer(admin),
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"
    assert client.get(f"/api/risks/{risk}", headers=bearer(admin)).json()["status"] == "open"


def test_accepted_is_not_a_status_one_sets_by_hand(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    risk = _risk(client, admin, "by_hand")
    problem = assert_problem(
        client.patch(f"/api/risks/{risk}", json={"status": "accepted"}, headers=bearer(admin)),
        422,
    )
    assert "risk acceptance" in problem["detail"]
    assert_problem(
        client.post(
            "/api/risks",
            json={"slug": "born_accepted", "title": "Born", "status": "accepted"},
            headers=bearer(admin),
        ),
        422,
    )
    assert observer_conn.execute(
        "select status from tenant.risk where id = %s", (risk,)
    ).fetchone() == ("open",)
    assert observer_conn.execute(
        "select count(*) from tenant.risk where tenant_id = %s and slug = 'born_accepted'",
        (tenant_a.id,),
    ).fetchone() == (0,)
    # Once accepted by approval, the risk's other fields stay editable.
    member = create_user(app_conn, "tenant_user", tenant=tenant_a)
    acceptance = _request(client, sign_in(client, member.email).access, risk).json()
    client.post(f"/api/risk-acceptances/{acceptance['id']}/approve", json={}, headers=bearer(admin))
    renamed = client.patch(f"/api/risks/{risk}", json={"title": "Renamed"}, headers=bearer(admin))
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["status"] == "accepted"
