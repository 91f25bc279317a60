"""Aggregations of ``RunAggregationQuery`` (count, sum, avg) over a query's result documents.

The rules are those of ``StructuredAggregationQuery.Aggregation`` in ``google/firestore/v1/query.proto``: one to
five aggregations with unique aliases (unnamed ones become ``field_1``, ``field_2``, … in order); sum and avg skip
non-numeric values, and documents lacking a summed or averaged field are left out of every aggregation (as the
official emulator answers); sum stays an integer while every value is one and the total fits in 64 bits; avg is a
double, or null over no values; NaN anywhere makes the result NaN.
"""

from __future__ import annotations

from collections.abc import Sequence

from firestore_emulator import values
from firestore_emulator.errors import InvalidArgument
from firestore_emulator.values import Pb

MAX_AGGREGATIONS = 5


def assign_aliases(aggregations: Sequence[Pb]) -> list[str]:
    """Each aggregation's alias; unnamed ones get ``field_<n>``, n counting only the unnamed ones."""
    # The official messages: the client's own system tests, run against Firestore, look for them.
    if not aggregations:
        raise InvalidArgument("Aggregations can not be empty.")
    if len(aggregations) > MAX_AGGREGATIONS:
        raise InvalidArgument(
            "The maximum number of aggregations allowed in an aggregation query is "
            f"{MAX_AGGREGATIONS}. Received: {len(aggregations)}"
        )
    aliases: list[str] = []
    unnamed = 0
    for aggregation in aggregations:
        alias = aggregation.alias
        if not alias:
            unnamed += 1
            alias = f"field_{unnamed}"
        if alias in aliases:
            raise InvalidArgument(f"Aggregation aliases contain duplicate alias: {alias}.")
        if values.is_reserved_id(alias):
            raise InvalidArgument(f'The property.name "{alias}" is reserved.')
        aliases.append(alias)
    return aliases


def aggregated_paths(aggregations: Sequence[Pb]) -> list[tuple[str, ...]]:
    """The fields that sum and avg aggregate, validated in the official emulator's words. The official
    emulator leaves documents without one of them out of the whole aggregation (count included), before the
    query's offset and limit."""
    paths = []
    for aggregation in aggregations:
        kind = aggregation.WhichOneof("operator")
        if kind is None:
            raise InvalidArgument("Operator field in Aggregation is not set.")
        if kind in ("sum", "avg"):
            field_path = getattr(aggregation, kind).field.field_path
            if field_path == "__name__":
                raise InvalidArgument("Aggregations are not supported for the property: __key__")
            paths.append(values.parse_field_path(field_path))
    return paths


def _numbers(docs: Sequence[Pb], aggregation: Pb, kind: str) -> list[Pb]:
    """The numeric values of the aggregated field across ``docs`` (missing and non-numeric values skipped)."""
    path = values.parse_field_path(getattr(aggregation, kind).field.field_path)
    found = (values.get_field(doc.fields, path) for doc in docs)
    return [v for v in found if v is not None and values.is_number(v)]


def _all_integers(numbers: Sequence[Pb]) -> bool:
    return all(v.WhichOneof("value_type") == "integer_value" for v in numbers)


def _float_total(numbers: Sequence[Pb]) -> float:
    """IEEE 754 sum in document order (NaN and infinities propagate as in Firestore)."""
    total = 0.0
    for v in numbers:
        total += v.integer_value if v.WhichOneof("value_type") == "integer_value" else v.double_value
    return total


def _sum(numbers: Sequence[Pb]) -> Pb:
    if _all_integers(numbers):
        total = sum(v.integer_value for v in numbers)
        if values.INT64_MIN <= total <= values.INT64_MAX:
            return values.integer_value(total)
        return values.double_value(float(total))
    return values.double_value(_float_total(numbers))


def _avg(numbers: Sequence[Pb]) -> Pb:
    if not numbers:
        return values.null_value()
    if _all_integers(numbers):
        return values.double_value(sum(v.integer_value for v in numbers) / len(numbers))
    return values.double_value(_float_total(numbers) / len(numbers))


def _count(docs: Sequence[Pb], aggregation: Pb) -> Pb:
    count = len(docs)
    if aggregation.count.HasField("up_to"):
        up_to = aggregation.count.up_to.value
        if up_to < 0:
            raise InvalidArgument(
                "The `up_to` value in a COUNT aggregation must be greater than or equal to zero."
            )
        count = min(count, up_to)
    return values.integer_value(count)


def _one(docs: Sequence[Pb], aggregation: Pb) -> Pb:
    kind = aggregation.WhichOneof("operator")
    if kind == "count":
        return _count(docs, aggregation)
    if kind == "sum":
        return _sum(_numbers(docs, aggregation, kind))
    if kind == "avg":
        return _avg(_numbers(docs, aggregation, kind))
    raise InvalidArgument("Operator field in Aggregation is not set.")


def aggregate(aggregations: Sequence[Pb], docs: Sequence[Pb]) -> dict[str, Pb]:
    """Every aggregation's result over ``docs``, keyed by its alias."""
    aliases = assign_aliases(aggregations)
    return {alias: _one(docs, aggregation) for alias, aggregation in zip(aliases, aggregations, strict=True)}
