"""The value model: order, equality, field paths, transforms and limits; unit tests, then a few through the client."""

from __future__ import annotations

import functools
import itertools
import math
import re
from typing import Any

import pytest
from google.cloud.firestore_v1.types import document as document_types
from google.cloud.firestore_v1.types import write as write_types
from google.protobuf import timestamp_pb2
from hypothesis import given, settings
from hypothesis import strategies as st

from firestore_emulator import values
from firestore_emulator.errors import InvalidArgument

Value = document_types.Value.pb()
Document = document_types.Document.pb()
FieldTransform = write_types.DocumentTransform.FieldTransform.pb()
ROOT = "projects/p/databases/(default)/documents"


# --- builders -------------------------------------------------------------------------------------------------


def ts(seconds: int, nanos: int = 0) -> Any:
    return Value(timestamp_value=timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos))


def ref(path: str) -> Any:
    return Value(reference_value=f"{ROOT}/{path}")


def geo(lat: float, lng: float) -> Any:
    v = Value()
    v.geo_point_value.latitude, v.geo_point_value.longitude = lat, lng
    return v


def arr(*elements: Any) -> Any:
    v = Value()
    v.array_value.SetInParent()
    v.array_value.values.extend(pb(e) for e in elements)
    return v


def mp(**fields: Any) -> Any:
    v = Value()
    v.map_value.SetInParent()
    for key, inner in fields.items():
        v.map_value.fields[key].CopyFrom(pb(inner))
    return v


def vector(*numbers: float) -> Any:
    return mp(__type__="__vector__", value=arr(*numbers))


def pb(x: Any) -> Any:
    """A Value from a plain Python value (already-built Values pass through)."""
    if isinstance(x, Value):
        return x
    if x is None:
        return Value(null_value=0)
    if isinstance(x, bool):
        return Value(boolean_value=x)
    if isinstance(x, int):
        return Value(integer_value=x)
    if isinstance(x, float):
        return Value(double_value=x)
    if isinstance(x, str):
        return Value(string_value=x)
    if isinstance(x, bytes):
        return Value(bytes_value=x)
    raise TypeError(x)


def transform(**kwargs: Any) -> Any:
    return FieldTransform(field_path="f", **kwargs)


def document(path: str, **fields: Any) -> Any:
    doc = Document(name=f"{ROOT}/{path}")
    for key, inner in fields.items():
        doc.fields[key].CopyFrom(pb(inner))
    return doc


# --- ordering -------------------------------------------------------------------------------------------------

ASCENDING = [
    pb(None),
    pb(False),
    pb(True),
    pb(math.nan),
    pb(-math.inf),
    pb(-(2**63)),
    pb(-1.5),
    pb(0),
    pb(1),
    pb(2**53),
    pb(2**53 + 1),
    pb(math.inf),
    ts(0, 999),
    ts(0, 1000),
    ts(1),
    pb(""),
    pb("a"),
    pb("\uffff"),
    pb("\U0001f600"),
    pb(b""),
    pb(b"\x00"),
    pb(b"\xff"),
    ref("a/b"),
    ref("a/b/c/d"),
    ref("a-/b"),
    geo(-10, 50),
    geo(0, -50),
    geo(0, 0),
    arr(),
    arr(1, 2, 3),
    arr(1, 2, 3, 1),
    arr(2),
    vector(9.0),
    vector(1.0, 2.0),
    vector(1.0, 3.0),
    mp(),
    mp(a=2),
    mp(a=2, b=1),
    mp(b=0),
]


def test_values_of_every_type_sort_in_firestores_documented_order() -> None:
    for (i, a), (j, b) in itertools.product(enumerate(ASCENDING), repeat=2):
        assert values.compare(a, b) == (i > j) - (i < j), (a, b)


def test_sort_keys_sort_values_in_the_documented_order() -> None:
    assert sorted(reversed(ASCENDING), key=values.sort_key) == ASCENDING


