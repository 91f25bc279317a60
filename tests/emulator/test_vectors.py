"""Vector values and nearest-neighbour queries, as the official emulator (v1.22.0) answers them.

The expected results and messages are the official emulator's, recorded by the public hidane project
(``crates/hidane/tests/fixtures/find_nearest.json``): the same seed, the same queries. The engine-level tests run
raw ``StructuredQuery`` messages (shapes the Python client cannot send); the client tests run the real client,
sync and async, over gRPC.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import firestore
from google.cloud.firestore_v1.base_vector_query import DistanceMeasure
from google.cloud.firestore_v1.types import document as document_types
from google.cloud.firestore_v1.types import query as query_types
from google.cloud.firestore_v1.vector import Vector
from google.protobuf import json_format, timestamp_pb2

from firestore_emulator import query as engine
from firestore_emulator import values
from firestore_emulator.errors import EmulatorError, FailedPrecondition, InvalidArgument

ROOT = "projects/p/databases/(default)/documents"
Document = document_types.Document.pb()
StructuredQuery = query_types.StructuredQuery.pb()


def _json_double(x: float) -> float | str:
    """A double as proto JSON writes it (NaN and the infinities as strings)."""
    if math.isnan(x):
        return "NaN"
    return x if math.isfinite(x) else ("Infinity" if x > 0 else "-Infinity")


def vector(*numbers: Any) -> dict[str, Any]:
    """A vector value in the JSON form of ``google.firestore.v1.Value`` (ints stay integers)."""
    elements = [
        {"integerValue": str(n)} if isinstance(n, int) else {"doubleValue": _json_double(n)} for n in numbers
    ]
    return {
        "mapValue": {
            "fields": {
                "__type__": {"stringValue": "__vector__"},
                "value": {"arrayValue": {"values": elements}},
            }
        }
    }


SEED: dict[str, dict[str, Any]] = {
    "v/z": {"v": vector(1.0, 0.0), "k": {"integerValue": "1"}},
    "v/y": {"v": vector(0.0, 1.0), "k": {"integerValue": "2"}},
    "v/x": {"v": vector(2.0, 2.0), "k": {"integerValue": "1"}},
    "v/w": {"v": vector(1.0, 0.0, 0.0)},
    "v/u": {"v": vector(0.0, 0.0)},
    "v/t": {"v": {"arrayValue": {"values": [{"doubleValue": 1.0}, {"doubleValue": 1.0}]}}},
    "v/s": {"v": {"integerValue": "5"}},
    "v/r": {"v": vector(-1.0, -1.0)},
    "v/q": {"k": {"integerValue": "3"}},
    "g/x/v/sub": {"v": vector(1.0, 1.0)},
}


def seed_documents() -> list[Any]:
    docs = []
    for path, fields in SEED.items():
        doc = json_format.ParseDict({"name": f"{ROOT}/{path}", "fields": fields}, Document())
        doc.create_time.CopyFrom(timestamp_pb2.Timestamp(seconds=1))
        doc.update_time.CopyFrom(timestamp_pb2.Timestamp(seconds=1))
        docs.append(doc)
    return docs


def nearest_query(measure: str = "EUCLIDEAN", limit: int | None = 10, **extra: Any) -> dict[str, Any]:
    """A collection query on ``v`` with a find_nearest from (1, 1); ``extra`` adds to find_nearest or the query."""
    find: dict[str, Any] = {
        "vectorField": {"fieldPath": "v"},
        "queryVector": vector(1.0, 1.0),
        "distanceMeasure": measure,
    }
    if limit is not None:
        find["limit"] = limit
    query: dict[str, Any] = {"from": [{"collectionId": "v"}], "findNearest": find}
    for key, value in extra.items():
        (
            find
            if key in ("distanceResultField", "distanceThreshold", "queryVector", "vectorField")
            else query
        )[key] = value
    return query


def run(query: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(path, fields without ``v``) of each result, as the recordings list them."""
    raw = json_format.ParseDict(query, StructuredQuery())
    results = []
    for doc in engine.run_query(ROOT, raw, seed_documents()):
        fields = {name: json_format.MessageToDict(value) for name, value in doc.fields.items() if name != "v"}
        results.append((doc.name[len(ROOT) + 1 :], fields))
    return results


