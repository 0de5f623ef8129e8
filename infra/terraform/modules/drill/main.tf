# The production restore drill (docs/operations.md, "Restore drill"; infra/drill/README.md): a
# Cloud Run job that clones the Cloud SQL instance at a point in time, checks the clone with the
# same fingerprint and catalog audit as `make test`'s drill, deletes it and writes the record to
# a bucket; the deploy workflow refuses to deploy without a passed record from the last 90 days.
# Cloud Scheduler starts it; anyone with run.jobs.run can start it too.

resource "google_service_account" "drill" {
  project      = var.project_id
  account_id   = "draxis-drill-${var.region_short}"
  display_name = "Draxis restore drill (${var.region})"
}

# Cloning needs the editor role on the source; deleting (and lifting deletion protection) needs
# admin, granted only on instances named like the drill's clones.
resource "google_project_iam_member" "drill_clone" {
  project = var.project_id
  role    = "roles/cloudsql.editor"
  member  = "serviceAccount:${google_service_account.drill.email}"
}

resource "google_project_iam_member" "drill_delete_clones" {
  project = var.project_id
  role    = "roles/cloudsql.admin"
  member  = "serviceAccount:${google_service_account.drill.email}"
  condition {
    title       = "drill clones only"
    description = "Instances the restore drill created"
    expression  = "resource.name.startsWith(\"projects/${var.project_id}/instances/${var.instance_name}-drill-\")"
  }
}

resource "google_project_iam_member" "drill_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.drill.email}"
}

resource "google_storage_bucket" "records" {
  project                     = var.project_id
  name                        = "${var.project_id}-draxis-${var.region}-drill-records"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = true
  }

  encryption {
    default_kms_key_name = var.kms_key_id
  }

  logging {
    log_bucket = var.access_log_bucket
  }

  lifecycle_rule {
    condition {
      age                = 730
      with_state         = "ANY"
      matches_prefix     = ["restore-drill/2"]
      num_newer_versions = 0
    }
    action {
      type = "Delete"
    }
  }
}

# The drill overwrites restore-drill/latest.json (objectUser: create and replace).
resource "google_storage_bucket_iam_member" "drill_writes_records" {
  bucket = google_storage_bucket.records.name
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.drill.email}"
}

resource "google_storage_bucket_iam_member" "record_readers" {
  for_each = toset(var.record_readers)
  bucket   = google_storage_bucket.records.name
  role     = "roles/storage.objectViewer"
  member   = each.value
}

resource "google_cloud_run_v2_job" "drill" {
  project             = var.project_id
  name                = "draxis-restore-drill"
  location            = var.region
  deletion_protection = false

  binary_authorization {
    use_default = true
  }

  template {
    task_count = 1
    template {
      service_account = google_service_account.drill.email
      max_retries     = 0 # a failed drill is a finding to read, not to retry away
      timeout         = "${var.timeout_seconds}s"

      vpc_access {
        egress = "PRIVATE_RANGES_ONLY"
        network_interfaces {
          network    = var.network_name
          subnetwork = var.subnet_name
        }
      }

      containers {
        image = var.image
        args = [
          "db", "drill",
          "--cloud-sql-instance", var.instance_name,
          "--project", var.project_id,
          "--record-bucket", google_storage_bucket.records.name,
        ]

        # Production, as a process that needs DATABASE_URL only (draxis/settings.py).
        env {
          name  = "DRAXIS_PROCESS"
          value = "drill"
        }
        env {
          name = "DATABASE_URL"
          value_source {
            secret_key_ref {
              secret  = var.secret_ids["database-url"]
              version = "latest"
            }
          }
        }
        # The cluster admin (draxis_admin), whom the clone inherits: libpq reads PGPASSWORD.
        env {
          name = "PGPASSWORD"
          value_source {
            secret_key_ref {
              secret  = var.secret_ids["db-admin-password"]
              version = "latest"
            }
          }
        }

        resources {
          limits = {
            cpu    = "1"
            memory = "1Gi"
          }
        }
      }
    }
  }

  lifecycle {
    ignore_changes = [template[0].template[0].containers[0].image, client, client_version]
  }
}

resource "google_service_account" "scheduler" {
  project      = var.project_id
  account_id   = "draxis-drill-sched-${var.region_short}"
  display_name = "Starts the Draxis restore drill (${var.region})"
}

resource "google_cloud_run_v2_job_iam_member" "scheduler_runs_drill" {
  project  = var.project_id
  location = var.region
  name     = google_cloud_run_v2_job.drill.name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.scheduler.email}"
}

resource "google_cloud_scheduler_job" "drill" {
  project     = var.project_id
  region      = var.region
  name        = "draxis-restore-drill"
  description = "Restore drill: Cloud SQL point-in-time clone, fingerprint and catalog audit"
  schedule    = var.schedule
  time_zone   = "Etc/UTC"

  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = "https://run.googleapis.com/v2/projects/${var.project_id}/locations/${var.region}/jobs/${google_cloud_run_v2_job.drill.name}:run"
    oauth_token {
      service_account_email = google_service_account.scheduler.email
      scope                 = "https://www.googleapis.com/auth/cloud-platform"
    }
  }
}