def test_integers_and_doubles_compare_by_exact_value() -> None:
    assert values.compare(pb(1), pb(1.0)) == 0
    assert values.compare(pb(0), pb(-0.0)) == 0
    assert values.compare(pb(2**53 + 1), pb(float(2**53))) == 1
    assert values.compare(pb(-(2**63)), pb(-(2.0**63))) == 0


def test_nan_sorts_first_among_numbers_and_equals_itself_in_the_order() -> None:
    assert values.compare(pb(math.nan), pb(math.nan)) == 0
    assert values.compare(pb(math.nan), pb(-math.inf)) == -1
    assert values.type_order(pb(math.nan)) == values.type_order(pb(1))


def test_timestamps_compare_to_the_microsecond() -> None:
    assert values.compare(ts(5, 1_000), ts(5, 1_999)) == 0
    assert values.compare(ts(5, 999), ts(5, 1_000)) == -1


def test_strings_compare_by_utf8_bytes_not_utf16_units() -> None:
    # In UTF-16 the emoji's surrogate 0xD83D sorts before 0xFFFF; in UTF-8 it sorts after.
    assert values.compare(pb("\U0001f600"), pb("\uffff")) == 1


def test_references_compare_segment_by_segment_with_numeric_ids_first() -> None:
    assert values.compare(ref("a/b"), ref("a-/b")) == -1
    assert values.compare(ref("c/__id9__"), ref("c/__id10__")) == -1
    assert values.compare(ref("c/__id10__"), ref("c/a")) == -1


def test_vectors_sort_between_arrays_and_maps() -> None:
    assert values.type_order(vector(1.0)) == values.TYPE_VECTOR
    assert values.compare(arr(9, 9, 9), vector(0.0)) == -1
    assert values.compare(vector(9.0), mp(a=1)) == -1
    assert values.type_order(mp(__type__="other")) == values.TYPE_MAP


def _scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none().map(pb),
        st.booleans().map(pb),
        st.integers(min_value=-(2**63), max_value=2**63 - 1).map(pb),
        st.floats(allow_nan=True).map(pb),
        st.builds(ts, st.integers(-(10**10), 10**10), st.integers(0, 999_999_999)),
        st.text(max_size=4).map(pb),
        st.binary(max_size=3).map(pb),
        st.lists(st.sampled_from(["a", "b", "__id3__", "__id-4__", "a-"]), min_size=2, max_size=4).map(
            lambda segments: ref("/".join(segments))
        ),
        st.builds(geo, st.floats(-90, 90), st.floats(-180, 180)),
        st.lists(st.floats(allow_nan=False, width=32), max_size=3).map(lambda xs: vector(*xs)),
    )


VALUES = st.recursive(
    _scalars(),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda xs: arr(*xs)),
        st.dictionaries(st.sampled_from(["a", "b", "é", "__type__"]), inner, max_size=3).map(
            lambda d: mp(**d)
        ),
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(VALUES, VALUES)
def test_compare_is_antisymmetric_and_reflexive(a: Any, b: Any) -> None:
    assert values.compare(a, a) == 0
    assert values.compare(a, b) == -values.compare(b, a)


@settings(max_examples=100, deadline=None)
@given(st.lists(VALUES, min_size=3, max_size=6))
def test_compare_is_transitive(items: list[Any]) -> None:
    ordered = sorted(items, key=functools.cmp_to_key(values.compare))
    for i, j in itertools.combinations(range(len(ordered)), 2):
        assert values.compare(ordered[i], ordered[j]) <= 0


@settings(max_examples=200, deadline=None)
@given(VALUES, VALUES)
def test_equal_values_compare_equal(a: Any, b: Any) -> None:
    if values.equals(a, b):
        assert values.compare(a, b) == 0


# --- equality -------------------------------------------------------------------------------------------------


def test_equality_treats_ints_and_doubles_alike_and_never_matches_nan() -> None:
    assert values.equals(pb(1), pb(1.0))
    assert values.equals(arr(1, mp(x=2)), arr(1.0, mp(x=2.0)))
    assert not values.equals(pb(math.nan), pb(math.nan))
    assert not values.equals(arr(math.nan), arr(math.nan))
    assert not values.equals(mp(a=1), mp(a=1, b=None))
    assert not values.equals(pb(None), pb(False))


