variable "project_id" {
  description = "The project holding the global pieces."
  type        = string
}

variable "repository" {
  description = "owner/name of the GitHub repository allowed to deploy."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", var.repository))
    error_message = "repository is owner/name, without wildcards."
  }
}
