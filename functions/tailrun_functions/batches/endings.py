"""What a batch's job writes to its batch when its status changes, inside the transaction that changes it.

Imported by ``attempts`` (an attempt's ending), ``jobs`` (a cancel) and ``callbacks`` (``started``), so it imports
none of them. A job of a batch carries ``batch_id``, ``row`` and ``batch_slot`` (the slot it holds from its start
transaction until its terminal transition, ``scheduler``). Its terminal transition, in the same transaction:

- writes its row's result (``status``, ``exit_code``, ``duration_s``, ``attempts``, ``error``, ``result``): so the
  rows are always exactly the jobs' statuses, and the batch's counts, recomputed from the rows, are exact;
- counts the ending on the row (``runs_finished`` unless canceled, ``runs_failed`` when failed or timed out: what
  the failure guard sums; a retried row keeps counting).

Its slot is freed by that same status: a slot is held while the job it names has not ended (``scheduler``), so
the slot document is written once per job, when it is taken, and never by the ending.

The caller then fills the free slots (``scheduler.after_job_ended``), after its commit.
"""

from __future__ import annotations

from typing import Any

from google.cloud import firestore

from tailrun_functions import clock, store
from tailrun_functions.batches import FAILED_ROWS, RowStatus
from tailrun_functions.batches.refs import row_ref
from tailrun_functions.states import JobStatus


def job_ended(
    t: firestore.Transaction,
    db: firestore.Client,
    job: dict[str, Any],
    status: JobStatus,
    error: dict[str, str] | None,
    job_fields: dict[str, Any] | None = None,
    attempt_fields: dict[str, Any] | None = None,
) -> str | None:
    """Record a batch job's terminal status on its row (which frees its slot); returns the batch's id (None for a job
    of no batch, which writes nothing)."""
    batch_id = job.get("batch_id")
    if not batch_id or not status.terminal:
        return None
    now = clock.now()
    fields = {**job, **(job_fields or {})}
    duration_ms = (attempt_fields or {}).get("duration_ms")
    started = store.when(job.get("attempt_started_at"))
    if isinstance(duration_ms, int | float):
        duration_s: float | None = duration_ms / 1000
    elif started is not None:
        duration_s = (now - started).total_seconds()
    else:
        duration_s = None
    exit_code = fields.get("exit_code")
    t.update(
        row_ref(db, batch_id, int(job["row"])),
        {
            "status": status.value,
            "exit_code": exit_code if isinstance(exit_code, int) else None,
            "duration_s": duration_s,
            "attempts": int(job.get("attempt", 1)),
            "error": error,
            "result": fields.get("result"),
            "ended_at": now,
            "updated_at": now,
            "runs_finished": firestore.Increment(0 if status is JobStatus.CANCELED else 1),
            "runs_failed": firestore.Increment(1 if RowStatus(status.value) in FAILED_ROWS else 0),
        },
    )
    return str(batch_id)


def job_running(t: firestore.Transaction, db: firestore.Client, job: dict[str, Any]) -> None:
    """A batch job's runner reported ``started``: its row says ``running``."""
    batch_id = job.get("batch_id")
    if batch_id:
        now = clock.now()
        t.update(
            row_ref(db, batch_id, int(job["row"])),
            {"status": RowStatus.RUNNING.value, "started_at": now, "updated_at": now},
        )
