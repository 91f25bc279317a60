"""reap_sandboxes: keep every active job's status true when runners crash, hang or go silent (invariant 6).

One pass lists the active jobs, diagnoses each from its job document, and applies each verdict in a transaction
that re-reads the job and diagnoses again: two reapers at once (or twice in a row) act on a job once, because the
second finds it already changed. Verdicts:

- ``overdue``: running longer than its ``timeout_s`` plus ``reap_limit_margin_s`` → timed_out.
- ``idle``: running with no output and no progress for its ``idle_timeout_s`` plus ``reap_limit_margin_s`` →
  timed_out. (Runner heartbeats do not count: they prove the runner lives, not that the job does anything — a
  hung job still heartbeats.) The runner enforces both limits itself (``TAILRUN_TIMEOUT_S``,
  ``TAILRUN_IDLE_TIMEOUT_S``) and reports ``completed`` with reason ``timeout``/``idle_timeout``; the margin (the
  runner's kill grace plus delivery time, ``defaults.REAP_LIMIT_MARGIN_S``) lets it win that race, so the reaper
  only ends the attempts of runners that died or hang.
- ``lost``: running with no message at all (heartbeat or other) for ``heartbeat_timeout_s`` → failed.
- ``stuck``: booting without ``started`` for ``boot_timeout_s`` → failed.
- ``unlaunched``: queued with its attempt never launched for ``queued_timeout_s`` (its launcher died) → failed.
- ``due``: queued, waiting for its next attempt, and the backoff is over → the next attempt is launched.
- ``sandbox_ended``: booting or running, silent for ``SANDBOX_CHECK_AFTER_S``, and the launcher says its sandbox
  is over (a Cloud Run execution with ``completion_time`` set) without ``completed`` → failed, without waiting
  for the heartbeat or boot timeout. Only silent attempts are asked about: one API call per quiet attempt.

Failures start the next attempt when the spec allows more; every ended sandbox is stopped through the launcher.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from tailrun_functions import attempts, clock, defaults, schema, store
from tailrun_functions.documents import JobDoc
from tailrun_functions.services import Services
from tailrun_functions.settings import Settings
from tailrun_functions.states import ACTIVE, JobStatus

logger = logging.getLogger(__name__)


class VerdictKind(StrEnum):
    """What the reaper finds wrong with an active job (the module's list)."""

    OVERDUE = "overdue"
    IDLE = "idle"
    LOST = "lost"
    STUCK = "stuck"
    UNLAUNCHED = "unlaunched"
    DUE = "due"
    SANDBOX_ENDED = "sandbox_ended"


# The verdicts that end the attempt with a status, an error code and a sentence (templated from the spec and the
# settings); ``due`` and ``sandbox_ended`` are acted on in ``_apply``.
ENDINGS = {
    VerdictKind.OVERDUE: (JobStatus.TIMED_OUT, "timeout", "ran longer than its timeout of {timeout_s} s"),
    VerdictKind.IDLE: (
        JobStatus.TIMED_OUT,
        "idle_timeout",
        "printed nothing for its idle timeout of {idle_timeout_s} s",
    ),
    VerdictKind.LOST: (
        JobStatus.FAILED,
        "lost",
        "its runner stopped reporting (no heartbeat for {heartbeat_timeout_s:g} s)",
    ),
    VerdictKind.STUCK: (
        JobStatus.FAILED,
        "boot_timeout",
        "its sandbox did not start within {boot_timeout_s:g} s",
    ),
    VerdictKind.UNLAUNCHED: (
        JobStatus.FAILED,
        "launch_lost",
        "its sandbox was never launched within {queued_timeout_s:g} s",
    ),
}


@dataclass(frozen=True)
class Verdict:
    job_id: str
    attempt: int
    kind: VerdictKind
    detail: str = ""  # for ``sandbox_ended``: how the launcher says the sandbox ended


def _age(job: Mapping[str, object], *fields: str) -> float:
    """Seconds since the latest of the named timestamps (infinity if none is set)."""
    moments = [store.when(job.get(name)) for name in fields]
    latest = max((m for m in moments if m is not None), default=None)
    return clock.seconds_since(latest)


def diagnose(job: JobDoc, settings: Settings) -> VerdictKind | None:
    """The reaper's verdict on one job document, or None when it is fine."""
    status, spec = JobStatus(job["status"]), job["spec"]
    if status is JobStatus.RUNNING:
        margin = settings.reap_limit_margin_s
        if _age(job, "attempt_started_at") > spec["timeout_s"] + margin:
            return VerdictKind.OVERDUE
        if _age(job, "last_heartbeat_at", "attempt_started_at") > settings.heartbeat_timeout_s:
            return VerdictKind.LOST
        if _age(job, "last_output_at", "progress_at", "attempt_started_at") > spec["idle_timeout_s"] + margin:
            return VerdictKind.IDLE
    elif status is JobStatus.BOOTING:
        if _age(job, "launched_at", "attempt_created_at") > settings.boot_timeout_s:
            return VerdictKind.STUCK
    elif status is JobStatus.QUEUED:
        due = store.when(job.get("next_attempt_at"))
        if due is not None:
            return VerdictKind.DUE if due <= clock.now() else None
        if _age(job, "attempt_created_at") > settings.queued_timeout_s:
            return VerdictKind.UNLAUNCHED
    return None


def _ending(kind: VerdictKind, job: JobDoc, settings: Settings) -> attempts.Ending:
    status, code, template = ENDINGS[kind]
    values = {**job["spec"], **vars(settings)}
    return attempts.Ending(status, code, f"the job {template.format(**values)}")


def _apply(svc: Services, verdict: Verdict) -> dict[str, Any] | None:
    """Act on one verdict, re-checked against a fresh read inside the transaction."""
    if verdict.kind is VerdictKind.DUE:
        request = attempts.start_next_attempt(svc, verdict.job_id, verdict.attempt)
        if request is None:
            return None
        status = attempts.launch(svc, request)
        return {
            "job_id": verdict.job_id,
            "action": "relaunched",
            "attempt": request.attempt,
            "status": status.value,
        }

    if verdict.kind is VerdictKind.SANDBOX_ENDED:
        ending = attempts.Ending(
            JobStatus.FAILED, "sandbox_ended", f"the job's runner is gone: {verdict.detail}"
        )
        after = attempts.end_dead_sandbox(svc, verdict.job_id, verdict.attempt, ending)
        if after is None:
            return None
        return {
            "job_id": verdict.job_id,
            "action": verdict.kind,
            "attempt": verdict.attempt,
            "status": after.value,
        }

    def still(job: JobDoc) -> attempts.Ending | None:
        return (
            _ending(verdict.kind, job, svc.settings) if diagnose(job, svc.settings) == verdict.kind else None
        )

    outcome = attempts.end_attempt(svc, verdict.job_id, verdict.attempt, still)
    if outcome is None:
        return None
    if outcome.launch:
        svc.launcher.cancel(outcome.launch)
    status = attempts.continue_after(svc, verdict.job_id, verdict.attempt, outcome)
    return {
        "job_id": verdict.job_id,
        "action": verdict.kind,
        "attempt": verdict.attempt,
        "status": status.value,
    }


def _apply_safely(svc: Services, verdict: Verdict) -> dict[str, Any] | None:
    """One job's failure (a contended transaction, a launcher error) must not stop the reaper for the others."""
    try:
        return _apply(svc, verdict)
    except Exception as exc:
        logger.exception("reaper: acting on job %s (%s) failed", verdict.job_id, verdict.kind)
        return {
            "job_id": verdict.job_id,
            "action": verdict.kind,
            "attempt": verdict.attempt,
            "error": str(exc),
        }


def _sandbox_ended(svc: Services, job_id: str, job: JobDoc) -> str | None:
    """How a silent booting or running attempt's sandbox ended, if the launcher says it has; else None.

    A launcher error (the Cloud Run API down) is logged and counts as "not known": the timeouts still apply."""
    if JobStatus(job["status"]) not in (JobStatus.BOOTING, JobStatus.RUNNING):
        return None
    if _age(job, "last_heartbeat_at", "attempt_started_at", "launched_at") < defaults.SANDBOX_CHECK_AFTER_S:
        return None
    attempt = int(job["attempt"])
    launch = store.data(store.attempt_ref(svc.db, job_id, attempt).get()).get("launch")
    if not launch:
        return None
    try:
        return svc.launcher.ended(launch)
    except Exception:
        logger.exception("reaper: could not ask whether job %s attempt %d's sandbox runs", job_id, attempt)
        return None


def find(svc: Services) -> list[Verdict]:
    """Every active job that needs the reaper, paged so one pass reads at most what exists."""
    active = FieldFilter("status", "in", sorted(s.value for s in ACTIVE))
    query = (
        svc.db.collection(schema.JOBS).where(filter=active).order_by("__name__").limit(defaults.REAP_BATCH)
    )
    verdicts: list[Verdict] = []
    last = None
    while True:
        page = list((query.start_after(last) if last is not None else query).stream())
        for snapshot in page:
            job = store.job_doc(snapshot)
            kind = diagnose(job, svc.settings)
            if kind is not None:
                verdicts.append(Verdict(snapshot.id, int(job["attempt"]), kind))
            elif (detail := _sandbox_ended(svc, snapshot.id, job)) is not None:
                verdicts.append(Verdict(snapshot.id, int(job["attempt"]), VerdictKind.SANDBOX_ENDED, detail))
        if len(page) < defaults.REAP_BATCH:
            return verdicts
        last = page[-1]


def reap(svc: Services, *, dry_run: bool = False) -> dict[str, Any]:
    """One reaper pass; answers what it found and what it did."""
    started = clock.now()
    verdicts = find(svc)
    actions = [] if dry_run else [a for a in (_apply_safely(svc, v) for v in verdicts) if a is not None]
    if (
        not dry_run
    ):  # the batches' backstop: free slots filled, stale stats recomputed (batches.scheduler.sweep)
        from tailrun_functions.batches import scheduler  # it creates jobs: imported late

        actions.extend(scheduler.sweep(svc))
    for action in actions:
        if "batch_id" in action:
            logger.info("reaper: batch %s %s: %s", action["batch_id"], action["action"], action)
            continue
        logger.info(
            "reaper: job %s attempt %s %s → %s",
            action["job_id"],
            action["attempt"],
            action["action"],
            action.get("status", action.get("error")),
        )
    return {
        "checked_at": started.isoformat(),
        "found": [{"job_id": v.job_id, "attempt": v.attempt, "verdict": v.kind} for v in verdicts],
        "actions": actions,
        "dry_run": dry_run,
        "took_ms": int((clock.now() - started) / dt.timedelta(milliseconds=1)),
    }
