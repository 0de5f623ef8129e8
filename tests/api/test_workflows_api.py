"""/api/workflows: versioned, audited definitions; validation naming the JSON path; the preview
(writes nothing); runs; approvals decided by the step's role, never by the owner of the work."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from draxis.db.scope import scoped_transaction
from draxis.settings import Settings
from tests.assets.workflows.kit import RED_THEN_GREEN, colour_kri, evaluate
from tests.conftest import Conn
from tests.factories import TenantFixture, materialize_tenant
from tests.identity import bearer, create_user, login

VENDOR_REVIEW: dict[str, Any] = {
    "trigger": {"type": "vendor.reassessment_due", "within_days": 30},
    "steps": [
        {"type": "create_task", "title": "Reassess {subject}", "assignee": {"subject_owner": True}},
        {"type": "wait_for_approval", "role": "tenant_admin", "deadline_days": 0},
        {"type": "wait_until", "condition": "vendor_reviewed"},
    ],
}


def _admin(client: TestClient, tenant: TenantFixture) -> dict[str, str]:
    return bearer(login(client, tenant.user_email)["access_token"])


def _audit(observer: Conn, target: str) -> list[str]:
    rows = observer.execute(
        "select action from tenant.audit_log where target_id = %s order by at", (target,)
    ).fetchall()
    return [str(r[0]) for r in rows]


def test_create_edit_disable_are_versioned_and_audited(
    client: TestClient, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    auth = _admin(client, tenant_a)
    made = client.post(
        "/api/workflows", headers=auth, json={"name": "Red KRI", "document": RED_THEN_GREEN}
    )
    assert made.status_code == 201, made.text
    workflow = made.json()
    assert (workflow["current_version"], workflow["trigger_type"]) == (1, "kri.colour_changed")
    edited = {**RED_THEN_GREEN, "trigger": {"type": "kri.colour_changed", "to": ["red", "stale"]}}
    patched = client.patch(
        f"/api/workflows/{workflow['id']}", headers=auth, json={"document": edited}
    )
    assert patched.json()["current_version"] == 2
    same = client.patch(f"/api/workflows/{workflow['id']}", headers=auth, json={"document": edited})
    assert same.json()["current_version"] == 2  # the same document is no new version
    off = client.patch(f"/api/workflows/{workflow['id']}", headers=auth, json={"enabled": False})
    assert off.json()["enabled"] is False
    versions = client.get(f"/api/workflows/{workflow['id']}/versions", headers=auth).json()
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[1]["document"]["trigger"]["to"] == ["red"]
    assert _audit(observer_conn, workflow["id"]) == [
        "workflow.create",
        "workflow.update",
        "workflow.disable",
    ]
    taken = client.post(
        "/api/workflows", headers=auth, json={"name": "Red KRI", "document": RED_THEN_GREEN}
    )
    assert taken.status_code == 409


def test_an_invalid_document_is_a_422_naming_its_json_path(
    client: TestClient, tenant_a: TenantFixture
) -> None:
    auth = _admin(client, tenant_a)
    bad = {
        **RED_THEN_GREEN,
        "steps": [
            {"type": "create_task", "title": "Fix {nope}", "assignee": {"subject_owner": True}}
        ],
    }
    refused = client.post("/api/workflows", headers=auth, json={"name": "x", "document": bad})
    assert refused.status_code == 422
    locations = [e["location"] for e in refused.json()["errors"]]
    assert locations == ["body.document.steps.0.create_task.title"]
    unknown = client.post(
        "/api/workflows",
        headers=auth,
        json={"name": "x", "document": {"trigger": {"type": "kri.teleported"}, "steps": []}},
    )
    assert unknown.status_code == 422
    assert "body.document.trigger" in unknown.json()["detail"]
    assert client.get("/api/workflows", headers=auth).json() == []


def test_a_tenant_user_reads_but_cannot_write_workflows(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    auth = bearer(login(client, user.email)["access_token"])
    assert client.get("/api/workflows", headers=auth).status_code == 200
    refused = client.post(
        "/api/workflows", headers=auth, json={"name": "x", "document": RED_THEN_GREEN}
    )
    assert refused.status_code == 403


def test_preview_lists_what_would_fire_and_writes_nothing(
    settings: Settings,
    client: TestClient,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    materialize_tenant(settings, tenant_a)
    slug = tenant_a.kri_slugs[0]
    colour_kri(app_conn, tenant_a, slug, "red")
    evaluate(settings, tenant_a)  # the colour, as the pipeline stores it
    auth = _admin(client, tenant_a)
    runs_before = observer_conn.execute("select count(*) from tenant.workflow_run").fetchone()
    answer = client.post("/api/workflows/preview", headers=auth, json={"document": RED_THEN_GREEN})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        red = app_conn.execute(
            "select count(*) from tenant.kri_status where status = 'red'"
        ).fetchone()
        name = app_conn.execute("select name from tenant.kri where slug = %s", (slug,)).fetchone()
    assert red is not None
    assert name is not None
    assert body["total"] == red[0]
    mine = [f for f in body["firings"] if f["subject_label"] == name[0]]
    assert len(mine) == 1
    assert mine[0]["steps"] == [
        f"Open task 'Bring {name[0]} back to green' for role tenant_admin",
        "Wait until kri green, then close the tasks",
    ]
    runs_after = observer_conn.execute("select count(*) from tenant.workflow_run").fetchone()
    assert runs_after == runs_before


def _vendor(conn: Conn, tenant: TenantFixture, owner: UUID, review: date) -> UUID:
    with scoped_transaction(conn, tenant.scope):
        row = conn.execute(
            "insert into tenant.vendor (tenant_id, slug, name, tier, owner_user_id, review_date)"
            " values (%s, 'acme', 'Acme Hosting', 1, %s, %s) returning id",
            (tenant.id, owner, review),
        ).fetchone()
    assert row is not None
    return UUID(str(row[0]))


def test_an_approval_is_decided_by_its_role_escalates_and_the_run_finishes(
    settings: Settings,
    client: TestClient,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    owner = create_user(app_conn, "tenant_admin", tenant=tenant_a)  # an admin owning the work
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    vendor = _vendor(app_conn, tenant_a, owner.id, date.today() - timedelta(days=1))
    auth = _admin(client, tenant_a)
    made = client.post(
        "/api/workflows", headers=auth, json={"name": "Vendor review", "document": VENDOR_REVIEW}
    )
    assert made.status_code == 201, made.text
    evaluate(settings, tenant_a, status=False)
    evaluate(settings, tenant_a, status=False)  # past the deadline (0 days): escalated once
    runs = client.get("/api/workflows/runs", headers=auth).json()
    assert [(r["subject_id"], r["status"], r["step"]) for r in runs] == [
        (str(vendor), "waiting", 1)
    ]
    run = runs[0]
    assert run["steps"][1]["status"] == "waiting"
    assert run["steps"][1]["escalated"] is True
    tasks = observer_conn.execute(
        "select owner_user_id, owner_role, status from tenant.task where workflow_run_id = %s"
        " order by created_at, title",
        (run["id"],),
    ).fetchall()
    assert sorted(tasks, key=str) == sorted(
        [(owner.id, None, "open"), (None, "tenant_admin", "waiting_approval")], key=str
    )
    events = observer_conn.execute(
        "select event, count(*) from tenant.notification where subject_id = %s group by 1"
        " order by 1",
        (run["id"],),
    ).fetchall()
    admins = 2  # the tenant's first admin and the owner
    assert events == [
        ("workflow.approval_escalated", admins),
        ("workflow.approval_requested", admins),
        ("workflow.task_opened", 1),
    ]

    as_user = bearer(login(client, user.email)["access_token"])
    as_owner = bearer(login(client, owner.email)["access_token"])
    path = f"/api/workflows/runs/{run['id']}"
    assert client.post(f"{path}/approve", headers=as_user, json={}).status_code == 403
    assert client.post(f"{path}/approve", headers=as_owner, json={}).status_code == 403
    approved = client.post(f"{path}/approve", headers=auth, json={"comment": "fine"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["steps"][1]["status"] == "approved"
    assert client.post(f"{path}/approve", headers=auth, json={}).status_code == 409

    evaluate(settings, tenant_a, status=False)
    assert client.get("/api/workflows/runs", headers=auth).json()[0]["step"] == 2
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute(
            "update tenant.vendor set review_date = %s where id = %s",
            (date.today() + timedelta(days=365), vendor),
        )
    evaluate(settings, tenant_a, status=False)
    final = client.get("/api/workflows/runs", headers=auth).json()[0]
    assert final["status"] == "finished"
    left = observer_conn.execute(
        "select count(*) from tenant.task where workflow_run_id = %s"
        " and status not in ('done', 'cancelled')",
        (run["id"],),
    ).fetchone()
    assert left == (0,)
    assert _audit(observer_conn, run["id"]) == ["workflow.run.approve"]


def test_a_rejection_ends_the_run(
    settings: Settings, client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    owner = create_user(app_conn, "tenant_user", tenant=tenant_a)
    _vendor(app_conn, tenant_a, owner.id, date.today())
    auth = _admin(client, tenant_a)
    client.post("/api/workflows", headers=auth, json={"name": "V", "document": VENDOR_REVIEW})
    evaluate(settings, tenant_a, status=False)
    run = client.get("/api/workflows/runs", headers=auth).json()[0]
    rejected = client.post(f"/api/workflows/runs/{run['id']}/reject", headers=auth, json={})
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    evaluate(settings, tenant_a, status=False)
    assert client.get("/api/workflows/runs", headers=auth).json()[0]["status"] == "rejected"
