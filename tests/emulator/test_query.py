"""Tests of the query engine: unit tests on protobufs (queries built by the real client), then the same cases
through the sync and async clients over gRPC against the embedded emulator."""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1.base_query import BaseQuery
from google.cloud.firestore_v1.base_vector_query import DistanceMeasure
from google.cloud.firestore_v1.collection import CollectionReference
from google.cloud.firestore_v1.document import DocumentSnapshot
from google.cloud.firestore_v1.field_path import FieldPath
from google.cloud.firestore_v1.types import document as document_types
from google.cloud.firestore_v1.types import query as query_types
from google.cloud.firestore_v1.vector import Vector
from google.protobuf import timestamp_pb2

from firestore_emulator import query as engine
from firestore_emulator.errors import FailedPrecondition, InvalidArgument

Document = document_types.Document.pb()
StructuredQuery = query_types.StructuredQuery.pb()
ROOT = "projects/p/databases/(default)/documents"
client = firestore.Client(project="p", credentials=AnonymousCredentials())
And, Or, Filter = firestore.And, firestore.Or, firestore.FieldFilter


def make_doc(path: str, data: dict[str, Any]) -> Any:
    doc = Document(name=f"{ROOT}/{path}")
    for key, value in _helpers.encode_dict(data).items():
        doc.fields[key].CopyFrom(value._pb)
    doc.create_time.CopyFrom(timestamp_pb2.Timestamp(seconds=1))
    doc.update_time.CopyFrom(timestamp_pb2.Timestamp(seconds=2))
    return doc


def store(**collections: dict[str, dict[str, Any]]) -> list[Any]:
    """Documents of top-level collections, as {collection: {id: data}}."""
    return [
        make_doc(f"{name}/{doc_id}", data)
        for name, docs in collections.items()
        for doc_id, data in docs.items()
    ]


def as_query(query: BaseQuery | CollectionReference) -> BaseQuery:
    return query._query() if isinstance(query, CollectionReference) else query


def parent_of(query: BaseQuery | CollectionReference) -> str:
    return as_query(query)._parent._parent_info()[0]  # type: ignore[no-any-return]


def pb(query: BaseQuery | CollectionReference) -> Any:
    """The raw StructuredQuery the client would send."""
    return as_query(query)._to_protobuf()._pb


def run(query: BaseQuery | CollectionReference, docs: Iterable[Any]) -> list[str]:
    """The ids (paths below the database root) that the engine returns for a client-built query."""
    return [doc.name[len(ROOT) + 1 :] for doc in engine.run_query(parent_of(query), pb(query), docs)]


def run_raw(raw: Any, docs: Iterable[Any], parent: str = ROOT) -> list[str]:
    """The paths below the database root that the engine returns for a raw StructuredQuery."""
    return [doc.name[len(ROOT) + 1 :] for doc in engine.run_query(parent, raw, docs)]


def ids(query: BaseQuery | CollectionReference, docs: Iterable[Any]) -> list[str]:
    return [path.rsplit("/", 1)[1] for path in run(query, docs)]


def mixed_data(db: firestore.Client) -> dict[str, dict[str, Any]]:
    """One document per kind of value in field ``v`` (and one without it), keyed by document id."""
    return {
        "null": {"v": None},
        "false": {"v": False},
        "true": {"v": True},
        "nan": {"v": math.nan},
        "neg": {"v": -1},
        "zero": {"v": 0.0},
        "one": {"v": 1},
        "onef": {"v": 1.0},
        "two": {"v": 2.5},
        "time": {"v": datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)},
        "empty": {"v": ""},
        "a": {"v": "a"},
        "b": {"v": "b"},
        "bytes": {"v": b"a"},
        "ref": {"v": db.document("c/zzz")},
        "geo": {"v": firestore.GeoPoint(1, 2)},
        "arr": {"v": [1, "a", None]},
        "arr2": {"v": ["b", 2]},
        "map": {"v": {"k": 1}},
        "missing": {"other": 1},
    }


MIXED = store(c=mixed_data(client))
coll = client.collection("c")
BY_V_ORDER = ["null", "false", "true", "nan", "neg", "zero", "one", "onef", "two", "time", "empty", "a", "b"]
BY_V_ORDER += ["bytes", "ref", "geo", "arr", "arr2", "map"]

