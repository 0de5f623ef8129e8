output "egress_ips" {
  description = "Give these to customers whose vendor APIs allow-list callers."
  value       = module.network.egress_ips
}

output "database_connection_name" {
  value = module.database.connection_name
}

output "database_private_ip" {
  description = "The host in draxis-database-url."
  value       = module.database.private_ip
}

output "api_service" {
  value = module.app.service_name
}

output "migrate_job" {
  value = module.app.job_name
}

output "pipeline_cluster" {
  value = module.pipeline.cluster_name
}

output "drill_record_bucket" {
  description = "The GitHub variable DRILL_RECORD_BUCKET (deploy.yml's restore drill gate)."
  value       = module.drill.record_bucket
}

output "monitoring_dashboard" {
  value = module.monitoring.dashboard_id
}
