variable "project_id" {
  description = "The project the region's deployment lives in."
  type        = string
}

variable "region" {
  description = "The region of the primary and its replica."
  type        = string
}

variable "network_id" {
  description = "The VPC (network module) whose private services range gives the private IP."
  type        = string
}

variable "private_services_connection" {
  description = "The network module's private services connection (ordering only)."
  type        = string
}

variable "tier" {
  description = "Machine tier of the primary."
  type        = string
  default     = "db-custom-4-16384"
}

variable "replica_tier" {
  description = "Machine tier of the read replica."
  type        = string
  default     = "db-custom-2-8192"
}

variable "max_connections" {
  description = "Cloud Run instances x pool size + Dagster + headroom."
  type        = number
  default     = 400
}

variable "retained_backups" {
  description = "Automated daily backups kept."
  type        = number
  default     = 30
}

variable "export_retention_days" {
  description = "Days a logical export cannot be deleted or overwritten."
  type        = number
  default     = 35
}

variable "admin_password_wo" {
  description = "Write-only admin password (never stored in state); read it from Secret Manager."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "admin_password_version" {
  description = "Bump to push a new admin password."
  type        = number
  default     = 1
}

variable "access_log_bucket" {
  description = "Bucket that receives the exports bucket's access logs."
  type        = string
}

variable "kms_key_id" {
  description = "The region's CMEK key (env kms.tf); this module grants Cloud SQL and GCS on it."
  type        = string
}