def names(query: dict[str, Any]) -> list[str]:
    return [name for name, _ in run(query)]


def refused(query: dict[str, Any]) -> EmulatorError:
    with pytest.raises(EmulatorError) as caught:
        run(query)
    return caught.value


def test_euclidean_ties_by_name_and_the_distance_field() -> None:
    assert run(nearest_query(distanceResultField="d")) == [
        ("v/y", {"k": {"integerValue": "2"}, "d": {"doubleValue": 1.0}}),
        ("v/z", {"k": {"integerValue": "1"}, "d": {"doubleValue": 1.0}}),
        ("v/u", {"d": {"doubleValue": math.sqrt(2)}}),
        ("v/x", {"k": {"integerValue": "1"}, "d": {"doubleValue": math.sqrt(2)}}),
        ("v/r", {"d": {"doubleValue": 2 * math.sqrt(2)}}),
    ]


def test_cosine_keeps_a_zero_vector_last_with_a_nan_distance() -> None:
    results = run(nearest_query("COSINE", distanceResultField="d"))
    assert [name for name, _ in results] == ["v/x", "v/y", "v/z", "v/r", "v/u"]
    assert results[-1][1] == {"d": {"doubleValue": "NaN"}}
    assert names(nearest_query("COSINE", distanceThreshold=0.1)) == ["v/x"]


def test_dot_product_largest_first() -> None:
    distances = [
        fields["d"]["doubleValue"] for _, fields in run(nearest_query("DOT_PRODUCT", distanceResultField="d"))
    ]
    assert names(nearest_query("DOT_PRODUCT")) == ["v/x", "v/y", "v/z", "v/u", "v/r"]
    assert distances == [4.0, 1.0, 1.0, 0.0, -2.0]
    assert names(nearest_query("DOT_PRODUCT", distanceThreshold=1.5)) == ["v/x"]


def test_thresholds_bound_euclidean_distances() -> None:
    assert names(nearest_query(distanceThreshold=1.0)) == ["v/y", "v/z"]
    assert names(nearest_query(distanceThreshold=0)) == []
    assert names(nearest_query(distanceThreshold=-1)) == []


def test_the_distance_result_field_is_one_literal_field_name() -> None:
    replaced = run(nearest_query(distanceResultField="k"))
    assert replaced[0] == ("v/y", {"k": {"doubleValue": 1.0}})
    assert run(nearest_query(limit=1, distanceResultField="a.b")) == [
        ("v/y", {"k": {"integerValue": "2"}, "a.b": {"doubleValue": 1.0}})
    ]
    assert run(nearest_query(limit=1, distanceResultField="a..b")) == [
        ("v/y", {"k": {"integerValue": "2"}, "a..b": {"doubleValue": 1.0}})
    ]
    for reserved in ("__name__", "__x__"):
        error = refused(nearest_query(distanceResultField=reserved))
        assert isinstance(error, InvalidArgument)
        assert error.message == f'The distanceResultField.property.name "{reserved}" is reserved.'


def test_a_projection_applies_after_the_distance_is_set() -> None:
    select_k = run(nearest_query(distanceResultField="d", select={"fields": [{"fieldPath": "k"}]}))
    assert select_k[:3] == [
        ("v/y", {"k": {"integerValue": "2"}}),
        ("v/z", {"k": {"integerValue": "1"}}),
        ("v/u", {}),
    ]
    select_d = run(nearest_query(distanceResultField="d", select={"fields": [{"fieldPath": "d"}]}))
    assert select_d[0] == ("v/y", {"d": {"doubleValue": 1.0}})


