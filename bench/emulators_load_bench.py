"""The two Firestore emulators under concurrent clients (issue 18): the embedded one against Google's, same run.

Every figure is measured on both, one after the other, with the same client processes, rules off (requests carry
the owner token, as server libraries send), each operation warmed up first (the JVM compiles as it goes), and
printed with the ratio embedded / Google's (the goal: ≥ 2 on every line; for latencies the ratio is Google's /
embedded, so that above 1 still means the embedded one is ahead):

- writes/s: ``CLIENTS`` (8) client processes each committing one-document writes, as fast as they are answered;
- commits/s: the 8 processes each sending 500-write commits;
- Listen fan-out: ``LISTENERS`` (1,000) Listen streams spread over the 8 processes (several connections each),
  every one with a query target on one collection. One commit of a document there: the time until the last of
  the 1,000 streams has it (p50 and worst over ``--probes`` commits, one at a time);
- sustained commits/s with the 1,000 listeners open: the 8 processes commit one-document writes into the
  listened collection for ``--seconds``; then a marker commit; the rate is the commits made divided by the time
  until every listener has had the marker (each listener had every commit before it: what was committed was also
  delivered).

Over raw gRPC (the server's cost, not a client library's). The machine is shared and noisy: read the ratios of one
run, not figures across runs. Google's emulator is started when installed (else its lines say why not).

Run: .venv/bin/python -m bench emulators_load [--quick] [--seconds S] [--listeners N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grpc
from google.cloud.firestore_v1.types import firestore as firestore_types
from google.cloud.firestore_v1.types import query as query_types
from google.cloud.firestore_v1.types import write as write_types

from firestore_emulator import Emulator
from firestore_emulator.google import GoogleEmulator, unavailable_reason

PROJECT = "demo-load"
DATABASE = f"projects/{PROJECT}/databases/(default)"
DOCUMENTS = f"{DATABASE}/documents"
CLIENTS = 8  # client processes
LISTENERS = 1000  # Listen streams in all
QUICK_LISTENERS = 200  # with --quick: Google's emulator takes ~10 s to deliver one commit to 1,000
STREAMS_PER_CHANNEL = (
    50  # Listen streams per connection (HTTP/2 servers cap concurrent streams per connection)
)
COMMIT_WRITES = 500
WATCHED = "watched"  # the listened collection
OWNER = [("authorization", "Bearer owner")]
# what the client libraries send with a Listen (Google's emulator answers none without it)
LISTEN_METADATA = [*OWNER, ("google-cloud-resource-prefix", DATABASE)]
NO_SHARED_CONNECTIONS = [("grpc.use_local_subchannel_pool", 1)]  # one connection per channel

CommitRequest = firestore_types.CommitRequest.pb()
CommitResponse = firestore_types.CommitResponse.pb()
ListenRequest = firestore_types.ListenRequest.pb()
ListenResponse = firestore_types.ListenResponse.pb()
StructuredQuery = query_types.StructuredQuery.pb()
Write = write_types.Write.pb()
CURRENT = firestore_types.TargetChange.TargetChangeType.CURRENT


def commit_request(names_and_values: list[tuple[str, int]], writer: int) -> Any:
    """A Commit of documents ``{DOCUMENTS}/{name}`` each holding ``{"w": writer, "i": value}``."""
    writes = []
    for name, value in names_and_values:
        write = Write()
        write.update.name = f"{DOCUMENTS}/{name}"
        write.update.fields["w"].integer_value = writer
        write.update.fields["i"].integer_value = value
        writes.append(write)
    return CommitRequest(database=DATABASE, writes=writes)


# --- client processes: writes and commits ---------------------------------------------------------------------


def _client(task: tuple[str, str, int, float, float]) -> int:
    """One client process's share: ``kind`` (``write``: one-document commits; ``commit``: 500-write commits;
    ``watched``: one-document commits into the listened collection) from ``start`` (time.monotonic, the same
    clock in every process) until ``start + seconds``; returns the commits it made."""
    kind, address, writer, start, seconds = task
    channel = grpc.insecure_channel(address, options=NO_SHARED_CONNECTIONS)
    commit = channel.unary_unary(
        "/google.firestore.v1.Firestore/Commit",
        request_serializer=CommitRequest.SerializeToString,
        response_deserializer=CommitResponse.FromString,
    )
    commit(commit_request([(f"warm/w{writer}", 0)], writer), metadata=OWNER)  # connected before the start
    while time.monotonic() < start:
        time.sleep(0.001)
    end, count = start + seconds, 0
    while time.monotonic() < end:
        if kind == "commit":
            names = [(f"bulk/w{writer}-{count}-{i}", i) for i in range(COMMIT_WRITES)]
        elif kind == "watched":
            names = [(f"{WATCHED}/w{writer}", count)]
        else:
            names = [(f"single/w{writer}-{count % 1000}", count)]
        commit(commit_request(names, writer), metadata=OWNER)
        count += 1
    channel.close()
    return count


def concurrent_rate(pool: Any, kind: str, address: str, seconds: float) -> float:
    """Commits per second of the ``CLIENTS`` processes together, all starting at one moment."""
    start = time.monotonic() + 0.5  # every process connected and waiting
    counts = pool.map(_client, [(kind, address, writer, start, seconds) for writer in range(CLIENTS)])
    return sum(counts) / seconds


# --- listener processes ---------------------------------------------------------------------------------------


def _listener(address: str, streams: int, out: Any) -> None:
    """``streams`` Listen streams, each with a query target on the watched collection. Puts ``("ready",)`` once
    every stream is current, then ``(name, value, time)`` whenever the last of its streams has had a document
    ``probe`` or ``marker`` holding value ``i``."""
    asyncio.run(_listen(address, streams, out))


async def _listen(address: str, streams: int, out: Any) -> None:
    channels = [
        grpc.aio.insecure_channel(address, options=NO_SHARED_CONNECTIONS)
        for _ in range(-(-streams // STREAMS_PER_CHANNEL))
    ]
    query = StructuredQuery()
    query.from_.add().collection_id = WATCHED
    request = ListenRequest(database=DATABASE)
    request.add_target.target_id = 1
    request.add_target.query.parent = DOCUMENTS
    request.add_target.query.structured_query.CopyFrom(query)
    seen: dict[tuple[str, int], int] = {}
    current = [0]
    ready = asyncio.Event()

    async def stream(channel: grpc.aio.Channel) -> None:
        listen = channel.stream_stream(
            "/google.firestore.v1.Firestore/Listen",
            request_serializer=ListenRequest.SerializeToString,
            response_deserializer=ListenResponse.FromString,
        )

        async def requests() -> Any:  # the client's side stays open (a half-closed Listen may be ended)
            yield request
            await asyncio.Event().wait()

        is_current = False
        async for response in listen(requests(), metadata=LISTEN_METADATA):
            kind = response.WhichOneof("response_type")
            if kind == "target_change" and response.target_change.target_change_type == CURRENT:
                if not is_current:
                    is_current = True
                    current[0] += 1
                    if current[0] == streams:
                        ready.set()
            elif kind == "document_change":
                doc = response.document_change.document
                name = doc.name.rsplit("/", 1)[1]
                if name in ("probe", "marker"):
                    key = (name, doc.fields["i"].integer_value)
                    seen[key] = seen.get(key, 0) + 1
                    if seen[key] == streams:
                        out.put((name, key[1], time.monotonic()))

    tasks = [asyncio.create_task(stream(channels[index // STREAMS_PER_CHANNEL])) for index in range(streams)]
    await ready.wait()
    out.put(("ready",))
    await asyncio.gather(*tasks)


@contextlib.contextmanager
def listeners(address: str, count: int) -> Iterator[Any]:
    """``count`` Listen streams over ``CLIENTS`` processes, all current; yields the queue they report on."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    shares = [count // CLIENTS + (1 if index < count % CLIENTS else 0) for index in range(CLIENTS)]
    processes = [
        context.Process(target=_listener, args=(address, share, out), daemon=True)
        for share in shares
        if share
    ]
    for process in processes:
        process.start()
    try:
        for _ in processes:
            message = out.get(timeout=120)
            if message != ("ready",):
                raise RuntimeError(f"a listener process said {message!r} before it was ready")
        yield out, len(processes)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(10)


