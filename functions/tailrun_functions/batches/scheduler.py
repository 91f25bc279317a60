"""The batch scheduler: which row starts when (invariant 9: a batch never runs more than its concurrency).

**Slots.** ``batch_slots/{batch_id}-{k}`` for k below the batch's ``slot_count`` (the highest concurrency it ever
had) says which job holds slot k (``job_id``, null when free). A row starts in one transaction (``_start_one``)
that reads the batch document and every slot, and only when the batch is ``running`` and fewer slots are held
than its current ``concurrency``: it takes the lowest free slot k below the concurrency and the lowest queued row
(a query in the transaction), creates the job's documents as create_job does (``jobs.write_job``, with
``batch_id``, ``row`` and ``batch_slot``) and marks the row (``booting``, its ``job_id``) and the slot. The
launch follows the commit, as for create_job. A job's terminal transition frees its slot in its own transaction
(``endings.job_ended``); so at every moment the jobs booting or running are at most the slots held, and a start
never takes a slot while as many are held as the concurrency allows. Lowering the concurrency frees no running
job: nothing starts until fewer slots are held than the new limit.

Each transaction reads every slot and the row it takes, so two starts racing (callbacks, reapers, controls) cannot
both commit on the same slot or the same row: one is retried and sees the other's writes. Each row starts once.

**Who fills.** ``fill`` starts rows until none can start: after create_batch, after a control, after each job's
terminal transition (the callback's ``completed``, a cancel, the reaper's ending: ``after_job_ended``, so the next
row starts as soon as that commit is done), and from the reaper's pass as a backstop (``sweep``). The same
transaction moves the batch on: ``running`` → ``paused`` when the failure guard is crossed, ``running`` →
``completed`` when no row is queued and no slot held, ``stopping`` → ``stopped`` when no slot is held.

**Writes.** A slot document is written twice per job (taken, freed), a row a few times; the batch document only by
the controls, the state changes above and the coalesced stats (``stats``), never per job event.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from tailrun_functions import attempts, clock, defaults, jobs, store
from tailrun_functions.batches import BATCHES, BatchStatus, RowStatus, stats
from tailrun_functions.batches.refs import batch_ref, row_ref, rows_of, secrets_ref, slot_ref
from tailrun_functions.batches.rows import parse_template
from tailrun_functions.launcher import LaunchRequest
from tailrun_functions.models import CreateJobRequest
from tailrun_functions.services import Services

logger = logging.getLogger(__name__)

_filling = (
    threading.local()
)  # the batches this thread is filling: a launch failing inside a fill does not recurse


@dataclass(frozen=True)
class Start:
    job_id: str
    row: int
    slot: int
    launch: LaunchRequest


def slot_docs(
    t: firestore.Transaction | None, db: firestore.Client, batch_id: str, batch: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every slot of the batch (``{}`` for one never taken), in order."""
    count = int(batch.get("slot_count") or batch.get("concurrency") or 0)
    refs = [slot_ref(db, batch_id, k) for k in range(count)]
    return store.read_all(t if t is not None else db, refs) if refs else []


def held(slots: list[dict[str, Any]]) -> list[int]:
    return [k for k, slot in enumerate(slots) if slot.get("job_id")]


def counted(slots: list[dict[str, Any]], batch: dict[str, Any]) -> tuple[int, int]:
    """(finished, failed) jobs since the guard was last reset (create, resume, retry): the slots' counters."""
    finished = sum(int(slot.get("finished") or 0) for slot in slots) - int(batch.get("finished_offset") or 0)
    failed = sum(int(slot.get("failed") or 0) for slot in slots) - int(batch.get("failures_offset") or 0)
    return finished, failed


def guard(batch: dict[str, Any], finished: int, failed: int) -> str | None:
    """Why the batch must pause itself, or None.

    ``max_failures``: that many rows failed (or timed out). ``max_failure_rate``: more than that share of the rows
    that finished failed, judged once ``BATCH_FAILURE_RATE_MIN_FINISHED`` rows finished (or all of them, in a
    smaller batch), or already more than that share of all the batch's rows (then no success can bring it under)."""
    max_failures, rate = batch.get("max_failures"), batch.get("max_failure_rate")
    if max_failures is not None and failed >= int(max_failures):
        return f"{failed} rows failed: max_failures {max_failures}"
    if rate is not None and failed > 0:
        total = int(batch.get("total") or 0)
        judged = finished >= min(defaults.BATCH_FAILURE_RATE_MIN_FINISHED, total)
        if (judged and failed / finished > rate) or failed > rate * total:
            return f"{failed} of {finished} finished rows failed: max_failure_rate {rate:g}"
    return None


def job_request(batch: dict[str, Any], values: dict[str, str], env: dict[str, str]) -> CreateJobRequest:
    """The job of one row: the batch's template with the row's values in its placeholders."""
    template = {k: v for k, v in batch["template"].items() if k != "env_keys"}
    if "argv" in template:
        template["argv"] = [parse_template(part, "argv").fill(values) for part in template["argv"]]
    if "prompt" in template:
        template["prompt"] = parse_template(template["prompt"], "prompt").fill(values)
    return CreateJobRequest.model_validate({**template, "env": env})