def test_ties_follow_the_query_order_which_also_drops_documents_without_its_fields() -> None:
    by_k = nearest_query(orderBy=[{"field": {"fieldPath": "k"}, "direction": "DESCENDING"}])
    assert names(by_k) == ["v/y", "v/z", "v/x"]
    by_name = nearest_query(orderBy=[{"field": {"fieldPath": "__name__"}}])
    assert names(by_name) == ["v/y", "v/z", "v/u", "v/x", "v/r"]
    error = refused(nearest_query(orderBy=[{"field": {"fieldPath": "__name__"}, "direction": "DESCENDING"}]))
    assert isinstance(error, FailedPrecondition)
    assert error.message == "Firestore does not support descending key scans"


def test_filters_apply_first_and_only_vectors_of_the_query_dimension_count() -> None:
    filtered = nearest_query(
        where={"fieldFilter": {"field": {"fieldPath": "k"}, "op": "EQUAL", "value": {"integerValue": "1"}}}
    )
    assert names(filtered) == ["v/z", "v/x"]
    assert names(nearest_query(queryVector=vector(1.0, 0.0, 0.0))) == ["v/w"]
    assert names(nearest_query(vectorField={"fieldPath": "nope"})) == []
    assert names(nearest_query(vectorField={"fieldPath": "__name__"})) == []
    group = nearest_query()
    group["from"] = [{"collectionId": "v", "allDescendants": True}]
    assert names(group) == ["g/x/v/sub", "v/y", "v/z", "v/u", "v/x", "v/r"]


def test_a_query_vector_with_nan_gives_every_distance_nan_in_name_order() -> None:
    assert names(nearest_query(queryVector=vector(float("nan"), 1.0))) == ["v/r", "v/u", "v/x", "v/y", "v/z"]


def test_limits_of_find_nearest() -> None:
    assert names(nearest_query(limit=2)) == ["v/y", "v/z"]
    assert len(names(nearest_query(limit=1000))) == 5
    for limit in (0, -1, 1001, None):
        error = refused(nearest_query(limit=limit))
        assert isinstance(error, InvalidArgument)
        assert error.message == "FindNearest.limit must be a positive integer of no more than 1000"


