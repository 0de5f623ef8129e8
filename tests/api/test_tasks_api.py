"""Tasks through the API: create, read, edit, move, reassign, delete, list, bulk, and the history
and notification every change leaves, against the real database."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import User, bearer, create_user, login
from tests.security.helpers import assert_invalid_field

Headers = dict[str, str]


@pytest.fixture
def admin(client: TestClient, tenant_a: TenantFixture) -> Headers:
    return bearer(login(client, tenant_a.user_email)["access_token"])


@pytest.fixture
def analyst(app_conn: Conn, tenant_a: TenantFixture) -> User:
    return create_user(app_conn, "tenant_user", tenant=tenant_a)


def _task(client: TestClient, headers: Headers, **body: Any) -> dict[str, Any]:
    response = client.post("/api/tasks", headers=headers, json={"title": "Patch", **body})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _events(observer: Conn, task_id: str) -> list[tuple[str, Any]]:
    return [
        (str(kind), detail)
        for kind, detail in observer.execute(
            "select kind, detail from tenant.task_event where task_id = %s order by id", (task_id,)
        ).fetchall()
    ]


def test_a_task_is_created_assigned_notified_and_its_history_written(
    client: TestClient, admin: Headers, analyst: User, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    risk = client.post("/api/risks", headers=admin, json={"slug": "r_tasked", "title": "Risky"})
    task = _task(
        client,
        admin,
        title="Review the backups",
        subject_kind="risk",
        subject_id=risk.json()["id"],
        owner_user_id=str(analyst.id),
        due_date="2020-01-01",
    )
    assert task["status"] == "open"
    assert task["subject_name"] == "Risky"
    assert task["owner_name"] == "Test tenant_user"
    assert task["overdue"] is True
    assert [k for k, _ in _events(observer_conn, task["id"])] == ["created"]
    notes = observer_conn.execute(
        "select event, user_id, link, dedupe_key from tenant.notification where subject_id = %s",
        (task["id"],),
    ).fetchall()
    assert notes == [
        (
            "task.assigned",
            analyst.id,
            f"/tasks/{task['id']}",
            f"task.assigned:{task['id']}:{analyst.id}",
        )
    ]
    audited = observer_conn.execute(
        "select count(*) from tenant.audit_log where action = 'task.create' and target_id = %s",
        (task["id"],),
    ).fetchone()
    assert audited == (1,)


def test_the_analyst_works_the_task_through_its_statuses(
    client: TestClient, admin: Headers, analyst: User, observer_conn: Conn
) -> None:
    task = _task(client, admin, owner_user_id=str(analyst.id))
    mine = bearer(login(client, analyst.email)["access_token"])
    path = f"/api/tasks/{task['id']}"
    for status in ("in_progress", "waiting_approval", "done"):
        moved = client.patch(path, headers=mine, json={"status": status})
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == status
    assert moved.json()["closed_at"] is not None
    refused = client.patch(path, headers=mine, json={"status": "in_progress"})
    assert refused.status_code == 409
    assert "may become: open" in refused.json()["detail"]
    reopened = client.patch(path, headers=mine, json={"status": "open"})
    assert reopened.json()["closed_at"] is None
    kinds = [k for k, _ in _events(observer_conn, task["id"])]
    assert kinds == ["created"] + ["status_changed"] * 4
    history = client.get(f"{path}/history", headers=mine).json()
    assert [e["detail"].get("to") for e in history[1:]] == [
        "in_progress", "waiting_approval", "done", "open",
    ]  # fmt: skip
    assert history[1]["actor_name"] == "Test tenant_user"
    # The analyst cancels but cannot delete; the admin can.
    assert client.delete(path, headers=mine).status_code == 403
    assert client.delete(path, headers=admin).status_code == 204
    assert client.get(path, headers=admin).status_code == 404


def test_an_owner_from_another_tenant_or_disabled_is_a_422_and_nothing_is_written(
    client: TestClient,
    admin: Headers,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:
    stranger = create_user(app_conn, "tenant_user", tenant=tenant_b)
    before = observer_conn.execute("select count(*) from tenant.task").fetchone()
    for owner in (stranger.id, uuid.uuid4()):
        answer = client.post(
            "/api/tasks", headers=admin, json={"title": "X", "owner_user_id": str(owner)}
        )
        assert_invalid_field(answer, "body.owner_user_id")
        assert "active member" in answer.json()["detail"]
    assert observer_conn.execute("select count(*) from tenant.task").fetchone() == before
    task = _task(client, admin)
    answer = client.patch(
        f"/api/tasks/{task['id']}", headers=admin, json={"owner_user_id": str(stranger.id)}
    )
    assert_invalid_field(answer, "body.owner_user_id")
    both = {"owner_user_id": str(uuid.uuid4()), "owner_role": "tenant_user"}
    assert client.patch(f"/api/tasks/{task['id']}", headers=admin, json=both).status_code == 422
    theirs = client.post("/api/risks", headers=admin, json={"slug": "mine_risk", "title": "M"})
    b_admin = bearer(login(client, tenant_b.user_email)["access_token"])
    answer = client.post(
        "/api/tasks",
        headers=b_admin,
        json={"title": "X", "subject_kind": "risk", "subject_id": theirs.json()["id"]},
    )
    assert_invalid_field(answer, "body.subject_id")
    bad_pairs: list[dict[str, Any]] = [
        {"title": "X", "subject_kind": "risk"},
        {"title": "X", "owner_user_id": str(stranger.id), "owner_role": "tenant_user"},
        {"title": ""},
        {"title": "X", "owner_role": "master_admin"},
    ]
    for body in bad_pairs:
        assert client.post("/api/tasks", headers=admin, json=body).status_code == 422, body


def test_another_tenants_task_is_a_404_everywhere(
    client: TestClient, admin: Headers, tenant_b: TenantFixture
) -> None:
    task = _task(client, admin)
    b_admin = bearer(login(client, tenant_b.user_email)["access_token"])
    path = f"/api/tasks/{task['id']}"
    assert client.get(path, headers=b_admin).status_code == 404
    assert client.patch(path, headers=b_admin, json={"title": "Mine"}).status_code == 404
    assert client.delete(path, headers=b_admin).status_code == 404
    for sub in ("comments", "attachments", "history"):
        assert client.get(f"{path}/{sub}", headers=b_admin).status_code == 404
    comment = client.post(f"{path}/comments", headers=b_admin, json={"body": "hi"})
    assert comment.status_code == 404
    assert client.get("/api/tasks", headers=b_admin).json()["total"] == 0
    assert client.get(path, headers=admin).json()["title"] == "Patch"


def test_reassigning_and_editing_leave_history_and_one_notification_per_assignee(
    client: TestClient, admin: Headers, analyst: User, observer_conn: Conn
) -> None:
    task = _task(client, admin)
    path = f"/api/tasks/{task['id']}"
    for body in (
        {"owner_user_id": str(analyst.id)},
        {"owner_role": "tenant_admin"},
        {"owner_user_id": str(analyst.id)},
        {"title": "Patch now", "due_date": "2031-02-03", "description": "x"},
    ):
        answer = client.patch(path, headers=admin, json=body)
        assert answer.status_code == 200, answer.text
    final = answer.json()
    assert (final["owner_user_id"], final["owner_role"]) == (str(analyst.id), None)
    assert final["title"] == "Patch now"
    events = _events(observer_conn, task["id"])
    assert [k for k, _ in events] == ["created", "reassigned", "reassigned", "reassigned", "edited"]
    assert events[2][1]["to"] == {"user": None, "role": "tenant_admin"}
    assert events[4][1]["due_date"] == {"from": None, "to": "2031-02-03"}
    count = observer_conn.execute(
        "select count(*) from tenant.notification where subject_id = %s", (task["id"],)
    ).fetchone()
    assert count == (1,)
    # The same value again is no change: no history row, no audit row.
    assert client.patch(path, headers=admin, json={"title": "Patch now"}).status_code == 200
    assert len(_events(observer_conn, task["id"])) == 5


def test_the_list_filters_sorts_and_pages(
    client: TestClient, admin: Headers, analyst: User
) -> None:
    _task(client, admin, title="Alpha late", due_date="2020-01-01", owner_user_id=str(analyst.id))
    _task(client, admin, title="Beta soon", due_date="2099-01-01")
    done = _task(client, admin, title="Gamma done", due_date="2020-01-02")
    client.patch(f"/api/tasks/{done['id']}", headers=admin, json={"status": "done"})

    def titles(**params: Any) -> list[str]:
        answer = client.get("/api/tasks", headers=admin, params=params)
        assert answer.status_code == 200, answer.text
        return [t["title"] for t in answer.json()["items"]]

    assert titles() == ["Alpha late", "Gamma done", "Beta soon"]
    assert titles(sort="-title") == ["Gamma done", "Beta soon", "Alpha late"]
    assert titles(overdue="true") == ["Alpha late"]
    assert titles(status=["open", "in_progress"]) == ["Alpha late", "Beta soon"]
    assert titles(owner_user_id=str(analyst.id)) == ["Alpha late"]
    assert titles(q="SOON") == ["Beta soon"]
    assert titles(limit=1, offset=1) == ["Gamma done"]
    mine = bearer(login(client, analyst.email)["access_token"])
    listed = client.get("/api/tasks", headers=mine, params={"mine": "true"}).json()
    assert [t["title"] for t in listed["items"]] == ["Alpha late"]
    for bad in ({"sort": "owner"}, {"status": "later"}, {"limit": 0}, {"overdue": "maybe"}):
        assert client.get("/api/tasks", headers=admin, params=bad).status_code == 422, bad
    csv = client.get("/api/exports/tasks.csv", headers=admin)
    assert csv.status_code == 200
    assert csv.text.splitlines()[0].startswith("title,status,subject_kind,subject,owner")
    assert "Alpha late" in csv.text


def test_bulk_actions_are_all_or_nothing(
    client: TestClient, admin: Headers, analyst: User, observer_conn: Conn
) -> None:
    first, second = _task(client, admin, title="One"), _task(client, admin, title="Two")
    ids = [first["id"], second["id"]]
    moved = client.post(
        "/api/tasks/bulk", headers=admin, json={"ids": ids, "action": "status", "status": "done"}
    )
    assert moved.json() == {"changed": 2, "unchanged": 0}
    # Done → waiting for approval is not a move a task may make: neither moves.
    third = _task(client, admin, title="Three")
    refused = client.post(
        "/api/tasks/bulk",
        headers=admin,
        json={"ids": [third["id"], first["id"]], "action": "status", "status": "waiting_approval"},
    )
    assert refused.status_code == 409
    assert client.get(f"/api/tasks/{third['id']}", headers=admin).json()["status"] == "open"
    for stranger in (str(uuid.uuid4()),):
        unknown = client.post(
            "/api/tasks/bulk",
            headers=admin,
            json={"ids": [third["id"], stranger], "action": "cancel"},
        )
        assert unknown.status_code == 404
    assert client.get(f"/api/tasks/{third['id']}", headers=admin).json()["status"] == "open"
    given = client.post(
        "/api/tasks/bulk",
        headers=admin,
        json={"ids": [third["id"]], "action": "reassign", "owner_user_id": str(analyst.id)},
    )
    assert given.json() == {"changed": 1, "unchanged": 0}
    cancelled = client.post(
        "/api/tasks/bulk", headers=admin, json={"ids": [third["id"]], "action": "cancel"}
    )
    assert cancelled.status_code == 200
    assert [k for k, _ in _events(observer_conn, third["id"])] == [
        "created", "reassigned", "status_changed",
    ]  # fmt: skip
    bodies: list[dict[str, Any]] = [
        {"ids": [], "action": "cancel"},
        {"ids": ids, "action": "status"},
        {"ids": ids, "action": "cancel", "status": "done"},
        {"ids": ids, "action": "explode"},
        {"ids": [ids[0]] * 201, "action": "cancel"},
    ]
    for body in bodies:
        assert client.post("/api/tasks/bulk", headers=admin, json=body).status_code == 422, body


def test_comments_and_attachments_with_their_limits(
    client: TestClient, admin: Headers, analyst: User, observer_conn: Conn
) -> None:
    task = _task(client, admin)
    path = f"/api/tasks/{task['id']}"
    comment = client.post(f"{path}/comments", headers=admin, json={"body": "  Started  "})
    assert comment.status_code == 201, comment.text
    assert comment.json()["body"] == "Started"
    assert client.post(f"{path}/comments", headers=admin, json={"body": " "}).status_code == 422
    files = {"file": ("evidence.pdf", b"%PDF-1.4 tiny", "application/pdf")}
    attached = client.post(f"{path}/attachments", headers=admin, files=files)
    assert attached.status_code == 201, attached.text
    got = client.get(f"{path}/attachments/{attached.json()['id']}", headers=admin)
    assert got.content == b"%PDF-1.4 tiny"
    assert got.headers["content-disposition"].startswith('attachment; filename="evidence.pdf"')
    assert got.headers["x-content-type-options"] == "nosniff"
    too_big = {"file": ("big.txt", b"x" * (5 * 1024 * 1024 + 1), "text/plain")}
    assert client.post(f"{path}/attachments", headers=admin, files=too_big).status_code == 413
    for name, kind in (("page.html", "text/html"), ("run.exe", "application/octet-stream"),
                       ("fake.pdf", "text/html")):  # fmt: skip
        answer = client.post(
            f"{path}/attachments", headers=admin, files={"file": (name, b"x", kind)}
        )
        assert answer.status_code == 415, name
    assert len(client.get(f"{path}/attachments", headers=admin).json()) == 1
    mine = bearer(login(client, analyst.email)["access_token"])
    removal = f"{path}/attachments/{attached.json()['id']}"
    assert client.delete(removal, headers=mine).status_code == 403
    assert client.delete(removal, headers=admin).status_code == 204
    kinds = [k for k, _ in _events(observer_conn, task["id"])]
    assert kinds == ["created", "commented", "attached", "attachment_removed"]


def test_members_and_my_work(
    client: TestClient, admin: Headers, analyst: User, app_conn: Conn, tenant_b: TenantFixture
) -> None:
    create_user(app_conn, "tenant_user", tenant=tenant_b)
    mine = bearer(login(client, analyst.email)["access_token"])
    members = client.get("/api/members", headers=mine)
    assert members.status_code == 200
    assert {m["role"] for m in members.json()} == {"tenant_admin", "tenant_user"}
    assert len(members.json()) == 2
    _task(client, admin, title="Late", due_date="2020-01-01", owner_user_id=str(analyst.id))
    _task(client, admin, title="Someone else's", due_date="2020-01-01")
    client.post(
        "/api/risks",
        headers=admin,
        json={"slug": "owned", "title": "Owned", "owner_user_id": str(analyst.id),
              "review_date": "2020-05-01"},
    )  # fmt: skip
    work = client.get("/api/my-work", headers=mine).json()
    assert [t["title"] for t in work["tasks"]] == ["Late"]
    assert [(o["kind"], o["name"], o["overdue"]) for o in work["owned"]] == [
        ("risk", "Owned", True)
    ]
    assert (work["my_overdue_tasks"], work["tenant_overdue_tasks"]) == (1, 2)
