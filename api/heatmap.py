"""The risk heat map: risks by severity (rows) and red KRIs (columns), with their ids.

The risk model has no likelihood or impact columns (`tenant.risk`), so the honest second axis
is what the rollup itself sees: how many of the risk's linked KRIs are red now (0, 1, 2, 3+).
Rows are the severities the pipeline computed, worst first. Each cell lists its risks' ids (and
tenant ids, for the MSP page) so a click lands on them.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel

from draxis.severity import Severity

SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low", "unassessed")
RED_BUCKETS = ("0", "1", "2", "3+")
MOST_RED = len(RED_BUCKETS) - 1


class HeatRisk(BaseModel):
    id: UUID
    tenant_id: UUID
    title: str
    score: float | None
    # Accepted until this UTC day, as stored with the posture the cell comes from (null: not
    # accepted). An accepted risk stays in its severity's row.
    accepted_until: date | None = None


class HeatCell(BaseModel):
    severity: Severity
    red_kris: str  # one of RED_BUCKETS
    count: int
    risks: list[HeatRisk]


class HeatMap(BaseModel):
    rows: list[Severity]
    columns: list[str]
    x_axis: str
    y_axis: str
    cells: list[HeatCell]  # every row × column, row-major, empty ones included


# Columns of a risk row, as every heat-map query selects them.
RISK_ROWS = (
    "select r.id, r.tenant_id, r.title, p.score, p.severity, p.red_kris, p.accepted_until"
    " from tenant.risk r join tenant.risk_posture p"
    " on p.tenant_id = r.tenant_id and p.risk_id = r.id"
)


def heat_map(
    rows: list[tuple[UUID, UUID, str, float | None, Severity, int, date | None]],
) -> HeatMap:
    """Place each (id, tenant_id, title, score, severity, red_kris, accepted_until) row in its
    cell."""
    cells = {
        (s, b): HeatCell(severity=s, red_kris=b, count=0, risks=[])
        for s in SEVERITIES
        for b in RED_BUCKETS
    }
    for risk_id, tenant_id, title, score, severity, red, accepted_until in sorted(
        rows, key=lambda r: (-(r[3] or -1.0), r[2])
    ):
        cell = cells[(severity, RED_BUCKETS[min(red, MOST_RED)])]
        cell.count += 1
        cell.risks.append(
            HeatRisk(
                id=risk_id,
                tenant_id=tenant_id,
                title=title,
                score=score,
                accepted_until=accepted_until,
            )
        )
    return HeatMap(
        rows=list(SEVERITIES),
        columns=list(RED_BUCKETS),
        x_axis="red KRIs linked to the risk",
        y_axis="severity (from the risk's score; higher is worse)",
        cells=list(cells.values()),
    )
