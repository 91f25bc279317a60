# The Firestore database, its security rules (clients read their own jobs and chunks; nothing else) and the
# composite indexes the functions and the CLI query with. Rules and indexes live beside this file.

resource "google_firestore_database" "default" {
  name                    = "(default)"
  location_id             = var.firestore_location
  type                    = "FIRESTORE_NATIVE"
  concurrency_mode        = "PESSIMISTIC"
  delete_protection_state = "DELETE_PROTECTION_ENABLED"
  depends_on              = [google_project_service.apis]
}

resource "google_firebaserules_ruleset" "firestore" {
  source {
    files {
      name    = "firestore.rules"
      content = file("${path.module}/firestore.rules")
    }
  }
  depends_on = [google_firestore_database.default]
}

resource "google_firebaserules_release" "firestore" {
  name         = "cloud.firestore"
  ruleset_name = google_firebaserules_ruleset.firestore.name
  lifecycle {
    replace_triggered_by = [google_firebaserules_ruleset.firestore]
  }
}

locals {
  # firestore.indexes.json uses the Firebase CLI's format: {"indexes": [{"collectionGroup", "queryScope",
  # "fields": [{"fieldPath", "order" | "arrayConfig"}]}], "fieldOverrides": [{"collectionGroup", "fieldPath", "indexes"}]}
  firestore_index_file      = jsondecode(file("${path.module}/firestore.indexes.json"))
  firestore_indexes         = try(local.firestore_index_file.indexes, [])
  firestore_field_overrides = try(local.firestore_index_file.fieldOverrides, [])
}

resource "google_firestore_index" "indexes" {
  for_each    = { for index in local.firestore_indexes : join(",", concat([index.collectionGroup], [for field in index.fields : "${field.fieldPath}:${try(field.order, field.arrayConfig)}"])) => index }
  database    = google_firestore_database.default.name
  collection  = each.value.collectionGroup
  query_scope = try(each.value.queryScope, "COLLECTION")

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path   = fields.value.fieldPath
      order        = try(fields.value.order, null)
      array_config = try(fields.value.arrayConfig, null)
    }
  }
}

# Single-field overrides: an empty index list turns indexing off for a field (large arrays such as chunk lines
# would otherwise cost an index entry per element).
resource "google_firestore_field" "overrides" {
  for_each   = { for override in local.firestore_field_overrides : "${override.collectionGroup}.${override.fieldPath}" => override }
  database   = google_firestore_database.default.name
  collection = each.value.collectionGroup
  field      = each.value.fieldPath

  index_config {
    dynamic "indexes" {
      for_each = each.value.indexes
      content {
        query_scope  = try(indexes.value.queryScope, "COLLECTION")
        order        = try(indexes.value.order, null)
        array_config = try(indexes.value.arrayConfig, null)
      }
    }
  }
}