# (operator, operand, ids in result order). Results without an inequality come in name order; with one, in
# order of v and then name.
FILTER_CASES: list[tuple[str, Any, list[str]]] = [
    ("<", 1, ["neg", "zero"]),  # a range never matches NaN (the official emulator)
    ("<=", 1, ["neg", "zero", "one", "onef"]),
    (">", 1, ["two"]),
    (">=", "a", ["a", "b"]),
    ("<", "b", ["empty", "a"]),
    (">", False, ["true"]),
    ("<", datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC), ["time"]),
    (">=", b"", ["bytes"]),
    (">", [1], ["arr", "arr2"]),
    ("==", 1, ["one", "onef"]),
    ("==", 0, ["zero"]),
    ("==", [1, "a", None], ["arr"]),
    ("==", {"k": 1.0}, ["map"]),
    ("==", None, ["null"]),
    ("==", math.nan, ["nan"]),
    ("!=", 1, [i for i in BY_V_ORDER if i not in ("null", "one", "onef")]),
    ("!=", None, [i for i in BY_V_ORDER if i != "null"]),
    ("!=", math.nan, [i for i in BY_V_ORDER if i not in ("null", "nan")]),
    ("in", [1, "a", None, math.nan], ["a", "one", "onef"]),  # only == and != match null and NaN
    ("not-in", [1, "a"], [i for i in BY_V_ORDER if i not in ("null", "one", "onef", "a")]),
    ("not-in", [None, 1], []),
    ("array_contains", "a", ["arr"]),
    ("array_contains", 2.0, ["arr2"]),
    ("array_contains_any", ["b", 1.0], ["arr", "arr2"]),
    ("array_contains", "zzz", []),
]


@pytest.mark.parametrize(("op", "operand", "expected"), FILTER_CASES)
def test_field_filters_follow_firestore_semantics(op: str, operand: Any, expected: list[str]) -> None:
    assert ids(coll.where(filter=Filter("v", op, operand)), MIXED) == expected


def test_array_contains_null_or_nan_matches_nothing() -> None:
    docs = store(c={"n": {"v": [None, 1]}, "nan": {"v": [math.nan]}})
    raw = pb(coll.where(filter=Filter("v", "array_contains", "placeholder")))
    raw.where.field_filter.value.null_value = 0
    assert engine.run_query(ROOT, raw, docs) == []
    raw.where.field_filter.value.double_value = math.nan
    assert engine.run_query(ROOT, raw, docs) == []


def test_filters_on_nested_fields_and_quoted_paths() -> None:
    docs = store(c={"x": {"m": {"k": 1, "dot.ted": 2}}, "y": {"m": {"k": 2}}})
    assert ids(coll.where(filter=Filter("m.k", "==", 1)), docs) == ["x"]
    assert ids(coll.where(filter=Filter(FieldPath("m", "dot.ted").to_api_repr(), "==", 2)), docs) == ["x"]


def test_composite_or_and_nested_to_depth() -> None:
    docs = store(c={f"d{i}": {"a": i % 3, "b": i % 2, "c": i} for i in range(12)})
    query = coll.where(
        filter=Or(
            [
                And([Filter("a", "==", 0), Filter("b", "==", 1)]),
                And([Filter("c", ">=", 10), Or([Filter("a", "==", 2), Filter("b", "==", 0)])]),
            ]
        )
    )
    expected = {
        f"d{i}" for i in range(12) if (i % 3 == 0 and i % 2 == 1) or (i >= 10 and (i % 3 == 2 or i % 2 == 0))
    }
    assert set(ids(query, docs)) == expected == {"d3", "d9", "d10", "d11"}


def test_filters_on_document_name() -> None:
    docs = store(c={"a": {}, "b": {}, "c": {}})
    assert ids(coll.where(filter=Filter("__name__", ">", coll.document("a"))), docs) == ["b", "c"]
    assert ids(
        coll.where(filter=Filter("__name__", "in", [coll.document("c"), coll.document("a")])), docs
    ) == [
        "a",
        "c",
    ]


def test_filters_on_document_name_need_references() -> None:
    with pytest.raises(InvalidArgument, match=r"^__key__ filter value must be a Key$"):
        run(coll.where(filter=Filter("__name__", "==", "a")), [])


# --- collections ------------------------------------------------------------------------------------------


NESTED = [
    make_doc("c/a", {"n": 1}),
    make_doc("c/a/c/b", {"n": 2}),
    make_doc("c/a/sub/x", {"n": 3}),
    make_doc("d/e/c/f", {"n": 4}),
    make_doc("other/g", {"n": 5}),
]


def test_a_collection_query_sees_only_its_direct_documents() -> None:
    assert run(client.collection("c"), NESTED) == ["c/a"]
    assert run(client.collection("c/a/c"), NESTED) == ["c/a/c/b"]


def test_a_collection_group_query_sees_every_collection_with_that_id() -> None:
    assert run(client.collection_group("c"), NESTED) == ["c/a", "c/a/c/b", "d/e/c/f"]


