"""The risk model's API: CRUD with the rules users expect, links within the tenant, audit."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, count_rows, create_user, login


@pytest.fixture
def admin(client: TestClient, tenant_a: TenantFixture) -> dict[str, str]:
    return bearer(login(client, tenant_a.user_email)["access_token"])


def _create(client: TestClient, headers: dict[str, str], path: str, body: dict[str, Any]) -> Any:
    response = client.post(path, headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_controls_risks_outcomes_vendors_round_trip_with_list_filters(
    client: TestClient, admin: dict[str, str]
) -> None:
    control = _create(
        client,
        admin,
        "/api/controls",
        {"slug": "edr_everywhere", "name": "EDR everywhere", "effectiveness": "partial",
         "framework": "cis_v8", "framework_ref": "10.1", "attack_techniques": ["T1059.001"]},
    )  # fmt: skip
    assert control["attack_techniques"] == ["T1059.001"]
    _create(client, admin, "/api/controls", {"slug": "backups", "name": "Backups"})
    listed = client.get(
        "/api/controls", headers=admin, params={"effectiveness": "partial", "sort": "-name"}
    ).json()
    assert [c["slug"] for c in listed["items"]] == ["edr_everywhere"]
    assert listed["total"] == 1
    searched = client.get("/api/controls", headers=admin, params={"q": "back"}).json()
    assert [c["slug"] for c in searched["items"]] == ["backups"]
    risk = _create(client, admin, "/api/risks", {"slug": "ransomware", "title": "Ransomware"})
    patched = client.patch(
        f"/api/risks/{risk['id']}", headers=admin, json={"status": "mitigating"}
    ).json()
    assert patched["status"] == "mitigating"
    _create(client, admin, "/api/outcomes", {"slug": "store_up", "name": "Keep the store up"})
    vendor = _create(
        client, admin, "/api/vendors", {"slug": "payroll", "name": "Payroll", "tier": 1}
    )
    assert client.delete(f"/api/vendors/{vendor['id']}", headers=admin).status_code == 204
    assert client.get(f"/api/vendors/{vendor['id']}", headers=admin).status_code == 404


_KRI = {"slug": "ok_slug", "name": "x", "direction": "higher_is_worse", "warn": 1, "critical": 2}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({**_KRI, "slug": "Not-Snake"}, 422),
        ({**_KRI, "warn": 2}, 422),  # higher-is-worse needs warn < critical
        ({**_KRI, "direction": "lower_is_worse"}, 422),  # lower-is-worse needs warn > critical
        ({**_KRI, "tenant_id": "00000000-0000-0000-0000-000000000000"}, 422),
        ({**_KRI, "warn": "1e999"}, 422),  # infinity
    ],
)
def test_kri_input_rules(
    client: TestClient,
    admin: dict[str, str],
    body: dict[str, Any],
    status: int,
    observer_conn: Conn,
) -> None:
    before = count_rows(observer_conn, "tenant.kri")
    assert client.post("/api/kris", headers=admin, json=body).status_code == status
    assert count_rows(observer_conn, "tenant.kri") == before


def test_a_threshold_patch_is_checked_against_the_stored_direction_and_slugs_are_unique(
    client: TestClient, admin: dict[str, str], tenant_a: TenantFixture
) -> None:
    kris = client.get("/api/kris", headers=admin, params={"limit": 500}).json()["items"]
    higher = next(k for k in kris if k["direction"] == "higher_is_worse")
    refused = client.patch(
        f"/api/kris/{higher['id']}", headers=admin, json={"warn": higher["critical"] + 1}
    )
    assert refused.status_code == 422
    assert "warn < critical" in refused.json()["detail"]
    duplicate = client.post(
        "/api/kris",
        headers=admin,
        json={**{k: higher[k] for k in ("slug", "name", "direction", "warn", "critical")}},
    )
    assert duplicate.status_code == 409


def test_links_stay_inside_the_tenant_and_are_audited(
    client: TestClient,
    admin: dict[str, str],
    app_conn: Conn,
    tenant_b: TenantFixture,
    observer_conn: Conn,
) -> None:
    risk = _create(client, admin, "/api/risks", {"slug": "phishing", "title": "Phishing"})
    outcome = _create(client, admin, "/api/outcomes", {"slug": "payroll_runs", "name": "Payroll"})
    kri = client.get("/api/kris", headers=admin).json()["items"][0]
    linked = client.put(
        f"/api/risks/{risk['id']}/links",
        headers=admin,
        json={"kri_ids": [kri["id"]], "outcome_ids": [outcome["id"]]},
    )
    assert linked.status_code == 200
    assert linked.json() == {
        "kri_ids": [kri["id"]],
        "control_ids": [],
        "outcome_ids": [outcome["id"]],
        "vendor_ids": [],
    }
    assert client.get(f"/api/kris/{kri['id']}/links", headers=admin).json()["risk_ids"] == [
        risk["id"]
    ]

    other = bearer(login(client, tenant_b.user_email)["access_token"])
    foreign_kri = client.get("/api/kris", headers=other).json()["items"][0]["id"]
    before = count_rows(observer_conn, "tenant.kri_risk")
    refused = client.put(
        f"/api/risks/{risk['id']}/links", headers=admin, json={"kri_ids": [foreign_kri]}
    )
    assert refused.status_code == 404
    assert count_rows(observer_conn, "tenant.kri_risk") == before
    assert client.get(f"/api/risks/{risk['id']}", headers=other).status_code == 404
    actions = observer_conn.execute(
        "select action from tenant.audit_log where target_id = %s order by at", (risk["id"],)
    ).fetchall()
    assert [a for (a,) in actions] == ["risk.create", "risk.links_set"]


def test_deleting_a_kri_keeps_its_story_in_the_audit_trail(
    client: TestClient, admin: dict[str, str], observer_conn: Conn
) -> None:
    kri = _create(
        client,
        admin,
        "/api/kris",
        {"slug": "tabletops", "name": "Tabletops", "direction": "lower_is_worse", "warn": 2,
         "critical": 1},
    )  # fmt: skip
    assert client.delete(f"/api/kris/{kri['id']}", headers=admin).status_code == 204
    row = observer_conn.execute(
        "select detail from tenant.audit_log where action = 'kri.delete' and target_id = %s",
        (kri["id"],),
    ).fetchone()
    assert row is not None
    assert row[0]["record"]["slug"] == "tabletops"
    assert row[0]["history"]["observations"] == 0


def test_an_analyst_reads_the_model_but_cannot_edit_it(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    analyst = bearer(
        login(client, create_user(app_conn, "tenant_user", tenant=tenant_a).email)["access_token"]
    )
    assert client.get("/api/risks", headers=analyst).status_code == 200
    refused = client.post("/api/risks", headers=analyst, json={"slug": "x_y", "title": "X"})
    assert refused.status_code == 403


def test_bad_sort_and_pagination_are_422(client: TestClient, admin: dict[str, str]) -> None:
    assert client.get("/api/risks", headers=admin, params={"sort": "password"}).status_code == 422
    assert client.get("/api/risks", headers=admin, params={"limit": 0}).status_code == 422


def test_onboarding_lists_kris_not_wired_to_a_risk_and_an_outcome(
    client: TestClient, admin: dict[str, str], tenant_a: TenantFixture
) -> None:
    before = client.get("/api/onboarding", headers=admin).json()["unwired_kris"]
    assert len(before) == len(tenant_a.kri_slugs)
    kri = before[0]
    assert kri["missing"] == ["risk", "outcome"]
    risk = _create(client, admin, "/api/risks", {"slug": "wired", "title": "Wired"})
    client.put(f"/api/kris/{kri['id']}/links", headers=admin, json={"risk_ids": [risk["id"]]})
    after = {
        k["id"]: k["missing"]
        for k in client.get("/api/onboarding", headers=admin).json()["unwired_kris"]
    }
    assert after[kri["id"]] == ["outcome"]
