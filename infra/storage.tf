# The artifacts bucket (files jobs produce) and the bucket that holds the functions' source archive.

resource "google_storage_bucket" "artifacts" {
  name                        = "${var.project_id}-tailrun-artifacts"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  depends_on                  = [google_project_service.apis]

  # Objects under incoming/ that were never finalized, and old artifacts (artifacts.tf has the ages).
  dynamic "lifecycle_rule" {
    for_each = local.artifact_lifecycle_rules
    content {
      action {
        type = "Delete"
      }
      condition {
        age            = lifecycle_rule.value.age_days
        matches_prefix = lifecycle_rule.value.prefixes
      }
    }
  }

  # A browser's PUT to a signed upload URL carries the signed headers (artifacts.tf: artifact_cors_request_headers).
  cors {
    origin          = ["*"]
    method          = ["GET", "PUT"]
    response_header = ["Content-Type", "Content-MD5", "x-goog-content-length-range"]
    max_age_seconds = 3600
  }
}

resource "google_storage_bucket" "sources" {
  name                        = "${var.project_id}-tailrun-sources"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  depends_on                  = [google_project_service.apis]
}

data "archive_file" "functions" {
  type        = "zip"
  source_dir  = "${path.module}/../functions"
  output_path = "${path.module}/.terraform/functions.zip"
  excludes    = ["__pycache__", "tailrun_functions/__pycache__", "DATA_MODEL.md"]
}

resource "google_storage_bucket_object" "functions" {
  # The name changes with the content, so a new source redeploys every function.
  name   = "functions-${data.archive_file.functions.output_md5}.zip"
  bucket = google_storage_bucket.sources.name
  source = data.archive_file.functions.output_path
}
