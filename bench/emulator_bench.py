"""Benchmark of the embedded Firestore emulator, through real clients over gRPC against a child-process emulator.

Prints: single-document writes/s (in memory and with SQLite persistence), 500-write commits/s, a query over 10,000 documents, and commit -> listener
latency p50/p99 with 1 and 100 listeners. The machine is shared and noisy, so every figure is also given as a
ratio to a baseline measured in the same run: the round trip of a GetDocument (a read of a missing document),
the cheapest RPC the server answers.

Run: .venv/bin/python bench/emulator_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

import grpc
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.types import firestore as firestore_types
from google.cloud.firestore_v1.types import write as write_types

from firestore_emulator import Emulator

PROJECT = "bench"
DATABASE = f"projects/{PROJECT}/databases/(default)"
ListenRequest = firestore_types.ListenRequest.pb()
ListenResponse = firestore_types.ListenResponse.pb()
CommitRequest = firestore_types.CommitRequest.pb()
CommitResponse = firestore_types.CommitResponse.pb()
Write = write_types.Write.pb()


def rate(count: int, action: Callable[[int], object]) -> float:
    """Operations per second of ``action(i)`` for i in range(count)."""
    started = time.perf_counter()
    for index in range(count):
        action(index)
    return count / (time.perf_counter() - started)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def baseline_round_trip(client: firestore.Client, count: int) -> list[float]:
    """Latencies (s) of GetDocument on a missing document."""
    doc = client.collection("baseline").document("missing")
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        doc.get()
        samples.append(time.perf_counter() - started)
    return samples


def bench_writes(client: firestore.Client, count: int) -> float:
    collection = client.collection("single")
    return rate(count, lambda i: collection.document(f"d{i}").set({"i": i, "text": "x" * 100}))


def bench_persisted_writes(count: int) -> float:
    """Single-document writes/s against a second emulator that persists to SQLite."""
    with tempfile.TemporaryDirectory() as data_dir, Emulator(data_dir=data_dir) as emulator:
        os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.address
        client = firestore.Client(project=PROJECT)
        try:
            return bench_writes(client, count)
        finally:
            client.close()


def bench_batches(client: firestore.Client, count: int) -> float:
    collection = client.collection("batches")

    def commit(round_index: int) -> None:
        batch = client.batch()
        for index in range(500):
            batch.set(collection.document(f"r{round_index}-{index}"), {"i": index, "round": round_index})
        batch.commit()

    return rate(count, commit)


def bench_query(client: firestore.Client, documents: int, repeats: int) -> tuple[float, float, int]:
    """Seconds per filtered+ordered query and per count() over ``documents`` docs; and the query's result size."""
    collection = client.collection("big")
    for start in range(0, documents, 500):
        batch = client.batch()
        for index in range(start, min(start + 500, documents)):
            batch.set(collection.document(f"d{index:05d}"), {"n": index, "group": index % 10})
        batch.commit()
    query = (
        collection.where(filter=FieldFilter("group", "==", 3))
        .order_by("n", direction="DESCENDING")
        .limit(100)
    )
    count: Any = collection.where(
        filter=FieldFilter("n", ">=", documents // 2)
    ).count()  # the stubs mistype get()
    results = len(list(query.stream()))
    started = time.perf_counter()
    for _ in range(repeats):
        list(query.stream())
    per_query = (time.perf_counter() - started) / repeats
    started = time.perf_counter()
    for _ in range(repeats):
        count.get()
    per_count = (time.perf_counter() - started) / repeats
    return per_query, per_count, results


async def bench_listeners(address: str, listeners: int, commits: int) -> list[float]:
    """Seconds from sending a Commit until each of ``listeners`` Listen streams receives the change."""
    name = f"{DATABASE}/documents/latency/doc-{listeners}"
    async with grpc.aio.insecure_channel(address) as channel:
        listen = channel.stream_stream(
            "/google.firestore.v1.Firestore/Listen",
            request_serializer=ListenRequest.SerializeToString,
            response_deserializer=ListenResponse.FromString,
        )
        commit = channel.unary_unary(
            "/google.firestore.v1.Firestore/Commit",
            request_serializer=CommitRequest.SerializeToString,
            response_deserializer=CommitResponse.FromString,
        )
        request = ListenRequest(database=DATABASE)
        request.add_target.target_id = 1
        request.add_target.documents.documents.append(name)
        calls = [listen(iter([request])) for _ in range(listeners)]
        received: dict[int, list[float]] = {i: [] for i in range(commits)}
        ready = asyncio.Event()
        current = [0]

        async def consume(call: grpc.aio.StreamStreamCall, first: asyncio.Event) -> None:
            async for response in call:
                if (
                    response.WhichOneof("response_type") == "target_change"
                    and response.target_change.target_change_type == 1
                ):
                    first.set()  # NO_CHANGE=0, ADD=2, CURRENT=1: initial state delivered
                elif response.WhichOneof("response_type") == "document_change":
                    value = response.document_change.document.fields["seq"].integer_value
                    received[value].append(time.perf_counter())
                    if len(received[value]) == listeners and value == current[0]:
                        ready.set()

        currents = [asyncio.Event() for _ in calls]
        tasks = [
            asyncio.create_task(consume(call, event)) for call, event in zip(calls, currents, strict=True)
        ]
        await asyncio.wait_for(asyncio.gather(*(event.wait() for event in currents)), 60)
        latencies: list[float] = []
        for seq in range(commits):
            current[0] = seq
            ready.clear()
            write = Write()
            write.update.name = name
            write.update.fields["seq"].integer_value = seq
            sent = time.perf_counter()
            await commit(CommitRequest(database=DATABASE, writes=[write]))
            await asyncio.wait_for(ready.wait(), 30)
            latencies.extend(t - sent for t in received[seq])
        for call in calls:
            call.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return latencies


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    args = parser.parse_args()
    scale = 0.1 if args.quick else 1.0
    with Emulator() as emulator:
        os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.address
        client = firestore.Client(project=PROJECT)
        baseline = baseline_round_trip(client, int(2000 * scale))
        base_p50 = statistics.median(baseline)
        base_rate = 1 / statistics.mean(baseline)
        print(f"baseline GetDocument round trip: p50 {base_p50 * 1e3:.3f} ms, {base_rate:,.0f} calls/s")

        writes = bench_writes(client, int(2000 * scale))
        print(f"single-document writes: {writes:,.0f} writes/s ({writes / base_rate:.2f}x baseline calls/s)")
        persisted = bench_persisted_writes(int(2000 * scale))
        print(
            f"single-document writes with --data-dir (SQLite): {persisted:,.0f} writes/s ({persisted / writes:.2f}x in memory)"
        )
        os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.address

        batches = bench_batches(client, max(int(40 * scale), 4))
        print(f"500-write commits: {batches:,.1f} commits/s = {batches * 500:,.0f} documents/s")

        per_query, per_count, size = bench_query(client, 10_000, max(int(20 * scale), 3))
        print(
            f"query over 10,000 documents (==, order by, limit 100 -> {size} docs): {per_query * 1e3:.1f} ms "
            f"({per_query / base_p50:.0f}x baseline); count() of 5,000: {per_count * 1e3:.1f} ms"
        )
        client.close()
        for listeners in (1, 100):
            samples = asyncio.run(bench_listeners(emulator.address, listeners, max(int(200 * scale), 20)))
            p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
            print(
                f"commit -> listener latency, {listeners} listener(s): p50 {p50 * 1e3:.2f} ms, p99 {p99 * 1e3:.2f} ms "
                f"({p50 / base_p50:.1f}x / {p99 / base_p50:.1f}x baseline p50; {len(samples)} samples)"
            )


if __name__ == "__main__":
    main()
