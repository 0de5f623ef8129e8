"""The carrier portal (`/api/carrier/*`, carrier users only) and tenants' consent to it.

Carrier users read what the projection job wrote under their carrier's scope. A tenant that
revokes consent disappears from the next projection; until then its row is already filtered out
here, so its posture stops being served the moment consent is revoked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Response
from psycopg.rows import class_row
from pydantic import BaseModel

from api.access import Tx, carrier_scope, tenant_scope
from api.problems import Problem, problem_responses
from api.schemas.severity import SeverityCounts
from draxis.security.permissions import Permission
from draxis.severity import Severity

router = APIRouter(prefix="/api", tags=["carrier"], responses=problem_responses(404))
P = Permission
CarrierReader = Annotated[Tx, carrier_scope(P.CARRIER_READ)]
ConsentManager = Annotated[Tx, tenant_scope(P.CARRIER_CONSENT_MANAGE)]


class Insured(BaseModel):
    tenant_id: UUID
    tenant_name: str
    consent_granted_at: datetime


class PortfolioRow(BaseModel):
    tenant_id: UUID
    tenant_name: str
    posture_score: float | None
    score_30d_ago: float | None
    trend_30d: float | None  # positive: worse than 30 days ago
    band: Severity
    risks_critical: int
    risks_high: int
    kri_count: int
    stale_share: float
    posture_computed_at: datetime | None
    projected_at: datetime


class Book(BaseModel):
    tenants: int
    bands: SeverityCounts
    worst_movers: list[PortfolioRow]  # largest 30-day deterioration first (up to five)


class Portfolio(BaseModel):
    book: Book
    tenants: list[PortfolioRow]


# Rows of tenants whose consent still stands (the projection may be up to an hour old).
_ROWS = """
select p.tenant_id, p.tenant_name, p.posture_score, p.score_30d_ago, p.trend_30d, p.band,
       p.risks_critical, p.risks_high, p.kri_count, p.stale_share, p.posture_computed_at,
       p.projected_at
from carrier.portfolio p
join carrier.insured_tenants i on i.carrier_id = p.carrier_id and i.tenant_id = p.tenant_id
where i.revoked_at is null
"""


@router.get("/carrier/insureds", response_model=list[Insured])
def insureds(tx: CarrierReader) -> list[Insured]:
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


@router.get("/carrier/portfolio", response_model=Portfolio)
def portfolio(tx: CarrierReader) -> Portfolio:
    """The book: one row per consenting insured tenant, its distribution and its worst movers."""
    rows = (
        tx.conn.cursor(row_factory=class_row(PortfolioRow))
        .execute(_ROWS + " order by p.posture_score desc nulls last, p.tenant_name")
        .fetchall()
    )
    bands = dict.fromkeys(("critical", "high", "medium", "low", "unassessed"), 0)
    for row in rows:
        bands[row.band] += 1
    movers = sorted(
        (r for r in rows if r.trend_30d is not None and r.trend_30d > 0),
        key=lambda r: -(r.trend_30d or 0),
    )[:5]
    book = Book(tenants=len(rows), bands=SeverityCounts(**bands), worst_movers=movers)
    return Portfolio(book=book, tenants=rows)


@router.get("/carrier/tenants/{tenant_id}", response_model=PortfolioRow)
def insured_tenant(tenant_id: UUID, tx: CarrierReader) -> PortfolioRow:
    row = (
        tx.conn.cursor(row_factory=class_row(PortfolioRow))
        .execute(_ROWS + " and p.tenant_id = %s", (tenant_id,))
        .fetchone()
    )
    if row is None:
        raise Problem(404, "No such insured tenant in your book.")
    return row


class Consent(BaseModel):
    carrier_id: UUID
    carrier_name: str
    consent_granted_at: datetime
    revoked_at: datetime | None


def _consents(tx: Tx) -> list[Consent]:
    return (
        tx.conn.cursor(row_factory=class_row(Consent))
        .execute(
            "select c.id as carrier_id, c.name as carrier_name, i.consent_granted_at,"
            " i.revoked_at from carrier.insured_tenants i"
            " join carrier.carriers c on c.id = i.carrier_id order by c.name"
        )
        .fetchall()
    )


@router.get("/tenant/carriers", response_model=list[Consent], tags=["tenant administration"])
def consents(tx: ConsentManager) -> list[Consent]:
    """The insurers this tenant has a relationship with, and whether each may see its posture."""
    return _consents(tx)


@router.put(
    "/tenant/carriers/{carrier_id}/consent", status_code=204, tags=["tenant administration"]
)
def grant(carrier_id: UUID, tx: ConsentManager) -> Response:
    _set_consent(tx, carrier_id, granted=True)
    return Response(status_code=204)


@router.delete(
    "/tenant/carriers/{carrier_id}/consent", status_code=204, tags=["tenant administration"]
)
def revoke(carrier_id: UUID, tx: ConsentManager) -> Response:
    """Revoke at once: the carrier stops seeing this tenant now; its next projection drops it."""
    _set_consent(tx, carrier_id, granted=False)
    return Response(status_code=204)


def _set_consent(tx: Tx, carrier_id: UUID, *, granted: bool) -> None:
    changed = tx.conn.execute(
        "update carrier.insured_tenants set"
        " consent_granted_at = case when %(g)s then now() else consent_granted_at end,"
        " revoked_at = case when %(g)s then null else now() end"
        " where carrier_id = %(c)s and tenant_id = platform.current_tenant_id()"
        " and (revoked_at is null) = not %(g)s",
        {"g": granted, "c": carrier_id},
    ).rowcount
    known = any(c.carrier_id == carrier_id for c in _consents(tx))
    if not known:
        raise Problem(404, "This tenant has no relationship with that carrier.")
    if changed:
        tx.audit(
            "carrier.consent_granted" if granted else "carrier.consent_revoked",
            target_type="carrier",
            target_id=carrier_id,
        )
