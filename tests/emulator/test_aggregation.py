"""Aggregations (count, sum, avg): unit tests on protobufs, then through the sync and async clients over gRPC."""

from __future__ import annotations

import math
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1.types import document as document_types
from google.protobuf import timestamp_pb2

from firestore_emulator import query as engine
from firestore_emulator.errors import InvalidArgument

Document = document_types.Document.pb()
ROOT = "projects/p/databases/(default)/documents"
client = firestore.Client(project="p", credentials=AnonymousCredentials())
coll = client.collection("c")


def docs(*rows: dict[str, Any]) -> list[Any]:
    result = []
    for index, data in enumerate(rows):
        doc = Document(name=f"{ROOT}/c/d{index:03}")
        for key, value in _helpers.encode_dict(data).items():
            doc.fields[key].CopyFrom(value._pb)
        doc.update_time.CopyFrom(timestamp_pb2.Timestamp(seconds=1))
        result.append(doc)
    return result


def aggregate(aggregation_query: Any, documents: list[Any]) -> dict[str, Any]:
    """Run a client-built aggregation query; results decoded to Python values."""
    raw = aggregation_query._to_protobuf()._pb
    results = engine.run_aggregation(ROOT, raw, documents)
    return {
        alias: _helpers.decode_value(document_types.Value.wrap(value), client)
        for alias, value in results.items()
    }


def test_count_counts_the_query_results_and_respects_up_to_and_limit() -> None:
    rows = docs(*({"n": i} for i in range(7)))
    assert aggregate(coll.count(alias="all"), rows) == {"all": 7}
    assert aggregate(coll.where(filter=firestore.FieldFilter("n", ">=", 5)).count(alias="big"), rows) == {
        "big": 2
    }
    assert aggregate(coll.limit(3).count(alias="limited"), rows) == {"limited": 3}
    raw = coll.count(alias="capped")._to_protobuf()._pb
    raw.aggregations[0].count.up_to.value = 4
    assert engine.run_aggregation(ROOT, raw, rows)["capped"].integer_value == 4


def test_sum_of_integers_stays_an_integer_and_skips_non_numbers() -> None:
    rows = docs({"n": 1}, {"n": 2}, {"n": "3"}, {"n": None}, {"other": 5}, {"n": [4]})
    result = engine.run_aggregation(ROOT, coll.sum("n", alias="s")._to_protobuf()._pb, rows)
    assert result["s"].WhichOneof("value_type") == "integer_value" and result["s"].integer_value == 3


def test_sum_becomes_a_double_with_a_double_or_on_int64_overflow() -> None:
    assert aggregate(coll.sum("n", alias="s"), docs({"n": 1}, {"n": 0.5})) == {"s": 1.5}
    overflow = engine.run_aggregation(
        ROOT, coll.sum("n", alias="s")._to_protobuf()._pb, docs({"n": 2**63 - 1}, {"n": 1})
    )
    assert overflow["s"].WhichOneof("value_type") == "double_value" and overflow["s"].double_value == 2.0**63


def test_sum_of_nothing_is_integer_zero_and_nan_poisons_the_sum() -> None:
    assert aggregate(coll.sum("n", alias="s"), []) == {"s": 0}
    assert math.isnan(aggregate(coll.sum("n", alias="s"), docs({"n": 1}, {"n": math.nan}))["s"])


def test_avg_is_a_double_and_null_over_no_values() -> None:
    result = engine.run_aggregation(
        ROOT, coll.avg("n", alias="a")._to_protobuf()._pb, docs({"n": 1}, {"n": 2})
    )
    assert result["a"].WhichOneof("value_type") == "double_value" and result["a"].double_value == 1.5
    assert aggregate(coll.avg("n", alias="a"), docs({"n": "x"})) == {"a": None}
    assert math.isnan(aggregate(coll.avg("n", alias="a"), docs({"n": math.nan}, {"n": 1}))["a"])


def test_unnamed_aggregations_get_field_n_aliases_in_order() -> None:
    query = coll.count().sum("n", alias="total").avg("n")
    assert aggregate(query, docs({"n": 2}, {"n": 4})) == {"field_1": 2, "total": 6, "field_2": 3.0}


