"""Firestore's query engine on raw protobuf messages: validation, filters, ordering, cursors, limits, projections.

``run_query`` runs the stages in the order ``google/firestore/v1/query.proto`` documents: from, where, order_by
(normalised), start_at/end_at, offset, limit, select. Invalid queries raise InvalidArgument with a message that
names the problem, as Firestore does. Pure functions: no I/O, no clock, no state.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from google.cloud.firestore_v1.types import document as document_types
from google.cloud.firestore_v1.types import query as query_types

from firestore_emulator import values
from firestore_emulator.aggregation import aggregate
from firestore_emulator.errors import InvalidArgument
from firestore_emulator.values import Pb

StructuredQuery = query_types.StructuredQuery.pb()
Document = document_types.Document.pb()
FieldFilter = StructuredQuery.FieldFilter
UnaryFilter = StructuredQuery.UnaryFilter
CompositeFilter = StructuredQuery.CompositeFilter

NAME_PATH: tuple[str, ...] = ("__name__",)
MAX_DISJUNCTIONS = 30  # terms of the filter in disjunctive normal form ("in" with n values counts n)
MAX_NOT_IN_VALUES = 10
MAX_INEQUALITY_FIELDS = 10
MAX_FILTERS_AND_ORDERS = 100

_RANGE_OPS = {
    FieldFilter.LESS_THAN,
    FieldFilter.LESS_THAN_OR_EQUAL,
    FieldFilter.GREATER_THAN,
    FieldFilter.GREATER_THAN_OR_EQUAL,
}
_INEQUALITY_FIELD_OPS = _RANGE_OPS | {FieldFilter.NOT_EQUAL, FieldFilter.NOT_IN}
_INEQUALITY_UNARY_OPS = {UnaryFilter.IS_NOT_NULL, UnaryFilter.IS_NOT_NAN}
_ARRAY_OPERAND_OPS = {FieldFilter.IN, FieldFilter.NOT_IN, FieldFilter.ARRAY_CONTAINS_ANY}
_OP_NAMES = {
    FieldFilter.LESS_THAN: "<",
    FieldFilter.LESS_THAN_OR_EQUAL: "<=",
    FieldFilter.GREATER_THAN: ">",
    FieldFilter.GREATER_THAN_OR_EQUAL: ">=",
    FieldFilter.EQUAL: "==",
    FieldFilter.NOT_EQUAL: "!=",
    FieldFilter.ARRAY_CONTAINS: "array-contains",
    FieldFilter.IN: "in",
    FieldFilter.ARRAY_CONTAINS_ANY: "array-contains-any",
    FieldFilter.NOT_IN: "not-in",
}
# Operators that cannot share a query (as Firestore's SDKs and backend enforce); "!=" includes IS_NOT_NULL/NAN.
_CONFLICTS = {
    "!=": ("!=", "not-in"),
    "in": ("not-in",),
    "array-contains-any": ("not-in",),
    "not-in": ("in", "array-contains-any", "not-in", "!=", "or"),
}

Predicate = Callable[[Pb], bool]
Key = tuple[Any, ...]  # a values.sort_key


# --- names ----------------------------------------------------------------------------------------------------


def database_root(parent: str) -> str:
    """``projects/P/databases/D/documents`` of a query's parent (the root itself or a document under it)."""
    segments = parent.split("/")
    if (
        len(segments) < 5
        or segments[0] != "projects"
        or segments[2] != "databases"
        or segments[4] != "documents"
    ):
        raise InvalidArgument(
            f"Invalid query parent {parent!r}: expected projects/{{p}}/databases/{{d}}/documents[/…]."
        )
    if len(segments) % 2 == 0:
        raise InvalidArgument(f"Invalid query parent {parent!r}: it must be the database root or a document.")
    return "/".join(segments[:5])


def _absolute_reference(root: str, reference: str) -> str:
    """A reference value as a full name; a relative one (``c/d``) is read relative to the database root."""
    return reference if reference.startswith("projects/") else f"{root}/{reference}"


def _in_collection(parent: str, selector: Pb, name: str) -> bool:
    """Whether the document ``name`` belongs to the collection(s) one ``CollectionSelector`` picks under ``parent``."""
    prefix = parent + "/"
    if not name.startswith(prefix):
        return False
    rest = name[len(prefix) :].split("/")
    if not selector.all_descendants:
        return len(rest) == 2 and rest[0] == selector.collection_id
    return not selector.collection_id or rest[-2] == selector.collection_id


