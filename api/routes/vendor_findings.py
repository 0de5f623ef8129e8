"""Vendor findings: what an assessment's review or integration drift found (docs/tprm.md).

Findings are written elsewhere (the reviewer's completion, the pipeline's drift check); here they
are listed and decided:

- `GET /api/vendors/{id}/findings`: one vendor's, filtered by status, severity and source;
- `GET /api/tprm/findings`: the tenant's, with the same filters and the vendor, paged and
  sortable (`severity` ranks critical first);
- `POST /api/vendor-findings/{id}/resolve` and `/accept`: an open finding is closed with a
  required reason (`tprm:manage`), audited. A closed finding answers 409.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from psycopg.rows import class_row

from api.access import Tx, tenant_scope
from api.problems import Problem, problem_responses
from api.schemas.vendor_profile import (
    FindingDecision,
    FindingOut,
    FindingSource,
    FindingStatus,
    Severity,
)
from api.types import Page
from api.vendors import require_vendor
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", tags=["vendor profile"], responses=problem_responses(404))
P = Permission
Reader = Annotated[Tx, tenant_scope(P.TPRM_READ)]
Manager = Annotated[Tx, tenant_scope(P.TPRM_MANAGE)]

_SELECT = """
select f.id, f.vendor_id, v.name as vendor_name, f.assessment_id, f.question_id, f.source,
       f.severity, f.title, f.detail, f.status, f.created_at, f.last_seen_at, f.resolved_at,
       f.resolved_by, (select coalesce(nullif(u.display_name, ''), u.email) from platform.users u
                       where u.id = f.resolved_by) as resolved_by_name, f.resolution
from tenant.vendor_finding f
join tenant.vendor v on v.tenant_id = f.tenant_id and v.id = f.vendor_id
"""
_WHERE = (
    " where (%(vendor)s::uuid is null or f.vendor_id = %(vendor)s::uuid)"
    " and (%(status)s::text is null or f.status = %(status)s)"
    " and (%(severity)s::text is null or f.severity = %(severity)s)"
    " and (%(source)s::text is null or f.source = %(source)s)"
)
_RANK = "case f.severity when 'critical' then 4 when 'high' then 3 when 'medium' then 2 else 1 end"
# Sort keys → fixed SQL (never built from the request); ties by newest, then id.
_ORDER: dict[str, str] = {
    "severity": f"{_RANK} desc",
    "-severity": f"{_RANK} asc",
    "created_at": "f.created_at asc",
    "-created_at": "f.created_at desc",
    "last_seen_at": "f.last_seen_at asc",
    "-last_seen_at": "f.last_seen_at desc",
    "vendor": "v.name asc",
    "-vendor": "v.name desc",
    "title": "f.title asc",
    "-title": "f.title desc",
}
FindingSort = Literal[
    "severity",
    "-severity",
    "created_at",
    "-created_at",
    "last_seen_at",
    "-last_seen_at",
    "vendor",
    "-vendor",
    "title",
    "-title",
]


def _page(tx: Tx, params: dict[str, Any], sort: str, limit: int, offset: int) -> Page[FindingOut]:
    order = f" order by {_ORDER[sort]}, f.created_at desc, f.id limit %(limit)s offset %(offset)s"
    items = (
        tx.conn.cursor(row_factory=class_row(FindingOut))
        .execute(_SELECT + _WHERE + order, {**params, "limit": limit, "offset": offset})
        .fetchall()
    )
    total = tx.conn.execute(
        "select count(*) from tenant.vendor_finding f" + _WHERE, params
    ).fetchone()
    return Page[FindingOut](
        items=items, total=int(total[0]) if total else 0, limit=limit, offset=offset
    )


@router.get("/vendors/{vendor_id}/findings", response_model=Page[FindingOut])
def vendor_findings(
    vendor_id: UUID,
    tx: Reader,
    status: FindingStatus | None = None,
    severity: Severity | None = None,
    source: FindingSource | None = None,
    sort: FindingSort = "severity",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[FindingOut]:
    """One vendor's findings, most severe first."""
    require_vendor(tx, vendor_id)
    params = {"vendor": vendor_id, "status": status, "severity": severity, "source": source}
    return _page(tx, params, sort, limit, offset)


@router.get("/tprm/findings", response_model=Page[FindingOut])
def tenant_findings(
    tx: Reader,
    status: FindingStatus | None = None,
    severity: Severity | None = None,
    source: FindingSource | None = None,
    vendor_id: UUID | None = None,
    sort: FindingSort = "severity",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[FindingOut]:
    """Every vendor's findings, most severe first by default."""
    params = {"vendor": vendor_id, "status": status, "severity": severity, "source": source}
    return _page(tx, params, sort, limit, offset)


def _decide(
    tx: Tx, finding_id: UUID, status: Literal["resolved", "accepted"], reason: str
) -> FindingOut:
    row = tx.conn.execute(
        "select vendor_id, status, severity, title from tenant.vendor_finding"
        " where id = %s for update",
        (finding_id,),
    ).fetchone()
    if row is None:
        raise Problem(404, "No such finding.")
    vendor_id, current, severity, title = row
    if current != "open":
        raise Problem(409, f"The finding is already {current}.")
    tx.conn.execute(
        "update tenant.vendor_finding set status = %s, resolved_at = now(), resolved_by = %s,"
        " resolution = %s where id = %s",
        (status, tx.principal.user_id, reason, finding_id),
    )
    tx.audit(
        {"resolved": "vendor_finding.resolve", "accepted": "vendor_finding.accept"}[status],
        target_type="vendor_finding",
        target_id=finding_id,
        vendor_id=str(vendor_id),
        severity=severity,
        title=title,
        reason=reason,
    )
    found = (
        tx.conn.cursor(row_factory=class_row(FindingOut))
        .execute(_SELECT + " where f.id = %s", (finding_id,))
        .fetchone()
    )
    assert found is not None
    return found


@router.post(
    "/vendor-findings/{finding_id}/resolve",
    response_model=FindingOut,
    responses=problem_responses(409, 422),
)
def resolve_finding(finding_id: UUID, body: FindingDecision, tx: Manager) -> FindingOut:
    """Close an open finding as fixed, with what was done."""
    return _decide(tx, finding_id, "resolved", body.reason)


@router.post(
    "/vendor-findings/{finding_id}/accept",
    response_model=FindingOut,
    responses=problem_responses(409, 422),
)
def accept_finding(finding_id: UUID, body: FindingDecision, tx: Manager) -> FindingOut:
    """Close an open finding as an accepted risk, with why it is acceptable."""
    return _decide(tx, finding_id, "accepted", body.reason)
