"""Run now and run history: a request the Dagster run-now sensor turns into a run within
seconds (the web tier never runs a connector), and the source's `source_run` records."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import psycopg
from fastapi import APIRouter, Query
from psycopg.rows import class_row

from api.access import Tx, tenant_scope
from api.bulk import BulkIds, each
from api.problems import Problem, problem_responses
from api.sources import (
    FIRST_PARTY_TYPES,
    REQUEST_SQL,
    RUN_SQL,
    RunOut,
    RunRequestOut,
    source_or_404,
    tenant_id_of,
)
from api.types import Page
from draxis.security.permissions import Permission
from draxis.telemetry.propagation import current_traceparent

router = APIRouter(prefix="/api", tags=["integrations"], responses=problem_responses(409))
P = Permission
Reader = Annotated[Tx, tenant_scope(P.INTEGRATIONS_READ)]
Manager = Annotated[Tx, tenant_scope(P.INTEGRATIONS_MANAGE)]


@router.post("/sources/{source_id}/run", response_model=RunRequestOut, status_code=202)
def run_source(source_id: UUID, tx: Manager) -> RunRequestOut:
    """Ask for a run now. A Dagster sensor launches it within seconds; poll the request."""
    current = source_or_404(tx, source_id)
    if not current.enabled:
        raise Problem(409, "This source is disabled; enable it before running it.")
    if current.source_type in FIRST_PARTY_TYPES:
        raise Problem(409, "This source runs when values arrive; send values instead.")
    open_request = tx.conn.execute(
        "select 1 from tenant.run_request where source_id = %s"
        " and status in ('pending', 'launched')",
        (source_id,),
    ).fetchone()
    if open_request is not None:
        raise Problem(409, "A run of this source is already pending or running.")
    try:
        with tx.conn.transaction():
            row = tx.conn.execute(
                "insert into tenant.run_request (tenant_id, source_id, requested_by, traceparent)"
                " values (%s, %s, %s, %s) returning id",
                # The run the sensor launches joins this request's trace.
                (tenant_id_of(tx), source_id, tx.principal.user_id, current_traceparent()),
            ).fetchone()
    except psycopg.errors.UniqueViolation:
        raise Problem(409, "A run of this source is already pending or running.") from None
    assert row is not None
    tx.audit("source.run_now", target_type="kri_source", target_id=source_id, request=str(row[0]))
    return _request(tx, UUID(str(row[0])))


@router.post(
    "/sources/bulk-run",
    response_model=list[RunRequestOut],
    status_code=202,
    responses=problem_responses(403, 404),
)
def bulk_run_sources(body: BulkIds, tx: Manager) -> list[RunRequestOut]:
    """Ask for a run of several sources at once, each as `POST /sources/{id}/run` does; one
    that may not run now (disabled, push-fed, already pending) refuses the lot."""
    return each(body.ids, lambda source_id: run_source(source_id, tx))


def _request(tx: Tx, request_id: UUID) -> RunRequestOut:
    cur = tx.conn.cursor(row_factory=class_row(RunRequestOut))
    found = cur.execute(REQUEST_SQL + " where id = %s", (request_id,)).fetchone()
    if found is None:
        raise Problem(404, "No such run request.")
    return found


@router.get("/run-requests/{request_id}", response_model=RunRequestOut)
def get_run_request(request_id: UUID, tx: Reader) -> RunRequestOut:
    return _request(tx, request_id)


@router.get("/sources/{source_id}/runs", response_model=Page[RunOut])
def source_runs(
    source_id: UUID,
    tx: Reader,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[RunOut]:
    """The source's runs, newest first."""
    source_or_404(tx, source_id)
    total = tx.conn.execute(
        "select count(*) from tenant.source_run where source_id = %s", (source_id,)
    ).fetchone()
    cur = tx.conn.cursor(row_factory=class_row(RunOut))
    items = cur.execute(
        RUN_SQL + " where source_id = %s order by started_at desc, id limit %s offset %s",
        (source_id, limit, offset),
    ).fetchall()
    return Page[RunOut](
        items=items, total=int(total[0]) if total else 0, limit=limit, offset=offset
    )


@router.get("/runs/{run_id}", response_model=RunOut)
def get_run(run_id: UUID, tx: Reader) -> RunOut:
    cur = tx.conn.cursor(row_factory=class_row(RunOut))
    found = cur.execute(RUN_SQL + " where id = %s", (run_id,)).fetchone()
    if found is None:
        raise Problem(404, "No such run.")
    return found
