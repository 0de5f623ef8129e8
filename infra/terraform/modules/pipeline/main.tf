# The pipeline plane: GKE Autopilot running Dagster from the official Helm chart (webserver, one
# daemon, the code location as a user deployment) with K8sRunLauncher, so each (ranged) run is a
# Kubernetes Job. Dagster's storage is the `dagster` schema of the region's Cloud SQL (as the
# draxis_dagster role); compute logs go to a GCS bucket. Every pod runs the one Draxis image.

resource "google_container_cluster" "dagster" {
  #checkov:skip=CKV_GCP_12:Autopilot always runs GKE Dataplane V2, which enforces NetworkPolicy (infra/dagster/k8s/network-policy.yaml); the network_policy block is not accepted on Autopilot.
  #checkov:skip=CKV_GCP_69:Autopilot always runs the GKE metadata server (Workload Identity); node_config cannot be set on Autopilot.
  project             = var.project_id
  name                = "draxis-${var.region}-pipeline"
  location            = var.region
  enable_autopilot    = true
  network             = var.network_id
  subnetwork          = var.subnet_id
  deletion_protection = true

  enable_intranode_visibility = true

  resource_labels = {
    app    = "draxis"
    region = var.region
  }

  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }

  # Kubernetes RBAC bound to Google Groups (members of gke-security-groups@<domain>).
  authenticator_groups_config {
    security_group = var.rbac_security_group
  }

  release_channel {
    channel = "REGULAR"
  }

  ip_allocation_policy {
    cluster_secondary_range_name  = "pods"
    services_secondary_range_name = "services"
  }

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = true
    master_ipv4_cidr_block  = var.master_cidr
    master_global_access_config {
      enabled = false
    }
  }

  # The deploy workflow reaches the control plane through its DNS endpoint, authorised by IAM
  # (roles/container.developer), not by address; the IP endpoint stays private.
  control_plane_endpoints_config {
    dns_endpoint_config {
      allow_external_traffic = true
    }
  }

  master_authorized_networks_config {
    dynamic "cidr_blocks" {
      for_each = var.master_authorized_networks
      content {
        cidr_block   = cidr_blocks.value
        display_name = "admin ${cidr_blocks.key}"
      }
    }
  }

  binary_authorization {
    evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE"
  }

  database_encryption {
    state    = "ENCRYPTED"
    key_name = var.kms_key_id
  }

  secret_manager_config {
    enabled = true
  }
}

# Workload identity: each Kubernetes service account is one Google service account.
resource "google_service_account" "dagster" {
  project      = var.project_id
  account_id   = "draxis-dagster-${var.region_short}"
  display_name = "Draxis Dagster webserver, daemon, code server, runs (${var.region})"
}

resource "google_service_account_iam_member" "workload_identity" {
  service_account_id = google_service_account.dagster.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project_id}.svc.id.goog[${var.namespace}/${var.kubernetes_service_account}]"
}

resource "google_project_iam_member" "dagster_telemetry" {
  for_each = toset(["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/cloudtrace.agent"])
  project  = var.project_id
  role     = each.value
  member   = "serviceAccount:${google_service_account.dagster.email}"
}

# Compute logs (stdout/stderr of each step), kept for a month.
resource "google_storage_bucket" "compute_logs" {
  project                     = var.project_id
  name                        = "${var.project_id}-draxis-${var.region}-dagster-logs"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }

  encryption {
    default_kms_key_name = var.kms_key_id
  }

  lifecycle_rule {
    condition {
      age = 30
    }
    action {
      type = "Delete"
    }
  }

  logging {
    log_bucket = var.access_log_bucket
  }
}

resource "google_storage_bucket_iam_member" "compute_logs" {
  bucket = google_storage_bucket.compute_logs.name
  role   = "roles/storage.objectAdmin"
  member = "serviceAccount:${google_service_account.dagster.email}"
}

