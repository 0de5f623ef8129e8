"""Foundation: platform identity, the KRI pipeline tables, carriers, and their RLS policies.

Every table with a `tenant_id` column has ENABLE + FORCE ROW LEVEL SECURITY and a policy on
`platform.current_tenant_id()`, which reads `draxis.tenant_id` and fails closed when it is unset
or empty. Platform and carrier tables are keyed the same way on `draxis.scope`, `draxis.org_id`
and `draxis.carrier_id`.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
create schema platform;
create schema tenant;
create schema carrier;

-- Scope accessors. `nullif(..., '')`: after an earlier transaction-local set_config the value
-- reads as '' (not NULL) and must fail closed, not raise.
create function platform.current_scope() returns text
    language sql stable parallel safe
    as $$ select coalesce(nullif(current_setting('draxis.scope', true), ''), 'none') $$;
create function platform.current_tenant_id() returns uuid
    language sql stable parallel safe
    as $$ select nullif(current_setting('draxis.tenant_id', true), '')::uuid $$;
create function platform.current_org_id() returns uuid
    language sql stable parallel safe
    as $$ select nullif(current_setting('draxis.org_id', true), '')::uuid $$;
create function platform.current_carrier_id() returns uuid
    language sql stable parallel safe
    as $$ select nullif(current_setting('draxis.carrier_id', true), '')::uuid $$;

-- Platform identity -----------------------------------------------------------------------
create table platform.organizations (
    id          uuid primary key default gen_random_uuid(),
    slug        text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name        text not null check (length(name) between 1 and 200),
    kind        text not null default 'direct' check (kind in ('direct', 'partner')),
    created_at  timestamptz not null default now()
);

create table platform.tenants (
    id              uuid primary key default gen_random_uuid(),
    organization_id uuid not null references platform.organizations (id),
    -- Tenant slugs are Dagster partition keys: no '|' (the multi-partition separator).
    slug            text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name            text not null check (length(name) between 1 and 200),
    created_at      timestamptz not null default now(),
    deleted_at      timestamptz
);
create index tenants_organization_idx on platform.tenants (organization_id);

create table carrier.carriers (
    id          uuid primary key default gen_random_uuid(),
    slug        text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name        text not null check (length(name) between 1 and 200),
    created_at  timestamptz not null default now()
);

create table platform.users (
    id              uuid primary key default gen_random_uuid(),
    email           text not null check (email ~ '^[^@\s]+@[^@\s]+$'),
    display_name    text not null check (length(display_name) between 1 and 200),
    password_hash   text not null,
    role            text not null check (role in ('superadmin', 'master_admin', 'tenant_admin',
                                                  'tenant_user', 'carrier_admin', 'carrier_user')),
    organization_id uuid references platform.organizations (id),
    tenant_id       uuid references platform.tenants (id),
    carrier_id      uuid references carrier.carriers (id),
    is_active       boolean not null default true,
    created_at      timestamptz not null default now(),
    last_login_at   timestamptz,
    constraint users_home_matches_role check (
        case role
            when 'superadmin' then tenant_id is null and carrier_id is null
            when 'master_admin' then organization_id is not null and carrier_id is null
            when 'carrier_admin' then carrier_id is not null and tenant_id is null
            when 'carrier_user' then carrier_id is not null and tenant_id is null
            else tenant_id is not null and organization_id is not null and carrier_id is null
        end)
);
create unique index users_email_key on platform.users (lower(email));
create index users_tenant_idx on platform.users (tenant_id);

create table carrier.insured_tenants (
    carrier_id          uuid not null references carrier.carriers (id),
    tenant_id           uuid not null references platform.tenants (id),
    consent_granted_at  timestamptz not null default now(),
    revoked_at          timestamptz,
    primary key (carrier_id, tenant_id)
);
create index insured_tenants_tenant_idx on carrier.insured_tenants (tenant_id);

-- Tenant data ---------------------------------------------------------------------------------
create table tenant.kri_source (
    id          uuid not null default gen_random_uuid(),
    tenant_id   uuid not null references platform.tenants (id),
    source_type text not null check (source_type ~ '^[a-z_]{2,40}$'),
    vendor_id   text not null check (vendor_id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name        text not null check (length(name) between 1 and 200),
    schedule    text not null default 'daily' check (schedule in ('hourly', 'daily', 'weekly', 'manual')),
    config      jsonb not null default '{}'::jsonb check (jsonb_typeof(config) = 'object'),
    enabled     boolean not null default true,
    next_run_at timestamptz,
    created_at  timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (id),
    -- One connector per vendor per tenant: a (tenant, vendor) pair is one Dagster partition.
    unique (tenant_id, vendor_id)
);

create table tenant.kri (
    id          uuid not null default gen_random_uuid(),
    tenant_id   uuid not null references platform.tenants (id),
    slug        text not null check (slug ~ '^[a-z0-9][a-z0-9_]{1,79}$'),
    name        text not null check (length(name) between 1 and 200),
    description text not null default '',
    unit        text not null default '',
    direction   text not null check (direction in ('higher_is_worse', 'lower_is_worse')),
    warn        double precision not null,
    critical    double precision not null,
    source_id   uuid,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (id),
    unique (tenant_id, slug),
    foreign key (tenant_id, source_id) references tenant.kri_source (tenant_id, id)
        on delete set null (source_id),
    constraint kri_thresholds_follow_direction check (
        case direction when 'higher_is_worse' then critical >= warn else critical <= warn end)
);

create table tenant.source_run (
    id              uuid not null default gen_random_uuid(),
    tenant_id       uuid not null references platform.tenants (id),
    source_id       uuid not null,
    dagster_run_id  text,
    status          text not null check (status in ('running', 'succeeded', 'failed')),
    started_at      timestamptz not null default now(),
    finished_at     timestamptz,
    rows_written    integer not null default 0 check (rows_written >= 0),
    rows_skipped    integer not null default 0 check (rows_skipped >= 0),
    items_fetched   integer not null default 0 check (items_fetched >= 0),
    error           text,
    primary key (tenant_id, id),
    unique (id),
    foreign key (tenant_id, source_id) references tenant.kri_source (tenant_id, id) on delete cascade
);
create index source_run_source_idx on tenant.source_run (tenant_id, source_id, started_at desc);

-- The high-volume table. One foreign key only: (tenant_id, kri_id) implies the tenant, and
-- source_id / run_id are provenance, deliberately unenforced so that history survives deleting an
-- integration or pruning run rows. Each enforced key costs about 7 s per million rows written
-- (bench/write_path.py), and nothing reads observations by run.
create table tenant.kri_observation (
    tenant_id   uuid not null,
    kri_id      uuid not null,
    observed_at timestamptz not null,
    value       double precision not null check (value = value), -- rejects NaN
    source_id   uuid not null,
    run_id      uuid,
    detail      jsonb not null default '{}'::jsonb,
    recorded_at timestamptz not null default now(),
    primary key (tenant_id, kri_id, observed_at),
    foreign key (tenant_id, kri_id) references tenant.kri (tenant_id, id) on delete cascade
);

create table tenant.kri_status (
    tenant_id   uuid not null references platform.tenants (id),
    kri_id      uuid not null,
    status      text not null check (status in ('green', 'amber', 'red', 'stale', 'no_data')),
    value       double precision,
    observed_at timestamptz,
    computed_at timestamptz not null default now(),
    primary key (tenant_id, kri_id),
    foreign key (tenant_id, kri_id) references tenant.kri (tenant_id, id) on delete cascade
);

-- Row-level security --------------------------------------------------------------------------
alter table platform.organizations enable row level security;
alter table platform.organizations force row level security;
create policy organization_scope on platform.organizations
    using ((select platform.current_scope()) = 'platform'
           or id = (select platform.current_org_id()))
    with check ((select platform.current_scope()) = 'platform');

alter table platform.tenants enable row level security;
alter table platform.tenants force row level security;
create policy tenant_scope on platform.tenants
    using ((select platform.current_scope()) = 'platform'
           or id = (select platform.current_tenant_id())
           or ((select platform.current_scope()) = 'org'
               and organization_id = (select platform.current_org_id())))
    with check ((select platform.current_scope()) = 'platform'
           or ((select platform.current_scope()) = 'org'
               and organization_id = (select platform.current_org_id())));

alter table platform.users enable row level security;
alter table platform.users force row level security;
create policy user_scope on platform.users
    using ((select platform.current_scope()) = 'platform'
           or tenant_id = (select platform.current_tenant_id()))
    with check ((select platform.current_scope()) = 'platform'
           or tenant_id = (select platform.current_tenant_id()));

alter table carrier.carriers enable row level security;
alter table carrier.carriers force row level security;
create policy carrier_scope on carrier.carriers
    using ((select platform.current_scope()) = 'platform'
           or id = (select platform.current_carrier_id()))
    with check ((select platform.current_scope()) = 'platform');

alter table carrier.insured_tenants enable row level security;
alter table carrier.insured_tenants force row level security;
create policy insured_tenant_scope on carrier.insured_tenants
    using ((select platform.current_scope()) = 'platform'
           or tenant_id = (select platform.current_tenant_id())
           or carrier_id = (select platform.current_carrier_id()))
    with check ((select platform.current_scope()) = 'platform'
           or tenant_id = (select platform.current_tenant_id()));

do $$
declare t text;
begin
    foreach t in array array['kri_source', 'kri', 'source_run', 'kri_observation', 'kri_status'] loop
        execute format('alter table tenant.%I enable row level security', t);
        execute format('alter table tenant.%I force row level security', t);
        execute format($p$create policy tenant_isolation on tenant.%I
            using (tenant_id = (select platform.current_tenant_id()))
            with check (tenant_id = (select platform.current_tenant_id()))$p$, t);
    end loop;
end $$;

-- Sign-in: the one door to users before a scope is known. It runs as draxis_auth (NOLOGIN), whose
-- own policy lets it read users; the app can only call it, for one e-mail address at a time.
create policy auth_lookup on platform.users for select to draxis_auth using (true);
grant usage on schema platform to draxis_auth;
grant select on platform.users to draxis_auth;
create function platform.login_candidate(p_email text)
    returns table (user_id uuid, email text, display_name text, password_hash text, role text,
                   organization_id uuid, tenant_id uuid, carrier_id uuid, is_active boolean)
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
    as $$
        select u.id, u.email, u.display_name, u.password_hash, u.role,
               u.organization_id, u.tenant_id, u.carrier_id, u.is_active
        from platform.users u
        where lower(u.email) = lower(p_email)
    $$;
-- Its ACL is set while the migrator still owns it: afterwards the migrator (NOINHERIT) holds no
-- grant option and a REVOKE would change nothing. ALTER OWNER carries the ACL to the new owner.
revoke all on function platform.login_candidate(text) from public;
grant execute on function platform.login_candidate(text) to draxis_app;
grant create on schema platform to draxis_auth; -- needed to take ownership, revoked below
alter function platform.login_candidate(text) owner to draxis_auth;
revoke create on schema platform from draxis_auth;

-- Grants: the app and the pipeline own nothing and get only what they use ---------------------
grant usage on schema platform, tenant, carrier to draxis_app, draxis_pipeline;
grant select, insert, update on platform.organizations, platform.tenants, platform.users
    to draxis_app;
grant select, insert, update, delete on all tables in schema tenant to draxis_app;
grant select, insert, update, delete on all tables in schema carrier to draxis_app;

grant select on platform.tenants to draxis_pipeline;
grant select on tenant.kri_source, tenant.kri to draxis_pipeline;
-- FOR UPDATE SKIP LOCKED on the source being run needs an UPDATE grant; the scheduler sets next_run_at.
grant update (next_run_at) on tenant.kri_source to draxis_pipeline;
grant select, insert, update on tenant.source_run, tenant.kri_observation to draxis_pipeline;
grant select, insert, update, delete on tenant.kri_status to draxis_pipeline;
"""


def upgrade() -> None:
    run_script(SCHEMA)