def test_at_most_five_aggregations_with_unique_aliases() -> None:
    five = coll.count(alias="a").count(alias="b").count(alias="c").count(alias="d").count(alias="e")
    assert len(aggregate(five, [])) == 5
    with pytest.raises(InvalidArgument, match="allowed in an aggregation query is 5"):
        aggregate(five.count(alias="f"), [])
    with pytest.raises(InvalidArgument, match="duplicate alias"):
        aggregate(coll.count(alias="x").sum("n", alias="x"), [])


def test_count_up_to_must_not_be_negative() -> None:
    """The official emulator counts up to 0 as 0 and refuses a negative up_to."""
    raw = coll.count(alias="c")._to_protobuf()._pb
    raw.aggregations[0].count.up_to.value = 0
    assert engine.run_aggregation(ROOT, raw, docs({}))["c"].integer_value == 0
    raw.aggregations[0].count.up_to.value = -1
    with pytest.raises(
        InvalidArgument,
        match=r"^The `up_to` value in a COUNT aggregation must be greater than or equal to zero.$",
    ):
        engine.run_aggregation(ROOT, raw, [])


def test_a_summed_field_leaves_documents_without_it_out_of_every_aggregation() -> None:
    """As the official emulator: count next to sum(v) counts only documents that have v (any type), and they
    are left out before offset and limit."""
    rows = docs({"v": 1}, {"w": 1}, {"v": "x"})
    assert aggregate(coll.count(alias="n").sum("v", alias="s"), rows) == {"n": 2, "s": 1}
    assert aggregate(coll.offset(1).count(alias="n").avg("v", alias="a"), rows) == {"n": 1, "a": None}
    assert aggregate(coll.count(alias="n"), rows) == {"n": 3}


def test_aggregation_errors_use_the_official_words() -> None:
    raw = coll.count(alias="x").sum("v", alias="x")._to_protobuf()._pb
    with pytest.raises(InvalidArgument, match=r"^Aggregation aliases contain duplicate alias: x.$"):
        engine.run_aggregation(ROOT, raw, [])
    raw = coll.count(alias="__x__")._to_protobuf()._pb
    with pytest.raises(InvalidArgument, match=r'^The property.name "__x__" is reserved.$'):
        engine.run_aggregation(ROOT, raw, [])
    raw = coll.sum("__name__", alias="s")._to_protobuf()._pb
    with pytest.raises(InvalidArgument, match=r"^Aggregations are not supported for the property: __key__$"):
        engine.run_aggregation(ROOT, raw, [])
    raw = coll.sum("v", alias="s")._to_protobuf()._pb
    raw.aggregations[0].sum.field.field_path = ""
    with pytest.raises(InvalidArgument, match=r"^Invalid empty property path string.$"):
        engine.run_aggregation(ROOT, raw, [])
    raw.aggregations[0].ClearField("sum")
    with pytest.raises(InvalidArgument, match=r"^Operator field in Aggregation is not set.$"):
        engine.run_aggregation(ROOT, raw, [])


# === through the real client, over gRPC, against the embedded emulator ======================================


def results(aggregation_query: Any) -> dict[str, Any]:
    (row,) = aggregation_query.get()
    return {result.alias: result.value for result in row}


def seed_scores(db: firestore.Client) -> Any:
    scores = db.collection("scores")
    batch = db.batch()
    for i, value in enumerate([3, 4, 5.5, "not a number", None]):
        batch.set(scores.document(f"s{i}"), {"v": value, "team": "red" if i % 2 else "blue"})
    batch.set(scores.document("no_v"), {"team": "red"})
    batch.commit()
    return scores


def test_client_count_sum_avg_with_aliases(firestore_client: firestore.Client) -> None:
    scores = seed_scores(firestore_client)
    query = scores.count(alias="n").sum("v", alias="total").avg("v", alias="mean")
    # no_v lacks v: the official emulator leaves it out of the count next to sum(v) and avg(v)
    assert results(query) == {"n": 5, "total": 12.5, "mean": pytest.approx(12.5 / 3)}
    assert results(scores.count(alias="n")) == {"n": 6}


def test_client_default_aliases_and_filtered_queries(firestore_client: firestore.Client) -> None:
    scores = seed_scores(firestore_client)
    red = scores.where(filter=firestore.FieldFilter("team", "==", "red"))
    assert results(red.count().sum("v")) == {"field_1": 2, "field_2": 4}
    assert results(scores.limit(2).count(alias="two")) == {"two": 2}


