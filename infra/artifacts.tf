# Artifacts: how long objects live in the artifacts bucket, and what the signer needs.
#
# Object layout (functions/tailrun_functions/storage.py):
#   incoming/{artifact_id}/{name}        where a signed PUT lands; finalize moves it, so whatever is still here
#                                        after a day was never finalized (abandoned or refused) and is deleted.
#   jobs/{job_id}/{artifact_id}/{name}   a job's artifacts; users/{uid}/{artifact_id}/{name} a user's own uploads.
#                                        Deleted after var.artifact_retention_days (0 keeps them forever).
#
# The bucket itself is google_storage_bucket.artifacts (storage.tf); its dynamic lifecycle_rule blocks (one Delete
# rule per entry) come from local.artifact_lifecycle_rules below.
#
# IAM the signer needs (iam.tf): the functions' service account holds roles/storage.objectAdmin on the bucket
# (stat, ranged read, copy, delete, inline writes) and roles/iam.serviceAccountTokenCreator on itself, so
# google.auth.iam.Signer can call signBlob as that account: signed URLs without any key file.

variable "artifact_retention_days" {
  description = "Days a finalized artifact object is kept (0 = forever). Its Firestore document stays; a download after that is a 404 from Cloud Storage."
  type        = number
  default     = 90
}

variable "incoming_retention_days" {
  description = "Days an upload that was never finalized (or was refused) may stay under incoming/ before Cloud Storage deletes it."
  type        = number
  default     = 1
}

locals {
  artifact_lifecycle_rules = concat(
    [{ age_days = var.incoming_retention_days, prefixes = ["incoming/"] }],
    var.artifact_retention_days > 0 ? [{ age_days = var.artifact_retention_days, prefixes = ["jobs/", "users/"] }] : [],
  )

  # Added to the functions' environment (main.tf: merge into local.function_env): the signer is the functions'
  # own service account, named so the function need not ask the metadata server for it.
  artifact_function_env = {
    TAILRUN_SIGNER_EMAIL = google_service_account.functions.email
  }
}

# Upload promises (artifact_uploads/{artifact_id}, server-only) that were never finalized: Firestore deletes each
# after its purge_at (its URL's expiry plus the hour finalize still accepts it).
resource "google_firestore_field" "artifact_uploads_ttl" {
  project    = var.project_id
  database   = google_firestore_database.default.name
  collection = "artifact_uploads"
  field      = "purge_at"

  ttl_config {}
  index_config {}
}

# A browser uploading straight to a signed URL sends these request headers; CORS on the bucket (storage.tf) must
# allow them besides Content-Type.
output "artifact_cors_request_headers" {
  value = ["Content-Type", "Content-MD5", "x-goog-content-length-range"]
}
