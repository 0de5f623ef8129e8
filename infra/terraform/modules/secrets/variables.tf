variable "secrets_project_id" {
  description = "The region's secrets project (one per region: the names are fixed by the app)."
  type        = string
}

variable "region" {
  description = "Where the secrets' replicas live."
  type        = string
}

variable "kms_key_id" {
  description = "The region's CMEK key (its service agent needs encrypter/decrypter on it)."
  type        = string
}

variable "readers" {
  description = "IAM member => the secret names (without `draxis-`) it may read."
  type        = map(list(string))
}
