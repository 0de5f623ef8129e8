output "service_id" {
  description = "The custom Cloud Monitoring service holding the SLOs."
  value       = google_monitoring_custom_service.api.service_id
}

output "slo_ids" {
  value = { for name, slo in local.slos : name => slo.id }
}

output "notification_channels" {
  value = local.channels
}

output "dashboard_id" {
  value = google_monitoring_dashboard.draxis.id
}
