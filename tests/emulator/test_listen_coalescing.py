"""Listen under a backlog: commits queued for a stream that fell behind are answered as one snapshot.

Two kinds of tests. The first (``Stream``) drive the embedded emulator's real ``FirestoreService.listen`` in this
process, on a real store with real rules, and choose exactly when the stream runs: commits made while its consumer
does not pull queue up behind it, which is what a stream whose coroutine woke late (or whose client's
flow-control window was full) sees. They test the embedded emulator's message grouping, so they run on it
whatever ``TAILRUN_TEST_FIRESTORE`` says. The last ones use a real client (``on_snapshot``) on the session's
emulator, Google's too: a burst of concurrent commits (a backlog, on the embedded one, whenever its loop is busier
than the stream) ends in the same state as the documents read back.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import pytest
from google.cloud import firestore

from firestore_emulator import protos as P
from firestore_emulator.names import parse_database
from firestore_emulator.rules.decide import OWNER, Caller, RulesRegistry, unsigned_jwt
from firestore_emulator.service import FirestoreService
from firestore_emulator.store import Store

PROJECT = "coalescing"
DATABASE = f"projects/{PROJECT}/databases/(default)"
DOCUMENTS = f"{DATABASE}/documents"
NO_CHANGE = P.TargetChange.TargetChangeType.NO_CHANGE
REMOVE = P.TargetChange.TargetChangeType.REMOVE
WAIT_SECONDS = 20

ROOM_RULES = """rules_version = '2';
service cloud.firestore { match /databases/{d}/documents {
  match /rooms/{room}/lines/{line} {
    allow read: if request.auth.uid in get(/databases/$(d)/documents/rooms/$(room)).data.members;
  }
  match /other/{id} { allow read: if true; }
} }"""


def write(name: str, **fields: int) -> Any:
    """A set of ``{DOCUMENTS}/{name}`` to integer fields, or its delete when no fields are given."""
    request = P.Write()
    if not fields:
        request.delete = f"{DOCUMENTS}/{name}"
        return request
    request.update.name = f"{DOCUMENTS}/{name}"
    for key, value in fields.items():
        request.update.fields[key].integer_value = value
    return request


class ClientView:
    """What a watch implementation makes of the responses: changes gathered per document, applied at a global
    NO_CHANGE (a snapshot); targets removed by the server are noted with their cause."""

    def __init__(self) -> None:
        self.documents: dict[str, dict[str, int]] = {}
        self.snapshots = 0
        self.removed: dict[int, int] = {}  # target id -> the cause's code
        self._pending: dict[str, dict[str, int] | None] = {}

    def apply(self, response: Any) -> None:
        kind = response.WhichOneof("response_type")
        if kind == "document_change":
            change = response.document_change
            doc = change.document
            assert not set(change.target_ids) & set(self.removed), "a change for a removed target"
            fields = {k: v.integer_value for k, v in doc.fields.items()}
            self._pending[doc.name] = fields if change.target_ids else None
        elif kind == "document_delete":
            self._pending[response.document_delete.document] = None
        elif kind == "target_change":
            change = response.target_change
            if change.target_change_type == REMOVE:
                self.removed.update(dict.fromkeys(change.target_ids, change.cause.code))
            elif change.target_change_type == NO_CHANGE and not change.target_ids:
                self.snapshots += 1
                for name, fields in self._pending.items():
                    if fields is None:
                        self.documents.pop(name, None)
                    else:
                        self.documents[name] = fields
                self._pending.clear()

    @property
    def ids(self) -> dict[str, dict[str, int]]:
        """The documents by id (the last segment of their names)."""
        return {name.rsplit("/", 1)[1]: fields for name, fields in sorted(self.documents.items())}


class Stream:
    """One Listen stream on an in-process service: requests go in when the test says, responses are pulled only
    when it reads, so commits made in between queue up behind the stream."""

    def __init__(self, service: FirestoreService, caller: Caller = OWNER) -> None:
        self._requests: asyncio.Queue[Any] = asyncio.Queue()
        self._sent = asyncio.Event()
        self.responses = service.listen(self._incoming(), caller)
        self.view = ClientView()
        self.received: list[Any] = []
        self._started = False

    async def _incoming(self) -> AsyncIterator[Any]:
        while (request := await self._requests.get()) is not None:
            self._sent.set()  # the stream's reader queues it in the step it receives it
            yield request

    async def send(self, request: Any) -> None:
        """Hand a request to the stream and wait until it is queued (the stream itself does not run)."""
        self._sent.clear()
        self._requests.put_nowait(request)
        if self._started:  # else the stream's reader starts with the stream, at the first pull
            await asyncio.wait_for(self._sent.wait(), WAIT_SECONDS)

    async def add_query(self, target_id: int, collection: str) -> None:
        request = P.ListenRequest(database=DATABASE)
        request.add_target.target_id = target_id
        request.add_target.query.parent = DOCUMENTS
        request.add_target.query.structured_query.from_.add(collection_id=collection)
        await self.send(request)

    async def next(self) -> Any:
        """Pull the next response (parsed, where the service sent wire bytes) and apply it to the view."""
        self._started = True
        response = await asyncio.wait_for(anext(self.responses), WAIT_SECONDS)
        if isinstance(response, bytes):
            response = P.ListenResponse.FromString(response)
        self.received.append(response)
        self.view.apply(response)
        return response

    async def snapshot(self) -> list[Any]:
        """Pull responses up to and including the next global NO_CHANGE; returns them."""
        received = []
        while True:
            response = await self.next()
            received.append(response)
            change = response.target_change
            is_change = response.HasField("target_change")
            if is_change and change.target_change_type == NO_CHANGE and not change.target_ids:  # a snapshot
                return received

    async def close(self) -> None:
        await self.responses.aclose()


async def commit(service: FirestoreService, *writes: Any) -> None:
    await service.commit(P.CommitRequest(database=DATABASE, writes=list(writes)), OWNER)


def document_messages(responses: list[Any]) -> list[str]:
    return [r.WhichOneof("response_type") for r in responses if not r.HasField("target_change")]


@pytest.fixture
async def service() -> FirestoreService:
    return FirestoreService(Store())


async def test_a_backlog_ends_in_the_state_of_the_commits_one_by_one(service: FirestoreService) -> None:
    await commit(service, write("jobs/a", n=0), write("jobs/b", n=0), write("jobs/c", n=0))
    behind, along = Stream(service), Stream(service)
    for stream in (behind, along):
        await stream.add_query(1, "jobs")
        await stream.snapshot()
    backlog = [
        [write("jobs/a", n=1)],
        [write("jobs/d", n=1)],  # added …
        [write("jobs/b")],  # deleted
        [write("jobs/a", n=2), write("jobs/e", n=1)],
        [write("jobs/d")],  # … and deleted again within the backlog
        [write("jobs/b", n=3)],  # re-created
    ]
    for writes in backlog:
        await commit(service, *writes)
        await along.snapshot()
    await commit(service, write("other/x", n=1))  # not the target's: queued for neither
    caught_up = await behind.snapshot()
    assert behind.view.ids == along.view.ids == {"a": {"n": 2}, "b": {"n": 3}, "c": {"n": 0}, "e": {"n": 1}}
    assert behind.view.snapshots == 2 and along.view.snapshots == 7  # the first, then one for the backlog
    assert sorted(r.document_change.document.name.rsplit("/", 1)[1] for r in caught_up[:-1]) == [
        "a",
        "b",
        "e",
    ]
    assert caught_up[-1].target_change.read_time == along.received[-1].target_change.read_time  # the newest
    await behind.close()
    await along.close()


async def test_a_document_deleted_in_a_backlog_is_deleted_for_the_client(service: FirestoreService) -> None:
    await commit(service, write("jobs/a", n=0))
    stream = Stream(service)
    await stream.add_query(1, "jobs")
    await stream.snapshot()
    await commit(service, write("jobs/a", n=1))
    await commit(service, write("jobs/a"))
    responses = await stream.snapshot()
    assert document_messages(responses) == ["document_delete"]
    assert stream.view.ids == {}
    await stream.close()


async def test_an_added_target_splits_the_backlog_in_order(service: FirestoreService) -> None:
    stream = Stream(service)
    await stream.add_query(1, "jobs")
    await stream.snapshot()
    await commit(service, write("jobs/a", n=1))
    await commit(service, write("logs/x", n=1))
    await stream.add_query(2, "logs")  # queued between commits: answered after the first two, before the rest
    await commit(service, write("logs/y", n=1))
    await commit(service, write("jobs/a", n=2))
    first = await stream.snapshot()  # the commits before the request
    assert [
        (r.document_change.document.name[-6:], list(r.document_change.target_ids)) for r in first[:-1]
    ] == [("jobs/a", [1])]
    added = await stream.snapshot()  # ADD, the logs as of when it is handled (y too), CURRENT, NO_CHANGE
    names = [r.document_change.document.name[-6:] for r in added if r.HasField("document_change")]
    assert names == ["logs/x", "logs/y"]
    last = await stream.snapshot()  # the commit after it that concerns a target then
    changes = {r.document_change.document.name[-6:]: list(r.document_change.target_ids) for r in last[:-1]}
    assert changes == {"jobs/a": [1]}
    assert stream.view.ids == {"a": {"n": 2}, "x": {"n": 1}, "y": {"n": 1}}
    await stream.close()


async def test_a_target_the_rules_refuse_mid_backlog_receives_nothing_after(
    service: FirestoreService,
) -> None:
    service.rules = RulesRegistry()
    service.rules.set(PROJECT, ROOM_RULES)
    members = P.Write()
    members.update.name = f"{DOCUMENTS}/rooms/r1"
    members.update.fields["members"].array_value.values.add().string_value = "alice"
    await commit(service, members, write("rooms/r1/lines/a", n=1), write("other/x", n=1))
    stream = Stream(service, Caller(owner=False, token=unsigned_jwt({"sub": "alice"})))
    request = P.ListenRequest(database=DATABASE)
    request.add_target.target_id = 1
    request.add_target.query.parent = f"{DOCUMENTS}/rooms/r1"
    request.add_target.query.structured_query.from_.add(collection_id="lines")
    await stream.send(request)
    await stream.snapshot()
    assert stream.view.ids == {"a": {"n": 1}}
    await commit(service, write("rooms/r1/lines/b", n=1))
    await commit(service, write("rooms/r1", n=1))  # alice is no longer a member
    await commit(service, write("rooms/r1/lines/c", n=1))
    await commit(service, write("rooms/r1/lines/a", n=2))
    refused = await stream.next()
    assert refused.target_change.target_change_type == REMOVE
    assert refused.target_change.cause.code == grpc.StatusCode.PERMISSION_DENIED.value[0]
    assert list(refused.target_change.target_ids) == [1]
    await stream.send(P.ListenRequest(database=DATABASE, remove_target=9))  # unknown: answered with nothing
    await commit(service, write("rooms/r1/lines/d", n=1))
    add = P.ListenRequest(database=DATABASE)
    add.add_target.target_id = 2
    add.add_target.documents.documents.append(f"{DOCUMENTS}/other/x")
    await stream.send(add)
    after = await stream.snapshot()  # the next thing the stream says is the new target's answer
    kinds = [r.target_change.target_change_type for r in after if r.HasField("target_change")]
    assert kinds[:1] == [P.TargetChange.TargetChangeType.ADD]
    assert [r.document_change.document.name[-7:] for r in after if r.HasField("document_change")] == [
        "other/x"
    ]
    assert stream.view.ids == {"a": {"n": 1}, "x": {"n": 1}}  # nothing of lines b, c, d nor a's change
    await stream.close()


async def test_the_same_change_is_the_same_bytes_for_every_stream(service: FirestoreService) -> None:
    streams = [Stream(service) for _ in range(3)]
    for stream in streams:
        await stream.add_query(1, "jobs")
        await stream.snapshot()
    await commit(service, write("jobs/a", n=1))
    raw = [await asyncio.wait_for(anext(stream.responses), WAIT_SECONDS) for stream in streams]
    for stream in streams:
        await stream.snapshot()  # the NO_CHANGE after it
    assert isinstance(raw[0], bytes) and raw[0] is raw[1] is raw[2]  # built once, shared
    stored = service.store.database(parse_database(DATABASE)).get(f"{DOCUMENTS}/jobs/a")
    expected = P.ListenResponse()
    expected.document_change.document.CopyFrom(stored)
    expected.document_change.target_ids.append(1)
    assert raw[0] == expected.SerializeToString()
    for stream in streams:
        await stream.close()


# --- a real client on the session's emulator (Google's too) ---------------------------------------------------


class LastSnapshot:
    """Keeps the documents of the newest snapshot an ``on_snapshot`` callback received; ``wait`` for a state."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.docs: dict[str, Any] = {}

    def __call__(self, docs: list[Any], changes: list[Any], read_time: Any) -> None:
        with self._changed:
            self.docs = {doc.id: doc.to_dict() for doc in docs}
            self._changed.notify_all()

    def wait(self, expected: dict[str, Any]) -> dict[str, Any]:
        with self._changed:
            self._changed.wait_for(lambda: self.docs == expected, WAIT_SECONDS * 3)
            return self.docs


@pytest.fixture
def writers() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(8) as pool:
        yield pool


@pytest.mark.usefixtures("firestore_project")
def test_a_burst_of_concurrent_commits_ends_in_the_stored_state(
    firestore_client: firestore.Client, unique_id: str, writers: ThreadPoolExecutor
) -> None:
    jobs = firestore_client.collection(f"burst-{unique_id}")
    for i in range(20):
        jobs.document(f"d{i:02d}").set({"n": -1})
    last = LastSnapshot()
    watch = jobs.on_snapshot(last)
    try:
        last.wait({f"d{i:02d}": {"n": -1} for i in range(20)})

        def burst(writer: int) -> None:
            for step in range(25):
                doc = jobs.document(f"d{(writer * 25 + step) % 30:02d}")  # d20–d29 come and go
                if step % 5 == 4:
                    doc.delete()
                else:
                    doc.set({"n": writer * 100 + step})

        list(writers.map(burst, range(8)))
        stored = {doc.id: doc.to_dict() for doc in jobs.stream()}
        assert last.wait(stored) == stored
    finally:
        watch.unsubscribe()
