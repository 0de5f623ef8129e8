"""Notification delivery in the pipeline: a sensor that sends what is due, and the daily digest.

The sensor runs the delivery worker (`assets.notify.worker`) as `draxis_pipeline` every 15
seconds: it queues the deliveries of new notifications, claims the due ones with a lease,
commits, sends them (SMTP, signed webhooks), and records each outcome in a new transaction. The
digest job does the same pass once a day just after the digest time (07:00 UTC), so digests go
out on time even when the sensor is stopped; a pass that finds nothing due does nothing.
"""

import dagster as dg

from assets.database import DraxisDatabase
from assets.notify.worker import deliver_due
from draxis.settings import get_settings

# A tick sends for at most this long, then leaves the rest to the next tick: a sensor
# evaluation must end well inside Dagster's 60 s timeout however slow the receivers are.
TICK_BUDGET_S = 30.0


@dg.sensor(
    name="notification_delivery_sensor",
    minimum_interval_seconds=15,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Sends due notification e-mails and signed webhooks (retries with backoff);"
    " never holds a transaction while it waits on the network.",
)
def notification_delivery_sensor(
    context: dg.SensorEvaluationContext, database: DraxisDatabase
) -> dg.SkipReason:
    summary = deliver_due(database, get_settings(), budget_s=TICK_BUDGET_S)
    return dg.SkipReason(
        f"queued {summary.queued}, sent {summary.sent}, retrying {summary.retried},"
        f" failed {summary.failed}, skipped {summary.skipped}, deferred {summary.deferred}"
    )


@dg.op(description="One delivery pass: the digests that came due, and anything else due.")
def send_due_notifications(context: dg.OpExecutionContext, database: DraxisDatabase) -> None:
    summary = deliver_due(database, get_settings())
    context.log.info(f"sent {summary.sent}, retrying {summary.retried}, failed {summary.failed}")


@dg.job(description="Send the daily notification digests (and whatever else is due).")
def notification_digest_job() -> None:
    send_due_notifications()


notification_digest_schedule = dg.ScheduleDefinition(
    name="notification_digest_schedule",
    job=notification_digest_job,
    cron_schedule="1 7 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Daily digest e-mails at 07:01 UTC (digest rows fall due at 07:00).",
)
