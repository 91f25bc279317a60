output "tailrun_url" {
  description = "Set TAILRUN_URL to this to point the CLI at the deployed functions."
  value       = local.functions_base_url
}

output "runner_image" {
  description = "Push the runner image here (docker build runner_container; docker push)."
  value       = local.runner_image
}

output "artifacts_bucket" {
  value = google_storage_bucket.artifacts.name
}

output "function_urls" {
  value = { for name, function in google_cloudfunctions2_function.http : name => function.url }
}
