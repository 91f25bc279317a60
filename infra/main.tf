locals {
  functions_base_url = "https://${var.region}-${var.project_id}.cloudfunctions.net"
  runner_image       = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.tailrun.repository_id}/runner:${var.runner_image_tag}"

  # The functions' settings, as `tailrun_functions` reads them from the environment (see the README).
  # URLs are built from the functions' stable names, so no function depends on another's resource.
  function_env = {
    GOOGLE_CLOUD_PROJECT              = var.project_id
    TAILRUN_LAUNCHER                  = "cloudrun"
    TAILRUN_AUTH                      = "firebase"
    TAILRUN_REGION                    = var.region
    TAILRUN_RUNNER_JOB                = google_cloud_run_v2_job.runner.name
    TAILRUN_CALLBACK_URL              = "${local.functions_base_url}/job_callback"
    TAILRUN_BUCKET                    = google_storage_bucket.artifacts.name
    TAILRUN_REAPER_AUDIENCE           = "${local.functions_base_url}/reap_sandboxes"
    TAILRUN_SCHEDULER_SERVICE_ACCOUNT = google_service_account.scheduler.email
    TAILRUN_RUNNER_SERVICE_ACCOUNT    = google_service_account.runner.email
    LOG_EXECUTION_ID                  = "true"
    # functions-framework's gunicorn threads per instance (default 4 per CPU): a streaming function's open
    # streams each hold one; idle threads cost nothing on the others, which serve one request at a time.
    THREADS = tostring(var.streaming_concurrency + 8)
  }
}

resource "google_project_service" "apis" {
  for_each = toset([
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "firebaserules.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "run.googleapis.com",
    "storage.googleapis.com",
  ])
  service            = each.value
  disable_on_destroy = false
}
