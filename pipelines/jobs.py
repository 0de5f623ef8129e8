"""Jobs: one per partitioned asset, for the UI's launchpad and for `draxis materialize`."""

import dagster as dg

from assets.kri.asset import kri_observations
from assets.portfolio.asset import carrier_portfolio
from assets.posture.assets import outcome_posture, risk_posture, tenant_posture
from assets.reports.asset import MONTHLY_TAG, board_reports
from assets.status.asset import kri_status
from assets.workflows.asset import workflows

# Runs log through the code location's JSON `console` logger only when run config names it.
JSON_RUN_LOGS = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}

kri_observations_job = dg.define_asset_job(
    "kri_observations_job",
    selection=dg.AssetSelection.assets(kri_observations),
    config=JSON_RUN_LOGS,
    description="Fetch, validate and write one tenant's source (one partition per cell).",
)

kri_status_job = dg.define_asset_job(
    "kri_status_job",
    selection=dg.AssetSelection.assets(kri_status),
    config=JSON_RUN_LOGS,
    description="Recompute one tenant's KRI colours.",
)

posture_job = dg.define_asset_job(
    "posture_job",
    selection=dg.AssetSelection.assets(risk_posture, outcome_posture, tenant_posture),
    config=JSON_RUN_LOGS,
    description="Recompute one tenant's risk, outcome and tenant posture.",
)

carrier_portfolio_job = dg.define_asset_job(
    "carrier_portfolio_job",
    selection=dg.AssetSelection.assets(carrier_portfolio),
    config=JSON_RUN_LOGS,
    description="Project every carrier's book of consenting insured tenants.",
)

# The projection's own cadence (the seed's projection service): hourly, at minute 5.
carrier_portfolio_schedule = dg.ScheduleDefinition(
    name="carrier_portfolio_schedule",
    job=carrier_portfolio_job,
    cron_schedule="5 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Hourly carrier portfolio projection.",
)

board_reports_job = dg.define_asset_job(
    "board_reports_job",
    selection=dg.AssetSelection.assets(board_reports),
    config=JSON_RUN_LOGS,
    description="Render queued PDF board reports (tenant, MSP organization, carrier).",
)

# Every month's reports, on the 1st at 06:00 UTC: the run first queues one per owner.
board_reports_schedule = dg.ScheduleDefinition(
    name="board_reports_schedule",
    job=board_reports_job,
    cron_schedule="0 6 1 * *",
    tags={MONTHLY_TAG: "1"},
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Monthly board reports for every tenant, MSP organization and carrier.",
)

workflows_job = dg.define_asset_job(
    "workflows_job",
    selection=dg.AssetSelection.assets(workflows),
    config=JSON_RUN_LOGS,
    description="Evaluate one tenant's workflow triggers and advance its runs.",
)
