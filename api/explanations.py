"""A risk's explained score, as the pipeline stored it: the risk's score and severity, and each
linked KRI's and control's share of it (`tenant.risk_contribution`, written with the score).

Shared by the tenant's own risk page (`api.routes.scores`) and the MSP organization's read-only
view of its tenants' risks (`api.routes.scope_trends`); RLS decides whose risks a scope reads.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow, class_row
from pydantic import BaseModel

from draxis.risk_acceptance import accepted_until_sql
from draxis.severity import DIRECTION, Severity


class RiskScore(BaseModel):
    risk_id: UUID
    slug: str
    title: str
    status: str
    score: float | None  # null: unassessed, or not rolled up yet
    severity: Severity
    kri_count: int
    control_count: int
    red_kris: int
    amber_kris: int
    stale_kris: int
    computed_at: datetime | None
    # Accepted until this UTC day (inclusive), null when not accepted: the severity stays the
    # computed one and is shown with this flag (docs/risk-acceptance.md). Live for the tenant;
    # the org scope, which cannot read acceptances, sees the flag stored with the posture.
    accepted_until: date | None


SCORES = f"""
select r.id as risk_id, r.slug, r.title, r.status, p.score,
       coalesce(p.severity, 'unassessed') as severity, coalesce(p.kri_count, 0) as kri_count,
       coalesce(p.control_count, 0) as control_count, coalesce(p.red_kris, 0) as red_kris,
       coalesce(p.amber_kris, 0) as amber_kris, coalesce(p.stale_kris, 0) as stale_kris,
       p.computed_at,
       case when (select platform.current_scope()) = 'org'
            then case when p.accepted_until >= (now() at time zone 'UTC')::date
                      then p.accepted_until end
            else {accepted_until_sql("r")} end as accepted_until
from tenant.risk r
left join tenant.risk_posture p on p.tenant_id = r.tenant_id and p.risk_id = r.id
"""


class Contribution(BaseModel):
    kind: Literal["kri", "control"]
    id: UUID
    name: str
    slug: str
    state: str  # the KRI's colour or the control's effectiveness
    worst_points: float  # its part of the worst-KRI term
    mean_points: float  # its part of the mean-KRI term
    gap_points: float  # its part of the control-gap term
    contribution: float  # score points it adds: the three above
    share: float | None  # contribution / score; null when the score is 0


class Explanation(BaseModel):
    risk: RiskScore
    direction: str
    formula: str
    contributions: list[Contribution]


FORMULA = (
    "score = 100 × (0.6 × worst KRI points / 2 + 0.25 × mean KRI points / 2 + 0.15 × mean"
    " control gap); KRI points: green 0, amber, stale or no data 1, red 2; control gap:"
    " effective 0, partial 0.5, ineffective or not implemented 1"
)

_CONTRIBUTIONS = """
select c.item_kind, c.item_id, coalesce(k.name, ctl.name), coalesce(k.slug, ctl.slug), c.state,
       c.worst_points, c.mean_points, c.gap_points, c.contribution
from tenant.risk_contribution c
left join tenant.kri k on c.item_kind = 'kri' and k.tenant_id = c.tenant_id and k.id = c.item_id
left join tenant.control ctl
    on c.item_kind = 'control' and ctl.tenant_id = c.tenant_id and ctl.id = c.item_id
where c.risk_id = %s and coalesce(k.id, ctl.id) is not null
order by c.contribution desc, c.item_kind, 3
"""


def explain(
    conn: psycopg.Connection[TupleRow], risk_id: UUID, tenant_id: UUID | None = None
) -> Explanation | None:
    """`risk_id`'s explanation (of `tenant_id`'s risks when given), or None if the scope reads
    no such risk."""
    risk = (
        conn.cursor(row_factory=class_row(RiskScore))
        .execute(
            SCORES + " where r.id = %s and (%s::uuid is null or r.tenant_id = %s::uuid)",
            (risk_id, tenant_id, tenant_id),
        )
        .fetchone()
    )
    if risk is None:
        return None
    parts = [
        Contribution(
            kind=kind,
            id=item_id,
            name=name,
            slug=slug,
            state=state,
            worst_points=worst,
            mean_points=mean,
            gap_points=gap,
            contribution=total,
            share=total / risk.score if risk.score else None,
        )
        for kind, item_id, name, slug, state, worst, mean, gap, total in conn.execute(
            _CONTRIBUTIONS, (risk_id,)
        )
    ]
    return Explanation(risk=risk, direction=DIRECTION, formula=FORMULA, contributions=parts)
