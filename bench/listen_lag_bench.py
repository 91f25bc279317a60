"""A lagging Python listener (issue 18): what google-cloud-firestore's ``on_snapshot`` pays to keep up with a burst.

The Python client's ``Watch`` pays ~1.2 ms of CPU per snapshot pushed, plus ~0.03 ms per document its target holds
(it re-sorts every document with a Python comparator on each push), so a listener sent one snapshot per commit
falls behind a fast writer and stays behind. This measures it: a collection of ``--documents`` documents, one
``on_snapshot`` listener on it (this process), and a writer process that makes ``--commits`` one-document commits
in about a second; then the listener's CPU seconds from the first commit until its callback has seen the last
one, that wall time, and the snapshots it received.

Run: .venv/bin/python bench/listen_lag_bench.py [--address HOST:PORT] [--commits N] [--documents N] [--size B]
[--runs N]
(without ``--address`` it starts the embedded emulator of the tree it is imported from).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import threading
import time
from typing import Any

from google.cloud import firestore

PROJECT = "demo-lag"
COLLECTION = "lagged"


def _client(address: str) -> firestore.Client:
    os.environ["FIRESTORE_EMULATOR_HOST"] = address
    return firestore.Client(project=PROJECT)


def _writer(address: str, run: int, commits: int, documents: int, size: int) -> None:
    """``commits`` one-document commits spread over a second, each updating one of the documents (with a
    ``size``-byte string field)."""
    collection = _client(address).collection(f"{COLLECTION}-{run}")
    start, seconds, pad = time.monotonic(), 1.0, "x" * size
    for i in range(commits):
        collection.document(f"d{i % documents:05d}").set({"n": i, "run": run, "pad": pad})
        pause = start + seconds * (i + 1) / commits - time.monotonic()
        if pause > 0:
            time.sleep(pause)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(address: str, run: int, commits: int, documents: int, size: int) -> tuple[float, float, int]:
    """(client CPU seconds, seconds until the last commit was seen, snapshots) for one burst."""
    collection = _client(address).collection(f"{COLLECTION}-{run}")
    batch = collection._client.batch()
    for i in range(documents):
        batch.set(collection.document(f"d{i:05d}"), {"n": -1, "run": run})
        if i % 400 == 399:
            batch.commit()
            batch = collection._client.batch()
    batch.commit()
    ready, done = threading.Event(), threading.Event()
    snapshots = [0]
    last = f"d{(commits - 1) % documents:05d}"

    def on_snapshot(docs: list[Any], changes: list[Any], read_time: Any) -> None:
        snapshots[0] += 1
        if not ready.is_set():
            ready.set()
            return
        for change in changes:
            if change.document.id == last and change.document.get("n") == commits - 1:
                done.set()

    watch = collection.on_snapshot(on_snapshot)
    try:
        if not ready.wait(60):
            raise RuntimeError("the listener never had its first snapshot")
        snapshots[0] = 0
        writer = multiprocessing.get_context("spawn").Process(
            target=_writer, args=(address, run, commits, documents, size)
        )
        cpu, start = _cpu(), time.monotonic()
        writer.start()
        if not done.wait(300):
            raise RuntimeError("the listener never saw the last commit")
        elapsed, used = time.monotonic() - start, _cpu() - cpu
        writer.join(30)
    finally:
        watch.unsubscribe()
    return used, elapsed, snapshots[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--address", help="an emulator's host:port (default: start the embedded one)")
    parser.add_argument("--commits", type=int, default=200, help="one-document commits in the burst (200)")
    parser.add_argument("--documents", type=int, default=500, help="documents the listened collection holds")
    parser.add_argument("--size", type=int, default=0, help="bytes of padding per written document (0)")
    parser.add_argument("--runs", type=int, default=2, help="bursts measured (after one warm-up)")
    args = parser.parse_args()
    if args.address:
        run_all(args.address, args)
        return
    from firestore_emulator import Emulator

    with Emulator() as emulator:
        run_all(emulator.address, args)


def run_all(address: str, args: argparse.Namespace) -> None:
    measure(address, 0, 20, args.documents, args.size)  # warm-up
    for run in range(1, args.runs + 1):
        cpu, elapsed, snapshots = measure(address, run, args.commits, args.documents, args.size)
        print(
            f"{args.commits} commits of {args.size:,}-byte padding in ~1 s, {args.documents} documents held: "
            f"client CPU {cpu:.2f} s, "
            f"last seen after {elapsed:.2f} s, {snapshots} snapshots",
            flush=True,
        )


if __name__ == "__main__":
    main()
