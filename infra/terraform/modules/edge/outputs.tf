output "address" {
  description = "Point every region's host name (A record) here."
  value       = google_compute_global_address.edge.address
}

output "security_policy" {
  value = google_compute_security_policy.edge.name
}
