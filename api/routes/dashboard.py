"""`/api/dashboard`: the tenant's KRIs with value, colour and last update.

Colours come from `tenant.kri_status`, written by the pipeline; the API never computes rollups.
A KRI the pipeline has not assessed yet reads as `no_data`, never green.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict

from api.access import Tx, tenant_access
from api.problems import Problem
from draxis.kri import Direction, KriStatus
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", tags=["dashboard"])


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
                }
            ]
        }
    )

    tenant: TenantRef
    generated_at: datetime
    counts: StatusCounts
    kris: list[KriTile]


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
    )
