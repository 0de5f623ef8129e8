"""The delivery outbox (`tenant.notification_delivery`): fill it from notifications, claim due
rows with a lease, record what happened. Every function runs inside the caller's transaction,
scoped to a pipeline batch of tenants; none of them touches the network.

Filling is idempotent: a notification gets one e-mail row (pending, held for the digest, or
skipped when the user turned that event's e-mail off) and one row per matching enabled webhook
endpoint, guarded by the unique index `notification_delivery_once`, so a sensor ticking twice
(or two ticks at once) queues nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow

Conn = psycopg.Connection[TupleRow]
# Notifications older than this are not queued any more (a worker down for a week does not
# flood inboxes when it comes back); their in-app rows stay.
QUEUE_WINDOW = timedelta(days=7)
EMAIL_OFF = "e-mail turned off for this event"

_FILL_EMAIL = """
insert into tenant.notification_delivery
    (tenant_id, notification_id, channel, user_id, event, digest, status, next_attempt_at,
     last_error)
select n.tenant_id, n.id, 'email', n.user_id, n.event, coalesce(p.digest, false),
       case when n.event = any(coalesce(p.email_off, '{}')) then 'skipped' else 'pending' end,
       case when coalesce(p.digest, false) then %(digest_at)s else now() end,
       case when n.event = any(coalesce(p.email_off, '{}')) then %(email_off)s end
from tenant.notification n
left join tenant.notification_preference p
    on p.tenant_id = n.tenant_id and p.user_id = n.user_id
where n.created_at > now() - %(window)s
  and not exists (select 1 from tenant.notification_delivery d
                  where d.tenant_id = n.tenant_id and d.notification_id = n.id
                    and d.channel = 'email')
on conflict do nothing
"""

_FILL_WEBHOOK = """
insert into tenant.notification_delivery
    (tenant_id, notification_id, channel, endpoint_id, user_id, event)
select n.tenant_id, n.id, 'webhook', e.id, n.user_id, n.event
from tenant.notification n
join tenant.webhook_endpoint e
    on e.tenant_id = n.tenant_id and e.enabled and n.created_at >= e.created_at
   and (cardinality(e.events) = 0 or n.event = any(e.events))
where n.created_at > now() - %(window)s
  and not exists (select 1 from tenant.notification_delivery d
                  where d.tenant_id = n.tenant_id and d.notification_id = n.id
                    and d.endpoint_id = e.id)
on conflict do nothing
"""


def fill(conn: Conn, digest_at: datetime) -> int:
    """Queue the deliveries of new notifications; how many rows were added."""
    params = {"digest_at": digest_at, "email_off": EMAIL_OFF, "window": QUEUE_WINDOW}
    added = conn.execute(_FILL_EMAIL, params).rowcount
    return added + conn.execute(_FILL_WEBHOOK, {"window": QUEUE_WINDOW}).rowcount


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery this worker holds the lease of, with what it needs to send it."""

    id: UUID
    tenant_id: UUID
    channel: str
    attempt: int
    event: str
    notification_id: UUID | None
    endpoint_id: UUID | None
    user_id: UUID | None
    # the notification (None for a test event)
    title: str | None
    body: str | None
    link: str | None
    subject_kind: str | None
    subject_id: UUID | None
    created_at: datetime
    # the recipient (e-mail) or the endpoint (webhook)
    email: str | None
    display_name: str | None
    active: bool
    url: str | None
    endpoint_enabled: bool
    secret_sealed: bytes | None


_CLAIM = """
with due as (
    select tenant_id, id from tenant.notification_delivery
    where status = 'pending' and next_attempt_at <= coalesce(%(now)s::timestamptz, now())
      and digest = %(digest)s
      and (lease_until is null or lease_until < coalesce(%(now)s::timestamptz, now()))
    order by next_attempt_at
    limit %(limit)s
    for update skip locked
)
update tenant.notification_delivery d
set lease_until = coalesce(%(now)s::timestamptz, now()) + %(lease)s, attempts = d.attempts + 1
from due where d.tenant_id = due.tenant_id and d.id = due.id
returning d.id
"""

