# Every HTTP entrypoint of functions/main.py as a Cloud Function (2nd gen), reached at
# https://REGION-PROJECT.cloudfunctions.net/NAME: the same paths the local stack serves.

resource "google_cloudfunctions2_function" "http" {
  for_each = toset(var.http_functions)
  name     = each.value
  location = var.region

  build_config {
    runtime     = "python311"
    entry_point = each.value
    source {
      storage_source {
        bucket = google_storage_bucket.sources.name
        object = google_storage_bucket_object.functions.name
      }
    }
  }

  service_config {
    available_memory = var.function_memory
    # A stream may last 3600 s, Cloud Functions (2nd gen)'s HTTP limit; it ends itself at TAILRUN_SSE_MAX_DURATION_S.
    timeout_seconds = contains(var.streaming_functions, each.value) ? 3600 : (each.value == "reap_sandboxes" ? 540 : 60)
    # More than one request per instance needs a whole CPU; functions-framework's gunicorn serves THREADS at once.
    max_instance_request_concurrency = contains(var.streaming_functions, each.value) ? var.streaming_concurrency : 1
    available_cpu                    = contains(var.streaming_functions, each.value) ? "1" : null
    ingress_settings                 = "ALLOW_ALL"
    service_account_email            = google_service_account.functions.email
    environment_variables            = local.function_env
  }

  depends_on = [google_project_service.apis, google_firestore_database.default]
}

# Public functions check their own credentials (Firebase ID tokens; per-attempt callback tokens).
resource "google_cloud_run_service_iam_member" "public" {
  for_each = toset(setsubtract(var.http_functions, var.private_functions))
  location = var.region
  service  = google_cloudfunctions2_function.http[each.value].service_config[0].service
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# Private functions: only the scheduler's service account, with an OIDC token.
resource "google_cloud_run_service_iam_member" "scheduler" {
  for_each = toset(var.private_functions)
  location = var.region
  service  = google_cloudfunctions2_function.http[each.value].service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.scheduler.email}"
}