# --- field paths ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("a", ("a",)),
        ("a.b_2.c", ("a", "b_2", "c")),
        ("`a.b`.c", ("a.b", "c")),
        ("`x\\`y`.`back\\\\slash`", ("x`y", "back\\slash")),
        ("`é`", ("é",)),
        ("__name__", ("__name__",)),
        ("`a-b`.`1`", ("a-b", "1")),
    ],
)
def test_field_paths_parse_into_segments(path: str, parts: tuple[str, ...]) -> None:
    assert values.parse_field_path(path) == parts


def test_an_empty_field_path_is_invalid() -> None:
    with pytest.raises(InvalidArgument, match=r"^Invalid empty property path string.$"):
        values.parse_field_path("")


@pytest.mark.parametrize("path", ["a..b", "a.", ".a", "`a", "a`b`", "`a`b", "`a\\", "a-b", "1", "é", "a b"])
def test_malformed_field_paths_are_invalid_arguments(path: str) -> None:
    """Unquoted segments must be simple identifiers; the official emulator's message names the rules."""
    with pytest.raises(
        InvalidArgument, match=f'^Invalid property path "{re.escape(path)}". Unquoted property'
    ):
        values.parse_field_path(path)


@pytest.mark.parametrize("path", ["é" * 750, "f" * 1500, "a" * 750 + "." + "b" * 749, "`" + "q" * 1498 + "`"])
def test_field_paths_of_1500_bytes_or_more_are_invalid(path: str) -> None:
    """As production and the official emulator answer (measured by other emulators' authors): 1,500 bytes
    exactly is already too long."""
    with pytest.raises(InvalidArgument, match=r"^property path is longer than 1500 bytes\.$"):
        values.parse_field_path(path)
    assert values.parse_field_path("f" * 1499) == ("f" * 1499,)


@given(st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=4))
def test_formatting_a_field_path_round_trips_through_parsing(parts: list[str]) -> None:
    assert values.parse_field_path(values.format_field_path(parts)) == tuple(parts)


def test_format_quotes_only_segments_that_are_not_simple_identifiers() -> None:
    assert values.format_field_path(["a", "b_1", "1b", "x.y", "q`"]) == "a.b_1.`1b`.`x.y`.`q\\``"


def test_get_set_and_delete_nested_fields() -> None:
    doc = document("c/d", top=1)
    values.set_field(doc.fields, ("a", "b", "c"), pb("deep"))
    assert values.get_field(doc.fields, ("a", "b", "c")) == pb("deep")
    assert values.get_field(doc.fields, ("a", "missing")) is None
    assert values.get_field(doc.fields, ("top", "below")) is None

    values.set_field(doc.fields, ("top", "below"), pb(2))  # a non-map step is replaced by a map
    assert values.get_field(doc.fields, ("top",)) == mp(below=2)

    values.delete_field(doc.fields, ("a", "b", "c"))
    assert values.get_field(doc.fields, ("a", "b")) == mp()
    values.delete_field(doc.fields, ("nothing", "here"))
    assert set(doc.fields) == {"a", "top"}


# --- transforms -----------------------------------------------------------------------------------------------

NOW = timestamp_pb2.Timestamp(seconds=1_700_000_000, nanos=123_456_000)


def apply(current: Any, **kwargs: Any) -> Any:
    return values.apply_transform(None if current is None else pb(current), transform(**kwargs), NOW)


def test_server_timestamp_resolves_to_the_commit_time() -> None:
    result = apply(5, set_to_server_value=FieldTransform.ServerValue.REQUEST_TIME)
    assert result.timestamp_value == NOW


def test_increment_adds_ints_as_ints_and_saturates_at_int64_bounds() -> None:
    assert apply(5, increment=pb(2)) == pb(7)
    assert apply(2**63 - 2, increment=pb(5)) == pb(2**63 - 1)
    assert apply(-(2**63) + 1, increment=pb(-5)) == pb(-(2**63))


