output "service_name" {
  value = google_cloud_run_v2_service.api.name
}

output "job_name" {
  value = google_cloud_run_v2_job.migrate.name
}

output "api_service_account" {
  value = google_service_account.api.email
}

output "migrate_service_account" {
  value = google_service_account.migrate.email
}

output "smoke_job_name" {
  value = google_cloud_run_v2_job.smoke.name
}

output "smoke_service_account" {
  value = google_service_account.smoke.email
}