_DETAILS = """
select d.id, d.tenant_id, d.channel, d.attempts, d.event, d.notification_id, d.endpoint_id,
       d.user_id, n.title, n.body, n.link, n.subject_kind, n.subject_id,
       coalesce(n.created_at, d.created_at), u.email, u.display_name, coalesce(u.is_active, true),
       e.url, coalesce(e.enabled, false), e.secret_sealed
from tenant.notification_delivery d
left join tenant.notification n on n.tenant_id = d.tenant_id and n.id = d.notification_id
left join platform.users u on u.tenant_id = d.tenant_id and u.id = d.user_id
left join tenant.webhook_endpoint e on e.tenant_id = d.tenant_id and e.id = d.endpoint_id
where d.id = any(%s)
order by d.next_attempt_at, d.id
"""


def claim(
    conn: Conn, *, now: datetime | None, digest: bool, limit: int, lease: timedelta
) -> list[Claimed]:
    """Take the lease of up to `limit` deliveries due at `now` (None: the database's clock),
    digest ones or the others.
    Commit the transaction before sending: the lease, not a lock, keeps other workers off."""
    params = {"now": now, "digest": digest, "limit": limit, "lease": lease}
    ids = [row[0] for row in conn.execute(_CLAIM, params).fetchall()]
    if not ids:
        return []
    return [_claimed(row) for row in conn.execute(_DETAILS, (ids,)).fetchall()]


def release(conn: Conn, items: Sequence[Claimed]) -> None:
    """Give back the leases of claimed deliveries that were not attempted (a pass out of time):
    due again at once for the next pass, their attempt not counted."""
    for tenant_id in {item.tenant_id for item in items}:
        conn.execute(
            "update tenant.notification_delivery set lease_until = null,"
            " attempts = attempts - 1 where tenant_id = %s and id = any(%s)",
            (tenant_id, [item.id for item in items if item.tenant_id == tenant_id]),
        )


def _claimed(row: tuple[Any, ...]) -> Claimed:
    names = Claimed.__slots__
    values = dict(zip(names, row, strict=True))
    values["secret_sealed"] = bytes(row[19]) if row[19] is not None else None
    return Claimed(**values)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt of one delivery came to."""

    status: str  # 'sent', 'retry', 'failed' or 'skipped'
    latency_ms: int
    status_code: int | None = None
    error: str | None = None
    response_excerpt: str | None = None


def record(conn: Conn, claimed: Claimed, outcome: Outcome, next_at: datetime | None) -> None:
    """Write the attempt to the delivery log and the delivery's new state, lease released.
    `next_at` is when a 'retry' is tried again."""
    final = {"retry": "pending"}.get(outcome.status, outcome.status)
    error = outcome.error[:500] if outcome.error else None
    conn.execute(
        "update tenant.notification_delivery set status = %s, next_attempt_at = coalesce(%s,"
        " next_attempt_at), lease_until = null, last_status_code = %s, last_error = %s,"
        " sent_at = case when %s = 'sent' then now() end where tenant_id = %s and id = %s",
        (
            final,
            next_at,
            outcome.status_code,
            error,
            final,
            claimed.tenant_id,
            claimed.id,
        ),
    )
    conn.execute(
        "insert into tenant.delivery_attempt (tenant_id, delivery_id, endpoint_id, attempt,"
        " status_code, latency_ms, outcome, error, response_excerpt, next_attempt_at)"
        " values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            claimed.tenant_id,
            claimed.id,
            claimed.endpoint_id,
            claimed.attempt,
            outcome.status_code,
            outcome.latency_ms,
            outcome.status,
            error,
            outcome.response_excerpt[:500] if outcome.response_excerpt else None,
            next_at if outcome.status == "retry" else None,
        ),
    )