def test_all_descendants_under_a_document_and_kindless_queries() -> None:
    query = StructuredQuery()
    query.from_.add(collection_id="c", all_descendants=True)
    assert [d.name for d in engine.run_query(f"{ROOT}/c/a", query, NESTED)] == [f"{ROOT}/c/a/c/b"]
    query.from_[0].collection_id = ""
    names = [d.name[len(ROOT) + 1 :] for d in engine.run_query(ROOT, query, NESTED)]
    assert names == ["c/a", "c/a/c/b", "c/a/sub/x", "d/e/c/f", "other/g"]


# --- ordering ---------------------------------------------------------------------------------------------


def test_order_by_sorts_across_types_and_excludes_documents_without_the_field() -> None:
    result = ids(coll.order_by("v"), MIXED)
    assert "missing" not in result
    assert result[:5] == ["null", "false", "true", "nan", "neg"]
    assert result[5:8] == ["zero", "one", "onef"]  # 1 and 1.0 tie; __name__ breaks the tie
    assert result[-3:] == ["arr", "arr2", "map"]


def test_descending_order_also_orders_names_descending() -> None:
    docs = store(c={"a": {"x": 1}, "b": {"x": 1}, "c": {"x": 0}})
    assert ids(coll.order_by("x", direction="DESCENDING"), docs) == ["b", "a", "c"]


def test_inequality_fields_are_ordered_implicitly_after_explicit_orders() -> None:
    docs = store(c={"a": {"x": 2, "y": 1}, "b": {"x": 1, "y": 2}, "c": {"x": 3, "y": 2}})
    assert ids(coll.where(filter=Filter("x", ">", 0)), docs) == ["b", "a", "c"]
    assert ids(coll.where(filter=Filter("x", ">", 0)).order_by("y"), docs) == ["a", "b", "c"]
    orders = engine.normalized_orders(
        pb(coll.where(filter=Filter("z", "<", 5)).where(filter=Filter("x", ">", 0)))
    )
    assert [(o.path, o.descending) for o in orders] == [
        (("x",), False),
        (("z",), False),
        (("__name__",), False),
    ]


def test_order_key_sorts_like_the_query() -> None:
    query = pb(coll.order_by("v", direction="DESCENDING"))
    with_field = [d for d in MIXED if "v" in d.fields]
    ordered = sorted(with_field, key=engine.order_key(query))
    assert [d.name for d in ordered] == [d.name for d in engine.run_query(f"{ROOT}", query, MIXED)]


# --- cursors, offset, limit, projection -------------------------------------------------------------------

