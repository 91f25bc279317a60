# The runner: an image in Artifact Registry and a Cloud Run job that the functions start once per attempt,
# naming the attempt in per-execution environment overrides (no secret: overrides are readable by project
# readers; the runner claims its token, argv and env from job_callback). No task retries: tailrun decides.

resource "google_artifact_registry_repository" "tailrun" {
  repository_id = "tailrun"
  location      = var.region
  format        = "DOCKER"
  description   = "tailrun runner images"
  depends_on    = [google_project_service.apis]
}

resource "google_cloud_run_v2_job" "runner" {
  name                = "tailrun-runner"
  location            = var.region
  deletion_protection = false
  depends_on          = [google_project_service.apis]

  template {
    task_count  = 1
    parallelism = 1
    template {
      max_retries     = 0
      timeout         = "${var.runner_timeout_s}s"
      service_account = google_service_account.runner.email
      containers {
        image = local.runner_image
        resources {
          limits = {
            cpu    = var.runner_cpu
            memory = var.runner_memory
          }
        }
        env {
          name  = "PYTHONUNBUFFERED"
          value = "1"
        }
      }
    }
  }

  lifecycle {
    # Deploying a new image is `gcloud run jobs update` or a new runner_image_tag; executions override env.
    ignore_changes = [client, client_version]
  }
}
