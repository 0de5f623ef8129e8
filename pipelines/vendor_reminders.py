"""The daily TPRM pass (`assets.tprm.reminders`): expired vendor links wiped, reminder e-mails
queued for open assessments coming due (the delivery sensor sends them), senders told, and
vendor owners told when a reassessment is due. Idempotent: a second run the same day adds
nothing."""

from datetime import UTC, date, datetime

import dagster as dg

from assets.database import DraxisDatabase
from assets.tprm.evaluate import tenant_batches
from assets.tprm.reminders import Summary, daily_pass
from draxis.db.scope import Scope, scoped_transaction

REMINDERS_CRON = "0 6 * * *"  # 06:00 UTC: before the working day in Europe, queued for 07:00


def run_daily_pass(database: DraxisDatabase, today: date) -> Summary:
    total = Summary()
    batches = tenant_batches(database)
    with database.connection() as conn:
        for batch in batches:
            with scoped_transaction(conn, Scope.tenants(batch)):
                total = total + daily_pass(conn, today)
    return total


@dg.op(description="Reminders, expired links and reassessments due, for every tenant.")
def assessment_reminders(context: dg.OpExecutionContext, database: DraxisDatabase) -> None:
    summary = run_daily_pass(database, datetime.now(UTC).date())
    context.log.info(
        f"links expired {summary.links_expired}, reminders queued {summary.reminders_queued},"
        f" senders told {summary.due_notices}, reassessments due {summary.reassessment_notices}"
    )


@dg.job(description="The daily TPRM pass: assessment reminders and reassessments due.")
def assessment_reminders_job() -> None:
    assessment_reminders()


assessment_reminders_schedule = dg.ScheduleDefinition(
    name="assessment_reminders_schedule",
    job=assessment_reminders_job,
    cron_schedule=REMINDERS_CRON,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Daily at 06:00 UTC: vendor reminders, expired links, reassessments due.",
)
