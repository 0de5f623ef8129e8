"""One pass of the delivery worker, for the pipeline's sensor: queue, claim, send, record.

For each batch of tenants (`Scope.tenants`, as `draxis_pipeline`): one transaction queues the
deliveries of new notifications; then deliveries due are claimed with a lease in a transaction
that COMMITS before anything is sent; each is sent over the network with no transaction open;
its outcome is recorded in a new transaction. A worker that dies mid-send leaves a lease that
expires, and the delivery is tried again (at least once delivery; webhook receivers drop
duplicates by `webhook-id`). Digest e-mails are held until the digest time, then each user's
due ones go out as one e-mail.
"""

from __future__ import annotations

import logging
import smtplib
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Protocol
from uuid import UUID

from assets.notify import mail, webhook
from assets.notify.backoff import next_attempt, next_digest
from assets.notify.invites import deliver_invites
from assets.notify.outbox import Claimed, Conn, Outcome, claim, fill, record, release
from assets.tprm.vendor_mail import deliver_vendor_emails
from connectors.errors import DestinationRefused
from draxis.db.scope import Scope, scoped_transaction
from draxis.settings import Settings

log = logging.getLogger("assets.notify")
LEASE = timedelta(minutes=5)
TENANT_BATCH = 500
CLAIM_BATCH = 50


class Connections(Protocol):
    def connection(self) -> AbstractContextManager[Conn]: ...


@dataclass(slots=True)
class Summary:
    queued: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    deferred: int = 0  # claimed, not attempted: the pass ran out of time; due again at once

    def count(self, status: str, n: int = 1) -> None:
        name = {"retry": "retried"}.get(status, status)
        setattr(self, name, getattr(self, name) + n)


