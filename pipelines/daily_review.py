"""The daily review: every tenant's postures (and, by automation, its workflows) recomputed once
a day, whether or not any feed or model changed.

Time alone changes what is true: an acceptance lapses at the end of its expiry day, a vendor's
review date comes due, an acceptance nears its expiry. Those are evaluated where the rules live,
in the `risk_posture` run (acceptance expiry, `assets.acceptance.review`) and in the `workflows`
asset that follows it (time-based triggers), so a tenant whose feeds are quiet still has them
evaluated within a day. One run per tenant partition, keyed by the day: a schedule evaluated
twice for the same tick asks for each run once.
"""

import dagster as dg

from assets.partitions import tenant_partitions
from pipelines.jobs import posture_job

DAILY_REVIEW_CRON = "5 0 * * *"  # 00:05 UTC: just after an acceptance's expiry day ends


def daily_review_requests(day: str, tenants: list[str]) -> list[dg.RunRequest]:
    """One posture run per tenant for `day` (YYYY-MM-DD), idempotent by run key."""
    return [
        dg.RunRequest(
            run_key=f"daily-review:{day}:{slug}", partition_key=slug, tags={"tenant": slug}
        )
        for slug in sorted(tenants)
    ]


@dg.schedule(
    name="daily_review_schedule",
    job=posture_job,
    cron_schedule=DAILY_REVIEW_CRON,
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Once a day, every tenant's postures and workflows: acceptances that lapsed go"
    " back to review, time-based workflow triggers (reassessment due, acceptance expiring) fire.",
)
def daily_review_schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
    assert tenant_partitions.name is not None
    tenants = list(context.instance.get_dynamic_partitions(tenant_partitions.name))
    day = context.scheduled_execution_time.date().isoformat()
    return daily_review_requests(day, tenants)
