"""The vendor profile (third-party risk, docs/tprm.md "Vendor profile").

- `GET /api/vendors/{id}/profile`: the vendor (with its owner's name), its contacts, its linked
  risks each with score, severity and the acceptance in force, its reassessment schedule
  (the tier's months from the tenant's policy, next due day, current and overdue flags), its
  last completed assessment and its open findings by severity.
- `PUT /api/vendors/{id}/risks`: replace the set of risks the vendor is linked to (ids of this
  tenant's risks; any other id answers 404 and nothing is written), audited.
- `GET /api/tprm/vendors`: every vendor and where it stands (for the vendor list), filtered by
  tier and overdue, paged.

Reads need `tprm:read`, the link write `tprm:manage`. The vendor's own fields are edited through
the risk model's CRUD (`PATCH /api/vendors/{id}`).
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from psycopg.rows import class_row

from api.access import Tx, tenant_scope
from api.explanations import SCORES
from api.owners import OWNER_NAME_SQL
from api.problems import Problem, problem_responses
from api.schemas.risk_model import VendorOut
from api.schemas.vendor_profile import (
    ContactOut,
    FindingCounts,
    LastAssessment,
    VendorProfile,
    VendorRisk,
    VendorRisksIn,
    VendorSummary,
)
from api.types import Page
from api.vendors import cadence_of, read_policy, require_vendor, schedule, summaries, utc_today
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", tags=["vendor profile"], responses=problem_responses(404))
P = Permission
Reader = Annotated[Tx, tenant_scope(P.TPRM_READ)]
Manager = Annotated[Tx, tenant_scope(P.TPRM_MANAGE)]

CONTACTS_SQL = (
    "select id, vendor_id, name, email, role, is_primary, created_at from tenant.vendor_contact"
)


def _vendor(tx: Tx, vendor_id: UUID) -> VendorOut:
    columns = ", ".join(
        f"{OWNER_NAME_SQL} as owner_name" if c == "owner_name" else c
        for c in VendorOut.model_fields
    )
    row = (
        tx.conn.cursor(row_factory=class_row(VendorOut))
        .execute(f"select {columns} from tenant.vendor where id = %s", (vendor_id,))
        .fetchone()
    )
    if row is None:
        raise Problem(404, "No such vendor.")
    return row


def _risks(tx: Tx, vendor_id: UUID) -> list[VendorRisk]:
    return (
        tx.conn.cursor(row_factory=class_row(VendorRisk))
        .execute(
            SCORES + " join tenant.vendor_risk l on l.tenant_id = r.tenant_id and l.risk_id = r.id"
            " where l.vendor_id = %s order by p.score desc nulls last, r.title, r.id",
            (vendor_id,),
        )
        .fetchall()
    )


def _open_findings(tx: Tx, vendor_id: UUID) -> FindingCounts:
    rows = tx.conn.execute(
        "select severity, count(*)::int from tenant.vendor_finding"
        " where vendor_id = %s and status = 'open' group by severity",
        (vendor_id,),
    ).fetchall()
    counts = {str(severity): int(n) for severity, n in rows}
    return FindingCounts(**counts, total=sum(counts.values()))


@router.get("/vendors/{vendor_id}/profile", response_model=VendorProfile)
def vendor_profile(vendor_id: UUID, tx: Reader) -> VendorProfile:
    """The vendor with its contacts, risks, schedule, last assessment and open findings."""
    vendor = _vendor(tx, vendor_id)
    ((summary, row),) = summaries(tx, vendor_id)
    contacts = (
        tx.conn.cursor(row_factory=class_row(ContactOut))
        .execute(
            CONTACTS_SQL + " where vendor_id = %s order by is_primary desc, name, id", (vendor_id,)
        )
        .fetchall()
    )
    last = None
    if row["last_id"] is not None:
        last = LastAssessment(
            id=row["last_id"],
            completed_on=row["last_completed_on"],
            score=row["last_score"],
            rating=row["last_rating"],
        )
    plan = schedule(
        vendor.tier,
        cadence_of(read_policy(tx)),
        summary.last_completed_on,
        row["onboarded"],
        utc_today(tx),
    )
    return VendorProfile(
        vendor=vendor,
        contacts=contacts,
        risks=_risks(tx, vendor_id),
        cadence=plan,
        last_assessment=last,
        open_findings=_open_findings(tx, vendor_id),
    )


@router.put(
    "/vendors/{vendor_id}/risks",
    response_model=list[VendorRisk],
    responses=problem_responses(422),
    summary="Replace the vendor's risks",
)
def set_vendor_risks(vendor_id: UUID, body: VendorRisksIn, tx: Manager) -> list[VendorRisk]:
    """The vendor is linked to exactly these risks afterwards; an id that is not one of the
    tenant's risks answers 404 and nothing changes."""
    require_vendor(tx, vendor_id, lock=True)
    wanted = sorted(set(body.risk_ids))
    known = {
        row[0]
        for row in tx.conn.execute("select id from tenant.risk where id = any(%s)", (wanted,))
    }
    missing = [str(i) for i in wanted if i not in known]
    if missing:
        raise Problem(404, f"No such risk: {', '.join(missing)}.")
    before = [
        str(r[0])
        for r in tx.conn.execute(
            "select risk_id from tenant.vendor_risk where vendor_id = %s order by risk_id",
            (vendor_id,),
        )
    ]
    tx.conn.execute("delete from tenant.vendor_risk where vendor_id = %s", (vendor_id,))
    with tx.conn.cursor() as cursor:
        cursor.executemany(
            "insert into tenant.vendor_risk (tenant_id, vendor_id, risk_id) values (%s, %s, %s)",
            [(tx.principal.tenant_id, vendor_id, risk_id) for risk_id in wanted],
        )
    tx.audit(
        "vendor.risks_set",
        target_type="vendor",
        target_id=vendor_id,
        before=before,
        after=[str(i) for i in wanted],
    )
    return _risks(tx, vendor_id)


@router.get("/tprm/vendors", response_model=Page[VendorSummary])
def vendor_list(
    tx: Reader,
    tier: Annotated[int | None, Query(ge=1, le=3)] = None,
    overdue: bool | None = None,
    sort: Literal["name", "-name", "next_due", "-next_due", "tier", "-tier"] = "name",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[VendorSummary]:
    """The tenant's vendors and where each stands: last score and rating, next due day,
    overdue flag and open findings. Filter by `tier` and `overdue`."""
    items = [
        summary
        for summary, _ in summaries(tx)
        if tier in (None, summary.tier) and overdue in (None, summary.overdue)
    ]
    key = sort.removeprefix("-")
    items.sort(key=lambda s: (getattr(s, key), s.name.lower(), str(s.id)))
    if sort.startswith("-"):
        items.reverse()
    return Page[VendorSummary](
        items=items[offset : offset + limit], total=len(items), limit=limit, offset=offset
    )
