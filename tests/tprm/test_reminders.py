"""The daily TPRM pass with fixed dates, as `draxis_pipeline` in a tenant batch: each reminder
rule at its boundaries, the tenant's reminder lead time, expired links, reassessments due."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import pytest

from assets.tprm.reminders import Summary, daily_pass, reminder_day
from draxis.db.scope import Scope, scoped_transaction
from tests.factories import Conn, TenantFixture
from tests.identity import create_user
from tests.tprm import kit

DUE = date(2027, 1, 20)
SENT = datetime(2027, 1, 1, 9, 0)


@pytest.mark.parametrize(
    ("today", "sent_on", "lead", "expected"),
    [
        (date(2027, 1, 12), date(2027, 1, 1), 7, None),  # 8 days left: not yet
        (date(2027, 1, 13), date(2027, 1, 1), 7, 7),  # 7 days left: the first reminder
        (date(2027, 1, 18), date(2027, 1, 1), 7, 7),  # still in its window (dedupe: once)
        (date(2027, 1, 19), date(2027, 1, 1), 7, 1),  # the day before
        (date(2027, 1, 20), date(2027, 1, 1), 7, 1),  # the day itself, if that was missed
        (date(2027, 1, 21), date(2027, 1, 1), 7, None),  # overdue: no reminder
        (date(2027, 1, 13), date(2027, 1, 13), 7, None),  # sent as the window opened
        (date(2027, 1, 14), date(2027, 1, 12), 7, 7),  # sent the day before it opened
        (date(2027, 1, 19), date(2027, 1, 19), 7, None),  # sent the day before it is due
        (date(2027, 1, 17), date(2027, 1, 1), 3, 3),  # a tenant's shorter lead time
        (date(2027, 1, 16), date(2027, 1, 1), 3, None),
        (date(2027, 1, 19), date(2027, 1, 1), 1, 1),  # lead 1: one reminder only
    ],
)
def test_reminder_day_boundaries(
    today: date, sent_on: date, lead: int, expected: int | None
) -> None:
    assert reminder_day(DUE, sent_on, today, lead) == expected


def _open(conn: Conn, tenant: TenantFixture, *, expired: bool = False) -> tuple[kit.Sent, UUID]:
    sender = create_user(conn, "tenant_admin", tenant=tenant).id
    sent = kit.send(conn, tenant, due=DUE)
    with scoped_transaction(conn, tenant.scope):
        conn.execute(
            "update tenant.assessment set sent_at = %s, sent_by = %s, link_sealed = '\\x01',"
            " token_expires_at = case when %s then now() - interval '1 minute'"
            " else token_expires_at end where id = %s",
            (SENT, sender, expired, sent.assessment_id),
        )
    return sent, sender


def _pass(conn: Conn, tenant: TenantFixture, today: date) -> Summary:
    with scoped_transaction(conn, Scope.tenants([tenant.id])):
        return daily_pass(conn, today)


def _emails(observer: Conn, assessment_id: UUID) -> list[tuple[Any, ...]]:
    return observer.execute(
        "select kind, dedupe_key, status from tenant.assessment_email where assessment_id = %s"
        " order by created_at",
        (assessment_id,),
    ).fetchall()


def _notices(observer: Conn, tenant: TenantFixture, event: str) -> list[tuple[Any, ...]]:
    return observer.execute(
        "select user_id, dedupe_key, title from tenant.notification where tenant_id = %s"
        " and event = %s order by created_at, dedupe_key",
        (tenant.id, event),
    ).fetchall()


def test_reminders_are_queued_once_per_rule(
    pipeline_conn: Conn, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    sent, sender = _open(app_conn, tenant_a)
    assert _pass(pipeline_conn, tenant_a, date(2027, 1, 12)).reminders_queued == 0
    first = _pass(pipeline_conn, tenant_a, date(2027, 1, 13))
    assert (first.reminders_queued, first.due_notices) == (1, 1)
    again = _pass(pipeline_conn, tenant_a, date(2027, 1, 13))
    assert (again.reminders_queued, again.due_notices) == (0, 0)
    assert _pass(pipeline_conn, tenant_a, date(2027, 1, 16)).reminders_queued == 0
    assert _pass(pipeline_conn, tenant_a, date(2027, 1, 19)).reminders_queued == 1
    assert _pass(pipeline_conn, tenant_a, date(2027, 1, 20)).reminders_queued == 0
    assert _emails(observer_conn, sent.assessment_id) == [
        ("reminder", "reminder:2027-01-20:7", "pending"),
        ("reminder", "reminder:2027-01-20:1", "pending"),
    ]
    notices = _notices(observer_conn, tenant_a, "assessment.due")
    assert [(u, k) for u, k, _ in notices] == [
        (sender, f"assessment.due:{sent.assessment_id}:2027-01-20:7"),
        (sender, f"assessment.due:{sent.assessment_id}:2027-01-20:1"),
    ]
    assert notices[1][2] == "Assessment due tomorrow: Acme"


def test_the_tenants_lead_time_is_used(
    pipeline_conn: Conn, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute(
            "insert into tenant.tprm_policy (tenant_id, reminder_days) values (%s, 3)",
            (tenant_a.id,),
        )
    sent, _ = _open(app_conn, tenant_a)
    assert _pass(pipeline_conn, tenant_a, date(2027, 1, 13)).reminders_queued == 0
    assert _pass(pipeline_conn, tenant_a, date(2027, 1, 17)).reminders_queued == 1
    assert _emails(observer_conn, sent.assessment_id) == [
        ("reminder", "reminder:2027-01-20:3", "pending")
    ]


def test_an_expired_link_is_wiped_and_not_reminded(
    pipeline_conn: Conn, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    sent, _ = _open(app_conn, tenant_a, expired=True)
    summary = _pass(pipeline_conn, tenant_a, date(2027, 1, 13))
    assert (summary.links_expired, summary.reminders_queued, summary.due_notices) == (1, 0, 1)
    row = observer_conn.execute(
        "select status, link_sealed from tenant.assessment where id = %s", (sent.assessment_id,)
    ).fetchone()
    assert row == ("sent", None)  # still open, but its link is gone
    assert _emails(observer_conn, sent.assessment_id) == []
    assert _pass(pipeline_conn, tenant_a, date(2027, 1, 13)).links_expired == 0


def _vendor(conn: Conn, tenant: TenantFixture, added: str, owner: UUID | None) -> UUID:
    vendor_id = kit.vendor(conn, tenant, tier=1)
    with scoped_transaction(conn, tenant.scope):
        conn.execute(
            "update tenant.vendor set created_at = %s, owner_user_id = %s where id = %s",
            (added, owner, vendor_id),
        )
    return vendor_id


def _completed(conn: Conn, tenant: TenantFixture, vendor_id: UUID, on: str) -> None:
    sent = kit.send(conn, tenant, vendor_id=vendor_id)
    with scoped_transaction(conn, tenant.scope):
        conn.execute(
            "update tenant.assessment set status = 'completed', submitted_at = %s,"
            " completed_at = %s where id = %s",
            (on, on, sent.assessment_id),
        )


def test_reassessments_due_tell_the_owner_once_per_due_date(
    pipeline_conn: Conn, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    owner = create_user(app_conn, "tenant_user", tenant=tenant_a).id
    assessed = _vendor(app_conn, tenant_a, "2025-01-01 12:00Z", owner)
    _completed(app_conn, tenant_a, assessed, "2026-01-10 12:00Z")  # tier 1: due 2027-01-10
    never = _vendor(app_conn, tenant_a, "2026-12-01 12:00Z", None)  # due 30 days after: 12-31
    busy = _vendor(app_conn, tenant_a, "2020-01-01 12:00Z", owner)
    kit.send(app_conn, tenant_a, vendor_id=busy)  # under way: not due

    assert _pass(pipeline_conn, tenant_a, date(2026, 12, 30)).reassessment_notices == 0
    assert _pass(pipeline_conn, tenant_a, date(2026, 12, 31)).reassessment_notices >= 1
    admins = observer_conn.execute(
        "select id from platform.users where tenant_id = %s and role = 'tenant_admin'",
        (tenant_a.id,),
    ).fetchall()
    notices = _notices(observer_conn, tenant_a, "vendor.reassessment_due")
    keys = {(u, k) for u, k, _ in notices}
    assert keys == {(a[0], f"vendor.reassessment_due:{never}:2026-12-31") for a in admins}
    assert _pass(pipeline_conn, tenant_a, date(2027, 1, 9)).reassessment_notices == 0
    assert _pass(pipeline_conn, tenant_a, date(2027, 1, 10)).reassessment_notices == 1
    assert _pass(pipeline_conn, tenant_a, date(2027, 3, 1)).reassessment_notices == 0
    notices = _notices(observer_conn, tenant_a, "vendor.reassessment_due")
    assert (owner, f"vendor.reassessment_due:{assessed}:2027-01-10") in {
        (u, k) for u, k, _ in notices
    }
    assert all(str(busy) not in k for _, k, _ in notices)


def test_the_pass_stays_inside_its_batch(
    pipeline_conn: Conn, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:  # fmt: skip
    sent, _ = _open(app_conn, tenant_a)
    assert _pass(pipeline_conn, tenant_b, date(2027, 1, 13)).reminders_queued == 0
    assert _emails(observer_conn, sent.assessment_id) == []
