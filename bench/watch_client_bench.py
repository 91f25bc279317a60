"""What a Python listener costs (issue 18): the client's CPU per snapshot push, by the size of its target.

    .venv/bin/python bench/watch_client_bench.py            # targets of 10, 100, 1,000; a follow of 3,000 chunks
    .venv/bin/python bench/watch_client_bench.py --quick    # fewer pushes, 1,000 chunks
    .venv/bin/python -m bench watch_client

google-cloud-firestore's ``Watch`` sorts the whole target with a Python comparator on every push, so a listener's
CPU per push grows with the documents it holds, whichever server sends the changes. Measured here, on the embedded
emulator and on Google's (when it can run) in the same run, each listener in a child process of its own (its CPU
from ``time.process_time``: every thread of the client), pushes in lock-step (the parent writes one change, the
child says it has it, the next follows: one change per push):

- **Target size:** a listener on a collection of N documents (10, 100, 1,000), one of them updated M times.
- **A follow of a long job:** ``tailrun logs -f`` as the CLI runs it (``JobWatch`` and ``Follower``, a display that
  only counts) on a job that already has ``--chunks`` chunks (3,000), then M more chunks one at a time: the chunk
  listener as a rolling window (``CHUNK_WINDOW``, the CLI's default) against the whole collection (``window=None``,
  what the CLI did before), with the ratio. The window's moves are in its figure.

It prints, for the lead's arithmetic, the cores that W watchers each following N jobs at C chunks/s need:
W x N x C x (CPU per push), for 10 x 100 x 5.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from firestore_emulator import Emulator
from firestore_emulator.google import GoogleEmulator, unavailable_reason
from tailrun.cli.follow import CHUNK_WINDOW

HERE = Path(__file__).resolve()
PROJECT = "watch-client-bench"
SIZES = (10, 100, 1_000)
WATCHERS, JOBS, CHUNKS_PER_S = 10, 100, 5  # the arithmetic's example: 10 watchers x 100 jobs x 5 chunks/s


@dataclass(frozen=True)
class Scale:
    pushes: int  # changes measured per listener
    chunks: int  # chunks the followed job holds before the follow starts
    windows: tuple[int, ...]  # the chunk windows measured (the CLI's CHUNK_WINDOW by default)


# ---- the listener, in a child process ----------------------------------------------------------------------


def _child(address: str, mode: str, path: str, pushes: int, preload: int) -> None:
    """Child mode: listen (``plain``: the collection ``path``; ``window:N``/``whole``: follow job ``path``), say
    ``ready`` once caught up, then ``ack`` each change; after ``pushes`` of them print the CPU per push as JSON."""
    os.environ["FIRESTORE_EMULATOR_HOST"] = address
    from google.cloud import firestore

    db = firestore.Client(project=PROJECT)
    counted = [0]  # changes (plain) or lines shown (a follow) so far
    started = [0.0]  # process CPU seconds when the listener had caught up

    def seen(count: int) -> None:
        """``count`` changes have arrived (0: the first snapshot, caught up)."""
        if count == 0:
            started[0] = time.process_time()
            print("ready", flush=True)
            return
        if count < pushes:
            print("ack", flush=True)
            return
        cpu = time.process_time() - started[0]
        moves = watch.chunks.slides if watch is not None else 0
        print(json.dumps({"cpu_ms_per_push": 1000 * cpu / pushes, "window_moves": moves}), flush=True)
        os._exit(0)

    watch: Any = None
    if mode == "plain":

        def on_snapshot(_docs: Any, _changes: Any, _read_time: Any) -> None:
            seen(counted[0])
            counted[0] += 1

        db.collection(path).on_snapshot(on_snapshot)
    else:
        from tailrun.cli.follow import Follower, JobWatch

        class CountingDisplay:
            """Counts the lines shown; says when the preloaded ones are all out, then acknowledges each new one."""

            def job(self, job: dict[str, Any]) -> None: ...

            def attempt(self, attempt: int) -> None: ...

            def gap(self, attempt: int, start: int, end: int) -> None:
                raise SystemExit(f"gap in attempt {attempt}: lines {start}-{end}")

            def event_gap(self, attempt: int, start: int, end: int) -> None: ...

            def events(self, events: list[Any]) -> None: ...

            def lines(self, lines: list[Any]) -> None:
                for _ in lines:
                    counted[0] += 1
                    if counted[0] >= preload:
                        seen(counted[0] - preload)

        window = int(mode.split(":")[1]) if mode.startswith("window:") else None
        watch = JobWatch(db, path, tokens=None, window=window)
        watch.start()
        Follower(CountingDisplay(), first_attempt=1).run(watch)
    time.sleep(3600)


# ---- the parent ----------------------------------------------------------------------------------------------


def chunk(seq: int) -> dict[str, Any]:
    """A one-line chunk as the callback stores it."""
    line = {"line": seq, "stream": "stdout", "text": f"line {seq}", "ts": 0}
    return {
        "attempt": 1,
        "seq": seq,
        "first_line": seq,
        "line_count": 1,
        "lines": [line],
        "first_event": 0,
        "event_count": 0,
        "events": [],
        "state": None,
    }


def committed(commit: Callable[[], Any]) -> None:
    """Commit, again if Google's emulator answered CANCELLED ("call already cancelled"), which it now and then
    does to a commit while listeners of other clients are being closed; the writes here are sets, so a repeat is
    harmless."""
    from google.api_core.exceptions import Cancelled

    for attempt in range(3):
        try:
            commit()
            return
        except Cancelled:
            if attempt == 2:
                raise


def write_all(db: Any, docs: dict[str, dict[str, Any]]) -> None:
    """Write documents in batches of 500."""
    items = list(docs.items())
    for start in range(0, len(items), 500):
        batch = db.batch()
        for path, data in items[start : start + 500]:
            batch.set(db.document(path), data)
        committed(batch.commit)


def measure(address: str, mode: str, path: str, pushes: int, preload: int, change: Any) -> dict[str, Any]:
    """Start a listener child, wait for it to catch up, make ``pushes`` changes in lock-step; its figures."""
    argv = [sys.executable, str(HERE), "--_child", address, mode, path, str(pushes), str(preload)]
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    try:
        if child.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the {mode} listener did not start")
        for number in range(1, pushes + 1):
            change(number)
            answer = child.stdout.readline().strip()
            if number < pushes and answer != "ack":
                raise RuntimeError(f"the {mode} listener said {answer!r}")
        return dict(json.loads(answer))
    finally:
        child.kill()
        child.wait()


def run_emulator(label: str, address: str, scale: Scale) -> dict[str, float]:
    """Every figure on one emulator: ms of CPU per push by name."""
    os.environ["FIRESTORE_EMULATOR_HOST"] = address
    from google.cloud import firestore

    db = firestore.Client(project=PROJECT)
    figures: dict[str, float] = {}
    for size in SIZES:
        collection = f"sized{size}"
        write_all(db, {f"{collection}/d{n:05d}": {"n": n} for n in range(size)})
        result = measure(
            address,
            "plain",
            collection,
            scale.pushes,
            0,
            lambda number, c=collection: committed(lambda: db.document(f"{c}/d00000").set({"n": -number})),
        )
        figures[f"target of {size:,}"] = result["cpu_ms_per_push"]
        print(
            f"  {label}: target of {size:>5,} documents: {result['cpu_ms_per_push']:7.2f} ms CPU/push",
            flush=True,
        )
    for mode in (*(f"window:{n}" for n in scale.windows), "whole"):
        job_id = f"job-{mode.replace(':', '-')}"
        db.document(f"jobs/{job_id}").set({"status": "running", "attempt": 1})
        write_all(db, {f"jobs/{job_id}/chunks/0001-{seq:08d}": chunk(seq) for seq in range(scale.chunks)})

        def append(number: int, job_id: str = job_id) -> None:
            seq = scale.chunks + number - 1
            committed(lambda: db.document(f"jobs/{job_id}/chunks/0001-{seq:08d}").set(chunk(seq)))

        result = measure(address, mode, job_id, scale.pushes, scale.chunks, append)
        figures[f"follow, {mode}"] = result["cpu_ms_per_push"]
        print(
            f"  {label}: logs -f of {scale.chunks:,} chunks, {mode:>10}: {result['cpu_ms_per_push']:7.2f} ms CPU/push"
            f" ({result['window_moves']} window moves)",
            flush=True,
        )
    db.close()  # type: ignore[no-untyped-call]  # google-cloud-firestore: untyped
    return figures


def report(columns: dict[str, dict[str, float]], scale: Scale) -> None:
    names = list(next(iter(columns.values())))
    labels = list(columns)
    print(f"\nCPU per snapshot push, ms (lock-step, {scale.pushes} pushes each):")
    print(f"  {'listener':<28}" + "".join(f"{label:>12}" for label in labels))
    for name in names:
        print(f"  {name:<28}" + "".join(f"{columns[label][name]:12.2f}" for label in labels))
    if len(labels) == 2:
        print(f"  (Google's / embedded: {', '.join(_ratios(columns, labels, names))})")
    for label, figures in columns.items():
        whole = figures["follow, whole"]
        print(f"\n{label}: a follow of {scale.chunks:,} chunks:")
        for n in scale.windows:
            print(f"  whole collection / window of {n}: {whole / figures[f'follow, window:{n}']:.1f}x")
        for name in ("follow, whole", *(f"follow, window:{n}" for n in scale.windows), "target of 100"):
            cores = WATCHERS * JOBS * CHUNKS_PER_S * figures[name] / 1000
            print(
                f"  cores for {WATCHERS} watchers x {JOBS} jobs x {CHUNKS_PER_S} chunks/s at {name}"
                f" ({figures[name]:.2f} ms/push): {cores:.1f}"
            )


def _ratios(columns: dict[str, dict[str, float]], labels: list[str], names: list[str]) -> list[str]:
    return [f"{name} {columns[labels[1]][name] / columns[labels[0]][name]:.2f}" for name in names]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer pushes, a job of 1,000 chunks")
    parser.add_argument("--pushes", type=int, help="changes per listener (default 100; --quick 30)")
    parser.add_argument(
        "--chunks", type=int, help="chunks of the followed job (default 3,000; --quick 1,000)"
    )
    parser.add_argument(
        "--windows",
        default=str(CHUNK_WINDOW),
        help=f"chunk windows to measure, e.g. 25,50,100 (default {CHUNK_WINDOW})",
    )
    parser.add_argument("--_child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        address, mode, path, pushes, preload = args._child
        _child(address, mode, path, int(pushes), int(preload))
        return
    scale = Scale(
        pushes=args.pushes or (30 if args.quick else 100),
        chunks=args.chunks or (1_000 if args.quick else 3_000),
        windows=tuple(int(n) for n in args.windows.split(",")),
    )
    columns: dict[str, dict[str, float]] = {}
    with Emulator(host="127.0.0.1", port=0) as embedded:
        columns["embedded"] = run_emulator("embedded", embedded.address, scale)
    reason = unavailable_reason()
    if reason is not None:
        print(f"Google's emulator: not measured ({reason})")
    else:
        with GoogleEmulator() as google:
            columns["Google's"] = run_emulator("Google's", google.address, scale)
    report(columns, scale)


if __name__ == "__main__":
    main()
