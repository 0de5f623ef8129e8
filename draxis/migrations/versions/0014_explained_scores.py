"""Explained scores, trends for every scope, board reports, and colours saved with thresholds.

- `tenant.risk_contribution`: each linked KRI's and control's part of a risk's score
  (`assets.posture.contributions`), written by the `risk_posture` asset in the same batch
  transaction as `tenant.risk_posture`. RLS like every tenant table plus `pipeline_batch`.
- The MSP organization page reads its tenants' risks and risk postures (heat map, with titles
  for click-through) and posture history (trend) under the audited org scope, as it already
  reads `tenant_posture`; a master admin may impersonate these tenants anyway.
- A carrier reads the posture history of the tenants whose consent stands (a chart per insured
  tenant), nothing else of theirs.
- `platform.board_report`: a PDF board report for a tenant, an MSP organization or a carrier
  portfolio. A row is first a request (`queued`, by a user or the monthly schedule), then the
  pipeline's report asset renders it (`running` → `done` with the PDF, or `failed` with the
  reason). Each row is visible only under its owner's scope (or the platform scope, in which the
  pipeline's sensor finds queued requests); the PDF is capped at 5 MB.
- The app may upsert `tenant.kri_status`: saving a KRI's thresholds recolours it at once with
  the pipeline's own rule (`draxis.kri_colour`), in the same transaction as the save.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
set lock_timeout = '5s';

create table tenant.risk_contribution (
    tenant_id       uuid not null,
    risk_id         uuid not null,
    item_kind       text not null check (item_kind in ('kri', 'control')),
    item_id         uuid not null,
    state           text not null check (state in ('green', 'amber', 'red', 'stale', 'no_data',
                    'effective', 'partial', 'ineffective', 'not_implemented')),
    worst_points    double precision not null check (worst_points between 0 and 100),
    mean_points     double precision not null check (mean_points between 0 and 100),
    gap_points      double precision not null check (gap_points between 0 and 100),
    contribution    double precision not null check (contribution between 0 and 100),
    computed_at     timestamptz not null default now(),
    primary key (tenant_id, risk_id, item_kind, item_id),
    foreign key (tenant_id, risk_id) references tenant.risk (tenant_id, id) on delete cascade
);
alter table tenant.risk_contribution enable row level security;
alter table tenant.risk_contribution force row level security;
create policy tenant_isolation on tenant.risk_contribution
    using (tenant_id = (select platform.current_tenant_id()))
    with check (tenant_id = (select platform.current_tenant_id()));
create policy pipeline_batch on tenant.risk_contribution to draxis_pipeline
    using (tenant_id = any ((select platform.current_tenant_ids())::uuid[]))
    with check (tenant_id = any ((select platform.current_tenant_ids())::uuid[]));
grant select on tenant.risk_contribution to draxis_app;
grant select, insert, delete on tenant.risk_contribution to draxis_pipeline;

create policy org_reads_risk_posture on tenant.risk_posture for select
    using ((select platform.current_scope()) in ('org', 'platform')
           and tenant_id in (select t.id from platform.tenants t));
create policy org_reads_risk on tenant.risk for select
    using ((select platform.current_scope()) = 'org'
           and tenant_id in (select t.id from platform.tenants t));
create policy org_reads_history on tenant.posture_history for select
    using ((select platform.current_scope()) = 'org'
           and tenant_id in (select t.id from platform.tenants t));
create policy carrier_reads_history on tenant.posture_history for select
    using ((select platform.current_scope()) = 'carrier'
           and exists (select 1 from carrier.insured_tenants i
                       where i.carrier_id = (select platform.current_carrier_id())
                         and i.tenant_id = posture_history.tenant_id
                         and i.revoked_at is null));

create table platform.board_report (
    id              uuid primary key default gen_random_uuid(),
    kind            text not null check (kind in ('tenant', 'org', 'carrier')),
    tenant_id       uuid references platform.tenants (id),
    organization_id uuid references platform.organizations (id),
    carrier_id      uuid references carrier.carriers (id),
    title           text not null check (length(title) between 1 and 200),
    period          text not null check (period ~ '^\d{4}-(0[1-9]|1[0-2])$'),
    status          text not null default 'queued'
                    check (status in ('queued', 'running', 'done', 'failed')),
    requested_by    uuid references platform.users (id) on delete set null,
    requested_at    timestamptz not null default now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    error           text check (length(error) <= 2000),
    pdf             bytea check (octet_length(pdf) <= 5242880),
    pages           integer check (pages > 0),
    check ((kind = 'tenant') = (tenant_id is not null)),
    check ((kind = 'org') = (organization_id is not null)),
    check ((kind = 'carrier') = (carrier_id is not null)),
    check ((status = 'done') = (pdf is not null))
);
create index board_report_tenant on platform.board_report (tenant_id, requested_at desc);
create index board_report_org on platform.board_report (organization_id, requested_at desc);
create index board_report_carrier on platform.board_report (carrier_id, requested_at desc);
create index board_report_queued on platform.board_report (requested_at) where status = 'queued';
alter table platform.board_report enable row level security;
alter table platform.board_report force row level security;
create policy report_owner on platform.board_report
    using ((kind = 'tenant' and tenant_id = (select platform.current_tenant_id()))
           or (kind = 'org' and (select platform.current_scope()) = 'org'
               and organization_id = (select platform.current_org_id()))
           or (kind = 'carrier' and carrier_id = (select platform.current_carrier_id()))
           or (select platform.current_scope()) = 'platform')
    with check ((kind = 'tenant' and tenant_id = (select platform.current_tenant_id()))
           or (kind = 'org' and (select platform.current_scope()) = 'org'
               and organization_id = (select platform.current_org_id()))
           or (kind = 'carrier' and carrier_id = (select platform.current_carrier_id()))
           or (select platform.current_scope()) = 'platform');
grant select (id, kind, tenant_id, organization_id, carrier_id, title, period, status, requested_by,
              requested_at, started_at, finished_at, error, pdf, pages) on platform.board_report
    to draxis_app;
grant insert (kind, tenant_id, organization_id, carrier_id, title, period, requested_by)
    on platform.board_report to draxis_app;
grant select, insert on platform.board_report to draxis_pipeline;
grant update (status, started_at, finished_at, error, pdf, pages) on platform.board_report
    to draxis_pipeline;

grant insert, update on tenant.kri_status to draxis_app;
"""


def upgrade() -> None:
    run_script(SCHEMA)
