"""Assessment evaluation by the pipeline: a claim on each evaluation, file answers' scores, and
the evaluation's audit rows.

- `tenant.assessment.evaluation_lease_until`: the pipeline claims a pending evaluation by
  setting it (a compare-and-set: only while the evaluation is pending and no live claim holds
  it), evaluates with no transaction open, and writes the result only while its claim is still
  the one stored. Two ticks never evaluate the same assessment twice; a worker that died frees
  it when the lease runs out.
- A `file` question has no answer value (its evidence is the answer), so no answer row may
  exist for its score: the pipeline may insert one (value JSON `null`) with the scores only.
- The evaluation (and every model call in it) goes into the tenant's audit log: the pipeline
  may insert `assessment.*` rows about an assessment, in its batch scope, as no user.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
set lock_timeout = '5s';

alter table tenant.assessment add column evaluation_lease_until timestamptz;
grant update (evaluation_lease_until) on tenant.assessment to draxis_pipeline;

grant insert (tenant_id, assessment_id, question_id, value, auto_score, auto_source,
              auto_rationale) on tenant.assessment_answer to draxis_pipeline;

grant insert on tenant.audit_log to draxis_pipeline;
create policy pipeline_batch on tenant.audit_log for insert to draxis_pipeline
    with check (tenant_id = any ((select platform.current_tenant_ids())::uuid[])
                and scope = (select platform.current_scope())
                and actor_user_id is null and impersonator_user_id is null
                and action like 'assessment.%' and target_type = 'assessment'
                and exists (select 1 from tenant.assessment a
                            where a.tenant_id = audit_log.tenant_id
                              and a.id::text = audit_log.target_id));
"""


def upgrade() -> None:
    run_script(SCHEMA)
