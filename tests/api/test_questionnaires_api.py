"""Questionnaire templates through the API: library, create, draft, publish, import, export.

Real Postgres through the app as its own role; refusals are problems and write nothing.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from draxis.db.scope import scoped_transaction
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user
from tests.security.helpers import assert_problem, nothing_written, sign_in
from tests.tprm.kit import SAMPLE

BASE = "/api/tprm/questionnaires"


def _create(client: TestClient, token: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(BASE, json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _audit(observer: Conn, tenant: TenantFixture, action: str) -> int:
    row = observer.execute(
        "select count(*) from tenant.audit_log where tenant_id = %s and action = %s",
        (tenant.id, action),
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_the_library_lists_and_serves_the_shipped_questionnaires(
    client: TestClient, tenant_a: TenantFixture
) -> None:
    token = sign_in(client, tenant_a.user_email).access
    listed = client.get("/api/tprm/library", headers=bearer(token)).json()
    assert [t["key"] for t in listed["items"]] == ["core-security", "cloud-saas"]
    assert all(25 <= t["questions"] <= 45 for t in listed["items"])
    document = client.get("/api/tprm/library/cloud-saas", headers=bearer(token)).json()
    assert document["name"] == "Cloud and SaaS questionnaire"
    assert_problem(client.get("/api/tprm/library/nope", headers=bearer(token)), 404)


def test_create_from_the_library_edit_the_draft_publish_and_start_version_two(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    token = sign_in(client, tenant_a.user_email).access
    created = _create(client, token, {"from_library": "core-security"})
    qid = created["id"]
    assert created["slug"] == "core-security-questionnaire"
    assert created["origin"] == "library:core-security"
    assert (created["has_draft"], created["latest_version"]) == (True, None)
    assert [(v["version"], v["status"]) for v in created["versions"]] == [(1, "draft")]

    draft = client.get(f"{BASE}/{qid}/versions/1", headers=bearer(token)).json()
    document = draft["document"]
    document["steps"][0]["questions"][0]["text"] = "Is your security policy approved yearly?"
    saved = client.put(f"{BASE}/{qid}/draft", json=document, headers=bearer(token))
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 1

    published = client.post(f"{BASE}/{qid}/draft/publish", headers=bearer(token))
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert_problem(client.post(f"{BASE}/{qid}/draft/publish", headers=bearer(token)), 409)

    # Editing again starts draft 2; version 1 stays exactly as published.
    document["steps"][0]["questions"][0]["text"] = "Second wording"
    second = client.put(f"{BASE}/{qid}/draft", json=document, headers=bearer(token)).json()
    assert (second["version"], second["status"]) == (2, "draft")
    client.post(f"{BASE}/{qid}/draft/publish", headers=bearer(token))
    one = client.get(f"{BASE}/{qid}/versions/1", headers=bearer(token)).json()
    assert one["document"]["steps"][0]["questions"][0]["text"].endswith("approved yearly?")
    summary = client.get(f"{BASE}/{qid}", headers=bearer(token)).json()
    assert (summary["latest_version"], summary["has_draft"]) == (2, False)
    assert [v["version"] for v in summary["versions"]] == [2, 1]
    assert _audit(observer_conn, tenant_a, "questionnaire.publish") == 2
    assert _audit(observer_conn, tenant_a, "questionnaire.draft_save") == 2
    assert _audit(observer_conn, tenant_a, "questionnaire.create") == 1


def test_a_published_version_is_frozen_in_the_database(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    token = sign_in(client, tenant_a.user_email).access
    qid = _create(client, token, {"name": "Frozen"})["id"]
    client.post(f"{BASE}/{qid}/draft/publish", headers=bearer(token))
    with (
        pytest.raises(psycopg.errors.CheckViolation, match="published and cannot change"),
        scoped_transaction(app_conn, tenant_a.scope),
    ):
        app_conn.execute(
            "update tenant.questionnaire_version set document = '{}' where questionnaire_id = %s",
            (qid,),
        )


def test_an_invalid_draft_is_refused_with_json_paths_and_nothing_written(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    token = sign_in(client, tenant_a.user_email).access
    qid = _create(client, token, {"name": "Paths"})["id"]
    bad = copy.deepcopy(SAMPLE)
    bad["steps"][0]["questions"][1]["weight"] = 99
    bad["steps"][1]["questions"][0]["id"] = "mfa"
    with nothing_written(observer_conn):
        body = assert_problem(
            client.put(f"{BASE}/{qid}/draft", json=bad, headers=bearer(token)), 422
        )
    assert {e["path"] for e in body["errors"]} == {"steps[0].questions[1].weight"}
    bad["steps"][0]["questions"][1]["weight"] = 1
    body = assert_problem(client.put(f"{BASE}/{qid}/draft", json=bad, headers=bearer(token)), 422)
    assert body["errors"] == [
        {"path": "steps[1].questions[0].id", "message": "question id 'mfa' is used twice"}
    ]
    assert_problem(client.put(f"{BASE}/{qid}/draft", json=[1], headers=bearer(token)), 422)


def test_copy_discard_archive_and_the_list(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    token = sign_in(client, tenant_a.user_email).access
    original = _create(client, token, {"name": "Vendor baseline"})
    client.put(f"{BASE}/{original['id']}/draft", json=SAMPLE, headers=bearer(token))
    client.post(f"{BASE}/{original['id']}/draft/publish", headers=bearer(token))
    copied = _create(client, token, {"copy_of": original["id"]})
    assert copied["name"] == "Sample security questionnaire (copy)"
    assert copied["questions"] == 7
    again = _create(client, token, {"name": "Vendor baseline"})
    assert again["slug"] == "vendor-baseline-2"
    assert_problem(
        client.post(BASE, json={"name": "X", "slug": "vendor-baseline"}, headers=bearer(token)), 409
    )

    # A draft after a publication can be discarded; the only (never published) one cannot.
    client.put(f"{BASE}/{original['id']}/draft", json=SAMPLE, headers=bearer(token))
    gone = client.delete(f"{BASE}/{original['id']}/draft", headers=bearer(token))
    assert gone.status_code == 204
    assert_problem(client.delete(f"{BASE}/{original['id']}/draft", headers=bearer(token)), 404)
    assert_problem(client.delete(f"{BASE}/{again['id']}/draft", headers=bearer(token)), 409)

    archived = client.patch(
        f"{BASE}/{again['id']}", json={"archived": True, "name": "Old"}, headers=bearer(token)
    ).json()
    assert (archived["archived"], archived["name"]) == (True, "Old")
    assert_problem(
        client.put(f"{BASE}/{again['id']}/draft", json=SAMPLE, headers=bearer(token)), 409
    )
    listed = client.get(BASE, headers=bearer(token)).json()
    assert {q["slug"] for q in listed["items"]} == {original["slug"], copied["slug"]}
    every = client.get(BASE, params={"archived": True}, headers=bearer(token)).json()
    assert every["total"] == 3

    # Another tenant sees none of it and cannot copy it.
    other = sign_in(client, tenant_b.user_email).access
    assert client.get(BASE, headers=bearer(other)).json()["total"] == 0
    assert_problem(client.get(f"{BASE}/{original['id']}", headers=bearer(other)), 404)
    assert_problem(client.post(BASE, json={"copy_of": original["id"]}, headers=bearer(other)), 422)


def test_export_then_import_round_trips_the_document(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    token = sign_in(client, tenant_a.user_email).access
    qid = _create(client, token, {"from_library": "cloud-saas"})["id"]
    exported = client.get(f"{BASE}/{qid}/versions/1/export", headers=bearer(token))
    assert exported.status_code == 200
    assert exported.headers["content-disposition"] == (
        'attachment; filename="cloud-and-saas-questionnaire-draft.json"'
    )
    document = exported.json()
    assert document["format"] == "draxis.questionnaire/1"
    assert "required" not in json.dumps(document["steps"][0]["questions"][0])  # compact

    as_body = client.post(f"{BASE}/import", json=document, headers=bearer(token))
    assert as_body.status_code == 201, as_body.text
    as_file = client.post(
        f"{BASE}/import",
        files={"file": ("q.json", exported.content, "application/json")},
        headers=bearer(token),
    )
    assert as_file.status_code == 201, as_file.text
    assert as_file.json()["slug"] == "cloud-and-saas-questionnaire-3"
    assert as_file.json()["origin"] == "import"
    imported = client.get(f"{BASE}/{as_file.json()['id']}/versions/1", headers=bearer(token)).json()
    original = client.get(f"{BASE}/{qid}/versions/1", headers=bearer(token)).json()
    assert imported["document"] == original["document"]
    assert _audit(observer_conn, tenant_a, "questionnaire.import") == 2


def test_a_bad_import_is_a_422_with_reasons_and_writes_nothing(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    token = sign_in(client, tenant_a.user_email).access
    with nothing_written(observer_conn):
        broken = client.post(
            f"{BASE}/import",
            files={"file": ("q.json", b"{not json", "application/json")},
            headers=bearer(token),
        )
        assert "not a JSON document" in assert_problem(broken, 422)["detail"]
        invalid = client.post(
            f"{BASE}/import", json={"name": "x", "steps": []}, headers=bearer(token)
        )
        assert assert_problem(invalid, 422)["errors"][0]["path"] == "steps"
        binary = client.post(f"{BASE}/import", content=b"\xff\xfe\x00", headers=bearer(token))
        assert_problem(binary, 422)
        nofile = client.post(f"{BASE}/import", files={"other": ("a", b"{}")}, headers=bearer(token))
        assert_problem(nofile, 422)
        huge = {"name": "x", "description": "y" * (1024 * 1024), "steps": []}
        assert client.post(f"{BASE}/import", json=huge, headers=bearer(token)).status_code == 413


def test_a_tenant_user_reads_but_does_not_manage(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    qid = _create(client, admin, {"name": "Read only"})["id"]
    member = create_user(app_conn, "tenant_user", tenant=tenant_a)
    token = sign_in(client, member.email).access
    assert client.get(f"{BASE}/{qid}", headers=bearer(token)).status_code == 200
    with nothing_written(observer_conn):
        assert_problem(client.post(f"{BASE}/{qid}/draft/publish", headers=bearer(token)), 403)
        assert_problem(client.post(BASE, json={"name": "No"}, headers=bearer(token)), 403)