def test_increment_with_a_double_gives_a_double() -> None:
    assert apply(5, increment=pb(0.5)) == pb(5.5)
    assert apply(0.5, increment=pb(1)) == pb(1.5)


def test_increment_of_a_missing_or_non_numeric_field_sets_the_operand() -> None:
    assert apply(None, increment=pb(3)) == pb(3)
    assert apply("text", increment=pb(-0.0)) == pb(-0.0)


def test_maximum_and_minimum_take_the_type_of_the_winning_operand() -> None:
    assert apply(3, maximum=pb(4.5)) == pb(4.5)
    assert apply(3.5, maximum=pb(2)) == pb(3.5)
    assert apply(3, minimum=pb(2.5)) == pb(2.5)
    assert apply(None, minimum=pb(7)) == pb(7)
    assert apply("x", maximum=pb(7)) == pb(7)


def test_maximum_and_minimum_keep_the_stored_value_when_operands_are_equal() -> None:
    assert apply(3, maximum=pb(3.0)) == pb(3)
    assert apply(3.0, minimum=pb(3)) == pb(3.0)
    stored = apply(-0.0, maximum=pb(0))  # zero is above -0.0, as the official emulator's max(-0.0, 0.0)
    assert stored.WhichOneof("value_type") == "integer_value" and stored.integer_value == 0


def test_maximum_and_minimum_with_nan_give_nan() -> None:
    assert math.isnan(apply(3, maximum=pb(math.nan)).double_value)
    assert math.isnan(apply(math.nan, minimum=pb(3)).double_value)


def test_numeric_transforms_reject_non_numeric_operands() -> None:
    for kind in ("increment", "maximum", "minimum"):
        with pytest.raises(InvalidArgument):
            apply(1, **{kind: pb("one")})


def array_value(*elements: Any) -> Any:
    return arr(*elements).array_value


def test_array_union_appends_only_missing_elements_with_numeric_and_nan_equality() -> None:
    assert apply(None, append_missing_elements=array_value(1, 1.0, 2)) == arr(1, 2)
    assert apply("not array", append_missing_elements=array_value("a")) == arr("a")
    result = apply(arr(1, math.nan, None), append_missing_elements=array_value(1.0, math.nan, None, 3))
    assert len(result.array_value.values) == 4 and result.array_value.values[3] == pb(3)


def test_array_remove_drops_every_equivalent_element() -> None:
    assert apply(arr(1, 2, 1.0, "a", math.nan), remove_all_from_array=array_value(1, math.nan)) == arr(2, "a")
    assert apply(7, remove_all_from_array=array_value(7)) == arr()


def test_transform_results_are_the_new_value_except_for_array_transforms() -> None:
    new = pb(9)
    assert values.transform_result(transform(increment=pb(1)), new) == new
    assert values.transform_result(transform(append_missing_elements=array_value(1)), arr(1)) == pb(None)
    assert values.transform_result(transform(remove_all_from_array=array_value(1)), arr()) == pb(None)


def test_timestamps_are_truncated_to_microseconds_everywhere_in_a_document() -> None:
    doc = document("c/d", top=ts(1, 123_456_789), nested=mp(inner=arr(ts(2, 999)), keep=pb("x")))
    values.truncate_timestamps(doc.fields)
    assert doc.fields["top"] == ts(1, 123_456_000)
    assert doc.fields["nested"] == mp(inner=arr(ts(2, 0)), keep=pb("x"))


# --- sizes and limits -----------------------------------------------------------------------------------------


def test_document_size_matches_the_worked_example_of_the_storage_size_page() -> None:
    task = document(
        "users/jeff/tasks/my_task_id",
        type="Personal",
        done=False,
        priority=1,
        description="Learn Cloud Firestore",
    )
    assert values.document_size(task) == 147


