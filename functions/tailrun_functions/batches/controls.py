"""The controls of a running batch, each idempotent and answered with the batch's state.

- pause: ``running`` → ``paused``: no row starts; running jobs finish.
- resume: ``paused`` → ``running`` (``paused_reason`` cleared, the failure guard counts anew from here) and the
  free slots filled; a stopped (or stopping) batch cannot be resumed: 409 ``batch_stopped``.
- stop: → ``stopping`` (→ ``stopped`` once no job of it runs; at once when none does): its queued rows are
  canceled, and its running jobs too (through cancel_job) unless ``cancel_running`` is false.
- set_batch_concurrency: at once; raising fills the new slots now, lowering ends nothing and starts nothing until
  fewer jobs run than the new limit.
- retry_batch: its failed, timed-out and canceled rows are queued again, each to run as a new job linked to the
  old one by ``parent_job_id`` (``retry_of`` on the row until it starts); the guard counts anew; a completed batch
  runs again. 409 ``batch_stopped`` for a stopped one.

A control of a batch that has ended otherwise changes nothing and answers 200. A batch of a workspace the caller
is no member of answers as a missing one: 404 ``batch_not_found``; a viewer, or a member controlling another's
batch, gets 403 ``forbidden`` (admins and the owner control every batch of the workspace).
"""

from __future__ import annotations

import logging
from typing import Any

from google.api_core import exceptions as google_exceptions
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from tailrun_functions import clock, defaults, jobs, store
from tailrun_functions.batches import RETRYABLE_ROWS, BatchStatus, RowStatus, scheduler, stats
from tailrun_functions.batches.refs import batch_ref, rows_of
from tailrun_functions.errors import Conflict, Forbidden, InvalidRequest, NotFound
from tailrun_functions.services import Services
from tailrun_functions.workspaces import access
from tailrun_functions.workspaces.model import Role, can_act_on, workspace_of

logger = logging.getLogger(__name__)


def readable(
    svc: Services, uid: str, batch_id: str, t: firestore.Transaction | None = None
) -> tuple[dict[str, Any], Role]:
    """The batch document and the caller's role in its workspace; a batch of a workspace the caller is no member
    of answers exactly as a missing one (404 ``batch_not_found``)."""
    batch = store.data(batch_ref(svc.db, batch_id).get(transaction=t))
    role = access.readable(svc, uid, batch, NotFound(f"no batch {batch_id!r}", code="batch_not_found"), t)
    return batch, role


def owned(svc: Services, owner: str, batch_id: str, t: firestore.Transaction | None = None) -> dict[str, Any]:
    """The batch document if the caller may control it: an admin or the owner of its workspace, or the member who
    created it (403 ``forbidden`` for other readers; 404 for everyone else)."""
    batch, role = readable(svc, owner, batch_id, t)
    if not can_act_on(role, owner, batch.get("owner")):
        raise Forbidden(
            f"you are {role.value} in workspace {workspace_of(batch)!r}: only admins, the owner, and the member "
            "who created it may control this batch"
        )
    return batch


def answer(svc: Services, batch_id: str, **more: Any) -> dict[str, Any]:
    batch = store.data(batch_ref(svc.db, batch_id).get())
    public = {k: v for k, v in batch.items() if k not in PRIVATE_FIELDS}
    return {"batch": {"batch_id": batch_id, **public}, **more}


PRIVATE_FIELDS: frozenset[str] = frozenset()  # every field of the batch document is its owner's to read


def _change(svc: Services, owner: str, batch_id: str, decide: Any) -> bool:
    """One transaction: ``decide(batch)`` answers the fields to write, or None to change nothing."""
    ref = batch_ref(svc.db, batch_id)

    @firestore.transactional
    def change(t: firestore.Transaction) -> bool:
        batch = owned(svc, owner, batch_id, t)
        fields = decide(batch, t)
        if not fields:
            return False
        t.update(ref, {**fields, "updated_at": clock.now()})
        return True

    return bool(change(svc.db.transaction(max_attempts=defaults.CANCEL_TRANSACTION_ATTEMPTS)))