def _chunks(ids: Sequence[UUID], size: int) -> Iterator[list[UUID]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def deliver_due(
    database: Connections,
    settings: Settings,
    *,
    now: datetime | None = None,
    budget_s: float | None = None,
) -> Summary:
    """Queue and send whatever is due at `now` (default: the database's clock) across every
    tenant. `now` is for tests and the bench: a later `now` makes later retries due.
    `budget_s`: stop sending after this many seconds (a sensor tick must end before Dagster's
    timeout, whatever the receivers' latency); what was claimed and not attempted is released
    for the next pass, its attempt not counted."""
    summary = Summary()
    deadline = None if budget_s is None else time.monotonic() + budget_s
    with database.connection() as conn:
        with scoped_transaction(conn, Scope.platform(), read_only=True):
            rows = conn.execute(
                "select id from platform.tenants where deleted_at is null order by id"
            ).fetchall()
        for chunk in _chunks([UUID(str(r[0])) for r in rows], TENANT_BATCH):
            if not _deliver_batch(conn, settings, Scope.tenants(chunk), now, summary, deadline):
                break
            # Vendors' assessment invitations and reminders (assets.tprm.vendor_mail).
            if not deliver_vendor_emails(
                conn, settings, Scope.tenants(chunk), now, summary.count, deadline
            ):
                break
        else:
            summary.sent += deliver_invites(conn, settings, now)
    if summary.queued or summary.sent or summary.retried or summary.failed or summary.deferred:
        log.info(
            "notification deliveries: queued %d, sent %d, retry %d, failed %d, skipped %d,"
            " deferred %d",
            summary.queued,
            summary.sent,
            summary.retried,
            summary.failed,
            summary.skipped,
            summary.deferred,
        )
    return summary


def _out_of_time(deadline: float | None, summary: Summary) -> bool:
    """Past the budget, once the pass has made progress: at least one delivery is attempted
    per pass, so a slow database (the claim alone outlasting a short budget) cannot defer
    everything forever."""
    attempted = summary.sent + summary.retried + summary.failed
    return deadline is not None and attempted > 0 and time.monotonic() >= deadline


def _deliver_batch(
    conn: Conn,
    settings: Settings,
    scope: Scope,
    at: datetime | None,
    summary: Summary,
    deadline: float | None,
) -> bool:
    """One batch of tenants' due deliveries; False when the pass ran out of time."""
    with scoped_transaction(conn, scope):
        summary.queued += fill(conn, next_digest(at or datetime.now(UTC)))
    while True:
        with scoped_transaction(conn, scope):
            claimed = claim(conn, now=at, digest=False, limit=CLAIM_BATCH, lease=LEASE)
        for index, item in enumerate(claimed):
            if _out_of_time(deadline, summary):
                with scoped_transaction(conn, scope):
                    release(conn, claimed[index:])
                summary.deferred += len(claimed) - index
                return False
            outcome = _send(settings, item)
            _record(conn, scope, item, outcome, at, summary)
        if len(claimed) < CLAIM_BATCH:
            break
    if _out_of_time(deadline, summary):
        return False
    with scoped_transaction(conn, scope):
        held = claim(conn, now=at, digest=True, limit=10_000, lease=LEASE)
    by_user: dict[tuple[UUID, UUID | None], list[Claimed]] = defaultdict(list)
    for item in held:
        by_user[(item.tenant_id, item.user_id)].append(item)
    for items in by_user.values():
        outcome = _send_digest(settings, items)
        for item in items:
            _record(conn, scope, item, outcome, at, summary)
    return True


def _record(
    conn: Conn,
    scope: Scope,
    item: Claimed,
    outcome: Outcome,
    at: datetime | None,
    summary: Summary,
) -> None:
    next_at = None
    if outcome.status == "retry":
        next_at = next_attempt(item.attempt, at or datetime.now(UTC))
        if next_at is None:
            outcome = Outcome(
                "failed",
                outcome.latency_ms,
                outcome.status_code,
                outcome.error,
                outcome.response_excerpt,
            )
    with scoped_transaction(conn, scope):
        record(conn, item, outcome, next_at)
    summary.count(outcome.status)


def _item(item: Claimed) -> mail.Item:
    return mail.Item(item.title or item.event, item.body or "", item.link)


def _send(settings: Settings, item: Claimed) -> Outcome:
    if item.channel == "email":
        if not item.email or not item.active:
            return Outcome("skipped", 0, error="the recipient's account is disabled")
        return _mail(settings, mail.notification_message(settings, item.email, _item(item)))
    if not item.endpoint_enabled:
        return Outcome("skipped", 0, error="the endpoint is disabled")
    return _webhook(settings, item)


def _send_digest(settings: Settings, items: Sequence[Claimed]) -> Outcome:
    first = items[0]
    if not first.email or not first.active:
        return Outcome("skipped", 0, error="the recipient's account is disabled")
    return _mail(settings, mail.digest_message(settings, first.email, [_item(i) for i in items]))


def _mail(settings: Settings, message: EmailMessage) -> Outcome:
    started = datetime.now(UTC)
    try:
        mail.send(settings, message)
    except mail.MailDisabled as exc:
        return Outcome("skipped", 0, error=str(exc))
    except (smtplib.SMTPException, OSError) as exc:
        # The exception's class and SMTP code only: its text may echo the message.
        code = getattr(exc, "smtp_code", None)
        return Outcome("retry", _since(started), code, f"SMTP: {type(exc).__name__}")
    return Outcome("sent", _since(started))


def _since(started: datetime) -> int:
    return max(0, round((datetime.now(UTC) - started).total_seconds() * 1000))


def _webhook_data(settings: Settings, item: Claimed) -> dict[str, object]:
    if item.notification_id is None:
        return {"message": "A test event from Draxis.", "endpoint_id": str(item.endpoint_id)}
    link = settings.public_url.rstrip("/") + item.link if item.link else None
    subject = {"kind": item.subject_kind, "id": str(item.subject_id)} if item.subject_kind else None
    return {
        "notification_id": str(item.notification_id),
        "tenant_id": str(item.tenant_id),
        "user_id": str(item.user_id),
        "title": item.title,
        "body": item.body,
        "link": link,
        "subject": subject,
    }


def _webhook(settings: Settings, item: Claimed) -> Outcome:
    assert item.url is not None
    assert item.secret_sealed is not None
    assert item.endpoint_id is not None
    secret = webhook.open_secret(settings, item.tenant_id, item.endpoint_id, item.secret_sealed)
    body = webhook.payload(item.event, item.created_at, _webhook_data(settings, item))
    headers = webhook.signed_headers(secret, f"msg_{item.id.hex}", body, datetime.now(UTC))
    try:
        response = webhook.post(settings, item.url, body, headers)
    except DestinationRefused as exc:
        return Outcome("failed", 0, error=str(exc))
    if response.ok:
        return Outcome(
            "sent", response.latency_ms, response.status_code, response_excerpt=response.excerpt
        )
    return Outcome(
        "retry", response.latency_ms, response.status_code, response.error, response.excerpt
    )
