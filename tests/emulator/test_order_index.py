"""The order index (``store.OrderIndex``, issue 18) and the fast paths of name and size checks: each must answer
exactly what the full path answers. Queries are built by the real client; the store is the real one; the index
is checked against a scan of the same documents after random commits, then through gRPC with the client."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1.base_query import BaseQuery
from google.cloud.firestore_v1.types import document as document_types
from google.protobuf import timestamp_pb2

from firestore_emulator import Emulator, names, values
from firestore_emulator import query as engine
from firestore_emulator.errors import InvalidArgument
from firestore_emulator.names import DatabaseId
from firestore_emulator.service import _execute
from firestore_emulator.store import Database

Document = document_types.Document.pb()
DATABASE = DatabaseId("p", "(default)")
ROOT = "projects/p/databases/(default)/documents"
client = firestore.Client(project="p", credentials=AnonymousCredentials())
Filter = firestore.FieldFilter


def make_doc(path: str, data: dict[str, Any], time: int) -> Any:
    doc = Document(name=f"{ROOT}/{path}")
    for key, value in _helpers.encode_dict(data).items():
        doc.fields[key].CopyFrom(value._pb)
    doc.create_time.CopyFrom(timestamp_pb2.Timestamp(seconds=time))
    doc.update_time.CopyFrom(timestamp_pb2.Timestamp(seconds=time))
    return doc


N_VALUES: list[Any] = [0, 1, 2, 2.5, -1, 7, "a", "b", None, math.nan, True, [1], {"x": 1}]


def random_data(rng: random.Random) -> dict[str, Any]:
    data: dict[str, Any] = {"owner": rng.choice(["u", "v", 1])}
    if rng.random() < 0.85:
        data["n"] = rng.choice(N_VALUES)
    return data


def queries() -> Iterator[BaseQuery]:
    jobs = client.collection("jobs")
    for direction in ("ASCENDING", "DESCENDING"):
        ordered = jobs.order_by("n", direction=direction)
        yield ordered
        yield ordered.limit(5)
        yield ordered.limit(0)
        yield ordered.offset(3).limit(4)
        yield ordered.where(filter=Filter("owner", "==", "u")).limit(7)
        yield ordered.where(filter=Filter("owner", "==", 1))
        yield ordered.start_at({"n": 2}).limit(6)
        yield ordered.end_before({"n": "b"})
    yield jobs.where(filter=Filter("n", ">", 1)).limit(3)  # orders by n (the inequality), then name


def scan(db: Database, query: Any) -> list[str]:
    return [doc.name for doc in engine.run_query(ROOT, query, db.candidates(ROOT, query))]


def test_index_answers_as_the_scan_after_random_commits() -> None:
    rng = random.Random(18)
    db = Database(DATABASE, None)
    protos = [q._to_protobuf()._pb for q in queries()]
    assert all(engine.index_order(ROOT, proto) is not None for proto in protos)
    for time in range(1, 60):
        batch: dict[str, Any] = {}
        for _ in range(rng.randint(1, 8)):
            path = f"jobs/d{rng.randint(0, 40)}"
            batch[f"{ROOT}/{path}"] = None if rng.random() < 0.2 else make_doc(path, random_data(rng), time)
        batch[f"{ROOT}/other/x{time}"] = make_doc(f"other/x{time}", {"n": time}, time)  # another collection
        db.commit(time * 1_000_000, batch)
        for proto in protos:
            indexed = [doc.name for doc in _execute(db, ROOT, proto, None)[0]]
            assert indexed == scan(db, proto), proto


def test_index_is_not_used_for_other_shapes_or_past_reads() -> None:
    jobs = client.collection("jobs")
    for query in (
        jobs.order_by("n").order_by("m"),  # two fields
        jobs.order_by("n").order_by("__name__", direction="DESCENDING"),  # mixed directions
        jobs.order_by("a.b"),  # a nested field
        client.collection_group("jobs").order_by("n"),
        jobs.limit(3),  # ordered by name only
    ):
        assert engine.index_order(ROOT, query._to_protobuf()._pb) is None
    db = Database(DATABASE, None)
    db.commit(1_000_000, {f"{ROOT}/jobs/a": make_doc("jobs/a", {"n": 1}, 1)})
    db.commit(2_000_000, {f"{ROOT}/jobs/b": make_doc("jobs/b", {"n": 2}, 2)})
    proto = jobs.order_by("n")._to_protobuf()._pb
    assert [d.name[-1] for d in _execute(db, ROOT, proto, None)[0]] == ["a", "b"]
    assert [d.name[-1] for d in _execute(db, ROOT, proto, 1_500_000)[0]] == ["a"]  # as of then: a scan


def test_cleared_database_drops_its_indexes() -> None:
    db = Database(DATABASE, None)
    db.commit(1_000_000, {f"{ROOT}/jobs/a": make_doc("jobs/a", {"n": 1}, 1)})
    proto = client.collection("jobs").order_by("n")._to_protobuf()._pb
    assert len(_execute(db, ROOT, proto, None)[0]) == 1
    db.clear()
    assert _execute(db, ROOT, proto, None)[0] == []
    db.commit(db.next_commit_time(), {f"{ROOT}/jobs/b": make_doc("jobs/b", {"n": 2}, 3)})
    assert [d.name[-1] for d in _execute(db, ROOT, proto, None)[0]] == ["b"]


def test_job_list_query_over_grpc_follows_updates(monkeypatch: pytest.MonkeyPatch) -> None:
    """The job list's shape through the real client: newest first, one page, after updates and deletes."""
    with Emulator(in_process=True) as emulator:
        monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", emulator.address)
        db = firestore.Client(project="p")
        jobs = db.collection("jobs")
        batch = db.batch()
        for index in range(300):
            batch.set(jobs.document(f"j{index:03d}"), {"owner": "u" if index % 2 else "v", "n": index})
            if index % 100 == 99:
                batch.commit()
                batch = db.batch()
        query = jobs.where(filter=Filter("owner", "==", "u")).order_by("n", direction="DESCENDING").limit(3)
        assert [d.id for d in query.stream()] == ["j299", "j297", "j295"]
        jobs.document("j001").update({"n": 1000})
        jobs.document("j299").delete()
        jobs.document("j297").update({"owner": "v"})
        assert [d.id for d in query.stream()] == ["j001", "j295", "j293"]
        db.close()


