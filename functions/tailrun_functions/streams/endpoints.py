"""The HTTP side of ``GET /events`` (server-sent events of a job, ``?job_id=``, or of a batch, ``?batch_id=``) and
``GET /job_output`` (a page of a job's lines, JSON).

Both read their parameters from the query string, authenticate as the other functions do (``Authorization: Bearer``
with a Firebase ID token, or the development token locally) and also accept ``?access_token=`` (a browser's
``EventSource`` cannot set headers; the local server's request log redacts it). A job of a workspace the caller is
no member of is a 404 ``job_not_found`` exactly like a missing one, a batch a 404 ``batch_not_found`` (every member
of the job's or batch's workspace reads, viewers included). Streams of jobs and of batches count alike against the
per-user cap and the per-workspace quota (both per instance; 429 past either). Errors are the functions' JSON shape
``{"error": {"code", "message"}}``; like the rest of the domain this module never imports Flask
(``functions/main.py`` hands it the request): a stream is answered as ``(iterator of bytes, status, headers)``,
which Flask sends as it is produced.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from google.api_core import exceptions as google_exceptions

from tailrun_functions import auth, defaults, services
from tailrun_functions.batches import controls as batch_controls
from tailrun_functions.errors import InvalidRequest, MethodNotAllowed, NotFound, TailrunError
from tailrun_functions.schema import JOBS
from tailrun_functions.services import Services
from tailrun_functions.settings import SettingsError
from tailrun_functions.streams import hub, sse
from tailrun_functions.streams import job_output as pages
from tailrun_functions.workspaces import access
from tailrun_functions.workspaces.model import workspace_of

logger = logging.getLogger(__name__)

JSON_HEADERS = {"Content-Type": "application/json", "Cache-Control": "no-store"}
STREAM_HEADERS = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Accel-Buffering": "no",  # proxies that buffer (nginx and its kin) pass each event on at once
}
JOB_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
BATCH_ID = re.compile(r"^[0-9a-f]{32}$")  # as the batch functions take it
Response = tuple[Any, int, dict[str, str]]
WORKSPACE_SLOTS = (
    hub.StreamSlots()
)  # open streams per workspace on this instance (TAILRUN_WORKSPACE_MAX_STREAMS)


class Request(Protocol):
    """The part of a Flask/Werkzeug request these endpoints use."""

    @property
    def method(self) -> str: ...

    @property
    def headers(self) -> Any: ...

    @property
    def args(self) -> Any: ...


class TooManyStreams(TailrunError):
    status = 429
    code = "too_many_streams"

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after_s)}


def error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> Response:
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False)
    return body, status, {**JSON_HEADERS, **(headers or {})}


def _serve(request: Request, handler: Any) -> Response:
    """Run one GET endpoint, turning every refusal into its JSON answer (never a 500 for bad input)."""
    try:
        if request.method not in ("GET", "HEAD"):
            raise MethodNotAllowed(f"use GET, not {request.method}")
        result: Response = handler(services.current(), request)
        return result
    except TailrunError as exc:
        return error(exc.status, exc.code, exc.message, exc.headers)
    except SettingsError as exc:
        logger.error("misconfigured: %s", exc)
        return error(500, "misconfigured", str(exc))
    except (google_exceptions.ServiceUnavailable, google_exceptions.DeadlineExceeded) as exc:
        logger.warning("Firestore unavailable: %s", exc)
        retry_after = {"Retry-After": str(defaults.UNAVAILABLE_RETRY_AFTER_S)}
        return error(503, "unavailable", "the job store is unavailable; retry with backoff", retry_after)
    except Exception:
        logger.exception("unexpected error")
        return error(500, "internal", "internal error")


def _args(request: Request) -> Mapping[str, str]:
    return {str(key): str(value) for key, value in request.args.items()}


def _caller(svc: Services, request: Request, args: Mapping[str, str]) -> str:
    """The uid of the caller, from ``Authorization: Bearer`` or, without one, ``?access_token=``."""
    headers = {str(name).lower(): str(value) for name, value in request.headers.items()}
    if auth.bearer(headers) is None and args.get("access_token"):
        headers["authorization"] = f"Bearer {args['access_token']}"
    return auth.authenticate_user(headers, svc.settings, svc.user_verifier)


def _job_id(args: Mapping[str, str]) -> str:
    job_id = args.get("job_id")
    if not job_id:
        raise InvalidRequest("give ?job_id=", code="missing_job_id")
    if not JOB_ID.match(job_id):
        raise InvalidRequest(
            f"job_id must be 1-64 letters, digits, _ or -, got {job_id[:80]!r}", code="invalid_job_id"
        )
    return job_id


def _batch_id(args: Mapping[str, str]) -> str:
    batch_id = args.get("batch_id", "")
    if not BATCH_ID.match(batch_id):
        raise InvalidRequest(
            f"batch_id must be 32 hexadecimal characters, got {batch_id[:80]!r}", code="invalid_batch_id"
        )
    return batch_id


def _readable_job(svc: Services, uid: str, job_id: str) -> tuple[dict[str, Any], str]:
    """The job document and its workspace if ``uid`` is a member of it (any role reads); anyone else learns only
    that there is no such job."""
    job = svc.db.collection(JOBS).document(job_id).get().to_dict() or {}
    access.readable(svc, uid, job, NotFound(f"no job {job_id!r}", code="job_not_found"))
    return dict(job), workspace_of(job)


def _number(
    args: Mapping[str, str], name: str, default: int | None, low: int, high: int | None = None
) -> int | None:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"\d{1,12}", raw.strip()):
        raise InvalidRequest(f"{name} must be a whole number, got {raw[:40]!r}", code=f"invalid_{name}")
    value = int(raw)
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidRequest(f"{name} must be {bound}, got {value}", code=f"invalid_{name}")
    return value


def _attempt(args: Mapping[str, str], job: dict[str, Any]) -> int:
    latest = int(job.get("attempt") or 1)
    attempt = _number(args, "attempt", latest, 1)
    assert attempt is not None
    if attempt > latest:
        raise InvalidRequest(f"the job has attempts 1 to {latest}, not {attempt}", code="invalid_attempt")
    return attempt


def _start(headers: Mapping[str, str], args: Mapping[str, str], job: dict[str, Any]) -> tuple[int, int]:
    """(attempt, first line): ``Last-Event-ID`` (``N`` or ``A:N``) wins over ``?from_line=N&attempt=A``."""
    last = headers.get("last-event-id")
    if last:
        parsed = sse.parse_event_id(last)
        if parsed is None or parsed[0] > int(job.get("attempt") or 1):
            raise InvalidRequest(
                f"Last-Event-ID must be N or A:N, got {last[:40]!r}", code="invalid_last_event_id"
            )
        return parsed
    from_line = _number(args, "from_line", 0, 0)
    assert from_line is not None
    return _attempt(args, job), from_line


def _events(svc: Services, request: Request) -> Response:
    args = _args(request)
    if "batch_id" in args:
        if "job_id" in args:
            raise InvalidRequest("give ?job_id= or ?batch_id=, not both", code="invalid_request")
        return _batch_events(svc, request, args)
    job_id = _job_id(args)
    uid = _caller(svc, request, args)
    job, workspace_id = _readable_job(svc, uid, job_id)
    headers = {str(name).lower(): str(value) for name, value in request.headers.items()}
    attempt, from_line = _start(headers, args, job)

    def make(options: sse.StreamOptions, on_close: Callable[[], None]) -> Iterable[bytes]:
        return sse.EventStream(
            hub.hub_for(svc.db),
            job_id,
            job,
            attempt=attempt,
            from_line=from_line,
            options=options,
            on_close=on_close,
        )

    return _open_stream(svc, uid, workspace_id, make)


def _batch_events(svc: Services, request: Request, args: Mapping[str, str]) -> Response:
    """A batch's stream: its owner's only; anyone else's batch is a 404 ``batch_not_found`` like a missing one.
    ``Last-Event-ID`` is ignored: the stream sends the whole batch and every row on each connection."""
    batch_id = _batch_id(args)
    uid = _caller(svc, request, args)
    batch, _role = batch_controls.readable(svc, uid, batch_id)

    def make(options: sse.StreamOptions, on_close: Callable[[], None]) -> Iterable[bytes]:
        return sse.BatchEventStream(hub.hub_for(svc.db), batch_id, batch, options=options, on_close=on_close)

    return _open_stream(svc, uid, workspace_of(batch), make)


def _open_stream(
    svc: Services,
    uid: str,
    workspace_id: str,
    make: Callable[[sse.StreamOptions, Callable[[], None]], Iterable[bytes]],
) -> Response:
    """Take one of the user's stream slots and one of the workspace's (429 past either cap) and answer the stream
    ``make`` builds; the stream gives both back when it closes."""
    settings = svc.settings
    if not hub.SLOTS.acquire(uid, settings.sse_max_streams_per_user):
        raise TooManyStreams(
            f"{settings.sse_max_streams_per_user} streams are open for this user already; close one or poll "
            "job_output",
            retry_after_s=defaults.SSE_TOO_MANY_RETRY_AFTER_S,
        )
    if not WORKSPACE_SLOTS.acquire(workspace_id, settings.workspace_max_streams):
        hub.SLOTS.release(uid)
        raise access.QuotaExceeded(
            f"{settings.workspace_max_streams} streams are open in workspace {workspace_id!r} already, its quota; "
            "close one or poll job_output",
            retry_after_s=defaults.SSE_TOO_MANY_RETRY_AFTER_S,
        )

    def release() -> None:
        hub.SLOTS.release(uid)
        WORKSPACE_SLOTS.release(workspace_id)

    try:
        options = sse.StreamOptions(
            heartbeat_s=settings.sse_heartbeat_s, max_duration_s=settings.sse_max_duration_s
        )
        body = make(options, release)
    except BaseException:
        release()
        raise
    return body, 200, dict(STREAM_HEADERS)


def _job_output(svc: Services, request: Request) -> Response:
    args = _args(request)
    job_id = _job_id(args)
    uid = _caller(svc, request, args)
    after_line = _number(args, "after_line", 0, 0)
    limit = _number(args, "limit", defaults.JOB_OUTPUT_LIMIT, 1, defaults.JOB_OUTPUT_MAX_LIMIT)
    job, _workspace = _readable_job(svc, uid, job_id)
    attempt = _attempt(args, job)
    assert after_line is not None and limit is not None
    payload = pages.page(svc.db, job_id, job, attempt, after_line, limit)
    return json.dumps(payload, ensure_ascii=False, default=sse._json_default), 200, dict(JSON_HEADERS)


def events(request: Request) -> Response:
    """``GET /events?job_id=…`` or ``?batch_id=…`` → ``text/event-stream`` (see ``streams.sse``)."""
    return _serve(request, _events)


def job_output(request: Request) -> Response:
    """``GET /job_output?job_id=…&after_line=N&limit=M`` → ``{attempt, lines, next_line, complete}``."""
    return _serve(request, _job_output)
