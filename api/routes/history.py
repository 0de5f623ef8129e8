"""`GET /api/kris/{kri_id}/observations`: a KRI's history, downsampled for charts.

Buckets are computed in Postgres (`date_bin`), so a year of hourly values leaves the database as
at most a few hundred points. Each point carries the bucket's mean, min, max, last value and count.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from psycopg.rows import class_row
from pydantic import BaseModel

from api.access import Tx, tenant_scope
from api.problems import Problem
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", tags=["kris"])
Reader = Annotated[Tx, tenant_scope(Permission.RISK_MODEL_READ)]
Bucket = Literal["raw", "hour", "day", "week"]
_WIDTH = {"hour": "1 hour", "day": "1 day", "week": "7 days"}
MAX_POINTS = 5000


class ObservationPoint(BaseModel):
    t: datetime
    value: float  # mean over the bucket (the value itself for `raw`)
    min: float
    max: float
    last: float
    n: int


class History(BaseModel):
    kri_id: UUID
    bucket: Bucket
    start: datetime
    end: datetime
    warn: float
    critical: float
    direction: str
    points: list[ObservationPoint]


_RAW = """
select observed_at as t, value, value as min, value as max, value as last, 1 as n
from tenant.kri_observation
where kri_id = %(kri)s and observed_at >= %(start)s and observed_at < %(end)s
order by observed_at limit %(limit)s
"""
_BUCKETED = """
select date_bin(%(width)s::interval, observed_at, timestamptz '2000-01-03') as t,
       avg(value) as value, min(value) as min, max(value) as max,
       (array_agg(value order by observed_at desc))[1] as last, count(*)::int as n
from tenant.kri_observation
where kri_id = %(kri)s and observed_at >= %(start)s and observed_at < %(end)s
group by 1 order by 1 limit %(limit)s
"""


@router.get("/kris/{kri_id}/observations", response_model=History)
def observations(
    kri_id: UUID,
    tx: Reader,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    bucket: Bucket = "day",
) -> History:
    """History between `from` (default: 90 days ago) and `to` (default: now), by `bucket`."""
    end = end or datetime.now(UTC)
    start = start or end - timedelta(days=90)
    if start.tzinfo is None or end.tzinfo is None:
        raise Problem(422, "`from` and `to` need a time zone (e.g. 2026-11-01T00:00:00Z).")
    if start >= end:
        raise Problem(422, "`from` must be before `to`.")
    kri = tx.conn.execute(
        "select warn, critical, direction from tenant.kri where id = %s", (kri_id,)
    ).fetchone()
    if kri is None:
        raise Problem(404, "No such KRI.")
    params = {
        "kri": kri_id,
        "start": start,
        "end": end,
        "limit": MAX_POINTS,
        "width": _WIDTH.get(bucket),
    }
    query = _RAW if bucket == "raw" else _BUCKETED
    points = (
        tx.conn.cursor(row_factory=class_row(ObservationPoint)).execute(query, params).fetchall()
    )
    return History(
        kri_id=kri_id,
        bucket=bucket,
        start=start,
        end=end,
        warn=kri[0],
        critical=kri[1],
        direction=kri[2],
        points=points,
    )