NAMES = [
    f"{ROOT}/a/b",
    f"{ROOT}/a/b/c/d",
    f"{ROOT}/a/.b",
    f"{ROOT}/a/..",
    f"{ROOT}/a/.",
    f"{ROOT}/__a__/b",
    f"{ROOT}/a/__id7__",
    f"{ROOT}/a/__idx__",
    f"{ROOT}/a",
    f"{ROOT}/a//b",
    f"{ROOT}/a/b/",
    f"{ROOT}/a/" + "é" * 800,
    f"{ROOT}/a/" + "x" * 1501,
    "projects/p/databases/(default)/documentsx/a/b",
    "projects//databases/(default)/documents/a/b",
    f"{ROOT}/a/b c",
]


@pytest.mark.parametrize("name", NAMES)
def test_plain_names_are_exactly_the_valid_ones(name: str) -> None:
    """A name the regular expression passes is one the full checks pass (with the same database); the full
    checks still decide (and word the error of) every other."""

    def full() -> DatabaseId | str:
        try:
            database, _ = names._split(name, "Document name", document=True)
            values.check_document_name_ids(name)
            return database
        except InvalidArgument as error:
            return error.message

    plain = values.plain_document_name(name)
    if plain is not None:
        assert full() == DatabaseId(*plain)
    try:
        answered: DatabaseId | str = names.parse_document(name)
    except InvalidArgument as error:
        answered = error.message
    assert answered == full()


def test_size_bound_holds_for_the_densest_values() -> None:
    """The fast size check skips the exact sum only when it could not reach the limit: every kind of value's
    storage size stays below SIZE_BOUND_FACTOR times its encoding."""
    dense: dict[str, Any] = {
        "i": 1,
        "t": True,
        "z": None,
        "g": firestore.GeoPoint(0, 0),
        "r": client.document("a/b"),
        "e": {},
        "l": [],
        "s": "",
        "f": 0.0,
    }
    doc = make_doc("c/d", dense, 1)
    assert values.document_size(doc) <= doc.ByteSize() * values.SIZE_BOUND_FACTOR + values.SIZE_BOUND_EXTRA
    for key in dense:
        single = make_doc("c/d", {key: dense[key]}, 1)
        assert (
            values.document_size(single)
            <= single.ByteSize() * values.SIZE_BOUND_FACTOR + values.SIZE_BOUND_EXTRA
        )
    big = make_doc("c/d", {"s": "x" * (values.MAX_DOCUMENT_SIZE - 60)}, 1)
    with pytest.raises(InvalidArgument):
        values.validate_document(big)
