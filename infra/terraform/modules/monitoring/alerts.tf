# Operational alerts. Each one's documentation names its runbook in docs/operations.md.

locals {
  # name => the alert's threshold condition; all notify local.channels.
  threshold_alerts = {
    stale-feeds = {
      title     = "feeds are stale"
      severity  = "WARNING"
      filter    = "metric.type = \"${local.m}draxis.feed.stale\" AND ${local.scope}"
      aligner   = "ALIGN_MAX"
      reducer   = "REDUCE_MAX"
      group_by  = ["metric.label.vendor"]
      period    = "300s"
      threshold = 0
      duration  = "${var.feed_stale_minutes * 60}s"
      runbook   = "stale-feeds"
    }
    failed-runs = {
      title     = "pipeline runs failed"
      severity  = "WARNING"
      filter    = "metric.type = \"${local.m}draxis.pipeline.runs\" AND metric.label.status = \"failure\" AND ${local.scope}"
      aligner   = "ALIGN_DELTA"
      reducer   = "REDUCE_SUM"
      group_by  = ["metric.label.job"]
      period    = "600s"
      threshold = 0
      duration  = "0s"
      runbook   = "failed-runs"
    }
    dagster-daemon-stopped = {
      title     = "the Dagster daemon has stopped"
      severity  = "CRITICAL"
      filter    = "metric.type = \"${local.m}draxis.dagster.daemon.heartbeat_age\" AND ${local.scope}"
      aligner   = "ALIGN_MAX"
      reducer   = "REDUCE_MAX"
      group_by  = ["metric.label.daemon_type"]
      period    = "60s"
      threshold = var.daemon_heartbeat_max_age_seconds
      duration  = "300s"
      runbook   = "dagster-daemon-stopped"
    }
    pool-saturated = {
      title     = "requests wait for database connections"
      severity  = "WARNING"
      filter    = "metric.type = \"${local.m}draxis.db.pool.waiting\" AND ${local.scope}"
      aligner   = "ALIGN_MEAN"
      reducer   = "REDUCE_MAX"
      group_by  = ["metric.label.process"]
      period    = "60s"
      threshold = 0
      duration  = "300s"
      runbook   = "pool-saturated"
    }
    slow-requests = {
      title     = "many slow requests"
      severity  = "WARNING"
      filter    = "metric.type = \"logging.googleapis.com/user/${google_logging_metric.request["slow"].name}\" AND resource.type = \"cloud_run_revision\""
      aligner   = "ALIGN_DELTA"
      reducer   = "REDUCE_SUM"
      group_by  = []
      period    = "600s"
      threshold = var.slow_requests_per_10_minutes
      duration  = "0s"
      runbook   = "slow-requests"
    }
    restore-drill-failed = {
      title     = "the restore drill failed"
      severity  = "CRITICAL"
      filter    = "metric.type = \"run.googleapis.com/job/completed_execution_count\" AND resource.type = \"cloud_run_job\" AND resource.labels.job_name = \"${var.drill_job_name}\" AND resource.labels.location = \"${var.region}\" AND metric.label.result = \"failed\""
      aligner   = "ALIGN_DELTA"
      reducer   = "REDUCE_SUM"
      group_by  = []
      period    = "3600s"
      threshold = 0
      duration  = "0s"
      runbook   = "restore-drill-failed"
    }
  }
}

resource "google_monitoring_alert_policy" "threshold" {
  for_each     = local.threshold_alerts
  project      = var.project_id
  display_name = "Draxis ${var.region}: ${each.value.title}"
  combiner     = "OR"
  severity     = each.value.severity

  conditions {
    display_name = each.value.title
    condition_threshold {
      filter          = each.value.filter
      comparison      = "COMPARISON_GT"
      threshold_value = each.value.threshold
      duration        = each.value.duration
      aggregations {
        alignment_period     = each.value.period
        per_series_aligner   = each.value.aligner
        cross_series_reducer = each.value.reducer
        group_by_fields      = each.value.group_by
      }
    }
  }

  notification_channels = local.channels
  alert_strategy {
    auto_close = "86400s"
  }
  documentation {
    mime_type = "text/markdown"
    content   = "Draxis ${var.region}: ${each.value.title}. Runbook: docs/operations.md#${each.value.runbook}."
  }
}

# A daemon that stops also stops reporting its heartbeat age: silence is an alert too.
resource "google_monitoring_alert_policy" "daemon_silent" {
  project      = var.project_id
  display_name = "Draxis ${var.region}: no Dagster daemon heartbeat reported"
  combiner     = "OR"
  severity     = "CRITICAL"

  conditions {
    display_name = "heartbeat age absent for 10 minutes"
    condition_absent {
      filter   = "metric.type = \"${local.m}draxis.dagster.daemon.heartbeat_age\" AND ${local.scope}"
      duration = "600s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }

  notification_channels = local.channels
  documentation {
    mime_type = "text/markdown"
    content   = "Nothing reports the Dagster daemon's heartbeat. Runbook: docs/operations.md#dagster-daemon-stopped."
  }
}

resource "google_monitoring_alert_policy" "uptime" {
  for_each     = google_monitoring_uptime_check_config.api
  project      = var.project_id
  display_name = "Draxis ${var.region}: ${each.value.http_check[0].path} failing"
  combiner     = "OR"
  severity     = "CRITICAL"

  conditions {
    display_name = "${each.value.http_check[0].path} fails from more than one checker region"
    condition_threshold {
      filter          = "metric.type = \"monitoring.googleapis.com/uptime_check/check_passed\" AND metric.label.check_id = \"${each.value.uptime_check_id}\" AND resource.type = \"uptime_url\""
      comparison      = "COMPARISON_GT"
      threshold_value = 1
      duration        = "120s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_NEXT_OLDER"
        cross_series_reducer = "REDUCE_COUNT_FALSE"
        group_by_fields      = ["resource.label.*"]
      }
    }
  }

  notification_channels = local.channels
  documentation {
    mime_type = "text/markdown"
    content   = "Uptime checks of https://${var.api_host}${each.value.http_check[0].path} fail. Runbook: docs/operations.md#uptime-check-failing."
  }
}
