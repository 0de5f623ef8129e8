# The region's customer-managed key: Cloud SQL (data, backups), the region's buckets, its
# secrets and GKE's etcd secrets. Each service agent may use it; no person holds a key version.

data "google_project" "app" {
  project_id = var.project_id
}

data "google_project" "secrets" {
  project_id = var.secrets_project_id
}

resource "google_kms_key_ring" "region" {
  project  = var.project_id
  name     = "draxis-${var.region}"
  location = var.region
}

resource "google_kms_crypto_key" "region" {
  name            = "data"
  key_ring        = google_kms_key_ring.region.id
  rotation_period = "7776000s" # 90 days; earlier versions stay to decrypt older data

  lifecycle {
    prevent_destroy = true
  }
}

resource "google_kms_crypto_key_iam_member" "agents" {
  for_each = toset([
    "serviceAccount:service-${data.google_project.secrets.number}@gcp-sa-secretmanager.iam.gserviceaccount.com",
    "serviceAccount:service-${data.google_project.app.number}@container-engine-robot.iam.gserviceaccount.com",
  ])
  crypto_key_id = google_kms_crypto_key.region.id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = each.value
}

# Access logs of the region's buckets. It cannot log to itself; its objects are never public.
resource "google_storage_bucket" "access_logs" {
  #checkov:skip=CKV_GCP_62:This is the access-log bucket; logging it to itself would loop.
  project                     = var.project_id
  name                        = "${var.project_id}-draxis-${var.region}-access-logs"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }

  encryption {
    default_kms_key_name = google_kms_crypto_key.region.id
  }

  lifecycle_rule {
    condition {
      age = 400
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_kms_crypto_key_iam_member.agents]
}