def wait_seen(out: Any, processes: int, name: str, value: int, timeout: float) -> float:
    """The time (monotonic) when the last listener process reported that all its streams had ``name``=``value``."""
    last, reported = 0.0, 0
    deadline = time.monotonic() + timeout
    while reported < processes:
        message = out.get(timeout=max(deadline - time.monotonic(), 0.1))
        if message[:2] == (name, value):
            reported += 1
            last = max(last, message[2])
    return last


# --- the figures ----------------------------------------------------------------------------------------------


@dataclass
class Figures:
    writes: float  # one-document commits/s, 8 processes
    commits: float  # 500-write commits/s, 8 processes
    fanout_p50: float  # seconds: commit sent -> the last of the listeners has it
    fanout_max: float
    sustained: float  # commits/s into the listened collection, all delivered


def measure(address: str, pool: Any, args: argparse.Namespace, label: str) -> Figures:
    seconds, warm = args.seconds, max(args.seconds / 2, 2.0)  # the JVM compiles as it goes
    print(f"  {label}: writes…", end="", flush=True)
    concurrent_rate(pool, "write", address, warm)
    writes = concurrent_rate(pool, "write", address, seconds)
    print(" commits…", end="", flush=True)
    concurrent_rate(pool, "commit", address, warm)
    commits = concurrent_rate(pool, "commit", address, seconds)
    print(f" {args.listeners:,} listeners…", end="", flush=True)
    channel = grpc.insecure_channel(address)
    commit = channel.unary_unary(
        "/google.firestore.v1.Firestore/Commit",
        request_serializer=CommitRequest.SerializeToString,
        response_deserializer=CommitResponse.FromString,
    )
    try:
        with listeners(address, args.listeners) as (out, processes):
            latencies = []
            for probe in range(args.probes + 1):  # the first warms up
                sent = time.monotonic()
                commit(commit_request([(f"{WATCHED}/probe", probe)], -1), metadata=OWNER)
                seen = wait_seen(out, processes, "probe", probe, 120)
                if probe >= 1:
                    latencies.append(seen - sent)
            print(" sustained…", end="", flush=True)
            for phase, length in enumerate((warm, seconds)):
                start = time.monotonic() + 0.5
                made = pool.map(
                    _client, [("watched", address, writer, start, length) for writer in range(CLIENTS)]
                )
                commit(commit_request([(f"{WATCHED}/marker", phase)], -1), metadata=OWNER)
                delivered = wait_seen(out, processes, "marker", phase, 300)
            sustained = (sum(made) + 1) / (delivered - start)
    finally:
        channel.close()
    print(" done", flush=True)
    return Figures(writes, commits, statistics.median(latencies), max(latencies), sustained)


