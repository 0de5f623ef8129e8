# SLOs and alerts as code for one region: the seed's SLOs (availability 99.9%, p95 /api/* under
# 500 ms with the panel's long calls excluded, 30-day error rate under 1%) with multi-window
# burn-rate alerts, uptime checks of /health and /ready, log-based metrics for errors and slow
# requests, alerts for stale feeds, failed runs, a stopped Dagster daemon, pool saturation and a
# failed restore drill (alerts.tf), and a dashboard (dashboard.tf). What each alert means and
# what to do: docs/operations.md. Metric names are the telemetry contract's (docs/telemetry.md);
# OpenTelemetry metric `<name>` is `<metric_prefix><name>` here, attribute `a.b` is label `a_b`.

locals {
  m = var.metric_prefix
  # Workload metrics of this region only (generic_task and prometheus_target both carry it).
  scope = "resource.labels.location = \"${var.region}\""
  http  = "metric.type = \"${local.m}http.server.request.duration\" AND ${local.scope}"
  # /api/* without the panel's long calls (model turns take seconds by design).
  api_routes = "metric.label.http_route = starts_with(\"/api/\") AND NOT metric.label.http_route = starts_with(\"/api/panel\")"

  request_log = join(" AND ", [
    "resource.type = \"cloud_run_revision\"",
    "resource.labels.service_name = \"${var.api_service_name}\"",
    "resource.labels.location = \"${var.region}\"",
    "jsonPayload.msg = \"request\"",
  ])
  log_metric_names = {
    requests = "draxis_requests_${replace(var.region, "-", "_")}"
    errors   = "draxis_server_errors_${replace(var.region, "-", "_")}"
    slow     = "draxis_slow_requests_${replace(var.region, "-", "_")}"
  }
  log_metric_filters = {
    requests = local.request_log
    errors   = "${local.request_log} AND jsonPayload.status >= 500"
    slow     = "${local.request_log} AND jsonPayload.ms > ${var.latency_threshold_seconds * 1000} AND NOT jsonPayload.route =~ \"^/api/panel\""
  }

  channels = concat(
    [for channel in google_monitoring_notification_channel.email : channel.id],
    var.notification_channel_ids,
  )

  slos = {
    availability = google_monitoring_slo.availability
    latency      = google_monitoring_slo.latency
    error_rate   = google_monitoring_slo.error_rate
  }
  # Google SRE workbook, "Alerting on SLOs": page when 2% of a 30-day budget burns in an hour
  # (14.4x, checked over 1 h and 5 min), ticket when 5% burns in 6 hours (6x, over 6 h and 30 min).
  burn_windows = {
    fast = { long = "3600s", short = "300s", rate = 14.4, severity = "CRITICAL" }
    slow = { long = "21600s", short = "1800s", rate = 6, severity = "WARNING" }
  }
  burn_alerts = {
    for pair in setproduct(keys(local.slos), keys(local.burn_windows)) :
    "${pair[0]}-${pair[1]}" => { slo = pair[0], window = local.burn_windows[pair[1]], speed = pair[1] }
  }
}

resource "google_monitoring_notification_channel" "email" {
  for_each     = toset(var.notification_emails)
  project      = var.project_id
  display_name = "Draxis ${var.region} on-call: ${each.value}"
  type         = "email"
  labels = {
    email_address = each.value
  }
}

resource "google_monitoring_custom_service" "api" {
  project      = var.project_id
  service_id   = "draxis-api-${var.region}"
  display_name = "Draxis API (${var.region})"
}

# Availability: the share of minutes in which /ready answered 2xx (the database reachable,
# migrations at head, secrets loaded). A request-based ratio cannot come from the request-duration
# histogram (good/total ratios need INT64 or DOUBLE series); the error-rate SLO counts requests.
resource "google_monitoring_slo" "availability" {
  project             = var.project_id
  service             = google_monitoring_custom_service.api.service_id
  slo_id              = "availability"
  display_name        = "${var.availability_goal * 100}% of minutes ready (uptime checks of /ready, ${var.slo_rolling_days} days)"
  goal                = var.availability_goal
  rolling_period_days = var.slo_rolling_days

  windows_based_sli {
    window_period          = "60s"
    good_bad_metric_filter = "metric.type = \"monitoring.googleapis.com/uptime_check/check_passed\" AND metric.label.check_id = \"${google_monitoring_uptime_check_config.api["ready"].uptime_check_id}\" AND resource.type = \"uptime_url\""
  }
}

