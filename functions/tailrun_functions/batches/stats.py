"""The batch document's stats: counts, success rate, durations, rate and ETA, recomputed from the rows, coalesced.

The rows hold each job's status exactly (``endings``), so the stats are recomputed from them (count and average
aggregations, no per-event counters to drift) rather than incremented: ``counts`` {``total``, ``queued``,
``running`` (booting and running rows), ``succeeded``, ``failed``, ``canceled``, ``timed_out``},
``success_rate`` (succeeded / ended rows, null before any), ``avg_duration_s`` (of the rows that ran to an end),
``rows_per_minute`` (ended rows per minute since the batch started), ``eta_s`` ((queued + running / 2) ×
average duration / concurrency; 0 when nothing is left, null before any duration).

**Coalescing.** Whatever changes a row touches its batch (``touch``: after a fill, after a control, from the
reaper's sweep). A touch recomputes at once when the last recomputation began at least
``BATCH_STATS_INTERVAL_S`` ago, and otherwise schedules one for that moment in this process (one timer per batch):
so the batch document is written at most about once a second while the batch is busy, and each change is followed
by a recomputation that began after it, within ``BATCH_STATS_INTERVAL_S`` (< ``BATCH_QUIET_S``): the stats are
exact 2 s after the batch goes quiet. ``stats_at`` is when the recomputation that wrote them began; a slower one
that began earlier never overwrites a newer one. A process that dies with a timer pending leaves the stats to the
reaper's sweep (every minute): ``stats_final`` turns true with the first recomputation after the batch ended.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from google.api_core import exceptions as google_exceptions
from google.cloud.firestore_v1.base_query import FieldFilter

from tailrun_functions import clock, defaults, store
from tailrun_functions.batches import BatchStatus, RowStatus
from tailrun_functions.batches.refs import batch_ref, rows_of
from tailrun_functions.services import Services

logger = logging.getLogger(__name__)

ENDED_ROWS = (RowStatus.SUCCEEDED, RowStatus.FAILED, RowStatus.CANCELED, RowStatus.TIMED_OUT)
RAN_ROWS = [RowStatus.SUCCEEDED.value, RowStatus.FAILED.value, RowStatus.TIMED_OUT.value]

_timers: dict[tuple[int, str], threading.Timer] = {}
_lock = threading.Lock()


def compute(svc: Services, batch_id: str, batch: dict[str, Any]) -> dict[str, Any]:
    """The stats fields of the batch document, from its rows now."""
    rows = rows_of(svc.db, batch_id)
    counts: dict[str, int] = {}
    for status in RowStatus:
        query = rows.where(filter=FieldFilter("status", "==", status.value))
        counts[status.value] = int(_value(query.count(alias="n").get()))  # type: ignore[call-arg]  # the stubs miss self
    ran = rows.where(filter=FieldFilter("status", "in", RAN_ROWS))
    average = _value(ran.avg("duration_s", alias="avg").get())  # type: ignore[call-arg]
    avg_duration = float(average) if isinstance(average, int | float) else None
    total = sum(counts.values())
    running = counts[RowStatus.BOOTING.value] + counts[RowStatus.RUNNING.value]
    out = {
        "total": total,
        "queued": counts[RowStatus.QUEUED.value],
        "running": running,
        **{status.value: counts[status.value] for status in ENDED_ROWS},
    }
    ended = sum(counts[status.value] for status in ENDED_ROWS)
    now = clock.now()
    started = store.when(batch.get("started_at"))
    until = store.when(batch.get("ended_at")) or now
    minutes = (until - started).total_seconds() / 60 if started else 0.0
    concurrency = max(int(batch.get("concurrency") or 1), 1)
    remaining = out["queued"] + running
    if remaining == 0:
        eta: float | None = 0.0
    elif avg_duration is None or BatchStatus(batch["status"]) is not BatchStatus.RUNNING:
        eta = None
    else:
        eta = round((out["queued"] + running / 2) * avg_duration / concurrency, 1)
    return {
        "counts": out,
        "success_rate": counts[RowStatus.SUCCEEDED.value] / ended if ended else None,
        "avg_duration_s": round(avg_duration, 3) if avg_duration is not None else None,
        "rows_per_minute": round(ended / minutes, 2) if minutes > 0 and ended else 0.0,
        "eta_s": eta,
    }


def total(svc: Services, batch_id: str, field: str) -> int:
    """The sum of a numeric field over the batch's rows (one aggregation; rows without it count 0)."""
    query = rows_of(svc.db, batch_id).sum(field, alias="n")  # type: ignore[call-arg]  # the stubs miss self
    return int(_value(query.get()) or 0)


def _value(result: Any) -> Any:
    """The one aggregation's value of an aggregation query's answer."""
    for group in result:
        for item in group:
            return item.value
    return None


def refresh(svc: Services, batch_id: str) -> None:
    """Recompute the stats and write them, unless a recomputation that began later already did.

    The write is preconditioned on the batch document's update time rather than made in a transaction: a
    transaction's read lock on the batch would contend with every start's (``scheduler``), and Google's emulator
    times such locks out. When the precondition fails (a control, a start moving the batch on, another
    recomputation), the document is read again and the decision retaken, at most ``BATCH_STATS_WRITE_ATTEMPTS``
    times; the next change or the reaper's sweep recomputes after that."""
    began = clock.now()
    ref = batch_ref(svc.db, batch_id)
    batch = store.data(ref.get())
    if not batch:
        return
    fields = compute(svc, batch_id, batch)
    for _ in range(defaults.BATCH_STATS_WRITE_ATTEMPTS):
        snapshot = ref.get()
        current = store.data(snapshot)
        written = store.when(current.get("stats_at"))
        if not current or (written is not None and written >= began):
            return
        final = BatchStatus(current["status"]).ended and BatchStatus(batch["status"]).ended
        try:
            ref.update(
                {**fields, "stats_at": began, "stats_final": final},
                option=svc.db.write_option(last_update_time=snapshot.update_time),
            )
            return
        except google_exceptions.FailedPrecondition:
            continue


def touch(svc: Services, batch_id: str) -> None:
    """Something of the batch changed: recompute now if the last recomputation is old enough, else once it is."""
    batch = store.data(batch_ref(svc.db, batch_id).get())
    if not batch:
        return
    written = store.when(batch.get("stats_at"))
    wait = 0.0 if written is None else defaults.BATCH_STATS_INTERVAL_S - clock.seconds_since(written)
    if wait <= 0:
        _refresh_safely(svc, batch_id)
        return
    key = (id(svc), batch_id)
    with _lock:
        if key in _timers:  # one pending recomputation covers every change before it begins
            return
        timer = threading.Timer(wait, _fire, args=(svc, batch_id, key))
        timer.daemon = True
        _timers[key] = timer
    timer.start()


def _fire(svc: Services, batch_id: str, key: tuple[int, str]) -> None:
    with _lock:
        _timers.pop(key, None)
    _refresh_safely(svc, batch_id)


def _refresh_safely(svc: Services, batch_id: str) -> None:
    try:
        refresh(svc, batch_id)
    except Exception:
        logger.exception(
            "batch %s: recomputing its stats failed; the next change or the reaper will", batch_id
        )


def pending() -> int:
    """How many recomputations wait on a timer in this process (for tests)."""
    with _lock:
        return len(_timers)