# --- field access and ordering --------------------------------------------------------------------------------


def field_path_of(reference: Pb) -> tuple[str, ...]:
    """The parsed path of a ``FieldReference``."""
    return values.parse_field_path(reference.field_path)


def document_value(doc: Pb, path: tuple[str, ...]) -> Pb | None:
    """A document's value at ``path``; ``__name__`` is the document's own reference."""
    if path == NAME_PATH:
        return values.reference_value(doc.name)
    return values.get_field(doc.fields, path)


@dataclass(frozen=True)
class Order:
    """One key of a query's (normalised) order: a field path and a direction."""

    path: tuple[str, ...]
    descending: bool

    def key_of(self, doc: Pb) -> Key | None:
        """The document's :func:`values.sort_key` for this order, or None when it lacks the field."""
        if self.path == NAME_PATH:
            return (values.TYPE_REFERENCE, values.path_key(doc.name))
        value = values.get_field(doc.fields, self.path)
        return None if value is None else values.sort_key(value)


def _inequality_paths(where: Pb) -> list[tuple[str, ...]]:
    """The distinct fields that inequality filters (<, <=, >, >=, !=, not-in, IS_NOT_NULL/NAN) constrain."""
    found: list[tuple[str, ...]] = []
    for leaf in _leaf_filters(where):
        kind = leaf.WhichOneof("filter_type")
        op = getattr(leaf, kind).op
        inequality = op in _INEQUALITY_FIELD_OPS if kind == "field_filter" else op in _INEQUALITY_UNARY_OPS
        path = field_path_of(getattr(leaf, kind).field)
        if inequality and path not in found:
            found.append(path)
    return found


def _leaf_filters(where: Pb) -> Iterable[Pb]:
    kind = where.WhichOneof("filter_type")
    if kind == "composite_filter":
        for inner in where.composite_filter.filters:
            yield from _leaf_filters(inner)
    elif kind is not None:
        yield where


def normalized_orders(query: Pb) -> list[Order]:
    """The query's full order: the explicit orders, then inequality fields not already ordered (lexicographic,
    in the last explicit direction), then ``__name__`` in that same direction unless already ordered.

    This is Firestore's documented normalisation (``StructuredQuery.order_by`` in query.proto).
    """
    orders = [
        Order(field_path_of(o.field), o.direction == StructuredQuery.DESCENDING) for o in query.order_by
    ]
    descending = orders[-1].descending if orders else False
    ordered = {o.path for o in orders}
    for path in sorted(p for p in _inequality_paths(query.where) if p != NAME_PATH):
        if path not in ordered:
            orders.append(Order(path, descending))
            ordered.add(path)
    if NAME_PATH not in ordered:
        orders.append(Order(NAME_PATH, descending))
    return orders


def _row_keys(doc: Pb, orders: Sequence[Order]) -> list[Key] | None:
    """A document's sort keys for each order, or None when it lacks a field (ordering by a field excludes it)."""
    row = []
    for order in orders:
        key = order.key_of(doc)
        if key is None:
            return None
        row.append(key)
    return row


def _compare_keys(orders: Sequence[Order], left: Sequence[Key], right: Sequence[Key]) -> int:
    """Compare two rows of keys over their common prefix, each key in its order's direction."""
    for order, a, b in zip(orders, left, right, strict=False):
        if a != b:
            result = 1 if a > b else -1
            return -result if order.descending else result
    return 0


def order_key(query: Pb) -> Callable[[Pb], Any]:
    """A ``sorted`` key that puts documents in the query's normalised order (Listen sorts its views with it)."""
    orders = normalized_orders(query)

    def compare_documents(a: Pb, b: Pb) -> int:
        return _compare_keys(orders, _row_keys(a, orders) or (), _row_keys(b, orders) or ())

    return functools.cmp_to_key(compare_documents)


# --- filters --------------------------------------------------------------------------------------------------


