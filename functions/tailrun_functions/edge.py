"""The HTTP edge: a request in, a JSON response out, and the one place errors become 4xx answers (invariant 5).

Every entrypoint's handler lives here: ``(services, lowercased headers, body) → (status, payload)``; it parses the
body into a model and calls the domain (``jobs``, ``callbacks``, ``reaper``, ``artifacts``), which never imports
this module. It works on any object with Flask's request surface (``method``, ``headers``, ``content_length``, ``stream``)
without importing Flask; ``functions/main.py`` hands it the functions-framework request and returns its result,
a ``(body, status, headers)`` triple that Flask turns into a response.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

import pydantic
from google.api_core import exceptions as google_exceptions

from tailrun_functions import admission, auth, callbacks, defaults, jobs, models, reaper, services
from tailrun_functions.artifacts import access, callers, uploads
from tailrun_functions.artifacts.models import DownloadRequest, FinalizeRequest, ReviewRequest, UploadRequest
from tailrun_functions.batches import controls as batch_controls
from tailrun_functions.batches import create as batch_create
from tailrun_functions.errors import Conflict, InvalidRequest, MethodNotAllowed, PayloadTooLarge, TailrunError
from tailrun_functions.services import Services
from tailrun_functions.settings import SettingsError
from tailrun_functions.workspaces import manage as workspaces

logger = logging.getLogger(__name__)

JSON_HEADERS = {"Content-Type": "application/json", "Cache-Control": "no-store"}
Response = tuple[str, int, dict[str, str]]
Model = TypeVar("Model", bound=pydantic.BaseModel)


class Request(Protocol):
    """The part of a Flask/Werkzeug request the edge uses."""

    @property
    def method(self) -> str: ...

    @property
    def headers(self) -> Any: ...

    @property
    def content_length(self) -> int | None: ...

    @property
    def stream(self) -> Any: ...


def lower_headers(request: Request) -> dict[str, str]:
    """Header names lowercased, so handlers look them up case-insensitively as HTTP wants."""
    return {str(name).lower(): str(value) for name, value in request.headers.items()}


Handler = Callable[[Services, Mapping[str, str], bytes], tuple[int, dict[str, Any]]]


def respond(status: int, payload: dict[str, Any]) -> Response:
    return json.dumps(payload, ensure_ascii=False, default=str), status, dict(JSON_HEADERS)


def error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> Response:
    body, status, all_headers = respond(status, {"error": {"code": code, "message": message}})
    return body, status, {**all_headers, **(headers or {})}


def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing anything over ``limit`` bytes without reading it all."""
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"the body is {request.content_length} bytes; the limit is {limit}")
    body: bytes = request.stream.read(limit + 1)
    if len(body) > limit:
        raise PayloadTooLarge(f"the body is over the limit of {limit} bytes")
    return body


def describe(exc: pydantic.ValidationError) -> str:
    """A short sentence from pydantic's errors: where and what, for the first few."""
    parts = []
    for item in exc.errors()[:3]:
        where = ".".join(str(p) for p in item["loc"]) or "body"
        parts.append(f"{where}: {item['msg']}")
    more = len(exc.errors()) - 3
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def parse(model: type[Model], body: bytes, *, empty_ok: bool = False) -> Model:
    """The body as ``model``; 400 ``empty_body`` or ``invalid_body`` (saying what is wrong) otherwise."""
    if not body.strip():
        if empty_ok:
            return model()
        raise InvalidRequest("the body must be a JSON object", code="empty_body")
    try:
        return model.model_validate_json(body)
    except pydantic.ValidationError as exc:
        raise InvalidRequest(describe(exc), code="invalid_body") from None


