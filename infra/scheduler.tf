# Cloud Scheduler calls reap_sandboxes every minute with an OIDC token of its own service account; the function
# checks the token's audience (TAILRUN_REAPER_AUDIENCE) and email (TAILRUN_SCHEDULER_SERVICE_ACCOUNT).

resource "google_cloud_scheduler_job" "reaper" {
  name             = "tailrun-reap-sandboxes"
  region           = var.region
  schedule         = var.reap_schedule
  time_zone        = "Etc/UTC"
  attempt_deadline = "540s"

  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.http["reap_sandboxes"].url
    headers     = { "Content-Type" = "application/json" }
    body        = base64encode("{}")
    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = local.function_env.TAILRUN_REAPER_AUDIENCE
    }
  }

  depends_on = [google_cloud_run_service_iam_member.scheduler]
}
