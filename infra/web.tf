# The web app (web/) on Firebase Hosting, served at https://SITE.web.app.
#
# Terraform makes the Firebase web app and the Hosting site, and writes what the page and the Firebase CLI need as
# two outputs: web_config_json (the page's config.json: project, apiKey, authDomain) and web_firebase_json (the
# CLI's firebase.json). Terraform cannot upload Hosting files; `firebase deploy --only hosting` does (README,
# "Deploying"). Hosting rewrites each public function's path to the function, so the page calls
# /create_job, /cancel_job, ... on its own origin: no CORS, and functions_url stays empty in config.json. A
# rewritten request has Hosting's 60 s limit, so the streaming functions (server-sent events) are not rewritten:
# the page reads live through Firestore listeners, not streams.

locals {
  web_site_id   = var.web_site_id != "" ? var.web_site_id : "${var.project_id}-tailrun"
  web_functions = sort(setsubtract(var.http_functions, concat(var.private_functions, var.streaming_functions)))
}

resource "google_project_service" "firebase" {
  for_each = toset([
    "firebase.googleapis.com",
    "firebasehosting.googleapis.com",
    "identitytoolkit.googleapis.com",
  ])
  service            = each.value
  disable_on_destroy = false
}

resource "google_firebase_project" "default" {
  provider   = google-beta
  project    = var.project_id
  depends_on = [google_project_service.firebase]
}

resource "google_firebase_web_app" "web" {
  provider        = google-beta
  project         = var.project_id
  display_name    = "tailrun"
  deletion_policy = "DELETE"
  depends_on      = [google_firebase_project.default]
}

data "google_firebase_web_app_config" "web" {
  provider   = google-beta
  project    = var.project_id
  web_app_id = google_firebase_web_app.web.app_id
}

resource "google_firebase_hosting_site" "web" {
  provider = google-beta
  project  = var.project_id
  site_id  = local.web_site_id
  app_id   = google_firebase_web_app.web.app_id
}

output "web_url" {
  description = "The web app, once `firebase deploy --only hosting` has uploaded web/ (README, Deploying)."
  value       = google_firebase_hosting_site.web.default_url
}

output "web_config_json" {
  description = "web/config.json for the deployed page (an API key of a Firebase web app is no secret: rules guard the data)."
  value = jsonencode({
    project       = var.project_id
    apiKey        = data.google_firebase_web_app_config.web.api_key
    authDomain    = data.google_firebase_web_app_config.web.auth_domain
    functions_url = ""
  })
}

output "web_firebase_json" {
  description = "web/firebase.json for `firebase deploy --only hosting`: the site, the files, and a rewrite per function."
  value = jsonencode({
    hosting = {
      site   = google_firebase_hosting_site.web.site_id
      public = "."
      ignore = ["firebase.json", "package.json", "package-lock.json", "src/**", "node_modules/**", "**/.*"]
      rewrites = [
        for name in local.web_functions : { source = "/${name}", function = { functionId = name, region = var.region } }
      ]
      headers = [
        { source = "/bundle/**", headers = [{ key = "Cache-Control", value = "no-cache" }] },
      ]
    }
  })
}
