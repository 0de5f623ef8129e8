"""Expiry of risk acceptances, run by the pipeline after each `risk_posture` write.

In the caller's transaction, scoped (as `draxis_pipeline`) to a batch of tenants; two set-based
statements for the whole batch, both idempotent:

1. An `approved` acceptance whose `expires_at` is before `today` (the UTC day) becomes
   `expired`; its risk, if still `accepted`, returns to review (`status = 'open'`); and the
   risk's owner (`tenant.risk.owner_user_id`, when that user is active), else every active
   tenant_admin, gets an `acceptance.expired` notification. A second evaluation finds nothing
   approved and lapsed, so it does nothing.
2. An `approved` acceptance expiring within `EXPIRING_NOTICE_DAYS` (today included) gives the
   same people one `acceptance.expiring` notification; its dedupe key names the acceptance and
   its expiry, so the sensor ticking again writes no second row.

Notifications are rows of `tenant.notification` (migration 0016): the in-app notice and the
single source of e-mail, webhook and digest deliveries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from assets.tenants import Conn

EXPIRING_NOTICE_DAYS = 14

# The people to tell about an acceptance `a` of risk `r`: its active owner, else the tenant's
# active admins (who may approve a new acceptance).
_RECIPIENTS = """
    join tenant.risk r on r.tenant_id = a.tenant_id and r.id = a.risk_id
    cross join lateral (select exists (select 1 from platform.users o
        where o.tenant_id = r.tenant_id and o.id = r.owner_user_id and o.is_active) as owned) h
    join platform.users u on u.tenant_id = a.tenant_id and u.is_active
        and case when h.owned then u.id = r.owner_user_id else u.role = 'tenant_admin' end
"""

_EXPIRE = f"""
with lapsed as (
    update tenant.risk_acceptance a set status = 'expired', ended_at = now()
    where a.status = 'approved' and a.expires_at < %(today)s
    returning a.tenant_id, a.id, a.risk_id, a.expires_at
), reopened as (
    update tenant.risk r set status = 'open', updated_at = now()
    from lapsed l where r.tenant_id = l.tenant_id and r.id = l.risk_id and r.status = 'accepted'
    returning r.id
), notified as (
    insert into tenant.notification (tenant_id, user_id, event, subject_kind, subject_id, title,
                                     body, link, dedupe_key)
    select a.tenant_id, u.id, 'acceptance.expired', 'risk', a.risk_id,
           left('Risk acceptance expired: ' || r.title, 200),
           format('The acceptance of risk %%s ran until %%s (UTC). The risk is back to review:'
                  ' decide again how to treat it.', r.title, a.expires_at),
           '/risks/' || a.risk_id, 'acceptance.expired:' || a.id
    from lapsed a {_RECIPIENTS}
    on conflict (tenant_id, user_id, dedupe_key) do nothing
    returning 1
)
select (select count(*) from lapsed), (select count(*) from reopened),
       (select count(*) from notified)
"""

_EXPIRING = f"""
insert into tenant.notification (tenant_id, user_id, event, subject_kind, subject_id, title, body,
                                 link, dedupe_key)
select a.tenant_id, u.id, 'acceptance.expiring', 'risk', a.risk_id,
       left('Risk acceptance expires ' || a.expires_at || ': ' || r.title, 200),
       format('The acceptance of risk %%s runs until %%s (UTC). Renew it (a new request and'
              ' approval) or plan its treatment before then.', r.title, a.expires_at),
       '/risks/' || a.risk_id, 'acceptance.expiring:' || a.id || ':' || a.expires_at
from tenant.risk_acceptance a {_RECIPIENTS}
where a.status = 'approved' and a.expires_at >= %(today)s
  and a.expires_at < %(today)s + %(days)s::int
on conflict (tenant_id, user_id, dedupe_key) do nothing
"""


@dataclass(frozen=True, slots=True)
class Review:
    expired: int  # acceptances that lapsed in this evaluation
    reopened: int  # their risks set back from accepted to open
    expired_notices: int
    expiring_notices: int


def review_acceptances(conn: Conn, today: date) -> Review:
    """Expire lapsed acceptances and notify, for every tenant in the transaction's scope."""
    row = conn.execute(_EXPIRE, {"today": today}).fetchone()
    assert row is not None
    expiring = conn.execute(_EXPIRING, {"today": today, "days": EXPIRING_NOTICE_DAYS}).rowcount
    return Review(int(row[0]), int(row[1]), int(row[2]), int(expiring))
