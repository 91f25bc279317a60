"""Attempts: create one (with its token), launch it, end it, and start the next one after a backoff.

An attempt is ``jobs/{id}/attempts/{n}`` (client-readable) plus ``attempt_tokens/{id}-{n}`` (server-only: the
token's hash and the callback bookkeeping). Whoever creates attempt n holds its plain token and is the only one
who can launch it; a launch that never happens is found by the reaper (``unlaunched``) and replaced.
Token states: ``documents.TokenState``; what each answers a runner: ``admission.py``.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from google.api_core import exceptions as google_exceptions
from google.cloud import firestore

from tailrun_functions import clock, defaults, store, tokens
from tailrun_functions.batches import endings as batch_endings
from tailrun_functions.documents import JobDoc, TokenState
from tailrun_functions.errors import LaunchError
from tailrun_functions.launcher import LaunchInfo, LaunchRequest, describe_exit
from tailrun_functions.services import Services
from tailrun_functions.settings import Settings
from tailrun_functions.states import JobStatus, check_transition

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Ending:
    """How an attempt ends: the status it gives the job if no attempt follows, and the job's ``error``."""

    status: JobStatus
    code: str
    message: str

    @property
    def retryable(self) -> bool:
        """Only failures earn another attempt; a timeout or a cancel is final."""
        return self.status is JobStatus.FAILED

    def error(self) -> dict[str, str] | None:
        """The job's ``error`` field (None for success)."""
        if self.status is JobStatus.SUCCEEDED:
            return None
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Outcome:
    """What ending an attempt did to the job."""

    status: JobStatus
    next_attempt_at: dt.datetime | None = None
    launch: LaunchInfo | None = None
    batch_id: str | None = (
        None  # the batch whose job ended (terminal): its free slots are filled after the commit
    )


def backoff_s(settings: Settings, attempt: int) -> float:
    """Full-jitter exponential backoff before the attempt after ``attempt``."""
    ceiling = min(settings.retry_backoff_max_s, settings.retry_backoff_s * 2 ** (attempt - 1))
    return random.uniform(0, ceiling)


def attempt_docs(
    t: firestore.Transaction | firestore.WriteBatch,
    db: firestore.Client,
    job_id: str,
    attempt: int,
    *,
    owner: str,
    timeout_s: int,
    settings: Settings,
) -> str:
    """Write the documents of a new attempt (queued) and return its plain token (never stored)."""
    token = tokens.new_token()
    now = clock.now()
    t.create(
        store.attempt_ref(db, job_id, attempt),
        {"attempt": attempt, "status": JobStatus.QUEUED.value, "created_at": now},
    )
    lifetime = timeout_s + settings.boot_timeout_s + settings.queued_timeout_s + defaults.TOKEN_GRACE_S
    t.create(
        store.token_ref(db, job_id, attempt),
        {
            "job_id": job_id,
            "attempt": attempt,
            "owner": owner,
            "token_hash": tokens.hash_token(token),
            "created_at": now,
            "expires_at": now + dt.timedelta(seconds=lifetime),
            "state": TokenState.LIVE.value,
            "accept_until": None,
            "completed_seq": None,
            "progress_seq": -1,
            "job_written_at": None,
            "pending_progress": None,
            "output_pending": False,
            "state_events": -1,
        },
    )
    return token


def fresh_attempt_fields(attempt: int) -> dict[str, Any]:
    """The job fields that describe the current attempt, reset for a new one."""
    return {
        "attempt": attempt,
        "attempt_created_at": clock.now(),
        "launched_at": None,
        "attempt_started_at": None,
        "next_attempt_at": None,
        "lines": 0,
        "last_seq": -1,
        "tail": [],
        "progress": None,
        "progress_at": None,
        **fresh_state_fields(),
        "exit_code": None,
        "signal": None,
        "last_output_at": None,
        "last_heartbeat_at": None,
    }


def fresh_state_fields() -> dict[str, Any]:
    """The job fields of an attempt's latest state (design §4) before it reported any event."""
    return {
        "events": 0,
        "current_step": None,
        "current_url": None,
        "annotations": {"error": 0, "warning": 0, "notice": 0},
        "usage": None,
        "result": None,
    }