def _field_matcher(op: int, operand: Pb) -> Callable[[Pb | None], bool]:
    """How one field filter tests a document's value (None when the field is missing)."""
    if op == FieldFilter.EQUAL:
        return lambda v: v is not None and values.equals(v, operand)
    if op == FieldFilter.NOT_EQUAL:
        return lambda v: v is not None and not _is_null(v) and not values.equals(v, operand)
    if op in _RANGE_OPS:
        return _range_matcher(op, operand)
    if op == FieldFilter.IN:
        options = _members(operand.array_value.values)
        return lambda v: v is not None and any(values.equals(v, o) for o in options)
    if op == FieldFilter.NOT_IN:
        excluded = list(operand.array_value.values)
        if any(_is_null(o) for o in excluded):
            return lambda v: False  # "not-in [null, …]" matches nothing, as in Firestore
        return lambda v: v is not None and not _is_null(v) and not any(values.equals(v, o) for o in excluded)
    if op == FieldFilter.ARRAY_CONTAINS:
        wanted = _members([operand])
        return lambda v: any(values.equals(e, w) for e in _elements(v) for w in wanted)
    if op == FieldFilter.ARRAY_CONTAINS_ANY:
        wanted = _members(operand.array_value.values)
        return lambda v: any(values.equals(e, w) for e in _elements(v) for w in wanted)
    raise InvalidArgument(f"Unsupported field filter operator {op}.")


def _range_matcher(op: int, operand: Pb) -> Callable[[Pb | None], bool]:
    """<, <=, >, >= match only values of the operand's type class (a number never matches ``< "a"``)."""
    if values.is_nan(operand):
        return lambda v: False
    accept = {
        FieldFilter.LESS_THAN: operator.lt,
        FieldFilter.LESS_THAN_OR_EQUAL: operator.le,
        FieldFilter.GREATER_THAN: operator.gt,
        FieldFilter.GREATER_THAN_OR_EQUAL: operator.ge,
    }[op]
    target = values.sort_key(operand)

    def test(v: Pb | None) -> bool:
        if v is None:
            return False
        key = values.sort_key(v)
        return key[0] == target[0] and accept(key, target)  # key[0] is the type's rank

    return test


def _unary_matcher(op: int) -> Callable[[Pb | None], bool]:
    if op == UnaryFilter.IS_NULL:
        return lambda v: v is not None and _is_null(v)
    if op == UnaryFilter.IS_NAN:
        return lambda v: v is not None and values.is_nan(v)
    if op == UnaryFilter.IS_NOT_NULL:
        return lambda v: v is not None and not _is_null(v)
    if op == UnaryFilter.IS_NOT_NAN:
        return lambda v: v is not None and not _is_null(v) and not values.is_nan(v)
    raise InvalidArgument(f"Unsupported unary filter operator {op}.")


def _members(operands: Iterable[Pb]) -> list[Pb]:
    """The operands of in/array-contains(-any) that can match: only == and != match null and NaN in Firestore
    (a null or NaN in an ``in`` list, or ``array-contains null``, matches nothing)."""
    return [o for o in operands if not _is_null(o) and not values.is_nan(o)]


def _is_null(v: Pb) -> bool:
    return v.WhichOneof("value_type") in (None, "null_value")


def _elements(v: Pb | None) -> Sequence[Pb]:
    """The elements of an array value; nothing for a missing or non-array value."""
    if v is None or v.WhichOneof("value_type") != "array_value":
        return ()
    return v.array_value.values  # type: ignore[no-any-return]


def compile_filter(root: str, where: Pb) -> Predicate:
    """Turn a ``StructuredQuery.Filter`` into a predicate on documents (validating each leaf on the way)."""
    kind = where.WhichOneof("filter_type")
    if kind is None:
        return lambda doc: True
    if kind == "composite_filter":
        return _compile_composite(root, where.composite_filter)
    leaf = getattr(where, kind)
    path = field_path_of(leaf.field)
    if kind == "unary_filter":
        test = _unary_matcher(leaf.op)
    else:
        _check_field_filter(leaf, path)
        test = _field_matcher(leaf.op, _resolve_names(root, path, leaf.value))
    return lambda doc: test(document_value(doc, path))


def _compile_composite(root: str, composite: Pb) -> Predicate:
    if composite.op not in (CompositeFilter.AND, CompositeFilter.OR):
        raise InvalidArgument("A composite filter must be AND or OR.")
    if not composite.filters:
        raise InvalidArgument("A composite filter must contain at least one filter.")
    parts = [compile_filter(root, inner) for inner in composite.filters]
    if composite.op == CompositeFilter.AND:
        return lambda doc: all(part(doc) for part in parts)
    return lambda doc: any(part(doc) for part in parts)


