"""The notification centre and preferences over the API: one's own notifications only, paging,
unread counts, marking read; preferences per user, refused outside a tenant."""

from __future__ import annotations

from fastapi.testclient import TestClient

from draxis.notifications import EVENT_NAMES
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user
from tests.notify.helpers import notify_user, user_id_of
from tests.security.helpers import sign_in


def test_notify_is_idempotent_per_dedupe_key(app_conn: Conn, tenant_a: TenantFixture) -> None:
    user = user_id_of(app_conn, tenant_a, tenant_a.user_email)
    first = notify_user(app_conn, tenant_a, user, dedupe_key="task:1:assigned")
    again = notify_user(app_conn, tenant_a, user, dedupe_key="task:1:assigned")
    assert first is not None
    assert again is None


def test_list_page_count_and_mark_read(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    user = user_id_of(app_conn, tenant_a, tenant_a.user_email)
    for n in range(5):
        notify_user(app_conn, tenant_a, user, title=f"Note {n}")
    token = sign_in(client, tenant_a.user_email).access
    h = bearer(token)

    assert client.get("/api/me/notifications/unread-count", headers=h).json() == {"unread": 5}
    page = client.get("/api/me/notifications?limit=3", headers=h).json()
    assert [i["title"] for i in page["items"]] == ["Note 4", "Note 3", "Note 2"]
    assert page["unread"] == 5
    assert page["next_before"] is not None
    rest = client.get(
        "/api/me/notifications", params={"limit": 3, "before": page["next_before"]}, headers=h
    ).json()
    assert [i["title"] for i in rest["items"]] == ["Note 1", "Note 0"]
    assert rest["next_before"] is None

    one = page["items"][0]["id"]
    assert client.post(f"/api/me/notifications/{one}/read", headers=h).status_code == 204
    assert client.get("/api/me/notifications/unread-count", headers=h).json() == {"unread": 4}
    unread = client.get("/api/me/notifications?unread_only=true", headers=h).json()
    assert one not in [i["id"] for i in unread["items"]]
    assert client.post("/api/me/notifications/read-all", headers=h).json() == {"marked": 4}
    assert client.get("/api/me/notifications/unread-count", headers=h).json() == {"unread": 0}


def test_one_never_sees_or_marks_anothers_notifications(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    admin = user_id_of(app_conn, tenant_a, tenant_a.user_email)
    theirs = notify_user(app_conn, tenant_a, admin, title="For the admin only")
    colleague = create_user(app_conn, "tenant_user", tenant=tenant_a)
    outsider = sign_in(client, tenant_b.user_email).access
    for token in (sign_in(client, colleague.email).access, outsider):
        h = bearer(token)
        assert client.get("/api/me/notifications", headers=h).json()["items"] == []
        assert client.post(f"/api/me/notifications/{theirs}/read", headers=h).status_code == 404
        assert client.post("/api/me/notifications/read-all", headers=h).json() == {"marked": 0}
    admin_token = sign_in(client, tenant_a.user_email).access
    h = bearer(admin_token)
    assert client.get("/api/me/notifications/unread-count", headers=h).json() == {"unread": 1}


def test_preferences_are_ones_own(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    colleague = create_user(app_conn, "tenant_user", tenant=tenant_a)
    h = bearer(sign_in(client, tenant_a.user_email).access)
    default = client.get("/api/me/notification-preferences", headers=h).json()
    assert default["digest"] is False
    assert {e["event"] for e in default["events"]} == EVENT_NAMES
    assert all(e["email"] for e in default["events"])

    put = client.put(
        "/api/me/notification-preferences",
        json={"digest": True, "email_off": ["kri.stale", "kri.stale"]},
        headers=h,
    )
    assert put.status_code == 200, put.text
    email = {e["event"]: e["email"] for e in put.json()["events"]}
    assert email["kri.stale"] is False
    assert email["task.assigned"] is True
    assert put.json()["digest"] is True

    other = bearer(sign_in(client, colleague.email).access)
    theirs = client.get("/api/me/notification-preferences", headers=other).json()
    assert theirs["digest"] is False
    assert all(e["email"] for e in theirs["events"])


def test_preferences_refuse_bad_input_and_non_tenant_users(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    h = bearer(sign_in(client, tenant_a.user_email).access)
    bad = client.put(
        "/api/me/notification-preferences",
        json={"digest": True, "email_off": ["Not An Event"]},
        headers=h,
    )
    assert bad.status_code == 422
    master = create_user(app_conn, "master_admin", tenant=tenant_a)
    mh = bearer(sign_in(client, master.email).access)
    assert client.get("/api/me/notification-preferences", headers=mh).json()["events"] == []
    refused = client.put("/api/me/notification-preferences", json={"digest": True}, headers=mh)
    assert refused.status_code == 409
    assert client.get("/api/me/notifications", headers=mh).json()["items"] == []
