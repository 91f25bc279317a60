"""The batch scheduler: which row starts when (invariant 9: a batch never runs more than its concurrency).

**Slots.** ``batch_slots/{batch_id}-{k}`` for k below the batch's ``slot_count`` (the highest concurrency it ever
had) names the last job that took slot k (``job_id``); the slot is held while that job has not ended (``held``). A
fill plans each start from plain reads (the batch, its slots, the first queued rows: ``_plan``), then starts it in
one transaction (``_start_one``) that reads the batch, that slot and that row, and goes on only if the batch is
``running``, k is below its current ``concurrency``, the slot is free and the row queued; after a lowered
concurrency, while a slot at or above the new limit is still held, it also reads every slot and requires fewer held
than the limit. It creates the job's documents as create_job does (``jobs.write_job``, with ``batch_id``, ``row``
and ``batch_slot``) and marks the row (``booting``, its ``job_id``) and the slot. The launch follows the commit, as
for create_job. A job's terminal status frees its slot (the ending writes no slot: one write per slot per job); so
at every moment the jobs booting or running are at most the slots held, each slot below the concurrency holds at
most one, and a start never takes a slot while as many are held as the concurrency allows. Lowering the concurrency
frees no running job: nothing starts until fewer slots are held than the new limit.

Two starts racing (callbacks, reapers, controls) for the same slot or the same row cannot both commit: both read
it, one is retried, sees the other's write and gives up its stale plan. Each row starts once. Starts on different
slots and rows share only read locks (the batch, its secrets), and an ending's transaction (one job, one row)
blocks only the start that wants its slot: the earlier design, which read every slot and queried the queue in each
start, serialized every start and ending of a batch, and Google's emulator timed its locks out under that load.

**Who fills.** ``fill`` starts rows until none can start: after create_batch, after a control, after each job's
terminal transition (the callback's ``completed``, a cancel, the reaper's ending: ``after_job_ended``, so the next
row starts as soon as that commit is done), and from the reaper's pass as a backstop (``sweep``). When its plain
reads say the batch must move on (``running`` → ``paused`` when the failure guard is crossed, ``running`` →
``completed`` when no row is queued and no slot held, ``stopping`` → ``stopped`` when no slot is held), ``_settle``
decides it again in a transaction that reads every slot.

**Writes.** A slot document is written once per job (taken), a row a few times; the batch document only by
the controls, the state changes above and the coalesced stats (``stats``), never per job event.
"""

from __future__ import annotations

import logging
import random
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
from tailrun_functions.states import JobStatus
from tailrun_functions.workspaces.model import workspace_of

logger = logging.getLogger(__name__)

_filling_lock = threading.Lock()
_filling: dict[
    str, bool
] = {}  # the batches being filled in this process → whether another fill was asked for meanwhile


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


def held(
    reader: firestore.Transaction | firestore.Client, db: firestore.Client, slots: dict[int, dict[str, Any]]
) -> list[int]:
    """The slots (of ``slots``, k → slot document) that are held: those naming a job that has not ended.

    A slot is freed by its job's terminal status, not by a write to the slot: the slot document is written once per
    job (when it is taken), so even a batch of one-second jobs writes each about once a second."""
    named = [(k, slot["job_id"]) for k, slot in sorted(slots.items()) if slot.get("job_id")]
    if not named:
        return []
    found = store.read_all(reader, [store.job_ref(db, job_id) for _, job_id in named])
    return [
        k for (k, _), job in zip(named, found, strict=True) if job and not JobStatus(job["status"]).terminal
    ]


def guard_counts(svc: Services, batch: dict[str, Any], batch_id: str) -> tuple[int, int]:
    """(finished, failed) jobs since the guard was last reset (create, resume, retry): the rows' ``runs_finished``
    and ``runs_failed`` summed (two aggregations), less the offsets the reset stored."""
    finished = stats.total(svc, batch_id, "runs_finished") - int(batch.get("finished_offset") or 0)
    failed = stats.total(svc, batch_id, "runs_failed") - int(batch.get("failures_offset") or 0)
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


@dataclass(frozen=True)
class Plan:
    """What a fill tries next, chosen from reads outside any transaction: slot ``slot`` for row ``row``."""

    slot: int
    row: int


def _queued_rows(db: firestore.Client, batch_id: str) -> Any:
    return (
        rows_of(db, batch_id)
        .where(filter=FieldFilter("status", "==", RowStatus.QUEUED.value))
        .order_by("row")
    )


def _plan(svc: Services, batch_id: str) -> Plan | None:
    """The next start to try, from plain reads (they take no locks): a free slot below the concurrency and a queued
    row; None when nothing may start now. Moving the batch on (stopped, paused by its guard, completed) is decided
    here from the same reads and done by ``_settle``, which checks it again in a transaction.

    Fills racing in other requests choose from the same reads: a random free slot, and the queued row as far down
    the queue as that slot is in the free list, so that two of them rarely try the same slot or row (the transaction
    decides when they do)."""
    db = svc.db
    batch = store.data(batch_ref(db, batch_id).get())
    if not batch:
        return None
    status = BatchStatus(batch["status"])
    taken = held(db, db, dict(enumerate(slot_docs(None, db, batch_id, batch))))
    if status is BatchStatus.STOPPING:
        if not taken:
            _settle(svc, batch_id)
        return None
    if status is not BatchStatus.RUNNING:
        return None
    guarded = batch.get("max_failures") is not None or batch.get("max_failure_rate") is not None
    reason = guard(batch, *guard_counts(svc, batch, batch_id)) if guarded else None
    if reason is not None:
        _settle(svc, batch_id, reason)
        return None
    concurrency = int(batch["concurrency"])
    if len(taken) >= concurrency:
        return None
    free = [k for k in range(concurrency) if k not in taken]
    rows = list(_queued_rows(db, batch_id).limit(len(free)).stream())
    if not rows:
        if not taken:
            _settle(svc, batch_id)
        return None
    index = random.randrange(len(free))
    return Plan(free[index], int((rows[min(index, len(rows) - 1)].to_dict() or {})["row"]))


