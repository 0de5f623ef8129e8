"""Vendor e-mails from the outbox `tenant.assessment_email`: invitations and reminders.

Run by the delivery worker (`assets.notify.worker`) for each batch of tenants, like the invite
e-mails: due rows are claimed with a lease in a transaction that commits before anything is
sent; the assessment's link is unsealed in memory (`draxis.security.crypto`, context
`draxis.tprm.links.link_context`), the e-mail goes out over SMTP (`assets.notify.mail`) with no
transaction open, and its outcome is recorded in a new transaction: sent, tried again later
(`assets.notify.backoff`), failed, or skipped when the assessment is no longer open or its link
is gone (cancelled, submitted, expired). Nothing here logs the link, an address or a body.
"""

from __future__ import annotations

import html
import smtplib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from uuid import UUID

from assets.notify import mail
from assets.notify.backoff import next_attempt
from assets.tenants import Conn
from draxis.db.scope import Scope, scoped_transaction
from draxis.security.crypto import SealError, unseal
from draxis.settings import Settings
from draxis.tprm.links import link_context

LEASE = timedelta(minutes=5)
SKIPPED = "the assessment is no longer open, its link is gone, or a resend replaced this invitation"
CLAIM_BATCH = 50

_CLAIM = """
with due as (
    select tenant_id, id from tenant.assessment_email
    where status = 'pending' and next_attempt_at <= coalesce(%(now)s::timestamptz, now())
      and (lease_until is null or lease_until < coalesce(%(now)s::timestamptz, now()))
    order by next_attempt_at, id limit %(limit)s
    for update skip locked
)
update tenant.assessment_email e
set lease_until = coalesce(%(now)s::timestamptz, now()) + %(lease)s, attempts = e.attempts + 1
from due where e.tenant_id = due.tenant_id and e.id = due.id
returning e.tenant_id, e.id, e.assessment_id, e.kind, e.attempts
"""
_DETAILS = """
select a.id, a.status in ('sent', 'in_progress') and a.link_sealed is not null
             and a.token_expires_at > coalesce(%(now)s::timestamptz, now())
             -- a resend queued a newer invitation: this one would only repeat its link
             and not exists (select 1 from tenant.assessment_email e, tenant.assessment_email n
                             where e.tenant_id = a.tenant_id and e.id = %(email)s
                               and e.kind = 'invitation' and n.tenant_id = a.tenant_id
                               and n.assessment_id = a.id and n.kind = 'invitation'
                               and n.created_at > e.created_at),
       a.link_sealed, a.recipient_email, a.recipient_name, a.vendor_name, a.requester_name,
       a.message, a.due_date, a.token_expires_at,
       (coalesce(%(now)s::timestamptz, now()) at time zone 'UTC')::date
from tenant.assessment a where a.tenant_id = %(tenant)s and a.id = %(id)s
"""


@dataclass(frozen=True, slots=True)
class Details:
    open: bool
    sealed: bytes | None
    to: str
    recipient: str
    vendor: str
    requester: str
    message: str
    due: date
    expires: datetime
    today: date


@dataclass(frozen=True, slots=True)
class Claimed:
    tenant_id: UUID
    id: UUID
    assessment_id: UUID
    kind: str
    attempt: int
    details: Details | None


def _details(row: Sequence[Any] | None) -> Details | None:
    if row is None:
        return None
    sealed = bytes(row[2]) if row[2] is not None else None
    return Details(bool(row[1]), sealed, *row[3:])


