"""The dashboard's document, stored with the rollups that feed it.

`GET /api/dashboard` ran five queries and validated ~40 tiles through pydantic per request:
133–269 requests/s at 32 clients on the 1,000-tenant book (issue 13). The pipeline now stores
each tenant's document (`draxis.dashboard_document.refresh_dashboards`, at the end of the
`kri_status` and `tenant_posture` transactions) and the API serves it with one indexed read
while it is current.

- `body` is the JSON text (type `json`, so the text is kept as built, keys in order) of
  `api.routes.dashboard.Dashboard` minus `tenant` and `generated_at`, which are added at read
  time (a pipeline batch cannot read `platform.tenants`).
- `model_revision`, `status_at`, `posture_at`, `sources_key`: what it was built from. The API
  serves it only while all four still match the tenant's rows; otherwise it builds the same
  document live in its read-only transaction.
- RLS like every tenant table (`tenant_isolation`), plus `pipeline_batch` for `draxis_pipeline`
  (migration 0009): the refresh runs in a batch's transaction too.
- The pipeline may read, insert and update (the upsert); the app may only read.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
create table tenant.dashboard_document (
    tenant_id       uuid primary key references platform.tenants (id),
    body            json not null,
    model_revision  bigint not null,
    status_at       timestamptz,
    posture_at      timestamptz,
    sources_key     text not null,
    computed_at     timestamptz not null default now()
);
alter table tenant.dashboard_document enable row level security;
alter table tenant.dashboard_document force row level security;
create policy tenant_isolation on tenant.dashboard_document
    using (tenant_id = (select platform.current_tenant_id()))
    with check (tenant_id = (select platform.current_tenant_id()));
create policy pipeline_batch on tenant.dashboard_document to draxis_pipeline
    using (tenant_id = any ((select platform.current_tenant_ids())::uuid[]))
    with check (tenant_id = any ((select platform.current_tenant_ids())::uuid[]));

grant select on tenant.dashboard_document to draxis_app;
grant select, insert, update on tenant.dashboard_document to draxis_pipeline;
"""


def upgrade() -> None:
    run_script(SCHEMA)
