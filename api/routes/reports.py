"""Board reports: list, generate now, download — for a tenant, an MSP organization, a carrier.

`POST` queues a request row (`platform.board_report`); the pipeline's `board_reports_sensor`
sees it within seconds and the `board_reports` asset renders it. Lists show each report's
status truthfully (queued, running, done, failed with its reason). Each row is visible only
under its owner's scope (RLS, migration 0014): a tenant sees its own reports, a master admin
its organization's, a carrier user its carrier's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Response
from psycopg.rows import class_row
from pydantic import BaseModel

from api.access import Tx, carrier_scope, org_scope, tenant_scope
from api.problems import Problem, problem_responses
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", tags=["reports"], responses=problem_responses(404))
P = Permission
TenantReader = Annotated[Tx, tenant_scope(P.DASHBOARD_READ)]
OrgReader = Annotated[Tx, org_scope(P.ORG_READ)]
CarrierReader = Annotated[Tx, carrier_scope(P.CARRIER_READ)]


class Report(BaseModel):
    id: UUID
    kind: Literal["tenant", "org", "carrier"]
    title: str
    period: str
    status: Literal["queued", "running", "done", "failed"]
    requested_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    pages: int | None
    size_bytes: int | None


_LIST = (
    "select id, kind, title, period, status, requested_at, started_at, finished_at, error,"
    " pages, octet_length(pdf) as size_bytes from platform.board_report"
    " where kind = %s and {column} = %s order by requested_at desc limit 100"
)
_COLUMN = {"tenant": "tenant_id", "org": "organization_id", "carrier": "carrier_id"}


def _list(tx: Tx, kind: str, owner: UUID) -> list[Report]:
    query = _LIST.format(column=_COLUMN[kind])
    return tx.conn.cursor(row_factory=class_row(Report)).execute(query, (kind, owner)).fetchall()


def _queue(tx: Tx, kind: str, owner: UUID, title: str) -> Report:
    row = tx.conn.execute(
        f"insert into platform.board_report (kind, {_COLUMN[kind]}, title, period,"
        " requested_by) values (%s, %s, %s, to_char(now(), 'YYYY-MM'), %s) returning id",
        (kind, owner, title, tx.principal.user_id),
    ).fetchone()
    assert row is not None
    tx.audit("report.requested", target_type="board_report", target_id=row[0], kind=kind)
    return next(r for r in _list(tx, kind, owner) if r.id == row[0])


def _pdf(tx: Tx, report_id: UUID, kind: str, owner: UUID) -> Response:
    row = tx.conn.execute(
        f"select pdf, title, period from platform.board_report"
        f" where id = %s and kind = %s and {_COLUMN[kind]} = %s",
        (report_id, kind, owner),
    ).fetchone()
    if row is None:
        raise Problem(404, "No such report.")
    if row[0] is None:
        raise Problem(409, "This report is not ready yet: see its status in the list.")
    name = f"draxis-{kind}-report-{row[2]}.pdf"
    return Response(
        bytes(row[0]),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _tenant(tx: Tx) -> UUID:
    assert tx.principal.tenant_id is not None  # tenant_scope guarantees one
    return tx.principal.tenant_id


def _carrier(tx: Tx) -> UUID:
    assert tx.principal.carrier_id is not None  # carrier_scope guarantees one
    return tx.principal.carrier_id


PDF = {200: {"content": {"application/pdf": {}}}, **problem_responses(409)}


@router.get("/reports", response_model=list[Report])
def tenant_reports(tx: TenantReader) -> list[Report]:
    return _list(tx, "tenant", _tenant(tx))


@router.post("/reports", response_model=Report, status_code=202)
def generate_tenant_report(tx: TenantReader) -> Report:
    """Queue this month's board report for the caller's tenant; the pipeline renders it."""
    name = tx.conn.execute(
        "select name from platform.tenants where id = %s", (_tenant(tx),)
    ).fetchone()
    return _queue(tx, "tenant", _tenant(tx), name[0] if name else "Tenant")


@router.get("/reports/{report_id}/pdf", response_class=Response, responses=PDF)
def tenant_report_pdf(report_id: UUID, tx: TenantReader) -> Response:
    return _pdf(tx, report_id, "tenant", _tenant(tx))


@router.get("/orgs/{org_id}/reports", response_model=list[Report])
def org_reports(org_id: UUID, tx: OrgReader) -> list[Report]:
    return _list(tx, "org", org_id)


@router.post("/orgs/{org_id}/reports", response_model=Report, status_code=202)
def generate_org_report(org_id: UUID, tx: OrgReader) -> Report:
    """Queue this month's report over the organization's tenants."""
    name = tx.conn.execute(
        "select name from platform.organizations where id = %s", (org_id,)
    ).fetchone()
    return _queue(tx, "org", org_id, name[0] if name else "Organization")


@router.get("/orgs/{org_id}/reports/{report_id}/pdf", response_class=Response, responses=PDF)
def org_report_pdf(org_id: UUID, report_id: UUID, tx: OrgReader) -> Response:
    return _pdf(tx, report_id, "org", org_id)


@router.get("/carrier/reports", response_model=list[Report])
def carrier_reports(tx: CarrierReader) -> list[Report]:
    return _list(tx, "carrier", _carrier(tx))


@router.post("/carrier/reports", response_model=Report, status_code=202)
def generate_carrier_report(tx: CarrierReader) -> Report:
    """Queue this month's report over the carrier's book of consenting insureds."""
    name = tx.conn.execute(
        "select name from carrier.carriers where id = %s", (_carrier(tx),)
    ).fetchone()
    return _queue(tx, "carrier", _carrier(tx), name[0] if name else "Carrier")


@router.get("/carrier/reports/{report_id}/pdf", response_class=Response, responses=PDF)
def carrier_report_pdf(report_id: UUID, tx: CarrierReader) -> Response:
    return _pdf(tx, report_id, "carrier", _carrier(tx))