resource "google_monitoring_slo" "latency" {
  project             = var.project_id
  service             = google_monitoring_custom_service.api.service_id
  slo_id              = "api-latency"
  display_name        = "${var.latency_goal * 100}% of /api/* requests (panel excluded) under ${var.latency_threshold_seconds * 1000} ms"
  goal                = var.latency_goal
  rolling_period_days = var.slo_rolling_days

  request_based_sli {
    distribution_cut {
      distribution_filter = "${local.http} AND ${local.api_routes}"
      range {
        max = var.latency_threshold_seconds
      }
    }
  }
}

# From the request logs rather than the metrics: a second, independent witness of errors.
resource "google_monitoring_slo" "error_rate" {
  project             = var.project_id
  service             = google_monitoring_custom_service.api.service_id
  slo_id              = "error-rate"
  display_name        = "Error rate under ${(1 - var.error_rate_goal) * 100}% (request logs, ${var.slo_rolling_days} days)"
  goal                = var.error_rate_goal
  rolling_period_days = var.slo_rolling_days

  request_based_sli {
    good_total_ratio {
      bad_service_filter   = "metric.type = \"logging.googleapis.com/user/${google_logging_metric.request["errors"].name}\" AND resource.type = \"cloud_run_revision\""
      total_service_filter = "metric.type = \"logging.googleapis.com/user/${google_logging_metric.request["requests"].name}\" AND resource.type = \"cloud_run_revision\""
    }
  }
}

resource "google_monitoring_alert_policy" "burn_rate" {
  for_each     = local.burn_alerts
  project      = var.project_id
  display_name = "Draxis ${var.region}: ${each.value.slo} SLO burning ${each.value.window.rate}x (${each.value.speed})"
  combiner     = "AND"
  severity     = each.value.window.severity

  conditions {
    display_name = "burn rate over ${each.value.window.long}"
    condition_threshold {
      filter          = "select_slo_burn_rate(\"${local.slos[each.value.slo].id}\", \"${each.value.window.long}\")"
      comparison      = "COMPARISON_GT"
      threshold_value = each.value.window.rate
      duration        = "0s"
    }
  }
  conditions {
    display_name = "burn rate over ${each.value.window.short}"
    condition_threshold {
      filter          = "select_slo_burn_rate(\"${local.slos[each.value.slo].id}\", \"${each.value.window.short}\")"
      comparison      = "COMPARISON_GT"
      threshold_value = each.value.window.rate
      duration        = "0s"
    }
  }

  notification_channels = local.channels
  alert_strategy {
    auto_close = "1800s"
  }
  documentation {
    mime_type = "text/markdown"
    content   = "The ${each.value.slo} SLO's error budget is burning ${each.value.window.rate} times faster than it can last. Runbook: docs/operations.md#slo-burn-rate."
  }
}

resource "google_monitoring_uptime_check_config" "api" {
  for_each     = { health = "/health", ready = "/ready" }
  project      = var.project_id
  display_name = "Draxis ${var.region} ${each.value}"
  timeout      = "10s"
  period       = "60s"
  checker_type = "STATIC_IP_CHECKERS"

  http_check {
    path           = each.value
    port           = 443
    use_ssl        = true
    validate_ssl   = true
    request_method = "GET"
    accepted_response_status_codes {
      status_class = "STATUS_CLASS_2XX"
    }
  }

  monitored_resource {
    type = "uptime_url"
    labels = {
      project_id = var.project_id
      host       = var.api_host
    }
  }
}

resource "google_logging_metric" "request" {
  for_each = local.log_metric_names
  project  = var.project_id
  name     = each.value
  filter   = local.log_metric_filters[each.key]

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Draxis ${var.region} ${each.key} (request log lines)"
    labels {
      key         = "route"
      value_type  = "STRING"
      description = "The route template (jsonPayload.route)."
    }
  }
  label_extractors = {
    route = "EXTRACT(jsonPayload.route)"
  }
}
