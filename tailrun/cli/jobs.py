"""What the CLI does with jobs: submit, read, list, follow, cancel and retry, on a connected ``Stack``.

Submitting, canceling and retrying are calls to the functions; reading is Firestore. The Firestore library (and
the follower, which needs it) is imported inside the functions that read, so that `tailrun run --detach`,
`cancel` and `retry` start in a fraction of the time (``tailrun.cli.client``).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tailrun_functions.schema import ARTIFACTS, ATTEMPTS, CHUNKS, JOBS
from tailrun_functions.states import TERMINAL, JobStatus

from tailrun.cli.client import Stack
from tailrun.errors import JobNotFound, RequestRefused, TailrunError

if TYPE_CHECKING:
    from tailrun.cli.follow import Display, Expected, Follower

logger = logging.getLogger(__name__)

JOB_ID = re.compile(
    r"^[A-Za-z0-9_-]{1,64}$"
)  # what the functions accept as a job id (ids are 32 hex characters)
PAGE_SIZE = 100  # jobs read per Firestore query while `tailrun jobs` filters by more labels than one


def check_job_id(job_id: str) -> str:
    """A job id as Firestore can name a document, or an error that says why not."""
    if not JOB_ID.match(job_id):
        raise TailrunError(f"{job_id!r} is not a job id. List your jobs with `tailrun jobs`.")
    return job_id


def submit(stack: Stack, spec: dict[str, Any]) -> str:
    """Create a job through ``create_job``; its id."""
    answer = stack.call("create_job", spec)
    job_id = answer.get("job_id")
    if not isinstance(job_id, str):
        raise TailrunError(
            "The stack accepted the job but did not say its id; see `tailrun jobs`.",
            detail=f"create_job answered {answer!r}",
        )
    return job_id


def get_job(stack: Stack, job_id: str) -> dict[str, Any]:
    """The job document (with its ``id``), or ``JobNotFound``."""
    from google.api_core import exceptions as google_exceptions

    try:
        snapshot = stack.firestore.collection(JOBS).document(check_job_id(job_id)).get()
    except google_exceptions.PermissionDenied:  # another workspace's job: told as a missing one
        raise JobNotFound(job_id) from None
    if not snapshot.exists:
        raise JobNotFound(job_id)
    return {"id": snapshot.id, **(snapshot.to_dict() or {})}


def label_pair(value: str) -> str:
    """A ``--label`` filter as the job documents store it in ``label_pairs`` (``key=value``)."""
    key, sep, _ = value.partition("=")
    if not sep or not key:
        raise TailrunError(f"--label takes KEY=VALUE, got {value!r}.")
    return value


@dataclass(frozen=True)
class JobFilter:
    """Which jobs `tailrun jobs` lists: all of a workspace's (``workspace_id``, else the current one), or only
    those with a status and every label."""

    status: str | None = None
    labels: tuple[str, ...] = ()
    workspace_id: str | None = None

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in set(JobStatus):
            raise TailrunError(f"--status must be one of {', '.join(JobStatus)}, got {self.status!r}.")
        for pair in self.labels:
            label_pair(pair)

    def matches(self, job: dict[str, Any]) -> bool:
        """Whether a job has every label (the query filters by the first one only: Firestore takes one
        ``array_contains`` per query)."""
        pairs = job.get("label_pairs")
        if not isinstance(pairs, list):
            labels = (job.get("spec") or {}).get("labels") or {}
            pairs = [f"{key}={value}" for key, value in labels.items()]
        return all(pair in pairs for pair in self.labels)


@dataclass(frozen=True)
class JobPage:
    """One page of `tailrun jobs`: the jobs, newest first, and the id to continue after (None: no more)."""

    jobs: list[dict[str, Any]]
    after: str | None


def list_jobs(stack: Stack, *, limit: int, which: JobFilter, after: str | None = None) -> JobPage:
    """Up to ``limit`` of the workspace's jobs that ``which`` selects, newest first, starting after the job
    ``after``.

    Each Firestore query reads one bounded page (``workspace_id``, the constraint the security rules need, then ``status`` and the first label, ordered by
    ``created_at`` desc, the composite indexes of ``infra/firestore.indexes.json``) and continues with
    ``start_after`` the last job read, never one unbounded read.
    """
    if limit < 1:
        raise TailrunError(f"--limit must be at least 1, got {limit}.")
    found: list[dict[str, Any]] = []
    cursor = _cursor(stack, after) if after else None
    page_size = limit + 1 if len(which.labels) < 2 else max(limit + 1, PAGE_SIZE)
    while True:
        page = _read_page(stack, which, cursor, page_size)
        for snapshot in page:
            job = {"id": snapshot.id, **(snapshot.to_dict() or {})}
            if which.matches(job):
                if len(found) == limit:
                    return JobPage(found, found[-1]["id"])
                found.append(job)
            cursor = snapshot
        if len(page) < page_size:
            return JobPage(found, None)


def _cursor(stack: Stack, after: str) -> Any:
    """The snapshot of the job a page continues after (``--after ID``)."""
    snapshot = stack.firestore.collection(JOBS).document(check_job_id(after)).get()
    if not snapshot.exists:
        raise JobNotFound(after)
    return snapshot


def _read_page(stack: Stack, which: JobFilter, cursor: Any, size: int) -> list[Any]:
    from google.cloud.firestore import Query
    from google.cloud.firestore_v1.base_query import FieldFilter

    from tailrun.cli import workspaces

    workspace_id = workspaces.current(stack, which.workspace_id)
    query = stack.firestore.collection(JOBS).where(filter=FieldFilter("workspace_id", "==", workspace_id))
    if which.status:
        query = query.where(filter=FieldFilter("status", "==", which.status))
    if which.labels:
        query = query.where(filter=FieldFilter("label_pairs", "array_contains", which.labels[0]))
    query = query.order_by("created_at", direction=Query.DESCENDING)
    if cursor is not None:
        query = query.start_after(cursor)
    return list(query.limit(size).stream())


def all_jobs(
    stack: Stack, *, page_size: int, which: JobFilter, after: str | None = None
) -> Iterator[list[dict[str, Any]]]:
    """Every job ``which`` selects (after the job ``after``, if given), newest first, a page at a time
    (`tailrun jobs --all`)."""
    while True:
        page = list_jobs(stack, limit=page_size, which=which, after=after)
        if page.jobs:
            yield page.jobs
        if page.after is None:
            return
        after = page.after


def attempt_count(job: dict[str, Any]) -> int:
    """How many attempts a job has had (its current attempt's number)."""
    return int(job.get("attempt") or 1)


def check_attempt(job: dict[str, Any], attempt: int) -> int:
    """``attempt`` if the job has it, else an error that says how many it has."""
    count = attempt_count(job)
    if not 1 <= attempt <= count:
        has = f"{count} attempt" + ("" if count == 1 else "s")
        which = "--attempt 1" if count == 1 else f"--attempt 1 to {count}"
        raise TailrunError(f"Job {job['id']} has {has}, so there is no attempt {attempt}; ask for {which}.")
    return attempt


def read_output(
    stack: Stack, job_id: str, attempt: int, display: Display, expected: Expected | None = None
) -> None:
    """Show the stored output of one attempt (its lines and events, in their order), reporting holes, and, when
    ``expected`` says how many of each the attempt stored, the ones missing at its end."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    from tailrun.cli.follow import LineAssembler, show_everything

    chunks = (
        stack.firestore.collection(JOBS)
        .document(job_id)
        .collection(CHUNKS)
        .where(filter=FieldFilter("attempt", "==", attempt))
        .stream()
    )
    assembler = LineAssembler()
    for chunk in chunks:
        assembler.add_chunk(chunk.to_dict() or {})
    show_everything(assembler, attempt, display)
    if expected is not None and expected.lines is not None and assembler.next_line < expected.lines:
        display.gap(attempt, assembler.next_line, expected.lines)
    if expected is not None and expected.events is not None and assembler.next_event < expected.events:
        display.event_gap(attempt, assembler.next_event, expected.events)


def follow(
    stack: Stack, job_id: str, follower: Follower, interrupted: threading.Event | None = None
) -> dict[str, Any]:
    """Show a job live until it has ended and all its output is shown; the final job document.

    A follower that was interrupted can be passed again: it goes on where it stopped, showing no line twice.
    """
    from tailrun.cli.follow import JobWatch

    watch = JobWatch(stack.firestore, job_id)
    watch.start()
    try:
        job = follower.run(watch, interrupted=interrupted)
    finally:
        watch.stop()
    if job is None:
        raise JobNotFound(job_id)
    return {"id": job_id, **job}


def attempts(stack: Stack, job_id: str) -> list[dict[str, Any]]:
    """The job's attempt documents, first attempt first."""
    collection = stack.firestore.collection(JOBS).document(job_id).collection(ATTEMPTS)
    found = [snapshot.to_dict() or {} for snapshot in collection.stream()]
    return sorted(found, key=lambda attempt: int(attempt.get("attempt") or 0))


def artifacts(stack: Stack, job_id: str) -> list[dict[str, Any]]:
    """The job's artifacts (with their ``artifact_id``), oldest first."""
    collection = stack.firestore.collection(JOBS).document(job_id).collection(ARTIFACTS)
    found = [{"artifact_id": snapshot.id, **(snapshot.to_dict() or {})} for snapshot in collection.stream()]
    return sorted(
        found, key=lambda artifact: (str(artifact.get("created_at", "")), str(artifact.get("name", "")))
    )


def failed_uploads(attempt_documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The files the job's runners could not upload (``artifact_errors`` of each attempt), with their attempt."""
    return [
        {"attempt": attempt.get("attempt"), **error}
        for attempt in attempt_documents
        for error in attempt.get("artifact_errors") or []
    ]


@dataclass(frozen=True)
class Cancellation:
    """What `tailrun cancel` did: canceled the job, or found it ended already (``ended``: its document)."""

    job_id: str
    ended: dict[str, Any] | None = None


def cancel(stack: Stack, job_id: str) -> Cancellation:
    """Ask ``cancel_job`` to end a job. A job that has ended already is not an error: its document says how."""
    try:
        stack.call("cancel_job", {"job_id": check_job_id(job_id)})
    except RequestRefused as refused:
        if refused.code != "job_ended":
            raise
        job = get_job(stack, job_id)  # only now is Firestore worth its import: to say how the job ended
        if job.get("status") not in TERMINAL:
            raise
        return Cancellation(job_id, ended=job)
    return Cancellation(job_id)


def retry(stack: Stack, job_id: str) -> str:
    """Ask ``retry_job`` to run a job again; the id of the new job."""
    answer = stack.call("retry_job", {"job_id": check_job_id(job_id)})
    return str(answer.get("job_id", job_id))
