"""Integrations: the connector catalog, a tenant's sources, Test, Run now, and run history.

Credentials go in once and never come back out: they are sealed on the source row (AES-256-GCM,
bound to tenant and source) and only the names of the fields that are set are returned. Test runs
the connector's probe in-process with a 10 s limit; Run now only records a request, which a
Dagster sensor turns into a run within seconds — the web tier never runs a connector.
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
import time
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import psycopg
from fastapi import APIRouter, Depends, Query, Response
from psycopg.rows import class_row
from pydantic import BaseModel, ConfigDict, Field

from api.access import TenantWork, Tx, tenant_access, tenant_work
from api.crud import Page
from api.deps import SettingsDep
from api.identity_models import Strict
from api.patch_body import PatchBody
from api.problems import Problem, problem_responses
from connectors.base import Connector
from connectors.credentials import open_credentials, seal_credentials
from connectors.errors import ConnectorError
from connectors.registry import REGISTRY
from connectors.runtime import connector_context
from connectors.source_form import SourceFormError, validate_source_form
from draxis.kri import Direction
from draxis.security.crypto import SealError
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", tags=["integrations"], responses=problem_responses(409))
P = Permission
log = logging.getLogger("draxis.integrations")

TEST_TIMEOUT_SECONDS = 10.0
# Probes run here, bounded: a vendor that hangs past its timeouts cannot exhaust the API's threads.
_PROBES = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="probe")
# First-party sources run when values arrive, never on a schedule.
FIRST_PARTY_TYPES = ("external_push", "artifact", "manual")

Schedule = Literal["hourly", "daily", "weekly", "manual"]


class ConfigFieldOut(BaseModel):
    name: str
    label: str
    kind: str
    required: bool
    secret: bool
    help: str
    default: str | None
    choices: list[str]


class KriSpecOut(BaseModel):
    slug: str
    name: str
    unit: str
    direction: Direction
    warn: float
    critical: float
    formula: str


class CatalogEntry(BaseModel):
    vendor_id: str
    display_name: str
    source_type: str
    auth_type: str
    base_url: str | None
    config_fields: list[ConfigFieldOut]
    kris: list[KriSpecOut]


def _entry(c: Connector) -> CatalogEntry:
    return CatalogEntry(
        vendor_id=c.vendor_id,
        display_name=c.display_name,
        source_type=c.source_type,
        auth_type=c.auth_type,
        base_url=c.base_url,
        config_fields=[
            ConfigFieldOut(
                name=f.name,
                label=f.label,
                kind=f.kind,
                required=f.required,
                secret=f.secret,
                help=f.help,
                default=f.default,
                choices=list(f.choices),
            )
            for f in c.config_fields
        ],
        kris=[
            KriSpecOut(
                slug=k.slug,
                name=k.name,
                unit=k.unit,
                direction=k.direction,
                warn=k.warn,
                critical=k.critical,
                formula=k.formula,
            )
            for k in c.kris
        ],
    )


class SourceIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "vendor_id": "okta",
                    "name": "Okta (production)",
                    "schedule": "daily",
                    "config": {"org_url": "https://acme.okta.com"},
                    "credentials": {"api_token": "00a…"},
                }
            ]
        },
    )
    vendor_id: str = Field(min_length=2, max_length=63)
    name: str = Field(min_length=1, max_length=200)
    schedule: Schedule = "daily"
    enabled: bool = True
    config: dict[str, Any] = Field(default_factory=dict)
    credentials: dict[str, str] = Field(default_factory=dict)


class SourcePatch(PatchBody):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    schedule: Schedule | None = None
    enabled: bool | None = None
    config: dict[str, Any] | None = None
    # Only the secrets to replace; the others stay as they are.
    credentials: dict[str, str] | None = None


class SourceOut(BaseModel):
    id: UUID
    vendor_id: str
    source_type: str
    name: str
    schedule: str
    enabled: bool
    config: dict[str, Any]
    credentials_set: list[str]
    next_run_at: datetime | None
    last_run_at: datetime | None
    last_run_status: str | None
    consecutive_failures: int
    backoff_until: datetime | None
    kri_count: int
    created_at: datetime
    updated_at: datetime


class ProbeOut(BaseModel):
    ok: bool
    message: str
    elapsed_ms: int


class RunRequestOut(BaseModel):
    id: UUID
    source_id: UUID
    status: str
    requested_at: datetime
    launched_at: datetime | None
    finished_at: datetime | None
    dagster_run_id: str | None
    source_run_id: UUID | None
    error: str | None


class RunOut(BaseModel):
    id: UUID
    source_id: UUID
    trigger: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    rows_written: int
    rows_skipped: int
    items_fetched: int
    warnings: list[str]
    items_summary: dict[str, Any]
    error: str | None
    fetch_ms: int | None
    write_ms: int | None
    dagster_run_id: str | None
    request_id: UUID | None


_SOURCE = """
select s.id, s.vendor_id, s.source_type, s.name, s.schedule, s.enabled, s.config,
       s.credential_names as credentials_set, s.next_run_at, s.last_run_at, s.last_run_status,
       s.consecutive_failures, s.backoff_until,
       (select count(*) from tenant.kri k where k.source_id = s.id) as kri_count,
       s.created_at, s.updated_at
