variable "project_id" {
  description = "The Draxis project."
  type        = string
}

variable "github_repository" {
  description = "owner/name allowed to deploy through Workload Identity Federation."
  type        = string
}

variable "registry_location" {
  description = "Artifact Registry multi-region."
  type        = string
  default     = "us"
}

variable "regions" {
  description = "Every deployed region => its host name. Add a region's env first, then it here."
  type        = map(string)
}

variable "default_region" {
  description = "Answers host names no rule names."
  type        = string
}

variable "binauthz_enforcement_mode" {
  description = "Warn-only (DRYRUN_AUDIT_LOG_ONLY) until a clean steady-state window has passed."
  type        = string
  default     = "DRYRUN_AUDIT_LOG_ONLY"
}
