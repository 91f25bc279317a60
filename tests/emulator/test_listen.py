"""Listen through the real client's ``on_snapshot`` and through a raw gRPC stream (several targets, resume)."""

from __future__ import annotations

import asyncio
import os
import queue
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.types import firestore as firestore_types

pytestmark = pytest.mark.usefixtures("firestore_project")

WAIT_SECONDS = 10
ListenRequest = firestore_types.ListenRequest.pb()
ListenResponse = firestore_types.ListenResponse.pb()
TargetChange = firestore_types.TargetChange.pb()


def client_metadata(database: str) -> list[tuple[str, str]]:
    """What the client libraries send with a Listen: the database it is for (Google's emulator answers UNKNOWN to a
    Listen without it) and, to an emulator, the owner token."""
    return [("google-cloud-resource-prefix", database), ("authorization", "Bearer owner")]


class Snapshots:
    """Collects what an on_snapshot callback receives, for a test to take in order."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[list[Any], list[Any]]] = queue.Queue()

    def __call__(self, docs: list[Any], changes: list[Any], read_time: Any) -> None:
        self._queue.put((docs, changes))

    def next(self) -> tuple[list[Any], list[Any]]:
        return self._queue.get(timeout=WAIT_SECONDS)

    def next_changes(self) -> list[tuple[str, str]]:
        """The next snapshot's changes as (type, document id) pairs."""
        return [(change.type.name, change.document.id) for change in self.next()[1]]


