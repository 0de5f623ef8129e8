"""Workflows: declarative, versioned tenant workflows that the pipeline evaluates.

- `tenant.workflow`: a named workflow of the tenant, enabled or not, pointing at its current
  version. `tenant.workflow_version`: the immutable documents (JSON, validated by
  `draxis.workflows.definition`), numbered 1, 2, ... per workflow; the app may insert a
  version, never change one (no UPDATE or DELETE grant).
- `tenant.workflow_run`: one firing of a workflow's trigger on one subject. A run keeps the
  version it started with. The unique key (workflow, subject, occurrence) makes one firing one
  run however often the pipeline evaluates (`on conflict do nothing`). `steps` holds each
  step's state; the app records approval decisions in it, the pipeline advances it.
- `tenant.workflow_subject_state`: what the evaluator last saw of each KRI, risk and source
  (its colour, severity or failing streak) and since when: the edges that triggers fire on.
- The pipeline reads the tenant's members and their roles (`platform.users`: id, tenant id,
  role, active, name) under its batch scope, to open tasks for and notify "the admins": the
  read migrations 0019 and 0020 already grant (a `pipeline_batch` policy, restrictive outside
  a batch).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
set lock_timeout = '5s';

create table tenant.workflow (
    id              uuid not null default gen_random_uuid(),
    tenant_id       uuid not null references platform.tenants (id),
    name            text not null check (length(name) between 1 and 120),
    enabled         boolean not null default true,
    current_version integer not null check (current_version >= 1),
    created_by      uuid references platform.users (id) on delete set null,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    primary key (tenant_id, id),
    unique (id),
    unique (tenant_id, name)
);

create table tenant.workflow_version (
    tenant_id       uuid not null,
    workflow_id     uuid not null,
    version         integer not null check (version >= 1),
    document        jsonb not null check (jsonb_typeof(document) = 'object'),
    trigger_type    text not null check (trigger_type ~ '^[a-z]+\.[a-z_]+$'),
    author_user_id  uuid references platform.users (id) on delete set null,
    created_at      timestamptz not null default now(),
    primary key (tenant_id, workflow_id, version),
    foreign key (tenant_id, workflow_id) references tenant.workflow (tenant_id, id)
        on delete cascade
);

create table tenant.workflow_run (
    id              uuid not null default gen_random_uuid(),
    tenant_id       uuid not null,
    workflow_id     uuid not null,
    version         integer not null,
    subject_kind    text not null check (subject_kind in ('kri', 'risk', 'vendor', 'source')),
    subject_id      uuid not null,
    subject_label   text not null default '' check (length(subject_label) <= 200),
    occurrence      text not null check (length(occurrence) between 1 and 100),
    status          text not null default 'running'
                    check (status in ('running', 'waiting', 'finished', 'rejected')),
    step            integer not null default 0 check (step >= 0),
    steps           jsonb not null default '[]' check (jsonb_typeof(steps) = 'array'),
    started_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    finished_at     timestamptz,
    primary key (tenant_id, id),
    unique (id),
    unique (tenant_id, workflow_id, subject_kind, subject_id, occurrence),
    foreign key (tenant_id, workflow_id, version)
        references tenant.workflow_version (tenant_id, workflow_id, version) on delete cascade,
    check ((status in ('finished', 'rejected')) = (finished_at is not null))
);
create index workflow_run_open on tenant.workflow_run (tenant_id, started_at)
    where status in ('running', 'waiting');
create index workflow_run_recent on tenant.workflow_run (tenant_id, workflow_id, started_at desc);

create table tenant.workflow_subject_state (
    tenant_id       uuid not null references platform.tenants (id),
    subject_kind    text not null check (subject_kind in ('kri', 'risk', 'source')),
    subject_id      uuid not null,
    state           text not null check (length(state) between 1 and 40),
    previous_state  text check (length(previous_state) between 1 and 40),
    since           timestamptz not null,
    primary key (tenant_id, subject_kind, subject_id)
);

do $$
declare t text;
begin
    foreach t in array array['workflow', 'workflow_version', 'workflow_run',
                             'workflow_subject_state'] loop
        execute format('alter table tenant.%I enable row level security', t);
        execute format('alter table tenant.%I force row level security', t);
        execute format($p$create policy tenant_isolation on tenant.%I
            using (tenant_id = (select platform.current_tenant_id()))
            with check (tenant_id = (select platform.current_tenant_id()))$p$, t);
        execute format($p$create policy pipeline_batch on tenant.%I to draxis_pipeline
            using (tenant_id = any ((select platform.current_tenant_ids())::uuid[]))
            with check (tenant_id = any ((select platform.current_tenant_ids())::uuid[]))$p$, t);
    end loop;
end $$;

grant select, insert, update on tenant.workflow to draxis_app;
grant select, insert on tenant.workflow_version to draxis_app;
grant select on tenant.workflow_run to draxis_app;
grant update (status, steps, updated_at, finished_at) on tenant.workflow_run to draxis_app;
grant select on tenant.workflow, tenant.workflow_version to draxis_pipeline;
grant select, insert, update on tenant.workflow_run to draxis_pipeline;
grant select, insert, update on tenant.workflow_subject_state to draxis_pipeline;
-- The editor's preview reads the episodes the pipeline last saw (never writes them).
grant select on tenant.workflow_subject_state to draxis_app;

"""


def upgrade() -> None:
    run_script(SCHEMA)
