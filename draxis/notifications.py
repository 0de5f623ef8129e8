"""Telling users something: the event catalogue and the one helper that inserts notifications.

A notification is one row of `tenant.notification` per user per event (migration 0016): the
in-app notification, and the single source every e-mail, webhook and digest is made from (the
delivery worker, `assets.notify`). Whoever wants to tell users something calls `notify` inside
its own transaction; a repeated call with the same `dedupe_key` (a sensor ticking twice) adds no
second row, so it yields no second e-mail or webhook either.

The catalogue names the events users may choose channels for (`/api/me/notification-preferences`);
an event outside it is still delivered (in-app, e-mail unless turned off, and to webhooks whose
filter is empty), it simply has no description on the preferences page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow

SUBJECT_KINDS = ("kri", "risk", "control", "outcome", "vendor", "task", "workflow_run", "source")


@dataclass(frozen=True, slots=True)
class EventKind:
    name: str
    description: str


EVENT_CATALOGUE: tuple[EventKind, ...] = (
    EventKind("task.assigned", "A task was assigned to you."),
    EventKind("task.commented", "Someone commented on a task you own."),
    EventKind("task.due", "A task you own is due or overdue."),
    EventKind("workflow.task_opened", "A workflow opened a task for you or your role."),
    EventKind("workflow.approval_requested", "A workflow waits for your approval."),
    EventKind("kri.turned_red", "A KRI you own turned red."),
    EventKind("kri.stale", "A KRI you own has no fresh value."),
    EventKind("acceptance.requested", "A risk acceptance waits for your approval."),
    EventKind("acceptance.expiring", "A risk acceptance you own is about to expire."),
    EventKind("acceptance.expired", "A risk acceptance expired and the risk is back in review."),
    EventKind("source.failing", "A data source keeps failing."),
    EventKind("assessment.submitted", "A vendor submitted an assessment you sent."),
    EventKind("assessment.evaluated", "A submitted assessment is scored and waits for review."),
    EventKind("assessment.due", "An assessment you sent is due soon and not yet submitted."),
    EventKind("vendor.reassessment_due", "A vendor you own is due for reassessment."),
    EventKind("vendor.finding_opened", "A vendor you own has a new finding."),
    EventKind("webhook.test", "A test event sent to a webhook endpoint."),
)
EVENT_NAMES = frozenset(e.name for e in EVENT_CATALOGUE)

_INSERT = (
    "insert into tenant.notification (tenant_id, user_id, event, subject_kind, subject_id,"
    " title, body, link, dedupe_key) values (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
    " on conflict do nothing"
)
# No conflict target on purpose: naming the arbiter `(tenant_id, user_id, dedupe_key)` makes
# PostgreSQL check the SELECT policy on the new row, and the app may notify a colleague but never
# read their notifications. The only other unique keys are the generated id, so a bare DO NOTHING
# skips exactly the repeated dedupe key.


def notify(
    conn: psycopg.Connection[TupleRow],
    *,
    tenant_id: UUID,
    user_ids: Iterable[UUID],
    event: str,
    title: str,
    body: str = "",
    link: str | None = None,
    subject_kind: str | None = None,
    subject_id: UUID | None = None,
    dedupe_key: str | None = None,
) -> int:
    """Notify each of `user_ids` (members of `tenant_id`) in the caller's transaction; how many
    rows were written. A user who already has a notification with `dedupe_key` gets none.
    (No `returning`: the app may notify a colleague but never read their notifications.)

    The caller's scope must allow the insert: the tenant's own scope (the app) or a pipeline
    batch holding the tenant. `link` is an in-app path such as `/tasks/<id>`."""
    if (subject_kind is None) != (subject_id is None):
        raise ValueError("subject_kind and subject_id go together")
    if subject_kind is not None and subject_kind not in SUBJECT_KINDS:
        raise ValueError(f"unknown subject kind {subject_kind!r}")
    written = 0
    for user_id in dict.fromkeys(user_ids):
        written += conn.execute(
            _INSERT,
            (
                tenant_id,
                user_id,
                event,
                subject_kind,
                subject_id,
                title[:200],
                body[:4000],
                link,
                dedupe_key,
            ),
        ).rowcount
    return written