def claim(conn: Conn, now: datetime | None, limit: int) -> list[Claimed]:
    rows = conn.execute(_CLAIM, {"now": now, "limit": limit, "lease": LEASE}).fetchall()
    claimed = []
    for tenant_id, email_id, assessment_id, kind, attempt in rows:
        found = conn.execute(
            _DETAILS, {"now": now, "tenant": tenant_id, "id": assessment_id, "email": email_id}
        ).fetchone()
        claimed.append(
            Claimed(tenant_id, email_id, assessment_id, kind, int(attempt), _details(found))
        )
    return claimed


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def invitation_message(settings: Settings, d: Details, link: str) -> EmailMessage:
    subject = f"{d.requester} asks {d.vendor} to complete a security assessment"
    hello = f"Hello {d.recipient}," if d.recipient else "Hello,"
    ask = (
        f"{d.requester} asks {d.vendor} to complete a security assessment questionnaire by"
        f" {_day(d.due)}."
    )
    note = (
        f"The link is personal: anyone who has it can answer for {d.vendor}. It works until"
        f" {d.expires.astimezone(UTC):%Y-%m-%d %H:%M} UTC, and until the answers are submitted."
    )
    said = f"Their message:\n{d.message}\n\n" if d.message else ""
    return mail.compose(
        settings,
        d.to,
        subject,
        f"{hello}\n\n{ask}\n\n{said}Open the questionnaire: {link}\n\n{note}\n",
        f"<p>{html.escape(hello)}</p><p>{html.escape(ask)}</p>"
        + (
            f"<p>Their message:</p><blockquote>{html.escape(d.message)}</blockquote>"
            if said
            else ""
        )
        + f'<p><a href="{html.escape(link, quote=True)}">Open the questionnaire</a></p>'
        f"<p>{html.escape(note)}</p>",
    )


def reminder_message(settings: Settings, d: Details, link: str) -> EmailMessage:
    left = (d.due - d.today).days
    when = "today" if left <= 0 else "tomorrow" if left == 1 else f"in {left} days"
    subject = f"Reminder: the security assessment for {d.requester} is due {when}"
    body = (
        f"The security assessment {d.requester} sent to {d.vendor} is due on {_day(d.due)}"
        f" ({when}) and has not been submitted yet. Your answers so far are saved."
    )
    return mail.compose(
        settings,
        d.to,
        subject,
        f"{body}\n\nContinue the questionnaire: {link}\n",
        f"<p>{html.escape(body)}</p>"
        f'<p><a href="{html.escape(link, quote=True)}">Continue the questionnaire</a></p>',
    )


def send_one(settings: Settings, item: Claimed) -> tuple[str, str | None]:
    """(status, error): sent, retry, failed or skipped."""
    d = item.details
    if d is None or not d.open or d.sealed is None:
        return "skipped", SKIPPED
    try:
        link = unseal(settings, d.sealed, link_context(item.assessment_id)).decode()
    except SealError:
        return "failed", "the sealed link does not open with this data key"
    build = invitation_message if item.kind == "invitation" else reminder_message
    try:
        mail.send(settings, build(settings, d, link))
    except mail.MailDisabled as exc:
        return "skipped", str(exc)
    except (smtplib.SMTPException, OSError) as exc:
        return "retry", f"SMTP: {type(exc).__name__}"
    return "sent", None


def record(
    conn: Conn, item: Claimed, status: str, error: str | None, next_at: datetime | None
) -> None:
    conn.execute(
        "update tenant.assessment_email set status = %s, lease_until = null, last_error = %s,"
        " next_attempt_at = coalesce(%s, next_attempt_at),"
        " sent_at = case when %s = 'sent' then now() end where tenant_id = %s and id = %s",
        (status, error, next_at, status, item.tenant_id, item.id),
    )


def release(conn: Conn, items: Sequence[Claimed]) -> None:
    """Give back claims not attempted (the pass ran out of time): due again at once."""
    for item in items:
        conn.execute(
            "update tenant.assessment_email set lease_until = null, attempts = attempts - 1"
            " where tenant_id = %s and id = %s",
            (item.tenant_id, item.id),
        )


Count = Callable[[str], None]


def deliver_vendor_emails(
    conn: Conn,
    settings: Settings,
    scope: Scope,
    now: datetime | None,
    count: Count,
    deadline: float | None = None,
) -> bool:
    """Send the batch's due vendor e-mails; False when the pass ran out of time (the rest is
    released for the next pass and counted `deferred`)."""
    while True:
        with scoped_transaction(conn, scope):
            claimed = claim(conn, now, CLAIM_BATCH)
        for index, item in enumerate(claimed):
            if deadline is not None and time.monotonic() >= deadline:
                with scoped_transaction(conn, scope):
                    release(conn, claimed[index:])
                for _ in claimed[index:]:
                    count("deferred")
                return False
            status, error = send_one(settings, item)
            next_at = None
            if status == "retry":
                next_at = next_attempt(item.attempt, now or datetime.now(UTC))
                status = "pending" if next_at else "failed"
            with scoped_transaction(conn, scope):
                record(conn, item, status, error, next_at)
            count("retry" if status == "pending" else status)
        if len(claimed) < CLAIM_BATCH:
            return True
