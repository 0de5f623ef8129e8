# Global pieces of the supply chain: the Artifact Registry repository every region pulls from
# (immutable tags: images are deployed by digest), the Binary Authorization policy (warn-only
# first: DRYRUN_AUDIT_LOG_ONLY logs what enforcement would block) and its attestor, whose KMS
# key the deploy workflow signs attestations with after cosign verification.

resource "google_artifact_registry_repository" "images" {
  project       = var.project_id
  location      = var.location
  repository_id = "draxis"
  format        = "DOCKER"
  description   = "Draxis images, deployed by digest"
  kms_key_name  = google_kms_crypto_key.registry.id

  docker_config {
    immutable_tags = true
  }

  # Keep what a rollback may need; drop untagged layers of old builds.
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 50
    }
  }
  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      older_than = "7776000s"
    }
  }

  depends_on = [google_kms_crypto_key_iam_member.registry]
}

data "google_project" "this" {
  project_id = var.project_id
}

resource "google_kms_key_ring" "global" {
  project  = var.project_id
  name     = "draxis-global"
  location = var.location
}

resource "google_kms_crypto_key" "registry" {
  name            = "artifact-registry"
  key_ring        = google_kms_key_ring.global.id
  rotation_period = "7776000s"

  lifecycle {
    prevent_destroy = true
  }
}

resource "google_kms_crypto_key_iam_member" "registry" {
  crypto_key_id = google_kms_crypto_key.registry.id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-artifactregistry.iam.gserviceaccount.com"
}

# The attestor's signing key: asymmetric, in HSM, never exported. Only the deployer signs.
resource "google_kms_crypto_key" "attestor" {
  name     = "binauthz-attestor"
  key_ring = google_kms_key_ring.global.id
  purpose  = "ASYMMETRIC_SIGN"

  version_template {
    algorithm        = "EC_SIGN_P256_SHA256"
    protection_level = "HSM"
  }

  lifecycle {
    prevent_destroy = true
  }
}

data "google_kms_crypto_key_version" "attestor" {
  crypto_key = google_kms_crypto_key.attestor.id
}

resource "google_container_analysis_note" "attestor" {
  project = var.project_id
  name    = "draxis-verified-build"
  attestation_authority {
    hint {
      human_readable_name = "Built, signed (cosign keyless) and scanned by the Draxis deploy workflow"
    }
  }
}

resource "google_binary_authorization_attestor" "verified_build" {
  project = var.project_id
  name    = "draxis-verified-build"
  attestation_authority_note {
    note_reference = google_container_analysis_note.attestor.name
    public_keys {
      id = data.google_kms_crypto_key_version.attestor.id
      pkix_public_key {
        public_key_pem      = data.google_kms_crypto_key_version.attestor.public_key[0].pem
        signature_algorithm = data.google_kms_crypto_key_version.attestor.public_key[0].algorithm
      }
    }
  }
}

resource "google_kms_crypto_key_iam_member" "attestor_signer" {
  crypto_key_id = google_kms_crypto_key.attestor.id
  role          = "roles/cloudkms.signerVerifier"
  member        = "serviceAccount:${var.deployer_service_account}"
}

resource "google_binary_authorization_attestor_iam_member" "deployer" {
  project  = var.project_id
  attestor = google_binary_authorization_attestor.verified_build.name
  role     = "roles/binaryauthorization.attestorsVerifier"
  member   = "serviceAccount:${var.deployer_service_account}"
}

resource "google_container_analysis_note_iam_member" "deployer" {
  project = var.project_id
  note    = google_container_analysis_note.attestor.name
  role    = "roles/containeranalysis.notes.attacher"
  member  = "serviceAccount:${var.deployer_service_account}"
}

resource "google_binary_authorization_policy" "policy" {
  project                       = var.project_id
  global_policy_evaluation_mode = "ENABLE"

  # Warn-only first: violations are logged (Cloud Audit Logs), nothing is blocked. Switch to
  # ENFORCED_BLOCK_AND_AUDIT_LOG after a clean steady-state window (docs/deploy.md).
  default_admission_rule {
    evaluation_mode         = "REQUIRE_ATTESTATION"
    enforcement_mode        = var.binauthz_enforcement_mode
    require_attestations_by = [google_binary_authorization_attestor.verified_build.name]
  }
}
