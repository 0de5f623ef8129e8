"""The carrier portfolio: daily posture history per tenant and the carriers' projected book.

`tenant.posture_history` keeps one row per tenant per day (the tenant_posture asset upserts
today's), which gives the portfolio its 30-day trend. `carrier.portfolio` holds, per carrier, one
row per insured tenant that granted consent: posture, trend, freshness — never findings,
credentials or panel content. It is written by the `carrier_portfolio` projection under each
carrier's scope and read by carrier users under theirs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
create table tenant.posture_history (
    tenant_id       uuid not null references platform.tenants (id),
    day             date not null,
    posture_score   double precision check (posture_score between 0 and 100),
    kri_count       integer not null check (kri_count >= 0),
    stale_share     double precision not null check (stale_share between 0 and 1),
    risks_critical  integer not null check (risks_critical >= 0),
    risks_high      integer not null check (risks_high >= 0),
    computed_at     timestamptz not null default now(),
    primary key (tenant_id, day)
);
alter table tenant.posture_history enable row level security;
alter table tenant.posture_history force row level security;
create policy tenant_isolation on tenant.posture_history
    using (tenant_id = (select platform.current_tenant_id())
           or (select platform.current_scope()) = 'platform')
    with check (tenant_id = (select platform.current_tenant_id()));

-- The projection reads tenant postures across tenants, in the (audited) platform scope.
create policy platform_reads_posture on tenant.tenant_posture for select
    using ((select platform.current_scope()) = 'platform');

create table carrier.portfolio (
    carrier_id          uuid not null references carrier.carriers (id),
    tenant_id           uuid not null references platform.tenants (id),
    tenant_name         text not null,
    posture_score       double precision check (posture_score between 0 and 100),
    score_30d_ago       double precision check (score_30d_ago between 0 and 100),
    trend_30d           double precision,
    band                text not null check (band in ('critical', 'high', 'medium', 'low',
                                                      'unassessed')),
    risks_critical      integer not null check (risks_critical >= 0),
    risks_high          integer not null check (risks_high >= 0),
    kri_count           integer not null check (kri_count >= 0),
    stale_share         double precision not null check (stale_share between 0 and 1),
    posture_computed_at timestamptz,
    projected_at        timestamptz not null default now(),
    primary key (carrier_id, tenant_id)
);
alter table carrier.portfolio enable row level security;
alter table carrier.portfolio force row level security;
create policy carrier_scope on carrier.portfolio
    using (carrier_id = (select platform.current_carrier_id()))
    with check (carrier_id = (select platform.current_carrier_id()));

-- A tenant sees the carriers it has a relationship with (to grant or revoke their consent).
create policy insured_tenant_sees_carrier on carrier.carriers for select
    using (exists (select 1 from carrier.insured_tenants i
                   where i.carrier_id = carriers.id
                     and i.tenant_id = (select platform.current_tenant_id())));

grant usage on schema carrier to draxis_pipeline;
grant select, insert, update on tenant.posture_history to draxis_pipeline;
grant select on tenant.posture_history to draxis_app;
grant select on carrier.carriers to draxis_pipeline;
grant select, insert, delete on carrier.portfolio to draxis_pipeline;
grant select on carrier.portfolio to draxis_app;
grant insert on platform.platform_audit_logs to draxis_pipeline;
"""


def upgrade() -> None:
    run_script(SCHEMA)