def _resolve_names(root: str, path: tuple[str, ...], operand: Pb) -> Pb:
    """Filters on ``__name__`` compare full names: relative references are made absolute."""
    if path != NAME_PATH:
        return operand
    if operand.WhichOneof("value_type") == "array_value":
        resolved = values.Value()
        resolved.array_value.SetInParent()
        resolved.array_value.values.extend(_resolve_names(root, path, e) for e in operand.array_value.values)
        return resolved
    return values.reference_value(_absolute_reference(root, operand.reference_value))


def _check_field_filter(leaf: Pb, path: tuple[str, ...]) -> None:
    op_name = _OP_NAMES.get(leaf.op)
    if op_name is None:
        raise InvalidArgument(
            f"Invalid query: field filter on {leaf.field.field_path!r} has no valid operator."
        )
    operand = leaf.value
    if leaf.op in _ARRAY_OPERAND_OPS:
        if operand.WhichOneof("value_type") != "array_value" or not operand.array_value.values:
            raise InvalidArgument(f"Invalid query: a '{op_name}' filter needs a non-empty array of values.")
        if leaf.op == FieldFilter.NOT_IN and len(operand.array_value.values) > MAX_NOT_IN_VALUES:
            raise InvalidArgument(
                f"Invalid query: 'NOT_IN' supports up to {MAX_NOT_IN_VALUES} comparison values."
            )
    if path == NAME_PATH:
        _check_name_operand(leaf.op, op_name, operand)


def _check_name_operand(op: int, op_name: str, operand: Pb) -> None:
    if op in (FieldFilter.ARRAY_CONTAINS, FieldFilter.ARRAY_CONTAINS_ANY):
        raise InvalidArgument(f"Invalid query: '{op_name}' cannot be used on __name__.")
    candidates = operand.array_value.values if op in _ARRAY_OPERAND_OPS else [operand]
    for candidate in candidates:
        if candidate.WhichOneof("value_type") != "reference_value":
            raise InvalidArgument(
                f"Invalid query: a filter on __name__ needs document reference values, got "
                f"{candidate.WhichOneof('value_type') or 'an empty value'}."
            )


# --- query-wide validation ------------------------------------------------------------------------------------


def _disjunctions(where: Pb) -> int:
    """Number of terms of the filter in disjunctive normal form."""
    kind = where.WhichOneof("filter_type")
    if kind == "composite_filter":
        counts = [_disjunctions(inner) for inner in where.composite_filter.filters]
        if where.composite_filter.op == CompositeFilter.OR:
            return sum(counts)
        return functools.reduce(lambda a, b: a * b, counts, 1)
    if kind == "field_filter" and where.field_filter.op in (FieldFilter.IN, FieldFilter.ARRAY_CONTAINS_ANY):
        return max(1, len(where.field_filter.value.array_value.values))
    return 1


def _array_contains_per_term(where: Pb) -> int:
    """The most array-contains(-any) filters any one DNF term holds."""
    kind = where.WhichOneof("filter_type")
    if kind == "composite_filter":
        counts = [_array_contains_per_term(inner) for inner in where.composite_filter.filters]
        if where.composite_filter.op == CompositeFilter.OR:
            return max(counts, default=0)
        return sum(counts)
    if kind == "field_filter":
        return int(where.field_filter.op in (FieldFilter.ARRAY_CONTAINS, FieldFilter.ARRAY_CONTAINS_ANY))
    return 0


def _operator_names(where: Pb) -> list[str]:
    """Operator names used anywhere in the filter, with IS_NOT_NULL/IS_NOT_NAN as "!=" and OR as "or"."""
    names: list[str] = []
    kind = where.WhichOneof("filter_type")
    if kind == "composite_filter":
        if where.composite_filter.op == CompositeFilter.OR:
            names.append("or")
        for inner in where.composite_filter.filters:
            names.extend(_operator_names(inner))
    elif kind == "field_filter":
        names.append(_OP_NAMES.get(where.field_filter.op, "?"))
    elif kind == "unary_filter" and where.unary_filter.op in _INEQUALITY_UNARY_OPS:
        names.append("!=")
    return names