NUMBERS = store(c={f"n{i}": {"x": i // 2, "i": i} for i in range(8)})  # x: 0 0 1 1 2 2 3 3


def test_cursor_values_start_and_end_before_or_after() -> None:
    by_x = coll.order_by("x")
    assert ids(by_x.start_at({"x": 1}), NUMBERS) == ["n2", "n3", "n4", "n5", "n6", "n7"]
    assert ids(by_x.start_after({"x": 1}), NUMBERS) == ["n4", "n5", "n6", "n7"]
    assert ids(by_x.end_at({"x": 1}), NUMBERS) == ["n0", "n1", "n2", "n3"]
    assert ids(by_x.end_before({"x": 1}), NUMBERS) == ["n0", "n1"]
    assert ids(by_x.start_at({"x": 1}).end_before({"x": 3}), NUMBERS) == ["n2", "n3", "n4", "n5"]


def test_cursor_with_name_continues_inside_ties() -> None:
    query = coll.order_by("x").order_by("__name__").start_after([1, coll.document("n2")])
    assert ids(query, NUMBERS) == ["n3", "n4", "n5", "n6", "n7"]


def test_cursor_from_a_snapshot_uses_its_fields_and_name() -> None:
    reference = coll.document("n4")
    snapshot = DocumentSnapshot(reference, {"x": 2, "i": 4}, True, None, None, None)
    assert ids(coll.order_by("x").start_after(snapshot), NUMBERS) == ["n5", "n6", "n7"]
    assert ids(coll.order_by("x", direction="DESCENDING").start_at(snapshot), NUMBERS) == [
        "n4",
        "n3",
        "n2",
        "n1",
        "n0",
    ]


def test_relative_name_references_in_cursors_are_resolved_against_the_database() -> None:
    query = pb(coll.order_by("__name__"))
    query.start_at.values.add(reference_value="c/n5")
    query.start_at.before = True
    assert [d.name.rsplit("/", 1)[1] for d in engine.run_query(ROOT, query, NUMBERS)] == ["n5", "n6", "n7"]


def test_offset_and_limit_apply_after_cursors() -> None:
    assert ids(coll.order_by("i").start_at({"i": 2}).offset(1).limit(3), NUMBERS) == ["n3", "n4", "n5"]
    assert ids(coll.order_by("i").limit(0), NUMBERS) == []


def test_select_projects_fields_and_name_only_selects_nothing() -> None:
    docs = store(c={"a": {"keep": 1, "drop": 2, "m": {"in": 1, "out": 2}}})
    (projected,) = engine.run_query(ROOT, pb(coll.select(["keep", "m.in"])), docs)
    assert set(projected.fields) == {"keep", "m"} and set(projected.fields["m"].map_value.fields) == {"in"}
    (bare,) = engine.run_query(ROOT, pb(coll.select(["__name__"])), docs)
    assert not bare.fields and bare.name == f"{ROOT}/c/a" and bare.update_time.seconds == 2


def test_matches_checks_collection_filter_and_order_fields_but_not_limits() -> None:
    query = pb(coll.where(filter=Filter("x", ">", 2)).order_by("i").limit(1))
    assert engine.matches(ROOT, query, NUMBERS[7])
    assert engine.matches(ROOT, query, NUMBERS[6])  # beyond the limit, still a match
    assert not engine.matches(ROOT, query, NUMBERS[0])
    assert not engine.matches(ROOT, query, make_doc("other/n7", {"x": 3, "i": 1}))
    assert not engine.matches(ROOT, query, make_doc("c/no_i", {"x": 3}))  # ordering by i excludes it


# --- validation -------------------------------------------------------------------------------------------


def invalid(query: Any, match: str) -> None:
    raw = query if isinstance(query, StructuredQuery) else pb(query)
    with pytest.raises(InvalidArgument, match=match):
        engine.run_query(ROOT, raw, [])


def test_in_accepts_30_values_and_refuses_31() -> None:
    run(coll.where(filter=Filter("v", "in", list(range(30)))), [])
    invalid(
        coll.where(filter=Filter("v", "in", list(range(31)))), "^'IN' supports up to 30 comparison values.$"
    )
    invalid(
        coll.where(filter=Filter("v", "array_contains_any", list(range(31)))),
        "^'ARRAY_CONTAINS_ANY' supports up to 30 comparison values.$",
    )


def test_disjunctive_normal_form_is_limited_to_30_terms() -> None:
    six, six_b = Filter("a", "in", list(range(6))), Filter("b", "in", list(range(6)))
    invalid(
        coll.where(filter=And([six, six_b])),
        "^Too many disjunctions after normalization. Result had 36 disjunctions which is more than the maximum "
        "of 30$",
    )


def test_not_in_accepts_at_most_10_values() -> None:
    invalid(
        coll.where(filter=Filter("v", "not-in", list(range(11)))), "^'NOT_IN' supports up to 10 comparison"
    )


def test_only_one_array_contains_per_disjunction() -> None:
    """FAILED_PRECONDITION with the official emulator's words."""
    message = "^Only a single array-contains clause is allowed in a query$"
    with pytest.raises(FailedPrecondition, match=message):
        run(
            coll.where(filter=Filter("a", "array_contains", 1)).where(
                filter=Filter("b", "array_contains", 2)
            ),
            [],
        )
    with pytest.raises(FailedPrecondition, match=message):
        run(
            coll.where(filter=Filter("a", "array_contains", 1)).where(
                filter=Filter("b", "array_contains_any", [2])
            ),
            [],
        )
    run(coll.where(filter=Or([Filter("a", "array_contains", 1), Filter("b", "array_contains", 2)])), [])


def test_not_in_conflicts_with_not_equal_in_and_or() -> None:
    single = "^Only a single 'NOT_EQUAL', 'NOT_IN', 'IS_NOT_NAN', or 'IS_NOT_NULL' filter allowed per query.$"
    not_in = "^'NOT_IN' cannot be used in the same query with 'IN', 'ARRAY_CONTAINS_ANY' or 'OR'.$"
    invalid(coll.where(filter=Filter("a", "not-in", [1])).where(filter=Filter("b", "!=", 2)), single)
    invalid(coll.where(filter=Filter("a", "not-in", [1])).where(filter=Filter("b", "not-in", [2])), single)
    invalid(coll.where(filter=Filter("a", "!=", 1)).where(filter=Filter("b", "!=", 2)), single)
    invalid(coll.where(filter=Filter("a", "!=", None)).where(filter=Filter("b", "!=", math.nan)), single)
    invalid(coll.where(filter=Filter("a", "not-in", [1])).where(filter=Filter("b", "in", [2])), not_in)
    invalid(
        coll.where(filter=Filter("a", "not-in", [1])).where(filter=Filter("b", "array_contains_any", [2])),
        not_in,
    )
    invalid(coll.where(filter=Or([Filter("a", "not-in", [1]), Filter("b", "==", 2)])), not_in)


def test_in_needs_a_non_empty_array() -> None:
    raw = pb(coll.where(filter=Filter("v", "in", [1])))
    raw.where.field_filter.value.array_value.ClearField("values")
    invalid(raw, "^'IN' requires an non-empty ArrayValue.$")
    raw.where.field_filter.value.integer_value = 1
    invalid(raw, "^'IN' requires an ArrayValue.$")


def test_cursor_longer_than_the_order_is_refused() -> None:
    raw = pb(coll.order_by("x").start_at({"x": 1}))
    raw.start_at.values.add(integer_value=1)
    raw.start_at.values.add(integer_value=2)
    invalid(raw, "^Cursor has too many values.$")


def test_a_cursor_takes_values_for_the_explicit_orders_only() -> None:
    """The official emulator: the implicit order on __name__ takes no cursor value (the clients always send an
    explicit one with their cursors)."""
    raw = pb(coll.order_by("__name__").start_at({"__name__": coll.document("a")}))
    del raw.order_by[:]
    invalid(raw, "^Cursor has too many values.$")


def test_name_cursor_values_must_be_references() -> None:
    raw = pb(coll.order_by("__name__").start_at({"__name__": coll.document("a")}))
    raw.start_at.values[0].string_value = "a"
    invalid(raw, "^Cursor __key__ value is not a document reference.$")


def test_negative_offset_or_limit_and_duplicate_orders_are_refused() -> None:
    raw = pb(coll.limit(1))
    raw.limit.value = -1
    invalid(raw, "^limit is negative$")
    raw = pb(coll)
    raw.offset = -2
    invalid(raw, "^offset is negative$")
    invalid(coll.order_by("x").order_by("x"), "^order by clause cannot contain duplicate fields x$")


def test_an_order_on_name_must_come_last_even_before_implicit_inequality_orders() -> None:
    after_key = "^order by clause cannot contain more fields after the key$"
    invalid(coll.order_by("__name__").order_by("x"), after_key)
    invalid(coll.where(filter=Filter("a", ">", 1)).order_by("__name__"), after_key)
    run(coll.where(filter=Filter("__name__", ">", coll.document("a"))).order_by("x").order_by("__name__"), [])


def test_queries_take_at_most_one_collection_selector() -> None:
    raw = StructuredQuery()
    raw.from_.add(collection_id="a")
    raw.from_.add(collection_id="b")
    invalid(raw, "^StructuredQuery.from cannot have more than one collection selector.$")
    invalid(client.collection("a/b/c/d/__x__"), '^Collection id "__x__" is invalid because it is reserved.$')


def test_kindless_queries_read_every_collection_under_the_parent() -> None:
    """No selector, or one without a collection id: the parent's direct documents in any collection (the
    official emulator); with all_descendants, every document below it."""
    assert run_raw(StructuredQuery(), NESTED) == ["c/a", "other/g"]
    raw = StructuredQuery()
    raw.from_.add(collection_id="")
    assert run_raw(raw, NESTED, f"{ROOT}/c/a") == ["c/a/c/b", "c/a/sub/x"]


def test_kindless_queries_filter_and_order_only_by_name_ascending() -> None:
    raw = pb(coll.where(filter=Filter("n", "==", 1)))
    raw.from_[0].collection_id = ""
    invalid(raw, "^kind is required for filter: n$")
    raw = pb(coll.order_by("n"))
    raw.from_[0].collection_id = ""
    invalid(raw, "^kind is required for all orders except __key__ ascending$")
    raw = pb(coll.order_by("__name__", direction="DESCENDING"))
    raw.from_[0].collection_id = ""
    raw.from_[0].all_descendants = True
    with pytest.raises(FailedPrecondition, match=r"^Firestore does not support descending key scans$"):
        engine.run_query(ROOT, raw, NESTED)


def test_empty_composite_filters_constrain_nothing() -> None:
    raw = pb(coll)
    raw.where.composite_filter.op = StructuredQuery.CompositeFilter.AND
    assert run_raw(raw, NESTED) == ["c/a"]
    raw.where.composite_filter.op = StructuredQuery.CompositeFilter.OPERATOR_UNSPECIFIED
    raw.where.composite_filter.filters.add().field_filter.field.field_path = "n"
    invalid(raw, "^Unsupported CompositeFilter operator.$")


def test_filters_without_an_operator_are_refused() -> None:
    raw = pb(coll.where(filter=Filter("n", "==", 1)))
    raw.where.field_filter.op = StructuredQuery.FieldFilter.OPERATOR_UNSPECIFIED
    invalid(raw, "^Unknown FieldFilter operator.$")
    raw = pb(coll.where(filter=Filter("n", "==", None)))
    raw.where.unary_filter.op = StructuredQuery.UnaryFilter.OPERATOR_UNSPECIFIED
    invalid(raw, "^Unknown UnaryFilter operator.$")


def test_name_filters_take_document_references_only() -> None:
    invalid(
        coll.where(filter=Filter("__name__", "array_contains", coll.document("a"))),
        "^the name __key__ is reserved$",
    )
    invalid(coll.where(filter=Filter("__name__", "not-in", ["a"])), "^__key__ filter value must be a Key$")
    invalid(coll.where(filter=Filter("__name__", "==", None)), "^__key__ filter value must be a Key$")
    raw = pb(coll.where(filter=Filter("__name__", "<", coll.document("a"))))
    raw.where.field_filter.value.reference_value = f"{ROOT}/c"
    invalid(raw, re.escape(f'Document parent name "{ROOT}/c" lacks "/" at index {len(ROOT) + 2}.'))


def test_invalid_field_paths_get_the_official_message() -> None:
    raw = pb(coll.order_by("x"))
    raw.order_by[0].field.field_path = "a..b"
    invalid(raw, '^Invalid property path "a..b". Unquoted property paths must match regex')


def test_equality_and_range_with_null_or_nan_operands_match_nothing() -> None:
    """Raw filters (the clients send IS_NULL / IS_NAN instead): the official emulator matches nothing."""
    for op in ("==", "!=", "<", "<=", ">=", ">"):
        raw = pb(coll.where(filter=Filter("v", op, 1)))
        raw.where.field_filter.value.null_value = 0
        assert engine.run_query(ROOT, raw, MIXED) == [], op
    raw = pb(coll.where(filter=Filter("v", "<=", 1)))
    raw.where.field_filter.value.double_value = math.nan
    assert engine.run_query(ROOT, raw, MIXED) == []
    raw = pb(coll.where(filter=Filter("v", "!=", 1)))
    raw.where.field_filter.value.double_value = math.nan
    assert "c/nan" in run_raw(raw, MIXED)


def test_parent_must_be_the_database_root_or_a_document() -> None:
    with pytest.raises(InvalidArgument, match="parent"):
        engine.run_query(f"{ROOT}/c", pb(coll), [])
    with pytest.raises(InvalidArgument, match="parent"):
        engine.run_query("projects/p", pb(coll), [])


def test_recursive_queries_use_numeric_id_bounds_to_cover_one_collection_tree() -> None:
    docs = [make_doc(path, {}) for path in ("b/x", "c/a", "c/a/sub/y", "c/__id5__", "c0/z", "d/w")]
    assert run(client.collection("c").recursive(), docs) == ["c/__id5__", "c/a", "c/a/sub/y"]


# --- vector search ----------------------------------------------------------------------------------------

VECTORS = store(
    c={
        "near": {"e": Vector([1.0, 0.0]), "kind": "a"},
        "far": {"e": Vector([5.0, 5.0]), "kind": "a"},
        "mid": {"e": Vector([2.0, 1.0]), "kind": "b"},
        "wrong_dims": {"e": Vector([1.0, 0.0, 0.0]), "kind": "a"},
        "not_vector": {"e": [1.0, 0.0], "kind": "a"},
    }
)


def nearest(measure: DistanceMeasure, **kwargs: Any) -> list[tuple[str, float]]:
    query = coll.find_nearest(
        "e", Vector([1.0, 0.0]), distance_measure=measure, distance_result_field="d", **kwargs
    )
    raw = query._to_protobuf()._pb
    return [
        (d.name.rsplit("/", 1)[1], d.fields["d"].double_value) for d in engine.run_query(ROOT, raw, VECTORS)
    ]


def test_find_nearest_orders_by_distance_and_reports_it() -> None:
    result = nearest(DistanceMeasure.EUCLIDEAN, limit=2)
    assert [name for name, _ in result] == ["near", "mid"]
    assert result[1][1] == pytest.approx(math.sqrt(2))


def test_find_nearest_dot_product_prefers_larger_values_and_thresholds_invert() -> None:
    assert [name for name, _ in nearest(DistanceMeasure.DOT_PRODUCT, limit=5)] == ["far", "mid", "near"]
    assert [name for name, _ in nearest(DistanceMeasure.DOT_PRODUCT, limit=5, distance_threshold=2.0)] == [
        "far",
        "mid",
    ]
    assert [name for name, _ in nearest(DistanceMeasure.COSINE, limit=5, distance_threshold=0.1)] == ["near"]


def test_find_nearest_applies_after_filters_and_needs_a_positive_limit() -> None:
    query: Any = coll.where(filter=Filter("kind", "==", "b")).find_nearest(
        "e", Vector([1.0, 0.0]), distance_measure=DistanceMeasure.EUCLIDEAN, limit=3
    )
    assert [d.name.rsplit("/", 1)[1] for d in engine.run_query(ROOT, query._to_protobuf()._pb, VECTORS)] == [
        "mid"
    ]
    raw = query._to_protobuf()._pb
    raw.find_nearest.limit.value = 0
    invalid(raw, "FindNearest.limit must be a positive integer of no more than 1000")


# === through the real client, over gRPC, against the embedded emulator ======================================


def seed(db: firestore.Client, path: str, rows: dict[str, dict[str, Any]]) -> Any:
    """Write ``rows`` ({id: data}) into the collection at ``path`` in one batch; returns the collection."""
    collection = db.collection(path)
    batch = db.batch()
    for doc_id, data in rows.items():
        batch.set(collection.document(doc_id), data)
    batch.commit()
    return collection


def streamed(query: Any) -> list[str]:
    return [snapshot.id for snapshot in query.stream()]


def test_client_field_filters_with_cross_type_values(firestore_client: firestore.Client) -> None:
    values_coll = seed(firestore_client, "c", mixed_data(firestore_client))
    for op, operand, expected in FILTER_CASES:
        assert streamed(values_coll.where(filter=Filter("v", op, operand))) == expected, (op, operand)


def test_client_order_by_across_types(firestore_client: firestore.Client) -> None:
    values_coll = seed(firestore_client, "c", mixed_data(firestore_client))
    assert streamed(values_coll.order_by("v")) == BY_V_ORDER
    assert streamed(values_coll.order_by("v", direction="DESCENDING")) == list(reversed(BY_V_ORDER))


def test_client_nested_or_and_filters(firestore_client: firestore.Client) -> None:
    numbers = seed(firestore_client, "n", {f"d{i:02}": {"a": i % 3, "b": i % 2, "c": i} for i in range(12)})
    query = numbers.where(
        filter=Or(
            [
                And([Filter("a", "==", 0), Filter("b", "==", 1)]),
                And([Filter("c", ">=", 10), Or([Filter("a", "==", 2), Filter("b", "==", 0)])]),
            ]
        )
    )
    assert streamed(query) == ["d03", "d09", "d10", "d11"]
    assert streamed(numbers.where(filter=Or([Filter("c", "<", 1), Filter("c", ">", 10)]))) == ["d00", "d11"]


def test_client_collection_group_query(firestore_client: firestore.Client, unique_id: str) -> None:
    group = f"g{unique_id}"
    for path in (f"a/1/{group}/x", f"b/2/{group}/y", f"{group}/z", "a/1/other/w"):
        firestore_client.document(path).set({"depth": path.count("/")})
    assert streamed(firestore_client.collection_group(group)) == ["x", "y", "z"]
    assert streamed(firestore_client.collection_group(group).where(filter=Filter("depth", "<", 2))) == ["z"]


def test_client_cursors_from_values_and_snapshots(firestore_client: firestore.Client) -> None:
    numbers = seed(firestore_client, "n", {f"n{i}": {"x": i // 2, "i": i} for i in range(8)})
    by_x = numbers.order_by("x")
    assert streamed(by_x.start_at({"x": 1}).end_before({"x": 3})) == ["n2", "n3", "n4", "n5"]
    assert streamed(by_x.start_after({"x": 2})) == ["n6", "n7"]
    snapshot = numbers.document("n4").get()
    assert streamed(by_x.start_after(snapshot)) == ["n5", "n6", "n7"]
    assert streamed(by_x.end_at(snapshot)) == ["n0", "n1", "n2", "n3", "n4"]
    assert streamed(numbers.where(filter=Filter("i", ">", 1)).start_at(snapshot)) == ["n4", "n5", "n6", "n7"]


def test_client_pages_with_snapshot_cursors(firestore_client: firestore.Client) -> None:
    numbers = seed(firestore_client, "n", {f"n{i}": {"x": i % 3} for i in range(7)})
    pages: list[list[str]] = []
    query = numbers.order_by("x").limit(3)
    while True:
        page = list(query.stream())
        if not page:
            break
        pages.append([s.id for s in page])
        query = numbers.order_by("x").start_after(page[-1]).limit(3)
    assert pages == [["n0", "n3", "n6"], ["n1", "n4", "n2"], ["n5"]]


def test_client_limit_to_last_offset_and_select(firestore_client: firestore.Client) -> None:
    numbers = seed(
        firestore_client, "n", {f"n{i}": {"i": i, "sq": i * i, "m": {"a": i, "b": 0}} for i in range(6)}
    )
    last = numbers.order_by("i").limit_to_last(2).get()
    assert [s.id for s in last] == ["n4", "n5"]
    assert streamed(numbers.order_by("i").offset(2).limit(2)) == ["n2", "n3"]
    (projected,) = numbers.where(filter=Filter("i", "==", 3)).select(["sq", "m.a"]).get()
    assert projected.to_dict() == {"sq": 9, "m": {"a": 3}}
    names_only = numbers.select([]).get()
    assert len(names_only) == 6 and all(s.to_dict() == {} for s in names_only)


def test_client_filters_on_document_id(firestore_client: firestore.Client) -> None:
    letters = seed(firestore_client, "l", {letter: {} for letter in "abcd"})
    assert streamed(letters.where(filter=Filter(FieldPath.document_id(), ">", letters.document("b")))) == [
        "c",
        "d",
    ]
    assert streamed(
        letters.where(filter=Filter("__name__", "in", [letters.document("d"), letters.document("a")]))
    ) == [
        "a",
        "d",
    ]


def test_client_sees_invalid_queries_as_invalid_argument(firestore_client: firestore.Client) -> None:
    from google.api_core.exceptions import FailedPrecondition as ClientFailedPrecondition
    from google.api_core.exceptions import InvalidArgument as ClientInvalidArgument

    coll_ = firestore_client.collection("c")
    with pytest.raises(ClientInvalidArgument, match="Only a single 'NOT_EQUAL', 'NOT_IN'"):
        list(coll_.where(filter=Filter("a", "not-in", [1])).where(filter=Filter("b", "!=", 2)).stream())
    with pytest.raises(ClientFailedPrecondition, match="Only a single array-contains clause"):
        list(
            coll_.where(filter=Filter("a", "array_contains", 1))
            .where(filter=Filter("b", "array_contains", 2))
            .stream()
        )
    with pytest.raises(ClientInvalidArgument, match=r"'IN' supports up to 30 comparison values."):
        list(coll_.where(filter=Filter("a", "in", list(range(31)))).stream())


async def test_async_client_queries_and_cursors(firestore_project: str) -> None:
    db = firestore.AsyncClient(project=firestore_project)
    try:
        numbers = db.collection("n")
        for i in range(5):
            await numbers.document(f"n{i}").set({"i": i, "odd": i % 2 == 1})
        odd = numbers.where(filter=Filter("odd", "==", True))
        assert [s.id async for s in odd.stream()] == ["n1", "n3"]
        after = await numbers.document("n2").get()
        assert [s.id async for s in numbers.order_by("i").start_after(after).stream()] == ["n3", "n4"]
        assert [s.id for s in await numbers.order_by("i").limit_to_last(2).get()] == ["n3", "n4"]
        query = numbers.where(filter=Or([Filter("i", "==", 0), Filter("i", ">=", 4)]))
        assert [s.id async for s in query.stream()] == ["n0", "n4"]
    finally:
        db.close()


def test_client_listener_on_an_ordered_query_skips_documents_without_the_field(
    firestore_client: firestore.Client,
) -> None:
    import queue

    coll_ = firestore_client.collection("watch")
    snapshots: queue.Queue[list[str]] = queue.Queue()
    watch = (
        coll_.where(filter=Filter("x", ">=", 0))
        .order_by("y")
        .on_snapshot(lambda docs, changes, read_time: snapshots.put([d.id for d in docs]))
    )
    try:
        assert snapshots.get(timeout=10) == []
        coll_.document("b").set({"x": 1})  # no y: ordering by y excludes it
        coll_.document("a").set({"x": 2, "y": 5})
        coll_.document("c").set({"x": 3, "y": 1})
        seen = snapshots.get(timeout=10)
        while seen != ["c", "a"]:
            assert "b" not in seen
            seen = snapshots.get(timeout=10)
        coll_.document("b").update({"y": 3})
        assert snapshots.get(timeout=10) == ["c", "b", "a"]
    finally:
        watch.unsubscribe()


def test_strings_and_bytes_order_on_their_first_1500_bytes(firestore_client: firestore.Client) -> None:
    """As Firestore's truncated index entries order them (a conformance suite checks it without exception for
    the official emulator): values equal on their first 1,500 bytes tie and follow the name; equality filters
    still compare whole values."""
    collection = firestore_client.collection("long")
    prefix = "a" * 1500
    collection.document("long-b").set({"value": prefix + "x"})
    collection.document("long-a").set({"value": prefix + "y"})
    collection.document("short").set({"value": "a" * 1499 + "b"})
    collection.document("bytes-b").set({"value": b"\x01" * 1500 + b"\x00"})
    collection.document("bytes-a").set({"value": b"\x01" * 1500 + b"\x02"})
    ordered = [d.id for d in collection.order_by("value").stream()]
    assert ordered == ["long-a", "long-b", "short", "bytes-a", "bytes-b"]
    descending = [d.id for d in collection.order_by("value", direction="DESCENDING").stream()]
    assert descending == ["bytes-b", "bytes-a", "short", "long-b", "long-a"]
    matched = collection.where(filter=firestore.FieldFilter("value", "==", prefix + "x")).stream()
    assert [d.id for d in matched] == ["long-b"]
