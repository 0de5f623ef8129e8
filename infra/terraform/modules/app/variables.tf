variable "project_id" {
  description = "The project the region's deployment lives in."
  type        = string
}

variable "region" {
  description = "The region of the service and job."
  type        = string
}

variable "region_short" {
  description = "A short region tag for account ids (6-30 characters in all), e.g. usc1."
  type        = string
}

variable "image" {
  description = "The first image (repository@sha256:digest); the deploy workflow sets later ones."
  type        = string
}

variable "network_name" {
  description = "VPC for direct egress to Cloud SQL's private IP."
  type        = string
}

variable "subnet_name" {
  description = "Subnet for direct VPC egress."
  type        = string
}

variable "secret_ids" {
  description = "Secret short name => full id (secrets module)."
  type        = map(string)
}

variable "optional_api_secrets" {
  description = "More environment => secret pairs once they have a version, e.g. ANTHROPIC_API_KEY = \"anthropic-api-key\", DRAXIS_JWT_PREVIOUS_PUBLIC_KEY during a key rotation."
  type        = map(string)
  default     = {}
}

variable "public_url" {
  description = "Where people open the web client (invite links point here)."
  type        = string
}

variable "trusted_proxy_hops" {
  description = "X-Forwarded-For entries appended by Google's front ends (external ALB: client, then LB)."
  type        = number
  default     = 2
}

variable "trusted_proto_hops" {
  description = "X-Forwarded-Proto entries to trust: the external ALB sets one (it overwrites, not appends)."
  type        = number
  default     = 1
}

variable "min_instances" {
  description = "Warm instances (no cold start for the first users)."
  type        = number
  default     = 2
}

variable "max_instances" {
  description = "Upper bound; Cloud SQL max_connections must cover max x pool size."
  type        = number
  default     = 20
}

variable "concurrency" {
  description = "Requests per instance."
  type        = number
  default     = 40
}

variable "cpu" {
  description = "vCPU per instance."
  type        = string
  default     = "2"
}

variable "memory" {
  description = "Memory per instance."
  type        = string
  default     = "2Gi"
}
