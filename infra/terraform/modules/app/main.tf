# The API on Cloud Run: reachable only through the global load balancer (ingress internal LB),
# egress to Cloud SQL over the VPC, secrets as Secret Manager references, a floor of warm
# instances, Binary Authorization from the project policy (warn-only at first). Migrations run
# as a Cloud Run job from the same image before each deploy (.github/workflows/deploy.yml).
# Terraform creates the service; the deploy workflow owns its revisions and traffic afterwards.

resource "google_service_account" "api" {
  project      = var.project_id
  account_id   = "draxis-api-${var.region_short}"
  display_name = "Draxis API (${var.region})"
}

resource "google_service_account" "migrate" {
  project      = var.project_id
  account_id   = "draxis-migrate-${var.region_short}"
  display_name = "Draxis migrations (${var.region})"
}

resource "google_project_iam_member" "api_telemetry" {
  for_each = toset(["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/cloudtrace.agent"])
  project  = var.project_id
  role     = each.value
  member   = "serviceAccount:${google_service_account.api.email}"
}

resource "google_project_iam_member" "migrate_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.migrate.email}"
}

locals {
  egress = {
    network    = var.network_name
    subnetwork = var.subnet_name
  }
  # Environment variable => secret short name, read at start-up ("latest" is resolved when a
  # revision is created, so a rotation takes effect with the next revision).
  api_secrets = merge({
    DATABASE_URL           = "database-url"
    DRAXIS_APP_DB_PASSWORD = "app-db-password"
    DRAXIS_JWT_PRIVATE_KEY = "jwt-private-key"
    DRAXIS_DATA_KEY        = "data-key"
  }, var.optional_api_secrets)
  migrate_secrets = {
    DATABASE_URL                = "database-url"
    PGPASSWORD                  = "db-admin-password"
    DRAXIS_MIGRATOR_DB_PASSWORD = "migrator-db-password"
    DRAXIS_APP_DB_PASSWORD      = "app-db-password"
    DRAXIS_PIPELINE_DB_PASSWORD = "pipeline-db-password"
    DRAXIS_DAGSTER_DB_PASSWORD  = "dagster-db-password"
  }
}

resource "google_cloud_run_v2_service" "api" {
  project              = var.project_id
  name                 = "draxis-api"
  location             = var.region
  ingress              = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
  deletion_protection  = true
  invoker_iam_disabled = true # the load balancer is the only way in (ingress above)

  binary_authorization {
    use_default = true
  }

  template {
    service_account                  = google_service_account.api.email
    max_instance_request_concurrency = var.concurrency
    timeout                          = "300s"

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

    vpc_access {
      egress = "PRIVATE_RANGES_ONLY"
      network_interfaces {
        network    = local.egress.network
        subnetwork = local.egress.subnetwork
      }
    }

    containers {
      image = var.image
      args  = ["serve"]

      ports {
        container_port = 8000
      }

      resources {
        limits = {
          cpu    = var.cpu
          memory = var.memory
        }
        startup_cpu_boost = true
      }

      env {
        name  = "DRAXIS_PUBLIC_URL"
        value = var.public_url
      }
      env {
        name  = "DRAXIS_TRUSTED_PROXY_HOPS"
        value = tostring(var.trusted_proxy_hops)
      }
      env {
        name  = "DRAXIS_TRUSTED_PROTO_HOPS"
        value = tostring(var.trusted_proto_hops)
      }
      env {
        name  = "DRAXIS_PROCESS"
        value = "api"
      }
      # Cloud Trace and the log-to-trace links (draxis/log.py) name the project.
      env {
        name  = "GOOGLE_CLOUD_PROJECT"
        value = var.project_id
      }
      dynamic "env" {
        for_each = local.api_secrets
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = var.secret_ids[env.value]
              version = "latest"
            }
          }
        }
      }

      startup_probe {
        http_get {
          path = "/health"
        }
        period_seconds    = 5
        failure_threshold = 24
      }
      liveness_probe {
        http_get {
          path = "/health"
        }
        period_seconds    = 30
        failure_threshold = 3
      }
    }
  }

  lifecycle {
    # The deploy workflow creates revisions (image by digest) and moves traffic.
    ignore_changes = [template[0].containers[0].image, template[0].revision, traffic, client, client_version]
  }
}

resource "google_cloud_run_v2_job" "migrate" {
  project             = var.project_id
  name                = "draxis-migrate"
  location            = var.region
  deletion_protection = true

  binary_authorization {
    use_default = true
  }

  template {
    parallelism = 1
    task_count  = 1
    template {
      service_account = google_service_account.migrate.email
      max_retries     = 0 # a failed migration is looked at, not retried blindly
      timeout         = "1800s"

      vpc_access {
        egress = "PRIVATE_RANGES_ONLY"
        network_interfaces {
          network    = local.egress.network
          subnetwork = local.egress.subnetwork
        }
      }

      containers {
        image = var.image
        args  = ["db", "migrate"]

        # A production process that migrates: it needs the migrator's secrets, never the API's
        # JWT signing key or the data key (draxis/settings.py, per-process requirements).
        env {
          name  = "DRAXIS_ENVIRONMENT"
          value = "production"
        }
        env {
          name  = "DRAXIS_PROCESS"
          value = "migrate"
        }

        resources {
          limits = {
            cpu    = "1"
            memory = "1Gi"
          }
        }

        dynamic "env" {
          for_each = local.migrate_secrets
          content {
            name = env.key
            value_source {
              secret_key_ref {
                secret  = var.secret_ids[env.value]
                version = "latest"
              }
            }
          }
        }
      }
    }
  }

  lifecycle {
    ignore_changes = [template[0].template[0].containers[0].image, client, client_version]
  }
}

# The deploy workflow's smoke test of a revision before it takes traffic: the service admits
# only the load balancer and internal traffic, so the check runs inside the VPC (all egress
# through it), GETting the URLs it is given and failing on anything but 2xx.
resource "google_service_account" "smoke" {
  project      = var.project_id
  account_id   = "draxis-smoke-${var.region_short}"
  display_name = "Draxis deploy smoke test (${var.region}); no roles"
}

resource "google_cloud_run_v2_job" "smoke" {
  project             = var.project_id
  name                = "draxis-smoke"
  location            = var.region
  deletion_protection = false

  binary_authorization {
    use_default = true
  }

  template {
    task_count = 1
    template {
      service_account = google_service_account.smoke.email
      max_retries     = 0
      timeout         = "120s"

      vpc_access {
        egress = "ALL_TRAFFIC"
        network_interfaces {
          network    = local.egress.network
          subnetwork = local.egress.subnetwork
        }
      }

      containers {
        image   = var.image
        command = ["python3", "-c", "import sys, urllib.request\nfor url in sys.argv[1:]:\n    urllib.request.urlopen(url, timeout=20).read()\n    print('ok', url)"]

        resources {
          limits = {
            cpu    = "1"
            memory = "512Mi"
          }
        }
      }
    }
  }

  lifecycle {
    ignore_changes = [template[0].template[0].containers[0].image, client, client_version]
  }
}
