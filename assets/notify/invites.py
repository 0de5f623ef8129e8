"""Invite e-mails from the outbox `platform.invite_email` (the accept link sealed until sent).

Claimed with a lease in one transaction (platform scope, committed), the link unsealed in
memory, sent, and then wiped in the outcome's transaction whether the e-mail went out or was
given up; an invite revoked, accepted or expired meanwhile is skipped and its link wiped.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from assets.notify import mail
from assets.notify.backoff import next_attempt
from assets.notify.outbox import Conn
from draxis.db.scope import Scope, scoped_transaction
from draxis.security.crypto import SealError, unseal
from draxis.settings import Settings

LEASE = timedelta(minutes=5)

_CLAIM = """
with due as (
    select invite_id from platform.invite_email
    where status = 'pending' and next_attempt_at <= coalesce(%(now)s::timestamptz, now())
      and (lease_until is null or lease_until < coalesce(%(now)s::timestamptz, now()))
    order by next_attempt_at limit %(limit)s
    for update skip locked
)
update platform.invite_email e
set lease_until = coalesce(%(now)s::timestamptz, now()) + %(lease)s, attempts = e.attempts + 1
from due where e.invite_id = due.invite_id
returning e.invite_id, e.attempts, e.link_sealed
"""
_INVITE = (
    "select i.email, i.role, t.name,"
    " i.accepted_at is null and i.revoked_at is null and i.expires_at > now(), i.expires_at"
    " from platform.invites i left join platform.tenants t on t.id = i.tenant_id"
    " where i.id = %s"
)


def invite_message(
    settings: Settings, to: str, role: str, where: str | None, link: str, expires: datetime
) -> EmailMessage:
    subject = f"You are invited to join {where or 'Draxis'}"
    about = (
        f"You have been invited to Draxis as {role.replace('_', ' ')}. The link works once,"
        f" until {expires.astimezone(UTC):%Y-%m-%d %H:%M} UTC."
    )
    ignore = "If you did not expect this invitation, ignore this e-mail."
    return mail.compose(
        settings,
        to,
        subject,
        f"{subject}\n\n{about}\n\nAccept the invite: {link}\n\n{ignore}\n",
        f"<h2>{html.escape(subject)}</h2><p>{html.escape(about)}</p>"
        f'<p><a href="{html.escape(link, quote=True)}">Accept the invite</a></p>'
        f"<p>{html.escape(ignore)}</p>",
    )


def deliver_invites(conn: Conn, settings: Settings, now: datetime | None, limit: int = 50) -> int:
    """Send the invite e-mails due; how many went out."""
    sent = 0
    with scoped_transaction(conn, Scope.platform()):
        claimed = conn.execute(_CLAIM, {"now": now, "limit": limit, "lease": LEASE}).fetchall()
        details = {row[0]: conn.execute(_INVITE, (row[0],)).fetchone() for row in claimed}
    for invite_id, attempt, sealed in claimed:
        outcome = _send(settings, invite_id, sealed, details.get(invite_id))
        status, error = outcome
        next_at = None
        if status == "retry":
            next_at = next_attempt(int(attempt), now or datetime.now(UTC))
            status = "pending" if next_at else "failed"
        sent += status == "sent"
        with scoped_transaction(conn, Scope.platform()):
            conn.execute(
                "update platform.invite_email set status = %s, lease_until = null,"
                " last_error = %s, next_attempt_at = coalesce(%s, next_attempt_at),"
                " sent_at = case when %s = 'sent' then now() end,"
                " link_sealed = case when %s = 'pending' then link_sealed end"
                " where invite_id = %s",
                (status, error, next_at, status, status, invite_id),
            )
    return sent


def _send(
    settings: Settings, invite_id: Any, sealed: bytes | None, invite: tuple[Any, ...] | None
) -> tuple[str, str | None]:
    if invite is None or not invite[3] or sealed is None:
        return "skipped", "the invite was accepted, revoked or has expired"
    try:
        link = unseal(settings, bytes(sealed), f"invite_email:{invite_id}").decode()
    except SealError:
        return "failed", "the sealed link does not open with this data key"
    try:
        mail.send(
            settings, invite_message(settings, invite[0], invite[1], invite[2], link, invite[4])
        )
    except mail.MailDisabled as exc:
        return "skipped", str(exc)
    except Exception as exc:
        return "retry", f"SMTP: {type(exc).__name__}"
    return "sent", None
