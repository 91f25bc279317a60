"""Conformance through the real client (sync and async), for behaviours the other files do not pin down.

Each test states what production Firestore (and the official emulator) do, as its documentation and the
client sources describe it: writes with masks, deletes and transforms; value round trips and ordering; query
shapes the client builds (limit_to_last, snapshot cursors, collection group scopes); listeners; transactions;
BatchGetDocuments.
"""

from __future__ import annotations

import datetime
import math
import threading
from collections.abc import Callable
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import firestore
from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1.field_path import FieldPath
from google.cloud.firestore_v1.types import common as common_types
from google.cloud.firestore_v1.types import document as document_types
from google.cloud.firestore_v1.types import firestore as firestore_types

pytestmark = pytest.mark.usefixtures("firestore_project")
Filter = firestore.FieldFilter


# --- writes -----------------------------------------------------------------------------------------------------


def test_update_with_dotted_paths_creates_nested_maps_and_replaces_non_maps(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("w").document(unique_id)
    doc.set({"scalar": 5, "keep": {"x": 1}})
    doc.update({"a.b.c": 1, "scalar.inner": 2, "keep.y": 2})
    assert doc.get().to_dict() == {"a": {"b": {"c": 1}}, "scalar": {"inner": 2}, "keep": {"x": 1, "y": 2}}


def test_delete_field_in_set_merge_and_refused_in_plain_set(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("w").document(unique_id)
    doc.set({"a": 1, "m": {"x": 1, "y": 2}})
    doc.set({"a": firestore.DELETE_FIELD, "m": {"x": firestore.DELETE_FIELD}}, merge=True)
    assert doc.get().to_dict() == {"m": {"y": 2}}
    with pytest.raises(ValueError):
        doc.set({"a": firestore.DELETE_FIELD})
    with pytest.raises(ValueError):
        firestore_client.collection("w").document(unique_id + "x").create({"a": firestore.DELETE_FIELD})


def test_set_merge_with_field_paths(firestore_client: firestore.Client, unique_id: str) -> None:
    doc = firestore_client.collection("w").document(unique_id)
    doc.set({"a": 1, "b": 2, "m": {"x": 1, "y": 2}})
    doc.set({"a": 10, "b": 20, "m": {"x": 10, "y": 20}}, merge=["a", "m.x"])
    assert doc.get().to_dict() == {"a": 10, "b": 2, "m": {"x": 10, "y": 2}}
    with pytest.raises(ValueError):
        doc.set({"a": 1}, merge=["nope"])


def test_transforms_on_nested_fields_with_an_update_mask(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("w").document(unique_id)
    doc.set({"m": {"n": 1, "keep": True}, "other": 1})
    result = doc.update({"m.n": firestore.Increment(2), "m.at": firestore.SERVER_TIMESTAMP, "m.label": "x"})
    snapshot = doc.get()
    assert snapshot.get("m.n") == 3 and snapshot.get("m.label") == "x" and snapshot.get("m.keep") is True
    assert snapshot.get("m.at") == result.update_time == snapshot.update_time
    doc.set({"fresh": {"count": firestore.Increment(5)}}, merge=True)
    assert doc.get().get("fresh.count") == 5


def test_server_timestamp_inside_an_array_is_refused_by_the_client(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    with pytest.raises((TypeError, ValueError)):
        firestore_client.collection("w").document(unique_id).set({"a": [firestore.SERVER_TIMESTAMP]})


def test_empty_maps_and_arrays_are_stored_and_returned(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("w").document(unique_id)
    doc.set({"m": {}, "a": [], "nested": {"m": {}, "a": []}})
    assert doc.get().to_dict() == {"m": {}, "a": [], "nested": {"m": {}, "a": []}}
    doc.update({"m.x": 1, "nested.m": firestore.DELETE_FIELD})
    assert doc.get().to_dict() == {"m": {"x": 1}, "a": [], "nested": {"a": []}}
    assert [s.id for s in firestore_client.collection("w").where(filter=Filter("a", "==", [])).stream()] == [
        unique_id
    ]
    assert [
        s.id
        for s in firestore_client.collection("w").where(filter=Filter("nested", "==", {"a": []})).stream()
    ] == [unique_id]


def test_an_update_time_precondition_that_no_longer_holds(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("w").document(unique_id)
    first = doc.set({"a": 1})
    doc.update({"a": 2})
    with pytest.raises(exceptions.FailedPrecondition, match="does not match the required base version"):
        doc.update({"a": 3}, option=firestore_client.write_option(last_update_time=first.update_time))
    with pytest.raises(exceptions.FailedPrecondition):
        doc.delete(option=firestore_client.write_option(last_update_time=first.update_time))
    assert doc.get().get("a") == 2


def test_map_nesting_and_field_name_limits_through_the_client(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("w").document(unique_id)
    deep: dict[str, Any] = {"leaf": 1}
    for _ in range(19):
        deep = {"m": deep}
    doc.set({"top": deep})  # 20 levels of maps
    with pytest.raises(exceptions.BadRequest, match=r"Property top contains an invalid nested entity."):
        doc.set({"top": {"m": deep}})
    doc.set({"x" * 1500: 1})
    with pytest.raises(exceptions.BadRequest, match="longer than 1500 bytes"):
        doc.set({"x" * 1501: 1})
    with pytest.raises(exceptions.BadRequest, match="Nested arrays are not allowed"):
        doc.set({"a": [[1]]})


def test_an_update_of_a_1500_byte_field_path_is_refused(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("paths").document(unique_id)
    doc.set({"x" * 1500: 1})  # a field name of 1,500 bytes is fine in data
    with pytest.raises(exceptions.BadRequest, match=r"property path is longer than 1500 bytes\."):
        doc.update({"x" * 1500: 2})
    doc.update({"x" * 1499: 2})


# --- values -----------------------------------------------------------------------------------------------------


def test_int64_bounds_negative_zero_and_nan_round_trip(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("vals").document(unique_id)
    doc.set({"max": 2**63 - 1, "min": -(2**63), "nz": -0.0, "nan": math.nan, "inf": -math.inf})
    data = doc.get().to_dict()
    assert data["max"] == 2**63 - 1 and data["min"] == -(2**63)
    assert data["nz"] == 0 and math.copysign(1, data["nz"]) == -1
    assert math.isnan(data["nan"]) and data["inf"] == -math.inf
    with pytest.raises(exceptions.OverflowError if hasattr(exceptions, "OverflowError") else Exception):
        doc.set({"big": 2**63})


def test_equality_filters_treat_nan_and_zeros_as_firestore(firestore_client: firestore.Client) -> None:
    coll = firestore_client.collection("nums")
    for doc_id, value in {"nan": math.nan, "zero": 0.0, "nzero": -0.0, "int0": 0, "one": 1}.items():
        coll.document(doc_id).set({"v": value})
    ids = lambda q: sorted(s.id for s in q.stream())  # noqa: E731
    assert ids(coll.where(filter=Filter("v", "==", math.nan))) == ["nan"]  # the client sends IS_NAN
    assert ids(coll.where(filter=Filter("v", "==", 0))) == ["int0", "nzero", "zero"]
    assert ids(coll.where(filter=Filter("v", "in", [0, 1]))) == ["int0", "nzero", "one", "zero"]
    assert ids(coll.where(filter=Filter("v", "in", [math.nan]))) == []
    assert ids(coll.where(filter=Filter("v", "not-in", [0]))) == ["nan", "one"]
    assert ids(coll.where(filter=Filter("v", "!=", math.nan))) == ["int0", "nzero", "one", "zero"]


def test_timestamps_keep_microseconds_only(firestore_client: firestore.Client, unique_id: str) -> None:
    from google.api_core.datetime_helpers import DatetimeWithNanoseconds

    doc = firestore_client.collection("vals").document(unique_id)
    moment = DatetimeWithNanoseconds(2024, 1, 2, 3, 4, 5, nanosecond=123456789, tzinfo=datetime.UTC)
    doc.set({"t": moment})
    stored = doc.get().get("t")
    assert stored.microsecond == 123456 and stored.nanosecond in (0, 123456000)
    assert doc.get().get("t") == datetime.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.UTC)


def test_order_and_cursors_across_types(firestore_client: firestore.Client) -> None:
    coll = firestore_client.collection("mixed")
    rows: dict[str, Any] = {
        "a_null": None,
        "b_bool": True,
        "c_num": 5,
        "d_time": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
        "e_str": "s",
        "f_bytes": b"b",
        "g_ref": coll.document("x"),
        "h_geo": firestore.GeoPoint(1, 2),
        "h_geo2": firestore.GeoPoint(1, 1),
        "i_arr": [1],
        "j_map": {"a": 1},
    }
    for doc_id, value in rows.items():
        coll.document(doc_id).set({"v": value})
    order = [s.id for s in coll.order_by("v").stream()]
    assert order == [
        "a_null",
        "b_bool",
        "c_num",
        "d_time",
        "e_str",
        "f_bytes",
        "g_ref",
        "h_geo2",
        "h_geo",
        "i_arr",
        "j_map",
    ]
    descending = [s.id for s in coll.order_by("v", direction=firestore.Query.DESCENDING).stream()]
    assert descending == list(reversed(order))
    assert [s.id for s in coll.order_by("v").start_at(["a string"]).limit(2).stream()] == ["e_str", "f_bytes"]
    assert [s.id for s in coll.order_by("v").start_after([100]).limit(1).stream()] == ["d_time"]
    assert [s.id for s in coll.order_by("v").end_before([False]).stream()] == ["a_null"]


def test_maps_order_by_keys_then_values(firestore_client: firestore.Client) -> None:
    coll = firestore_client.collection("maps")
    rows = {"p": {"a": 2}, "q": {"a": 1, "b": 1}, "r": {"b": 0}, "s": {"a": 1}, "t": {}}
    for doc_id, value in rows.items():
        coll.document(doc_id).set({"v": value})
    assert [s.id for s in coll.order_by("v").stream()] == ["t", "s", "q", "p", "r"]


def test_references_to_other_projects_are_stored_as_given(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    other = firestore.Client(project="other-project")
    try:
        doc = firestore_client.collection("refs").document(unique_id)
        doc.set({"ref": other.document("c/d")})
        raw = firestore_client._firestore_api.get_document(request={"name": doc._document_path})
        assert raw.fields["ref"].reference_value == "projects/other-project/databases/(default)/documents/c/d"
    finally:
        other.close()


# --- queries ----------------------------------------------------------------------------------------------------


def seeded(db: firestore.Client, name: str, rows: dict[str, dict[str, Any]]) -> Any:
    batch = db.batch()
    for doc_id, data in rows.items():
        batch.set(db.collection(name).document(doc_id), data)
    batch.commit()
    return db.collection(name)


def ids_of(query: Any) -> list[str]:
    return [s.id for s in query.stream()]


def test_limit_to_last_with_cursors(firestore_client: firestore.Client) -> None:
    coll = seeded(firestore_client, "ltl", {f"d{i}": {"i": i % 3, "j": i} for i in range(9)})
    assert [s.id for s in coll.order_by("i").order_by("j").limit_to_last(2).get()] == ["d5", "d8"]
    # The Python client flips the orders of a limit_to_last query but sends its cursors unchanged (other SDKs
    # swap them): the server answers the message it gets, ordered descending, "before (2, 5)" being above it.
    assert [s.id for s in coll.order_by("i").order_by("j").limit_to_last(2).end_before([2, 5]).get()] == [
        "d8"
    ]
    assert [s.id for s in coll.order_by("i").order_by("j").limit_to_last(3).start_after([1, 7]).get()] == [
        "d6",
        "d1",
        "d4",
    ]
    with pytest.raises(ValueError):
        list(coll.limit_to_last(2).stream())  # the client refuses to stream a limit_to_last query


def test_offset_with_cursors_and_limit(firestore_client: firestore.Client) -> None:
    coll = seeded(firestore_client, "off", {f"d{i}": {"i": i} for i in range(10)})
    assert ids_of(coll.order_by("i").start_at([3]).offset(2).limit(3)) == ["d5", "d6", "d7"]
    assert ids_of(coll.order_by("i").end_at([4]).offset(3)) == ["d3", "d4"]
    assert ids_of(coll.order_by("i").offset(20)) == []


def test_snapshot_cursors_add_the_name_and_partial_cursors_skip_duplicates(
    firestore_client: firestore.Client,
) -> None:
    coll = seeded(firestore_client, "dup", {"a": {"k": 1}, "b": {"k": 1}, "c": {"k": 1}, "d": {"k": 2}})
    b = coll.document("b").get()
    assert ids_of(coll.order_by("k").start_after(b)) == ["c", "d"]
    assert ids_of(coll.order_by("k").start_after([1])) == ["d"]
    assert ids_of(coll.order_by("k").end_before(b)) == ["a"]
    assert ids_of(coll.order_by("k", direction=firestore.Query.DESCENDING).start_after(b)) == ["a"]
    assert ids_of(coll.start_after(b)) == ["c", "d"]  # no order: the name alone


def test_name_filters_in_collection_group_queries(firestore_client: firestore.Client) -> None:
    for path in ("users/alice/posts/p1", "users/alice/posts/p2", "users/bob/posts/p3", "posts/p0"):
        firestore_client.document(path).set({"n": 1})
    group = firestore_client.collection_group("posts")
    alice = firestore_client.document("users/alice")
    beyond = firestore_client.document("users/alice\uf8ff")
    scoped = group.where(filter=Filter(FieldPath.document_id(), ">=", alice)).where(
        filter=Filter(FieldPath.document_id(), "<", beyond)
    )
    assert ids_of(scoped) == ["p1", "p2"]
    with pytest.raises(exceptions.BadRequest, match="__key__ filter value must be a Key"):
        ids_of(group.where(filter=Filter(FieldPath.document_id(), ">=", "users/alice")))
    wanted = [firestore_client.document("users/bob/posts/p3"), firestore_client.document("posts/p0")]
    assert ids_of(group.where(filter=Filter(FieldPath.document_id(), "in", wanted))) == ["p0", "p3"]
    assert ids_of(group.where(filter=Filter(FieldPath.document_id(), "not-in", wanted))) == ["p1", "p2"]


def test_not_equal_orders_by_its_field_first(firestore_client: firestore.Client) -> None:
    coll = seeded(
        firestore_client,
        "ne",
        {"a": {"v": 3, "w": 1}, "b": {"v": 1, "w": 2}, "c": {"v": 2, "w": 0}, "d": {"w": 9}},
    )
    assert ids_of(coll.where(filter=Filter("v", "!=", 2))) == ["b", "a"]
    assert ids_of(coll.where(filter=Filter("v", "!=", 2)).order_by("w")) == ["a", "b"]


def test_or_queries_up_to_thirty_disjunctions(firestore_client: firestore.Client) -> None:
    coll = seeded(firestore_client, "or", {f"d{i}": {"i": i, "j": i % 2} for i in range(4)})
    thirty = firestore.Or([Filter("i", "==", n) for n in range(30)])
    assert ids_of(coll.where(filter=thirty)) == ["d0", "d1", "d2", "d3"]
    thirty_one = firestore.Or([Filter("i", "==", n) for n in range(31)])
    with pytest.raises(exceptions.BadRequest, match="disjunctions"):
        ids_of(coll.where(filter=thirty_one))
    product = firestore.And([Filter("i", "in", list(range(6))), Filter("j", "in", list(range(6)))])
    with pytest.raises(exceptions.BadRequest, match="disjunctions"):
        ids_of(coll.where(filter=product))


def test_select_of_nested_fields_and_count_with_limit(firestore_client: firestore.Client) -> None:
    coll = seeded(
        firestore_client, "sel", {f"d{i}": {"m": {"a": i, "b": {"c": i}}, "x": i} for i in range(5)}
    )
    (first,) = coll.order_by("x").limit(1).select(["m.b.c", "x"]).get()
    assert first.to_dict() == {"m": {"b": {"c": 0}}, "x": 0}
    (result,) = coll.limit(3).count(alias="n").get()[0]
    assert result.value == 3
    (result,) = coll.offset(4).count(alias="n").get()[0]
    assert result.value == 1


# --- listeners --------------------------------------------------------------------------------------------------


class Recorder:
    """Collects on_snapshot callbacks; ``wait_for`` blocks until a predicate over the last snapshot holds."""

    def __init__(self) -> None:
        self.snapshots: list[tuple[list[str], list[tuple[str, str, int, int]]]] = []
        self.condition = threading.Condition()

    def __call__(self, docs: Any, changes: Any, read_time: Any) -> None:
        ids = [d.id for d in docs] if isinstance(docs, list) else [d.id for d in docs if d.exists]
        summary = [(c.type.name, c.document.id, c.old_index, c.new_index) for c in changes]
        with self.condition:
            self.snapshots.append((ids, summary))
            self.condition.notify_all()

    def wait_for(self, predicate: Callable[[list[str]], bool], timeout: float = 10) -> tuple[list[str], Any]:
        with self.condition:
            assert self.condition.wait_for(
                lambda: bool(self.snapshots) and predicate(self.snapshots[-1][0]), timeout
            ), self.snapshots
            return self.snapshots[-1]


def kinds(changes: list[tuple[str, str, int, int]]) -> list[tuple[str, str]]:
    """Change types and ids; the Python client's old/new indexes count insertions (its WatchDocTree), so they
    say nothing about the server."""
    return [(kind, doc_id) for kind, doc_id, _, _ in changes]


def test_a_limit_listener_follows_the_top_n(firestore_client: firestore.Client) -> None:
    coll = seeded(firestore_client, "top", {"a": {"s": 1}, "b": {"s": 2}, "c": {"s": 3}, "d": {"s": 4}})
    recorder = Recorder()
    watch = coll.order_by("s").limit(2).on_snapshot(recorder)
    try:
        recorder.wait_for(lambda ids: ids == ["a", "b"])
        coll.document("z").set({"s": 0})
        _, changes = recorder.wait_for(lambda ids: ids == ["z", "a"])
        assert sorted(kinds(changes)) == [("ADDED", "z"), ("REMOVED", "b")]
        coll.document("z").delete()
        _, changes = recorder.wait_for(lambda ids: ids == ["a", "b"])
        assert sorted(kinds(changes)) == [("ADDED", "b"), ("REMOVED", "z")]
        coll.document("a").update({"s": 10})
        recorder.wait_for(lambda ids: ids == ["b", "c"])
    finally:
        watch.unsubscribe()


def test_a_collection_group_listener(firestore_client: firestore.Client) -> None:
    firestore_client.document("g1/x/items/i1").set({"n": 1})
    recorder = Recorder()
    watch = firestore_client.collection_group("items").on_snapshot(recorder)
    try:
        recorder.wait_for(lambda ids: ids == ["i1"])
        firestore_client.document("g2/y/items/i2").set({"n": 2})
        firestore_client.document("g2/y/other/o1").set({"n": 3})
        recorder.wait_for(lambda ids: ids == ["i1", "i2"])
        firestore_client.document("g1/x/items/i1").delete()
        recorder.wait_for(lambda ids: ids == ["i2"])
    finally:
        watch.unsubscribe()


def test_a_document_listener_on_a_missing_document(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("ghost").document(unique_id)
    seen: list[bool] = []
    condition = threading.Condition()

    def callback(docs: Any, changes: Any, read_time: Any) -> None:
        with condition:
            seen.append(bool(docs) and docs[0].exists)  # the Python client passes [] for a missing document
            condition.notify_all()

    watch = doc.on_snapshot(callback)
    try:
        with condition:
            assert condition.wait_for(lambda: seen == [False], 10), seen
        doc.set({"a": 1})
        with condition:
            assert condition.wait_for(lambda: seen == [False, True], 10), seen
        doc.delete()
        with condition:
            assert condition.wait_for(lambda: seen == [False, True, False], 10), seen
    finally:
        watch.unsubscribe()


def test_several_listeners_on_one_client_and_change_indexes(firestore_client: firestore.Client) -> None:
    coll = seeded(firestore_client, "many", {"a": {"s": 1}, "b": {"s": 2}})
    ordered, everything = Recorder(), Recorder()
    watches = [coll.order_by("s").on_snapshot(ordered), coll.on_snapshot(everything)]
    try:
        ordered.wait_for(lambda ids: ids == ["a", "b"])
        everything.wait_for(lambda ids: ids == ["a", "b"])
        coll.document("a").update({"s": 3})
        _, changes = ordered.wait_for(lambda ids: ids == ["b", "a"])
        assert kinds(changes) == [("MODIFIED", "a")]
        _, changes = everything.wait_for(lambda ids: ids == ["a", "b"] and len(everything.snapshots) > 1)
        assert kinds(changes) == [("MODIFIED", "a")]
    finally:
        for watch in watches:
            watch.unsubscribe()


# --- transactions -----------------------------------------------------------------------------------------------


def test_a_query_and_get_all_in_a_read_write_transaction(firestore_client: firestore.Client) -> None:
    coll = seeded(firestore_client, "tx", {"a": {"n": 1}, "b": {"n": 2}})

    @firestore.transactional
    def move(transaction: Any) -> list[bool]:
        total = sum(s.get("n") for s in transaction.get(coll.where(filter=Filter("n", ">", 0))))
        found = [s.exists for s in transaction.get_all([coll.document("a"), coll.document("missing")])]
        transaction.set(coll.document("total"), {"n": total})
        return found

    assert sorted(move(firestore_client.transaction())) == [False, True]
    assert coll.document("total").get().get("n") == 3


def test_a_transaction_commits_at_most_500_writes(firestore_client: firestore.Client) -> None:
    coll = firestore_client.collection("tx500")
    transaction = firestore_client.transaction()
    transaction._begin()
    for i in range(501):
        transaction.set(coll.document(f"d{i}"), {"i": i})
    with pytest.raises(exceptions.BadRequest, match="maximum 500 writes allowed per request"):
        transaction._commit()


def test_reads_after_writes_are_refused_by_the_client(firestore_client: firestore.Client) -> None:
    coll = firestore_client.collection("txrw")
    coll.document("a").set({"n": 0})

    @firestore.transactional
    def write_then_read(transaction: Any) -> None:
        transaction.set(coll.document("a"), {"n": 1})
        list(transaction.get(coll.document("a")))

    with pytest.raises(_helpers.ReadAfterWriteError):
        write_then_read(firestore_client.transaction())
    assert coll.document("a").get().get("n") == 0  # rolled back


def test_a_read_only_transaction_at_a_read_time(firestore_client: firestore.Client, unique_id: str) -> None:
    doc = firestore_client.collection("tro").document(unique_id)
    first = doc.set({"n": 1})
    doc.set({"n": 2})
    options = common_types.TransactionOptions(
        read_only=common_types.TransactionOptions.ReadOnly(read_time=first.update_time)
    )
    responses = list(
        firestore_client._firestore_api.batch_get_documents(
            request={
                "database": firestore_client._database_string,
                "documents": [doc._document_path],
                "new_transaction": options,
            }
        )
    )
    assert responses[0].transaction
    assert responses[0].found.fields["n"].integer_value == 1
    assert responses[0].read_time == first.update_time


# --- BatchGetDocuments ------------------------------------------------------------------------------------------


def batch_get(db: firestore.Client, names: list[str], mask: list[str] | None = None) -> list[Any]:
    request = firestore_types.BatchGetDocumentsRequest(
        database=db._database_string,
        documents=names,
        mask=common_types.DocumentMask(field_paths=mask) if mask is not None else None,
    )
    return list(db._firestore_api.batch_get_documents(request=request))


def test_batch_get_with_a_mask_duplicates_and_other_databases(firestore_client: firestore.Client) -> None:
    firestore_client.document("bg/a").set({"x": 1, "m": {"y": 2, "z": 3}})
    root = firestore_client._database_string + "/documents"
    responses = batch_get(firestore_client, [f"{root}/bg/a", f"{root}/bg/missing"], mask=["m.y"])
    assert dict(responses[0].found.fields)["m"].map_value.fields["y"].integer_value == 2
    assert "x" not in responses[0].found.fields and "z" not in responses[0].found.fields["m"].map_value.fields
    assert responses[1].missing == f"{root}/bg/missing"
    duplicated = batch_get(firestore_client, [f"{root}/bg/a", f"{root}/bg/a"])
    assert [r.found.name for r in duplicated] == [f"{root}/bg/a", f"{root}/bg/a"]
    elsewhere = root.replace("(default)", "other-db")
    with pytest.raises(exceptions.BadRequest) as raised:
        batch_get(firestore_client, [f"{elsewhere}/bg/a"])
    assert (
        raised.value.message
        == f'Document "{elsewhere}/bg/a" is not in database "{firestore_client._database_string}".'
    )
    with pytest.raises(exceptions.BadRequest) as raised:
        firestore_client._firestore_api.commit(
            request={
                "database": firestore_client._database_string,
                "writes": [{"delete": f"{elsewhere}/bg/a"}],
            }
        )
    assert (
        raised.value.message
        == f'Document "{elsewhere}/bg/a" is not in database "{firestore_client._database_string}".'
    )


async def test_async_client_conformance(firestore_project: str) -> None:
    db = firestore.AsyncClient(project=firestore_project)
    try:
        coll = db.collection("async_conf")
        for i in range(5):
            await coll.document(f"d{i}").set({"i": i, "m": {}})
        last = await coll.order_by("i").limit_to_last(2).get()
        assert [s.id for s in last] == ["d3", "d4"]
        snapshot = await coll.document("d2").get()
        assert [s.id async for s in coll.order_by("i").start_after(snapshot).stream()] == ["d3", "d4"]
        await coll.document("d0").update({"m.deep.x": firestore.Increment(1), "i": firestore.DELETE_FIELD})
        assert (await coll.document("d0").get()).to_dict() == {"m": {"deep": {"x": 1}}}
        with pytest.raises(exceptions.NotFound):
            await coll.document("nope").update({"a": 1})

        @firestore.async_transactional
        async def total(transaction: Any) -> int:
            return sum(
                [s.get("i") async for s in await transaction.get(coll.where(filter=Filter("i", ">=", 3)))]
            )

        assert await total(db.transaction()) == 7
    finally:
        db.close()


# --- resource names ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "message"),
    [
        # recorded from the official emulator over gRPC (hidane's names.rs tests, project p-grpc)
        ("/documents/c", 'Document name "{name}" lacks "/" at index 47.'),
        ("/c/d", 'Document name "{name}" lacks "documents" at index 36.'),
        ("/documents", 'Document name "{name}" lacks "/" at index 45.'),
        ("/documents/c/d/e", 'Document name "{name}" lacks "/" at index 51.'),
        ("/documents/c//d", 'Document name "{name}" has an empty resource id at index 48.'),
    ],
)
def test_malformed_document_names_are_answered_in_the_official_words(
    firestore_client: firestore.Client, relative: str, message: str
) -> None:
    name = "projects/p-grpc/databases/(default)" + relative
    with pytest.raises(exceptions.InvalidArgument) as raised:
        firestore_client._firestore_api.get_document(request={"name": name})
    assert raised.value.message == message.format(name=name)


def test_run_query_reports_what_the_offset_skipped_on_every_response_but_the_last(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    """As the official emulator answers (hidane's queries.json replays): skipped_results on each document
    response except the last one; an empty answer carries only its read time and done."""
    coll = seeded(firestore_client, f"skip-{unique_id}", {f"d{i}": {"i": i} for i in range(6)})
    api = firestore_client._firestore_api
    parent = f"{firestore_client._database_string}/documents"

    def shape(offset: int, limit: int | None = None) -> list[tuple[str, int, bool]]:
        query: dict[str, Any] = {"from_": [{"collection_id": coll.id}], "offset": offset}
        if limit is not None:
            query["limit"] = limit
        responses = api.run_query(request={"parent": parent, "structured_query": query})
        return [
            (r.document.name.rsplit("/", 1)[-1] if r.document.name else "", r.skipped_results, r.done)
            for r in responses
        ]

    assert shape(2, 3) == [("d2", 2, False), ("d3", 2, False), ("d4", 0, True)]
    assert shape(5) == [("d5", 0, True)]
    assert shape(0, 2) == [("d0", 0, False), ("d1", 0, True)]
    assert shape(9) == [("", 0, True)]
    assert [s.id for s in coll.order_by("i").offset(4).stream()] == ["d4", "d5"]


def test_a_query_that_starts_a_transaction_answers_its_id_alone_first(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    """query.proto, RunQueryResponse.transaction: "If set, no other fields will be set in this response."."""
    coll = seeded(firestore_client, f"ntx-{unique_id}", {"a": {"n": 1}, "b": {"n": 2}})
    api = firestore_client._firestore_api
    request = {
        "parent": f"{firestore_client._database_string}/documents",
        "structured_query": {"from_": [{"collection_id": coll.id}]},
        "new_transaction": {"read_only": {}},
    }
    first, *rest = api.run_query(request=request)
    assert first.transaction and not first.document.name and not first.read_time and not first.done
    assert [r.document.name.rsplit("/", 1)[-1] for r in rest] == ["a", "b"]
    assert not any(r.transaction for r in rest) and rest[-1].done
    request["structured_query"] = {"from_": [{"collection_id": f"none-{unique_id}"}]}
    first, only = api.run_query(request=request)
    assert first.transaction and not only.transaction and only.done and only.read_time


# --- the gRPC surface -------------------------------------------------------------------------------------------


def test_v1beta1_is_served_too_as_the_official_emulator(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    """The official emulator also serves google.firestore.v1beta1.Firestore (hidane's grpc_settings.json): the
    same documents, its own PartitionQuery wording."""
    import os

    import grpc

    name = f"{firestore_client._database_string}/documents/beta/{unique_id}"
    commit = firestore_types.CommitRequest(
        database=firestore_client._database_string,
        writes=[{"update": {"name": name, "fields": {"n": {"integer_value": 1}}}}],
    )
    with grpc.insecure_channel(os.environ["FIRESTORE_EMULATOR_HOST"]) as channel:
        call = channel.unary_unary("/google.firestore.v1beta1.Firestore/Commit")
        call(firestore_types.CommitRequest.serialize(commit), timeout=10)
        get = channel.unary_unary("/google.firestore.v1beta1.Firestore/GetDocument")
        raw = get(
            firestore_types.GetDocumentRequest.serialize(firestore_types.GetDocumentRequest(name=name)),
            timeout=10,
        )
        assert document_types.Document.deserialize(raw).fields["n"].integer_value == 1
        missing = firestore_types.GetDocumentRequest(name=name + "-missing")
        with pytest.raises(grpc.RpcError) as raised:
            get(firestore_types.GetDocumentRequest.serialize(missing), timeout=10)
        assert raised.value.code() == grpc.StatusCode.NOT_FOUND
        assert raised.value.details() == f"Document ({name}-missing) not found."
        partition = channel.unary_unary("/google.firestore.v1beta1.Firestore/PartitionQuery")
        with pytest.raises(grpc.RpcError) as raised:
            partition(b"", timeout=10)
        assert (
            raised.value.details()
            == "Method google.firestore.v1beta1.Firestore/PartitionQuery is unimplemented"
        )
    assert firestore_client.document(f"beta/{unique_id}").get().get("n") == 1


def test_a_commit_of_40_megabytes_is_accepted(firestore_client: firestore.Client, unique_id: str) -> None:
    """The official emulator takes gRPC messages up to 100 MiB (a 64 MB commit passes)."""
    batch = firestore_client.batch()
    for i in range(40):
        batch.set(firestore_client.document(f"big-{unique_id}/d{i}"), {"s": "x" * 1_000_000})
    batch.commit()
    assert firestore_client.collection(f"big-{unique_id}").count().get()[0][0].value == 40
