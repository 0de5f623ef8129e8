variable "project_id" {
  description = "The Draxis project."
  type        = string
}

variable "secrets_project_id" {
  description = "This region's secrets project (the app reads fixed names: one project per region)."
  type        = string
}

variable "region" {
  description = "The region."
  type        = string
  default     = "us-central1"
}

variable "region_short" {
  description = "Short tag for account ids."
  type        = string
  default     = "usc1"
}

variable "host_name" {
  description = "Where this region's users open Draxis (the edge routes it here)."
  type        = string
}

variable "image_repository" {
  description = "The global env's image_repository output."
  type        = string
}

variable "image_digest" {
  description = "sha256:... of the first image; the deploy workflow moves Cloud Run and Dagster on."
  type        = string
}

variable "deployer_service_account" {
  description = "The global env's deployer_service_account output."
  type        = string
}

variable "optional_api_secrets" {
  description = "Environment => secret for the API once the secret has a version (Anthropic, Langfuse, previous JWT key)."
  type        = map(string)
  default     = {}
}

variable "api_min_instances" {
  description = "Warm API instances."
  type        = number
  default     = 2
}

variable "master_authorized_networks" {
  description = "Name => CIDR that may reach the GKE control plane's private endpoint."
  type        = map(string)
  default     = {}
}

variable "db_admin_password_version" {
  description = "Bump after rotating draxis-db-admin-password to push it to Cloud SQL."
  type        = number
  default     = 1
}

variable "rbac_security_group" {
  description = "gke-security-groups@<your domain> (Google Groups for GKE RBAC)."
  type        = string
}

variable "alert_emails" {
  description = "Addresses that receive this region's alerts (monitoring module)."
  type        = list(string)
  default     = []
}

variable "alert_channel_ids" {
  description = "Existing notification channels (full ids: PagerDuty, Slack, ...) for this region's alerts."
  type        = list(string)
  default     = []
}
