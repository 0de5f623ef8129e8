output "secret_ids" {
  description = "Short name => full secret id, for Cloud Run secret references."
  value       = { for name, secret in google_secret_manager_secret.draxis : name => secret.id }
}
