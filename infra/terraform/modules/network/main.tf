# One VPC per region: a subnet for Cloud Run's direct VPC egress and GKE (with secondary ranges for
# pods and services), private services access for Cloud SQL's private IP, and Cloud NAT so the
# connectors reach vendor APIs from a fixed set of egress addresses (customers allow-list them).

resource "google_compute_network" "vpc" {
  project                 = var.project_id
  name                    = "draxis-${var.region}"
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"
}

resource "google_compute_subnetwork" "main" {
  project                  = var.project_id
  name                     = "draxis-${var.region}"
  region                   = var.region
  network                  = google_compute_network.vpc.id
  ip_cidr_range            = var.subnet_cidr
  private_ip_google_access = true

  secondary_ip_range {
    range_name    = "pods"
    ip_cidr_range = var.pods_cidr
  }
  secondary_ip_range {
    range_name    = "services"
    ip_cidr_range = var.services_cidr
  }

  log_config {
    aggregation_interval = "INTERVAL_5_SEC"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# Private services access: Cloud SQL gets an address from this range, reachable only in the VPC.
resource "google_compute_global_address" "private_services" {
  project       = var.project_id
  name          = "draxis-${var.region}-private-services"
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  prefix_length = 16
  network       = google_compute_network.vpc.id
}

resource "google_service_networking_connection" "private_services" {
  network                 = google_compute_network.vpc.id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.private_services.name]
}

resource "google_compute_router" "nat" {
  project = var.project_id
  name    = "draxis-${var.region}-nat"
  region  = var.region
  network = google_compute_network.vpc.id
}

resource "google_compute_address" "egress" {
  count   = var.egress_addresses
  project = var.project_id
  name    = "draxis-${var.region}-egress-${count.index}"
  region  = var.region
}

resource "google_compute_router_nat" "nat" {
  project                            = var.project_id
  name                               = "draxis-${var.region}-nat"
  router                             = google_compute_router.nat.name
  region                             = var.region
  nat_ip_allocate_option             = "MANUAL_ONLY"
  nat_ips                            = google_compute_address.egress[*].self_link
  source_subnetwork_ip_ranges_to_nat = "ALL_SUBNETWORKS_ALL_IP_RANGES"

  log_config {
    enable = true
    filter = "ERRORS_ONLY"
  }
}

# Nothing reaches the VPC from outside: ingress is the load balancer to Cloud Run (not via the
# VPC) and the GKE control plane (private endpoint). Deny-all ingress is explicit and logged.
resource "google_compute_firewall" "deny_ingress" {
  project   = var.project_id
  name      = "draxis-${var.region}-deny-ingress"
  network   = google_compute_network.vpc.id
  direction = "INGRESS"
  priority  = 65534

  deny {
    protocol = "all"
  }
  source_ranges = ["0.0.0.0/0"]

  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}
