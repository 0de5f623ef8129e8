# Global pieces, shared by every region: the image repository and Binary Authorization, GitHub
# Workload Identity Federation, and the edge (load balancer, certificate, Cloud Armor) routing
# each region's host name to that region's Cloud Run API. Apply after a new region's env.

terraform {
  required_version = ">= 1.11, < 2.0"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "7.40.0"
    }
  }
  backend "gcs" {
    prefix = "draxis/global"
  }
}

provider "google" {
  project = var.project_id
}

module "github_oidc" {
  source     = "../../modules/github_oidc"
  project_id = var.project_id
  repository = var.github_repository
}

module "registry" {
  source                    = "../../modules/registry"
  project_id                = var.project_id
  location                  = var.registry_location
  deployer_service_account  = module.github_oidc.deployer_service_account
  binauthz_enforcement_mode = var.binauthz_enforcement_mode
}

module "edge" {
  source         = "../../modules/edge"
  project_id     = var.project_id
  regions        = var.regions
  default_region = var.default_region
}
