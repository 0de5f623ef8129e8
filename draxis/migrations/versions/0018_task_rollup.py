"""The MSP org page counts each tenant's overdue tasks: the org scope may read tenant.task.

The narrowest read that count needs: SELECT (already granted to the app) under the `org` scope,
for the tenants of the caller's organization only (`platform.tenants` is itself limited to them
under that scope), for the app role only. No new grant; comments, attachments and history stay
tenant-only.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
set lock_timeout = '5s';

create policy org_reads_task on tenant.task for select to draxis_app
    using ((select platform.current_scope()) = 'org'
           and tenant_id in (select t.id from platform.tenants t));
"""


def upgrade() -> None:
    run_script(SCHEMA)
