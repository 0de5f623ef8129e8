output "repository" {
  description = "Image repository path, e.g. us-docker.pkg.dev/project/draxis/draxis."
  value       = "${google_artifact_registry_repository.images.location}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}/draxis"
}

output "repository_id" {
  value = google_artifact_registry_repository.images.id
}

output "attestor" {
  value = google_binary_authorization_attestor.verified_build.id
}

output "attestor_key_version" {
  value = data.google_kms_crypto_key_version.attestor.id
}
