output "workload_identity_provider" {
  description = "The GCP_WORKLOAD_IDENTITY_PROVIDER repository variable."
  value       = google_iam_workload_identity_pool_provider.github.name
}

output "deployer_service_account" {
  description = "The GCP_DEPLOYER_SERVICE_ACCOUNT repository variable."
  value       = google_service_account.deployer.email
}