CURSOR = {
    "orderBy": [{"field": {"fieldPath": "__name__"}}],
    "startAt": {"values": [{"referenceValue": f"{ROOT}/v/y"}]},
}
INVALID_PATH = (
    'Invalid property path "a..b". Unquoted property paths must match regex ([a-zA-Z_][a-zA-Z_0-9]*), '
    "and quoted property paths must match regex (`(?:[^`\\\\]|(?:\\\\.))+`)"
)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (nearest_query(queryVector={"integerValue": "1"}), "Query Value must be of type vector."),
        (
            nearest_query(queryVector={"arrayValue": {"values": [{"doubleValue": 1.0}]}}),
            "Query Value must be of type vector.",
        ),
        (nearest_query(queryVector=vector()), "Cannot have a zero length vector."),
        (nearest_query(queryVector=vector(1, 1)), "Vector must only contain values of type 'double'"),
        (
            nearest_query(
                queryVector={
                    "mapValue": {
                        "fields": {
                            "__type__": {"stringValue": "__vector__"},
                            "x": {"doubleValue": 1.0},
                            "value": {"arrayValue": {"values": [{"doubleValue": 1.0}]}},
                        }
                    }
                }
            ),
            "Vector value map has extraneous entries.",
        ),
        (
            nearest_query(queryVector={"mapValue": {"fields": {"__type__": {"stringValue": "__vector__"}}}}),
            "Vector map is missing key 'value'.",
        ),
        (nearest_query(measure="DISTANCE_MEASURE_UNSPECIFIED"), "Unknown Distance Measure."),
        (nearest_query(vectorField={"fieldPath": ""}), "Invalid empty property path string."),
        (nearest_query(vectorField={"fieldPath": "a..b"}), INVALID_PATH),
        ({**nearest_query(), "limit": 1}, "A query limit cannot be used with FindNearest"),
        ({**nearest_query(), "offset": 1}, "A query offset cannot be used with FindNearest"),
        ({**nearest_query(), **CURSOR}, "A cursor cannot be used with FindNearest"),
        # the official emulator's order of checks
        (nearest_query(limit=0, queryVector={"integerValue": "1"}), "Query Value must be of type vector."),
        (
            nearest_query(measure="DISTANCE_MEASURE_UNSPECIFIED", queryVector={"integerValue": "1"}),
            "Query Value must be of type vector.",
        ),
        (
            nearest_query(measure="DISTANCE_MEASURE_UNSPECIFIED", limit=0),
            "FindNearest.limit must be a positive integer of no more than 1000",
        ),
        (
            nearest_query(measure="DISTANCE_MEASURE_UNSPECIFIED", vectorField={"fieldPath": "a..b"}),
            "Unknown Distance Measure.",
        ),
        ({**nearest_query(vectorField={"fieldPath": "a..b"}), "limit": 1}, INVALID_PATH),
        ({**nearest_query(), "limit": 1, "offset": 1}, "A query limit cannot be used with FindNearest"),
        ({**nearest_query(), "offset": 1, **CURSOR}, "A query offset cannot be used with FindNearest"),
        (
            {**nearest_query(distanceResultField="__x__"), **CURSOR},
            "A cursor cannot be used with FindNearest",
        ),
        (
            nearest_query(
                queryVector={"integerValue": "1"},
                where={
                    "fieldFilter": {
                        "field": {"fieldPath": "a..b"},
                        "op": "EQUAL",
                        "value": {"integerValue": "1"},
                    }
                },
            ),
            INVALID_PATH,
        ),
    ],
)
def test_find_nearest_is_validated_in_the_official_order_and_words(
    query: dict[str, Any], message: str
) -> None:
    error = refused(query)
    assert isinstance(error, InvalidArgument)
    assert error.message == message


def test_a_missing_query_vector_is_an_unset_value() -> None:
    query = nearest_query()
    del query["findNearest"]["queryVector"]
    assert refused(query).message == "Cannot convert firestore.v1.Value with type unset."


def test_aggregations_over_the_nearest_documents() -> None:
    aggregation = json_format.ParseDict(
        {
            "structuredQuery": nearest_query(limit=3),
            "aggregations": [
                {"alias": "s", "sum": {"field": {"fieldPath": "k"}}},
                {"alias": "a", "avg": {"field": {"fieldPath": "k"}}},
            ],
        },
        query_types.StructuredAggregationQuery.pb()(),
    )
    result = engine.run_aggregation(ROOT, aggregation, seed_documents())
    assert result["s"].integer_value == 4
    assert result["a"].double_value == pytest.approx(4 / 3)


# --- stored vectors ---------------------------------------------------------------------------------------------


def stored(fields: dict[str, Any]) -> str:
    """'' when a document with these fields may be stored, else the official emulator's message."""
    doc = json_format.ParseDict({"name": f"{ROOT}/writes/w", "fields": fields}, Document())
    try:
        values.validate_document(doc)
    except InvalidArgument as error:
        return error.message
    return ""


def vector_map(**fields: Any) -> dict[str, Any]:
    return {"mapValue": {"fields": {"__type__": {"stringValue": "__vector__"}, **fields}}}


