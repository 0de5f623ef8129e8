"""The MSP heat map's click-through, and org board reports named after their organization.

- An organization's master admin opens one of its tenants' risks read-only from the heat map
  (`GET /api/orgs/{org_id}/tenants/{tenant_id}/risks/{risk_id}/explanation`): the score, the
  severity and each contributing KRI's and control's share. Under the org scope the app may
  now read `tenant.risk_contribution` and the names of `tenant.kri` and `tenant.control`, for
  the tenants the scope shows (`platform.tenants`' RLS: its own organization's), as migration
  0014's `org_reads_*` policies do for risks and postures. These policies are the app's only:
  the pipeline's org report does not read them.
- The pipeline reads the `id` and `name` of an organization (no other column), and only of one
  with a live tenant, i.e. one the monthly run queues a report for: the report is titled with
  the organization's name instead of "MSP organization (N tenants)". The restrictive policy
  narrows the pipeline's rows whatever the scope; the permissive `organization_scope` of 0001
  still decides the rest.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
set lock_timeout = '5s';

create policy org_reads_contribution on tenant.risk_contribution for select to draxis_app
    using ((select platform.current_scope()) = 'org'
           and tenant_id in (select t.id from platform.tenants t));
create policy org_reads_kri on tenant.kri for select to draxis_app
    using ((select platform.current_scope()) = 'org'
           and tenant_id in (select t.id from platform.tenants t));
create policy org_reads_control on tenant.control for select to draxis_app
    using ((select platform.current_scope()) = 'org'
           and tenant_id in (select t.id from platform.tenants t));

grant select (id, name) on platform.organizations to draxis_pipeline;
create policy pipeline_reported_orgs on platform.organizations as restrictive for select
    to draxis_pipeline
    using (exists (select 1 from platform.tenants t
                   where t.organization_id = organizations.id and t.deleted_at is null));
"""


def upgrade() -> None:
    run_script(SCHEMA)
