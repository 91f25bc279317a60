# Three identities, each with only what it needs.
# - functions: reads and writes Firestore, writes artifacts, starts, reads and cancels runner executions (with
#   env overrides that hold no secret), signs download URLs as itself. Verifying the runner's and the
#   scheduler's Google ID tokens needs no role (Google's public certificates).
# - runner: no role at all. It proves itself to job_callback with a Google-signed ID token of its own account
#   (the metadata server mints it for the attached account, no role needed), claims its attempt's job and a
#   fresh callback token, and uploads through signed URLs. Cloud Run ships its stdout and stderr to Cloud
#   Logging without roles/logging.logWriter, which would let any job write arbitrary project log entries.
# - scheduler: may invoke reap_sandboxes.

resource "google_service_account" "functions" {
  account_id   = "tailrun-functions"
  display_name = "tailrun functions"
}

resource "google_service_account" "runner" {
  account_id   = "tailrun-runner"
  display_name = "tailrun runner (sandboxes)"
}

resource "google_service_account" "scheduler" {
  account_id   = "tailrun-scheduler"
  display_name = "tailrun scheduler (calls reap_sandboxes)"
}

resource "google_project_iam_member" "functions_firestore" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.functions.email}"
}

resource "google_storage_bucket_iam_member" "functions_artifacts" {
  bucket = google_storage_bucket.artifacts.name
  role   = "roles/storage.objectAdmin"
  member = "serviceAccount:${google_service_account.functions.email}"
}

# run.jobs.runWithOverrides, run.executions.get (the reaper: has an execution ended?) and
# run.executions.cancel, on the runner job only.
resource "google_cloud_run_v2_job_iam_member" "functions_run_runner" {
  name     = google_cloud_run_v2_job.runner.name
  location = var.region
  role     = "roles/run.developer"
  member   = "serviceAccount:${google_service_account.functions.email}"
}

# Starting an execution that runs as the runner's identity.
resource "google_service_account_iam_member" "functions_act_as_runner" {
  service_account_id = google_service_account.runner.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.functions.email}"
}

# Signed download URLs without a key file (signBlob on its own account).
resource "google_service_account_iam_member" "functions_sign_blobs" {
  service_account_id = google_service_account.functions.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_service_account.functions.email}"
}
