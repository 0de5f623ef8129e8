variable "project_id" {
  description = "The project the region's deployment lives in."
  type        = string
}

variable "region" {
  description = "The region of the database, the job and the records bucket."
  type        = string
}

variable "region_short" {
  description = "A short region tag for account ids, e.g. usc1."
  type        = string
}

variable "image" {
  description = "The image (repository@sha256:digest); the deploy workflow moves the job on."
  type        = string
}

variable "network_name" {
  description = "VPC for direct egress to the clone's private IP."
  type        = string
}

variable "subnet_name" {
  description = "Subnet for direct VPC egress."
  type        = string
}

variable "instance_name" {
  description = "The Cloud SQL instance the drill clones (database module's instance_name)."
  type        = string
}

variable "secret_ids" {
  description = "Secret short name => full id (secrets module): the drill reads database-url and db-admin-password."
  type        = map(string)
}

variable "kms_key_id" {
  description = "The region's CMEK key for the records bucket."
  type        = string
}

variable "access_log_bucket" {
  description = "Bucket that receives the records bucket's access logs."
  type        = string
}

variable "record_readers" {
  description = "Members that may read drill records (the deploy workflow's service account)."
  type        = list(string)
}

variable "schedule" {
  description = "Cron (UTC) of the drill. Every second month: the deploy gate needs a pass within 90 days, which a calendar-quarter cron (90-92 days apart) cannot keep, and a failed drill leaves a month to fix and rerun."
  type        = string
  default     = "0 5 1 */2 *"
}

variable "timeout_seconds" {
  description = "The job's limit: a point-in-time clone of a large instance takes a while."
  type        = number
  default     = 10800
}