def serve(request: Request, handler: Handler, limit: int = defaults.MAX_REQUEST_BYTES) -> Response:
    """Run one entrypoint: POST only, bounded body, settings and clients, and every error as JSON."""
    try:
        if request.method != "POST":
            raise MethodNotAllowed(f"use POST, not {request.method}")
        body = read_body(request, limit)
        status, payload = handler(services.current(), lower_headers(request), body)
        return respond(status, payload)
    except TailrunError as exc:
        return error(exc.status, exc.code, exc.message, exc.headers)
    except SettingsError as exc:
        logger.error("misconfigured: %s", exc)
        return error(500, "misconfigured", str(exc))
    except (
        google_exceptions.ServiceUnavailable,
        google_exceptions.DeadlineExceeded,
        google_exceptions.Aborted,
    ) as exc:
        return unavailable(exc)
    except ValueError as exc:
        # The client gives up a contended transaction after its attempts with a ValueError whose cause is the
        # last Aborted: the store is busy, not the request wrong (Google's emulator shows it under contention).
        if isinstance(exc.__cause__, google_exceptions.Aborted):
            return unavailable(exc)
        logger.exception("unexpected error")
        return error(500, "internal", "internal error")
    except Exception:
        logger.exception("unexpected error")
        return error(500, "internal", "internal error")


def unavailable(exc: Exception) -> Response:
    """503 with ``Retry-After``: Firestore is unavailable or too contended for now; the caller retries later."""
    logger.warning("Firestore unavailable: %s", exc)
    retry_after = {"Retry-After": str(defaults.UNAVAILABLE_RETRY_AFTER_S)}
    return error(503, "unavailable", "the job store is busy or unavailable; retry with backoff", retry_after)


# --- one handler per entrypoint: (services, headers, body) → (status, payload) ---


