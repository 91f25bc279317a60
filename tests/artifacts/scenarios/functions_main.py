"""Temporary: functions/main.py plus the artifact entrypoints exactly as they will be added to it."""

from __future__ import annotations

import sys
from pathlib import Path

import flask
import functions_framework

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "functions"))

from main import *  # noqa: E402,F403
from tailrun_functions import artifacts, edge  # noqa: E402


@functions_framework.http
def upload(request: flask.Request) -> edge.Response:
    """POST {name, content_type, size, ...} → 201 with a signed PUT URL (or the artifact, for inline data)."""
    return edge.serve(request, artifacts.handle_upload)


@functions_framework.http
def finalize_artifact(request: flask.Request) -> edge.Response:
    """POST {artifact_id, ...} once the PUT is done → the artifact, or 4xx and the object deleted."""
    return edge.serve(request, artifacts.handle_finalize)


@functions_framework.http
def review_artifact(request: flask.Request) -> edge.Response:
    """POST {job_id, artifact_id, decision, note} → the artifact approved or rejected (409 if already)."""
    return edge.serve(request, artifacts.handle_review)


@functions_framework.http
def download_artifact(request: flask.Request) -> edge.Response:
    """POST {job_id, artifact_id | name} → a short-lived signed GET URL."""
    return edge.serve(request, artifacts.handle_download)
