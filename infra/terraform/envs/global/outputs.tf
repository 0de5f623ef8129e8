output "edge_address" {
  description = "A record for every region's host name."
  value       = module.edge.address
}

output "image_repository" {
  value = module.registry.repository
}

output "workload_identity_provider" {
  value = module.github_oidc.workload_identity_provider
}

output "deployer_service_account" {
  value = module.github_oidc.deployer_service_account
}

output "attestor" {
  value = module.registry.attestor
}

output "attestor_key_version" {
  value = module.registry.attestor_key_version
}
