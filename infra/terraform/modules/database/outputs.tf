output "instance_name" {
  value = google_sql_database_instance.primary.name
}

output "connection_name" {
  description = "project:region:instance, for the Cloud SQL connectors."
  value       = google_sql_database_instance.primary.connection_name
}

output "private_ip" {
  value = google_sql_database_instance.primary.private_ip_address
}

output "replica_private_ip" {
  value = google_sql_database_instance.replica.private_ip_address
}

output "exports_bucket" {
  value = google_storage_bucket.exports.name
}