def launch_request(
    job_id: str, attempt: int, token: str, job: dict[str, Any], env: dict[str, str], svc: Services
) -> LaunchRequest:
    """What the launcher needs for one attempt, from the job document: its command, env, limits and directory."""
    spec = job["spec"]
    idle = spec.get("idle_timeout_s")
    return LaunchRequest(
        job_id=job_id,
        attempt=attempt,
        token=token,
        argv=tuple(job["argv"]),
        env=env,
        timeout_s=int(spec["timeout_s"]),
        callback_url=svc.settings.callback_url,
        artifacts=tuple(spec.get("artifacts") or ()),
        idle_timeout_s=int(idle) if idle is not None else None,
        tty=bool(spec.get("tty", False)),
        cwd=spec.get("cwd"),
        agent_stream=agent_stream(spec),
    )


def agent_stream(spec: dict[str, Any]) -> str | None:
    """The agent whose JSON stream a prompt job's stdout is (design §5): the spec's agent (or the default one) when
    it is one the runner reads; None for an argv job and for any other agent."""
    if "prompt" not in spec:
        return None
    agent = spec.get("agent") or defaults.AGENT
    return agent if agent in defaults.AGENT_STREAMS else None


def launch(svc: Services, request: LaunchRequest, *, written_at: dt.datetime | None = None) -> JobStatus:
    """Start the sandbox of an attempt and record it; a failed launch ends the attempt (and maybe retries).

    ``written_at``: the update time of the job's and the attempt's documents when one commit just created both
    (``jobs.create_job``); the launch is then recorded by one conditioned commit (``_record_fresh_launch``)."""
    try:
        info = svc.launcher.launch(request)
    except LaunchError as exc:
        logger.warning("launch of job %s attempt %d failed: %s", request.job_id, request.attempt, exc)
        ending = Ending(JobStatus.FAILED, "launch_failed", str(exc))
        outcome = end_attempt(
            svc, request.job_id, request.attempt, lambda job: ending, token_state=TokenState.SUPERSEDED
        )
        return continue_after(svc, request.job_id, request.attempt, outcome)
    fresh = written_at is not None and _record_fresh_launch(svc, request, info, written_at)
    if not fresh and not _record_launch(svc, request.job_id, request.attempt, info):
        logger.info("job %s moved on while attempt %d launched; stopping it", request.job_id, request.attempt)
        svc.launcher.cancel(info)
    return JobStatus.BOOTING


def _record_fresh_launch(
    svc: Services, request: LaunchRequest, info: LaunchInfo, written_at: dt.datetime
) -> bool:
    """queued → booting with the launch record, in one commit (no read, no transaction) conditioned on the job's
    and the attempt's documents being unchanged since ``written_at``, when they were created queued. False when
    either changed meanwhile (its runner already reported, or a cancel): ``_record_launch`` then decides."""
    db, now = svc.db, clock.now()
    unchanged = db.write_option(last_update_time=written_at)
    batch = db.batch()
    check_transition(JobStatus.QUEUED, JobStatus.BOOTING)
    booting = {"status": JobStatus.BOOTING.value, "launched_at": now}
    batch.update(store.job_ref(db, request.job_id), {**booting, "updated_at": now}, option=unchanged)
    batch.update(
        store.attempt_ref(db, request.job_id, request.attempt), {**booting, "launch": info}, option=unchanged
    )
    try:
        batch.commit()
    except (google_exceptions.FailedPrecondition, google_exceptions.NotFound):
        return False
    return True


