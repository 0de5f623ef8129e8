variable "project_id" {
  description = "The project the region's deployment lives in."
  type        = string
}

variable "region" {
  description = "The region, e.g. us-central1."
  type        = string
}

variable "subnet_cidr" {
  description = "Primary range: Cloud Run direct VPC egress and GKE nodes."
  type        = string
  default     = "10.10.0.0/20"
}

variable "pods_cidr" {
  description = "GKE pods (secondary range)."
  type        = string
  default     = "10.20.0.0/16"
}

variable "services_cidr" {
  description = "GKE services (secondary range)."
  type        = string
  default     = "10.30.0.0/20"
}

variable "egress_addresses" {
  description = "Static egress addresses behind Cloud NAT (what customers allow-list)."
  type        = number
  default     = 2
}
