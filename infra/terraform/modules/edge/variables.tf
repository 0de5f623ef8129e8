variable "project_id" {
  description = "The project holding the global pieces."
  type        = string
}

variable "regions" {
  description = "Region => the host name its users reach (one certificate covers all)."
  type        = map(string)
}

variable "default_region" {
  description = "The region answering host names no rule names."
  type        = string
}

variable "cloud_run_service" {
  description = "The API's Cloud Run service name in every region (app module)."
  type        = string
  default     = "draxis-api"
}

variable "login_rate_limit" {
  description = "DRAXIS_LOGIN_RATE_LIMIT: sign-ins per IP per window."
  type        = number
  default     = 50
}

variable "auth_rate_limit" {
  description = "DRAXIS_AUTH_RATE_LIMIT: other unauthenticated auth calls per IP per window."
  type        = number
  default     = 100
}

variable "rate_limit_window_seconds" {
  description = "DRAXIS_RATE_LIMIT_WINDOW_SECONDS (Cloud Armor accepts 10..3600 in fixed steps; 900 is one)."
  type        = number
  default     = 900
}
