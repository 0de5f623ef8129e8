"""Bulk delete on the risk model's lists: all of the ids in one transaction, or none of them."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user, login


def _risks(client: TestClient, token: str, *slugs: str) -> list[str]:
    ids = []
    for slug in slugs:
        created = client.post(
            "/api/risks", headers=bearer(token), json={"slug": slug, "title": slug.title()}
        )
        assert created.status_code == 201, created.text
        ids.append(str(created.json()["id"]))
    return ids


def test_bulk_delete_removes_every_id_and_audits_each(
    client: TestClient, tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    token = str(login(client, tenant_a.user_email)["access_token"])
    ids = _risks(client, token, "first_gone", "second_gone")
    answer = client.post(
        "/api/risks/bulk-delete", headers=bearer(token), json={"ids": [*ids, ids[0]]}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"deleted": 2}
    for risk_id in ids:
        assert client.get(f"/api/risks/{risk_id}", headers=bearer(token)).status_code == 404
    audited = observer_conn.execute(
        "select count(*) from tenant.audit_log"
        " where action = 'risk.delete' and target_id = any(%s)",
        (ids,),
    ).fetchone()
    assert audited == (2,)


def test_one_unknown_id_deletes_nothing(
    client: TestClient, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    token = str(login(client, tenant_a.user_email)["access_token"])
    (kept,) = _risks(client, token, "kept_whole")
    theirs = _risks(client, str(login(client, tenant_b.user_email)["access_token"]), "theirs")
    for stranger in (str(uuid.uuid4()), theirs[0]):
        answer = client.post(
            "/api/risks/bulk-delete", headers=bearer(token), json={"ids": [kept, stranger]}
        )
        assert answer.status_code == 404, answer.text
        assert client.get(f"/api/risks/{kept}", headers=bearer(token)).status_code == 200


def test_bulk_delete_needs_the_write_permission_and_a_sane_list(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = str(login(client, tenant_a.user_email)["access_token"])
    (risk_id,) = _risks(client, admin, "not_theirs_to_delete")
    analyst = create_user(app_conn, "tenant_user", tenant=tenant_a)
    reader = str(login(client, analyst.email)["access_token"])
    refused = client.post("/api/risks/bulk-delete", headers=bearer(reader), json={"ids": [risk_id]})
    assert refused.status_code == 403
    bodies: list[dict[str, list[str]]] = [
        {"ids": []},
        {"ids": ["not-a-uuid"]},
        {"ids": [risk_id] * 201},
        {},
    ]
    for body in bodies:
        assert (
            client.post("/api/risks/bulk-delete", headers=bearer(admin), json=body).status_code
            == 422
        ), body