def create_job(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    owner = auth.authenticate_user(headers, svc.settings, svc.user_verifier)
    request = parse(models.CreateJobRequest, body)
    return 201, jobs.create_job(svc, owner, request)


def cancel_job(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    owner = auth.authenticate_user(headers, svc.settings, svc.user_verifier)
    ref = parse(models.JobRef, body)
    return 200, jobs.cancel_job(svc, owner, ref.job_id)


def retry_job(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    owner = auth.authenticate_user(headers, svc.settings, svc.user_verifier)
    ref = parse(models.JobRef, body)
    return 201, jobs.retry_job(svc, owner, ref.job_id)


def reap_sandboxes(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    auth.authenticate_scheduler(headers, svc.settings, svc.scheduler_verifier)
    request = parse(models.ReapRequest, body, empty_ok=True)
    return 200, reaper.reap(svc, dry_run=request.dry_run)


def job_callback(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    token = admission.runner_token(headers)
    if not body.strip():
        raise InvalidRequest("the body must be a JSON callback message", code="empty_body")
    try:
        message = models.parse_message(body)
    except pydantic.ValidationError as exc:
        raise InvalidRequest(describe(exc), code=callback_error_code(exc)) from None
    return 200, callbacks.handle(svc, token, message)


def callback_error_code(exc: pydantic.ValidationError) -> str:
    """``too_many_events``, ``event_too_large``, ``invalid_events`` or ``invalid_state`` when an output message's
    events or state are what is wrong (design §4), else ``invalid_body``; the first error that tells wins."""
    for item in exc.errors():
        raised = (item.get("ctx") or {}).get("error")
        if isinstance(raised, models.CodedError):
            return raised.code
        loc = tuple(item["loc"])
        if loc == ("output", "events") and item["type"] == "too_long":
            return "too_many_events"
        if loc[:2] == ("output", "events"):
            return "invalid_events"
        if loc[:2] == ("output", "state"):
            return "invalid_state"
    return "invalid_body"


def upload(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    request = parse(UploadRequest, body)
    caller = callers.authenticate(svc, headers, request.job_id, request.attempt)
    try:
        return 201, uploads.request_upload(svc, svc.bucket, caller, request)
    except google_exceptions.PreconditionFailed:
        raise Conflict("that upload exists already", code="upload_exists") from None


def finalize_artifact(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    request = parse(FinalizeRequest, body)
    caller = callers.authenticate(svc, headers, request.job_id, request.attempt)
    try:
        return 200, uploads.finalize(svc, svc.bucket, caller, request)
    except (
        google_exceptions.NotFound
    ):  # the object vanished between the check and the copy (a concurrent finalize)
        raise Conflict("the file is gone; finalize again to see the artifact", code="not_uploaded") from None


def review_artifact(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    uid = auth.authenticate_user(headers, svc.settings, svc.user_verifier)
    request = parse(ReviewRequest, body)
    return 200, access.review(svc, uid, request)


def download_artifact(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    uid = auth.authenticate_user(headers, svc.settings, svc.user_verifier)
    request = parse(DownloadRequest, body)
    return 200, access.download(svc, svc.bucket, uid, request)


# --- batches (issue 15) ---


def create_batch(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    owner = auth.authenticate_user(headers, svc.settings, svc.user_verifier)
    request = parse(models.CreateBatchRequest, body)
    return batch_create.create_batch(svc, owner, request)


def pause_batch(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    owner = auth.authenticate_user(headers, svc.settings, svc.user_verifier)
    ref = parse(models.BatchRef, body)
    return 200, batch_controls.pause(svc, owner, ref.batch_id)


def resume_batch(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    owner = auth.authenticate_user(headers, svc.settings, svc.user_verifier)
    ref = parse(models.BatchRef, body)
    return 200, batch_controls.resume(svc, owner, ref.batch_id)


def stop_batch(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    owner = auth.authenticate_user(headers, svc.settings, svc.user_verifier)
    request = parse(models.StopBatchRequest, body)
    return 200, batch_controls.stop(svc, owner, request.batch_id, request.reason, request.cancel_running)


def set_batch_concurrency(
    svc: Services, headers: Mapping[str, str], body: bytes
) -> tuple[int, dict[str, Any]]:
    owner = auth.authenticate_user(headers, svc.settings, svc.user_verifier)
    request = parse(models.SetConcurrencyRequest, body)
    return 200, batch_controls.set_concurrency(svc, owner, request.batch_id, request.concurrency)


def retry_batch(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    owner = auth.authenticate_user(headers, svc.settings, svc.user_verifier)
    ref = parse(models.BatchRef, body)
    return 200, batch_controls.retry(svc, owner, ref.batch_id)


# --- workspaces (issue 14) ---


def _user(svc: Services, headers: Mapping[str, str]) -> str:
    return auth.authenticate_user(headers, svc.settings, svc.user_verifier)


def create_workspace(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    uid = _user(svc, headers)
    request = parse(models.CreateWorkspaceRequest, body)
    return 201, workspaces.create(svc, uid, workspaces.check_name(request.name))


def list_workspaces(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    uid = _user(svc, headers)
    parse(models.ListWorkspacesRequest, body, empty_ok=True)
    return 200, workspaces.list_mine(svc, uid)


def rename_workspace(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    uid = _user(svc, headers)
    request = parse(models.RenameWorkspaceRequest, body)
    return 200, workspaces.rename(svc, uid, request.workspace_id, workspaces.check_name(request.name))


def delete_workspace(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    uid = _user(svc, headers)
    request = parse(models.WorkspaceRef, body)
    return 200, workspaces.delete(svc, uid, request.workspace_id)


def add_member(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    uid = _user(svc, headers)
    return 200, workspaces.add_member(svc, uid, parse(models.AddMemberRequest, body))


def remove_member(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    uid = _user(svc, headers)
    request = parse(models.MemberRequest, body)
    return 200, workspaces.remove_member(svc, uid, request.workspace_id, request.uid)


def set_member_role(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    uid = _user(svc, headers)
    return 200, workspaces.set_role(svc, uid, parse(models.SetRoleRequest, body))


def transfer_workspace(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    uid = _user(svc, headers)
    request = parse(models.MemberRequest, body)
    return 200, workspaces.transfer(svc, uid, request.workspace_id, request.uid)


def leave_workspace(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    uid = _user(svc, headers)
    request = parse(models.WorkspaceRef, body)
    return 200, workspaces.leave(svc, uid, request.workspace_id)
