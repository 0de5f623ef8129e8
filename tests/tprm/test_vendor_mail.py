"""Vendor e-mails from `tenant.assessment_email`, sent by the delivery worker to a local SMTP
server (aiosmtpd): the invitation carries the link, which is never logged; a cancelled
assessment's queued e-mail is skipped; a failing server is retried with backoff."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from assets.database import DraxisDatabase
from assets.notify.backoff import MAX_ATTEMPTS
from assets.notify.worker import deliver_due
from assets.tprm.vendor_mail import SKIPPED
from draxis.db.scope import Scope, scoped_transaction
from draxis.security.crypto import seal
from draxis.settings import Settings
from draxis.tprm.links import link_context
from tests.factories import Conn, TenantFixture
from tests.notify.servers import Inbox, free_port, smtp_server
from tests.tprm import kit


@pytest.fixture
def mailer(settings: Settings) -> Iterator[tuple[Settings, Inbox]]:
    with smtp_server() as (inbox, port):
        yield (
            settings.model_copy(
                update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
            ),
            inbox,
        )


def queue(
    conn: Conn, settings: Settings, tenant: TenantFixture, kind: str = "invitation"
) -> tuple[kit.Sent, str]:
    """An open assessment with its link sealed and an e-mail queued, as the API does."""
    sent = kit.send(conn, tenant)
    link = f"{settings.public_url}/vendor-portal#{sent.token}"
    with scoped_transaction(conn, tenant.scope):
        conn.execute(
            "update tenant.assessment set link_sealed = %s, message = %s where id = %s",
            (seal(settings, link.encode(), link_context(sent.assessment_id)),
             "Please answer before the renewal.", sent.assessment_id),
        )  # fmt: skip
        conn.execute(
            "insert into tenant.assessment_email (tenant_id, assessment_id, kind, dedupe_key)"
            " values (%s, %s, %s, %s)",
            (tenant.id, sent.assessment_id, kind, kind),
        )
    return sent, link


def outbox(conn: Conn, tenant: TenantFixture, assessment_id: UUID) -> dict[str, Any]:
    with scoped_transaction(conn, tenant.scope, read_only=True):
        cur = conn.execute(
            "select status, attempts, next_attempt_at, last_error, sent_at, lease_until"
            " from tenant.assessment_email where assessment_id = %s",
            (assessment_id,),
        )
        row = cur.fetchone()
        assert row is not None
        assert cur.description is not None
        return dict(zip([c.name for c in cur.description], row, strict=True))


def _body(message: Any) -> str:
    text = message.get_body(("plain",))
    assert text is not None
    return str(text.get_content())


def mine(inbox: Inbox, token: str) -> list[Any]:
    """The messages about one assessment (the worker sends every tenant's due e-mails, and
    every test assessment has the same recipient)."""
    return [m for m in inbox.to("vera@vendor.example") if token in _body(m)]


def test_the_invitation_arrives_with_the_link_which_is_never_logged(
    mailer: tuple[Settings, Inbox],
    app_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings, inbox = mailer
    sent, link = queue(app_conn, settings, tenant_a)
    with caplog.at_level(logging.DEBUG):
        deliver_due(database, settings)
    [message] = mine(inbox, sent.token)
    body = _body(message)
    assert f"Open the questionnaire: {link}" in body
    assert "Tenant asks Acme to complete a security assessment questionnaire" in body
    assert "Please answer before the renewal." in body
    assert message["Subject"] == "Tenant asks Acme to complete a security assessment"
    html = message.get_body(("html",))
    assert html is not None
    assert f'href="{link}"' in str(html.get_content())
    row = outbox(app_conn, tenant_a, sent.assessment_id)
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 1, None)
    assert row["sent_at"] is not None
    assert sent.token not in caplog.text
    assert link not in caplog.text

    deliver_due(database, settings)  # sent once
    assert len(mine(inbox, sent.token)) == 1


def test_a_reminder_says_when_it_is_due(
    mailer: tuple[Settings, Inbox],
    app_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
) -> None:
    settings, inbox = mailer
    sent, link = queue(app_conn, settings, tenant_a, kind="reminder")
    deliver_due(database, settings)
    [message] = mine(inbox, sent.token)
    assert str(message["Subject"]).startswith("Reminder: the security assessment for Tenant")
    assert f"Continue the questionnaire: {link}" in _body(message)


def test_a_cancelled_assessments_queued_email_is_skipped(
    mailer: tuple[Settings, Inbox],
    app_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
) -> None:
    settings, inbox = mailer
    sent, _ = queue(app_conn, settings, tenant_a)
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute(
            "update tenant.assessment set status = 'cancelled', cancelled_at = now(),"
            " link_sealed = null where id = %s",
            (sent.assessment_id,),
        )
    deliver_due(database, settings)
    assert mine(inbox, sent.token) == []
    row = outbox(app_conn, tenant_a, sent.assessment_id)
    assert row["status"] == "skipped"
    assert row["last_error"] == SKIPPED


def test_a_resend_replaces_the_invitation_still_queued(
    mailer: tuple[Settings, Inbox],
    app_conn: Conn,
    observer_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
) -> None:
    """Two invitations queued for one assessment (sent, then resent before the first went out):
    the vendor gets the link once, from the newer one."""
    settings, inbox = mailer
    sent, _ = queue(app_conn, settings, tenant_a)
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute(
            "insert into tenant.assessment_email (tenant_id, assessment_id, kind, dedupe_key,"
            " created_at) values (%s, %s, 'invitation', 'resend:1', now() + interval '1 second')",
            (tenant_a.id, sent.assessment_id),
        )
    deliver_due(database, settings)
    assert len(mine(inbox, sent.token)) == 1
    rows = observer_conn.execute(
        "select dedupe_key, status, last_error from tenant.assessment_email"
        " where assessment_id = %s order by created_at",
        (sent.assessment_id,),
    ).fetchall()
    assert rows == [("invitation", "skipped", SKIPPED), ("resend:1", "sent", None)]


def test_an_expired_link_is_not_sent(
    mailer: tuple[Settings, Inbox],
    app_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
) -> None:
    settings, inbox = mailer
    sent, _ = queue(app_conn, settings, tenant_a)
    later = datetime.now(UTC) + timedelta(days=31)  # the link works 30 days
    deliver_due(database, settings, now=later)
    assert mine(inbox, sent.token) == []
    assert outbox(app_conn, tenant_a, sent.assessment_id)["status"] == "skipped"


def test_a_failing_server_is_retried_with_backoff_then_given_up(
    settings: Settings,
    app_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": free_port(), "smtp_starttls": False,
                "smtp_timeout_seconds": 2.0}
    )  # fmt: skip
    sent, link = queue(app_conn, down, tenant_a)
    start = datetime.now(UTC)
    with caplog.at_level(logging.DEBUG):
        deliver_due(database, down, now=start)
    row = outbox(app_conn, tenant_a, sent.assessment_id)
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert row["last_error"] == "SMTP: ConnectionRefusedError"
    assert row["next_attempt_at"] == start + timedelta(minutes=1)
    assert link not in caplog.text

    deliver_due(database, down, now=start + timedelta(seconds=30))  # not due yet
    assert outbox(app_conn, tenant_a, sent.assessment_id)["attempts"] == 1
    at = start
    for attempt in range(2, MAX_ATTEMPTS + 1):
        at = outbox(app_conn, tenant_a, sent.assessment_id)["next_attempt_at"]
        deliver_due(database, down, now=at)
        row = outbox(app_conn, tenant_a, sent.assessment_id)
        assert row["attempts"] == attempt
    assert row["status"] == "failed"
    assert at - start == timedelta(minutes=1 + 5 + 30) + timedelta(hours=2 + 12)


def test_the_outbox_stays_inside_its_tenant(
    mailer: tuple[Settings, Inbox],
    app_conn: Conn,
    pipeline_conn: Conn,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:
    settings, _ = mailer
    sent, _ = queue(app_conn, settings, tenant_a)
    with scoped_transaction(pipeline_conn, Scope.tenants([tenant_b.id])):
        seen = pipeline_conn.execute(
            "select count(*) from tenant.assessment_email where assessment_id = %s",
            (sent.assessment_id,),
        ).fetchone()
    assert seen == (0,)


def test_the_daily_pass_reminder_reaches_the_vendor_with_the_link(
    mailer: tuple[Settings, Inbox],
    app_conn: Conn,
    pipeline_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
) -> None:
    from assets.tprm.reminders import daily_pass

    settings, inbox = mailer
    sent, link = queue(app_conn, settings, tenant_a)
    today = datetime.now(UTC).date()
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute(
            "update tenant.assessment set due_date = %s, sent_at = now() - interval '20 days'"
            " where id = %s",
            (today + timedelta(days=5), sent.assessment_id),
        )
    with scoped_transaction(pipeline_conn, Scope.tenants([tenant_a.id])):
        assert daily_pass(pipeline_conn, today).reminders_queued == 1
    deliver_due(database, settings)
    messages = [m for m in inbox.to("vera@vendor.example") if link in _body(m)]
    assert sorted(str(m["Subject"]).split(":")[0] for m in messages) == [
        "Reminder",
        "Tenant asks Acme to complete a security assessment",
    ]
    [reminder] = [m for m in messages if str(m["Subject"]).startswith("Reminder")]
    assert "is due today" not in str(reminder["Subject"])
    assert "due in 5 days" in str(reminder["Subject"])
    assert f"Continue the questionnaire: {link}" in _body(reminder)
