"""A batch scope for the pipeline: one transaction sees exactly the run's tenants.

A ranged rollup run covered its tenant partitions one transaction at a time, each with its own
queries, validation and replace: ~105 ms per tenant, 105 s for a 1,000-tenant book whose compute
takes 0.07 s (issue 13). Now a run may scope one transaction to the list of tenants its
partitions name, and read, compute and write them all in one pass:

- `platform.current_tenant_ids()` reads `draxis.tenant_ids` (a uuid[] literal, set with
  `set_config(..., true)` as the transaction's first statement, like every scope) only while
  `draxis.scope` is 'tenants'; unset, empty or any other scope, it is NULL and matches nothing
  (fail closed).
- Each tenant table the pipeline reads or writes gets a second permissive policy,
  `pipeline_batch`, **for `draxis_pipeline` only**: `tenant_id = any(current_tenant_ids())`, for
  reading and for writing. The app's role has no such policy, so the scope means nothing to it,
  and the existing grants still bound what the pipeline may do (a policy grants no privilege).
- The function is closed to PUBLIC by default (0007) and opened to the pipeline alone.

A table added later that the pipeline reads needs its own `pipeline_batch` policy
(tests/security/test_batch_scope.py checks the catalog for exactly that).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
create function platform.current_tenant_ids() returns uuid[]
    language sql stable
    as $$
        select case when current_setting('draxis.scope', true) = 'tenants'
                    then nullif(current_setting('draxis.tenant_ids', true), '')::uuid[] end
    $$;
grant execute on function platform.current_tenant_ids() to draxis_pipeline;

do $$
declare t text;
begin
    foreach t in array array[
        'kri_source', 'kri', 'source_run', 'run_request', 'kri_observation', 'kri_status',
        'staged_value', 'control', 'risk', 'outcome', 'kri_risk', 'control_risk',
        'risk_outcome', 'kri_outcome', 'model_revision', 'risk_posture', 'outcome_posture',
        'tenant_posture', 'posture_history'
    ] loop
        execute format($p$create policy pipeline_batch on tenant.%I to draxis_pipeline
            using (tenant_id = any ((select platform.current_tenant_ids())::uuid[]))
            with check (tenant_id = any ((select platform.current_tenant_ids())::uuid[]))$p$, t);
    end loop;
end $$;
"""


def upgrade() -> None:
    run_script(SCHEMA)
