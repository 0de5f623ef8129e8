"""`workflows`: the tenants' workflow triggers evaluated after each KRI colour and risk posture
recompute, and their runs advanced. Never the web tier: the API only stores definitions and
records approval decisions.

Per batch of tenants, one transaction scoped to exactly them (`assets.posture.batch`):
refresh the subject states (one upsert), fire each trigger type an enabled workflow uses (one
INSERT ... SELECT each, idempotent by the run's unique key), then read the runs that can move
and what they need in bulk, advance each with the pure `draxis.workflows.steps.advance` and
write the result back (five statements).
"""

from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg

from assets import tenants as tenant_store
from assets.database import DraxisDatabase
from assets.partitions import tenant_partitions
from assets.posture.assets import risk_posture
from assets.posture.batch import Outcome, TenantBatch, batch_transaction, outcome, resolve_batch
from assets.status.asset import kri_status
from assets.tenants import Conn
from assets.workflows import store
from draxis.workflows.steps import advance
from draxis.workflows.triggers import REFRESH_STATES, enabled_trigger_types, fire_stored


@dataclass
class Evaluation:
    started: int = 0
    advanced: int = 0
    tasks: int = 0
    notifications: int = 0
    finished: int = 0

    def add(self, other: "Evaluation") -> None:
        for name in ("started", "advanced", "tasks", "notifications", "finished"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def evaluate(conn: Conn, batch: TenantBatch) -> Evaluation:
    """One batch's triggers and runs, in one transaction scoped to its tenants."""
    result = Evaluation()
    with batch_transaction(conn, batch):
        conn.execute(REFRESH_STATES)
        result.started = sum(fire_stored(conn, t) for t in enabled_trigger_types(conn))
        runs = store.open_runs(conn)
        if not runs:
            return result
        worlds = store.worlds(conn, runs, tenant_store.now_utc(conn))
        moves = [advance(run, worlds[run.id]) for run in runs]
        changed = [
            m
            for m, run in zip(moves, runs, strict=True)
            if (m.status, m.step, m.steps) != (run.status, run.step, run.steps)
        ]
        store.write(conn, changed)
        result.advanced = len(changed)
        result.tasks = sum(len(m.tasks) for m in changed)
        result.notifications = sum(len(m.notifications) for m in changed)
        result.finished = sum(m.finished for m in changed)
    return result


@dg.asset(
    partitions_def=tenant_partitions,
    automation_condition=dg.AutomationCondition.eager(),
    kinds={"postgres"},
    deps=[kri_status, risk_posture],
    group_name="workflows",
    description="Tenant workflows: triggers fired (one run per firing) and runs advanced, after"
    " each KRI colour and risk posture recompute (docs/workflows.md).",
)
def workflows(context: dg.AssetExecutionContext, database: DraxisDatabase) -> Iterator[Outcome]:
    total = Evaluation()
    with database.connection() as conn:
        run = resolve_batch(conn, list(context.partition_keys))
        for batch in run.chunks():
            total.add(evaluate(conn, batch))
    result: dg.MaterializeResult[None] = dg.MaterializeResult(
        metadata={
            "runs_started": total.started,
            "runs_advanced": total.advanced,
            "tasks_opened": total.tasks,
            "notifications": total.notifications,
            "runs_finished": total.finished,
        }
    )
    yield from outcome(context, run, result)
