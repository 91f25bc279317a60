"""A batch of short jobs through the whole local stack (issue 15): refills, the batch document's writes, wall time.

The stack is started as ``tailrun dev --in-memory`` starts it (``create_job_bench.running_stack``: the functions on
the threaded local server, the embedded Firestore emulator, real runners). One batch of ``--rows`` rows (1,000 by
default) at concurrency ``--concurrency`` (10), each row a job that prints a line and sleeps ``--job-s`` seconds.
Printed, each figure beside its baseline from the same run (the machine is shared: read the ratios):

1. **A freed slot refilled**: for each slot, the time from a job's end (its ``ended_at``) to the next job of that
   slot being created (its ``created_at``, in the start transaction), while rows were still queued; p50/p99 in ms.
   Both timestamps come from the functions' clock. The issue's target: p50 ≤ 200 ms locally.
2. **The batch document's writes**: a listener on ``batches/{id}`` counts the versions it sees (each write is one);
   the mean per second over the run and the most in any one-second window (Firestore sustains about one per second
   per document). The same for the busiest slot document.
3. **Wall time against the ideal**: create_batch's answer to ``completed``, against ``rows × job time /
   concurrency``. Two job times: the mean duration of the batch's own jobs (created → ended: so the ratio is what
   the scheduler adds between jobs; target ≤ 1.3×), and the mean of ``--solo`` jobs of the same command created
   one at a time by create_job before the batch (the job on an idle stack).

``--quick`` runs 200 rows. A final line holds every figure as JSON.
Run: ``.venv/bin/python -m bench batch [--quick] [--rows N] [--concurrency N] [--job-s S]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests
from create_job_bench import Latency, running_stack  # sibling scripts: bench/ is on sys.path when run
from functions_bench import logs_to_file
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from tailrun_functions import clients
from tailrun_functions.schema import LOCAL_PROJECT

from tailrun.local.dev import LocalStack

TERMINAL = {"succeeded", "failed", "canceled", "timed_out"}
DONE_TIMEOUT_S = 3600.0


class Versions:
    """A listener on one document: when each of its versions was written (its update times)."""

    def __init__(self, ref: firestore.DocumentReference) -> None:
        self.times: set[float] = set()
        self.lock = threading.Lock()
        self.watch = ref.on_snapshot(self._seen)

    def _seen(self, snapshots: Any, changes: Any, read_time: Any) -> None:
        with self.lock:
            for snapshot in snapshots:
                if snapshot.exists:
                    self.times.add(snapshot.update_time.timestamp())

    def close(self) -> None:
        self.watch.unsubscribe()


def rates(times: list[float]) -> tuple[float, int]:
    """(mean writes per second over the span, the most within any one second)."""
    if len(times) < 2:
        return float(len(times)), len(times)
    ordered = sorted(times)
    most, start = 1, 0
    for end in range(len(ordered)):
        while ordered[end] - ordered[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return len(ordered) / max(ordered[-1] - ordered[0], 1.0), most


def post(stack: LocalStack, name: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = requests.post(
        f"{stack.addresses.url}/{name}",
        json=body,
        headers={"Authorization": f"Bearer {stack.token}"},
        timeout=120,
    )
    reply.raise_for_status()
    answer: dict[str, Any] = reply.json()
    return answer


def wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.05)


def solo_job_time(stack: LocalStack, db: firestore.Client, argv: list[str], count: int) -> float:
    """The mean created → ended of ``count`` jobs of ``argv`` made one at a time (each waits for the last)."""
    durations = []
    for _ in range(count):
        job_id = post(stack, "create_job", {"argv": argv})["job_id"]
        ref = db.collection("jobs").document(job_id)
        wait(lambda ref=ref: (ref.get().to_dict() or {}).get("status") in TERMINAL, 120, f"solo job {job_id}")
        job = ref.get().to_dict() or {}
        durations.append((job["ended_at"] - job["created_at"]).total_seconds())
    return statistics.fmean(durations)


def refills(jobs: list[dict[str, Any]], last_start: float) -> list[float]:
    """For each slot, end of one job → creation of the next on that slot (while rows were queued), seconds."""
    by_slot: dict[int, list[dict[str, Any]]] = {}
    for job in jobs:
        by_slot.setdefault(int(job["batch_slot"]), []).append(job)
    gaps = []
    for slot_jobs in by_slot.values():
        slot_jobs.sort(key=lambda job: job["created_at"])
        for before, after in itertools.pairwise(slot_jobs):
            if after["created_at"].timestamp() <= last_start:
                gaps.append((after["created_at"] - before["ended_at"]).total_seconds())
    return gaps


def measure(args: argparse.Namespace) -> dict[str, Any]:
    rows = 200 if args.quick and args.rows is None else (args.rows or 1000)
    argv = ["sh", "-c", f"echo row {{n}}; sleep {args.job_s}"]
    with tempfile.TemporaryDirectory(prefix="batch-bench-") as root, running_stack(Path(root), None) as stack:
        db = clients.firestore_client(LOCAL_PROJECT, stack.addresses.firestore)
        solo = solo_job_time(stack, db, argv, args.solo)
        csv_text = "n\n" + "".join(f"{i}\n" for i in range(rows))
        began = time.monotonic()
        batch_id = post(
            stack,
            "create_batch",
            {"csv": csv_text, "argv": argv, "concurrency": args.concurrency, "name": "bench"},
        )["batch_id"]
        ref = db.collection("batches").document(batch_id)
        versions = Versions(ref)
        slots = [
            Versions(db.collection("batch_slots").document(f"{batch_id}-{k}"))
            for k in range(args.concurrency)
        ]
        wait(lambda: (ref.get().to_dict() or {}).get("status") == "completed", DONE_TIMEOUT_S, "the batch")
        wall = time.monotonic() - began
        time.sleep(3)  # the last stats write (exact 2 s after the batch goes quiet) reaches the listener
        versions.close()
        for slot in slots:
            slot.close()
        query = db.collection("jobs").where(filter=FieldFilter("batch_id", "==", batch_id))
        jobs = [snapshot.to_dict() or {} for snapshot in query.stream()]
    statuses = Counter(job["status"] for job in jobs)
    durations = [(job["ended_at"] - job["created_at"]).total_seconds() for job in jobs]
    last_start = max(job["created_at"].timestamp() for job in jobs)
    refill = Latency.of(refills(jobs, last_start))
    batch_mean, batch_most = rates(list(versions.times))
    slot_rates = [rates(list(slot.times)) for slot in slots]
    job_time = statistics.fmean(durations)
    return {
        "rows": rows,
        "concurrency": args.concurrency,
        "statuses": dict(statuses),
        "refill": refill.__dict__,
        "batch_doc_writes": len(versions.times),
        "batch_doc_writes_per_s": batch_mean,
        "batch_doc_most_in_1s": batch_most,
        "slot_doc_most_in_1s": max(most for _, most in slot_rates),
        "slot_doc_writes_per_s": max(mean for mean, _ in slot_rates),
        "wall_s": wall,
        "job_time_in_batch_s": job_time,
        "job_time_solo_s": solo,
        "ideal_s": rows * job_time / args.concurrency,
        "ideal_solo_s": rows * solo / args.concurrency,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="200 rows instead of 1,000")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--job-s", type=float, default=1.0, help="how long each row's job sleeps")
    parser.add_argument("--solo", type=int, default=5, help="jobs run one at a time for the solo job time")
    args = parser.parse_args()
    with logs_to_file("batch-bench-") as log:
        figures = measure(args)
    print(f"(the stack's log: {log})")
    refill = figures["refill"]
    print(f"{figures['rows']} rows at concurrency {figures['concurrency']}: {figures['statuses']}")
    print(
        f"a freed slot refilled: p50 {refill['p50_ms']:.0f} ms, p99 {refill['p99_ms']:.0f} ms "
        f"({refill['samples']} refills; target p50 ≤ 200 ms)"
    )
    print(
        f"batch document: {figures['batch_doc_writes']} writes, {figures['batch_doc_writes_per_s']:.2f}/s mean, "
        f"{figures['batch_doc_most_in_1s']} in the busiest second; busiest slot document: "
        f"{figures['slot_doc_writes_per_s']:.2f}/s mean, {figures['slot_doc_most_in_1s']} in its busiest second"
    )
    print(
        f"wall time {figures['wall_s']:.1f} s; ideal from the batch's own job time "
        f"({figures['job_time_in_batch_s']:.2f} s): {figures['ideal_s']:.1f} s → "
        f"{figures['wall_s'] / figures['ideal_s']:.2f}× (target ≤ 1.3×); ideal from a solo job "
        f"({figures['job_time_solo_s']:.2f} s): {figures['ideal_solo_s']:.1f} s → "
        f"{figures['wall_s'] / figures['ideal_solo_s']:.2f}×"
    )
    print(json.dumps(figures))
    return 0 if set(figures["statuses"]) == {"succeeded"} else 1


if __name__ == "__main__":
    sys.exit(main())
