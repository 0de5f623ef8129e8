variable "project_id" {
  description = "The project the region's deployment lives in."
  type        = string
}

variable "secrets_project_id" {
  description = "The region's secrets project."
  type        = string
}

variable "region" {
  description = "The cluster's region."
  type        = string
}

variable "region_short" {
  description = "A short region tag for account ids, e.g. usc1."
  type        = string
}

variable "network_id" {
  description = "The region's VPC."
  type        = string
}

variable "subnet_id" {
  description = "The subnet with the `pods` and `services` secondary ranges."
  type        = string
}

variable "master_cidr" {
  description = "The control plane's private /28."
  type        = string
  default     = "172.16.0.0/28"
}

variable "master_authorized_networks" {
  description = "Name => CIDR allowed to reach the private control plane (bastion, CI runner)."
  type        = map(string)
  default     = {}
}

variable "kms_key_id" {
  description = "The region's CMEK key (etcd secrets, buckets)."
  type        = string
}

variable "access_log_bucket" {
  description = "Bucket receiving access logs of the compute-log bucket."
  type        = string
}

variable "database_private_ip" {
  description = "Cloud SQL primary's private address (Dagster storage)."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace of the Dagster release."
  type        = string
  default     = "dagster"
}

variable "kubernetes_service_account" {
  description = "The Kubernetes service account every Dagster pod runs as."
  type        = string
  default     = "dagster"
}

variable "dagster_chart_version" {
  description = "The official chart's version: the same as the image's dagster (pyproject.toml)."
  type        = string
  default     = "1.13.27"
}

variable "image_repository" {
  description = "The image's repository in Artifact Registry, without tag or digest."
  type        = string
}

variable "image_digest" {
  description = "sha256:... of the image to run (the deploy workflow passes the one it built)."
  type        = string
}

variable "secret_revision" {
  description = "Bump after rotating a secret the pipeline reads, to rewrite the Kubernetes secrets."
  type        = number
  default     = 1
}

variable "rbac_security_group" {
  description = "gke-security-groups@<your domain>: Google Groups nested in it can be bound in RBAC."
  type        = string
}