def _record_launch(svc: Services, job_id: str, attempt: int, info: LaunchInfo) -> bool:
    """queued → booting with the launch record; False when the job no longer waits for this attempt."""
    db = svc.db
    job_ref, attempt_ref = store.job_ref(db, job_id), store.attempt_ref(db, job_id, attempt)

    @firestore.transactional
    def record(t: firestore.Transaction) -> bool:
        job, attempt_doc = store.read_all(t, [job_ref, attempt_ref])
        if job.get("attempt") != attempt or JobStatus(job["status"]).terminal:
            return False
        if attempt_doc.get("ended_at") is not None:  # its runner died before the launch was recorded
            return False
        now = clock.now()
        attempt_fields: dict[str, Any] = {"launch": info, "launched_at": now}
        if job["status"] == JobStatus.QUEUED.value:
            check_transition(JobStatus.QUEUED, JobStatus.BOOTING)
            attempt_fields["status"] = JobStatus.BOOTING.value
            t.update(job_ref, {"status": JobStatus.BOOTING.value, "launched_at": now, "updated_at": now})
        t.update(attempt_ref, attempt_fields)
        return True

    return bool(record(db.transaction()))


def end_attempt(
    svc: Services,
    job_id: str,
    attempt: int,
    decide: Callable[[JobDoc], Ending | None],
    *,
    token_state: TokenState = TokenState.ENDED,
) -> Outcome | None:
    """End the job's current attempt from the server side (launch failure, reaper) if ``decide`` still says so.

    ``decide`` sees the job as read inside the transaction; None (or a job that moved on) changes nothing.
    """
    db = svc.db
    job_ref = store.job_ref(db, job_id)

    @firestore.transactional
    def end(t: firestore.Transaction) -> Outcome | None:
        job, attempt_doc = store.read_all(t, [job_ref, store.attempt_ref(db, job_id, attempt)])
        if not job or job.get("attempt") != attempt or JobStatus(job["status"]).terminal:
            return None
        ending = decide(cast(JobDoc, job))
        if ending is None:
            return None
        outcome = apply_ending(t, svc, job_id, job, ending)
        end_token(t, db, job_id, attempt, token_state, svc.settings.drain_s)
        return Outcome(outcome.status, outcome.next_attempt_at, attempt_doc.get("launch"), outcome.batch_id)

    return end(db.transaction())  # type: ignore[no-any-return]


def end_dead_sandbox(svc: Services, job_id: str, attempt: int, ending: Ending) -> JobStatus | None:
    """End an attempt whose sandbox is gone without ``completed`` (its runner exited, its execution finished),
    as the reaper ends a lost attempt: only if it is still the job's current attempt and has not ended, and the
    retry policy applies. Returns the job's status afterwards, or None when nothing was left to end.

    An attempt still queued without a backoff counts (its runner may die before its launch is recorded:
    ``_record_launch`` then refuses the ended attempt); a queued job waiting for its next attempt does not."""

    def still(job: JobDoc) -> Ending | None:
        status = JobStatus(job["status"])
        waiting = status is JobStatus.QUEUED and job.get("next_attempt_at") is None
        return ending if waiting or status in (JobStatus.BOOTING, JobStatus.RUNNING) else None

    outcome = end_attempt(svc, job_id, attempt, still)
    if outcome is None:
        return None
    return continue_after(svc, job_id, attempt, outcome)


def runner_exited(svc: Services, job_id: str, attempt: int, returncode: int) -> None:
    """A local runner exited non-zero (it exits 0 only once ``completed`` is delivered): end its attempt now."""
    reason = f"the runner exited with {describe_exit(returncode)} before completing"
    status = end_dead_sandbox(svc, job_id, attempt, Ending(JobStatus.FAILED, "runner_exited", reason))
    if status is not None:
        logger.info("job %s attempt %d: %s → job %s", job_id, attempt, reason, status.value)


def end_token(
    t: firestore.Transaction,
    db: firestore.Client,
    job_id: str,
    attempt: int,
    state: TokenState,
    drain_s: float,
) -> None:
    """Close an attempt's token: ``ended`` still accepts the runner's last words for ``drain_s`` seconds."""
    fields: dict[str, Any] = {"state": state.value}
    if state is TokenState.ENDED:
        fields["accept_until"] = clock.after(drain_s)
    t.update(store.token_ref(db, job_id, attempt), fields)


