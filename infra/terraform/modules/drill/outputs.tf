output "job_name" {
  value = google_cloud_run_v2_job.drill.name
}

output "record_bucket" {
  description = "Set the GitHub variable DRILL_RECORD_BUCKET to this (deploy.yml's gate reads it)."
  value       = google_storage_bucket.records.name
}

output "service_account" {
  value = google_service_account.drill.email
}
