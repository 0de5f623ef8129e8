"""The vendor profile: the extended vendor resource, the profile's summary (risks with their
acceptance, schedule from the tenant's policy, last assessment, open findings), contacts and the
vendor's risks, all within the tenant and audited."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from draxis.db.scope import scoped_transaction
from draxis.tprm.cadence import add_months
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user
from tests.security.helpers import nothing_written, sign_in
from tests.tprm.kit import send

PROFILE = {
    "slug": "payroll_saas",
    "name": "Payroll SaaS",
    "tier": 1,
    "criticality": "high",
    "data_access": "restricted",
    "services": ["Payroll", "Benefits"],
    "subprocessors": ["AWS"],
    "contract_start": "2025-01-01",
    "contract_end": "2027-12-31",
    "website": "https://payroll.example.com",
    "app_match": ["Payroll SaaS"],
    "attested_integrations": ["okta"],
    "notes": "Renewal in December.\nOwner: HR.",
}


@pytest.fixture
def admin(client: TestClient, tenant_a: TenantFixture) -> dict[str, str]:
    return bearer(sign_in(client, tenant_a.user_email).access)


def _vendor(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = client.post("/api/vendors", headers=headers, json={**PROFILE, **overrides})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _utc_today() -> date:
    return datetime.now(UTC).date()


def test_the_vendor_resource_carries_the_profile_fields(
    client: TestClient, admin: dict[str, str]
) -> None:
    vendor = _vendor(client, admin)
    assert {k: vendor[k] for k in PROFILE} == PROFILE
    patched = client.patch(
        f"/api/vendors/{vendor['id']}",
        headers=admin,
        json={"criticality": "critical", "contract_end": None, "services": []},
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["criticality"], patched.json()["contract_end"]) == ("critical", None)
    listed = client.get("/api/vendors", headers=admin, params={"criticality": "critical"}).json()
    assert [v["id"] for v in listed["items"]] == [vendor["id"]]


@pytest.mark.parametrize(
    "body",
    [
        {"criticality": "extreme"},
        {"data_access": "everything"},
        {"contract_start": "2026-01-02", "contract_end": "2026-01-01"},
        {"website": "javascript:alert(1)"},
        {"website": "https://" + "a" * 300},
        {"notes": "n" * 4001},
        {"notes": "nul\x00"},
        {"services": ["s"] * 51},
        {"app_match": ["a"] * 21},
        {"subprocessors": [""]},
    ],
)
def test_profile_fields_are_checked_like_the_table_422_and_nothing_written(
    client: TestClient, admin: dict[str, str], observer_conn: Conn, body: dict[str, Any]
) -> None:
    with nothing_written(observer_conn):
        response = client.post("/api/vendors", headers=admin, json={**PROFILE, **body})
        assert response.status_code == 422, response.text


def test_a_patch_of_one_contract_date_is_checked_against_the_stored_other(
    client: TestClient, admin: dict[str, str]
) -> None:
    vendor = _vendor(client, admin)
    refused = client.patch(
        f"/api/vendors/{vendor['id']}", headers=admin, json={"contract_end": "2024-12-31"}
    )
    assert refused.status_code == 422
    assert "contract" in refused.json()["detail"]


def _accepted_risk(
    client: TestClient, app_conn: Conn, tenant: TenantFixture, admin: dict[str, str]
) -> tuple[str, date]:
    """A risk a member asked to accept and the admin approved."""
    until = _utc_today() + timedelta(days=90)
    risk = client.post(
        "/api/risks", headers=admin, json={"slug": "payroll_fraud", "title": "Payroll fraud"}
    ).json()["id"]
    member = bearer(
        sign_in(client, create_user(app_conn, "tenant_user", tenant=tenant).email).access
    )
    requested = client.post(
        f"/api/risks/{risk}/acceptances",
        headers=member,
        json={"justification": "Dual control on payments", "expires_at": until.isoformat()},
    ).json()
    approved = client.post(
        f"/api/risk-acceptances/{requested['id']}/approve", headers=admin, json={}
    )
    assert approved.status_code == 200, approved.text
    return str(risk), until


def _finding(
    conn: Conn, tenant: TenantFixture, vendor_id: str, severity: str, **values: Any
) -> UUID:
    """A finding as the review or the pipeline writes it (others own those writers)."""
    row = {
        "source": "assessment",
        "dedupe_key": f"{severity}-{values.get('title', 'x')}",
        "title": f"A {severity} finding",
        "status": "open",
        **values,
    }
    with scoped_transaction(conn, tenant.scope):
        found = conn.execute(
            "insert into tenant.vendor_finding (tenant_id, vendor_id, source, dedupe_key,"
            " severity, title, status, resolved_at) values (%s, %s, %s, %s, %s, %s, %s,"
            " case when %s = 'open' then null else now() end) returning id",
            (tenant.id, vendor_id, row["source"], row["dedupe_key"], severity, row["title"],
             row["status"], row["status"]),
        ).fetchone()  # fmt: skip
    assert found is not None
    return UUID(str(found[0]))


def _complete(conn: Conn, tenant: TenantFixture, assessment_id: UUID, days_ago: int) -> None:
    with scoped_transaction(conn, tenant.scope):
        conn.execute(
            "update tenant.assessment set status = 'completed', link_sealed = null,"
            " submitted_at = now() - make_interval(days => %s),"
            " completed_at = now() - make_interval(days => %s), score = 82.5, rating = 'low'"
            " where id = %s",
            (days_ago, days_ago, assessment_id),
        )


def test_the_profile_sums_up_the_vendor(
    client: TestClient, admin: dict[str, str], app_conn: Conn, tenant_a: TenantFixture
) -> None:
    vendor = _vendor(client, admin)
    risk, until = _accepted_risk(client, app_conn, tenant_a, admin)
    other = client.post(
        "/api/risks", headers=admin, json={"slug": "outage", "title": "Payroll outage"}
    ).json()["id"]
    linked = client.put(
        f"/api/vendors/{vendor['id']}/risks", headers=admin, json={"risk_ids": [risk, other]}
    )
    assert linked.status_code == 200, linked.text
    contact = client.post(
        f"/api/vendors/{vendor['id']}/contacts",
        headers=admin,
        json={"name": "Vera", "email": "Vera@Vendor.example", "is_primary": True},
    )
    assert contact.status_code == 201, contact.text
    _finding(app_conn, tenant_a, vendor["id"], "high")
    _finding(app_conn, tenant_a, vendor["id"], "high", title="y")
    _finding(app_conn, tenant_a, vendor["id"], "low", status="resolved")
    sent = send(app_conn, tenant_a, vendor_id=UUID(vendor["id"]))
    _complete(app_conn, tenant_a, sent.assessment_id, days_ago=400)

    profile = client.get(f"/api/vendors/{vendor['id']}/profile", headers=admin)
    assert profile.status_code == 200, profile.text
    body = profile.json()
    assert body["vendor"]["name"] == "Payroll SaaS"
    assert body["vendor"]["website"] == PROFILE["website"]
    assert [c["email"] for c in body["contacts"]] == ["vera@vendor.example"]
    risks = {r["risk_id"]: r for r in body["risks"]}
    assert risks[risk]["accepted_until"] == until.isoformat()
    assert risks[other]["accepted_until"] is None
    assert risks[other]["severity"] == "unassessed"
    completed_on = (datetime.now(UTC) - timedelta(days=400)).date()
    assert body["last_assessment"] == {
        "id": str(sent.assessment_id),
        "completed_on": completed_on.isoformat(),
        "score": 82.5,
        "rating": "low",
    }
    # Tier 1, 12 months by default: assessed 400 days ago, so overdue.
    assert body["cadence"] == {
        "months": 12,
        "next_due": add_months(completed_on, 12).isoformat(),
        "current": False,
        "overdue": True,
    }
    assert body["open_findings"] == {"low": 0, "medium": 0, "high": 2, "critical": 0, "total": 2}

    # A longer cadence rewrites nothing stored: the next read is current again.
    policy = client.put("/api/tprm/policy", headers=admin, json={"tier1_months": 24})
    assert policy.status_code == 200, policy.text
    again = client.get(f"/api/vendors/{vendor['id']}/profile", headers=admin).json()
    assert again["cadence"] == {
        "months": 24,
        "next_due": add_months(completed_on, 24).isoformat(),
        "current": True,
        "overdue": False,
    }
    listed = client.get("/api/tprm/vendors", headers=admin).json()
    row = next(v for v in listed["items"] if v["id"] == vendor["id"])
    assert (row["last_score"], row["last_rating"], row["open_findings"]) == (82.5, "low", 2)
    assert row["overdue"] is False
    # The risk side names the vendor among its links.
    links = client.get(f"/api/risks/{risk}/links", headers=admin).json()
    assert links["vendor_ids"] == [vendor["id"]]


def test_a_vendor_never_assessed_is_due_at_onboarding_and_the_list_filters(
    client: TestClient, admin: dict[str, str]
) -> None:
    first = _vendor(client, admin, slug="alpha", name="Alpha", tier=1)
    _vendor(client, admin, slug="beta", name="Beta", tier=3)
    profile = client.get(f"/api/vendors/{first['id']}/profile", headers=admin).json()
    assert profile["last_assessment"] is None
    assert profile["cadence"]["next_due"] == (_utc_today() + timedelta(days=30)).isoformat()
    assert profile["cadence"]["overdue"] is False
    tier3 = client.get("/api/tprm/vendors", headers=admin, params={"tier": 3}).json()
    assert [v["name"] for v in tier3["items"]] == ["Beta"]
    overdue = client.get("/api/tprm/vendors", headers=admin, params={"overdue": "true"}).json()
    assert overdue["total"] == 0
    by_tier = client.get("/api/tprm/vendors", headers=admin, params={"sort": "-tier"}).json()
    assert [v["name"] for v in by_tier["items"]] == ["Beta", "Alpha"]


def test_vendor_risks_are_replaced_whole_and_a_foreign_id_writes_nothing(
    client: TestClient,
    admin: dict[str, str],
    tenant_b: TenantFixture,
    observer_conn: Conn,
) -> None:
    vendor = _vendor(client, admin)
    risk = client.post("/api/risks", headers=admin, json={"slug": "r1", "title": "R1"}).json()
    assert (
        client.put(
            f"/api/vendors/{vendor['id']}/risks", headers=admin, json={"risk_ids": [risk["id"]]}
        ).status_code
        == 200
    )
    other = bearer(sign_in(client, tenant_b.user_email).access)
    foreign = client.post("/api/risks", headers=other, json={"slug": "r9", "title": "R9"}).json()
    with nothing_written(observer_conn):
        refused = client.put(
            f"/api/vendors/{vendor['id']}/risks",
            headers=admin,
            json={"risk_ids": [foreign["id"]]},
        )
        assert refused.status_code == 404
    cleared = client.put(f"/api/vendors/{vendor['id']}/risks", headers=admin, json={"risk_ids": []})
    assert cleared.json() == []
    actions = observer_conn.execute(
        "select action from tenant.audit_log where target_id = %s order by at", (vendor["id"],)
    ).fetchall()
    assert [a for (a,) in actions] == ["vendor.create", "vendor.risks_set", "vendor.risks_set"]


def test_contacts_one_primary_unique_email_and_audited(
    client: TestClient, admin: dict[str, str], observer_conn: Conn
) -> None:
    vendor = _vendor(client, admin)
    path = f"/api/vendors/{vendor['id']}/contacts"
    first = client.post(path, headers=admin, json={"name": "A", "email": "a@v.example",
                                                   "is_primary": True}).json()  # fmt: skip
    second = client.post(path, headers=admin, json={"name": "B", "email": "b@v.example"}).json()
    duplicate = client.post(path, headers=admin, json={"name": "C", "email": "A@V.example"})
    assert duplicate.status_code == 409
    clash = client.patch(f"{path}/{second['id']}", headers=admin, json={"email": "a@v.example"})
    assert clash.status_code == 409
    promoted = client.patch(f"{path}/{second['id']}", headers=admin, json={"is_primary": True})
    assert promoted.status_code == 200, promoted.text
    listed = client.get(path, headers=admin).json()
    assert [(c["name"], c["is_primary"]) for c in listed] == [("B", True), ("A", False)]
    assert (
        client.patch(f"{path}/{first['id']}", headers=admin, json={"name": None}).status_code == 422
    )
    assert client.delete(f"{path}/{first['id']}", headers=admin).status_code == 204
    assert client.delete(f"{path}/{first['id']}", headers=admin).status_code == 404
    actions = observer_conn.execute(
        "select action from tenant.audit_log where target_id = %s"
        " and action like 'vendor_contact.%%' order by at",
        (vendor["id"],),
    ).fetchall()
    assert [a for (a,) in actions] == [
        "vendor_contact.create",
        "vendor_contact.create",
        "vendor_contact.update",
        "vendor_contact.delete",
    ]


def test_another_tenants_vendor_contact_and_finding_are_404(
    client: TestClient,
    admin: dict[str, str],
    app_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
    observer_conn: Conn,
) -> None:
    vendor = _vendor(client, admin)
    contact = client.post(
        f"/api/vendors/{vendor['id']}/contacts",
        headers=admin,
        json={"name": "Vera", "email": "vera@v.example"},
    ).json()
    finding = _finding(app_conn, tenant_a, vendor["id"], "high")
    other = bearer(sign_in(client, tenant_b.user_email).access)
    own = _vendor(client, other, slug="own_vendor")
    base = f"/api/vendors/{vendor['id']}"
    with nothing_written(observer_conn):
        for method, path, body in (
            ("GET", f"{base}/profile", None),
            ("GET", f"{base}/contacts", None),
            ("GET", f"{base}/findings", None),
            ("POST", f"{base}/contacts", {"name": "X", "email": "x@x.example"}),
            ("PATCH", f"{base}/contacts/{contact['id']}", {"name": "X"}),
            ("DELETE", f"{base}/contacts/{contact['id']}", None),
            # Its contact under one's own vendor is not found either.
            ("PATCH", f"/api/vendors/{own['id']}/contacts/{contact['id']}", {"name": "X"}),
            ("PUT", f"{base}/risks", {"risk_ids": []}),
            ("POST", f"/api/vendor-findings/{finding}/resolve", {"reason": "Not mine"}),
            ("POST", f"/api/vendor-findings/{finding}/accept", {"reason": "Not mine"}),
        ):
            response = client.request(method, path, headers=other, json=body)
            assert response.status_code == 404, f"{method} {path}: {response.text}"
        assert client.get("/api/tprm/findings", headers=other).json()["total"] == 0
        names = [v["name"] for v in client.get("/api/tprm/vendors", headers=other).json()["items"]]
        assert names == ["Payroll SaaS"]  # its own vendor only (same name, other tenant)
        assert client.get(f"/api/vendors/{own['id']}/profile", headers=other).status_code == 200


def test_the_model_export_carries_the_profile_and_an_older_file_still_imports(
    client: TestClient, admin: dict[str, str]
) -> None:
    vendor = _vendor(client, admin)
    exported = client.get("/api/model/export", headers=admin, params={"format": "xlsx"})
    assert exported.status_code == 200
    client.patch(
        f"/api/vendors/{vendor['id']}",
        headers=admin,
        json={"criticality": "low", "services": [], "notes": ""},
    )
    restored = client.post(
        "/api/model/import",
        headers=admin,
        files={"file": ("model.xlsx", exported.content, "application/octet-stream")},
    )
    assert restored.status_code == 200, restored.text
    after = client.get(f"/api/vendors/{vendor['id']}", headers=admin).json()
    assert {k: after[k] for k in PROFILE} == PROFILE

    # A file from before the profile columns: the vendor keeps them, a new one gets defaults.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "vendors.csv",
            "slug,name,tier,data_elements\r\npayroll_saas,Payroll,1,pii\r\nmailer,Mailer,3,\r\n",
        )
    older = client.post(
        "/api/model/import",
        headers=admin,
        files={"file": ("model.zip", buffer.getvalue(), "application/zip")},
    )
    assert older.status_code == 200, older.text
    vendors = {v["slug"]: v for v in client.get("/api/vendors", headers=admin).json()["items"]}
    assert (vendors["payroll_saas"]["name"], vendors["payroll_saas"]["criticality"]) == (
        "Payroll",
        "high",
    )
    assert (vendors["mailer"]["criticality"], vendors["mailer"]["services"]) == ("medium", [])
