output "network_id" {
  value = google_compute_network.vpc.id
}

output "network_name" {
  value = google_compute_network.vpc.name
}

output "subnet_id" {
  value = google_compute_subnetwork.main.id
}

output "subnet_name" {
  value = google_compute_subnetwork.main.name
}

output "egress_ips" {
  description = "The addresses vendor APIs see; customers allow-list them."
  value       = google_compute_address.egress[*].address
}

output "private_services_connection" {
  description = "Depend on this before creating private-IP Cloud SQL instances."
  value       = google_service_networking_connection.private_services.id
}
