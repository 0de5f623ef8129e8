# The global edge: one anycast address, a Google-managed certificate for every region's host
# name, the HTTPS load balancer with a serverless NEG per region (each region's Cloud Run API),
# Cloud CDN for the web client's static files, and Cloud Armor in front: OWASP CRS rules,
# adaptive protection (layer-7 DDoS) and rate-based bans on the sign-in routes that match the
# app's own limits (draxis/settings.py). A region's host name routes to that region only: a
# tenant's data lives in one region's database.

resource "google_compute_global_address" "edge" {
  project = var.project_id
  name    = "draxis-edge"
}

resource "google_compute_managed_ssl_certificate" "edge" {
  project = var.project_id
  name    = "draxis-edge-${substr(sha1(join(",", sort(values(var.regions)))), 0, 8)}"
  managed {
    domains = sort(values(var.regions))
  }
  lifecycle {
    create_before_destroy = true
  }
}

resource "google_compute_region_network_endpoint_group" "api" {
  for_each              = var.regions
  project               = var.project_id
  name                  = "draxis-api-${each.key}"
  region                = each.key
  network_endpoint_type = "SERVERLESS"
  cloud_run {
    service = var.cloud_run_service
  }
}

resource "google_compute_backend_service" "api" {
  for_each              = var.regions
  project               = var.project_id
  name                  = "draxis-api-${each.key}"
  protocol              = "HTTPS"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  security_policy       = google_compute_security_policy.edge.id
  enable_cdn            = true

  # Only responses the app marks cacheable (the hashed web client assets) are cached; API
  # answers carry no-store.
  cdn_policy {
    cache_mode                   = "USE_ORIGIN_HEADERS"
    signed_url_cache_max_age_sec = 0
  }

  backend {
    group = google_compute_region_network_endpoint_group.api[each.key].id
  }

  log_config {
    enable      = true
    sample_rate = 1.0
  }
}

resource "google_compute_url_map" "edge" {
  project         = var.project_id
  name            = "draxis-edge"
  default_service = google_compute_backend_service.api[var.default_region].id

  dynamic "host_rule" {
    for_each = var.regions
    content {
      hosts        = [host_rule.value]
      path_matcher = host_rule.key
    }
  }

  dynamic "path_matcher" {
    for_each = var.regions
    content {
      name            = path_matcher.key
      default_service = google_compute_backend_service.api[path_matcher.key].id
    }
  }
}

resource "google_compute_ssl_policy" "modern" {
  project         = var.project_id
  name            = "draxis-modern-tls"
  profile         = "MODERN"
  min_tls_version = "TLS_1_2"
}

resource "google_compute_target_https_proxy" "edge" {
  project          = var.project_id
  name             = "draxis-edge"
  url_map          = google_compute_url_map.edge.id
  ssl_certificates = [google_compute_managed_ssl_certificate.edge.id]
  ssl_policy       = google_compute_ssl_policy.modern.id
}

resource "google_compute_global_forwarding_rule" "https" {
  project               = var.project_id
  name                  = "draxis-edge-https"
  target                = google_compute_target_https_proxy.edge.id
  ip_address            = google_compute_global_address.edge.id
  port_range            = "443"
  load_balancing_scheme = "EXTERNAL_MANAGED"
}

# Plain HTTP only redirects to HTTPS.
resource "google_compute_url_map" "redirect" {
  project = var.project_id
  name    = "draxis-edge-redirect"
  default_url_redirect {
    https_redirect         = true
    redirect_response_code = "MOVED_PERMANENTLY_DEFAULT"
    strip_query            = false
  }
}

resource "google_compute_target_http_proxy" "redirect" {
  project = var.project_id
  name    = "draxis-edge-redirect"
  url_map = google_compute_url_map.redirect.id
}

resource "google_compute_global_forwarding_rule" "http" {
  project               = var.project_id
  name                  = "draxis-edge-http"
  target                = google_compute_target_http_proxy.redirect.id
  ip_address            = google_compute_global_address.edge.id
  port_range            = "80"
  load_balancing_scheme = "EXTERNAL_MANAGED"
}
