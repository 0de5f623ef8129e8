"""`/api/dashboard`: the tenant's KRIs with value, colour and last update.

Colours come from `tenant.kri_status`, written by the pipeline; the API never computes rollups.
A KRI the pipeline has not assessed yet reads as `no_data`, never green.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends
from psycopg.rows import class_row
from pydantic import BaseModel, ConfigDict

from api.access import Tx, tenant_access
from api.problems import Problem, problem_responses
from draxis.kri import Direction, KriStatus
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", tags=["dashboard"], responses=problem_responses(404))


class TenantRef(BaseModel):
    id: UUID
    name: str


class KriTile(BaseModel):
    id: UUID
    slug: str
    name: str
    description: str
    unit: str
    direction: Direction
    warn: float
    critical: float
    value: float | None
    status: KriStatus
    observed_at: datetime | None
    source: str | None


class StatusCounts(BaseModel):
    green: int = 0
    amber: int = 0
    red: int = 0
    stale: int = 0
    no_data: int = 0


Severity = Literal["critical", "high", "medium", "low", "unassessed"]


class Posture(BaseModel):
    """The tenant's rollup as the pipeline last computed it (`tenant.tenant_posture`)."""

    score: float | None
    stale_share: float
    risks: dict[Severity, int]
    computed_at: datetime


class RiskSummary(BaseModel):
    id: UUID
    title: str
    status: str
    score: float | None
    severity: Severity


class OutcomeSummary(BaseModel):
    id: UUID
    name: str
    score: float | None
    severity: Severity


class Dashboard(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "tenant": {"id": "0eb139c5-bf9a-4a58-bff9-b4a49c24ff2a", "name": "Acme Health"},
                    "generated_at": "2026-11-26T12:00:00Z",
                    "counts": {"green": 3, "amber": 6, "red": 2, "stale": 1, "no_data": 1},
                    "kris": [
                        {
                            "id": "6b1abfd7-d5b7-4990-b607-9eb1bd6c2098",
                            "slug": "critical_cves_unpatched_gt_30d",
                            "name": "Critical CVEs unpatched > 30 days",
                            "description": "Critical-severity vulnerabilities open for more "
                            "than 30 days.",
                            "unit": "count",
                            "direction": "higher_is_worse",
                            "warn": 5,
                            "critical": 15,
                            "value": 18,
                            "status": "red",
                            "observed_at": "2026-11-26T00:00:00Z",
                            "source": "Demo data",
                        }
                    ],
                    "posture": {
                        "score": 61.5,
                        "stale_share": 0.08,
                        "risks": {"critical": 1, "high": 2, "medium": 1, "low": 0, "unassessed": 1},
                        "computed_at": "2026-11-26T00:05:00Z",
                    },
                    "top_risks": [
                        {
                            "id": "2f1e0c9d-8b7a-4c6d-9e5f-1a2b3c4d5e6f",
                            "title": "Ransomware takes the store offline",
                            "status": "mitigating",
                            "score": 86.25,
                            "severity": "critical",
                        }
                    ],
                    "outcomes": [
                        {
                            "id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
                            "name": "Keep the online store available",
                            "score": 86.25,
                            "severity": "critical",
                        }
                    ],
                }
            ]
        }
    )

    tenant: TenantRef
    generated_at: datetime
    counts: StatusCounts
    kris: list[KriTile]
    posture: Posture | None  # null until the pipeline has rolled the tenant up
    top_risks: list[RiskSummary]
    outcomes: list[OutcomeSummary]


_KRIS = """
select k.id, k.slug, k.name, k.description, k.unit, k.direction, k.warn, k.critical,
       st.value, coalesce(st.status, 'no_data'), st.observed_at, src.name
from tenant.kri k
left join tenant.kri_status st on st.tenant_id = k.tenant_id and st.kri_id = k.id
left join tenant.kri_source src on src.tenant_id = k.tenant_id and src.id = k.source_id
order by k.name
"""


@router.get("/dashboard", response_model=Dashboard)
def dashboard(
    tx: Annotated[Tx, Depends(tenant_access(Permission.DASHBOARD_READ))],
) -> Dashboard:
    conn = tx.conn
    tenant = conn.execute(
        "select id, name from platform.tenants where id = platform.current_tenant_id()"
    ).fetchone()
    if tenant is None:
        raise Problem(404, "Your tenant no longer exists.")
    fields = list(KriTile.model_fields)
    kris = [KriTile(**dict(zip(fields, row, strict=True))) for row in conn.execute(_KRIS)]
    counts = StatusCounts()
    for kri in kris:
        setattr(counts, kri.status, getattr(counts, kri.status) + 1)
    return Dashboard(
        tenant=TenantRef(id=tenant[0], name=tenant[1]),
        generated_at=datetime.now(UTC),
        counts=counts,
        kris=kris,
        posture=_posture(tx),
        top_risks=(
            tx.conn.cursor(row_factory=class_row(RiskSummary)).execute(_TOP_RISKS).fetchall()
        ),
        outcomes=tx.conn.cursor(row_factory=class_row(OutcomeSummary))
        .execute(_OUTCOMES)
        .fetchall(),
    )


# Risks by rollup severity, worst first; five, like the tenant posture's top risks.
_TOP_RISKS = """
select r.id, r.title, r.status, p.score, p.severity
from tenant.risk_posture p join tenant.risk r on r.tenant_id = p.tenant_id and r.id = p.risk_id
where p.score is not null
order by p.score desc, r.id
limit 5
"""
_OUTCOMES = """
select o.id, o.name, p.score, coalesce(p.severity, 'unassessed') as severity
from tenant.outcome o
left join tenant.outcome_posture p on p.tenant_id = o.tenant_id and p.outcome_id = o.id
order by array_position(array['critical', 'high', 'medium', 'low', 'unassessed'],
                        coalesce(p.severity, 'unassessed')), o.name
"""


def _posture(tx: Tx) -> Posture | None:
    row = tx.conn.execute(
        "select posture_score, stale_share, risks_critical, risks_high, risks_medium, risks_low,"
        " risks_unassessed, computed_at from tenant.tenant_posture"
    ).fetchone()
    if row is None:
        return None
    severities: tuple[Severity, ...] = ("critical", "high", "medium", "low", "unassessed")
    return Posture(
        score=row[0],
        stale_share=row[1],
        risks=dict(zip(severities, row[2:7], strict=True)),
        computed_at=row[7],
    )