def _check_conflicts(where: Pb) -> None:
    names = _operator_names(where)
    for index, name in enumerate(names):
        for other in names[:index]:
            if other in _CONFLICTS.get(name, ()) or name in _CONFLICTS.get(other, ()):
                if other == name:
                    raise InvalidArgument(f"Invalid query. You cannot use more than one '{name}' filter.")
                raise InvalidArgument(
                    f"Invalid query. You cannot use '{name}' filters with '{other}' filters."
                )


def _check_filter_shape(query: Pb) -> None:
    where = query.where
    disjunctions = _disjunctions(where)
    if disjunctions > MAX_DISJUNCTIONS:
        raise InvalidArgument(
            f"Invalid query: the filter has {disjunctions} disjunctions in disjunctive normal form "
            f"('in' and 'array-contains-any' count one per value); the maximum is {MAX_DISJUNCTIONS}."
        )
    if _array_contains_per_term(where) > 1:
        raise InvalidArgument("A maximum of 1 'ARRAY_CONTAINS' filter is allowed per disjunction.")
    _check_conflicts(where)
    inequalities = _inequality_paths(where)
    if len(inequalities) > MAX_INEQUALITY_FIELDS:
        raise InvalidArgument(
            f"Invalid query: inequality filters on {len(inequalities)} fields; the maximum is {MAX_INEQUALITY_FIELDS}."
        )
    if sum(1 for _ in _leaf_filters(where)) + len(query.order_by) > MAX_FILTERS_AND_ORDERS:
        raise InvalidArgument(f"Invalid query: more than {MAX_FILTERS_AND_ORDERS} filters and orders.")


def _check_selector(query: Pb) -> Pb:
    if len(query.from_) != 1:
        raise InvalidArgument(
            f"Invalid query: it must select exactly one collection, got {len(query.from_)}."
        )
    selector = query.from_[0]
    if not selector.collection_id and not selector.all_descendants:
        raise InvalidArgument("Invalid query: a collection id is required unless all_descendants is set.")
    if "/" in selector.collection_id:
        raise InvalidArgument(f"Invalid collection id {selector.collection_id!r}: it must not contain '/'.")
    return selector


def _check_orders(query: Pb) -> None:
    seen: set[tuple[str, ...]] = set()
    for order in query.order_by:
        path = field_path_of(order.field)
        if path in seen:
            raise InvalidArgument(
                f"Invalid query: order by clause cannot contain duplicate field {order.field.field_path!r}."
            )
        seen.add(path)


def _check_name_is_last(orders: Sequence[Order]) -> None:
    """An explicit order on ``__name__`` must end the normalised order (implicit inequality orders included)."""
    names = [index for index, order in enumerate(orders) if order.path == NAME_PATH]
    if names and names[0] != len(orders) - 1:
        after = values.format_field_path(orders[names[0] + 1].path)
        raise InvalidArgument(f"Order by clause cannot contain more fields after the key {after}")


def _check_cursor(cursor: Pb, orders: Sequence[Order], which: str) -> None:
    if len(cursor.values) > len(orders):
        raise InvalidArgument(
            f"Invalid query: the {which} cursor has {len(cursor.values)} values but the query orders by only "
            f"{len(orders)} fields."
        )
    for order, value in zip(orders, cursor.values, strict=False):
        if order.path == NAME_PATH and value.WhichOneof("value_type") != "reference_value":
            raise InvalidArgument(
                f"Invalid query: the {which} cursor value for __name__ must be a document reference, got "
                f"{value.WhichOneof('value_type') or 'an empty value'}."
            )


def _check_paging(query: Pb) -> None:
    if query.offset < 0:
        raise InvalidArgument(f"Invalid query: offset must be >= 0, got {query.offset}.")
    if query.HasField("limit") and query.limit.value < 0:
        raise InvalidArgument(f"Invalid query: limit must be >= 0, got {query.limit.value}.")


@dataclass(frozen=True)
class _Plan:
    """A validated query, compiled once: its collection test, predicate and order."""

    parent: str
    root: str
    selector: Pb
    predicate: Predicate
    orders: list[Order]

    def selects(self, doc: Pb) -> bool:
        """The collection selector and the filter."""
        return _in_collection(self.parent, self.selector, doc.name) and self.predicate(doc)

    def admits(self, doc: Pb) -> bool:
        """``selects``, and the document has every field the query orders by (ordering excludes the rest)."""
        return self.selects(doc) and _row_keys(doc, self.orders) is not None