def test_a_document_over_one_mebibyte_is_refused_with_firestores_message() -> None:
    values.validate_document(document("c/d", a=b"x" * 500_000, b=b"x" * 500_000))
    with pytest.raises(InvalidArgument, match=r"^maximum entity size is 1048576 bytes$"):
        values.validate_document(document("c/d", a=b"x" * 600_000, b=b"x" * 600_000))
    with pytest.raises(InvalidArgument, match=r"^maximum entity size is 1048576 bytes$"):
        values.validate_document(document("c/d", m=mp(a=b"x" * 600_000, b=b"x" * 600_000)))


def nested_maps(depth: int) -> Any:
    value = pb(1)
    for _ in range(depth):
        value = mp(n=value)
    return value


def test_maps_and_arrays_nest_at_most_twenty_levels() -> None:
    values.validate_document(document("c/d", deep=nested_maps(20)))
    with pytest.raises(InvalidArgument, match=r"^Property deep contains an invalid nested entity.$"):
        values.validate_document(document("c/d", deep=nested_maps(21)))
    with pytest.raises(InvalidArgument, match=r"^Property deep contains an invalid nested entity.$"):
        values.validate_document(document("c/d", deep=mp(n=arr(nested_maps(19)))))
    with pytest.raises(InvalidArgument, match=r"^Property array contains an invalid nested entity.$"):
        values.validate_document(document("c/d", deep=arr(nested_maps(20))))


def test_arrays_directly_inside_arrays_are_refused() -> None:
    with pytest.raises(InvalidArgument, match=r"^Nested arrays are not allowed$"):
        values.validate_document(document("c/d", a=arr(arr(1))))
    values.validate_document(document("c/d", a=arr(mp(inner=arr(1)))))


@pytest.mark.parametrize(
    ("fields", "valid"),
    [
        # the official emulator's recordings (hidane's limits.json): a nested name counts with its dotted path
        ({"m": mp(**{"k" * 1498: 1})}, True),
        ({"m": mp(**{"k" * 1499: 1})}, False),
        ({"m": mp(n=mp(**{"k" * 1496: 1}))}, True),
        ({"m": mp(n=mp(**{"k" * 1497: 1}))}, False),
        # inside an array the path is "array", whatever the array's name
        ({"long": arr(mp(**{"k" * 1494: 1}))}, True),
        ({"long": arr(mp(**{"k" * 1495: 1}))}, False),
        ({"m": mp(list=arr(mp(**{"k" * 1492: 1})))}, True),
        ({"m": mp(list=arr(mp(**{"k" * 1493: 1})))}, False),
    ],
)
def test_nested_field_names_count_their_whole_path(fields: dict[str, Any], valid: bool) -> None:
    doc = document("c/d", **fields)
    if valid:
        values.validate_document(doc)
    else:
        with pytest.raises(
            InvalidArgument, match=r"^Property (m|array) contains an invalid nested entity\.$"
        ):
            values.validate_document(doc)


