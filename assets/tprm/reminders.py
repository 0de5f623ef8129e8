"""The daily TPRM pass: reminders of open assessments, expired links, reassessments due.

For each batch of tenants (`Scope.tenants`, as `draxis_pipeline`), one transaction, idempotent:

1. **Expired links.** An open assessment (sent or in progress) past `token_expires_at` keeps its
   status (the schema has no `expired` one; the respondent policy already refuses the token)
   and loses its sealed link, so no e-mail can carry it any more.
2. **Reminders.** An open assessment due within the tenant's `reminder_days` (7 unless the
   policy says otherwise) gets one reminder e-mail queued to its recipient and one
   `assessment.due` notification to its sender; and again one day before it is due (or on the
   day, if that pass was missed). `reminder_day` is the rule; the outbox's dedupe key
   `reminder:<due date>:<days>` and the notification's dedupe key make a re-run add nothing.
   An assessment sent after a reminder's window opened gets no such reminder (its invitation
   said the date), and one whose link is gone gets no e-mail, only the notification.
3. **Reassessments due.** A vendor whose next assessment is due today or was due before
   (`draxis.tprm.cadence`: the tenant's months per tier after its last completed assessment,
   or 30 days after it was added when never assessed), and that has no assessment under way,
   gives its owner (else the tenant's admins) one `vendor.reassessment_due` notification per
   due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from assets.tenants import Conn
from draxis.notifications import notify
from draxis.tprm.cadence import Cadence, next_due

DEFAULT_REMINDER_DAYS = 7
VENDOR_LINK = "/vendors/{vendor_id}"
REVIEW_LINK = "/assessments/{assessment_id}"


def reminder_day(due: date, sent_on: date, today: date, lead: int) -> int | None:
    """Which reminder falls on `today`: `lead` (the first, once within `lead` days of the due
    date), 1 (the day before, or the day itself), or None."""
    left = (due - today).days
    if left < 0:
        return None
    if left <= 1:
        return 1 if sent_on < due - timedelta(days=1) else None
    if left <= lead and sent_on < due - timedelta(days=lead):
        return lead
    return None


@dataclass(frozen=True, slots=True)
class Summary:
    links_expired: int = 0
    reminders_queued: int = 0
    due_notices: int = 0
    reassessment_notices: int = 0

    def __add__(self, other: Summary) -> Summary:
        return Summary(
            self.links_expired + other.links_expired,
            self.reminders_queued + other.reminders_queued,
            self.due_notices + other.due_notices,
            self.reassessment_notices + other.reassessment_notices,
        )


def expire_links(conn: Conn, now: datetime | None) -> int:
    return conn.execute(
        "update tenant.assessment set link_sealed = null where status in ('sent', 'in_progress')"
        " and link_sealed is not null and token_expires_at <= coalesce(%s::timestamptz, now())",
        (now,),
    ).rowcount


def _active(conn: Conn, tenant_id: UUID, user_ids: list[UUID | None]) -> list[UUID]:
    rows = conn.execute(
        "select id from platform.users where tenant_id = %s and is_active and id = any(%s)"
        " order by id",
        (tenant_id, [u for u in user_ids if u is not None]),
    ).fetchall()
    return [UUID(str(r[0])) for r in rows]


def _admins(conn: Conn, tenant_id: UUID) -> list[UUID]:
    rows = conn.execute(
        "select id from platform.users where tenant_id = %s and is_active"
        " and role = 'tenant_admin' order by id",
        (tenant_id,),
    ).fetchall()
    return [UUID(str(r[0])) for r in rows]


def remind(conn: Conn, today: date) -> tuple[int, int]:
    """Queue the reminders falling on `today`; (e-mails queued, notifications written)."""
    rows = conn.execute(
        "select a.tenant_id, a.id, a.vendor_id, a.vendor_name, a.due_date,"
        " (a.sent_at at time zone 'UTC')::date, a.sent_by, a.link_sealed is not null,"
        " coalesce(p.reminder_days, %s) from tenant.assessment a"
        " left join tenant.tprm_policy p on p.tenant_id = a.tenant_id"
        " where a.status in ('sent', 'in_progress') and a.due_date between %s and %s + 60"
        " order by a.tenant_id, a.due_date, a.id",
        (DEFAULT_REMINDER_DAYS, today, today),
    ).fetchall()
    queued = notices = 0
    for tenant_id, assessment_id, vendor_id, vendor, due, sent_on, sender, linked, lead in rows:
        days = reminder_day(due, sent_on, today, int(lead))
        if days is None:
            continue
        if linked:
            queued += conn.execute(
                "insert into tenant.assessment_email (tenant_id, assessment_id, kind, dedupe_key)"
                " values (%s, %s, 'reminder', %s) on conflict do nothing",
                (tenant_id, assessment_id, f"reminder:{due.isoformat()}:{days}"),
            ).rowcount
        left = (due - today).days
        when = "today" if left == 0 else "tomorrow" if left == 1 else f"in {left} days"
        notices += notify(
            conn,
            tenant_id=tenant_id,
            user_ids=_active(conn, tenant_id, [sender]),
            event="assessment.due",
            title=f"Assessment due {when}: {vendor}",
            body=f"The assessment you sent to {vendor} is due on {due.isoformat()} and has not"
            " been submitted yet."
            + (" The vendor was sent a reminder." if linked else " Its link has expired."),
            link=REVIEW_LINK.format(assessment_id=assessment_id),
            subject_kind="vendor",
            subject_id=vendor_id,
            dedupe_key=f"assessment.due:{assessment_id}:{due.isoformat()}:{days}",
        )
    return queued, notices


def reassessments(conn: Conn, today: date) -> int:
    """Notify the owners of vendors whose reassessment is due or overdue on `today`."""
    rows = conn.execute(
        "select v.tenant_id, v.id, v.name, v.tier, (v.created_at at time zone 'UTC')::date,"
        " v.owner_user_id, coalesce(p.tier1_months, 12), coalesce(p.tier2_months, 24),"
        " coalesce(p.tier3_months, 36),"
        " (select max(a.completed_at at time zone 'UTC')::date from tenant.assessment a"
        "  where a.tenant_id = v.tenant_id and a.vendor_id = v.id and a.status = 'completed')"
        " from tenant.vendor v left join tenant.tprm_policy p on p.tenant_id = v.tenant_id"
        " where not exists (select 1 from tenant.assessment a where a.tenant_id = v.tenant_id"
        "   and a.vendor_id = v.id and a.status in ('sent', 'in_progress', 'submitted'))"
        " order by v.tenant_id, v.id"
    ).fetchall()
    written = 0
    for tenant_id, vendor_id, name, tier, onboarded, owner, m1, m2, m3, last in rows:
        due = next_due(int(tier), Cadence(m1, m2, m3), last, onboarded)
        if today < due:
            continue
        people = _active(conn, tenant_id, [owner]) or _admins(conn, tenant_id)
        overdue = "is due today" if today == due else f"was due on {due.isoformat()}"
        why = (
            f"its last assessment was completed on {last.isoformat()}"
            if last
            else "it has never been assessed"
        )
        written += notify(
            conn,
            tenant_id=tenant_id,
            user_ids=people,
            event="vendor.reassessment_due",
            title=f"Reassessment due: {name}",
            body=f"The tier {tier} vendor {name}'s reassessment {overdue} ({why}). Send it an"
            " assessment.",
            link=VENDOR_LINK.format(vendor_id=vendor_id),
            subject_kind="vendor",
            subject_id=vendor_id,
            dedupe_key=f"vendor.reassessment_due:{vendor_id}:{due.isoformat()}",
        )
    return written


def daily_pass(conn: Conn, today: date, now: datetime | None = None) -> Summary:
    """All three, for every tenant in the transaction's scope."""
    expired = expire_links(conn, now)
    queued, notices = remind(conn, today)
    return Summary(expired, queued, notices, reassessments(conn, today))
