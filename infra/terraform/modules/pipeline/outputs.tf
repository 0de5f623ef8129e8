output "cluster_name" {
  value = google_container_cluster.dagster.name
}

output "cluster_endpoint" {
  description = "Private endpoint of the control plane."
  value       = google_container_cluster.dagster.endpoint
  sensitive   = true
}

output "cluster_ca_certificate" {
  value     = google_container_cluster.dagster.master_auth[0].cluster_ca_certificate
  sensitive = true
}

output "service_account" {
  value = google_service_account.dagster.email
}

output "compute_logs_bucket" {
  value = google_storage_bucket.compute_logs.name
}
