"""Explained scores and trends of the caller's tenant, as the pipeline stored them.

- `GET /api/risk-scores`: every risk with its score, severity and KRI counts (the risk list's
  columns); `GET /api/risks/{id}/explanation`: one risk's score, severity and each linked KRI's
  and control's share of it, with names (`tenant.risk_contribution`, written with the score).
- `GET /api/heatmap`: risks by severity × red KRIs (`api.heatmap`).
- `GET /api/posture/history`: the tenant's daily posture score with its band.
- `GET /api/kri-sparklines`: every KRI's daily mean over the last days, in one query.

Nothing here computes a score: the API reads what the rollups wrote.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from psycopg.rows import class_row
from pydantic import BaseModel

from api.access import Tx, tenant_scope
from api.explanations import SCORES, Explanation, RiskScore, explain
from api.heatmap import RISK_ROWS, HeatMap, heat_map
from api.problems import Problem, problem_responses
from draxis.kri import KriStatus
from draxis.security.permissions import Permission
from draxis.severity import DIRECTION, Severity, band

router = APIRouter(prefix="/api", tags=["scores"], responses=problem_responses(404))
ModelReader = Annotated[Tx, tenant_scope(Permission.RISK_MODEL_READ)]
Reader = Annotated[Tx, tenant_scope(Permission.DASHBOARD_READ)]
MAX_DAYS = 730


@router.get("/risk-scores", response_model=list[RiskScore])
def risk_scores(tx: ModelReader) -> list[RiskScore]:
    """Every risk with the score and severity the pipeline computed, highest score first."""
    return (
        tx.conn.cursor(row_factory=class_row(RiskScore))
        .execute(SCORES + " order by p.score desc nulls last, r.title")
        .fetchall()
    )


@router.get("/risks/{risk_id}/explanation", response_model=Explanation)
def explanation(risk_id: UUID, tx: ModelReader) -> Explanation:
    """Why the risk scores what it does: each linked KRI's and control's share, largest first.
    The shares sum to the score (items deleted since the rollup are left out)."""
    found = explain(tx.conn, risk_id)
    if found is None:
        raise Problem(404, "No such risk.")
    return found


@router.get("/heatmap", response_model=HeatMap)
def tenant_heat_map(tx: Reader) -> HeatMap:
    """The tenant's open risks by severity × red KRIs; each cell lists its risks."""
    return heat_map(tx.conn.execute(RISK_ROWS + " where r.status <> 'closed'").fetchall())


class HistoryPoint(BaseModel):
    day: date
    score: float | None
    band: Severity
    risks_critical: int
    risks_high: int
    stale_share: float


class PostureHistory(BaseModel):
    tenant_id: UUID
    direction: str
    computed_at: datetime | None  # when the newest point was computed
    points: list[HistoryPoint]


HISTORY = (
    "select day, posture_score, risks_critical, risks_high, stale_share, computed_at"
    " from tenant.posture_history where tenant_id = %s and day > current_date - %s::int"
    " order by day"
)


def posture_history(tx: Tx, tenant_id: UUID, days: int) -> PostureHistory:
    """`tenant_id`'s daily posture over the last `days` days (RLS decides who may read it)."""
    rows = tx.conn.execute(HISTORY, (tenant_id, days)).fetchall()
    points = [
        HistoryPoint(
            day=day,
            score=score,
            band=band(score),
            risks_critical=critical,
            risks_high=high,
            stale_share=stale,
        )
        for day, score, critical, high, stale, _ in rows
    ]
    return PostureHistory(
        tenant_id=tenant_id,
        direction=DIRECTION,
        computed_at=rows[-1][5] if rows else None,
        points=points,
    )


Days = Annotated[int, Query(ge=1, le=MAX_DAYS)]


@router.get("/posture/history", response_model=PostureHistory)
def tenant_history(tx: Reader, days: Days = 180) -> PostureHistory:
    tenant_id = tx.principal.tenant_id
    assert tenant_id is not None  # tenant_scope guarantees one
    return posture_history(tx, tenant_id, days)


class Sparkline(BaseModel):
    kri_id: UUID
    days: list[date]
    values: list[float]  # daily mean, oldest first; days without a value are left out


_SPARKLINES = """
select kri_id, array_agg(day order by day), array_agg(value order by day)
from (select kri_id, (observed_at at time zone 'UTC')::date as day, avg(value) as value
      from tenant.kri_observation
      where observed_at >= (current_date - %s::int)::timestamptz
      group by 1, 2) d
group by kri_id
"""


@router.get("/kri-sparklines", response_model=list[Sparkline])
def sparklines(tx: Reader, days: Annotated[int, Query(ge=2, le=365)] = 30) -> list[Sparkline]:
    """Every KRI's daily mean over the last `days` days: one query for the whole wall."""
    return [
        Sparkline(kri_id=kri_id, days=day_list, values=values)
        for kri_id, day_list, values in tx.conn.execute(_SPARKLINES, (days,))
    ]


class KriState(BaseModel):
    kri_id: UUID
    status: KriStatus  # no_data until first assessed
    value: float | None
    observed_at: datetime | None
    computed_at: datetime | None  # when this colour was computed (by a save or the pipeline)
    source_id: UUID | None
    source_name: str | None


@router.get("/kris/{kri_id}/state", response_model=KriState)
def kri_state(kri_id: UUID, tx: Reader) -> KriState:
    """A KRI's colour as stored now, with its source's name (what the KRI page shows)."""
    row = (
        tx.conn.cursor(row_factory=class_row(KriState))
        .execute(
            "select k.id as kri_id, coalesce(s.status, 'no_data') as status, s.value,"
            " s.observed_at, s.computed_at, k.source_id, src.name as source_name"
            " from tenant.kri k left join tenant.kri_status s on s.kri_id = k.id"
            " left join tenant.kri_source src on src.id = k.source_id where k.id = %s",
            (kri_id,),
        )
        .fetchone()
    )
    if row is None:
        raise Problem(404, "No such KRI.")
    return row