def test_field_names_are_limited_and_reserved_names_refused() -> None:
    values.validate_document(document("c/d", **{"x" * 1500: 1}))
    with pytest.raises(InvalidArgument, match=r"^The property.name is longer than 1500 bytes.$"):
        values.validate_document(document("c/d", **{"x" * 1501: 1}))
    values.validate_document(document("c/d", m=mp(**{"k" * 1498: 1})))  # "m.kkk…": 1,500 bytes with its path
    with pytest.raises(InvalidArgument, match=r"^Property m contains an invalid nested entity.$"):
        values.validate_document(document("c/d", m=mp(**{"k" * 1499: 1})))
    with pytest.raises(InvalidArgument, match=r"^field name __secret__ is reserved$"):
        values.validate_document(document("c/d", __secret__=1))
    # __type__ names a typed value (only "__vector__" exists): any other type is an invalid nested entity
    with pytest.raises(InvalidArgument, match=r"^Property outer contains an invalid nested entity.$"):
        values.validate_document(document("c/d", outer=mp(__type__="plain map")))
    with pytest.raises(InvalidArgument, match=r"^field name '__x__' is reserved.$"):
        values.validate_document(document("c/d", a=arr(mp(__x__=b"x" * 1_048_488))))
    values.validate_document(document("c/d", embedding=vector(1.0, 2.0)))


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("c/.", f'Document name "{ROOT}/c/." contains a resource id "." at index {len(ROOT) + 3}.'),
        (
            "c/../e/f",
            f'Document name "{ROOT}/c/../e/f" contains a resource id ".." at index {len(ROOT) + 3}.',
        ),
        ("c/__reserved__", 'Resource id "__reserved__" is invalid because it is reserved.'),
        ("__c__/d", 'Resource id "__c__" is invalid because it is reserved.'),
        ("c/" + "x" * 1501, "The key path element name is longer than 1500 bytes."),
        ("c" * 1501 + "/d", "The key path element kind is longer than 1500 bytes."),
        (
            "c/__id5x__",
            (
                "A long document ID string must be formatted like '__id{LONG}__', where LONG is a 64-bit integer. "
                "Found: '__id5x__'."
            ),
        ),
        ("c/d/e", None),
    ],
)
def test_bad_document_names_are_refused(path: str, message: str | None) -> None:
    """In the official emulator's words."""
    with pytest.raises(InvalidArgument) as raised:
        values.validate_document(Document(name=f"{ROOT}/{path}"))
    if message is not None:
        assert raised.value.message == message
    values.validate_document(Document(name=f"{ROOT}/c/__id-5__"))


def test_strings_and_bytes_are_limited_to_1048487_bytes_under_their_property_name() -> None:
    values.validate_document(document("c/d", s="x" * values.MAX_FIELD_VALUE_SIZE))
    values.validate_document(document("c/d", s="€" * 349_495))
    with pytest.raises(InvalidArgument, match=r'^The value of property "s" is longer than 1048487 bytes.$'):
        values.validate_document(document("c/d", s="€" * 349_496))
    with pytest.raises(
        InvalidArgument, match=r'^The value of property "array" is longer than 1048487 bytes.$'
    ):
        values.validate_document(document("c/d", a=arr(b"x" * 1_048_488)))
    with pytest.raises(InvalidArgument, match=r"^Property array contains an invalid nested entity.$"):
        values.validate_document(document("c/d", a=arr(mp(s=b"x" * 1_048_488))))
    with pytest.raises(InvalidArgument, match=r"^Property m contains an invalid nested entity.$"):
        values.validate_document(document("c/d", m=mp(a=arr(b"x" * 1_048_488))))


# === through the real client, over gRPC, against the embedded emulator ======================================


def test_client_transforms_resolve_on_the_server(firestore_client: Any) -> None:
    from google.cloud import firestore

    ref = firestore_client.collection("t").document("d")
    ref.set({"n": 2**63 - 2, "f": 1, "tags": ["a", 1], "hi": 5, "lo": 5})
    ref.update(
        {
            "n": firestore.Increment(10),
            "f": firestore.Increment(0.5),
            "tags": firestore.ArrayUnion([1.0, "b"]),
            "hi": firestore.Maximum(7.5),
            "lo": firestore.Minimum(5.0),
            "at": firestore.SERVER_TIMESTAMP,
        }
    )
    snapshot = ref.get()
    assert snapshot.get("n") == 2**63 - 1
    assert snapshot.get("f") == 1.5
    assert snapshot.get("tags") == ["a", 1, "b"]
    assert snapshot.get("hi") == 7.5
    lo = snapshot.get("lo")
    assert lo == 5 and isinstance(lo, int)
    assert snapshot.get("at") == snapshot.update_time
    ref.update({"tags": firestore.ArrayRemove([1.0])})
    assert ref.get().get("tags") == ["a", "b"]