def _plan(parent: str, query: Pb) -> _Plan:
    root = database_root(parent)
    selector = _check_selector(query)
    _check_filter_shape(query)
    predicate = compile_filter(root, query.where)
    _check_orders(query)
    orders = normalized_orders(query)
    _check_name_is_last(orders)
    for which in ("start_at", "end_at"):
        if query.HasField(which):
            _check_cursor(getattr(query, which), orders, which)
    _check_paging(query)
    if query.HasField("find_nearest"):
        _check_find_nearest(query.find_nearest)
    return _Plan(parent, root, selector, predicate, orders)


# --- running --------------------------------------------------------------------------------------------------


def matcher(parent: str, query: Pb) -> Predicate:
    """A validated, compiled :func:`matches` for one query, to reuse across documents (Listen's hot path)."""
    plan = _plan(parent, query)
    if query.HasField("find_nearest"):
        return plan.selects
    return plan.admits


def matches(parent: str, query: Pb, doc: Pb) -> bool:
    """Whether ``doc`` belongs to the query's results, cursors, offset and limit aside: it is in the selected
    collection, passes the filter, and has every field the query orders by."""
    return matcher(parent, query)(doc)


def _cursor_keys(root: str, orders: Sequence[Order], cursor: Pb) -> list[Key]:
    """The sort keys of a cursor's values; ``__name__`` values may be relative to the database root."""
    keys = []
    for order, value in zip(orders, cursor.values, strict=False):
        if order.path == NAME_PATH:
            value = values.reference_value(_absolute_reference(root, value.reference_value))
        keys.append(values.sort_key(value))
    return keys


def _cursor_test(plan: _Plan, query: Pb) -> Callable[[Sequence[Key]], bool]:
    """Whether a document's row of keys lies between the query's start and end cursors."""
    start = _cursor_keys(plan.root, plan.orders, query.start_at) if query.HasField("start_at") else None
    end = _cursor_keys(plan.root, plan.orders, query.end_at) if query.HasField("end_at") else None

    def within(row: Sequence[Key]) -> bool:
        if start is not None:
            position = _compare_keys(plan.orders, row, start)
            if position < 0 or (position == 0 and not query.start_at.before):
                return False
        if end is not None:
            position = _compare_keys(plan.orders, row, end)
            if position > 0 or (position == 0 and query.end_at.before):
                return False
        return True

    return within


def _project(doc: Pb, paths: Sequence[tuple[str, ...]]) -> Pb:
    """A copy of ``doc`` holding only the selected fields (none when only ``__name__`` is selected)."""
    projected = Document(name=doc.name)
    projected.create_time.CopyFrom(doc.create_time)
    projected.update_time.CopyFrom(doc.update_time)
    for path in paths:
        value = values.get_field(doc.fields, path) if path != NAME_PATH else None
        if value is not None:
            values.set_field(projected.fields, path, value)
    return projected


def _ordered(plan: _Plan, query: Pb, docs: Iterable[Pb]) -> list[Pb]:
    """The selected documents in query order, between the cursors (documents lacking an order field dropped).

    Sorting runs one stable pass per order key, last key first, each in its own direction, on precomputed
    :func:`values.sort_key` tuples: several times faster than a comparator.
    """
    rows: list[tuple[list[Key], Pb]] = []
    for doc in docs:
        if plan.selects(doc):
            row = _row_keys(doc, plan.orders)
            if row is not None:
                rows.append((row, doc))
    for index in reversed(range(len(plan.orders))):
        rows.sort(key=lambda entry: entry[0][index], reverse=plan.orders[index].descending)
    within = _cursor_test(plan, query)
    return [doc for row, doc in rows if within(row)]


def run_query(parent: str, query: Pb, docs: Iterable[Pb]) -> list[Pb]:
    """The documents ``query`` returns under ``parent`` from ``docs`` (live documents), in query order."""
    plan = _plan(parent, query)
    if query.HasField("find_nearest"):
        return _find_nearest(query, [doc for doc in docs if plan.selects(doc)])
    selected = _ordered(plan, query, docs)[query.offset :]
    if query.HasField("limit"):
        selected = selected[: query.limit.value]
    if query.HasField("select"):
        paths = [field_path_of(field) for field in query.select.fields]
        selected = [_project(doc, paths) for doc in selected]
    return selected


# --- vector search --------------------------------------------------------------------------------------------

