"""The daily review schedule: once a day, one posture run per tenant, so that time-based rules
(acceptance expiry, reassessment and expiring triggers) are evaluated for quiet tenants too."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg

from assets.partitions import tenant_partitions
from pipelines.daily_review import daily_review_schedule
from pipelines.definitions import defs


def test_it_is_registered_daily_after_midnight_utc() -> None:
    [schedule] = [s for s in defs.schedules or [] if s.name == "daily_review_schedule"]
    assert isinstance(schedule, dg.ScheduleDefinition)
    assert schedule.cron_schedule == "5 0 * * *"
    assert schedule.execution_timezone == "UTC"
    assert schedule.job_name == "posture_job"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING


def test_one_run_per_tenant_keyed_by_the_day() -> None:
    assert tenant_partitions.name is not None
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(tenant_partitions.name, ["globex", "acme"])
        tick = datetime(2026, 12, 6, 0, 5, tzinfo=UTC)
        with dg.build_schedule_context(instance=instance, scheduled_execution_time=tick) as ctx:
            requests = daily_review_schedule(ctx)
        with dg.build_schedule_context(instance=instance, scheduled_execution_time=tick) as ctx:
            again = daily_review_schedule(ctx)
    assert isinstance(requests, list)
    assert [(r.partition_key, r.run_key, r.tags["tenant"]) for r in requests] == [
        ("acme", "daily-review:2026-12-06:acme", "acme"),
        ("globex", "daily-review:2026-12-06:globex", "globex"),
    ]
    assert isinstance(again, list)
    assert [r.run_key for r in again] == [r.run_key for r in requests]  # the same runs, once


def test_no_tenant_no_run() -> None:
    with dg.instance_for_test() as instance:
        tick = datetime(2026, 12, 6, 0, 5, tzinfo=UTC)
        with dg.build_schedule_context(instance=instance, scheduled_execution_time=tick) as ctx:
            assert daily_review_schedule(ctx) == []