def _reset_guard(
    t: firestore.Transaction, svc: Services, batch_id: str, batch: dict[str, Any]
) -> dict[str, Any]:
    """The guard's offsets, so that max_failures and max_failure_rate count from now: the rows' counters summed."""
    return {
        "finished_offset": stats.total(svc, batch_id, "runs_finished"),
        "failures_offset": stats.total(svc, batch_id, "runs_failed"),
    }


def pause(svc: Services, owner: str, batch_id: str) -> dict[str, Any]:
    def decide(batch: dict[str, Any], t: firestore.Transaction) -> dict[str, Any] | None:
        if batch["status"] != BatchStatus.RUNNING.value:
            return None
        return {"status": BatchStatus.PAUSED.value, "paused_reason": None}

    if _change(svc, owner, batch_id, decide):
        logger.info("batch %s paused by %s", batch_id, owner)
        stats.touch(svc, batch_id)
    return answer(svc, batch_id)


def resume(svc: Services, owner: str, batch_id: str) -> dict[str, Any]:
    def decide(batch: dict[str, Any], t: firestore.Transaction) -> dict[str, Any] | None:
        status = BatchStatus(batch["status"])
        if status in (BatchStatus.STOPPING, BatchStatus.STOPPED):
            raise Conflict(
                f"batch {batch_id} is {status.value}; a stopped batch cannot be resumed", code="batch_stopped"
            )
        if status is not BatchStatus.PAUSED:
            return None
        return {
            "status": BatchStatus.RUNNING.value,
            "paused_reason": None,
            **_reset_guard(t, svc, batch_id, batch),
        }

    if _change(svc, owner, batch_id, decide):
        logger.info("batch %s resumed by %s", batch_id, owner)
    scheduler.fill(svc, batch_id)
    return answer(svc, batch_id)


def set_concurrency(svc: Services, owner: str, batch_id: str, concurrency: int) -> dict[str, Any]:
    ceiling = svc.settings.batch_max_concurrency
    if not 1 <= concurrency <= ceiling:
        raise InvalidRequest(
            f"concurrency must be between 1 and {ceiling}, got {concurrency}", code="invalid_concurrency"
        )

    def decide(batch: dict[str, Any], t: firestore.Transaction) -> dict[str, Any] | None:
        if int(batch["concurrency"]) == concurrency:
            return None
        slots = max(int(batch.get("slot_count") or 0), concurrency)
        return {"concurrency": concurrency, "slot_count": slots}

    if _change(svc, owner, batch_id, decide):
        logger.info("batch %s: concurrency %d (by %s)", batch_id, concurrency, owner)
    scheduler.fill(svc, batch_id)
    return answer(svc, batch_id)


def _rows_with(svc: Services, batch_id: str, statuses: list[str]) -> list[store.Snapshot]:
    query = (
        rows_of(svc.db, batch_id)
        .where(filter=FieldFilter("status", "in", statuses))
        .order_by("row")
        .limit(defaults.BATCH_EXPORT_PAGE)
    )
    found: list[store.Snapshot] = []
    last = None
    while True:
        page = list((query.start_after(last) if last is not None else query).stream())
        found.extend(page)
        if len(page) < defaults.BATCH_EXPORT_PAGE:
            return found
        last = page[-1]


def _update_rows(svc: Services, snapshots: list[Any], fields_of: Any) -> int:
    """Update each row as ``fields_of(row)`` says, in commits of at most 500, each row only if unchanged since it
    was read (a commit that meets a changed row is redone row by row, skipping those). Returns how many changed."""
    db, step, changed = svc.db, defaults.BATCH_WRITES_PER_COMMIT, 0
    for begin in range(0, len(snapshots), step):
        group = snapshots[begin : begin + step]
        commit = db.batch()
        for snapshot in group:
            commit.update(
                snapshot.reference,
                fields_of(snapshot.to_dict() or {}),
                option=db.write_option(last_update_time=snapshot.update_time),
            )
        try:
            commit.commit()
            changed += len(group)
        except (google_exceptions.FailedPrecondition, google_exceptions.NotFound):
            for snapshot in group:
                try:
                    snapshot.reference.update(
                        fields_of(snapshot.to_dict() or {}),
                        option=db.write_option(last_update_time=snapshot.update_time),
                    )
                    changed += 1
                except (google_exceptions.FailedPrecondition, google_exceptions.NotFound):
                    continue
    return changed


