"""What the CLI does with jobs: submit, read, list, follow, cancel and retry, on a connected ``Stack``."""

from __future__ import annotations

import logging
import threading
from typing import Any

from google.api_core import exceptions as google_exceptions
from tailrun_functions.schema import CHUNKS, JOBS
from tailrun_functions.states import TERMINAL, JobStatus

from tailrun.cli.client import Stack
from tailrun.cli.follow import (
    Display,
    Follower,
    JobWatch,
    LineAssembler,
    chunk_lines,
    show_everything,
)
from tailrun.errors import JobNotFound, TailrunError

logger = logging.getLogger(__name__)


def check_job_id(job_id: str) -> str:
    """A job id as Firestore can name a document, or an error that says why not."""
    if not job_id or "/" in job_id or job_id in (".", "..") or len(job_id.encode()) > 1500:
        raise TailrunError(f"{job_id!r} is not a job id. List your jobs with `tailrun jobs`.")
    return job_id


def submit(stack: Stack, spec: dict[str, Any]) -> str:
    """Create a job through ``create_job``; its id."""
    answer = stack.call("create_job", spec)
    job_id = answer.get("job_id")
    if not isinstance(job_id, str):
        raise TailrunError(f"create_job answered without a job id: {answer!r}.")
    return job_id


def get_job(stack: Stack, job_id: str) -> dict[str, Any]:
    """The job document (with its ``id``), or ``JobNotFound``."""
    try:
        snapshot = stack.firestore.collection(JOBS).document(check_job_id(job_id)).get()
    except google_exceptions.PermissionDenied:
        raise JobNotFound(job_id) from None
    if not snapshot.exists:
        raise JobNotFound(job_id)
    return {"id": snapshot.id, **(snapshot.to_dict() or {})}


def list_jobs(stack: Stack, *, limit: int, status: str | None = None) -> list[dict[str, Any]]:
    """The user's most recent jobs, newest first (only those with ``status``, if given)."""
    if status is not None and status not in set(JobStatus):
        raise TailrunError(f"--status must be one of {', '.join(JobStatus)}, got {status!r}.")
    if limit < 1:
        raise TailrunError(f"--limit must be at least 1, got {limit}.")
    from google.cloud.firestore import Query
    from google.cloud.firestore_v1.base_query import FieldFilter

    query = stack.firestore.collection(JOBS).where(filter=FieldFilter("owner", "==", stack.config.owner))
    if status:
        query = query.where(filter=FieldFilter("status", "==", status))
    query = query.order_by("created_at", direction=Query.DESCENDING).limit(limit)
    return [{"id": snapshot.id, **(snapshot.to_dict() or {})} for snapshot in query.stream()]


def read_output(stack: Stack, job_id: str, attempt: int, display: Display) -> None:
    """Show the stored output of one attempt, in line order, reporting holes."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    chunks = (
        stack.firestore.collection(JOBS)
        .document(job_id)
        .collection(CHUNKS)
        .where(filter=FieldFilter("attempt", "==", attempt))
        .stream()
    )
    assembler = LineAssembler()
    for chunk in chunks:
        assembler.add(chunk_lines(chunk.to_dict() or {}))
    show_everything(assembler, attempt, display)


def follow(
    stack: Stack, job_id: str, follower: Follower, interrupted: threading.Event | None = None
) -> dict[str, Any]:
    """Show a job live until it has ended and all its output is shown; the final job document.

    A follower that was interrupted can be passed again: it goes on where it stopped, showing no line twice.
    """
    watch = JobWatch(stack.firestore, job_id)
    watch.start()
    try:
        job = follower.run(watch, interrupted=interrupted)
    finally:
        watch.stop()
    if job is None:
        raise JobNotFound(job_id)
    return {"id": job_id, **job}


def cancel(stack: Stack, job_id: str) -> dict[str, Any]:
    """Ask ``cancel_job`` to end a job; its answer. An ended job is an error that says how it ended."""
    job = get_job(stack, job_id)
    if job.get("status") in TERMINAL:
        raise TailrunError(f"Job {job_id} has already ended ({job['status']}); there is nothing to cancel.")
    return stack.call("cancel_job", {"job_id": job_id})


def retry(stack: Stack, job_id: str) -> str:
    """Ask ``retry_job`` to run a job again; the id of the new job (which may be the same job, on a new attempt)."""
    get_job(stack, job_id)
    answer = stack.call("retry_job", {"job_id": job_id})
    new_id = answer.get("job_id", job_id)
    return str(new_id)
