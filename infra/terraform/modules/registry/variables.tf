variable "project_id" {
  description = "The project holding the global pieces."
  type        = string
}

variable "location" {
  description = "Artifact Registry (multi-)region, e.g. us."
  type        = string
  default     = "us"
}

variable "deployer_service_account" {
  description = "The deploy workflow's service account (github_oidc module)."
  type        = string
}

variable "binauthz_enforcement_mode" {
  description = "DRYRUN_AUDIT_LOG_ONLY (warn) until steady, then ENFORCED_BLOCK_AND_AUDIT_LOG."
  type        = string
  default     = "DRYRUN_AUDIT_LOG_ONLY"

  validation {
    condition     = contains(["DRYRUN_AUDIT_LOG_ONLY", "ENFORCED_BLOCK_AND_AUDIT_LOG"], var.binauthz_enforcement_mode)
    error_message = "binauthz_enforcement_mode is DRYRUN_AUDIT_LOG_ONLY or ENFORCED_BLOCK_AND_AUDIT_LOG."
  }
}