def test_client_writes_over_the_document_limits_are_refused(firestore_client: Any) -> None:
    from google.api_core.exceptions import InvalidArgument as ClientInvalidArgument

    ref = firestore_client.collection("t").document("big")
    with pytest.raises(ClientInvalidArgument, match="maximum entity size is 1048576 bytes"):
        ref.set({"a": b"x" * 600_000, "b": b"x" * 600_000})
    deep: dict[str, Any] = {"leaf": 1}
    for _ in range(20):
        deep = {"n": deep}
    ref.set(deep)  # twenty levels of maps are allowed
    with pytest.raises(ClientInvalidArgument, match=r"Property n contains an invalid nested entity."):
        ref.set({"n": deep})
    ref.delete()
    with pytest.raises(ClientInvalidArgument, match="reserved"):
        ref.set({"__reserved__": 1})
    assert not ref.get().exists


def test_field_values_over_1_mib_minus_89_bytes_and_empty_field_names_are_refused() -> None:
    # A value of 1,048,500 bytes keeps the document under 1 MiB but is over the per-value limit.
    with pytest.raises(
        InvalidArgument, match=r'^The value of property "blob" is longer than 1048487 bytes.$'
    ):
        values.validate_document(document("c/d", blob=b"x" * 1_048_500))
    values.validate_document(document("c/d", blob=b"x" * values.MAX_FIELD_VALUE_SIZE))
    with pytest.raises(InvalidArgument, match="invalid nested entity"):
        values.validate_document(document("c/d", outer=mp(**{"": 1})))


def test_documents_nest_at_most_100_subcollections() -> None:
    values.validate_document(Document(name=f"{ROOT}/" + "/".join(["c/d"] * 101)))
    with pytest.raises(InvalidArgument, match="100 subcollections"):
        values.validate_document(Document(name=f"{ROOT}/" + "/".join(["c/d"] * 102)))


def test_maximum_and_minimum_tell_the_two_zeros_apart_and_keep_equal_values() -> None:
    """As the official emulator: max(-0.0, 0.0) is 0.0, min(0.0, -0.0) is -0.0; max(3, 3.0) keeps the integer."""
    now = timestamp_pb2.Timestamp(seconds=1)

    def apply(current: Any, kind: str, operand: Any) -> Any:
        transform = values.FieldTransform(field_path="f")
        getattr(transform, kind).CopyFrom(pb(operand))
        return values.apply_transform(pb(current), transform, now)

    assert math.copysign(1, apply(-0.0, "maximum", 0.0).double_value) == 1
    assert math.copysign(1, apply(0.0, "minimum", -0.0).double_value) == -1
    assert math.copysign(1, apply(-0.0, "minimum", 0.0).double_value) == -1
    assert apply(3, "maximum", 3.0).WhichOneof("value_type") == "integer_value"
    assert apply(3, "minimum", 3.0).WhichOneof("value_type") == "integer_value"
    with pytest.raises(InvalidArgument, match=r"^Input must be int64 or double.$"):
        apply(1, "increment", "x")


def test_stored_references_follow_the_document_id_rules() -> None:
    """As the official emulator: a reference to '__idx__' is refused like such a document id."""
    good = Value(reference_value=f"{ROOT}/c/__id5__")
    values.validate_document(document("c/d", r=good))
    bad = Value(reference_value=f"{ROOT}/c/__idx__")
    with pytest.raises(InvalidArgument, match=r"^A long document ID string must be formatted like"):
        values.validate_document(document("c/d", r=bad))


def test_a_name_ending_in_a_newline_is_quoted_in_a_field_path() -> None:
    """``$`` also matches before a final newline: a name like "A\\n" must still be backquoted."""
    assert values.format_segment("A\n") == "`A\n`"
    assert values.parse_field_path(values.format_field_path(["A\n", "b"])) == ("A\n", "b")


def test_a_trailing_newline_makes_neither_a_reserved_name_nor_a_numeric_id() -> None:
    assert values.is_reserved_field_name("__x__") and not values.is_reserved_field_name("__x__\n")
    assert values.numeric_id("__id5__") == 5 and values.numeric_id("__id5__\n") is None
    values.validate_document(document("c/d", **{"__x__\n": 1}))
