"""The embedded emulator's Listen fan-out alone (issue 18), for A/B runs of two trees on a loaded machine.

Two figures, for the tree this is run from (its ``firestore_emulator`` and ``bench``):

- ``--in-process``: one commit told to ``--listeners`` sessions with a query target on one collection, each
  session's responses built and serialised as the gRPC server would: the per-stream cost (median and minimum of
  ``--commits`` commits), no gRPC, no clients;
- otherwise the Listen phases of ``emulators_load`` on the embedded emulator only (its listener and writer
  processes): fan-out p50 of 5 probe commits, and sustained commits/s with the listeners open (two phases of
  ``--seconds``).

Run it from each tree in turn, interleaved (``cd <tree> && .venv/bin/python bench/listen_fanout_bench.py``), and
compare the runs next to each other: absolute figures drift with the machine's load.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import time
from typing import Any

import grpc

import firestore_emulator
from bench import emulators_load_bench as load
from firestore_emulator import Emulator
from firestore_emulator import protos as P
from firestore_emulator.listen import ListenSession
from firestore_emulator.names import parse_database
from firestore_emulator.store import Database, Store

DATABASE = "projects/demo-fanout/databases/(default)"
DOCUMENTS = f"{DATABASE}/documents"
HELD = 10  # documents in the listened collection


def _serialise(response: Any) -> bytes:
    return response if isinstance(response, bytes) else response.SerializeToString()  # type: ignore[no-any-return]


def _commit(db: Database, index: int, value: int) -> None:
    time_ = db.next_commit_time()
    doc = P.Document(name=f"{DOCUMENTS}/watched/d{index}")
    doc.fields["n"].integer_value = value
    doc.fields["s"].string_value = "x" * 40
    doc.create_time.CopyFrom(P.timestamp(time_))
    doc.update_time.CopyFrom(P.timestamp(time_))
    db.commit(time_, {doc.name: doc})


def _answer(session: ListenSession, item: Any) -> list[Any]:
    if hasattr(session, "handle_commits"):
        return session.handle_commits([item])  # type: ignore[no-any-return]
    return session.handle_commit(*item)  # type: ignore[attr-defined,no-any-return]  # before the batches


async def in_process(listeners: int, commits: int) -> tuple[float, float]:
    """(median, minimum) microseconds per stream to answer one commit."""
    db = Store().database(parse_database(DATABASE))
    for index in range(HELD):
        _commit(db, index, 0)
    request = P.ListenRequest(database=DATABASE)
    request.add_target.target_id = 1
    request.add_target.query.parent = DOCUMENTS
    request.add_target.query.structured_query.from_.add(collection_id="watched")
    sessions = []
    for _ in range(listeners):
        session = ListenSession(db, asyncio.Queue())
        for response in session.handle_request(request):
            _serialise(response)
        add = getattr(db, "add_listener", None)  # a store that indexes its listeners' scopes
        if add is not None:
            add(session)
        else:
            db.listeners.add(session)
        sessions.append(session)
    costs = []
    for value in range(commits):
        _commit(db, value % HELD, value + 1)
        start = time.perf_counter()
        for session in sessions:
            for response in _answer(session, session.queue.get_nowait()):
                _serialise(response)
        costs.append((time.perf_counter() - start) / listeners * 1e6)
    return statistics.median(costs), min(costs)


def over_grpc(listeners: int, seconds: float) -> tuple[float, list[float]]:
    """(fan-out p50 seconds, sustained commits/s of each phase) on the embedded emulator."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(load.CLIENTS) as pool, Emulator() as emulator:
        channel = grpc.insecure_channel(emulator.address)
        commit = channel.unary_unary(
            "/google.firestore.v1.Firestore/Commit",
            request_serializer=load.CommitRequest.SerializeToString,
            response_deserializer=load.CommitResponse.FromString,
        )
        with load.listeners(emulator.address, listeners) as (out, processes):
            latencies = []
            for probe in range(6):  # the first warms up
                sent = time.monotonic()
                commit(load.commit_request([(f"{load.WATCHED}/probe", probe)], -1), metadata=load.OWNER)
                seen = load.wait_seen(out, processes, "probe", probe, 120)
                if probe:
                    latencies.append(seen - sent)
            rates = []
            for phase in range(2):
                start = time.monotonic() + 0.5
                tasks = [
                    ("watched", emulator.address, writer, start, seconds) for writer in range(load.CLIENTS)
                ]
                made = pool.map(load._client, tasks)
                commit(load.commit_request([(f"{load.WATCHED}/marker", phase)], -1), metadata=load.OWNER)
                delivered = load.wait_seen(out, processes, "marker", phase, 300)
                rates.append((sum(made) + 1) / (delivered - start))
        channel.close()
    return statistics.median(latencies), rates


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--in-process", action="store_true", help="the per-stream cost, without gRPC")
    parser.add_argument("--listeners", type=int, default=1000, help="Listen streams (1,000)")
    parser.add_argument("--commits", type=int, default=100, help="commits measured in process (100)")
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds per sustained phase (2)")
    args = parser.parse_args()
    tree = firestore_emulator.__file__.rsplit("/", 3)[-3]
    if args.in_process:
        median, least = asyncio.run(in_process(args.listeners, args.commits))
        print(
            f"{tree}: one commit to {args.listeners:,} streams: {median:.1f} µs per stream (min {least:.1f})"
        )
        return
    p50, rates = over_grpc(args.listeners, args.seconds)
    sustained = " / ".join(f"{rate:.1f}" for rate in rates)
    print(
        f"{tree}: {args.listeners:,} listeners: fan-out p50 {p50 * 1e3:.1f} ms, sustained {sustained} commits/s"
    )


if __name__ == "__main__":
    main()
