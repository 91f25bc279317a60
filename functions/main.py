"""tailrun's Cloud Functions entrypoints; the work is done in ``tailrun_functions`` (see ``edge.py``)."""

from __future__ import annotations

import flask
import functions_framework
from tailrun_functions import defaults, edge, logs
from tailrun_functions.batches import export as batch_export
from tailrun_functions.streams import endpoints as streams

logs.configure()  # JSON lines for Cloud Logging; idempotent, so a re-import adds no second handler


@functions_framework.http
def create_job(request: flask.Request) -> edge.Response:
    """POST a job spec → 201 with the job id and what to watch."""
    return edge.serve(request, edge.create_job)


@functions_framework.http
def job_callback(request: flask.Request) -> edge.Response:
    """POST one runner message → 200 {"ack": seq}, 401, 409 or 410."""
    return edge.serve(request, edge.job_callback, limit=defaults.MAX_CALLBACK_BYTES)


@functions_framework.http
def cancel_job(request: flask.Request) -> edge.Response:
    """POST {"job_id"} → the job is canceled and its process stopped."""
    return edge.serve(request, edge.cancel_job)


@functions_framework.http
def retry_job(request: flask.Request) -> edge.Response:
    """POST {"job_id"} of an ended job → 201 with the new job linked by parent_job_id."""
    return edge.serve(request, edge.retry_job)


@functions_framework.http
def reap_sandboxes(request: flask.Request) -> edge.Response:
    """Cloud Scheduler's POST (OIDC) → one reaper pass and what it did."""
    return edge.serve(request, edge.reap_sandboxes)


@functions_framework.http
def upload(request: flask.Request) -> edge.Response:
    """POST {name, content_type, size, ...} → 201 with a signed PUT URL (or the artifact, for inline data)."""
    return edge.serve(request, edge.upload)


@functions_framework.http
def finalize_artifact(request: flask.Request) -> edge.Response:
    """POST {artifact_id, ...} once the PUT is done → the artifact, or 4xx and the object deleted."""
    return edge.serve(request, edge.finalize_artifact)


@functions_framework.http
def review_artifact(request: flask.Request) -> edge.Response:
    """POST {job_id, artifact_id, decision, note} → the artifact approved or rejected (409 if already)."""
    return edge.serve(request, edge.review_artifact)


@functions_framework.http
def download_artifact(request: flask.Request) -> edge.Response:
    """POST {job_id, artifact_id | name} → a short-lived signed GET URL."""
    return edge.serve(request, edge.download_artifact)


@functions_framework.http
def events(request: flask.Request) -> streams.Response:
    """GET ?job_id=… → text/event-stream: status, lines, progress, events, artifacts, end (resume: Last-Event-ID);
    GET ?batch_id=… → batch, row, end."""
    return streams.events(request)


@functions_framework.http
def job_output(request: flask.Request) -> streams.Response:
    """GET ?job_id=…&after_line=N&limit=M → {"attempt", "lines", "next_line", "complete"}: the polling fallback."""
    return streams.job_output(request)


@functions_framework.http
def create_batch(request: flask.Request) -> edge.Response:
    """POST rows (csv or rows) and a job template → 201 {"batch_id", "total"}; one job per row under a limit."""
    return edge.serve(request, edge.create_batch, limit=defaults.BATCH_MAX_REQUEST_BYTES)


@functions_framework.http
def pause_batch(request: flask.Request) -> edge.Response:
    """POST {"batch_id"} → no new row starts; running jobs finish."""
    return edge.serve(request, edge.pause_batch)


@functions_framework.http
def resume_batch(request: flask.Request) -> edge.Response:
    """POST {"batch_id"} of a paused batch → rows start again (409 batch_stopped for a stopped one)."""
    return edge.serve(request, edge.resume_batch)


@functions_framework.http
def stop_batch(request: flask.Request) -> edge.Response:
    """POST {"batch_id", "reason", "cancel_running"} → queued rows canceled, running jobs too unless told not."""
    return edge.serve(request, edge.stop_batch)


@functions_framework.http
def set_batch_concurrency(request: flask.Request) -> edge.Response:
    """POST {"batch_id", "concurrency"} → the new limit, at once."""
    return edge.serve(request, edge.set_batch_concurrency)


@functions_framework.http
def retry_batch(request: flask.Request) -> edge.Response:
    """POST {"batch_id"} → its failed, timed-out and canceled rows run again as new jobs linked to the old."""
    return edge.serve(request, edge.retry_batch)


@functions_framework.http
def export_batch(request: flask.Request) -> batch_export.Response:
    """GET ?batch_id=…&format=csv|jsonl → the rows in row order with their results, streamed."""
    return batch_export.serve(request)


@functions_framework.http
def create_workspace(request: flask.Request) -> edge.Response:
    """POST {"name"} → 201 the new workspace, the caller its owner."""
    return edge.serve(request, edge.create_workspace)


@functions_framework.http
def list_workspaces(request: flask.Request) -> edge.Response:
    """POST {} → {"workspaces": [...]}: every workspace the caller is a member of."""
    return edge.serve(request, edge.list_workspaces)


@functions_framework.http
def rename_workspace(request: flask.Request) -> edge.Response:
    """POST {"workspace_id", "name"} → the workspace (admins and the owner)."""
    return edge.serve(request, edge.rename_workspace)


@functions_framework.http
def delete_workspace(request: flask.Request) -> edge.Response:
    """POST {"workspace_id"} → deleted (the owner; 409 while jobs run or batches have not ended)."""
    return edge.serve(request, edge.delete_workspace)


@functions_framework.http
def add_member(request: flask.Request) -> edge.Response:
    """POST {"workspace_id", "uid" | "email", "role"} → the workspace with the new member."""
    return edge.serve(request, edge.add_member)


@functions_framework.http
def remove_member(request: flask.Request) -> edge.Response:
    """POST {"workspace_id", "uid"} → the workspace without that member (access ends at once)."""
    return edge.serve(request, edge.remove_member)


@functions_framework.http
def set_member_role(request: flask.Request) -> edge.Response:
    """POST {"workspace_id", "uid", "role"} → the workspace with the member's new role."""
    return edge.serve(request, edge.set_member_role)


@functions_framework.http
def transfer_workspace(request: flask.Request) -> edge.Response:
    """POST {"workspace_id", "uid"} → that member owns it; the old owner is an admin."""
    return edge.serve(request, edge.transfer_workspace)


@functions_framework.http
def leave_workspace(request: flask.Request) -> edge.Response:
    """POST {"workspace_id"} → the caller is no member any more (the owner cannot: 409)."""
    return edge.serve(request, edge.leave_workspace)
