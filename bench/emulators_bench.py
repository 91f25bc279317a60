"""Benchmark of the two Firestore emulators side by side: the embedded one and Google's (the Java one gcloud ships).

Three operations, over raw gRPC (the server's cost, not a client library's): a single-document GetDocument, a
RunQuery over a collection of N documents (``owner == uid order by n desc limit 100``, the shape of the job list's
query), and 500-write Commits. Each is measured, in the same run, on:

- the embedded emulator with rules off: the baseline, every other figure is given as a ratio to it;
- the embedded emulator with rules on (``Emulator(rules=PATH)``), requests carrying a user's token;
- Google's emulator with rules on, requests carrying a user's token (evaluated);
- Google's emulator with rules on, requests carrying the owner token (rules bypassed);
- a gRPC server that does nothing (``canned_server``: grpcio's threaded server answering each method with
  bytes serialised once, requests left unparsed): the ceiling a Python server can reach with this client on
  this machine, since each figure is one client's round trips. A target twice as fast as another is possible
  only where the ceiling is above twice the other's figure; the bench prints each;
- the same on grpc.aio (the embedded emulator's own server, on an event loop of its own): what the emulator
  could reach if its work per request were nothing.

The rules are the benchmark's own (below): the shape of ``infra/firestore.rules`` (the caller must own what it
reads), but letting the owner write, so that commits are evaluated and pass rather than being refused. Every
operation is warmed up before it is measured (the JVM compiles as it goes). The machine is shared and noisy: read
the ratios, not the absolute figures.

Run: .venv/bin/python -m bench emulators [--quick] [--documents N]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import itertools
import json
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.cloud.firestore_v1.types import document as document_types
from google.cloud.firestore_v1.types import firestore as firestore_types
from google.cloud.firestore_v1.types import query as query_types
from google.cloud.firestore_v1.types import write as write_types

from firestore_emulator import Emulator

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the harness for Google's emulator
from google_firestore import GoogleEmulator, unavailable_reason

PROJECT = "demo-bench"
DATABASE = f"projects/{PROJECT}/databases/(default)"
DOCUMENTS = f"{DATABASE}/documents"
USER = "bench-user"
COMMIT_WRITES = 500  # Firestore's most writes in one commit
QUERY_LIMIT = 100
RULES = """rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    function signedIn() {
      return request.auth != null;
    }
    match /jobs/{jobId} {
      allow get, list: if signedIn() && resource.data.owner == request.auth.uid;
      allow write: if signedIn() && request.resource.data.owner == request.auth.uid;
    }
    match /batches/{docId} {
      allow write: if signedIn() && request.resource.data.owner == request.auth.uid;
    }
    match /{document=**} {
      allow read, write: if false;
    }
  }
}
"""

GetDocumentRequest = firestore_types.GetDocumentRequest.pb()
RunQueryRequest = firestore_types.RunQueryRequest.pb()
RunQueryResponse = firestore_types.RunQueryResponse.pb()
CommitRequest = firestore_types.CommitRequest.pb()
CommitResponse = firestore_types.CommitResponse.pb()
Document = document_types.Document.pb()
StructuredQuery = query_types.StructuredQuery.pb()
Write = write_types.Write.pb()


CANNED_SERVER_THREADS = 4  # grpcio's threaded server; the client is one thread, so more would not be used


def canned_answers() -> tuple[bytes, list[bytes], bytes]:
    """What the emulators answer to the get, the query and the commit, serialised once."""
    one = Document(name=f"{DOCUMENTS}/jobs/one")
    one.fields["owner"].string_value = USER
    one.fields["n"].integer_value = -1
    found = [RunQueryResponse(document=one).SerializeToString() for _ in range(QUERY_LIMIT)]
    committed = CommitResponse()
    for _ in range(COMMIT_WRITES):
        committed.write_results.add().update_time.GetCurrentTime()
    committed.commit_time.GetCurrentTime()
    return one.SerializeToString(), found, committed.SerializeToString()


def canned_handlers(*, asynchronous: bool) -> grpc.GenericRpcHandler:
    """GetDocument, RunQuery and Commit answered with the canned bytes (coroutines for grpc.aio)."""
    document, found, answer = canned_answers()
    if asynchronous:

        async def get(_request: bytes, _context: Any) -> bytes:
            return document

        async def query(_request: bytes, _context: Any) -> AsyncIterator[bytes]:
            for response in found:
                yield response

        async def commit(_request: bytes, _context: Any) -> bytes:
            return answer

        methods: tuple[Callable[..., Any], ...] = (get, query, commit)
    else:
        methods = (lambda _request, _context: document, lambda _r, _c: iter(found), lambda _r, _c: answer)
    handlers = {
        "GetDocument": grpc.unary_unary_rpc_method_handler(methods[0]),
        "RunQuery": grpc.unary_stream_rpc_method_handler(methods[1]),
        "Commit": grpc.unary_unary_rpc_method_handler(methods[2]),
    }
    return grpc.method_handlers_generic_handler("google.firestore.v1.Firestore", handlers)


@contextlib.contextmanager
def canned_server(*, asynchronous: bool) -> Iterator[str]:
    """The address of a gRPC server that does nothing but answer (see the module docstring): grpcio's threaded
    server, or grpc.aio on an event loop of its own (the embedded emulator's server, without the emulator)."""
    if not asynchronous:
        server = grpc.server(futures.ThreadPoolExecutor(CANNED_SERVER_THREADS))
        server.add_generic_rpc_handlers((canned_handlers(asynchronous=False),))
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        try:
            yield f"127.0.0.1:{port}"
        finally:
            server.stop(None)
        return
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="canned-grpc-aio", daemon=True)
    thread.start()

    async def start() -> tuple[grpc.aio.Server, int]:
        aio = grpc.aio.server()
        aio.add_generic_rpc_handlers((canned_handlers(asynchronous=True),))
        bound = aio.add_insecure_port("127.0.0.1:0")
        await aio.start()
        return aio, bound

    aio, port = asyncio.run_coroutine_threadsafe(start(), loop).result()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(aio.stop(None), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


def ceiling(scale: Scale, *, asynchronous: bool) -> Figures:
    """The figures of one client against a server doing nothing."""
    with canned_server(asynchronous=asynchronous) as address:
        client = Client(address, OWNER)
        try:
            return measure(client, scale, "canned", canned=True)
        finally:
            client.close()


def user_token(uid: str) -> str:
    """An unsigned Firebase ID token, as ``@firebase/rules-unit-testing`` sends to an emulator (``alg: none``)."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    now = int(time.time())
    claims = {
        "iss": f"https://securetoken.google.com/{PROJECT}",
        "aud": PROJECT,
        "iat": now,
        "exp": now + 3600,
        "auth_time": now,
        "sub": uid,
        "user_id": uid,
        "firebase": {"sign_in_provider": "custom", "identities": {}},
    }
    return f"{part({'alg': 'none', 'type': 'JWT'})}.{part(claims)}."


OWNER = [
    ("authorization", "Bearer owner")
]  # what server client libraries send to an emulator: rules bypassed
AS_USER = [("authorization", f"Bearer {user_token(USER)}")]


class Client:
    """The three RPCs the benchmark times, over one insecure channel, with the given call metadata."""

    def __init__(self, address: str, metadata: list[tuple[str, str]]) -> None:
        self.channel = grpc.insecure_channel(address)
        self.metadata = metadata
        method = "/google.firestore.v1.Firestore/"
        self._get = self.channel.unary_unary(
            method + "GetDocument", GetDocumentRequest.SerializeToString, Document.FromString
        )
        self._query = self.channel.unary_stream(
            method + "RunQuery", RunQueryRequest.SerializeToString, RunQueryResponse.FromString
        )
        self._commit = self.channel.unary_unary(
            method + "Commit", CommitRequest.SerializeToString, CommitResponse.FromString
        )

    def get(self, name: str) -> Any:
        return self._get(GetDocumentRequest(name=f"{DOCUMENTS}/{name}"), metadata=self.metadata)

    def query(self) -> int:
        """The job list's query: this user's jobs, newest first, one page; the number of documents answered."""
        query = StructuredQuery()
        query.from_.add().collection_id = "jobs"
        where = query.where.field_filter
        where.field.field_path = "owner"
        where.op = StructuredQuery.FieldFilter.Operator.EQUAL
        where.value.string_value = USER
        order = query.order_by.add()
        order.field.field_path = "n"
        order.direction = StructuredQuery.Direction.DESCENDING
        query.limit.value = QUERY_LIMIT
        request = RunQueryRequest(parent=DOCUMENTS, structured_query=query)
        return sum(
            1 for response in self._query(request, metadata=self.metadata) if response.HasField("document")
        )

    def commit(self, documents: list[tuple[str, dict[str, Any]]]) -> None:
        writes = []
        for name, fields in documents:
            write = Write()
            write.update.name = f"{DOCUMENTS}/{name}"
            for key, value in fields.items():
                if isinstance(value, str):
                    write.update.fields[key].string_value = value
                else:
                    write.update.fields[key].integer_value = value
            writes.append(write)
        self._commit(CommitRequest(database=DATABASE, writes=writes), metadata=self.metadata)

    def close(self) -> None:
        self.channel.close()


@dataclass
class Figures:
    """Operations per second of each benchmarked operation on one target."""

    gets: float
    queries: float
    commits: float


@dataclass
class Scale:
    documents: int  # in the queried collection, half of them the user's
    gets: int
    queries: int
    commits: int

    def warm_up(self, count: int) -> int:
        return max(count // 5, 3)


def rate(count: int, action: Callable[[int], object]) -> float:
    """Operations per second of ``action(i)`` for i in range(count)."""
    started = time.perf_counter()
    for index in range(count):
        action(index)
    return count / (time.perf_counter() - started)


def seed(owner: Client, documents: int) -> None:
    """``documents`` jobs (half the user's, half someone else's) and one for the single-document get."""
    for start in range(0, documents, COMMIT_WRITES):
        owner.commit(
            [
                (f"jobs/q{index:06d}", {"owner": USER if index % 2 else "someone-else", "n": index})
                for index in range(start, min(start + COMMIT_WRITES, documents))
            ]
        )
    owner.commit([("jobs/one", {"owner": USER, "n": -1})])


def measure(client: Client, scale: Scale, label: str, *, canned: bool = False) -> Figures:
    """Warm each operation up, then time it; the commits write documents the user owns (outside the queried
    collection, so the query answers the same on every target), fresh names each round."""
    rounds = itertools.count()

    def commit(_: int) -> None:
        round_index = next(rounds)
        client.commit(
            [(f"batches/c{round_index}-{i}", {"owner": USER, "n": i}) for i in range(COMMIT_WRITES)]
        )

    answered = client.query()
    expected = (
        QUERY_LIMIT if canned else min(QUERY_LIMIT, scale.documents // 2 + 1)
    )  # the user's half, jobs/one
    if answered != expected:
        raise RuntimeError(f"{label}: the query answered {answered} documents")
    for count, action in (
        (scale.gets, lambda _: client.get("jobs/one")),
        (scale.queries, lambda _: client.query()),
    ):
        rate(scale.warm_up(count), action)
    rate(scale.warm_up(scale.commits), commit)
    return Figures(
        gets=rate(scale.gets, lambda _: client.get("jobs/one")),
        queries=rate(scale.queries, lambda _: client.query()),
        commits=rate(scale.commits, commit),
    )


@contextlib.contextmanager
def embedded(rules_path: str | None) -> Iterator[str]:
    """The embedded emulator's address (with the rules loaded when a path is given)."""
    options: dict[str, Any] = {} if rules_path is None else {"rules": rules_path}
    with Emulator(**options) as emulator:
        yield emulator.address


def run_target(
    address: str, metadata: list[tuple[str, str]], scale: Scale, label: str, *, fresh: bool
) -> Figures:
    """Seed (when ``fresh``, with the owner token) and measure one target."""
    if fresh:
        owner = Client(address, OWNER)
        try:
            seed(owner, scale.documents)
        finally:
            owner.close()
    client = Client(address, metadata)
    try:
        return measure(client, scale, label)
    finally:
        client.close()


def report(label: str, figures: Figures | None, baseline: Figures, why_not: str = "") -> None:
    if figures is None:
        print(f"{label:<44} skipped: {why_not}")
        return
    cells = []
    for name, value, base, unit in (
        ("get", figures.gets, baseline.gets, "/s"),
        ("query", figures.queries, baseline.queries, "/s"),
        ("commit", figures.commits, baseline.commits, "/s"),
    ):
        cells.append(f"{name} {value:>8,.1f}{unit} ({value / base:5.2f}x)")
    print(f"{label:<44} " + "  ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    parser.add_argument("--documents", type=int, default=5000, help="documents in the queried collection")
    args = parser.parse_args()
    factor = 0.1 if args.quick else 1.0
    scale = Scale(
        documents=args.documents,
        gets=max(int(2000 * factor), 20),
        queries=max(int(200 * factor), 5),
        commits=max(int(30 * factor), 3),
    )
    print(
        f"get: one document; query: {scale.documents:,} documents, owner == uid order by n desc limit {QUERY_LIMIT}; "
        f"commit: {COMMIT_WRITES} writes. Ratios are to the embedded emulator with rules off."
    )
    with tempfile.TemporaryDirectory() as scratch:
        rules_path = str(Path(scratch) / "bench.rules")
        Path(rules_path).write_text(RULES)
        with embedded(None) as address:
            baseline = run_target(address, OWNER, scale, "embedded", fresh=True)
        report("embedded, rules off (baseline)", baseline, baseline)

        with embedded(rules_path) as address:
            report(
                "embedded, rules on, user token",
                run_target(address, AS_USER, scale, "embedded rules", fresh=True),
                baseline,
            )

        roof = ceiling(scale, asynchronous=False)
        report("do-nothing server, threads (client's ceiling)", roof, baseline)
        report("do-nothing server, grpc.aio (emulator's)", ceiling(scale, asynchronous=True), baseline)

        reason = unavailable_reason()
        if reason is not None:
            report("Google's, rules on", None, baseline, reason)
            return
        with GoogleEmulator(rules=rules_path) as google:
            user = run_target(google.address, AS_USER, scale, "Google's rules", fresh=True)
            report("Google's, rules on, user token", user, baseline)
            owner = run_target(google.address, OWNER, scale, "Google's owner", fresh=False)
            report("Google's, rules on, owner token (bypassed)", owner, baseline)
        best = [max(pair) for pair in zip(vars(user).values(), vars(owner).values(), strict=True)]
        print(
            "twice Google's best (rules on or bypassed) against the client's ceiling: "
            + "  ".join(
                f"{name} {2 * google:,.1f}/s vs {top:,.1f}/s ({'possible' if top > 2 * google else 'impossible'})"
                for name, google, top in zip(
                    ("get", "query", "commit"), best, vars(roof).values(), strict=True
                )
            )
        )


if __name__ == "__main__":
    main()
