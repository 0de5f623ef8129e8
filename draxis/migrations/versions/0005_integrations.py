"""Integrations: source credentials, scheduling state, run-now requests and richer run records.

- `tenant.kri_source` keeps its credentials sealed (AES-256-GCM, bound to the row; only the names
  of the fields that are set are readable), and the scheduler's state: when it is next due, how
  many runs in a row failed, and until when it backs off.
- `tenant.source_run` says what started it (schedule, run now, ...), the warnings of a run that
  succeeded, a summary of what was fetched and the time spent fetching and writing.
- `tenant.run_request` is a "run now" click: the API inserts it, a Dagster sensor turns it into a
  run within seconds. The web tier never runs a connector.
- First-party sources (push, artifact, manual) stage what they receive in `tenant.staged_value`
  and ask for a run; the run reads the staged batch through the same asset path as a vendor's
  values, and marks it consumed. `tenant.push_token` keeps a push source's token as a SHA-256
  hash; `platform.push_token_source` is the one door from a token to its source, before any
  scope is known (SECURITY DEFINER, owned by `draxis_auth`, like the sign-in functions).

The scheduler and the run-now sensor look across tenants, so the pipeline role (only it) may read
and reschedule sources and requests in the platform scope.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
alter table tenant.kri_source
    add column credentials           bytea,
    add column credential_names      text[] not null default '{}',
    add column updated_at            timestamptz not null default now(),
    add column consecutive_failures  integer not null default 0
                                     check (consecutive_failures >= 0),
    add column backoff_until         timestamptz,
    add column last_run_at           timestamptz,
    add column last_run_status       text check (last_run_status in ('succeeded', 'failed'));
create index kri_source_due_idx on tenant.kri_source (next_run_at)
    where enabled and schedule <> 'manual';

alter table tenant.source_run
    add column trigger        text not null default 'schedule'
                              check (trigger in ('schedule', 'run_now', 'backfill', 'push',
                                                 'artifact', 'manual')),
    add column request_id     uuid,
    add column warnings       text[] not null default '{}',
    add column items_summary  jsonb not null default '{}'::jsonb
                              check (jsonb_typeof(items_summary) = 'object'),
    add column fetch_ms       integer check (fetch_ms >= 0),
    add column write_ms       integer check (write_ms >= 0);

create table tenant.run_request (
    id              uuid not null default gen_random_uuid(),
    tenant_id       uuid not null references platform.tenants (id),
    source_id       uuid not null,
    requested_by    uuid references platform.users (id),
    requested_at    timestamptz not null default now(),
    status          text not null default 'pending'
                    check (status in ('pending', 'launched', 'succeeded', 'failed')),
    trigger         text not null default 'run_now'
                    check (trigger in ('run_now', 'push', 'artifact', 'manual')),
    dagster_run_id  text,
    launched_at     timestamptz,
    finished_at     timestamptz,
    source_run_id   uuid,
    error           text,
    primary key (tenant_id, id),
    unique (id),
    foreign key (tenant_id, source_id) references tenant.kri_source (tenant_id, id)
        on delete cascade
);
create index run_request_pending_idx on tenant.run_request (requested_at)
    where status = 'pending';
-- One pending request per source: a run consumes everything staged before it starts, so
-- values that arrive meanwhile join the pending request. (Run now refuses a second click while
-- one is pending or running.)
create unique index run_request_one_pending on tenant.run_request (tenant_id, source_id)
    where status = 'pending';

alter table tenant.run_request enable row level security;
alter table tenant.run_request force row level security;
create policy tenant_isolation on tenant.run_request
    using (tenant_id = (select platform.current_tenant_id()))
    with check (tenant_id = (select platform.current_tenant_id()));

-- The scheduler and the run-now sensor, in the platform scope, pipeline role only.
create policy pipeline_schedules on tenant.kri_source for select to draxis_pipeline
    using ((select platform.current_scope()) = 'platform');
create policy pipeline_reschedules on tenant.kri_source for update to draxis_pipeline
    using ((select platform.current_scope()) = 'platform')
    with check ((select platform.current_scope()) = 'platform');
create policy pipeline_reads_requests on tenant.run_request for select to draxis_pipeline
    using ((select platform.current_scope()) = 'platform');
create policy pipeline_launches_requests on tenant.run_request for update to draxis_pipeline
    using ((select platform.current_scope()) = 'platform')
    with check ((select platform.current_scope()) = 'platform');

create table tenant.staged_value (
    tenant_id       uuid not null references platform.tenants (id),
    source_id       uuid not null,
    batch_id        uuid not null,
    row_number      integer not null check (row_number >= 1),
    kri_slug        text not null check (length(kri_slug) between 1 and 80),
    value           double precision not null check (value = value),
    observed_at     timestamptz not null,
    detail          jsonb not null default '{}'::jsonb check (jsonb_typeof(detail) = 'object'),
    submitted_by    uuid references platform.users (id),
    submitted_at    timestamptz not null default now(),
    consumed_by     uuid,
    primary key (tenant_id, batch_id, row_number),
    foreign key (tenant_id, source_id) references tenant.kri_source (tenant_id, id)
        on delete cascade
);
create index staged_value_waiting_idx on tenant.staged_value (tenant_id, source_id)
    where consumed_by is null;
alter table tenant.staged_value enable row level security;
alter table tenant.staged_value force row level security;
create policy tenant_isolation on tenant.staged_value
    using (tenant_id = (select platform.current_tenant_id()))
    with check (tenant_id = (select platform.current_tenant_id()));

create table tenant.push_token (
    tenant_id   uuid not null references platform.tenants (id),
    source_id   uuid not null,
    token_hash  bytea not null unique check (length(token_hash) = 32),
    prefix      text not null check (length(prefix) between 4 and 16),
    created_by  uuid references platform.users (id),
    created_at  timestamptz not null default now(),
    revoked_at  timestamptz,
    primary key (tenant_id, token_hash),
    foreign key (tenant_id, source_id) references tenant.kri_source (tenant_id, id)
        on delete cascade
);
create unique index push_token_one_live on tenant.push_token (tenant_id, source_id)
    where revoked_at is null;
alter table tenant.push_token enable row level security;
alter table tenant.push_token force row level security;
create policy tenant_isolation on tenant.push_token
    using (tenant_id = (select platform.current_tenant_id()))
    with check (tenant_id = (select platform.current_tenant_id()));
create policy push_token_lookup on tenant.push_token for select to draxis_auth using (true);
create policy push_token_lookup on tenant.kri_source for select to draxis_auth using (true);
grant usage on schema tenant to draxis_auth;
grant select (token_hash, tenant_id, source_id, revoked_at) on tenant.push_token to draxis_auth;
grant select (id, tenant_id, enabled, source_type) on tenant.kri_source to draxis_auth;

-- A push token to its live, enabled push source and the source's tenant (not deleted).
create function platform.push_token_source(p_token_hash bytea)
    returns table (tenant_id uuid, organization_id uuid, source_id uuid)
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
    as $$
        select p.tenant_id, t.organization_id, p.source_id
        from tenant.push_token p
        join tenant.kri_source s on s.tenant_id = p.tenant_id and s.id = p.source_id
        join platform.tenants t on t.id = p.tenant_id
        where p.token_hash = p_token_hash and p.revoked_at is null
          and s.enabled and s.source_type = 'external_push' and t.deleted_at is null
    $$;
-- ACL first, while the migrator owns it (see 0001); ALTER OWNER carries it to draxis_auth.
revoke all on function platform.push_token_source(bytea) from public;
grant execute on function platform.push_token_source(bytea) to draxis_app;
grant create on schema platform to draxis_auth;
alter function platform.push_token_source(bytea) owner to draxis_auth;
revoke create on schema platform from draxis_auth;

grant select, insert on tenant.run_request to draxis_app;
grant select, insert on tenant.staged_value to draxis_app;
grant select, insert, update (revoked_at) on tenant.push_token to draxis_app;
grant select, update (consumed_by) on tenant.staged_value to draxis_pipeline;
grant select, update (status, dagster_run_id, launched_at, finished_at, source_run_id, error)
    on tenant.run_request to draxis_pipeline;
grant update (consecutive_failures, backoff_until, last_run_at, last_run_status)
    on tenant.kri_source to draxis_pipeline;
"""


def upgrade() -> None:
    run_script(SCHEMA)
