"""Owners, due and review dates on the risk model: a member of the tenant (never free text, never
someone from another tenant), shown by name, filterable, and carried by e-mail through the
spreadsheet import/export."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import User, bearer, create_user, login
from tests.security.helpers import assert_invalid_field

Headers = dict[str, str]
BODIES: dict[str, dict[str, Any]] = {
    "kris": {"slug": "own_kri", "name": "K", "direction": "higher_is_worse", "warn": 1,
             "critical": 2},
    "risks": {"slug": "own_risk", "title": "R"},
    "controls": {"slug": "own_control", "name": "C"},
    "outcomes": {"slug": "own_outcome", "name": "O"},
    "vendors": {"slug": "own_vendor", "name": "V", "tier": 2},
}  # fmt: skip


@pytest.fixture
def admin(client: TestClient, tenant_a: TenantFixture) -> Headers:
    return bearer(login(client, tenant_a.user_email)["access_token"])


@pytest.fixture
def analyst(app_conn: Conn, tenant_a: TenantFixture) -> User:
    return create_user(app_conn, "tenant_user", tenant=tenant_a)


@pytest.mark.parametrize("path", sorted(BODIES))
def test_every_entity_takes_an_owner_and_dates_and_shows_the_owners_name(
    client: TestClient, admin: Headers, analyst: User, path: str
) -> None:
    body = {**BODIES[path], "owner_user_id": str(analyst.id), "due_date": "2027-03-01",
            "review_date": "2027-06-30"}  # fmt: skip
    created = client.post(f"/api/{path}", headers=admin, json=body)
    assert created.status_code == 201, created.text
    item = created.json()
    assert (item["owner_user_id"], item["owner_name"]) == (str(analyst.id), "Test tenant_user")
    assert (item["due_date"], item["review_date"]) == ("2027-03-01", "2027-06-30")
    listed = client.get(f"/api/{path}", headers=admin, params={"owner_user_id": str(analyst.id)})
    assert [i["id"] for i in listed.json()["items"]] == [item["id"]]
    by_due = client.get(f"/api/{path}", headers=admin, params={"sort": "-due_date"})
    assert by_due.status_code == 200
    cleared = client.patch(
        f"/api/{path}/{item['id']}",
        headers=admin,
        json={"owner_user_id": None, "due_date": None, "review_date": None},
    )
    assert cleared.status_code == 200, cleared.text
    assert [cleared.json()[k] for k in ("owner_user_id", "owner_name", "due_date")] == [None] * 3


@pytest.mark.parametrize("path", sorted(BODIES))
def test_an_owner_who_is_not_an_active_member_is_a_422(
    client: TestClient,
    admin: Headers,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_b: TenantFixture,
    path: str,
) -> None:
    stranger = create_user(app_conn, "tenant_user", tenant=tenant_b)
    refused = client.post(
        f"/api/{path}", headers=admin, json={**BODIES[path], "owner_user_id": str(stranger.id)}
    )
    assert_invalid_field(refused, "body.owner_user_id")
    assert "active member" in refused.json()["detail"]
    item = client.post(f"/api/{path}", headers=admin, json=BODIES[path]).json()
    patched = client.patch(
        f"/api/{path}/{item['id']}", headers=admin, json={"owner_user_id": str(stranger.id)}
    )
    assert_invalid_field(patched, "body.owner_user_id")
    assert client.get(f"/api/{path}/{item['id']}", headers=admin).json()["owner_user_id"] is None


def test_a_disabled_member_cannot_be_made_an_owner(
    client: TestClient, admin: Headers, analyst: User
) -> None:
    disabled = client.patch(
        f"/api/tenant/users/{analyst.id}", headers=admin, json={"is_active": False}
    )
    assert disabled.status_code == 200, disabled.text
    refused = client.post(
        "/api/risks", headers=admin, json={**BODIES["risks"], "owner_user_id": str(analyst.id)}
    )
    assert_invalid_field(refused, "body.owner_user_id")
    members = client.get("/api/members", headers=admin).json()
    assert str(analyst.id) not in {m["id"] for m in members}


def _zip(sheets: dict[str, list[list[str]]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for sheet, rows in sheets.items():
            text = io.StringIO()
            csv.writer(text).writerows(rows)
            archive.writestr(f"{sheet}.csv", text.getvalue())
    return buffer.getvalue()


def test_the_spreadsheet_carries_the_owner_by_e_mail(
    client: TestClient, admin: Headers, analyst: User, app_conn: Conn, tenant_b: TenantFixture
) -> None:
    client.post(
        "/api/risks",
        headers=admin,
        json={**BODIES["risks"], "owner_user_id": str(analyst.id), "due_date": "2027-01-02"},
    )
    exported = client.get("/api/model/export", headers=admin, params={"format": "csv"})
    with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("risks.csv").decode())))
    assert [(r["slug"], r["owner_email"], r["due_date"]) for r in rows] == [
        ("own_risk", analyst.email.lower(), "2027-01-02")
    ]
    header = ["slug", "title", "owner_email"]
    imported = client.post(
        "/api/model/import",
        headers=admin,
        files={"file": ("m.zip", _zip({"risks": [header, ["new_risk", "N", analyst.email.upper()],
                                                 ["own_risk", "R", ""]]}), "application/zip")},
    )  # fmt: skip
    assert imported.status_code == 200, imported.text
    risks = {r["slug"]: r for r in client.get("/api/risks", headers=admin).json()["items"]}
    assert risks["new_risk"]["owner_user_id"] == str(analyst.id)
    assert risks["own_risk"]["owner_user_id"] is None
    stranger = create_user(app_conn, "tenant_user", tenant=tenant_b)
    refused = client.post(
        "/api/model/import",
        headers=admin,
        files={"file": ("m.zip", _zip({"risks": [header, ["ok_risk", "A", ""],
                                                ["bad_risk", "B", stranger.email]]}),
                        "application/zip")},
    )  # fmt: skip
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"] == [
        {"sheet": "risks", "row": 3, "column": "owner_email",
         "message": "no active member of this tenant has this e-mail"}
    ]  # fmt: skip
    assert "ok_risk" not in {
        r["slug"] for r in client.get("/api/risks", headers=admin).json()["items"]
    }
