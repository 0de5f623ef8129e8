variable "project_id" {
  description = "The project the region's deployment (and its metrics and logs) lives in."
  type        = string
}

variable "region" {
  description = "The region this module watches; every filter is scoped to it."
  type        = string
}

variable "api_host" {
  description = "The region's public host name (uptime checks GET https://<host>/health and /ready)."
  type        = string
}

variable "api_service_name" {
  description = "The Cloud Run service whose request logs feed the log-based metrics."
  type        = string
  default     = "draxis-api"
}

variable "drill_job_name" {
  description = "The Cloud Run job that runs the production restore drill (drill module)."
  type        = string
  default     = "draxis-restore-drill"
}

variable "notification_emails" {
  description = "Addresses that receive every alert (an email channel is created for each)."
  type        = list(string)
  default     = []
}

variable "notification_channel_ids" {
  description = "Existing channels (PagerDuty, Slack, ...) that receive every alert, by full id."
  type        = list(string)
  default     = []
}

variable "metric_prefix" {
  description = "Prefix of OpenTelemetry metrics in Cloud Monitoring with Google Cloud's exporter (docs/operations.md, metric mapping)."
  type        = string
  default     = "workload.googleapis.com/"
}

variable "slo_rolling_days" {
  description = "The SLOs' rolling compliance period."
  type        = number
  default     = 30
}

variable "availability_goal" {
  description = "Share of requests that are not server errors (the seed: 99.9%)."
  type        = number
  default     = 0.999
}

variable "latency_goal" {
  description = "Share of /api/* requests (panel excluded) faster than latency_threshold_seconds (p95)."
  type        = number
  default     = 0.95
}

variable "latency_threshold_seconds" {
  description = "The latency SLO's threshold (the seed: p95 under 500 ms)."
  type        = number
  default     = 0.5
}

variable "error_rate_goal" {
  description = "Share of logged requests without a 5xx over the rolling period (the seed: error rate under 1%)."
  type        = number
  default     = 0.99
}

variable "feed_stale_minutes" {
  description = "Minutes a source may stay past its staleness window before the stale-feed alert."
  type        = number
  default     = 30
}

variable "daemon_heartbeat_max_age_seconds" {
  description = "A Dagster daemon heartbeat older than this means the daemon has stopped."
  type        = number
  default     = 300
}

variable "slow_requests_per_10_minutes" {
  description = "Slow (> 500 ms, panel excluded) requests in 10 minutes that raise the slow-request alert."
  type        = number
  default     = 100
}
