"""Formal risk acceptance: a request, an approver's decision, an expiry, and a flag on the posture.

- `tenant.risk_acceptance`: one row per request to accept a risk until a date. A member of the
  tenant requests it (justification and expiry required, the expiry after the request's UTC day
  and at most `MAX_DAYS` later, optionally a compensating control of the same tenant by composite
  key); a holder of `approver_role` (tenant_admin) who is not the requester approves or rejects
  it (the check `decided_by <> requested_by` refuses self-approval whatever the SQL); it may be
  revoked; the pipeline expires it when its date has passed. Statuses: pending, approved,
  rejected, expired, revoked. At most one pending-or-approved acceptance per risk (partial
  unique index). Rows are never deleted by the app (no DELETE grant): the table is the history.
  Deleting the risk itself removes its acceptances with it (the risk's delete is audited).
- `tenant.risk.status` follows the acceptance: 'accepted' while an approved acceptance stands,
  set in the approving transaction; the pipeline (expiry) and the app (revoke) set it back to
  'open', i.e. back to review. The pipeline may update only those two columns of a risk.
- `tenant.risk_posture.accepted_until`: the expiry of the acceptance in force when the posture
  was computed (null when none), stored by the `risk_posture` asset with the score, which stays
  the computed one (rule `assets.posture.rules.acceptances_in_force`, docs/risk-acceptance.md).
- The pipeline notifies a risk's owner or, failing one, the tenant's admins: it reads the
  tenant's members (id, tenant_id, role, is_active only) under the batch scope, and no user at
  all under any other scope (a restrictive policy).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | None = None
depends_on: str | None = None

MAX_DAYS = 1096  # three years and a leap day: an acceptance is reviewed at least that often

SCHEMA = rf"""
set lock_timeout = '5s';

create table tenant.risk_acceptance (
    id                      uuid not null default gen_random_uuid(),
    tenant_id               uuid not null references platform.tenants (id),
    risk_id                 uuid not null,
    justification           text not null check (length(justification) between 1 and 4000
                                                 and justification ~ '\S'),
    requested_by            uuid,
    requested_at            timestamptz not null default now(),
    approver_role           text not null default 'tenant_admin'
                            check (approver_role in ('tenant_admin')),
    expires_at              date not null,
    compensating_control_id uuid,
    status                  text not null default 'pending'
                            check (status in ('pending', 'approved', 'rejected', 'expired',
                                              'revoked')),
    decided_by              uuid,
    decided_at              timestamptz,
    reason                  text check (length(reason) <= 2000),
    ended_by                uuid,
    ended_at                timestamptz,
    primary key (tenant_id, id),
    unique (id),
    foreign key (tenant_id, risk_id) references tenant.risk (tenant_id, id) on delete cascade,
    foreign key (tenant_id, compensating_control_id) references tenant.control (tenant_id, id)
        on delete set null (compensating_control_id),
    foreign key (tenant_id, requested_by) references platform.users (tenant_id, id)
        on delete set null (requested_by),
    foreign key (tenant_id, decided_by) references platform.users (tenant_id, id)
        on delete set null (decided_by),
    foreign key (tenant_id, ended_by) references platform.users (tenant_id, id)
        on delete set null (ended_by),
    constraint risk_acceptance_no_self_approval check (decided_by <> requested_by),
    constraint risk_acceptance_expiry_ahead check (
        expires_at > (requested_at at time zone 'UTC')::date
        and expires_at <= (requested_at at time zone 'UTC')::date + {MAX_DAYS}),
    check (status <> 'pending' or (decided_at is null and decided_by is null)),
    check (status not in ('approved', 'rejected', 'expired') or decided_at is not null),
    check ((status in ('expired', 'revoked')) = (ended_at is not null)),
    check (status not in ('rejected', 'revoked') or length(reason) > 0)
);
create unique index risk_acceptance_active on tenant.risk_acceptance (tenant_id, risk_id)
    where status in ('pending', 'approved');
create index risk_acceptance_risk on tenant.risk_acceptance (tenant_id, risk_id, requested_at);
create index risk_acceptance_approved on tenant.risk_acceptance (tenant_id, expires_at)
    where status = 'approved';

alter table tenant.risk_acceptance enable row level security;
alter table tenant.risk_acceptance force row level security;
create policy tenant_isolation on tenant.risk_acceptance
    using (tenant_id = (select platform.current_tenant_id()))
    with check (tenant_id = (select platform.current_tenant_id()));
create policy pipeline_batch on tenant.risk_acceptance to draxis_pipeline
    using (tenant_id = any ((select platform.current_tenant_ids())::uuid[]))
    with check (tenant_id = any ((select platform.current_tenant_ids())::uuid[]));

grant select, insert on tenant.risk_acceptance to draxis_app;
grant update (status, decided_by, decided_at, reason, ended_by, ended_at)
    on tenant.risk_acceptance to draxis_app;
grant select on tenant.risk_acceptance to draxis_pipeline;
grant update (status, ended_at) on tenant.risk_acceptance to draxis_pipeline;
-- Expiry returns the risk to review.
grant update (status, updated_at) on tenant.risk to draxis_pipeline;

alter table tenant.risk_posture add column accepted_until date;

-- Whom the pipeline notifies: the tenant's active admins when a risk has no live owner. 0019
-- already lets it read its batch's users (id, tenant, address, name, active; the restrictive
-- policy hides every user outside a batch); the fallback needs their role too.
grant select (role) on platform.users to draxis_pipeline;
"""


def upgrade() -> None:
    run_script(SCHEMA)