def apply_ending(
    t: firestore.Transaction,
    svc: Services,
    job_id: str,
    job: dict[str, Any],
    ending: Ending,
    job_fields: dict[str, Any] | None = None,
    attempt_fields: dict[str, Any] | None = None,
) -> Outcome:
    """Write an attempt's end: the job either waits for its next attempt (queued) or takes the ending's status."""
    db, now = svc.db, clock.now()
    attempt = int(job["attempt"])
    current = JobStatus(job["status"])
    more = ending.retryable and attempt < int(job["spec"]["max_attempts"])
    new_status = JobStatus.QUEUED if more else ending.status
    if current is not new_status:
        check_transition(current, new_status)
    fields: dict[str, Any] = {"status": new_status.value, "error": ending.error(), "updated_at": now}
    next_at = None
    if more:
        next_at = now + dt.timedelta(seconds=backoff_s(svc.settings, attempt))
        fields["next_attempt_at"] = next_at
    else:
        fields["ended_at"] = now
    fields.update(job_fields or {})
    t.update(store.job_ref(db, job_id), fields)
    t.update(
        store.attempt_ref(db, job_id, attempt),
        {"status": ending.status.value, "ended_at": now, "error": ending.error(), **(attempt_fields or {})},
    )
    batch_id = batch_endings.job_ended(
        t, db, job, new_status, ending.error(), job_fields=fields, attempt_fields=attempt_fields
    )
    logger.info(
        "job %s attempt %d ended: %s (%s) → job %s",
        job_id,
        attempt,
        ending.status.value,
        ending.code,
        new_status.value,
    )
    return Outcome(new_status, next_at, batch_id=batch_id)


def start_next_attempt(svc: Services, job_id: str, after_attempt: int) -> LaunchRequest | None:
    """Create attempt ``after_attempt + 1`` when the job waits for it and its backoff is over; else None.

    Also None while the launcher is ``closing`` (the local stack shutting down): nothing is written, so the job
    stays queued with its ``next_attempt_at`` and the reaper of the next stack launches it (``due``)."""
    db = svc.db
    job_ref = store.job_ref(db, job_id)

    if svc.launcher.closing:  # the stack is going away: the job stays queued for the next one's reaper
        logger.info("job %s waits for attempt %d: the launcher is shutting down", job_id, after_attempt + 1)
        return None

    @firestore.transactional
    def create(t: firestore.Transaction) -> LaunchRequest | None:
        job, secrets = store.read_all(t, [job_ref, store.secrets_ref(db, job_id)])
        due = store.when(job.get("next_attempt_at"))
        if job.get("status") != JobStatus.QUEUED.value or job.get("attempt") != after_attempt or due is None:
            return None
        if due > clock.now():
            return None
        attempt = after_attempt + 1
        t.update(store.token_ref(db, job_id, after_attempt), {"state": TokenState.SUPERSEDED.value})
        token = attempt_docs(
            t,
            db,
            job_id,
            attempt,
            owner=job["owner"],
            timeout_s=int(job["spec"]["timeout_s"]),
            settings=svc.settings,
        )
        t.update(job_ref, {**fresh_attempt_fields(attempt), "updated_at": clock.now()})
        return launch_request(job_id, attempt, token, job, dict(secrets.get("env") or {}), svc)

    return create(db.transaction())  # type: ignore[no-any-return]


def continue_after(svc: Services, job_id: str, attempt: int, outcome: Outcome | None) -> JobStatus:
    """After attempt ``attempt`` ended: launch the next one now if its backoff is short, else leave it to the reaper.

    A failed launch of the next attempt comes back here through ``launch``, so this recurses at most
    ``max_attempts`` times.
    """
    if outcome is not None and outcome.batch_id is not None:
        from tailrun_functions.batches import scheduler  # the scheduler creates jobs: imported late

        scheduler.after_job_ended(svc, outcome.batch_id)
    if outcome is None or outcome.status is not JobStatus.QUEUED or outcome.next_attempt_at is None:
        return outcome.status if outcome is not None else JobStatus.QUEUED
    wait = (outcome.next_attempt_at - clock.now()).total_seconds()
    if wait > svc.settings.inline_backoff_max_s or svc.launcher.closing:
        return JobStatus.QUEUED
    if wait > 0:
        svc.sleep(wait)
    request = start_next_attempt(svc, job_id, attempt)
    if request is None:
        return JobStatus.QUEUED
    return launch(svc, request)