def test_client_receives_null_for_the_average_of_nothing(firestore_client: firestore.Client) -> None:
    """The Python client reads a null aggregate as 0.0, so this reads the raw gRPC response through its GAPIC layer."""
    scores = seed_scores(firestore_client)
    empty = scores.where(filter=firestore.FieldFilter("v", ">", 100)).avg("v", alias="none")
    request = {"parent": scores._parent_info()[0], "structured_aggregation_query": empty._to_protobuf()}
    stream = firestore_client._firestore_api.run_aggregation_query(
        request=request, metadata=firestore_client._rpc_metadata
    )
    (value,) = [
        response.result.aggregate_fields["none"]
        for response in stream
        if "none" in response.result.aggregate_fields
    ]
    assert value._pb.WhichOneof("value_type") == "null_value"


def test_client_refuses_more_than_five_aggregations(firestore_client: firestore.Client) -> None:
    from google.api_core.exceptions import InvalidArgument as ClientInvalidArgument

    scores = seed_scores(firestore_client)
    six = (
        scores.count(alias="a")
        .count(alias="b")
        .count(alias="c")
        .count(alias="d")
        .count(alias="e")
        .count(alias="f")
    )
    with pytest.raises(ClientInvalidArgument, match="allowed in an aggregation query is 5"):
        six.get()


async def test_async_client_aggregations(firestore_project: str) -> None:
    db = firestore.AsyncClient(project=firestore_project)
    try:
        scores = db.collection("scores")
        for i in range(4):
            await scores.document(f"s{i}").set({"v": i})
        (row,) = await scores.count(alias="n").sum("v", alias="total").avg("v", alias="mean").get()
        assert {result.alias: result.value for result in row} == {"n": 4, "total": 6, "mean": 1.5}
    finally:
        db.close()


def test_an_aggregation_query_without_aggregations_is_refused_with_the_official_message(
    firestore_client: firestore.Client,
) -> None:
    from google.api_core.exceptions import InvalidArgument as ClientInvalidArgument
    from google.cloud.firestore_v1.aggregation import AggregationQuery

    with pytest.raises(ClientInvalidArgument, match="Aggregations can not be empty"):
        AggregationQuery(firestore_client.collection("scores")._query()).get()


def test_client_sum_and_avg_with_a_limit_take_the_smallest_values_first(
    firestore_client: firestore.Client,
) -> None:
    """As production and the official emulator (the client's own system tests): the aggregated field's index is
    scanned, so ``limit(n)`` without an order takes the n smallest values of that field, after the query's own
    orders and inequality fields."""
    coll = firestore_client.collection("products")
    batch = firestore_client.batch()
    for a in range(5):
        for b in range(5):
            batch.set(coll.document(f"z{4 - a}{4 - b}"), {"a": a, "b": b, "stats": {"product": a * b}})
    batch.commit()
    assert results(coll.sum("stats.product", alias="t")) == {"t": 100}
    assert results(coll.limit(12).sum("stats.product", alias="t")) == {"t": 5}  # [0 × 9, 1, 2, 2]
    assert results(coll.limit(12).avg("stats.product", alias="t")) == {"t": 5 / 12}
    assert results(coll.limit(12).count(alias="n").sum("stats.product", alias="t")) == {"n": 12, "t": 5}
    assert results(coll.offset(20).sum("stats.product", alias="t")) == {"t": 8 + 9 + 12 + 12 + 16}
    by_a = coll.order_by("a", direction=firestore.Query.DESCENDING).limit(3).sum("stats.product", alias="t")
    assert results(by_a) == {"t": 16 + 12 + 8}  # a = 4, then the largest products first (the last direction)
    above = coll.where(filter=firestore.FieldFilter("b", ">", 2)).limit(2).sum("stats.product", alias="t")
    assert results(above) == {"t": 0 + 3}  # b = 3 first (the inequality field), then the products in order
    assert results(coll.limit(3).count(alias="n")) == {"n": 3}


def test_sum_over_every_collection_keeps_the_name_order_of_a_kindless_query() -> None:
    """A kindless query orders by name only: summing a field must not give it an order on that field."""
    raw = coll.sum("v", alias="s")._to_protobuf()._pb
    raw.structured_query.from_[0].collection_id = ""
    documents = docs({"v": 3}, {"v": 1}, {"v": 2})
    assert engine.run_aggregation(ROOT, raw, documents)["s"].integer_value == 6
    raw.structured_query.limit.value = 1
    assert engine.run_aggregation(ROOT, raw, documents)["s"].integer_value == 3  # the first by name