def doubles(count: int) -> dict[str, Any]:
    return {"arrayValue": {"values": [{"doubleValue": 1.0}] * count}}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"v": vector(1.0, 2.0)}, ""),
        ({"v": vector_map(value=doubles(2048))}, ""),
        ({"v": vector_map(value=doubles(2049))}, "Vectors must be at most 2048 dimensions."),
        ({"v": vector(float("inf"), float("-inf"))}, ""),
        ({"v": vector(float("nan"))}, "Vector cannot contain NaN values."),
        ({"v": vector(1)}, "Vector must only contain values of type 'double'"),
        ({"v": vector(float("nan"), 1)}, "Vector must only contain values of type 'double'"),
        ({"v": vector()}, "Cannot have a zero length vector."),
        ({"v": vector_map()}, "Vector map is missing key 'value'."),
        ({"v": vector_map(value={"integerValue": "1"})}, "Vector value type must be an array."),
        (
            {"v": vector_map(x={"doubleValue": 1.0}, value=doubles(1))},
            "Vector value map has extraneous entries.",
        ),
        ({"v": vector_map(x={"doubleValue": 1.0})}, "Vector map is missing key 'value'."),
        (
            {"v": vector_map(x={"doubleValue": 1.0}, value={"integerValue": "1"})},
            "Vector value type must be an array.",
        ),
        (
            {"v": vector_map(x={"doubleValue": 1.0}, value=doubles(0))},
            "Vector value map has extraneous entries.",
        ),
        (
            {"v": vector_map(x={"doubleValue": 1.0}, value=doubles(2049))},
            "Vector value map has extraneous entries.",
        ),
        (
            {"v": vector_map(value={"arrayValue": {"values": [{"integerValue": "1"}] * 2049}})},
            "Vectors must be at most 2048 dimensions.",
        ),
        ({"m": {"mapValue": {"fields": {"v": vector(1.0)}}}}, ""),
        ({"a": {"arrayValue": {"values": [vector(1.0)]}}}, ""),
        (
            {"v": {"mapValue": {"fields": {"__type__": {"stringValue": "other"}, "value": doubles(1)}}}},
            "Property v contains an invalid nested entity.",
        ),
        (
            {
                "m": {
                    "mapValue": {
                        "fields": {
                            "n": {
                                "mapValue": {
                                    "fields": {
                                        "v": {"mapValue": {"fields": {"__type__": {"stringValue": "other"}}}}
                                    }
                                }
                            }
                        }
                    }
                }
            },
            "Property m contains an invalid nested entity.",
        ),
        (
            {
                "zz": {
                    "arrayValue": {
                        "values": [{"mapValue": {"fields": {"__type__": {"stringValue": "other"}}}}]
                    }
                }
            },
            "Property array contains an invalid nested entity.",
        ),
        (
            {"v": {"mapValue": {"fields": {"__type__": {"integerValue": "1"}}}}},
            "Field __type__ must be a string; founds LONG.",
        ),
        (
            {"v": {"mapValue": {"fields": {"__type__": {"booleanValue": True}}}}},
            "Field __type__ must be a string; founds BOOLEAN.",
        ),
        (
            {"v": {"mapValue": {"fields": {"__type__": {"doubleValue": 1.0}}}}},
            "Field __type__ must be a string; founds DOUBLE.",
        ),
        (
            {"v": {"mapValue": {"fields": {"__type__": {"nullValue": None}}}}},
            "Field __type__ must be a string; founds NULL.",
        ),
        (
            {"v": {"mapValue": {"fields": {"__type__": {"mapValue": {}}}}}},
            "Field __type__ must be a string; founds MAP.",
        ),
        (
            {"v": {"mapValue": {"fields": {"__type__": {"arrayValue": {}}}}}},
            "Field __type__ must be a string; founds ARRAY.",
        ),
        (
            {"v": {"mapValue": {"fields": {"__type__": {"timestampValue": "2020-01-01T00:00:00Z"}}}}},
            "Field __type__ must be a string; founds TIMESTAMP.",
        ),
        (
            {"v": {"mapValue": {"fields": {"__type__": {"bytesValue": "AA=="}}}}},
            "Field __type__ must be a string; founds BYTES.",
        ),
        (
            {"v": {"mapValue": {"fields": {"__type__": {"referenceValue": f"{ROOT}/c/x"}}}}},
            "Field __type__ must be a string; founds ENTITY_REF.",
        ),
        (
            {"v": {"mapValue": {"fields": {"__type__": {"geoPointValue": {"latitude": 1, "longitude": 1}}}}}},
            "Field __type__ must be a string; founds GEO_POINT.",
        ),
        (
            {"m": {"mapValue": {"fields": {"__x__": {"integerValue": "1"}}}}},
            "field name '__x__' is reserved.",
        ),
        ({"__x__": {"integerValue": "1"}}, "field name __x__ is reserved"),
    ],
)
def test_stored_vectors_are_checked_as_the_official_emulator(fields: dict[str, Any], message: str) -> None:
    assert stored(fields) == message


