"""Evaluation of submitted assessments in the pipeline: a sensor that notices them, a job that
evaluates them.

`assessment_evaluation_sensor` (every 30 s) tells each sender about new submissions
(`assets.tprm.submissions`), then looks for submitted assessments whose evaluation is pending
and unclaimed, and requests one `assessment_evaluation_job` run for them. The run key names
those assessments and their leases, so a tick that sees the same ones asks for nothing new,
and a run that died (its claims' leases ran out) is asked for again. The run evaluates them
one by one (`assets.tprm.evaluate`): the model client when `ANTHROPIC_API_KEY` is set, the
offline analyst's rules otherwise; a second run at the same time finds them claimed.
"""

import asyncio
import concurrent.futures
import hashlib
from collections.abc import Sequence

import dagster as dg

from assets.database import DraxisDatabase
from assets.tprm.evaluate import Summary, evaluate_pending, tenant_batches, waiting
from assets.tprm.submissions import notify_submissions
from draxis.db.scope import Scope, scoped_transaction
from draxis.settings import get_settings
from panel.assessment_model import build_evaluator

RUN_LIMIT = 50  # assessments per run; the next tick asks for a run for the rest
RUN_BUDGET_S = 20 * 60.0  # a run starts no new evaluation after this long


async def _evaluate(database: DraxisDatabase) -> Summary:
    evaluator = build_evaluator(get_settings())
    try:
        return await evaluate_pending(database, evaluator, limit=RUN_LIMIT, budget_s=RUN_BUDGET_S)
    finally:
        await evaluator.aclose()


def _run_evaluation(database: DraxisDatabase) -> Summary:
    """`_evaluate` on an event loop of its own: this thread's, or, when this thread already
    runs a loop (an in-process run started from async code), a worker thread's."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_evaluate(database))
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, _evaluate(database)).result()


@dg.op(description="Evaluate the submitted assessments waiting for the model client.")
def evaluate_assessments(context: dg.OpExecutionContext, database: DraxisDatabase) -> None:
    summary = _run_evaluation(database)
    context.log.info(
        f"evaluated {summary.done}, failed {summary.failed}, skipped {summary.skipped}"
    )


@dg.job(description="Evaluate submitted assessments (model client or offline rules).")
def assessment_evaluation_job() -> None:
    evaluate_assessments()


def run_key(found: Sequence[tuple[object, object, object]]) -> str:
    text = "\n".join(sorted(f"{a}:{lease}" for _, a, lease in found))
    return "assessment-evaluation:" + hashlib.sha256(text.encode()).hexdigest()[:24]


@dg.sensor(
    name="assessment_evaluation_sensor",
    job=assessment_evaluation_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Tells senders about submitted assessments and requests their evaluation by"
    " the model client (one run for what waits; claims make a second run harmless).",
)
def assessment_evaluation_sensor(
    context: dg.SensorEvaluationContext, database: DraxisDatabase
) -> dg.SensorResult:
    announced = 0
    batches = tenant_batches(database)
    with database.connection() as conn:
        for batch in batches:
            with scoped_transaction(conn, Scope.tenants(batch)):
                announced += notify_submissions(conn)
    found = waiting(database, RUN_LIMIT)
    if not found:
        return dg.SensorResult(
            skip_reason=f"no assessment waits for evaluation ({announced} submissions announced)"
        )
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=run_key(found))])
