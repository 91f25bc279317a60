variable "project_id" {
  description = "The GCP project that holds everything (Firestore, bucket, functions, runner job)."
  type        = string
}

variable "region" {
  description = "Region of the functions, the Cloud Run job, Artifact Registry and the scheduler."
  type        = string
  default     = "us-central1"
}

variable "firestore_location" {
  description = "Location of the Firestore database (a region or a multi-region such as nam5)."
  type        = string
  default     = "nam5"
}

variable "runner_image_tag" {
  description = "Tag of the runner image in Artifact Registry (tailrun/runner:TAG)."
  type        = string
  default     = "latest"
}

variable "runner_timeout_s" {
  description = "Hard limit, in seconds, of one runner execution (Cloud Run job task timeout)."
  type        = number
  default     = 86400
}

variable "runner_cpu" {
  description = "CPU of one sandbox."
  type        = string
  default     = "1"
}

variable "runner_memory" {
  description = "Memory of one sandbox."
  type        = string
  default     = "2Gi"
}

variable "reap_schedule" {
  description = "Cron schedule of reap_sandboxes (Cloud Scheduler)."
  type        = string
  default     = "* * * * *"
}

variable "http_functions" {
  description = "Entrypoints of functions/main.py deployed as HTTP functions, each at its own name."
  type        = list(string)
  default = [
    "create_job",
    "job_callback",
    "retry_job",
    "cancel_job",
    "reap_sandboxes",
    "upload",
    "finalize_artifact",
    "review_artifact",
    "download_artifact",
    "events",
    "job_output",
    "create_batch",
    "pause_batch",
    "resume_batch",
    "stop_batch",
    "set_batch_concurrency",
    "retry_batch",
    "export_batch",
    "create_workspace",
    "list_workspaces",
    "rename_workspace",
    "delete_workspace",
    "add_member",
    "remove_member",
    "set_member_role",
    "transfer_workspace",
    "leave_workspace",
  ]
}

variable "streaming_functions" {
  description = "Functions that hold a request open (server-sent events): a 60-minute timeout (each stream ends itself before, at TAILRUN_SSE_MAX_DURATION_S) and many requests per instance, each on a thread."
  type        = list(string)
  default     = ["events"]
}

variable "streaming_concurrency" {
  description = "Open streams one instance of a streaming function serves at once (each holds a thread; the hub shares one Firestore listener set per job among them)."
  type        = number
  default     = 80
}

variable "private_functions" {
  description = "Functions that only the scheduler may invoke (OIDC); every other function is public and checks its own credentials (Firebase ID token, callback token)."
  type        = list(string)
  default     = ["reap_sandboxes"]
}

variable "function_memory" {
  description = "Memory of each function instance."
  type        = string
  default     = "512M"
}

variable "web_site_id" {
  description = "Firebase Hosting site of the web app (web/): https://SITE.web.app. Default: PROJECT-tailrun."
  type        = string
  default     = ""
}