from tenant.kri_source s
"""
_RUN = """
select id, source_id, trigger, status, started_at, finished_at, rows_written, rows_skipped,
       items_fetched, warnings, items_summary, error, fetch_ms, write_ms, dagster_run_id,
       request_id
from tenant.source_run
"""
_REQUEST = """
select id, source_id, status, requested_at, launched_at, finished_at, dagster_run_id,
       source_run_id, error
from tenant.run_request
"""


def _connector(vendor_id: str) -> Connector:
    connector = REGISTRY.get(vendor_id)
    if connector is None:
        raise Problem(422, f"There is no connector {vendor_id!r}; see /api/integrations/catalog.")
    return connector


def _tenant_id(tx: Tx) -> UUID:
    tenant_id = tx.principal.tenant_id
    assert tenant_id is not None  # tenant_access guarantees it
    return tenant_id


def _source(tx: Tx, source_id: UUID) -> SourceOut:
    cur = tx.conn.cursor(row_factory=class_row(SourceOut))
    found = cur.execute(_SOURCE + " where s.id = %s", (source_id,)).fetchone()
    if found is None:
        raise Problem(404, "No such source.")
    return found


def _form_problem(exc: SourceFormError) -> Problem:
    return Problem(422, f"The source's settings are not valid: {exc}.", errors=exc.errors)


@router.get("/integrations/catalog", response_model=list[CatalogEntry])
def catalog(
    tx: Annotated[Tx, Depends(tenant_access(P.INTEGRATIONS_READ))],
) -> list[CatalogEntry]:
    """Every connector this deployment can run, with its form fields and the KRIs it produces."""
    return [_entry(c) for _, c in sorted(REGISTRY.items())]


@router.get("/sources", response_model=list[SourceOut])
def list_sources(
    tx: Annotated[Tx, Depends(tenant_access(P.INTEGRATIONS_READ))],
) -> list[SourceOut]:
    cur = tx.conn.cursor(row_factory=class_row(SourceOut))
    return cur.execute(_SOURCE + " order by s.name, s.id").fetchall()


@router.get("/sources/{source_id}", response_model=SourceOut)
def get_source(
    source_id: UUID, tx: Annotated[Tx, Depends(tenant_access(P.INTEGRATIONS_READ))]
) -> SourceOut:
    return _source(tx, source_id)


@router.post("/sources", response_model=SourceOut, status_code=201)
def create_source(
    body: SourceIn,
    tx: Annotated[Tx, Depends(tenant_access(P.INTEGRATIONS_MANAGE))],
    settings: SettingsDep,
) -> SourceOut:
    """Add a source. Its connector's KRIs that the tenant does not have yet are created with the
    connector's default thresholds and wired to it; a scheduled source is due at once."""
    connector = _connector(body.vendor_id)
    if connector.source_type in FIRST_PARTY_TYPES and body.schedule != "manual":
        raise Problem(
            422,
            f"{connector.display_name} sources run when values arrive: their schedule is manual.",
            errors={"schedule": "must be manual"},
        )
    try:
        form = validate_source_form(connector, body.config, body.credentials)
    except SourceFormError as exc:
        raise _form_problem(exc) from None
    tenant_id = _tenant_id(tx)
    try:
        with tx.conn.transaction():
            row = tx.conn.execute(
                "insert into tenant.kri_source (tenant_id, source_type, vendor_id, name, schedule,"
                " enabled, config, next_run_at) values (%s, %s, %s, %s, %s, %s, %s,"
                " case when %s <> 'manual' then now() end) returning id",
                (
                    tenant_id,
                    connector.source_type,
                    connector.vendor_id,
                    body.name,
                    body.schedule,
                    body.enabled,
                    json.dumps(form.config),
                    body.schedule,
                ),
            ).fetchone()
    except psycopg.errors.UniqueViolation:
        raise Problem(409, f"This tenant already has a {connector.display_name} source.") from None
    assert row is not None
    source_id = UUID(str(row[0]))
    _store_credentials(tx, settings, tenant_id, source_id, form.credentials)
    wired = _wire_kris(tx, tenant_id, source_id, connector)
    tx.audit(
        "source.create",
        target_type="kri_source",
        target_id=source_id,
        vendor_id=connector.vendor_id,
        name=body.name,
        schedule=body.schedule,
        config=form.config,
        credentials_set=sorted(form.credentials),
        kris_wired=wired,
    )
    return _source(tx, source_id)


