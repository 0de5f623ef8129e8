"""The delivery worker end to end against a local SMTP server and a local webhook receiver:
exactly once per notification however often it runs, preferences honoured, digests, retries
with backoff and a delivery log, the SSRF guard, SMTP switched off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from assets.database import DraxisDatabase
from assets.notify.backoff import MAX_ATTEMPTS, next_digest
from assets.notify.outbox import fill
from assets.notify.worker import deliver_due
from draxis.db.scope import Scope, scoped_transaction
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.notify.helpers import add_endpoint, deliveries, notify_user, user_id_of
from tests.notify.servers import Inbox, Receiver, smtp_server, webhook_receiver

LOCAL = ["127.0.0.1/32"]


@pytest.fixture
def mailbox(settings: Settings) -> Iterator[tuple[Settings, Inbox]]:
    with smtp_server() as (inbox, port):
        yield (
            settings.model_copy(
                update={
                    "smtp_host": "127.0.0.1",
                    "smtp_port": port,
                    "smtp_starttls": False,
                    "connector_allowed_networks": LOCAL,
                    "public_url": "https://draxis.example",
                }
            ),
            inbox,
        )


def _log(observer: Conn, tenant: TenantFixture) -> list[tuple[int, int | None, str, bool]]:
    rows = observer.execute(
        "select a.attempt, a.status_code, a.outcome, a.next_attempt_at is not null"
        " from tenant.delivery_attempt a where a.tenant_id = %s and a.endpoint_id is not null"
        " order by a.id",
        (tenant.id,),
    ).fetchall()
    return [(int(r[0]), r[1], str(r[2]), bool(r[3])) for r in rows]


def test_one_notification_one_email_one_signed_webhook_however_often_it_runs(
    mailbox: tuple[Settings, Inbox],
    app_conn: Conn,
    observer_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
) -> None:
    settings, inbox = mailbox
    user = user_id_of(app_conn, tenant_a, tenant_a.user_email)
    with webhook_receiver(Receiver()) as receiver:
        _, receiver.secret = add_endpoint(app_conn, settings, tenant_a, receiver.url)
        notify_user(app_conn, tenant_a, user, title="Patch backlog is red", dedupe_key="k1")
        notify_user(app_conn, tenant_a, user, title="Patch backlog is red", dedupe_key="k1")
        for _ in range(3):
            deliver_due(database, settings)

    [message] = inbox.to(tenant_a.user_email)
    assert message["Subject"] == "Patch backlog is red"
    text = message.get_body(("plain",))
    markup = message.get_body(("html",))
    assert text is not None
    assert markup is not None
    assert "https://draxis.example/tasks" in text.get_content()
    assert 'href="https://draxis.example/tasks"' in markup.get_content()
    [payload] = receiver.verified()
    assert len(receiver.requests) == 1
    assert payload["type"] == "task.assigned"
    assert payload["data"]["title"] == "Patch backlog is red"
    assert payload["data"]["user_id"] == str(user)
    assert deliveries(observer_conn, tenant_a) == [("email", "sent", 1), ("webhook", "sent", 1)]


def test_email_turned_off_sends_none_and_says_so(
    mailbox: tuple[Settings, Inbox],
    app_conn: Conn,
    observer_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
) -> None:
    settings, inbox = mailbox
    user = user_id_of(app_conn, tenant_a, tenant_a.user_email)
    with scoped_transaction(app_conn, Scope.tenant(tenant_a.id, tenant_a.org_id, user)):
        app_conn.execute(
            "insert into tenant.notification_preference (tenant_id, user_id, email_off)"
            " values (%s, %s, %s)",
            (tenant_a.id, user, ["task.assigned"]),
        )
    notify_user(app_conn, tenant_a, user, event="task.assigned")
    notify_user(app_conn, tenant_a, user, event="kri.turned_red", title="Red")
    deliver_due(database, settings)
    assert [m["Subject"] for m in inbox.to(tenant_a.user_email)] == ["Red"]
    assert sorted(deliveries(observer_conn, tenant_a)) == [
        ("email", "sent", 1),
        ("email", "skipped", 0),
    ]


def test_digest_is_one_email_a_day(
    mailbox: tuple[Settings, Inbox],
    app_conn: Conn,
    observer_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
) -> None:
    settings, inbox = mailbox
    user = user_id_of(app_conn, tenant_a, tenant_a.user_email)
    with scoped_transaction(app_conn, Scope.tenant(tenant_a.id, tenant_a.org_id, user)):
        app_conn.execute(
            "insert into tenant.notification_preference (tenant_id, user_id, digest)"
            " values (%s, %s, true)",
            (tenant_a.id, user),
        )
    for n in range(3):
        notify_user(app_conn, tenant_a, user, title=f"Item {n}")
    now = datetime.now(UTC)
    deliver_due(database, settings, now=now)
    assert inbox.to(tenant_a.user_email) == []
    due = next_digest(now) + timedelta(minutes=1)
    deliver_due(database, settings, now=due)
    deliver_due(database, settings, now=due + timedelta(minutes=5))
    [digest] = inbox.to(tenant_a.user_email)
    assert digest["Subject"] == "Your Draxis digest: 3 notifications"
    body = digest.get_body(("plain",))
    assert body is not None
    assert all(f"Item {n}" in body.get_content() for n in range(3))
    assert deliveries(observer_conn, tenant_a) == [("email", "sent", 1)] * 3


def test_webhook_retries_with_backoff_and_logs_each_attempt(
    mailbox: tuple[Settings, Inbox],
    app_conn: Conn,
    observer_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
) -> None:
    settings, _ = mailbox
    user = user_id_of(app_conn, tenant_a, tenant_a.user_email)
    with webhook_receiver(Receiver(statuses=[500, 503, 200])) as receiver:
        _, receiver.secret = add_endpoint(app_conn, settings, tenant_a, receiver.url)
        notify_user(app_conn, tenant_a, user)
        t0 = datetime.now(UTC)
        deliver_due(database, settings, now=t0)
        deliver_due(database, settings, now=t0 + timedelta(seconds=30))  # not due yet
        assert len(receiver.requests) == 1
        deliver_due(database, settings, now=t0 + timedelta(minutes=2))
        deliver_due(database, settings, now=t0 + timedelta(minutes=4))  # 5m after the 2nd
        assert len(receiver.requests) == 2
        deliver_due(database, settings, now=t0 + timedelta(minutes=8))
    assert len(receiver.verified()) == 3
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert _log(observer_conn, tenant_a) == [
        (1, 500, "retry", True),
        (2, 503, "retry", True),
        (3, 200, "sent", False),
    ]


def test_a_timeout_is_retried_and_retries_end(
    mailbox: tuple[Settings, Inbox],
    app_conn: Conn,
    observer_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
) -> None:
    settings, _ = mailbox
    slow = settings.model_copy(update={"webhook_timeout_seconds": 0.2})
    user = user_id_of(app_conn, tenant_a, tenant_a.user_email)
    with webhook_receiver(Receiver(delay=1.0)) as receiver:
        add_endpoint(app_conn, settings, tenant_a, receiver.url)
        notify_user(app_conn, tenant_a, user)
        at = datetime.now(UTC)
        for _ in range(MAX_ATTEMPTS + 2):
            deliver_due(database, slow, now=at)
            at += timedelta(hours=13)
    log = observer_conn.execute(
        "select outcome, error, status_code from tenant.delivery_attempt"
        " where tenant_id = %s and endpoint_id is not null order by id",
        (tenant_a.id,),
    ).fetchall()
    assert [r[0] for r in log] == ["retry"] * (MAX_ATTEMPTS - 1) + ["failed"]
    assert {r[1] for r in log} == {"timed out"}
    assert {r[2] for r in log} == {None}
    assert ("webhook", "failed", MAX_ATTEMPTS) in deliveries(observer_conn, tenant_a)


def test_a_pass_out_of_time_leaves_the_rest_for_the_next_one_without_spending_attempts(
    mailbox: tuple[Settings, Inbox],
    app_conn: Conn,
    observer_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
) -> None:
    """A sensor tick has a time budget: a slow receiver cannot hold it past Dagster's timeout.
    What was claimed and not attempted is released, due at once, its attempt not counted."""
    settings, _ = mailbox
    email_off = settings.model_copy(update={"smtp_host": None})
    user = user_id_of(app_conn, tenant_a, tenant_a.user_email)
    with webhook_receiver(Receiver(delay=0.3)) as receiver:
        _, receiver.secret = add_endpoint(app_conn, settings, tenant_a, receiver.url)
        for n in range(3):
            notify_user(app_conn, tenant_a, user, title=f"slow {n}", dedupe_key=f"slow{n}")
        first = deliver_due(database, email_off, budget_s=0.1)
        hooks = [d for d in deliveries(observer_conn, tenant_a) if d[0] == "webhook"]
        # Skipped e-mails cost no time; the first webhook spends the budget, whatever the
        # order the six deliveries were claimed in: the rest is deferred.
        assert first.sent == 1
        assert first.deferred == first.queued - first.sent - first.skipped
        assert first.deferred >= 2
        assert sorted(hooks) == [("webhook", "pending", 0)] * 2 + [("webhook", "sent", 1)]
        leased = observer_conn.execute(
            "select count(*) from tenant.notification_delivery"
            " where tenant_id = %s and lease_until is not null",
            (tenant_a.id,),
        ).fetchone()
        assert leased == (0,)
        rest = deliver_due(database, email_off)
        assert rest.sent == 2
    assert len(receiver.verified()) == 3
    assert [d for d in deliveries(observer_conn, tenant_a) if d[0] == "webhook"] == [
        ("webhook", "sent", 1)
    ] * 3


def test_ssrf_guard_refuses_a_private_address_outside_the_allowance(
    mailbox: tuple[Settings, Inbox],
    app_conn: Conn,
    observer_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
) -> None:
    settings, _ = mailbox
    strict = settings.model_copy(update={"connector_allowed_networks": []})
    user = user_id_of(app_conn, tenant_a, tenant_a.user_email)
    with webhook_receiver(Receiver()) as receiver:
        endpoint, _ = add_endpoint(app_conn, settings, tenant_a, receiver.url)
        notify_user(app_conn, tenant_a, user)
        deliver_due(database, strict)
    assert receiver.requests == []
    row = observer_conn.execute(
        "select status, last_error from tenant.notification_delivery where endpoint_id = %s",
        (endpoint,),
    ).fetchone()
    assert row is not None
    assert row[0] == "failed"
    assert "refused" in row[1]


def test_without_smtp_email_is_skipped_visibly(
    settings: Settings,
    app_conn: Conn,
    observer_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
) -> None:
    off = settings.model_copy(update={"smtp_host": None})
    user = user_id_of(app_conn, tenant_a, tenant_a.user_email)
    notify_user(app_conn, tenant_a, user)
    deliver_due(database, off)
    row = observer_conn.execute(
        "select status, last_error from tenant.notification_delivery where tenant_id = %s",
        (tenant_a.id,),
    ).fetchone()
    assert row == ("skipped", "SMTP is not configured (DRAXIS_SMTP_HOST is unset)")


def test_a_disabled_endpoint_gets_nothing_more(
    mailbox: tuple[Settings, Inbox],
    app_conn: Conn,
    pipeline_conn: Conn,
    observer_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
) -> None:
    settings, _ = mailbox
    user = user_id_of(app_conn, tenant_a, tenant_a.user_email)
    with webhook_receiver(Receiver()) as receiver:
        endpoint, _ = add_endpoint(app_conn, settings, tenant_a, receiver.url)
        notify_user(app_conn, tenant_a, user, title="Queued while enabled")
        with scoped_transaction(pipeline_conn, Scope.tenants([tenant_a.id])):
            assert fill(pipeline_conn, next_digest(datetime.now(UTC))) == 2
        with scoped_transaction(app_conn, Scope.tenant(tenant_a.id, tenant_a.org_id)):
            app_conn.execute(
                "update tenant.webhook_endpoint set enabled = false where id = %s", (endpoint,)
            )
        notify_user(app_conn, tenant_a, user, title="Notified while disabled")
        deliver_due(database, settings)
    assert receiver.requests == []
    row = observer_conn.execute(
        "select status, last_error from tenant.notification_delivery where endpoint_id = %s",
        (endpoint,),
    ).fetchall()
    assert row == [("skipped", "the endpoint is disabled")]
