"""The Dagster code location: merges what `assets/` and `pipelines/` declare, nothing else."""

import dagster as dg

from assets.database import DraxisDatabase
from assets.kri.asset import kri_observations
from assets.portfolio.asset import carrier_portfolio
from assets.posture.assets import outcome_posture, risk_posture, tenant_posture
from assets.reports.asset import board_reports
from assets.status.asset import kri_status
from assets.workflows.asset import workflows
from draxis.settings import get_settings
from draxis.telemetry import configure_telemetry
from pipelines.assessment_evaluation import assessment_evaluation_job, assessment_evaluation_sensor
from pipelines.daily_review import daily_review_schedule
from pipelines.jobs import (
    board_reports_job,
    board_reports_schedule,
    carrier_portfolio_job,
    carrier_portfolio_schedule,
    kri_observations_job,
    kri_status_job,
    posture_job,
    workflows_job,
)
from pipelines.notification_delivery import (
    notification_delivery_sensor,
    notification_digest_job,
    notification_digest_schedule,
)
from pipelines.run_counting import run_count_sensors
from pipelines.run_logging import json_console_logger
from pipelines.sensors import (
    board_reports_sensor,
    dead_runs_sensor,
    kri_automation_sensor,
    risk_model_sensor,
    run_now_sensor,
    scheduled_sources_sensor,
    tenant_partitions_sensor,
    workflow_waits_sensor,
)
from pipelines.telemetry import observe_pipeline
from pipelines.tprm_sensors import tprm_changes_sensor
from pipelines.vendor_reminders import assessment_reminders_job, assessment_reminders_schedule

database = DraxisDatabase()
# Traces and metrics as the settings choose (none by default), and then this process's gauges.
if configure_telemetry(get_settings()).enabled:
    observe_pipeline(database)

defs = dg.Definitions(
    assets=[
        kri_observations,
        kri_status,
        risk_posture,
        outcome_posture,
        tenant_posture,
        carrier_portfolio,
        board_reports,
        workflows,
    ],
    jobs=[
        kri_observations_job,
        kri_status_job,
        posture_job,
        carrier_portfolio_job,
        board_reports_job,
        workflows_job,
        notification_digest_job,
        assessment_evaluation_job,
        assessment_reminders_job,
    ],
    schedules=[
        carrier_portfolio_schedule,
        board_reports_schedule,
        notification_digest_schedule,
        daily_review_schedule,
        assessment_reminders_schedule,
    ],
    sensors=[
        tenant_partitions_sensor,
        kri_automation_sensor,
        risk_model_sensor,
        scheduled_sources_sensor,
        run_now_sensor,
        dead_runs_sensor,
        board_reports_sensor,
        workflow_waits_sensor,
        notification_delivery_sensor,
        assessment_evaluation_sensor,
        tprm_changes_sensor,
        *run_count_sensors,
    ],
    resources={"database": database},
    loggers={"console": json_console_logger},
)
