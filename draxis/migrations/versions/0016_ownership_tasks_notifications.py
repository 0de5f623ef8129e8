"""Ownership, tasks and in-app notifications: the shared ground of workflows and risk acceptance.

- Owners are users of the tenant, not free text: `owner_user_id` on KRIs, risks, controls,
  outcomes and vendors, with `due_date` and `review_date`. The composite foreign key
  `(tenant_id, owner_user_id) -> platform.users (tenant_id, id)` makes an owner from another
  tenant impossible whatever the SQL; deleting a user clears the owner, never the row. The old
  free-text `owner` columns stay for the running release (expand now, contract later).
- `tenant.task`: a unit of work on a subject (a KRI, risk, control, outcome or vendor), owned by
  a user or by a role, with a due date and a status (open, in progress, waiting for approval,
  done, cancelled). `workflow_run_id` names the workflow run that created it, when one did.
  Comments, attachments (capped at 5 MB) and an append-only history (`tenant.task_event`) hang
  off it. The app writes tasks for users; the pipeline writes them for workflows.
- `tenant.notification`: the in-app notification of one user about one event, the single source
  that e-mail, webhook and digest deliveries are made from. A user reads and marks read only
  their own notifications (RLS on `draxis.user_id`); the app and the pipeline may notify any
  user of the tenant. `dedupe_key` makes a repeated notification (a sensor ticking twice) one row.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
set lock_timeout = '5s';

alter table platform.users add constraint users_tenant_member unique (tenant_id, id);

do $$
declare t text;
begin
    foreach t in array array['kri', 'risk', 'control', 'outcome', 'vendor'] loop
        execute format('alter table tenant.%I add column owner_user_id uuid,'
                       ' add column due_date date, add column review_date date', t);
        execute format('alter table tenant.%I add constraint %I foreign key'
                       ' (tenant_id, owner_user_id) references platform.users (tenant_id, id)'
                       ' on delete set null (owner_user_id) not valid', t, t || '_owner_member');
        execute format('alter table tenant.%I validate constraint %I', t, t || '_owner_member');
        execute format('create index %I on tenant.%I (tenant_id, owner_user_id)'
                       ' where owner_user_id is not null', t || '_owner_idx', t);
    end loop;
end $$;

create table tenant.task (
    id              uuid not null default gen_random_uuid(),
    tenant_id       uuid not null references platform.tenants (id),
    title           text not null check (length(title) between 1 and 200),
    description     text not null default '' check (length(description) <= 4000),
    subject_kind    text check (subject_kind in ('kri', 'risk', 'control', 'outcome', 'vendor')),
    subject_id      uuid,
    owner_user_id   uuid,
    owner_role      text check (owner_role in ('tenant_admin', 'tenant_user')),
    due_date        date,
    status          text not null default 'open'
                    check (status in ('open', 'in_progress', 'waiting_approval', 'done',
                                      'cancelled')),
    workflow_run_id uuid,
    created_by      uuid references platform.users (id) on delete set null,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    closed_at       timestamptz,
    primary key (tenant_id, id),
    unique (id),
    foreign key (tenant_id, owner_user_id) references platform.users (tenant_id, id)
        on delete set null (owner_user_id),
    check ((subject_kind is null) = (subject_id is null)),
    check ((status in ('done', 'cancelled')) = (closed_at is not null))
);
create index task_owner on tenant.task (tenant_id, owner_user_id, status);
create index task_subject on tenant.task (tenant_id, subject_kind, subject_id);
create index task_open_due on tenant.task (tenant_id, due_date)
    where status not in ('done', 'cancelled');
create index task_workflow_run on tenant.task (tenant_id, workflow_run_id)
    where workflow_run_id is not null;

create table tenant.task_comment (
    id              uuid not null default gen_random_uuid(),
    tenant_id       uuid not null,
    task_id         uuid not null,
    author_user_id  uuid references platform.users (id) on delete set null,
    body            text not null check (length(body) between 1 and 4000),
    created_at      timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, task_id) references tenant.task (tenant_id, id) on delete cascade
);
create index task_comment_task on tenant.task_comment (tenant_id, task_id, created_at);

create table tenant.task_attachment (
    id              uuid not null default gen_random_uuid(),
    tenant_id       uuid not null,
    task_id         uuid not null,
    filename        text not null check (length(filename) between 1 and 200
                                         and filename !~ '[/\\]'),
    content_type    text not null check (length(content_type) between 3 and 100),
    size_bytes      integer not null check (size_bytes between 0 and 5242880),
    content         bytea not null check (octet_length(content) <= 5242880),
    uploaded_by     uuid references platform.users (id) on delete set null,
    created_at      timestamptz not null default now(),
    primary key (tenant_id, id),
    foreign key (tenant_id, task_id) references tenant.task (tenant_id, id) on delete cascade,
    check (size_bytes = octet_length(content))
);
create index task_attachment_task on tenant.task_attachment (tenant_id, task_id);

create table tenant.task_event (
    id              bigint generated always as identity,
    tenant_id       uuid not null,
    task_id         uuid not null,
    at              timestamptz not null default now(),
    actor_user_id   uuid references platform.users (id) on delete set null,
    kind            text not null check (kind ~ '^[a-z][a-z_]{1,39}$'),
    detail          jsonb not null default '{}' check (jsonb_typeof(detail) = 'object'),
    primary key (tenant_id, id),
    foreign key (tenant_id, task_id) references tenant.task (tenant_id, id) on delete cascade
);
create index task_event_task on tenant.task_event (tenant_id, task_id, at);

create table tenant.notification (
    id              uuid not null default gen_random_uuid(),
    tenant_id       uuid not null,
    user_id         uuid not null,
    event           text not null check (event ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,3}$'),
    subject_kind    text check (subject_kind in ('kri', 'risk', 'control', 'outcome', 'vendor',
                                                 'task', 'workflow_run', 'source')),
    subject_id      uuid,
    title           text not null check (length(title) between 1 and 200),
    body            text not null default '' check (length(body) <= 4000),
    link            text check (link ~ '^/[^/]' and length(link) <= 500),
    dedupe_key      text check (length(dedupe_key) between 1 and 200),
    created_at      timestamptz not null default now(),
    read_at         timestamptz,
    primary key (tenant_id, id),
    unique (id),
    unique (tenant_id, user_id, dedupe_key),
    foreign key (tenant_id, user_id) references platform.users (tenant_id, id) on delete cascade,
    check ((subject_kind is null) = (subject_id is null))
);
create index notification_unread on tenant.notification (tenant_id, user_id, created_at desc)
    where read_at is null;
create index notification_recent on tenant.notification (tenant_id, created_at);

do $$
declare t text;
begin
    foreach t in array array['task', 'task_comment', 'task_attachment', 'task_event'] loop
        execute format('alter table tenant.%I enable row level security', t);
        execute format('alter table tenant.%I force row level security', t);
        execute format($p$create policy tenant_isolation on tenant.%I
            using (tenant_id = (select platform.current_tenant_id()))
            with check (tenant_id = (select platform.current_tenant_id()))$p$, t);
    end loop;
    foreach t in array array['task', 'task_event', 'notification'] loop
        execute format($p$create policy pipeline_batch on tenant.%I to draxis_pipeline
            using (tenant_id = any ((select platform.current_tenant_ids())::uuid[]))
            with check (tenant_id = any ((select platform.current_tenant_ids())::uuid[]))$p$, t);
    end loop;
end $$;

-- A user sees and marks read only their own notifications; anyone in the tenant may notify a
-- member of it (a task assigned to a colleague).
alter table tenant.notification enable row level security;
alter table tenant.notification force row level security;
create policy own_notifications on tenant.notification for select to draxis_app
    using (tenant_id = (select platform.current_tenant_id())
           and user_id = (select platform.current_user_id()));
create policy mark_own_read on tenant.notification for update to draxis_app
    using (tenant_id = (select platform.current_tenant_id())
           and user_id = (select platform.current_user_id()))
    with check (tenant_id = (select platform.current_tenant_id())
                and user_id = (select platform.current_user_id()));
create policy notify_member on tenant.notification for insert to draxis_app
    with check (tenant_id = (select platform.current_tenant_id()));

grant select, insert, update, delete on tenant.task to draxis_app;
grant select, insert, delete on tenant.task_comment, tenant.task_attachment to draxis_app;
grant select, insert on tenant.task_event to draxis_app;
grant select, insert, update on tenant.task to draxis_pipeline;
grant select, insert on tenant.task_event to draxis_pipeline;
grant select, insert on tenant.notification to draxis_app;
grant update (read_at) on tenant.notification to draxis_app;
grant select, insert on tenant.notification to draxis_pipeline;
-- Workflows watch vendors' review dates (reassessment due) from the pipeline.
create policy pipeline_batch on tenant.vendor to draxis_pipeline
    using (tenant_id = any ((select platform.current_tenant_ids())::uuid[]))
    with check (tenant_id = any ((select platform.current_tenant_ids())::uuid[]));
grant select on tenant.vendor to draxis_pipeline;
"""


def upgrade() -> None:
    run_script(SCHEMA)
