"""Invite e-mails: sent from the outbox with a working accept link; the token is never stored in
clear (sealed until sent, then wiped); pending invites listed, revoked and resent by tenant and
MSP admins."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assets.database import DraxisDatabase
from assets.notify.worker import deliver_due
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user
from tests.notify.servers import Inbox, smtp_server
from tests.security.helpers import sign_in

NEW_PASSWORD = "a long and fresh passphrase for the invitee"


@pytest.fixture
def mailer(settings: Settings) -> Iterator[tuple[Settings, Inbox]]:
    with smtp_server() as (inbox, port):
        yield (
            settings.model_copy(
                update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
            ),
            inbox,
        )


def _link(inbox: Inbox, email: str) -> str:
    [message] = inbox.to(email)
    text = message.get_body(("plain",))
    assert text is not None
    found = re.search(r"Accept the invite: (\S+)", text.get_content())
    assert found is not None
    return found.group(1)


def _stored(observer: Conn, invite_id: str) -> bytes:
    """Every byte the database holds about the invite and its e-mail, as text."""
    row = observer.execute(
        "select row_to_json(i)::text || coalesce(row_to_json(e)::text, '')"
        " from platform.invites i left join platform.invite_email e on e.invite_id = i.id"
        " where i.id = %s",
        (invite_id,),
    ).fetchone()
    assert row is not None
    return str(row[0]).encode()


def test_invite_email_carries_a_working_link_and_no_clear_token_is_stored(
    mailer: tuple[Settings, Inbox],
    client: TestClient,
    observer_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
) -> None:
    settings, inbox = mailer
    h = bearer(sign_in(client, tenant_a.user_email).access)
    email = f"invitee-{tenant_a.slug}@example.test"
    created = client.post(
        "/api/tenant/invites", json={"email": email, "role": "tenant_user"}, headers=h
    )
    assert created.status_code == 201, created.text
    invite = created.json()
    token = invite["token"]
    assert token.encode() not in _stored(observer_conn, invite["id"])

    deliver_due(database, settings)
    deliver_due(database, settings)
    link = _link(inbox, email)
    assert link == invite["accept_url"]
    assert token.encode() not in _stored(observer_conn, invite["id"])
    row = observer_conn.execute(
        "select status, link_sealed from platform.invite_email where invite_id = %s",
        (invite["id"],),
    ).fetchone()
    assert row == ("sent", None)

    accepted = client.post(
        "/api/auth/invites/accept",
        json={
            "token": link.split("token=")[1],
            "display_name": "Invitee",
            "password": NEW_PASSWORD,
        },
    )
    assert accepted.status_code == 201, accepted.text


def test_pending_invites_are_listed_revoked_and_resent(
    mailer: tuple[Settings, Inbox],
    client: TestClient,
    app_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:
    settings, inbox = mailer
    h = bearer(sign_in(client, tenant_a.user_email).access)
    ids = {}
    for name in ("keep", "drop"):
        email = f"{name}-{tenant_a.slug}@example.test"
        response = client.post(
            "/api/tenant/invites", json={"email": email, "role": "tenant_user"}, headers=h
        )
        ids[name] = (response.json()["id"], email, response.json()["token"])
    listed = client.get("/api/tenant/invites", headers=h).json()
    assert {i["id"] for i in listed} == {ids["keep"][0], ids["drop"][0]}
    assert {i["email_status"] for i in listed} == {"pending"}

    other = bearer(sign_in(client, tenant_b.user_email).access)
    assert client.get("/api/tenant/invites", headers=other).json() == []
    assert (
        client.post(f"/api/tenant/invites/{ids['drop'][0]}/revoke", headers=other).status_code
        == 404
    )
    assert client.post(f"/api/tenant/invites/{ids['drop'][0]}/revoke", headers=h).status_code == 204
    deliver_due(database, settings)
    assert inbox.to(ids["drop"][1]) == []
    assert len(inbox.to(ids["keep"][1])) == 1
    assert [i["id"] for i in client.get("/api/tenant/invites", headers=h).json()] == [
        ids["keep"][0]
    ]

    master = create_user(app_conn, "master_admin", tenant=tenant_a)
    mh = bearer(sign_in(client, master.email).access)
    org = f"/api/orgs/{tenant_a.org_id}/invites"
    assert [i["id"] for i in client.get(org, headers=mh).json()] == [ids["keep"][0]]
    assert client.post(f"{org}/{ids['keep'][0]}/resend", headers=mh).status_code == 204
    deliver_due(database, settings)
    first, second = inbox.to(ids["keep"][1])
    assert first["Subject"] == "You are invited to join Tenant A"
    fresh = _link(Inbox([second]), ids["keep"][1]).split("token=")[1]
    assert fresh != ids["keep"][2]
    stale = client.post(
        "/api/auth/invites/accept",
        json={"token": ids["keep"][2], "display_name": "Late", "password": NEW_PASSWORD},
    )
    assert stale.status_code == 410
    assert (
        client.post(
            "/api/auth/invites/accept",
            json={"token": fresh, "display_name": "On time", "password": NEW_PASSWORD},
        ).status_code
        == 201
    )