def _store_credentials(
    tx: Tx, settings: SettingsDep, tenant_id: UUID, source_id: UUID, values: dict[str, str]
) -> None:
    tx.conn.execute(
        "update tenant.kri_source set credentials = %s, credential_names = %s,"
        " updated_at = now() where id = %s",
        (
            seal_credentials(settings, tenant_id, source_id, values),
            sorted(values),
            source_id,
        ),
    )


def _wire_kris(tx: Tx, tenant_id: UUID, source_id: UUID, connector: Connector) -> list[str]:
    """Create the connector's KRIs the tenant lacks; wire unwired ones of the same slug."""
    wired: list[str] = []
    for spec in connector.kris:
        row = tx.conn.execute(
            "insert into tenant.kri (tenant_id, slug, name, description, unit, direction, warn,"
            " critical, source_id) values (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " on conflict (tenant_id, slug) do update set source_id = excluded.source_id,"
            " updated_at = now() where tenant.kri.source_id is null returning slug",
            (
                tenant_id,
                spec.slug,
                spec.name,
                spec.formula,
                spec.unit,
                spec.direction,
                spec.warn,
                spec.critical,
                source_id,
            ),
        ).fetchone()
        if row is not None:
            wired.append(str(row[0]))
    return wired


@router.patch("/sources/{source_id}", response_model=SourceOut)
def patch_source(
    source_id: UUID,
    body: SourcePatch,
    tx: Annotated[Tx, Depends(tenant_access(P.INTEGRATIONS_MANAGE))],
    settings: SettingsDep,
) -> SourceOut:
    current = _source(tx, source_id)
    connector = _connector(current.vendor_id)
    tenant_id = _tenant_id(tx)
    config = {**current.config, **(body.config or {})}
    try:
        form = validate_source_form(
            connector, config, body.credentials or {}, stored_secrets=set(current.credentials_set)
        )
    except SourceFormError as exc:
        raise _form_problem(exc) from None
    if current.source_type in FIRST_PARTY_TYPES and body.schedule not in (None, "manual"):
        raise Problem(
            422,
            "This source runs when values arrive: its schedule is manual.",
            errors={"schedule": "must be manual"},
        )
    changes: dict[str, Any] = {}
    for name in ("name", "schedule", "enabled"):
        value = getattr(body, name)
        if value is not None and value != getattr(current, name):
            changes[name] = value
    tx.conn.execute(
        "update tenant.kri_source set name = %s, schedule = %s, enabled = %s, config = %s,"
        " updated_at = now(),"
        " next_run_at = case when %s = 'manual' then null"
        "   when schedule <> %s or next_run_at is null then now() else next_run_at end"
        " where id = %s",
        (
            changes.get("name", current.name),
            changes.get("schedule", current.schedule),
            changes.get("enabled", current.enabled),
            json.dumps(form.config),
            changes.get("schedule", current.schedule),
            changes.get("schedule", current.schedule),
            source_id,
        ),
    )
    if form.credentials:
        sealed = tx.conn.execute(
            "select credentials from tenant.kri_source where id = %s", (source_id,)
        ).fetchone()
        stored = _open(settings, tenant_id, source_id, sealed[0] if sealed else None)
        _store_credentials(tx, settings, tenant_id, source_id, {**stored, **form.credentials})
    tx.audit(
        "source.update",
        target_type="kri_source",
        target_id=source_id,
        **changes,
        config=form.config if body.config is not None else None,
        credentials_replaced=sorted(form.credentials),
    )
    return _source(tx, source_id)


def _open(
    settings: SettingsDep, tenant_id: UUID, source_id: UUID, sealed: bytes | None
) -> dict[str, str]:
    try:
        return open_credentials(settings, tenant_id, source_id, sealed)
    except SealError:
        log.error("source credentials do not open", extra={"source_id": str(source_id)})
        raise Problem(
            409, "This source's stored credentials cannot be read; enter them again."
        ) from None


@router.delete("/sources/{source_id}", status_code=204)
def delete_source(
    source_id: UUID, tx: Annotated[Tx, Depends(tenant_access(P.INTEGRATIONS_MANAGE))]
) -> Response:
    """Remove a source and its run records; its KRIs and their history stay (unwired)."""
    current = _source(tx, source_id)
    tx.conn.execute("delete from tenant.kri_source where id = %s", (source_id,))
    tx.audit(
        "source.delete",
        target_type="kri_source",
        target_id=source_id,
        vendor_id=current.vendor_id,
        name=current.name,
    )
    return Response(status_code=204)


