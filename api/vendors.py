"""What the vendor-profile routers share (`api.routes.vendor_profile`, `vendor_contacts`,
`vendor_findings`, `tprm_policy`): the vendor's existence check, the tenant's reassessment policy
and where each vendor stands against it, read under the caller's tenant scope.

The schedule is computed on read (`draxis.tprm.cadence`): changing the policy's months rewrites
nothing stored, the next read answers the new due days.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from psycopg.rows import class_row, dict_row

from api.access import Tx
from api.owners import OWNER_NAME_SQL
from api.problems import Problem
from api.schemas.vendor_profile import CadenceOut, PolicyOut, VendorSummary
from draxis.tprm.cadence import DEFAULT_MONTHS, Cadence, is_current, is_overdue, next_due

DEFAULT_POLICY = PolicyOut(
    tier1_months=DEFAULT_MONTHS[1],
    tier2_months=DEFAULT_MONTHS[2],
    tier3_months=DEFAULT_MONTHS[3],
    reminder_days=7,
    link_days=30,
    requirements="",
    updated_at=None,
)


def require_vendor(tx: Tx, vendor_id: UUID, *, lock: bool = False) -> None:
    """404 unless the caller's tenant has this vendor (RLS hides every other tenant's)."""
    found = tx.conn.execute(
        "select 1 from tenant.vendor where id = %s" + (" for update" if lock else ""),
        (vendor_id,),
    ).fetchone()
    if found is None:
        raise Problem(404, "No such vendor.")


def utc_today(tx: Tx) -> date:
    row = tx.conn.execute("select (now() at time zone 'UTC')::date").fetchone()
    assert row is not None
    today: date = row[0]
    return today


def read_policy(tx: Tx) -> PolicyOut:
    """The tenant's policy, or the defaults when it has stored none."""
    row = (
        tx.conn.cursor(row_factory=class_row(PolicyOut))
        .execute(
            "select tier1_months, tier2_months, tier3_months, reminder_days, link_days,"
            " requirements, updated_at from tenant.tprm_policy"
        )
        .fetchone()
    )
    return row or DEFAULT_POLICY


def cadence_of(policy: PolicyOut) -> Cadence:
    return Cadence(policy.tier1_months, policy.tier2_months, policy.tier3_months)


def schedule(
    tier: int, cadence: Cadence, last_completed: date | None, onboarded: date, today: date
) -> CadenceOut:
    """Where a vendor stands: its tier's months, next due day, current and overdue flags."""
    return CadenceOut(
        months=cadence.months(tier),
        next_due=next_due(tier, cadence, last_completed, onboarded),
        current=is_current(tier, cadence, last_completed, today),
        overdue=is_overdue(tier, cadence, last_completed, onboarded, today),
    )


# Each vendor with its last completed assessment and its open findings: one row per vendor.
SUMMARY_SQL = f"""
select v.id, v.slug, v.name, v.tier, v.criticality, v.data_access, v.owner_user_id,
       {OWNER_NAME_SQL} as owner_name, (v.created_at at time zone 'UTC')::date as onboarded,
       last.id as last_id, last.score::float8 as last_score, last.rating as last_rating,
       (last.completed_at at time zone 'UTC')::date as last_completed_on,
       (select count(*) from tenant.vendor_finding f
        where f.tenant_id = v.tenant_id and f.vendor_id = v.id and f.status = 'open')::int
        as open_findings
from tenant.vendor v
left join lateral (
    select a.id, a.score, a.rating, a.completed_at from tenant.assessment a
    where a.tenant_id = v.tenant_id and a.vendor_id = v.id and a.status = 'completed'
    order by a.completed_at desc, a.id limit 1
) last on true
"""


def summaries(tx: Tx, vendor_id: UUID | None = None) -> list[tuple[VendorSummary, dict[str, Any]]]:
    """Every vendor (or the one `vendor_id`) with where it stands today, by name; each with its
    raw row (for the last assessment's id)."""
    cadence = cadence_of(read_policy(tx))
    today = utc_today(tx)
    rows = (
        tx.conn.cursor(row_factory=dict_row)
        .execute(
            SUMMARY_SQL + " where (%s::uuid is null or v.id = %s::uuid) order by v.name, v.id",
            (vendor_id, vendor_id),
        )
        .fetchall()
    )
    found = []
    for row in rows:
        plan = schedule(row["tier"], cadence, row["last_completed_on"], row["onboarded"], today)
        summary = VendorSummary(
            **{k: v for k, v in row.items() if k in VendorSummary.model_fields},
            next_due=plan.next_due,
            current=plan.current,
            overdue=plan.overdue,
        )
        found.append((summary, row))
    return found
