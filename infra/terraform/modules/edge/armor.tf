# Cloud Armor: OWASP Core Rule Set (preconfigured WAF rules, sensitivity 1 to start: the fewest
# false positives), Log4j, adaptive protection, and per-IP rate-based bans on the sign-in routes.
#
# The app counts per client IP: `login` (POST /api/auth/login) DRAXIS_LOGIN_RATE_LIMIT = 50 and
# `auth` (the other unauthenticated /api/auth routes) DRAXIS_AUTH_RATE_LIMIT = 100 per
# DRAXIS_RATE_LIMIT_WINDOW_SECONDS = 900. The edge throttles at the same rate (the app's 429 and
# the edge's agree) and bans an address that keeps going at twice the rate for a window, so a
# credential-stuffing run stops at the edge instead of at the database.

locals {
  owasp_rules = {
    "sqli-v33-stable"              = 1000
    "xss-v33-stable"               = 1001
    "lfi-v33-stable"               = 1002
    "rfi-v33-stable"               = 1003
    "rce-v33-stable"               = 1004
    "methodenforcement-v33-stable" = 1005
    "scannerdetection-v33-stable"  = 1006
    "protocolattack-v33-stable"    = 1007
    "sessionfixation-v33-stable"   = 1008
    "php-v33-stable"               = 1009
    "nodejs-v33-stable"            = 1010
  }
  rate_limits = {
    login = {
      priority = 100
      expr     = "request.path == '/api/auth/login'"
      limit    = var.login_rate_limit
    }
    auth = {
      priority = 110
      # Refresh is counted per session by the app (a NAT of many users shares one address).
      expr  = "request.path.startsWith('/api/auth/') && request.path != '/api/auth/login' && request.path != '/api/auth/refresh' && request.method == 'POST'"
      limit = var.auth_rate_limit
    }
  }
}

resource "google_compute_security_policy" "edge" {
  project = var.project_id
  name    = "draxis-edge"
  type    = "CLOUD_ARMOR"

  adaptive_protection_config {
    layer_7_ddos_defense_config {
      enable          = true
      rule_visibility = "STANDARD"
    }
  }

  advanced_options_config {
    log_level    = "VERBOSE"
    json_parsing = "STANDARD"
  }

  dynamic "rule" {
    for_each = local.rate_limits
    content {
      action      = "rate_based_ban"
      priority    = rule.value.priority
      description = "${rule.key}: the app's per-IP limit; ban at twice it"
      match {
        expr {
          expression = rule.value.expr
        }
      }
      rate_limit_options {
        conform_action   = "allow"
        exceed_action    = "deny(429)"
        enforce_on_key   = "IP"
        ban_duration_sec = var.rate_limit_window_seconds
        rate_limit_threshold {
          count        = rule.value.limit
          interval_sec = var.rate_limit_window_seconds
        }
        ban_threshold {
          count        = rule.value.limit * 2
          interval_sec = var.rate_limit_window_seconds
        }
      }
    }
  }

  dynamic "rule" {
    for_each = local.owasp_rules
    content {
      action      = "deny(403)"
      priority    = rule.value
      description = "OWASP CRS ${rule.key}"
      match {
        expr {
          expression = "evaluatePreconfiguredWaf('${rule.key}', {'sensitivity': 1})"
        }
      }
    }
  }

  rule {
    action      = "deny(403)"
    priority    = 900
    description = "CVE-2021-44228 (Log4j) and CVE-2021-45046"
    match {
      expr {
        expression = "evaluatePreconfiguredWaf('cve-canary')"
      }
    }
  }

  rule {
    action      = "allow"
    priority    = 2147483647
    description = "Everything the rules above let through"
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
  }
}
