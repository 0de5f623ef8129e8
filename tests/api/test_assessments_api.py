"""Assessment campaigns through the API: send, resend, cancel, list.

Real Postgres through the app. The vendor link's token is checked the way the portal will use
it: as the respondent scope of its SHA-256 (`Scope.respondent_of`).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from draxis.db.scope import Scope, scoped_transaction
from draxis.security.crypto import unseal
from draxis.settings import Settings
from draxis.tprm.links import link_context
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user
from tests.security.helpers import assert_problem, nothing_written, sign_in
from tests.tprm import kit


def _due(days: int = 21) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def _send(client: TestClient, token: str, vendor: UUID, questionnaire: UUID, **extra: Any) -> Any:
    body = {
        "questionnaire_id": str(questionnaire),
        "recipient_name": "Vera Vendor",
        "recipient_email": "vera@vendor.example",
        "due_date": _due(),
        "message": "Our yearly review.",
        **extra,
    }
    return client.post(f"/api/vendors/{vendor}/assessments", json=body, headers=bearer(token))


def _token_of(link: str) -> str:
    assert "#token=" in link, link
    return link.split("#token=", 1)[1]


def _sees(conn: Conn, token: str) -> list[Any]:
    """What the vendor link's respondent scope shows of tenant.assessment."""
    digest = hashlib.sha256(token.encode()).digest()
    with scoped_transaction(conn, Scope.respondent_of(digest), read_only=True):
        return conn.execute("select id, status from tenant.assessment").fetchall()


