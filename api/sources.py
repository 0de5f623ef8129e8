"""Integrations' shared shapes: the bodies and answers of the catalog, source, Test and run
routes, the SQL that reads them, and the look-ups every integrations route makes (a connector
by vendor, a source by id, credentials opened)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from psycopg.rows import class_row
from pydantic import BaseModel, ConfigDict, Field

from api.access import Tx
from api.deps import SettingsDep
from api.patch_body import PatchBody
from api.problems import Problem
from api.types import Strict
from connectors.base import Connector
from connectors.credentials import open_credentials
from connectors.registry import REGISTRY
from connectors.source_form import SourceFormError
from draxis.kri import Direction
from draxis.security.crypto import SealError

log = logging.getLogger("draxis.integrations")

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
    schedule: Schedule
    enabled: bool
    config: dict[str, Any]
    credentials_set: list[str]
    next_run_at: datetime | None
    last_run_at: datetime | None
    last_run_status: Literal["succeeded", "failed"] | None
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
    source_name: str | None
    status: Literal["pending", "launched", "succeeded", "failed"]
    # What to show, truthfully: queued until the run has actually started (a launched request
    # whose run has not begun is still waiting), running, done, failed.
    phase: Literal["queued", "running", "done", "failed"]
    requested_at: datetime
    launched_at: datetime | None
    finished_at: datetime | None
    dagster_run_id: str | None
    source_run_id: UUID | None
    error: str | None


class RunOut(BaseModel):
    id: UUID
    source_id: UUID
    trigger: Literal["schedule", "run_now", "backfill", "push", "artifact", "manual"]
    status: Literal["running", "succeeded", "failed"]
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


SOURCE_SQL = """
select s.id, s.vendor_id, s.source_type, s.name, s.schedule, s.enabled, s.config,
       s.credential_names as credentials_set, s.next_run_at, s.last_run_at, s.last_run_status,
       s.consecutive_failures, s.backoff_until,
       (select count(*) from tenant.kri k where k.source_id = s.id) as kri_count,
       s.created_at, s.updated_at
from tenant.kri_source s
"""
RUN_SQL = """
select id, source_id, trigger, status, started_at, finished_at, rows_written, rows_skipped,
       items_fetched, warnings, items_summary, error, fetch_ms, write_ms, dagster_run_id,
       request_id
from tenant.source_run
"""
REQUEST_SQL = """
select id, source_id,
       (select s.name from tenant.kri_source s where s.id = run_request.source_id) as source_name,
       status,
       case when status = 'succeeded' then 'done' when status = 'failed' then 'failed'
            when status = 'launched' and source_run_id is not null then 'running'
            else 'queued' end as phase,
       requested_at, launched_at, finished_at, dagster_run_id, source_run_id, error
from tenant.run_request
"""


def connector_or_422(vendor_id: str) -> Connector:
    connector = REGISTRY.get(vendor_id)
    if connector is None:
        raise Problem(422, f"There is no connector {vendor_id!r}; see /api/integrations/catalog.")
    return connector


def tenant_id_of(tx: Tx) -> UUID:
    tenant_id = tx.principal.tenant_id
    assert tenant_id is not None  # tenant_access guarantees it
    return tenant_id


def source_or_404(tx: Tx, source_id: UUID) -> SourceOut:
    cur = tx.conn.cursor(row_factory=class_row(SourceOut))
    found = cur.execute(SOURCE_SQL + " where s.id = %s", (source_id,)).fetchone()
    if found is None:
        raise Problem(404, "No such source.")
    return found


def form_problem(exc: SourceFormError) -> Problem:
    return Problem(422, f"The source's settings are not valid: {exc}.", errors=exc.errors)


def open_or_409(
    settings: SettingsDep, tenant_id: UUID, source_id: UUID, sealed: bytes | None
) -> dict[str, str]:
    try:
        return open_credentials(settings, tenant_id, source_id, sealed)
    except SealError:
        log.error("source credentials do not open", extra={"source_id": str(source_id)})
        raise Problem(
            409, "This source's stored credentials cannot be read; enter them again."
        ) from None