@router.post("/sources/{source_id}/test", response_model=ProbeOut)
def test_source(
    source_id: UUID,
    work: Annotated[TenantWork, Depends(tenant_work(P.INTEGRATIONS_MANAGE))],
    settings: SettingsDep,
) -> ProbeOut:
    """Probe the vendor with the stored settings (one cheap authenticated call), within 10 s.

    The probe waits on the network, so it runs between two short transactions (read the
    settings, then audit the outcome) and never holds one open.
    """
    with work.tx() as tx:
        current = _source(tx, source_id)
        row = tx.conn.execute(
            "select s.credentials, t.slug from tenant.kri_source s"
            " join platform.tenants t on t.id = s.tenant_id where s.id = %s",
            (source_id,),
        ).fetchone()
    assert row is not None
    connector = _connector(current.vendor_id)
    tenant_id = work.tenant_id
    ctx = connector_context(
        settings,
        tenant_id=tenant_id,
        tenant_slug=str(row[1]),
        source_id=source_id,
        config=current.config,
        credentials=_open(settings, tenant_id, source_id, row[0]),
        logger=log,
    )
    started = time.monotonic()
    future = _PROBES.submit(connector.test, ctx)
    try:
        result = future.result(timeout=TEST_TIMEOUT_SECONDS)
        ok, message = result.ok, result.message
    except concurrent.futures.TimeoutError:
        ok, message = (
            False,
            f"{connector.display_name} did not answer within {TEST_TIMEOUT_SECONDS:g} s.",
        )
    except ConnectorError as exc:
        ok, message = False, str(exc)
    except Exception:
        log.exception("connector test crashed", extra={"vendor_id": connector.vendor_id})
        ok, message = False, f"The {connector.display_name} connector failed unexpectedly."
    elapsed = int((time.monotonic() - started) * 1000)
    with work.tx() as tx:
        tx.audit(
            "source.test",
            target_type="kri_source",
            target_id=source_id,
            ok=ok,
            message=message[:500],
        )
    return ProbeOut(ok=ok, message=message, elapsed_ms=elapsed)


@router.post("/sources/{source_id}/run", response_model=RunRequestOut, status_code=202)
def run_source(
    source_id: UUID, tx: Annotated[Tx, Depends(tenant_access(P.INTEGRATIONS_MANAGE))]
) -> RunRequestOut:
    """Ask for a run now. A Dagster sensor launches it within seconds; poll the request."""
    current = _source(tx, source_id)
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
                "insert into tenant.run_request (tenant_id, source_id, requested_by)"
                " values (%s, %s, %s) returning id",
                (_tenant_id(tx), source_id, tx.principal.user_id),
            ).fetchone()
    except psycopg.errors.UniqueViolation:
        raise Problem(409, "A run of this source is already pending or running.") from None
    assert row is not None
    tx.audit("source.run_now", target_type="kri_source", target_id=source_id, request=str(row[0]))
    return _request(tx, UUID(str(row[0])))


def _request(tx: Tx, request_id: UUID) -> RunRequestOut:
    cur = tx.conn.cursor(row_factory=class_row(RunRequestOut))
    found = cur.execute(_REQUEST + " where id = %s", (request_id,)).fetchone()
    if found is None:
        raise Problem(404, "No such run request.")
    return found


@router.get("/run-requests/{request_id}", response_model=RunRequestOut)
def get_run_request(
    request_id: UUID, tx: Annotated[Tx, Depends(tenant_access(P.INTEGRATIONS_READ))]
) -> RunRequestOut:
    return _request(tx, request_id)


@router.get("/sources/{source_id}/runs", response_model=Page[RunOut])
def source_runs(
    source_id: UUID,
    tx: Annotated[Tx, Depends(tenant_access(P.INTEGRATIONS_READ))],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[RunOut]:
    """The source's runs, newest first."""
    _source(tx, source_id)
    total = tx.conn.execute(
        "select count(*) from tenant.source_run where source_id = %s", (source_id,)
    ).fetchone()
    cur = tx.conn.cursor(row_factory=class_row(RunOut))
    items = cur.execute(
        _RUN + " where source_id = %s order by started_at desc, id limit %s offset %s",
        (source_id, limit, offset),
    ).fetchall()
    return Page[RunOut](
        items=items, total=int(total[0]) if total else 0, limit=limit, offset=offset
    )


@router.get("/runs/{run_id}", response_model=RunOut)
def get_run(run_id: UUID, tx: Annotated[Tx, Depends(tenant_access(P.INTEGRATIONS_READ))]) -> RunOut:
    cur = tx.conn.cursor(row_factory=class_row(RunOut))
    found = cur.execute(_RUN + " where id = %s", (run_id,)).fetchone()
    if found is None:
        raise Problem(404, "No such run.")
    return found
