"""Telling the sender that a vendor submitted: one `assessment.submitted` notification per
assessment, written by the evaluation sensor's tick for every tenant in the batch.

Set-based and idempotent (the dedupe key names the assessment); a submission older than
`WINDOW` is not announced any more (a sensor stopped for a week does not flood inboxes).
"""

from __future__ import annotations

from datetime import timedelta

from assets.tenants import Conn

WINDOW = timedelta(days=2)

_NOTIFY = """
insert into tenant.notification (tenant_id, user_id, event, subject_kind, subject_id, title,
                                 body, link, dedupe_key)
select a.tenant_id, u.id, 'assessment.submitted', 'vendor', a.vendor_id,
       left('Assessment submitted: ' || a.vendor_name, 200),
       format('%%s submitted the assessment you sent on %%s.%%s', a.vendor_name,
              (a.sent_at at time zone 'UTC')::date,
              case when a.evaluation = 'pending'
                   then ' Its text and evidence answers are evaluated next.'
                   else ' It waits for your review.' end),
       '/assessments/' || a.id, 'assessment.submitted:' || a.id
from tenant.assessment a
join platform.users u on u.tenant_id = a.tenant_id and u.id = a.sent_by and u.is_active
where a.status in ('submitted', 'completed') and a.submitted_at > now() - %(window)s
on conflict (tenant_id, user_id, dedupe_key) do nothing
"""


def notify_submissions(conn: Conn) -> int:
    """Notify the senders of recent submissions not yet announced; how many were."""
    return conn.execute(_NOTIFY, {"window": WINDOW}).rowcount
