"""The carrier portal: carrier users reach `/api/carrier/*` and nothing else."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from psycopg.rows import class_row
from pydantic import BaseModel

from api.access import Tx, carrier_access
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api/carrier", tags=["carrier"])


class Insured(BaseModel):
    tenant_id: UUID
    tenant_name: str
    consent_granted_at: datetime


@router.get("/insureds", response_model=list[Insured])
def insureds(tx: Annotated[Tx, Depends(carrier_access(Permission.CARRIER_READ))]) -> list[Insured]:
    """Tenants insured by the caller's carrier that have granted (and not revoked) consent."""
    return (
        tx.conn.cursor(row_factory=class_row(Insured))
        .execute(
            "select t.id as tenant_id, t.name as tenant_name, i.consent_granted_at"
            " from carrier.insured_tenants i join platform.tenants t on t.id = i.tenant_id"
            " where i.revoked_at is null and t.deleted_at is null order by t.name"
        )
        .fetchall()
    )
