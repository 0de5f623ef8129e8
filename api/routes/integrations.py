"""Integrations: the connector catalog and a tenant's sources (create, read, change, delete).

Test lives in `api.routes.integrations_probe`, Run now and run history in
`api.routes.integrations_runs`; the shapes they share in `api.sources`.

Credentials go in once and never come back out: they are sealed on the source row (AES-256-GCM,
bound to tenant and source) and only the names of the fields that are set are returned. Test runs
the connector's probe in-process with a 10 s limit; Run now only records a request, which a
Dagster sensor turns into a run within seconds — the web tier never runs a connector.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from uuid import UUID

import psycopg
from fastapi import APIRouter, Response
from psycopg.rows import class_row
from pydantic import Field

from api.access import Tx, tenant_scope
from api.bulk import MAX_IDS, BulkIds, each
from api.deps import SettingsDep
from api.problems import Problem, problem_responses
from api.sources import (
    FIRST_PARTY_TYPES,
    SOURCE_SQL,
    CatalogEntry,
    ConfigFieldOut,
    KriSpecOut,
    SourceIn,
    SourceOut,
    SourcePatch,
    connector_or_422,
    form_problem,
    open_or_409,
    source_or_404,
    tenant_id_of,
)
from api.types import Strict
from connectors.base import Connector
from connectors.credentials import seal_credentials
from connectors.registry import REGISTRY
from connectors.source_form import SourceFormError, validate_source_form
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", tags=["integrations"], responses=problem_responses(409))
P = Permission
Reader = Annotated[Tx, tenant_scope(P.INTEGRATIONS_READ)]
Manager = Annotated[Tx, tenant_scope(P.INTEGRATIONS_MANAGE)]


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


@router.get("/integrations/catalog", response_model=list[CatalogEntry])
def catalog(
    tx: Reader,
) -> list[CatalogEntry]:
    """Every connector this deployment can run, with its form fields and the KRIs it produces."""
    return [_entry(c) for _, c in sorted(REGISTRY.items())]


@router.get("/sources", response_model=list[SourceOut])
def list_sources(
    tx: Reader,
) -> list[SourceOut]:
    cur = tx.conn.cursor(row_factory=class_row(SourceOut))
    return cur.execute(SOURCE_SQL + " order by s.name, s.id").fetchall()


@router.get("/sources/{source_id}", response_model=SourceOut)
def get_source(source_id: UUID, tx: Reader) -> SourceOut:
    return source_or_404(tx, source_id)


@router.post("/sources", response_model=SourceOut, status_code=201)
def create_source(
    body: SourceIn,
    tx: Manager,
    settings: SettingsDep,
) -> SourceOut:
    """Add a source. Its connector's KRIs that the tenant does not have yet are created with the
    connector's default thresholds and wired to it; a scheduled source is due at once."""
    connector = connector_or_422(body.vendor_id)
    if connector.source_type in FIRST_PARTY_TYPES and body.schedule != "manual":
        raise Problem(
            422,
            f"{connector.display_name} sources run when values arrive: their schedule is manual.",
            errors={"schedule": "must be manual"},
        )
    try:
        form = validate_source_form(connector, body.config, body.credentials)
    except SourceFormError as exc:
        raise form_problem(exc) from None
    tenant_id = tenant_id_of(tx)
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
    return source_or_404(tx, source_id)


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
    tx: Manager,
    settings: SettingsDep,
) -> SourceOut:
    current = source_or_404(tx, source_id)
    connector = connector_or_422(current.vendor_id)
    tenant_id = tenant_id_of(tx)
    config = {**current.config, **(body.config or {})}
    try:
        form = validate_source_form(
            connector, config, body.credentials or {}, stored_secrets=set(current.credentials_set)
        )
    except SourceFormError as exc:
        raise form_problem(exc) from None
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
        stored = open_or_409(settings, tenant_id, source_id, sealed[0] if sealed else None)
        _store_credentials(tx, settings, tenant_id, source_id, {**stored, **form.credentials})
    tx.audit(
        "source.update",
        target_type="kri_source",
        target_id=source_id,
        **changes,
        config=form.config if body.config is not None else None,
        credentials_replaced=sorted(form.credentials),
    )
    return source_or_404(tx, source_id)


@router.delete("/sources/{source_id}", status_code=204)
def delete_source(source_id: UUID, tx: Manager) -> Response:
    """Remove a source and its run records; its KRIs and their history stay (unwired)."""
    current = source_or_404(tx, source_id)
    tx.conn.execute("delete from tenant.kri_source where id = %s", (source_id,))
    tx.audit(
        "source.delete",
        target_type="kri_source",
        target_id=source_id,
        vendor_id=current.vendor_id,
        name=current.name,
    )
    return Response(status_code=204)


@router.post("/sources/bulk-delete", status_code=204, responses=problem_responses(403, 404))
def bulk_delete_sources(body: BulkIds, tx: Manager) -> Response:
    """Remove several sources in one transaction, each as `DELETE /sources/{id}` does; an
    unknown id refuses the lot and nothing is removed."""
    each(body.ids, lambda source_id: delete_source(source_id, tx))
    return Response(status_code=204)


class BulkEnabled(Strict):
    """Enable or disable these sources together: all of them, or none."""

    ids: list[UUID] = Field(min_length=1, max_length=MAX_IDS)
    enabled: bool


def _set_enabled(tx: Tx, source_id: UUID, enabled: bool) -> SourceOut:
    """`PATCH /sources/{id}` with only `enabled`: the same write and the same audit entry."""
    current = source_or_404(tx, source_id)
    if current.enabled != enabled:
        tx.conn.execute(
            "update tenant.kri_source set enabled = %s, updated_at = now() where id = %s",
            (enabled, source_id),
        )
        tx.audit("source.update", target_type="kri_source", target_id=source_id, enabled=enabled)
    return source_or_404(tx, source_id)


@router.post(
    "/sources/bulk-enabled", response_model=list[SourceOut], responses=problem_responses(403, 404)
)
def bulk_enable_sources(body: BulkEnabled, tx: Manager) -> list[SourceOut]:
    """Enable (or disable) several sources in one transaction; all or none."""
    return each(body.ids, lambda source_id: _set_enabled(tx, source_id, body.enabled))
