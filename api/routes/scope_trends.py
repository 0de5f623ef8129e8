"""Heat map and posture trends above one tenant: the MSP organization page and the carrier.

- `GET /api/orgs/{org_id}/heatmap`: the organization's tenants' open risks by severity × red
  KRIs (audited org scope; cells carry tenant ids for click-through).
- `GET /api/orgs/{org_id}/posture-history`: one daily series per live tenant of the org.
- `GET /api/orgs/{org_id}/tenants/{tenant_id}/risks/{risk_id}/explanation`: one of the org's
  tenants' risks, read-only, as the tenant's own risk page explains it (the heat map's cell list
  links here; the read is audited in the tenant's name).
- `GET /api/carrier/posture-history`: one daily series per insured tenant whose consent stands,
  each saying when it was computed (the carrier's figures can be up to an hour old).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.access import Tx, carrier_scope, org_scope
from api.explanations import Explanation, explain
from api.heatmap import RISK_ROWS, HeatMap, heat_map
from api.problems import Problem, problem_responses
from draxis.security.permissions import Permission
from draxis.severity import DIRECTION, Severity, band

router = APIRouter(prefix="/api", tags=["trends"], responses=problem_responses(404))
OrgReader = Annotated[Tx, org_scope(Permission.ORG_READ)]
CarrierReader = Annotated[Tx, carrier_scope(Permission.CARRIER_READ)]
Days = Annotated[int, Query(ge=1, le=730)]


class DayScore(BaseModel):
    day: date
    score: float | None
    band: Severity


class TenantSeries(BaseModel):
    tenant_id: UUID
    tenant_name: str
    score: float | None  # the latest point's
    band: Severity
    computed_at: datetime | None  # when the latest point was computed
    points: list[DayScore]


class ScopeHistory(BaseModel):
    direction: str
    tenants: list[TenantSeries]


def _series(
    rows: list[tuple[UUID, str, date | None, float | None, datetime | None]],
) -> ScopeHistory:
    """(tenant_id, name, day, score, computed_at) rows ordered by tenant then day → series."""
    found: dict[UUID, TenantSeries] = {}
    for tenant_id, name, day, score, computed_at in rows:
        series = found.setdefault(
            tenant_id,
            TenantSeries(
                tenant_id=tenant_id,
                tenant_name=name,
                score=None,
                band="unassessed",
                computed_at=None,
                points=[],
            ),
        )
        if day is None:
            continue
        series.points.append(DayScore(day=day, score=score, band=band(score)))
        series.score, series.band, series.computed_at = score, band(score), computed_at
    return ScopeHistory(direction=DIRECTION, tenants=list(found.values()))


@router.get("/orgs/{org_id}/heatmap", response_model=HeatMap, tags=["organization administration"])
def org_heat_map(org_id: UUID, tx: OrgReader) -> HeatMap:
    """Open risks of the organization's live tenants by severity × red KRIs."""
    return heat_map(
        tx.conn.execute(
            RISK_ROWS + " join platform.tenants t on t.id = r.tenant_id"
            " where r.status <> 'closed' and t.organization_id = %s and t.deleted_at is null",
            (org_id,),
        ).fetchall()
    )


class OrgRiskExplanation(Explanation):
    tenant_id: UUID
    tenant_name: str


@router.get(
    "/orgs/{org_id}/tenants/{tenant_id}/risks/{risk_id}/explanation",
    response_model=OrgRiskExplanation,
    tags=["organization administration"],
)
def org_risk_explanation(
    org_id: UUID, tenant_id: UUID, risk_id: UUID, tx: OrgReader
) -> OrgRiskExplanation:
    """A live tenant's risk, read-only: its score, severity and each contributing KRI's and
    control's share. Another organization's tenant, or its risk, is a 404 (RLS shows neither)."""
    tenant = tx.conn.execute(
        "select name from platform.tenants"
        " where id = %s and organization_id = %s and deleted_at is null",
        (tenant_id, org_id),
    ).fetchone()
    found = None if tenant is None else explain(tx.conn, risk_id, tenant_id)
    if tenant is None or found is None:
        raise Problem(404, "No such risk among this organization's tenants.")
    tx.audit("risk.viewed_by_org", target_type="risk", target_id=risk_id, tenant_id=tenant_id)
    return OrgRiskExplanation(**found.model_dump(), tenant_id=tenant_id, tenant_name=tenant[0])


@router.get(
    "/orgs/{org_id}/posture-history",
    response_model=ScopeHistory,
    tags=["organization administration"],
)
def org_history(org_id: UUID, tx: OrgReader, days: Days = 90) -> ScopeHistory:
    """Each live tenant's daily posture over the last `days` days, tenants by name."""
    return _series(
        tx.conn.execute(
            "select t.id, t.name, h.day, h.posture_score, h.computed_at from platform.tenants t"
            " left join tenant.posture_history h on h.tenant_id = t.id"
            "  and h.day > current_date - %s::int"
            " where t.organization_id = %s and t.deleted_at is null order by t.name, t.id, h.day",
            (days, org_id),
        ).fetchall()
    )


@router.get("/carrier/posture-history", response_model=ScopeHistory, tags=["carrier"])
def carrier_history(tx: CarrierReader, days: Days = 90) -> ScopeHistory:
    """Each consenting insured tenant's daily posture (RLS shows only theirs)."""
    return _series(
        tx.conn.execute(
            "select t.id, t.name, h.day, h.posture_score, h.computed_at"
            " from carrier.insured_tenants i join platform.tenants t on t.id = i.tenant_id"
            " left join tenant.posture_history h on h.tenant_id = t.id"
            "  and h.day > current_date - %s::int"
            " where i.revoked_at is null and t.deleted_at is null order by t.name, t.id, h.day",
            (days,),
        ).fetchall()
    )
