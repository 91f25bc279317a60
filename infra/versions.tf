# Terraform for every cloud resource of tailrun. Apply from this folder:
#   terraform init && terraform apply -var project_id=MY-PROJECT
# Build and push the runner image first (see the README, "Deploying"), or apply once with the default tag and
# push before the first job runs.

terraform {
  required_version = ">= 1.5"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 5.30, < 7.0"
    }
    # The Firebase web app and its Hosting site (web.tf) exist only in the beta provider.
    google-beta = {
      source  = "hashicorp/google-beta"
      version = ">= 5.30, < 7.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.4"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

provider "google-beta" {
  project = var.project_id
  region  = var.region
}
