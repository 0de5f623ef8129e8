# One dashboard per region: the API's traffic, errors and latency, the pipeline's runs, rows and
# feed freshness, the panel's model calls, the database pool and the Dagster daemon.

locals {
  # title => [filter, per-series aligner, cross-series reducer, group-by fields]
  dashboard_charts = {
    "Requests by route (request logs)" = [
      "metric.type = \"logging.googleapis.com/user/${google_logging_metric.request["requests"].name}\" AND resource.type = \"cloud_run_revision\"",
      "ALIGN_RATE", "REDUCE_SUM", ["metric.label.route"],
    ]
    "p95 latency by route (s)" = [local.http, "ALIGN_DELTA", "REDUCE_PERCENTILE_95", ["metric.label.http_route"]]
    "Server errors (request logs)" = [
      "metric.type = \"logging.googleapis.com/user/${google_logging_metric.request["errors"].name}\" AND resource.type = \"cloud_run_revision\"",
      "ALIGN_RATE", "REDUCE_SUM", ["metric.label.route"],
    ]
    "Slow requests (request logs)" = [
      "metric.type = \"logging.googleapis.com/user/${google_logging_metric.request["slow"].name}\" AND resource.type = \"cloud_run_revision\"",
      "ALIGN_RATE", "REDUCE_SUM", ["metric.label.route"],
    ]
    "Newest observation age by vendor (s)" = [
      "metric.type = \"${local.m}draxis.feed.age\" AND ${local.scope}", "ALIGN_MAX", "REDUCE_MAX", ["metric.label.vendor"],
    ]
    "Stale sources by vendor" = [
      "metric.type = \"${local.m}draxis.feed.stale\" AND ${local.scope}", "ALIGN_MAX", "REDUCE_MAX", ["metric.label.vendor"],
    ]
    "Pipeline runs by status" = [
      "metric.type = \"${local.m}draxis.pipeline.runs\" AND ${local.scope}", "ALIGN_DELTA", "REDUCE_SUM", ["metric.label.status"],
    ]
    "Rows written by asset" = [
      "metric.type = \"${local.m}draxis.pipeline.rows_written\" AND ${local.scope}", "ALIGN_DELTA", "REDUCE_SUM", ["metric.label.asset"],
    ]
    "Connector run p95 by vendor (s)" = [
      "metric.type = \"${local.m}draxis.connector.run.duration\" AND ${local.scope}", "ALIGN_DELTA", "REDUCE_PERCENTILE_95", ["metric.label.vendor", "metric.label.outcome"],
    ]
    "Panel model call p95 by role (s)" = [
      "metric.type = \"${local.m}draxis.panel.model_call.duration\" AND ${local.scope}", "ALIGN_DELTA", "REDUCE_PERCENTILE_95", ["metric.label.role", "metric.label.model"],
    ]
    "Panel tokens by direction" = [
      "metric.type = \"${local.m}draxis.panel.model_call.tokens\" AND ${local.scope}", "ALIGN_DELTA", "REDUCE_SUM", ["metric.label.direction", "metric.label.model"],
    ]
    "DB pool in use" = [
      "metric.type = \"${local.m}draxis.db.pool.in_use\" AND ${local.scope}", "ALIGN_MAX", "REDUCE_SUM", ["metric.label.process"],
    ]
    "DB pool size" = [
      "metric.type = \"${local.m}draxis.db.pool.size\" AND ${local.scope}", "ALIGN_MAX", "REDUCE_SUM", ["metric.label.process"],
    ]
    "DB pool waiting" = [
      "metric.type = \"${local.m}draxis.db.pool.waiting\" AND ${local.scope}", "ALIGN_MAX", "REDUCE_SUM", ["metric.label.process"],
    ]
    "Dagster daemon heartbeat age (s)" = [
      "metric.type = \"${local.m}draxis.dagster.daemon.heartbeat_age\" AND ${local.scope}", "ALIGN_MAX", "REDUCE_MAX", ["metric.label.daemon_type"],
    ]
  }
  dashboard_titles = sort(keys(local.dashboard_charts))
}

resource "google_monitoring_dashboard" "draxis" {
  project = var.project_id
  dashboard_json = jsonencode({
    displayName = "Draxis ${var.region}"
    mosaicLayout = {
      columns = 48
      tiles = [
        for index, title in local.dashboard_titles : {
          xPos   = (index % 2) * 24
          yPos   = floor(index / 2) * 16
          width  = 24
          height = 16
          widget = {
            title = title
            xyChart = {
              dataSets = [{
                plotType = "LINE"
                timeSeriesQuery = {
                  timeSeriesFilter = {
                    filter = local.dashboard_charts[title][0]
                    aggregation = {
                      alignmentPeriod    = "60s"
                      perSeriesAligner   = local.dashboard_charts[title][1]
                      crossSeriesReducer = local.dashboard_charts[title][2]
                      groupByFields      = local.dashboard_charts[title][3]
                    }
                  }
                }
              }]
            }
          }
        }
      ]
    }
  })
}