resource "kubernetes_namespace_v1" "dagster" {
  metadata {
    name = var.namespace
    labels = {
      "pod-security.kubernetes.io/enforce" = "restricted"
    }
  }
}

# Kubernetes secrets written from Secret Manager through ephemeral reads: write-only here, never
# in Terraform state. `dagster-postgresql-secret` (the chart's name and key) is the storage
# password every Dagster pod uses; `draxis-pipeline` reaches only the code server and the run
# Jobs (the processes that read and write tenants' data), not the webserver or daemon.
ephemeral "google_secret_manager_secret_version" "pipeline" {
  for_each = toset(["dagster-db-password", "database-url", "pipeline-db-password", "data-key"])
  project  = var.secrets_project_id
  secret   = "draxis-${each.value}"
}

resource "kubernetes_secret_v1" "dagster_postgresql" {
  metadata {
    name      = "dagster-postgresql-secret"
    namespace = kubernetes_namespace_v1.dagster.metadata[0].name
  }
  data_wo = {
    "postgresql-password" = ephemeral.google_secret_manager_secret_version.pipeline["dagster-db-password"].secret_data
  }
  data_wo_revision = var.secret_revision
}

resource "kubernetes_secret_v1" "pipeline" {
  metadata {
    name      = "draxis-pipeline"
    namespace = kubernetes_namespace_v1.dagster.metadata[0].name
  }
  data_wo = {
    DATABASE_URL                = ephemeral.google_secret_manager_secret_version.pipeline["database-url"].secret_data
    DRAXIS_PIPELINE_DB_PASSWORD = ephemeral.google_secret_manager_secret_version.pipeline["pipeline-db-password"].secret_data
    DRAXIS_DATA_KEY             = ephemeral.google_secret_manager_secret_version.pipeline["data-key"].secret_data
  }
  data_wo_revision = var.secret_revision
}

locals {
  # The chart writes `repository:tag`; `repo@sha256` + `hex` gives `repo@sha256:hex`, a digest.
  image = {
    repository = "${var.image_repository}@sha256"
    tag        = trimprefix(var.image_digest, "sha256:")
    pullPolicy = "IfNotPresent"
  }
}

resource "helm_release" "dagster" {
  name       = "dagster"
  namespace  = kubernetes_namespace_v1.dagster.metadata[0].name
  repository = "https://dagster-io.github.io/helm"
  chart      = "dagster"
  version    = var.dagster_chart_version
  timeout    = 900

  # infra/dagster/values.yaml holds everything that is not per region.
  values = [
    file("${path.module}/../../../dagster/values.yaml"),
    yamlencode({
      serviceAccount = {
        create = true
        name   = var.kubernetes_service_account
        annotations = {
          "iam.gke.io/gcp-service-account" = google_service_account.dagster.email
        }
      }
      postgresql = {
        postgresqlHost = var.database_private_ip
      }
      computeLogManager = {
        type = "GCSComputeLogManager"
        config = {
          gcsComputeLogManager = {
            bucket = google_storage_bucket.compute_logs.name
            prefix = "compute-logs"
          }
        }
      }
      dagsterWebserver = { image = local.image }
      dagsterDaemon    = { image = local.image }
    }),
  ]

  # The chart's deployments are a list (values files replace lists whole): set by index.
  set = [
    { name = "dagster-user-deployments.deployments[0].image.repository", value = local.image.repository },
    { name = "dagster-user-deployments.deployments[0].image.tag", value = local.image.tag },
  ]

  depends_on = [kubernetes_secret_v1.dagster_postgresql, kubernetes_secret_v1.pipeline]
}

resource "kubernetes_manifest" "network_policy" {
  for_each = { for doc in split("\n---\n", file("${path.module}/../../../dagster/k8s/network-policy.yaml")) : yamldecode(doc).metadata.name => yamldecode(doc) }
  manifest = each.value

  depends_on = [kubernetes_namespace_v1.dagster]
}
