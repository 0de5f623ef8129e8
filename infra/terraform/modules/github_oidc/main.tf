# Workload Identity Federation for GitHub Actions: no service account keys. Only workflows of
# this repository, on main or the `production` environment, can become the deployer; pull
# requests cannot (they run `make test` without any Google credentials).

resource "google_iam_workload_identity_pool" "github" {
  project                   = var.project_id
  workload_identity_pool_id = "github"
  display_name              = "GitHub Actions"
}

resource "google_iam_workload_identity_pool_provider" "github" {
  #checkov:skip=CKV_GCP_125:The subject is pinned to repo:<owner>/<name>:environment:production; checkov cannot resolve var.repository (no default) to match it against owner/name, which the variable's validation enforces.
  project                            = var.project_id
  workload_identity_pool_id          = google_iam_workload_identity_pool.github.workload_identity_pool_id
  workload_identity_pool_provider_id = "draxis"
  display_name                       = "draxis repository"

  attribute_mapping = {
    "google.subject"             = "assertion.sub"
    "attribute.repository"       = "assertion.repository"
    "attribute.repository_owner" = "assertion.repository_owner"
    "attribute.ref"              = "assertion.ref"
    "attribute.environment"      = "assertion.environment"
    "attribute.workflow_ref"     = "assertion.job_workflow_ref"
  }
  # The subject of a job in the `production` environment (deploy and rollback workflows run
  # there; the environment only admits main): repo:<owner>/<name>:environment:production.
  attribute_condition = "assertion.sub == 'repo:${var.repository}:environment:production' && assertion.repository == '${var.repository}'"

  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

resource "google_service_account" "deployer" {
  project      = var.project_id
  account_id   = "draxis-deployer"
  display_name = "Draxis deploy workflow (GitHub Actions)"
}

resource "google_service_account_iam_member" "deployer_wif" {
  service_account_id = google_service_account.deployer.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.github.name}/attribute.repository/${var.repository}"
}

# What a deploy does: push images, deploy Cloud Run revisions and run the migrate job, and act as
# the runtime service accounts it deploys (actAs on those accounts only, granted per region).
resource "google_project_iam_member" "deployer" {
  for_each = toset([
    "roles/run.developer",
    "roles/artifactregistry.writer",
    "roles/containeranalysis.occurrences.editor",
    "roles/container.developer", # helm upgrade of the Dagster release (DNS endpoint, IAM)
  ])
  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.deployer.email}"
}
