# The region's secrets, in the region's own secrets project. Their names are what the app reads
# (draxis/secrets.py: `draxis-<setting with dashes>`), so every process of the region can use
# DRAXIS_SECRET_MANAGER_PROJECT or Cloud Run's secret references alike. Terraform creates the
# containers and who may read each one; the values are added out of band (docs/deploy.md) and
# never pass through Terraform state. Replicas stay in the region, under its CMEK key.

locals {
  secrets = toset([
    "database-url",
    "db-admin-password",
    "jwt-private-key",
    "jwt-previous-public-key",
    "data-key",
    "migrator-db-password",
    "app-db-password",
    "pipeline-db-password",
    "dagster-db-password",
    "anthropic-api-key",
    "langfuse-secret-key",
    "smtp-password",
  ])
  # Each reader gets exactly the secrets its processes need.
  access = merge([
    for reader, names in var.readers : {
      for name in names : "${reader}/${name}" => { member = reader, secret = name }
    }
  ]...)
}

resource "google_secret_manager_secret" "draxis" {
  for_each  = local.secrets
  project   = var.secrets_project_id
  secret_id = "draxis-${each.value}"

  replication {
    user_managed {
      replicas {
        location = var.region
        customer_managed_encryption {
          kms_key_name = var.kms_key_id
        }
      }
    }
  }

  labels = {
    app    = "draxis"
    region = var.region
  }
}

resource "google_secret_manager_secret_iam_member" "reader" {
  for_each  = local.access
  project   = var.secrets_project_id
  secret_id = google_secret_manager_secret.draxis[each.value.secret].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = each.value.member
}
