"""The vendor profile's policy and findings: defaults and bounds of the reassessment policy,
findings filtered, sorted and decided with a reason, and hostile bodies refused whole."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_vendor_profile import _finding, _vendor, admin
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, count_rows, create_user
from tests.security.helpers import nothing_written, sign_in

__all__ = ["admin"]  # the fixture, shared with the profile's tests


def test_policy_defaults_bounds_and_who_may_change_it(
    client: TestClient,
    admin: dict[str, str],
    app_conn: Conn,
    tenant_a: TenantFixture,
    observer_conn: Conn,
) -> None:
    default = client.get("/api/tprm/policy", headers=admin).json()
    assert default == {
        "tier1_months": 12,
        "tier2_months": 24,
        "tier3_months": 36,
        "reminder_days": 7,
        "link_days": 30,
        "requirements": "",
        "updated_at": None,
    }
    member = bearer(
        sign_in(client, create_user(app_conn, "tenant_user", tenant=tenant_a).email).access
    )
    with nothing_written(observer_conn):
        for body in ({"tier1_months": 0}, {"tier2_months": 61}, {"link_days": 91},
                     {"requirements": "r" * 8001}, {"reminder_days": 0}):  # fmt: skip
            assert client.put("/api/tprm/policy", headers=admin, json=body).status_code == 422
        assert client.put("/api/tprm/policy", headers=member, json={}).status_code == 403
        assert client.get("/api/tprm/policy", headers=member).status_code == 200
    stored = client.put(
        "/api/tprm/policy", headers=admin, json={"tier3_months": 48, "requirements": "SOC 2"}
    ).json()
    assert (stored["tier3_months"], stored["requirements"]) == (48, "SOC 2")
    assert stored["updated_at"] is not None
    assert count_rows(observer_conn, "tenant.tprm_policy") >= 1


def test_findings_filter_sort_and_decide_with_a_reason(
    client: TestClient,
    admin: dict[str, str],
    app_conn: Conn,
    tenant_a: TenantFixture,
    observer_conn: Conn,
) -> None:
    vendor = _vendor(client, admin)
    low = _finding(app_conn, tenant_a, vendor["id"], "low")
    critical = _finding(app_conn, tenant_a, vendor["id"], "critical", source="drift")
    mine = client.get(f"/api/vendors/{vendor['id']}/findings", headers=admin).json()
    assert [f["id"] for f in mine["items"]] == [str(critical), str(low)]
    drift = client.get(f"/api/vendors/{vendor['id']}/findings", headers=admin,
                       params={"source": "drift"}).json()  # fmt: skip
    assert [f["severity"] for f in drift["items"]] == ["critical"]
    tenant_wide = client.get("/api/tprm/findings", headers=admin, params={"sort": "-severity"})
    assert [f["id"] for f in tenant_wide.json()["items"]] == [str(low), str(critical)]
    assert tenant_wide.json()["items"][0]["vendor_name"] == "Payroll SaaS"

    with nothing_written(observer_conn):
        no_reason = client.post(f"/api/vendor-findings/{low}/resolve", headers=admin, json={})
        assert no_reason.status_code == 422
    resolved = client.post(
        f"/api/vendor-findings/{low}/resolve", headers=admin, json={"reason": "Patched in v2"}
    )
    assert resolved.status_code == 200, resolved.text
    assert (resolved.json()["status"], resolved.json()["resolution"]) == (
        "resolved",
        "Patched in v2",
    )
    assert resolved.json()["resolved_by_name"] == "Admin a"
    again = client.post(
        f"/api/vendor-findings/{low}/accept", headers=admin, json={"reason": "x" * 5}
    )
    assert again.status_code == 409
    accepted = client.post(
        f"/api/vendor-findings/{critical}/accept", headers=admin, json={"reason": "Compensated"}
    )
    assert accepted.json()["status"] == "accepted"
    still_open = client.get("/api/tprm/findings", headers=admin, params={"status": "open"}).json()
    assert still_open["total"] == 0
    actions = observer_conn.execute(
        "select action, detail->>'reason' from tenant.audit_log"
        " where tenant_id = %s and target_type = 'vendor_finding' order by at",
        (tenant_a.id,),
    ).fetchall()
    assert actions == [
        ("vendor_finding.resolve", "Patched in v2"),
        ("vendor_finding.accept", "Compensated"),
    ]


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("POST", "/contacts", {"name": "nul\x00", "email": "n@v.example"}),
        ("POST", "/contacts", {"name": "N", "email": "n\x00@v.example"}),
        ("POST", "/contacts", {"name": "N", "email": "not-an-address"}),
        ("POST", "/contacts", {"name": "N", "email": "n@v.example", "tenant_id": "x"}),
        ("PUT", "/risks", {"risk_ids": ["' or 1=1 --"]}),
        ("PUT", "/risks", {"risk_ids": [], "vendor_id": "x"}),
    ],
)
def test_hostile_bodies_are_422_and_write_nothing(
    client: TestClient,
    admin: dict[str, str],
    observer_conn: Conn,
    method: str,
    suffix: str,
    body: dict[str, Any],
) -> None:
    vendor = _vendor(client, admin)
    with nothing_written(observer_conn):
        response = client.request(
            method, f"/api/vendors/{vendor['id']}{suffix}", headers=admin, json=body
        )
        assert response.status_code == 422, response.text
        for path, hostile in (
            ("/api/tprm/policy", {"requirements": "nul\x00"}),
            ("/api/tprm/policy", {"tier1_months": "12; drop table tenant.vendor"}),
        ):
            assert client.put(path, headers=admin, json=hostile).status_code == 422
        for query in ("sort=severity;drop", "status=open'--", "limit=0", "vendor_id=%27"):
            assert client.get(f"/api/tprm/findings?{query}", headers=admin).status_code == 422
