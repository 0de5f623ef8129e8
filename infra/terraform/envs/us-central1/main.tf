# One region's deployment: network, database, secrets, the API on Cloud Run, the pipeline on
# GKE Autopilot. Every module is parameterised on region; a new region is a copy of this folder
# with its own terraform.tfvars and state prefix (docs/deploy.md, "Adding a region").

terraform {
  required_version = ">= 1.11, < 2.0"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "7.40.0"
    }
    google-beta = {
      source  = "hashicorp/google-beta"
      version = "7.40.0"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "3.1.1"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "2.38.0"
    }
  }
  backend "gcs" {
    prefix = "draxis/us-central1"
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

provider "google-beta" {
  project = var.project_id
  region  = var.region
}

data "google_client_config" "current" {}

# The control plane has a private endpoint only: run this from the VPC or an authorized network.
provider "kubernetes" {
  host                   = "https://${module.pipeline.cluster_endpoint}"
  token                  = data.google_client_config.current.access_token
  cluster_ca_certificate = base64decode(module.pipeline.cluster_ca_certificate)
}

provider "helm" {
  kubernetes = {
    host                   = "https://${module.pipeline.cluster_endpoint}"
    token                  = data.google_client_config.current.access_token
    cluster_ca_certificate = base64decode(module.pipeline.cluster_ca_certificate)
  }
}

locals {
  image = "${var.image_repository}@${var.image_digest}"
}

module "network" {
  source     = "../../modules/network"
  project_id = var.project_id
  region     = var.region
}

module "database" {
  source                      = "../../modules/database"
  project_id                  = var.project_id
  region                      = var.region
  network_id                  = module.network.network_id
  private_services_connection = module.network.private_services_connection
  kms_key_id                  = google_kms_crypto_key.region.id
  access_log_bucket           = google_storage_bucket.access_logs.name
  admin_password_wo           = ephemeral.google_secret_manager_secret_version.db_admin.secret_data
  admin_password_version      = var.db_admin_password_version
}

module "secrets" {
  source             = "../../modules/secrets"
  secrets_project_id = var.secrets_project_id
  region             = var.region
  kms_key_id         = google_kms_crypto_key.region.id
  readers = {
    "serviceAccount:${module.app.api_service_account}" = concat(
      ["database-url", "app-db-password", "jwt-private-key", "data-key"],
      values(var.optional_api_secrets),
    )
    "serviceAccount:${module.app.migrate_service_account}" = [
      "database-url", "db-admin-password", "migrator-db-password", "app-db-password",
      "pipeline-db-password", "dagster-db-password",
    ]
    "serviceAccount:${module.drill.service_account}" = ["database-url", "db-admin-password"]
  }
}

module "app" {
  source               = "../../modules/app"
  project_id           = var.project_id
  region               = var.region
  region_short         = var.region_short
  image                = local.image
  network_name         = module.network.network_name
  subnet_name          = module.network.subnet_name
  secret_ids           = module.secrets.secret_ids
  optional_api_secrets = var.optional_api_secrets
  public_url           = "https://${var.host_name}"
  min_instances        = var.api_min_instances
}

module "pipeline" {
  source                     = "../../modules/pipeline"
  project_id                 = var.project_id
  secrets_project_id         = var.secrets_project_id
  region                     = var.region
  region_short               = var.region_short
  network_id                 = module.network.network_id
  subnet_id                  = module.network.subnet_id
  master_authorized_networks = var.master_authorized_networks
  rbac_security_group        = var.rbac_security_group
  kms_key_id                 = google_kms_crypto_key.region.id
  access_log_bucket          = google_storage_bucket.access_logs.name
  database_private_ip        = module.database.private_ip
  image_repository           = var.image_repository
  image_digest               = var.image_digest
}

# SLOs, burn-rate and operational alerts, uptime checks, log-based metrics and the dashboard
# (docs/operations.md says what each alert means and what to do).
module "monitoring" {
  source                   = "../../modules/monitoring"
  project_id               = var.project_id
  region                   = var.region
  api_host                 = var.host_name
  api_service_name         = module.app.service_name
  drill_job_name           = module.drill.job_name
  notification_emails      = var.alert_emails
  notification_channel_ids = var.alert_channel_ids
}

# The production restore drill; the deploy workflow reads its records (DRILL_RECORD_BUCKET).
module "drill" {
  source            = "../../modules/drill"
  project_id        = var.project_id
  region            = var.region
  region_short      = var.region_short
  image             = local.image
  network_name      = module.network.network_name
  subnet_name       = module.network.subnet_name
  instance_name     = module.database.instance_name
  secret_ids        = module.secrets.secret_ids
  kms_key_id        = google_kms_crypto_key.region.id
  access_log_bucket = google_storage_bucket.access_logs.name
  record_readers    = ["serviceAccount:${var.deployer_service_account}"]
}

# The deploy workflow acts as the runtime accounts it deploys, and nothing else.
resource "google_service_account_iam_member" "deployer_acts_as" {
  for_each = {
    api     = module.app.api_service_account
    migrate = module.app.migrate_service_account
    smoke   = module.app.smoke_service_account
    drill   = module.drill.service_account
  }
  service_account_id = "projects/${var.project_id}/serviceAccounts/${each.value}"
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${var.deployer_service_account}"
}

ephemeral "google_secret_manager_secret_version" "db_admin" {
  project = var.secrets_project_id
  secret  = "draxis-db-admin-password"
}
