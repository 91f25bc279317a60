"""The typed shapes of the server's documents that the functions read back, and the states they hold.

``functions/DATA_MODEL.md`` describes every field and who may read it; these are the same fields as types, so a
reader says ``doc["state"]`` against a declared key instead of guessing at a ``dict[str, Any]``. Firestore hands
back plain dicts: ``store.data`` reads a snapshot and the callers ``cast`` it to the shape of its collection.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal, TypedDict


class JobSpec(TypedDict, total=False):
    """``jobs/{job_id}.spec``: what was asked (the fields the functions read back)."""

    argv: list[str]
    prompt: str
    agent: str
    timeout_s: int
    idle_timeout_s: int
    max_attempts: int
    labels: dict[str, str]
    artifacts: list[str]
    env_keys: list[str]


class JobDoc(TypedDict, total=False):
    """``jobs/{job_id}`` (client-readable): the job's status and its current attempt's milestones."""

    owner: str
    status: str  # a JobStatus value
    spec: JobSpec
    argv: list[str]
    attempt: int
    created_at: dt.datetime
    updated_at: dt.datetime
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    attempt_created_at: dt.datetime | None
    launched_at: dt.datetime | None
    attempt_started_at: dt.datetime | None
    last_output_at: dt.datetime | None
    last_heartbeat_at: dt.datetime | None
    progress_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    parent_job_id: str | None


class TokenState(StrEnum):
    """An attempt's token (``attempt_tokens/{job_id}-{attempt}``): ``live`` → ``completed`` (its ``completed``
    arrived) | ``ended`` (the server ended it; messages are still accepted until ``accept_until``, so the runner
    can deliver what the process printed) | ``superseded`` (a newer attempt exists)."""

    LIVE = "live"
    COMPLETED = "completed"
    ENDED = "ended"
    SUPERSEDED = "superseded"


class TailLine(TypedDict):
    line: int
    stream: str
    text: str


class Progress(TypedDict):
    percent: float
    step: str


class TokenDoc(TypedDict, total=False):
    """``attempt_tokens/{job_id}-{attempt:04d}`` (server-only): the token's hash and the callback bookkeeping."""

    job_id: str
    attempt: int
    owner: str
    token_hash: str
    created_at: dt.datetime
    expires_at: dt.datetime
    state: TokenState
    accept_until: dt.datetime | None
    claimed_at: dt.datetime | None
    completed_seq: int | None
    progress_seq: int
    job_written_at: dt.datetime | None
    pending_progress: Progress | None
    # only read (output may wait) for tokens written before flushed_seq existed; reset at a flush
    output_pending: bool
    # the highest seq whose callback wrote the job document (a gap after it: output may wait)
    flushed_seq: int
    tail: list[TailLine]
    state_events: (
        int  # ``state.events`` last written to the job document (-1: none): an older state never wins
    )


class ReviewState(StrEnum):
    """An artifact's review: ``pending`` → ``approved`` | ``rejected``, both final."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Review(TypedDict):
    state: ReviewState
    reviewer: str | None
    note: str | None
    at: dt.datetime | None


ScopeKind = Literal["job", "user"]


class UploadRecord(TypedDict):
    """``artifact_uploads/{artifact_id}`` (server-only): what an upload promised, until it is finalized."""

    scope: ScopeKind
    key: str  # the job id or the uid
    owner: str
    uploaded_by: str
    attempt: int | None
    name: str
    content_type: str
    size: int
    md5: str | None
    incoming: str
    path: str
    inline: bool
    created_at: dt.datetime
    expires_at: dt.datetime
    purge_at: dt.datetime


class ArtifactDoc(TypedDict):
    """``jobs/{job_id}/artifacts/{artifact_id}`` or ``users/{uid}/artifacts/{artifact_id}``: a finalized file."""

    artifact_id: str
    name: str
    path: str
    size: int
    content_type: str
    md5: str | None
    crc32c: str | None
    generation: int | None
    uploaded_by: str
    attempt: int | None
    job_id: str | None
    owner: str
    created_at: dt.datetime
    review: Review