def test_document_listener_sees_every_write_in_order(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("watched").document(unique_id)
    snapshots = Snapshots()
    watch = doc.on_snapshot(snapshots)
    try:
        assert snapshots.next()[0] == []  # the client reports a missing document as no documents
        doc.set({"n": 1})
        doc.update({"n": 2})
        doc.delete()
        seen = [snapshots.next()[0] for _ in range(3)]
        assert [[s.to_dict() for s in docs] for docs in seen] == [[{"n": 1}], [{"n": 2}], []]
    finally:
        watch.unsubscribe()


def test_query_listener_sees_adds_modifies_and_documents_leaving(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    jobs = firestore_client.collection(f"jobs-{unique_id}")
    jobs.document("a").set({"state": "running", "n": 1})
    jobs.document("z").set({"state": "done"})
    snapshots = Snapshots()
    watch = jobs.where(filter=FieldFilter("state", "==", "running")).on_snapshot(snapshots)
    try:
        docs, changes = snapshots.next()
        assert [d.id for d in docs] == ["a"]
        jobs.document("b").set({"state": "running"})
        assert snapshots.next_changes() == [("ADDED", "b")]
        jobs.document("a").update({"n": 2})
        assert snapshots.next_changes() == [("MODIFIED", "a")]
        jobs.document("a").update({"state": "done"})
        assert snapshots.next_changes() == [("REMOVED", "a")]
        jobs.document("b").delete()
        docs, changes = snapshots.next()
        assert docs == [] and [(c.type.name, c.document.id) for c in changes] == [("REMOVED", "b")]
        jobs.document("z").update({"n": 3})  # never matched: no snapshot
        jobs.document("c").set({"state": "running"})
        assert snapshots.next_changes() == [("ADDED", "c")]
    finally:
        watch.unsubscribe()


def test_limited_query_listener_keeps_the_top_documents(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    scores = firestore_client.collection(f"scores-{unique_id}")
    for name, score in [("a", 1), ("b", 2), ("c", 3)]:
        scores.document(name).set({"score": score})
    snapshots = Snapshots()
    # Ascending: the Python client's own snapshot sort multiplies by the direction enum (DESCENDING is 2), so a
    # descending listener's local order is the client's bug, not the server's.
    watch = scores.order_by("score").limit(2).on_snapshot(snapshots)
    try:
        assert [d.id for d in snapshots.next()[0]] == ["a", "b"]
        scores.document("d").set({"score": 0})
        docs, changes = snapshots.next()
        assert [d.id for d in docs] == ["d", "a"]
        assert sorted((c.type.name, c.document.id) for c in changes) == [("ADDED", "d"), ("REMOVED", "b")]
        scores.document("d").delete()
        assert [d.id for d in snapshots.next()[0]] == ["a", "b"]
    finally:
        watch.unsubscribe()


def test_a_batch_arrives_as_one_snapshot(firestore_client: firestore.Client, unique_id: str) -> None:
    items = firestore_client.collection(f"items-{unique_id}")
    snapshots = Snapshots()
    watch = items.on_snapshot(snapshots)
    try:
        assert snapshots.next()[0] == []
        batch = firestore_client.batch()
        for index in range(5):
            batch.set(items.document(f"d{index}"), {"i": index})
        batch.commit()
        docs, changes = snapshots.next()
        assert [d.id for d in docs] == [f"d{i}" for i in range(5)]
        assert len(changes) == 5
    finally:
        watch.unsubscribe()


# --- raw gRPC: several targets on one stream, remove, resume --------------------------------------------------


class RawListen:
    """A Listen stream over a plain gRPC channel: requests in, responses read one by one (with a deadline)."""

    def __init__(self, database: str) -> None:
        self.database = database
        self._channel = grpc.insecure_channel(os.environ["FIRESTORE_EMULATOR_HOST"])
        call = self._channel.stream_stream(
            "/google.firestore.v1.Firestore/Listen",
            request_serializer=ListenRequest.SerializeToString,
            response_deserializer=ListenResponse.FromString,
        )
        self._requests: queue.Queue[Any] = queue.Queue()
        self._responses: Iterator[Any] = call(
            iter(self._requests.get, None), timeout=WAIT_SECONDS * 3, metadata=client_metadata(database)
        )

    def add(
        self, target_id: int, documents: list[str], resume_token: bytes = b"", once: bool = False
    ) -> None:
        request = ListenRequest(database=self.database)
        request.add_target.target_id = target_id
        request.add_target.documents.documents.extend(documents)
        request.add_target.resume_token = resume_token
        request.add_target.once = once
        self._requests.put(request)

    def add_query(self, target_id: int, parent: str, collection: str) -> None:
        request = ListenRequest(database=self.database)
        request.add_target.target_id = target_id
        request.add_target.query.parent = parent
        request.add_target.query.structured_query.from_.add(collection_id=collection)
        self._requests.put(request)

    def remove(self, target_id: int) -> None:
        self._requests.put(ListenRequest(database=self.database, remove_target=target_id))

    def until_no_change(self) -> list[Any]:
        """Responses up to and including the next global NO_CHANGE."""
        received = []
        for response in self._responses:
            received.append(response)
            change = response.target_change
            if (
                response.HasField("target_change")
                and change.target_change_type == 0
                and not change.target_ids
            ):
                return received
        raise AssertionError(f"stream ended after {received}")

    def next(self) -> Any:
        return next(self._responses)

    def close(self) -> None:
        self._requests.put(None)
        self._channel.close()


def _kinds(responses: list[Any]) -> list[str]:
    names = {v: k for k, v in TargetChange.TargetChangeType.items()}
    out = []
    for response in responses:
        which = response.WhichOneof("response_type")
        if which == "target_change":
            ids = list(response.target_change.target_ids)
            out.append(f"{names[response.target_change.target_change_type]}{ids}")
        elif which == "document_change":
            change = response.document_change
            out.append(f"change {change.document.name.rsplit('/', 1)[1]} {list(change.target_ids)}")
        else:
            item = getattr(response, which)
            out.append(f"{which} {item.document.rsplit('/', 1)[1]} {list(item.removed_target_ids)}")
    return out


@pytest.fixture
def raw(firestore_client: firestore.Client) -> Iterator[RawListen]:
    stream = RawListen(firestore_client._database_string)
    yield stream
    stream.close()


def test_several_targets_on_one_stream(
    firestore_client: firestore.Client, raw: RawListen, unique_id: str
) -> None:
    collection = firestore_client.collection(f"multi-{unique_id}")
    a, b = collection.document("a"), collection.document("b")
    a.set({"n": 1})
    raw.add(1, [a._document_path])
    assert _kinds(raw.until_no_change()) == ["ADD[1]", "change a [1]", "CURRENT[1]", "NO_CHANGE[]"]
    raw.add_query(2, firestore_client._database_string + "/documents", f"multi-{unique_id}")
    assert _kinds(raw.until_no_change()) == ["ADD[2]", "change a [2]", "CURRENT[2]", "NO_CHANGE[]"]
    a.update({"n": 2})
    assert _kinds(raw.until_no_change()) == ["change a [1, 2]", "NO_CHANGE[]"]
    b.set({"n": 1})
    assert _kinds(raw.until_no_change()) == ["change b [2]", "NO_CHANGE[]"]
    raw.remove(2)
    assert _kinds([raw.next()]) == ["REMOVE[2]"]
    a.delete()
    assert _kinds(raw.until_no_change()) == ["document_delete a [1]", "NO_CHANGE[]"]


def test_a_resumed_target_is_reset_and_sent_whole(firestore_client: firestore.Client, unique_id: str) -> None:
    """As the official emulator answers (a conformance suite's recording of v1.22.0: ADD, RESET, CURRENT and every
    document for a fresh resume token, a read time and an expired one alike): it never resumes from a token."""
    collection = firestore_client.collection(f"resume-{unique_id}")
    a, b, c = (collection.document(n) for n in "abc")
    first_write = a.set({"n": 1}).update_time
    b.set({"n": 1})
    first = RawListen(firestore_client._database_string)
    first.add(7, [a._document_path, b._document_path, c._document_path])
    token = first.until_no_change()[-1].target_change.resume_token
    first.close()
    b.update({"n": 2})
    a.delete()
    c.set({"n": 1})
    whole = [
        "ADD[7]",
        "RESET[7]",
        "change b [7]",
        "change c [7]",
        "document_delete a [7]",
        "CURRENT[7]",
        "NO_CHANGE[]",
    ]
    second = RawListen(firestore_client._database_string)
    second.add(7, [a._document_path, b._document_path, c._document_path], resume_token=token)
    assert _kinds(second.until_no_change()) == whole
    second.close()
    third = RawListen(firestore_client._database_string)
    request = ListenRequest(database=firestore_client._database_string)
    request.add_target.target_id = 7
    request.add_target.documents.documents.extend([a._document_path, b._document_path, c._document_path])
    request.add_target.read_time.FromDatetime(first_write)
    third._requests.put(request)
    assert _kinds(third.until_no_change()) == whole
    third.close()


def test_unknown_resume_token_resets(
    firestore_client: firestore.Client, raw: RawListen, unique_id: str
) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    doc.set({"n": 1})
    raw.add(3, [doc._document_path], resume_token=b"not-ours")
    assert _kinds(raw.until_no_change()) == [
        "ADD[3]",
        "RESET[3]",
        f"change {unique_id} [3]",
        "CURRENT[3]",
        "NO_CHANGE[]",
    ]


def test_once_target_is_removed_after_its_snapshot(
    firestore_client: firestore.Client, raw: RawListen, unique_id: str
) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    raw.add(4, [doc._document_path], once=True)
    # a named document that does not exist comes as a DocumentDelete, as the official emulator sends it
    assert _kinds(raw.until_no_change()) == [
        "ADD[4]",
        f"document_delete {unique_id} [4]",
        "CURRENT[4]",
        "NO_CHANGE[]",
    ]
    assert _kinds([raw.next()]) == ["REMOVE[4]"]


def test_invalid_query_target_is_removed_with_a_cause(
    firestore_client: firestore.Client, raw: RawListen
) -> None:
    request = ListenRequest(database=raw.database)
    request.add_target.target_id = 5
    request.add_target.query.parent = "projects/other/databases/(default)/documents"
    request.add_target.query.structured_query.from_.add(collection_id="x")
    raw._requests.put(request)
    response = raw.next()
    assert response.target_change.target_change_type == TargetChange.TargetChangeType.REMOVE
    assert response.target_change.cause.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]


async def test_one_hundred_listeners_all_see_a_commit(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("fanout").document(unique_id)
    request = ListenRequest(database=firestore_client._database_string)
    request.add_target.target_id = 1
    request.add_target.documents.documents.append(doc._document_path)
    async with grpc.aio.insecure_channel(os.environ["FIRESTORE_EMULATOR_HOST"]) as channel:
        listen = channel.stream_stream(
            "/google.firestore.v1.Firestore/Listen",
            request_serializer=ListenRequest.SerializeToString,
            response_deserializer=ListenResponse.FromString,
        )
        metadata = client_metadata(firestore_client._database_string)
        calls = [listen(iter([request]), metadata=metadata) for _ in range(100)]

        async def first_change(call: Any) -> int:
            async for response in call:
                if response.WhichOneof("response_type") == "document_change":
                    return int(response.document_change.document.fields["n"].integer_value)
            raise AssertionError("stream ended")

        async def until_current(call: Any) -> None:
            async for response in call:
                if response.target_change.target_change_type == TargetChange.TargetChangeType.CURRENT:
                    return

        await asyncio.wait_for(asyncio.gather(*(until_current(call) for call in calls)), WAIT_SECONDS)
        await asyncio.to_thread(doc.set, {"n": 7})
        seen = await asyncio.wait_for(asyncio.gather(*(first_change(call) for call in calls)), WAIT_SECONDS)
        for call in calls:
            call.cancel()
    assert seen == [7] * 100


def test_removing_an_unknown_target_sends_nothing(
    firestore_client: firestore.Client, raw: RawListen, unique_id: str
) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    doc.set({"n": 1})
    raw.remove(42)
    raw.add(1, [doc._document_path])
    assert _kinds(raw.until_no_change()) == ["ADD[1]", f"change {unique_id} [1]", "CURRENT[1]", "NO_CHANGE[]"]


def test_a_target_id_in_use_ends_the_stream(
    firestore_client: firestore.Client, raw: RawListen, unique_id: str
) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    doc.set({"n": 1})
    raw.add(1, [doc._document_path])
    raw.until_no_change()
    raw.add(1, [doc._document_path])
    with pytest.raises(grpc.RpcError) as raised:
        raw.next()
    assert raised.value.code() == grpc.StatusCode.UNKNOWN  # type: ignore[attr-defined]


def test_a_document_leaving_a_query_comes_as_a_change_with_removed_target_ids(
    firestore_client: firestore.Client, raw: RawListen, unique_id: str
) -> None:
    """Production's message for a document that still exists but left the query (not DocumentRemove)."""
    collection = firestore_client.collection(f"leave-{unique_id}")
    doc = collection.document("a")
    doc.set({"n": 1})
    request = ListenRequest(database=raw.database)
    request.add_target.target_id = 2
    request.add_target.query.parent = firestore_client._database_string + "/documents"
    query = request.add_target.query.structured_query
    query.from_.add(collection_id=collection.id)
    query.where.field_filter.field.field_path = "n"
    query.where.field_filter.op = query.where.field_filter.Operator.EQUAL
    query.where.field_filter.value.integer_value = 1
    raw._requests.put(request)
    raw.until_no_change()
    doc.update({"n": 2})
    change, _ = raw.until_no_change()
    assert change.WhichOneof("response_type") == "document_change"
    assert list(change.document_change.target_ids) == [] and list(
        change.document_change.removed_target_ids
    ) == [2]


def test_resume_tokens_use_the_official_emulators_encoding(
    firestore_client: firestore.Client, raw: RawListen, unique_id: str
) -> None:
    from google.protobuf import timestamp_pb2

    doc = firestore_client.collection("things").document(unique_id)
    raw.add(1, [doc._document_path])
    no_change = raw.until_no_change()[-1].target_change
    token, read_time = no_change.resume_token, no_change.read_time
    micros = read_time.seconds * 1_000_000 + read_time.nanos // 1000
    varint = bytearray()
    while True:
        byte, micros = micros & 0x7F, micros >> 7
        varint.append(byte | (0x80 if micros else 0))
        if not micros:
            break
    assert token == b"\x0a" + bytes([len(varint) + 1]) + b"\x08" + bytes(varint)
    assert isinstance(read_time, timestamp_pb2.Timestamp)