def _start_one(svc: Services, batch_id: str) -> Start | None:
    """One transaction: take a free slot and the lowest queued row and create its job; None when nothing may
    start now (the batch's state moves on here too: paused by its guard, completed, stopped)."""
    db = svc.db
    ref = batch_ref(db, batch_id)
    queued = (
        rows_of(db, batch_id)
        .where(filter=FieldFilter("status", "==", RowStatus.QUEUED.value))
        .order_by("row")
        .limit(1)
    )

    @firestore.transactional
    def start(t: firestore.Transaction) -> Start | None:
        batch = store.data(ref.get(transaction=t))
        if not batch:
            return None
        status = BatchStatus(batch["status"])
        slots = slot_docs(t, db, batch_id, batch)
        taken = held(slots)
        now = clock.now()
        if status is BatchStatus.STOPPING and not taken:
            t.update(ref, {"status": BatchStatus.STOPPED.value, "ended_at": now, "updated_at": now})
            logger.info("batch %s stopped", batch_id)
            return None
        if status is not BatchStatus.RUNNING:
            return None
        reason = guard(batch, *counted(slots, batch))
        if reason is not None:
            t.update(ref, {"status": BatchStatus.PAUSED.value, "paused_reason": reason, "updated_at": now})
            logger.info("batch %s paused itself: %s", batch_id, reason)
            return None
        concurrency = int(batch["concurrency"])
        if len(taken) >= concurrency:
            return None
        rows = list(t.get(queued))
        if not rows:
            if not taken:
                t.update(ref, {"status": BatchStatus.COMPLETED.value, "ended_at": now, "updated_at": now})
                logger.info("batch %s completed", batch_id)
            return None
        row_doc = rows[0].to_dict() or {}
        row = int(row_doc["row"])
        k = min(set(range(concurrency)) - set(taken))
        env = dict(store.data(secrets_ref(db, batch_id).get(transaction=t)).get("env") or {})
        request = job_request(batch, dict(row_doc.get("values") or {}), env)
        argv = jobs.resolve_argv(request, svc)
        job_id = uuid.uuid4().hex
        parent = row_doc.get("retry_of")
        launch = jobs.write_job(
            t,
            svc,
            batch["owner"],
            request,
            job_id,
            argv,
            parent,
            extra={"batch_id": batch_id, "row": row, "batch_slot": k},
        )
        t.update(
            row_ref(db, batch_id, row),
            {
                "status": RowStatus.BOOTING.value,
                "job_id": job_id,
                "started_at": None,
                "ended_at": None,
                "updated_at": now,
            },
        )
        t.set(
            slot_ref(db, batch_id, k),
            {"batch_id": batch_id, "k": k, "job_id": job_id, "row": row, "taken_at": now, "changed_at": now},
            merge=True,
        )
        if parent:
            t.update(store.job_ref(db, parent), {"retried_by": firestore.ArrayUnion([job_id])})
        return Start(job_id, row, k, launch)

    result: Start | None = start(db.transaction(max_attempts=defaults.BATCH_START_TRANSACTION_ATTEMPTS))
    return result


def fill(svc: Services, batch_id: str) -> int:
    """Start rows of the batch until none may start now; returns how many started. Each start is committed before
    its launch; a launch that fails ends its job (and frees its slot) and the loop goes on with the next row."""
    filling: set[str] = getattr(_filling, "batches", set())
    _filling.batches = filling
    if batch_id in filling:  # a failed launch inside this thread's fill: the outer loop continues
        return 0
    filling.add(batch_id)
    started = 0
    try:
        while not svc.launcher.closing:
            start = _start_one(svc, batch_id)
            if start is None:
                break
            started += 1
            logger.info("batch %s row %d → job %s (slot %d)", batch_id, start.row, start.job_id, start.slot)
            attempts.launch(svc, start.launch)
    finally:
        filling.discard(batch_id)
    stats.touch(svc, batch_id)
    return started


def after_job_ended(svc: Services, batch_id: str) -> None:
    """A job of the batch reached a terminal status (its commit is done): fill the free slots now. A failure here
    (contention, a launcher error) is logged and left to the reaper's sweep: the job's ending is already stored."""
    try:
        fill(svc, batch_id)
    except Exception:
        logger.exception("batch %s: filling after a job ended failed; the reaper's sweep will", batch_id)


def sweep(svc: Services) -> list[dict[str, Any]]:
    """The reaper's backstop: every batch whose stats are not final yet is filled (when running or stopping) and
    its stats recomputed if stale. Returns what it started."""
    query = (
        svc.db.collection(BATCHES)
        .where(filter=FieldFilter("stats_final", "==", False))
        .order_by("__name__")
        .limit(defaults.REAP_BATCH)
    )
    actions: list[dict[str, Any]] = []
    last = None
    while True:
        page = list((query.start_after(last) if last is not None else query).stream())
        for snapshot in page:
            batch = snapshot.to_dict() or {}
            try:
                started = 0
                if batch.get("status") in (BatchStatus.RUNNING.value, BatchStatus.STOPPING.value):
                    started = fill(svc, snapshot.id)
                else:
                    stats.touch(svc, snapshot.id)
                if started:
                    actions.append({"batch_id": snapshot.id, "action": "filled", "started": started})
            except Exception as exc:
                logger.exception("reaper: batch %s could not be filled", snapshot.id)
                actions.append({"batch_id": snapshot.id, "action": "fill", "error": str(exc)})
        if len(page) < defaults.REAP_BATCH:
            return actions
        last = page[-1]