def report(embedded: Figures, google: Figures | None, why_not: str) -> None:
    rows = [
        (
            f"writes/s, {CLIENTS} processes (1-document commits)",
            embedded.writes,
            google and google.writes,
            "",
        ),
        (
            f"commits/s, {CLIENTS} processes (500 writes each)",
            embedded.commits,
            google and google.commits,
            "",
        ),
        (
            f"fan-out to {LISTENERS_LABEL[0]} listeners, p50 ms",
            embedded.fanout_p50 * 1e3,
            google and google.fanout_p50 * 1e3,
            "latency",
        ),
        (
            f"fan-out to {LISTENERS_LABEL[0]} listeners, worst ms",
            embedded.fanout_max * 1e3,
            google and google.fanout_max * 1e3,
            "latency",
        ),
        (
            f"commits/s with {LISTENERS_LABEL[0]} listeners, all delivered",
            embedded.sustained,
            google and google.sustained,
            "",
        ),
    ]
    google_label = "Google's"
    print(f"\n{'figure':<52} {'embedded':>10} {google_label:>10} {'ratio':>7}")
    for label, ours, theirs, kind in rows:
        if theirs is None:
            print(f"{label:<52} {ours:>10,.1f} {'—':>10} {'—':>7}")
            continue
        ratio = theirs / ours if kind == "latency" else ours / theirs
        print(f"{label:<52} {ours:>10,.1f} {theirs:>10,.1f} {ratio:>6.2f}x")
    print("ratio: embedded / Google's for rates, Google's / embedded for latencies (above 1: embedded ahead)")
    if google is None:
        print(f"Google's emulator: skipped ({why_not})")


LISTENERS_LABEL = ["1,000"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"1 s phases, 3 probes, {QUICK_LISTENERS} listeners (a smoke run)",
    )
    parser.add_argument("--seconds", type=float, default=None, help="seconds per measured phase (default 10)")
    parser.add_argument("--listeners", type=int, default=None, help=f"Listen streams in all ({LISTENERS})")
    parser.add_argument(
        "--probes",
        type=int,
        default=None,
        help="fan-out commits measured (default 5: Google's takes ~10 s each)",
    )
    args = parser.parse_args()
    args.seconds = args.seconds or (1.0 if args.quick else 10.0)
    args.probes = args.probes or (3 if args.quick else 5)
    args.listeners = args.listeners or (QUICK_LISTENERS if args.quick else LISTENERS)
    LISTENERS_LABEL[0] = f"{args.listeners:,}"
    print(
        f"{CLIENTS} client processes; {args.listeners:,} Listen streams; {args.seconds:g} s per phase; "
        "rules off, owner token; each phase warmed up first"
    )
    context = multiprocessing.get_context("spawn")
    with context.Pool(CLIENTS) as pool:
        with Emulator() as emulator:
            embedded = measure(emulator.address, pool, args, "embedded")
        print(f"  embedded: {embedded}", flush=True)  # kept should Google's phases not finish
        google, why_not = None, unavailable_reason() or ""
        if not why_not:
            with GoogleEmulator() as google_emulator:
                google = measure(google_emulator.address, pool, args, "Google's")
    report(embedded, google, why_not)


if __name__ == "__main__":
    main()