def stop(
    svc: Services, owner: str, batch_id: str, reason: str | None, cancel_running: bool
) -> dict[str, Any]:
    def decide(batch: dict[str, Any], t: firestore.Transaction) -> dict[str, Any] | None:
        if batch["status"] not in (BatchStatus.RUNNING.value, BatchStatus.PAUSED.value):
            return None
        return {
            "status": BatchStatus.STOPPING.value,
            "stopped_reason": reason or f"stopped by {owner}",
            "paused_reason": None,
        }

    _change(svc, owner, batch_id, decide)
    batch = owned(svc, owner, batch_id)
    if batch["status"] in (BatchStatus.STOPPING.value, BatchStatus.STOPPED.value):
        now = clock.now()
        queued = _rows_with(svc, batch_id, [RowStatus.QUEUED.value])
        canceled = _update_rows(
            svc,
            queued,
            lambda row: {
                "status": RowStatus.CANCELED.value,
                "error": {"code": "canceled", "message": "the batch was stopped before this row started"},
                "ended_at": now,
                "updated_at": now,
            },
        )
        if canceled:
            logger.info("batch %s: %d queued rows canceled", batch_id, canceled)
        if cancel_running and batch["status"] == BatchStatus.STOPPING.value:
            slots = dict(enumerate(scheduler.slot_docs(None, svc.db, batch_id, batch)))
            for k in scheduler.held(svc.db, svc.db, slots):
                try:
                    jobs.cancel_job(svc, owner, slots[k]["job_id"])
                except Conflict:  # it ended meanwhile
                    continue
    scheduler.fill(svc, batch_id)  # stopping → stopped once no slot is held
    stats.touch(svc, batch_id)
    return answer(svc, batch_id)


def retry(svc: Services, owner: str, batch_id: str) -> dict[str, Any]:
    batch = owned(svc, owner, batch_id)
    if batch["status"] in (BatchStatus.STOPPING.value, BatchStatus.STOPPED.value):
        raise Conflict(
            f"batch {batch_id} is {batch['status']}; a stopped batch cannot be retried", code="batch_stopped"
        )

    def offsets(batch: dict[str, Any], t: firestore.Transaction) -> dict[str, Any]:
        return _reset_guard(t, svc, batch_id, batch)

    _change(svc, owner, batch_id, offsets)
    now = clock.now()
    ended = _rows_with(svc, batch_id, sorted(s.value for s in RETRYABLE_ROWS))
    retried = _update_rows(
        svc,
        ended,
        lambda row: {
            "status": RowStatus.QUEUED.value,
            "retry_of": row.get("job_id"),
            "job_id": None,
            "exit_code": None,
            "duration_s": None,
            "error": None,
            "result": None,
            "started_at": None,
            "ended_at": None,
            "updated_at": now,
            "previous_job_ids": firestore.ArrayUnion([row["job_id"]] if row.get("job_id") else []),
        },
    )

    def reopen(batch: dict[str, Any], t: firestore.Transaction) -> dict[str, Any] | None:
        if batch["status"] != BatchStatus.COMPLETED.value or not retried:
            return None
        return {"status": BatchStatus.RUNNING.value, "ended_at": None, "stats_final": False}

    _change(svc, owner, batch_id, reopen)
    logger.info("batch %s: %d rows retried by %s", batch_id, retried, owner)
    scheduler.fill(svc, batch_id)
    stats.touch(svc, batch_id)
    return answer(svc, batch_id, retried=retried)