def test_send_stores_only_the_tokens_hash_queues_the_invitation_and_shows_the_link_once(
    client: TestClient,
    app_conn: Conn,
    observer_conn: Conn,
    settings: Settings,
    tenant_a: TenantFixture,
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    vendor = kit.vendor(app_conn, tenant_a, "globex")
    questionnaire = kit.publish(app_conn, tenant_a)

    response = _send(client, admin, vendor, questionnaire)
    assert response.status_code == 201, response.text
    sent = response.json()
    assert sent["status"] == "sent"
    assert sent["vendor_name"] == "Globex"
    assert sent["questionnaire_name"] == kit.SAMPLE["name"]
    assert sent["version"] == 1
    link = sent["link"]
    assert link.startswith(f"{settings.public_url.rstrip('/')}/respond#token=")
    token = _token_of(link)

    row = observer_conn.execute(
        "select token_hash, link_sealed, requester_name, vendor_name, recipient_email,"
        " token_expires_at, due_date, sent_by from tenant.assessment where id = %s",
        (sent["id"],),
    ).fetchone()
    assert row is not None
    token_hash, sealed, requester, vendor_name, email, expires, due, sent_by = row
    assert bytes(token_hash) == hashlib.sha256(token.encode()).digest()
    # The raw token is nowhere in the row: only its hash, and the link sealed for the e-mail.
    assert token.encode() not in bytes(sealed)
    assert unseal(settings, bytes(sealed), link_context(UUID(sent["id"]))).decode() == link
    assert (requester, vendor_name, email) == ("Tenant A", "Globex", "vera@vendor.example")
    # The link lasts until the end of the due date plus the default 30 days' grace (UTC).
    assert expires == datetime.combine(due + timedelta(days=31), time(), UTC)
    assert sent_by is not None
    emails = observer_conn.execute(
        "select kind, dedupe_key, status from tenant.assessment_email where assessment_id = %s",
        (sent["id"],),
    ).fetchall()
    assert emails == [("invitation", "invitation", "pending")]
    assert observer_conn.execute(
        "select action from tenant.audit_log where target_id = %s", (sent["id"],)
    ).fetchall() == [("assessment.send",)]
    assert _sees(app_conn, token) == [(UUID(sent["id"]), "sent")]

    # Never again: not in the review, the list or the vendor's history.
    for path in (
        f"/api/assessments/{sent['id']}",
        "/api/assessments",
        f"/api/vendors/{vendor}/assessments",
    ):
        answer = client.get(path, headers=bearer(admin))
        assert answer.status_code == 200, answer.text
        assert token not in answer.text
        assert '"link"' not in answer.text


def test_send_to_a_contact_of_the_vendor(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    vendor = kit.vendor(app_conn, tenant_a)
    other = kit.vendor(app_conn, tenant_a, "initech")
    questionnaire = kit.publish(app_conn, tenant_a)
    with scoped_transaction(app_conn, tenant_a.scope):
        contacts = [
            app_conn.execute(
                "insert into tenant.vendor_contact (tenant_id, vendor_id, name, email)"
                " values (%s, %s, %s, %s) returning id",
                (tenant_a.id, v, name, f"{name.lower()}@vendor.example"),
            ).fetchone()
            for v, name in ((vendor, "Carla"), (other, "Otto"))
        ]
    carla, otto = (str(c[0]) for c in contacts if c is not None)
    options = client.get(f"/api/vendors/{vendor}/assessment-options", headers=bearer(admin))
    assert options.status_code == 200, options.text
    assert [c["id"] for c in options.json()["contacts"]] == [carla]
    assert [(q["id"], q["version"]) for q in options.json()["questionnaires"]] == [
        (str(questionnaire), 1)
    ]
    refused = _send(client, admin, vendor, questionnaire, recipient_name=None,
                    recipient_email=None, contact_id=otto)  # fmt: skip
    assert "not a contact of this vendor" in assert_problem(refused, 422)["detail"]
    both = _send(client, admin, vendor, questionnaire, contact_id=carla)
    assert "not both" in assert_problem(both, 422)["detail"]
    sent = _send(client, admin, vendor, questionnaire, recipient_name=None,
                 recipient_email=None, contact_id=carla)  # fmt: skip
    assert sent.status_code == 201, sent.text
    assert (sent.json()["recipient_name"], sent.json()["recipient_email"]) == (
        "Carla",
        "carla@vendor.example",
    )


@pytest.mark.parametrize(
    ("change", "status", "why"),
    [
        ({"due_date": 0}, 422, "after today"),
        ({"due_date": -3}, 422, "after today"),
        ({"due_date": 367}, 422, "one year"),
        ({"recipient_email": None}, 422, "whom to send"),
        ({"recipient_email": "not-an-email"}, 422, "recipient_email"),
        ({"message": "x\x00y"}, 422, "message"),
        ({"questionnaire_id": "unknown"}, 422, "not one of this tenant"),
        ({"questionnaire_id": "draft"}, 409, "no published version"),
        ({"questionnaire_id": "archived"}, 409, "archived"),
        ({"tenant_id": "00000000-0000-0000-0000-000000000000"}, 422, "tenant_id"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_bad_sends_are_refused_with_a_reason_and_write_nothing(
    client: TestClient,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    change: dict[str, Any],
    status: int,
    why: str,
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    vendor = kit.vendor(app_conn, tenant_a)
    questionnaire = kit.publish(app_conn, tenant_a)
    body = dict(change)
    if "due_date" in body:
        body["due_date"] = _due(body["due_date"])
    if body.get("questionnaire_id") == "unknown":
        body["questionnaire_id"] = "6b1f3c1e-3f0e-4a8e-9a43-2f7d1c1b9a10"
    elif body.get("questionnaire_id") in ("draft", "archived"):
        with scoped_transaction(app_conn, tenant_a.scope):
            row = app_conn.execute(
                "insert into tenant.questionnaire (tenant_id, slug, name, archived_at)"
                " values (%s, %s, 'Q', %s) returning id",
                (tenant_a.id, f"q-{body['questionnaire_id']}", None),
            ).fetchone()
            assert row is not None
            if body["questionnaire_id"] == "archived":
                app_conn.execute(
                    "insert into tenant.questionnaire_version (tenant_id, questionnaire_id,"
                    " version, status, document, published_at)"
                    " select %s, %s, 1, 'published', document, now()"
                    " from tenant.questionnaire_version where questionnaire_id = %s",
                    (tenant_a.id, row[0], questionnaire),
                )
                app_conn.execute(
                    "update tenant.questionnaire set archived_at = now() where id = %s", (row[0],)
                )
        body["questionnaire_id"] = str(row[0])
    with nothing_written(observer_conn):
        response = _send(client, admin, vendor, questionnaire, **body)
        problem = assert_problem(response, status)
        assert why in str(problem), problem
    assert observer_conn.execute(
        "select count(*) from tenant.assessment where tenant_id = %s", (tenant_a.id,)
    ).fetchone() == (0,)


def test_one_open_assessment_per_vendor_and_questionnaire(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    vendor = kit.vendor(app_conn, tenant_a)
    questionnaire = kit.publish(app_conn, tenant_a)
    first = _send(client, admin, vendor, questionnaire)
    assert first.status_code == 201
    assert (
        "still open" in assert_problem(_send(client, admin, vendor, questionnaire), 409)["detail"]
    )
    # Another questionnaire, or the same one once cancelled, may go.
    assert _send(client, admin, vendor, kit.publish(app_conn, tenant_a)).status_code == 201
    cancel = client.post(f"/api/assessments/{first.json()['id']}/cancel", headers=bearer(admin))
    assert cancel.status_code == 200, cancel.text
    assert _send(client, admin, vendor, questionnaire).status_code == 201


def test_resend_gives_a_new_link_and_the_old_one_stops_working(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    vendor = kit.vendor(app_conn, tenant_a)
    sent = _send(client, admin, vendor, kit.publish(app_conn, tenant_a)).json()
    old = _token_of(sent["link"])
    new_due = _due(40)

    resent = client.post(
        f"/api/assessments/{sent['id']}/resend", json={"due_date": new_due}, headers=bearer(admin)
    )
    assert resent.status_code == 200, resent.text
    new = _token_of(resent.json()["link"])
    assert new != old
    assert resent.json()["due_date"] == new_due
    assert _sees(app_conn, old) == []
    assert _sees(app_conn, new) == [(UUID(sent["id"]), "sent")]
    again = client.post(f"/api/assessments/{sent['id']}/resend", json={}, headers=bearer(admin))
    assert again.status_code == 200, again.text
    assert _sees(app_conn, new) == []
    assert observer_conn.execute(
        "select dedupe_key from tenant.assessment_email where assessment_id = %s"
        " order by created_at, dedupe_key",
        (sent["id"],),
    ).fetchall() == [("invitation",), ("resend:1",), ("resend:2",)]
    assert_problem(
        client.post(
            f"/api/assessments/{sent['id']}/resend", json={"due_date": _due(0)},
            headers=bearer(admin),
        ),
        422,
    )  # fmt: skip


def test_cancel_wipes_the_link_and_only_open_assessments_change(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    sent = _send(client, admin, kit.vendor(app_conn, tenant_a), kit.publish(app_conn, tenant_a))
    assessment = sent.json()["id"]
    cancelled = client.post(f"/api/assessments/{assessment}/cancel", headers=bearer(admin))
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert observer_conn.execute(
        "select link_sealed, cancelled_at is not null from tenant.assessment where id = %s",
        (assessment,),
    ).fetchone() == (None, True)
    assert _sees(app_conn, _token_of(sent.json()["link"])) == []
    with nothing_written(observer_conn):
        for action, body in (("cancel", None), ("resend", {})):
            problem = assert_problem(
                client.post(f"/api/assessments/{assessment}/{action}", json=body,
                            headers=bearer(admin)),
                409,
            )  # fmt: skip
            assert "cancelled" in problem["detail"]


def test_lists_filter_and_page_and_a_tenant_user_reads_but_cannot_send(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    admin = sign_in(client, tenant_a.user_email).access
    member = sign_in(client, create_user(app_conn, "tenant_user", tenant=tenant_a).email).access
    one, two = kit.vendor(app_conn, tenant_a, "one"), kit.vendor(app_conn, tenant_a, "two")
    questionnaire = kit.publish(app_conn, tenant_a)
    ids = [_send(client, admin, v, questionnaire).json()["id"] for v in (one, two)]
    client.post(f"/api/assessments/{ids[0]}/cancel", headers=bearer(admin))

    everything = client.get("/api/assessments", headers=bearer(member)).json()
    assert everything["total"] == 2
    assert [a["id"] for a in everything["items"]] == [ids[1], ids[0]]  # newest first
    paged = client.get("/api/assessments?limit=1&offset=1", headers=bearer(member)).json()
    assert [a["id"] for a in paged["items"]] == [ids[0]]
    by_status = client.get("/api/assessments?status=cancelled", headers=bearer(member)).json()
    assert [a["id"] for a in by_status["items"]] == [ids[0]]
    by_vendor = client.get(f"/api/assessments?vendor_id={two}", headers=bearer(member)).json()
    assert [a["id"] for a in by_vendor["items"]] == [ids[1]]
    history = client.get(f"/api/vendors/{one}/assessments", headers=bearer(member)).json()
    assert [a["status"] for a in history] == ["cancelled"]
    assert_problem(_send(client, member, one, questionnaire), 403)
    assert_problem(client.post(f"/api/assessments/{ids[1]}/cancel", headers=bearer(member)), 403)


def test_another_tenants_assessments_and_vendors_are_404(
    client: TestClient, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:  # fmt: skip
    theirs = kit.send(app_conn, tenant_b)
    questionnaire_b = theirs.questionnaire_id
    admin_a = sign_in(client, tenant_a.user_email).access
    mine = kit.publish(app_conn, tenant_a)
    with nothing_written(observer_conn):
        for method, path, body in (
            ("GET", f"/api/assessments/{theirs.assessment_id}", None),
            ("POST", f"/api/assessments/{theirs.assessment_id}/resend", {}),
            ("POST", f"/api/assessments/{theirs.assessment_id}/cancel", None),
            ("POST", f"/api/assessments/{theirs.assessment_id}/complete", {}),
            ("GET", f"/api/vendors/{theirs.vendor_id}/assessments", None),
            ("POST", f"/api/vendors/{theirs.vendor_id}/assessments", {
                "questionnaire_id": str(mine), "recipient_email": "x@y.example",
                "due_date": _due()}),
        ):  # fmt: skip
            assert_problem(client.request(method, path, json=body, headers=bearer(admin_a)), 404)
        # Their questionnaire is not one of ours either.
        refused = _send(client, admin_a, kit.vendor(app_conn, tenant_a), questionnaire_b)
        assert_problem(refused, 422)
    assert client.get("/api/assessments", headers=bearer(admin_a)).json()["total"] == 0