def _settle(svc: Services, batch_id: str, guarded: str | None = None) -> None:
    """Move the batch on, in a transaction that reads the batch, every slot and the queue: ``stopping`` →
    ``stopped`` when no slot is held; ``running`` → ``paused`` with the failure guard's reason ``guarded`` (judged
    by the caller from the rows' counters), → ``completed`` when no row is queued and no slot held. Rare (a batch's
    end, its guard), so reading every slot costs little."""
    db = svc.db
    ref = batch_ref(db, batch_id)
    first_queued = _queued_rows(db, batch_id).limit(1)

    @firestore.transactional
    def settle(t: firestore.Transaction) -> None:
        batch = store.data(ref.get(transaction=t))
        if not batch:
            return
        status = BatchStatus(batch["status"])
        taken = held(t, db, dict(enumerate(slot_docs(t, db, batch_id, batch))))
        now = clock.now()
        if status is BatchStatus.STOPPING and not taken:
            t.update(ref, {"status": BatchStatus.STOPPED.value, "ended_at": now, "updated_at": now})
            logger.info("batch %s stopped", batch_id)
        elif status is BatchStatus.RUNNING and guarded is not None:
            t.update(ref, {"status": BatchStatus.PAUSED.value, "paused_reason": guarded, "updated_at": now})
            logger.info("batch %s paused itself: %s", batch_id, guarded)
        elif status is BatchStatus.RUNNING and not taken and not list(t.get(first_queued)):
            t.update(ref, {"status": BatchStatus.COMPLETED.value, "ended_at": now, "updated_at": now})
            logger.info("batch %s completed", batch_id)

    settle(db.transaction(max_attempts=defaults.BATCH_START_TRANSACTION_ATTEMPTS))


def _start_one(svc: Services, batch_id: str, plan: Plan) -> Start | None:
    """One transaction: take slot ``plan.slot`` for row ``plan.row`` and create its job; None when the plan is stale
    (the batch no longer running, the slot not free or not below the concurrency, the row not queued).

    It reads the batch, that one slot and that one row (plus, after the concurrency was lowered, the slots above it):
    so starts on different slots and rows share only read locks, and an ending (which writes one slot and one row)
    blocks only the start that wants that slot. Invariant 9 holds: slots below the concurrency hold one job each,
    and while a slot above it is still held (a lowered concurrency), the start counts every held slot."""
    db = svc.db
    ref = batch_ref(db, batch_id)
    k, row = plan.slot, plan.row

    @firestore.transactional
    def start(t: firestore.Transaction) -> Start | None:
        batch = store.data(ref.get(transaction=t))
        if not batch or batch["status"] != BatchStatus.RUNNING.value:
            return None
        concurrency = int(batch["concurrency"])
        count = int(batch.get("slot_count") or concurrency)
        if k >= concurrency:
            return None
        above = [slot_ref(db, batch_id, j) for j in range(concurrency, count)]
        held_above = (
            held(t, db, dict(zip(range(concurrency, count), store.read_all(t, above), strict=True)))
            if above
            else []
        )
        if held_above:
            below = dict(enumerate(slot_docs(t, db, batch_id, {"slot_count": concurrency})))
            if len(held(t, db, below)) + len(held_above) >= concurrency:
                return None
        slot, row_doc = store.read_all(t, [slot_ref(db, batch_id, k), row_ref(db, batch_id, row)])
        if held(t, db, {k: slot}) or row_doc.get("status") != RowStatus.QUEUED.value:
            return None
        now = clock.now()
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
            extra={
                "batch_id": batch_id,
                "row": row,
                "batch_slot": k,
                "workspace_id": workspace_of(batch),
            },
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
    """Start rows of the batch until none may start now; returns how many this call started.

    One thread per process fills a batch at a time: a fill asked for while another runs (another callback, a
    reaper, a control, a failed launch inside the fill) only asks that one to plan once more when it is done, and
    returns 0. Racing fills would plan from the same reads and collide on the same slot or row: harmless for
    correctness (the transactions decide) but costly, since colliding transactions wait on each other's locks (on
    Google's emulator until its lock timeout). Fills in other processes (other function instances) can still race;
    the transactions keep that correct."""
    with _filling_lock:
        if batch_id in _filling:
            _filling[batch_id] = True
            return 0
        _filling[batch_id] = False
    started = 0
    try:
        while True:
            started += _fill_pass(svc, batch_id)
            with _filling_lock:
                if not _filling[batch_id]:
                    del _filling[batch_id]
                    return started
                _filling[batch_id] = False
    except BaseException:
        with _filling_lock:
            _filling.pop(batch_id, None)
        raise


def _fill_pass(svc: Services, batch_id: str) -> int:
    """Plan and start rows until none may start now. Each start is committed before its launch; a launch that fails
    ends its job (and frees its slot) and the loop goes on with the next row. A plan found stale (a fill in another
    process took its slot or row first) is planned again, at most ``BATCH_FILL_MISSES`` times in a row."""
    started = misses = 0
    while not svc.launcher.closing and misses <= defaults.BATCH_FILL_MISSES:
        plan = _plan(svc, batch_id)
        if plan is None:
            break
        start = _start_one(svc, batch_id, plan)
        if start is None:
            misses += 1
            continue
        started, misses = started + 1, 0
        logger.info("batch %s row %d → job %s (slot %d)", batch_id, start.row, start.job_id, start.slot)
        attempts.launch(svc, start.launch)
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