# === through the real client, over gRPC =========================================================================


def seed_client(db: firestore.Client) -> Any:
    batch = db.batch()
    rows = {"z": [1.0, 0.0], "y": [0.0, 1.0], "x": [2.0, 2.0], "u": [0.0, 0.0], "r": [-1.0, -1.0]}
    for doc_id, numbers in rows.items():
        batch.set(db.collection("v").document(doc_id), {"v": Vector(numbers), "n": doc_id})
    batch.commit()
    return db.collection("v")


@pytest.mark.usefixtures("firestore_project")
def test_client_find_nearest_with_distances_and_a_literal_distance_field(
    firestore_client: firestore.Client,
) -> None:
    coll = seed_client(firestore_client)
    query = coll.find_nearest(
        "v",
        Vector([1.0, 1.0]),
        distance_measure=DistanceMeasure.COSINE,
        limit=10,
        distance_result_field="dist.ance",
    )
    snapshots = list(query.stream())
    assert [s.id for s in snapshots] == ["x", "y", "z", "r", "u"]
    assert math.isnan(snapshots[-1].get("`dist.ance`"))
    assert snapshots[0].get("v") == Vector([2.0, 2.0])
    with pytest.raises(exceptions.BadRequest, match="A query limit cannot be used with FindNearest"):
        list(
            coll.limit(1)
            .find_nearest("v", Vector([1.0, 1.0]), distance_measure=DistanceMeasure.EUCLIDEAN, limit=2)
            .stream()
        )


@pytest.mark.usefixtures("firestore_project")
def test_client_refuses_nothing_the_server_must_refuse_for_stored_vectors(
    firestore_client: firestore.Client,
) -> None:
    doc = firestore_client.collection("writes").document("w")
    with pytest.raises(exceptions.BadRequest, match=r"Cannot have a zero length vector."):
        doc.set({"v": Vector([])})
    with pytest.raises(exceptions.BadRequest, match=r"Vector cannot contain NaN values."):
        doc.set({"v": Vector([float("nan")])})
    with pytest.raises(exceptions.BadRequest, match=r"Property v contains an invalid nested entity\."):
        doc.set({"v": {"__type__": "other"}})
    doc.set({"v": Vector([float("inf")])})
    assert doc.get().get("v") == Vector([float("inf")])


async def test_async_client_find_nearest(firestore_project: str) -> None:
    db = firestore.AsyncClient(project=firestore_project)
    try:
        batch = db.batch()
        for doc_id, numbers in {"a": [1.0, 0.0], "b": [0.0, 1.0], "c": [3.0, 3.0]}.items():
            batch.set(db.collection("av").document(doc_id), {"v": Vector(numbers)})
        await batch.commit()
        query = db.collection("av").find_nearest(
            "v",
            Vector([1.0, 0.1]),
            distance_measure=DistanceMeasure.DOT_PRODUCT,
            limit=2,
            distance_result_field="d",
        )
        results = [(s.id, s.get("d")) for s in await query.get()]
        assert [name for name, _ in results] == ["c", "a"]
        assert results[0][1] == pytest.approx(3.3)
        with pytest.raises(exceptions.BadRequest, match="Vector must only contain values of type 'double'"):
            raw = db.collection("av").find_nearest(
                "v", Vector([1.0]), distance_measure=DistanceMeasure.EUCLIDEAN, limit=1
            )
            raw._query_vector = {"__type__": "__vector__", "value": [1]}
            await raw.get()
    finally:
        db.close()