MAX_VECTOR_DIMENSIONS = 2048
MAX_NEAREST_LIMIT = 1000
_EUCLIDEAN, _COSINE, _DOT_PRODUCT = 1, 2, 3


def _vector(value: Pb | None) -> list[float] | None:
    """The numbers of a vector value, or None for anything else."""
    if value is None or not values.is_vector(value):
        return None
    inner = value.map_value.fields.get("value")
    elements = inner.array_value.values if inner is not None else ()
    if not all(values.is_number(e) for e in elements):
        return None
    return [
        float(e.integer_value if e.WhichOneof("value_type") == "integer_value" else e.double_value)
        for e in elements
    ]


def _check_find_nearest(nearest: Pb) -> None:
    field_path_of(nearest.vector_field)
    vector = _vector(nearest.query_vector)
    if not vector or len(vector) > MAX_VECTOR_DIMENSIONS:
        raise InvalidArgument(
            f"Invalid find_nearest: query_vector must be a vector of 1 to {MAX_VECTOR_DIMENSIONS} dimensions."
        )
    if nearest.distance_measure not in (_EUCLIDEAN, _COSINE, _DOT_PRODUCT):
        raise InvalidArgument(
            "Invalid find_nearest: distance_measure must be EUCLIDEAN, COSINE or DOT_PRODUCT."
        )
    if not nearest.HasField("limit") or not 1 <= nearest.limit.value <= MAX_NEAREST_LIMIT:
        raise InvalidArgument(f"Invalid find_nearest: limit must be between 1 and {MAX_NEAREST_LIMIT}.")
    if nearest.distance_result_field:
        values.parse_field_path(nearest.distance_result_field)


def _distance(measure: int, a: Sequence[float], b: Sequence[float]) -> float | None:
    """The distance between two vectors of equal dimension (None where COSINE meets a zero vector)."""
    if measure == _EUCLIDEAN:
        return math.dist(a, b)
    dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
    if measure == _DOT_PRODUCT:
        return dot
    norms = math.hypot(*a) * math.hypot(*b)
    return None if norms == 0 else 1 - dot / norms


def _find_nearest(query: Pb, candidates: Sequence[Pb]) -> list[Pb]:
    """Nearest-neighbour search: it replaces the query's order; the threshold and limit bound the results."""
    nearest = query.find_nearest
    path = field_path_of(nearest.vector_field)
    target = _vector(nearest.query_vector) or []
    measure = nearest.distance_measure
    scored: list[tuple[float, Pb]] = []
    for doc in candidates:
        vector = _vector(values.get_field(doc.fields, path))
        if vector is None or len(vector) != len(target):
            continue
        distance = _distance(measure, vector, target)
        if distance is not None and _within_threshold(nearest, measure, distance):
            scored.append((distance, doc))
    sign = -1 if measure == _DOT_PRODUCT else 1
    scored.sort(key=lambda item: (sign * item[0], values.path_key(item[1].name)))
    limit = min(nearest.limit.value, query.limit.value) if query.HasField("limit") else nearest.limit.value
    return [_with_distance(query, doc, distance) for distance, doc in scored[:limit]]


def _within_threshold(nearest: Pb, measure: int, distance: float) -> bool:
    if not nearest.HasField("distance_threshold"):
        return True
    threshold = nearest.distance_threshold.value
    return distance >= threshold if measure == _DOT_PRODUCT else distance <= threshold


def _with_distance(query: Pb, doc: Pb, distance: float) -> Pb:
    """The result document: projected if the query selects fields, with the distance field if one is named."""
    if query.HasField("select"):
        result = _project(doc, [field_path_of(field) for field in query.select.fields])
    else:
        result = Document()
        result.CopyFrom(doc)
    if query.find_nearest.distance_result_field:
        path = values.parse_field_path(query.find_nearest.distance_result_field)
        values.set_field(result.fields, path, values.double_value(distance))
    return result


def run_aggregation(parent: str, aggregation_query: Pb, docs: Iterable[Pb]) -> dict[str, Pb]:
    """Run a ``StructuredAggregationQuery``: its aggregations over the nested query's results, keyed by alias."""
    if not aggregation_query.HasField("structured_query"):
        raise InvalidArgument("Invalid aggregation query: a structured query is required.")
    aggregations = list(aggregation_query.aggregations)
    results = run_query(parent, aggregation_query.structured_query, docs)
    return aggregate(aggregations, results)
