"""The risk model: controls, risks, outcomes, vendors, their links, and the rollups' tables.

Every row is keyed `(tenant_id, id)` and every link references both ends through composite keys,
so a link can never join two tenants' rows. Entities carry a per-tenant `snake_case` slug: the
stable key of bulk import and export. The posture tables are written by the pipeline only; the
API reads them and never recomputes a rollup.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
alter table tenant.kri
    add column category text not null default '' check (length(category) <= 80),
    add column owner text not null default '' check (length(owner) <= 200);

create table tenant.control (
    id                  uuid not null default gen_random_uuid(),
    tenant_id           uuid not null references platform.tenants (id),
    slug                text not null check (slug ~ '^[a-z0-9][a-z0-9_]{1,79}$'),
    name                text not null check (length(name) between 1 and 200),
    description         text not null default '' check (length(description) <= 4000),
    effectiveness       text not null default 'not_implemented'
                        check (effectiveness in ('effective', 'partial', 'ineffective',
                                                 'not_implemented')),
    framework           text check (framework in ('cis_v8', 'nist_csf_2', 'iso_27001')),
    framework_ref       text check (length(framework_ref) <= 40),
    attack_techniques   text[] not null default '{}'
                        check (array_to_string(attack_techniques, ',') ~ '^(T\d{4}(\.\d{3})?(,|$))*$'),
    owner               text not null default '' check (length(owner) <= 200),
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (id),
    unique (tenant_id, slug),
    check ((framework is null) = (framework_ref is null))
);

create table tenant.risk (
    id          uuid not null default gen_random_uuid(),
    tenant_id   uuid not null references platform.tenants (id),
    slug        text not null check (slug ~ '^[a-z0-9][a-z0-9_]{1,79}$'),
    title       text not null check (length(title) between 1 and 200),
    description text not null default '' check (length(description) <= 4000),
    category    text not null default '' check (length(category) <= 80),
    owner       text not null default '' check (length(owner) <= 200),
    status      text not null default 'open'
                check (status in ('open', 'mitigating', 'accepted', 'closed')),
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (id),
    unique (tenant_id, slug)
);

create table tenant.outcome (
    id          uuid not null default gen_random_uuid(),
    tenant_id   uuid not null references platform.tenants (id),
    slug        text not null check (slug ~ '^[a-z0-9][a-z0-9_]{1,79}$'),
    name        text not null check (length(name) between 1 and 200),
    description text not null default '' check (length(description) <= 4000),
    owner       text not null default '' check (length(owner) <= 200),
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (id),
    unique (tenant_id, slug)
);

create table tenant.vendor (
    id              uuid not null default gen_random_uuid(),
    tenant_id       uuid not null references platform.tenants (id),
    slug            text not null check (slug ~ '^[a-z0-9][a-z0-9_]{1,79}$'),
    name            text not null check (length(name) between 1 and 200),
    category        text not null default '' check (length(category) <= 80),
    tier            smallint not null check (tier between 1 and 3),
    data_elements   text[] not null default '{}',
    owner           text not null default '' check (length(owner) <= 200),
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (id),
    unique (tenant_id, slug)
);

-- Links: both ends in the same tenant, by construction.
create table tenant.kri_risk (
    tenant_id   uuid not null,
    kri_id      uuid not null,
    risk_id     uuid not null,
    primary key (tenant_id, kri_id, risk_id),
    foreign key (tenant_id, kri_id) references tenant.kri (tenant_id, id) on delete cascade,
    foreign key (tenant_id, risk_id) references tenant.risk (tenant_id, id) on delete cascade
);
create index kri_risk_risk_idx on tenant.kri_risk (tenant_id, risk_id);

create table tenant.control_risk (
    tenant_id   uuid not null,
    control_id  uuid not null,
    risk_id     uuid not null,
    primary key (tenant_id, control_id, risk_id),
    foreign key (tenant_id, control_id) references tenant.control (tenant_id, id) on delete cascade,
    foreign key (tenant_id, risk_id) references tenant.risk (tenant_id, id) on delete cascade
);
create index control_risk_risk_idx on tenant.control_risk (tenant_id, risk_id);

create table tenant.risk_outcome (
    tenant_id   uuid not null,
    risk_id     uuid not null,
    outcome_id  uuid not null,
    primary key (tenant_id, risk_id, outcome_id),
    foreign key (tenant_id, risk_id) references tenant.risk (tenant_id, id) on delete cascade,
    foreign key (tenant_id, outcome_id) references tenant.outcome (tenant_id, id) on delete cascade
);
create index risk_outcome_outcome_idx on tenant.risk_outcome (tenant_id, outcome_id);

create table tenant.kri_outcome (
    tenant_id   uuid not null,
    kri_id      uuid not null,
    outcome_id  uuid not null,
    primary key (tenant_id, kri_id, outcome_id),
    foreign key (tenant_id, kri_id) references tenant.kri (tenant_id, id) on delete cascade,
    foreign key (tenant_id, outcome_id) references tenant.outcome (tenant_id, id) on delete cascade
);

-- Rollups, written by the pipeline (assets risk_posture, outcome_posture, tenant_posture).
create table tenant.risk_posture (
    tenant_id       uuid not null,
    risk_id         uuid not null,
    score           double precision check (score between 0 and 100),
    severity        text not null
                    check (severity in ('critical', 'high', 'medium', 'low', 'unassessed')),
    kri_count       integer not null check (kri_count >= 0),
    control_count   integer not null check (control_count >= 0),
    red_kris        integer not null check (red_kris >= 0),
    amber_kris      integer not null check (amber_kris >= 0),
    stale_kris      integer not null check (stale_kris >= 0),
    computed_at     timestamptz not null default now(),
    primary key (tenant_id, risk_id),
    foreign key (tenant_id, risk_id) references tenant.risk (tenant_id, id) on delete cascade,
    check ((severity = 'unassessed') = (score is null))
);

create table tenant.outcome_posture (
    tenant_id       uuid not null,
    outcome_id      uuid not null,
    score           double precision check (score between 0 and 100),
    severity        text not null
                    check (severity in ('critical', 'high', 'medium', 'low', 'unassessed')),
    risk_count      integer not null check (risk_count >= 0),
    computed_at     timestamptz not null default now(),
    primary key (tenant_id, outcome_id),
    foreign key (tenant_id, outcome_id) references tenant.outcome (tenant_id, id) on delete cascade
);

-- Columns as `assets.rollup_rules.TENANT_POSTURE_COLUMNS`.
create table tenant.tenant_posture (
    tenant_id           uuid primary key references platform.tenants (id),
    kri_count           integer not null check (kri_count >= 0),
    kris_green          integer not null check (kris_green >= 0),
    kris_amber          integer not null check (kris_amber >= 0),
    kris_red            integer not null check (kris_red >= 0),
    kris_stale          integer not null check (kris_stale >= 0),
    kris_no_data        integer not null check (kris_no_data >= 0),
    risk_count          integer not null check (risk_count >= 0),
    risks_critical      integer not null check (risks_critical >= 0),
    risks_high          integer not null check (risks_high >= 0),
    risks_medium        integer not null check (risks_medium >= 0),
    risks_low           integer not null check (risks_low >= 0),
    risks_unassessed    integer not null check (risks_unassessed >= 0),
    top_risks           uuid[] not null default '{}' check (cardinality(top_risks) <= 5),
    stale_share         double precision not null check (stale_share between 0 and 1),
    posture_score       double precision check (posture_score between 0 and 100),
    computed_at         timestamptz not null default now()
);

do $$
declare t text;
begin
    foreach t in array array['control', 'risk', 'outcome', 'vendor', 'kri_risk', 'control_risk',
                             'risk_outcome', 'kri_outcome', 'risk_posture', 'outcome_posture',
                             'tenant_posture'] loop
        execute format('alter table tenant.%I enable row level security', t);
        execute format('alter table tenant.%I force row level security', t);
        execute format($p$create policy tenant_isolation on tenant.%I
            using (tenant_id = (select platform.current_tenant_id()))
            with check (tenant_id = (select platform.current_tenant_id()))$p$, t);
    end loop;
end $$;

-- Every edit of a tenant's risk model bumps its revision (statement triggers, in the writer's
-- tenant scope); `risk_model_sensor` turns a new revision into a recomputation of the tenant's
-- colours and postures. Readable across tenants only by the platform scope.
create table tenant.model_revision (
    tenant_id   uuid primary key references platform.tenants (id),
    revision    bigint not null,
    changed_at  timestamptz not null default now()
);
alter table tenant.model_revision enable row level security;
alter table tenant.model_revision force row level security;
create policy tenant_isolation on tenant.model_revision
    using (tenant_id = (select platform.current_tenant_id())
           or (select platform.current_scope()) = 'platform')
    with check (tenant_id = (select platform.current_tenant_id()));

create function tenant.bump_model_revision() returns trigger
    language plpgsql
    set search_path = pg_catalog, pg_temp
    as $$
    begin
        if platform.current_tenant_id() is not null then
            insert into tenant.model_revision as m (tenant_id, revision)
                values (platform.current_tenant_id(), 1)
                on conflict (tenant_id) do update set revision = m.revision + 1, changed_at = now();
        end if;
        return null;
    end $$;
do $$
declare t text;
begin
    foreach t in array array['kri', 'control', 'risk', 'outcome', 'kri_risk', 'control_risk',
                             'risk_outcome', 'kri_outcome'] loop
        execute format('create trigger bump_model_revision after insert or update or delete'
                       ' on tenant.%I for each statement execute function'
                       ' tenant.bump_model_revision()', t);
    end loop;
end $$;
grant select, insert, update on tenant.model_revision to draxis_app;
grant select on tenant.model_revision to draxis_pipeline;

-- The org rollup: an organization's admins read the posture of the tenants their scope shows.
create policy org_reads_posture on tenant.tenant_posture for select
    using ((select platform.current_scope()) in ('org', 'platform')
           and tenant_id in (select t.id from platform.tenants t));

grant select, insert, update, delete on tenant.control, tenant.risk, tenant.outcome,
    tenant.vendor, tenant.kri_risk, tenant.control_risk, tenant.risk_outcome, tenant.kri_outcome
    to draxis_app;
grant select on tenant.risk_posture, tenant.outcome_posture, tenant.tenant_posture to draxis_app;
grant select on tenant.control, tenant.risk, tenant.outcome, tenant.kri_risk, tenant.control_risk,
    tenant.risk_outcome, tenant.kri_outcome to draxis_pipeline;
grant select, insert, update, delete on tenant.risk_posture, tenant.outcome_posture,
    tenant.tenant_posture to draxis_pipeline;
"""


def upgrade() -> None:
    run_script(SCHEMA)
