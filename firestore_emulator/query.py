"""Firestore's query engine on raw protobuf messages: validation, filters, ordering, cursors, limits, projections.

``run_query`` runs the stages in the order ``google/firestore/v1/query.proto`` documents: from, where, order_by
(normalised), start_at/end_at, offset, limit, select. Invalid queries are refused with the official emulator's
status codes and messages, checked in its order (INVALID_ARGUMENT mostly; FAILED_PRECONDITION for a second
array-contains and for a kindless descending key scan). A selector without a collection id (or no selector) reads
every collection directly under the parent, as the official emulator does. Nearest-neighbour queries and
aggregations follow it too (see their sections). Pure functions: no I/O, no clock, no state.
"""

from __future__ import annotations

import functools
import heapq
import math
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from google.cloud.firestore_v1.types import document as document_types
from google.cloud.firestore_v1.types import query as query_types

from firestore_emulator import values
from firestore_emulator.aggregation import aggregate, aggregated_paths
from firestore_emulator.errors import EmulatorError, FailedPrecondition, InvalidArgument
from firestore_emulator.values import Pb

StructuredQuery = query_types.StructuredQuery.pb()
Document = document_types.Document.pb()
FieldFilter = StructuredQuery.FieldFilter
UnaryFilter = StructuredQuery.UnaryFilter
CompositeFilter = StructuredQuery.CompositeFilter

NAME_PATH: tuple[str, ...] = ("__name__",)
MAX_DISJUNCTIONS = 30  # terms of the filter in disjunctive normal form ("in" with n values counts n)
MAX_IN_VALUES = 30  # values of one "in" or "array-contains-any" filter
MAX_NOT_IN_VALUES = 10
MAX_INEQUALITY_FIELDS = 10

_RANGE_OPS = {
    FieldFilter.LESS_THAN,
    FieldFilter.LESS_THAN_OR_EQUAL,
    FieldFilter.GREATER_THAN,
    FieldFilter.GREATER_THAN_OR_EQUAL,
}
_INEQUALITY_FIELD_OPS = _RANGE_OPS | {FieldFilter.NOT_EQUAL, FieldFilter.NOT_IN}
_INEQUALITY_UNARY_OPS = {UnaryFilter.IS_NOT_NULL, UnaryFilter.IS_NOT_NAN}
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
        raise InvalidArgument(f'Document parent name "{parent}" lacks "/" at index {len(parent)}.')
    return "/".join(segments[:5])


def _absolute_reference(root: str, reference: str) -> str:
    """A reference value as a full name; a relative one (``c/d``) is read relative to the database root."""
    return reference if reference.startswith("projects/") else f"{root}/{reference}"


def in_collection(parent: str, selector: Pb, name: str) -> bool:
    """Whether the document ``name`` belongs to the collection(s) one ``CollectionSelector`` picks under ``parent``."""
    prefix = parent + "/"
    if not name.startswith(prefix):
        return False
    rest = name[len(prefix) :].split("/")
    if not selector.all_descendants:  # no collection id: every collection directly under the parent
        return len(rest) == 2 and (not selector.collection_id or rest[0] == selector.collection_id)
    return not selector.collection_id or rest[-2] == selector.collection_id


def collection_test(parent: str, selector: Pb) -> Callable[[str], bool]:
    """:func:`in_collection` for one selector, compiled: the common case (one collection directly under the
    parent) is a prefix test and a search for a further ``/``, no split of every candidate's name."""
    if selector.all_descendants or not selector.collection_id:
        return lambda name: in_collection(parent, selector, name)
    prefix = f"{parent}/{selector.collection_id}/"
    start = len(prefix)
    return lambda name: name.startswith(prefix) and name.find("/", start) < 0


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
        if len(self.path) == 1:
            value = doc.fields.get(self.path[0])  # a top-level field: no walk
        else:
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
# The official emulator's messages: a client (and a conformance suite) sees these texts.
KEY_VALUE_REQUIRED = "__key__ filter value must be a Key"
NAME_RESERVED = "the name __key__ is reserved"
SINGLE_NEGATION = (
    "Only a single 'NOT_EQUAL', 'NOT_IN', 'IS_NOT_NAN', or 'IS_NOT_NULL' filter allowed per query."
)
NOT_IN_WITH_DISJUNCTION = "'NOT_IN' cannot be used in the same query with 'IN', 'ARRAY_CONTAINS_ANY' or 'OR'."
SINGLE_ARRAY_CONTAINS = "Only a single array-contains clause is allowed in a query"
CURSOR_TOO_LONG = "Cursor has too many values."
CURSOR_KEY = "Cursor __key__ value is not a document reference."
KINDLESS_ORDER = "kind is required for all orders except __key__ ascending"
DESCENDING_KEY_SCAN = "Firestore does not support descending key scans"
_ARRAY_OPERAND_LIMITS = {
    FieldFilter.IN: ("IN", MAX_IN_VALUES),
    FieldFilter.ARRAY_CONTAINS_ANY: ("ARRAY_CONTAINS_ANY", MAX_IN_VALUES),
    FieldFilter.NOT_IN: ("NOT_IN", MAX_NOT_IN_VALUES),
}


def _field_matcher(op: int, operand: Pb) -> Callable[[Pb | None], bool]:
    """How one field filter tests a document's value (None when the field is missing).

    As the official emulator: ``==`` and ``!=`` with a null or NaN operand, and ``!=`` null, match nothing
    (the clients send IS_NULL / IS_NAN instead); ``!=`` matches NaN values.
    """
    if op == FieldFilter.EQUAL:
        if operand.WhichOneof("value_type") == "string_value":
            # a string equals only a string of the same text (values.equals, without its NaN and type checks
            # on every document: the job list's ``owner == uid`` over every candidate)
            text = operand.string_value
            return lambda v: (
                v is not None and v.WhichOneof("value_type") == "string_value" and v.string_value == text
            )
        return lambda v: v is not None and not _is_null(v) and values.equals(v, operand)
    if op == FieldFilter.NOT_EQUAL:
        if _is_null(operand):
            return lambda v: False
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
    raise InvalidArgument("Unknown FieldFilter operator.")


def _range_matcher(op: int, operand: Pb) -> Callable[[Pb | None], bool]:
    """<, <=, >, >= match only values of the operand's type class (a number never matches ``< "a"``), never
    NaN, and a null or NaN operand matches nothing (as the official emulator answers)."""
    if values.is_nan(operand) or _is_null(operand):
        return lambda v: False
    accept = {
        FieldFilter.LESS_THAN: operator.lt,
        FieldFilter.LESS_THAN_OR_EQUAL: operator.le,
        FieldFilter.GREATER_THAN: operator.gt,
        FieldFilter.GREATER_THAN_OR_EQUAL: operator.ge,
    }[op]
    target = values.sort_key(operand)

    def test(v: Pb | None) -> bool:
        if v is None or values.is_nan(v):
            return False
        key = values.sort_key(v)
        return bool(key[0] == target[0] and accept(key, target))  # key[0] is the type's rank

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
    raise InvalidArgument("Unknown UnaryFilter operator.")


def _members(operands: Iterable[Pb]) -> list[Pb]:
    """The operands of in/array-contains(-any) that can match: a null or NaN in an ``in`` list, or
    ``array-contains null``, matches nothing."""
    return [o for o in operands if not _is_null(o) and not values.is_nan(o)]


def _is_null(v: Pb) -> bool:
    return v.WhichOneof("value_type") in (None, "null_value")


def _elements(v: Pb | None) -> Sequence[Pb]:
    """The elements of an array value; nothing for a missing or non-array value."""
    if v is None or v.WhichOneof("value_type") != "array_value":
        return ()
    return v.array_value.values  # type: ignore[no-any-return]


def is_empty_filter(where: Pb) -> bool:
    """True for no filter, or a composite filter with no (non-empty) filters: it constrains nothing and the
    official emulator runs the query unfiltered."""
    kind = where.WhichOneof("filter_type")
    if kind is None:
        return True
    if kind != "composite_filter":
        return False
    return all(is_empty_filter(inner) for inner in where.composite_filter.filters)


def compile_filter(root: str, where: Pb) -> Predicate:
    """Turn a ``StructuredQuery.Filter`` into a predicate on documents (validating each leaf on the way)."""
    if is_empty_filter(where):
        return lambda doc: True
    kind = where.WhichOneof("filter_type")
    if kind == "composite_filter":
        return _compile_composite(root, where.composite_filter)
    leaf = getattr(where, kind)
    if kind == "unary_filter":
        test = _unary_matcher(leaf.op)
        path = field_path_of(leaf.field)
        if path == NAME_PATH:
            raise InvalidArgument(KEY_VALUE_REQUIRED)
    else:
        if leaf.op not in _OP_NAMES:
            raise InvalidArgument("Unknown FieldFilter operator.")
        path = field_path_of(leaf.field)
        _check_field_filter(leaf, path)
        test = _field_matcher(leaf.op, _resolve_names(root, path, leaf.value))
    if len(path) == 1 and path != NAME_PATH:
        field_name = path[0]
        return lambda doc: test(doc.fields.get(field_name))  # a top-level field: no walk
    return lambda doc: test(document_value(doc, path))


def _compile_composite(root: str, composite: Pb) -> Predicate:
    if composite.op not in (CompositeFilter.AND, CompositeFilter.OR):
        raise InvalidArgument("Unsupported CompositeFilter operator.")
    parts = [compile_filter(root, inner) for inner in composite.filters if not is_empty_filter(inner)]
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
    """The operand checks of one field filter, in the official emulator's words."""
    operand = leaf.value
    if leaf.op in _ARRAY_OPERAND_LIMITS:
        name, limit = _ARRAY_OPERAND_LIMITS[leaf.op]
        if operand.WhichOneof("value_type") != "array_value":
            raise InvalidArgument(f"'{name}' requires an ArrayValue.")
        if not operand.array_value.values:
            raise InvalidArgument(f"'{name}' requires an non-empty ArrayValue.")
        if len(operand.array_value.values) > limit:
            raise InvalidArgument(f"'{name}' supports up to {limit} comparison values.")
    if path == NAME_PATH:
        _check_name_operand(leaf.op, operand)


def _check_name_operand(op: int, operand: Pb) -> None:
    """A ``__name__`` filter takes document references (an ``in``/``not-in`` list of them), never array
    membership."""
    if op in (FieldFilter.ARRAY_CONTAINS, FieldFilter.ARRAY_CONTAINS_ANY):
        raise InvalidArgument(NAME_RESERVED)
    candidates = operand.array_value.values if op in (FieldFilter.IN, FieldFilter.NOT_IN) else [operand]
    for candidate in candidates:
        if candidate.WhichOneof("value_type") != "reference_value":
            raise InvalidArgument(KEY_VALUE_REQUIRED)
        _check_document_reference(candidate.reference_value)


def _check_document_reference(reference: str) -> None:
    """A full reference must name a document: a collection's name is refused as the emulator parses it."""
    marker = "/documents/"
    if reference.startswith("projects/") and marker in reference:
        relative = reference.split(marker, 1)[1]
        if len(relative.split("/")) % 2:
            raise InvalidArgument(f'Document parent name "{reference}" lacks "/" at index {len(reference)}.')


# --- query-wide validation ------------------------------------------------------------------------------------


def _disjunctions(where: Pb) -> int:
    """Number of terms of the filter in disjunctive normal form (empty composites constrain nothing)."""
    kind = where.WhichOneof("filter_type")
    if kind == "composite_filter":
        counts = [
            _disjunctions(inner) for inner in where.composite_filter.filters if not is_empty_filter(inner)
        ]
        if where.composite_filter.op == CompositeFilter.OR and counts:
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


def _has_disjunction(where: Pb) -> bool:
    """Whether the filter holds an OR of two or more (non-empty) filters anywhere."""
    if where.WhichOneof("filter_type") != "composite_filter":
        return False
    inner = [f for f in where.composite_filter.filters if not is_empty_filter(f)]
    if where.composite_filter.op == CompositeFilter.OR and len(inner) > 1:
        return True
    return any(_has_disjunction(f) for f in inner)


def _field_ops(where: Pb) -> list[int]:
    """The operators of every field filter, with IS_NOT_NULL / IS_NOT_NAN counted as NOT_EQUAL."""
    ops = []
    for leaf in _leaf_filters(where):
        if leaf.WhichOneof("filter_type") == "field_filter":
            ops.append(leaf.field_filter.op)
        elif leaf.unary_filter.op in _INEQUALITY_UNARY_OPS:
            ops.append(FieldFilter.NOT_EQUAL)
    return ops


def _check_operator_combinations(where: Pb) -> None:
    """At most one negation; not-in without in / array-contains-any / OR; one array membership filter per
    disjunction (FAILED_PRECONDITION, as the official emulator)."""
    ops = _field_ops(where)
    if sum(1 for op in ops if op in (FieldFilter.NOT_EQUAL, FieldFilter.NOT_IN)) > 1:
        raise InvalidArgument(SINGLE_NEGATION)
    disjunctive = FieldFilter.IN in ops or FieldFilter.ARRAY_CONTAINS_ANY in ops or _has_disjunction(where)
    if FieldFilter.NOT_IN in ops and disjunctive:
        raise InvalidArgument(NOT_IN_WITH_DISJUNCTION)
    if _array_contains_per_term(where) > 1:
        raise FailedPrecondition(SINGLE_ARRAY_CONTAINS)


def _check_filter_shape(query: Pb) -> None:
    where = query.where
    _check_operator_combinations(where)
    disjunctions = _disjunctions(where)
    if disjunctions > MAX_DISJUNCTIONS:
        raise InvalidArgument(
            f"Too many disjunctions after normalization. Result had {disjunctions} disjunctions which is more "
            f"than the maximum of {MAX_DISJUNCTIONS}"
        )
    inequalities = _inequality_paths(where)
    if len(inequalities) > MAX_INEQUALITY_FIELDS:
        listed = ", ".join(values.format_field_path(p) for p in sorted(inequalities))
        raise InvalidArgument(
            f"The query contains {len(inequalities)} distinct inequality fields: [{listed}]. A query may not "
            f"have more than {MAX_INEQUALITY_FIELDS} distinct inequality fields."
        )


def _check_selector(query: Pb) -> Pb:
    """The one collection selector (none: the parent's direct children, as the official emulator reads it)."""
    if len(query.from_) > 1:
        raise InvalidArgument("StructuredQuery.from cannot have more than one collection selector.")
    selector = query.from_[0] if query.from_ else StructuredQuery.CollectionSelector()
    collection_id = selector.collection_id
    if "/" in collection_id:
        raise InvalidArgument(f'Collection id "{collection_id}" is invalid because it contains "/".')
    if values.is_reserved_id(collection_id):
        raise InvalidArgument(f'Collection id "{collection_id}" is invalid because it is reserved.')
    return selector


def _display(path: tuple[str, ...]) -> str:
    """A field path as the official emulator names it (``__name__`` is ``__key__``)."""
    return "__key__" if path == NAME_PATH else values.format_field_path(path)


def _check_kindless(query: Pb, selector: Pb) -> None:
    """A query without a collection id filters and orders only by ``__name__`` (ascending)."""
    if selector.collection_id:
        return
    for leaf in _leaf_filters(query.where):
        path = field_path_of(getattr(leaf, leaf.WhichOneof("filter_type")).field)
        if path != NAME_PATH:
            raise InvalidArgument(f"kind is required for filter: {_display(path)}")
    for order in query.order_by:
        if field_path_of(order.field) != NAME_PATH:
            raise InvalidArgument(KINDLESS_ORDER)


def _check_orders(query: Pb) -> None:
    seen: set[tuple[str, ...]] = set()
    for order in query.order_by:
        path = field_path_of(order.field)
        if path in seen:
            raise InvalidArgument(f"order by clause cannot contain duplicate fields {_display(path)}")
        seen.add(path)


def _check_name_is_last(orders: Sequence[Order]) -> None:
    """An explicit order on ``__name__`` must end the normalised order (implicit inequality orders included)."""
    names = [index for index, order in enumerate(orders) if order.path == NAME_PATH]
    if names and names[0] != len(orders) - 1:
        raise InvalidArgument("order by clause cannot contain more fields after the key")


def _check_key_scan(query: Pb, orders: Sequence[Order]) -> None:
    """A query ordered by ``__name__`` descending alone, with no filter on another field: the official emulator
    scans keys for it and cannot scan them backwards, whatever the collection selector (recorded for kindless
    and collection queries; ListDocuments answers the same). Production serves it; the application never
    asks for it."""
    if len(orders) == 1 and orders[0].descending and _filters_only_names(query.where):
        raise FailedPrecondition(DESCENDING_KEY_SCAN)


def _filters_only_names(where: Pb) -> bool:
    """Whether every leaf filter (if any) is on ``__name__``."""
    for leaf in _leaf_filters(where):
        if field_path_of(getattr(leaf, leaf.WhichOneof("filter_type")).field) != NAME_PATH:
            return False
    return True


def _check_cursor(cursor: Pb, query: Pb, orders: Sequence[Order]) -> None:
    """A cursor holds at most one value per explicit order (the implicit ones take none); ``__name__``
    positions take document references."""
    if len(cursor.values) > len(query.order_by):
        raise InvalidArgument(CURSOR_TOO_LONG)
    for order, value in zip(orders, cursor.values, strict=False):
        if order.path == NAME_PATH:
            if value.WhichOneof("value_type") != "reference_value":
                raise InvalidArgument(CURSOR_KEY)
            _check_document_reference(value.reference_value)


def _check_paging(query: Pb) -> None:
    if query.HasField("limit") and query.limit.value < 0:
        raise InvalidArgument("limit is negative")
    if query.offset < 0:
        raise InvalidArgument("offset is negative")


@dataclass(frozen=True)
class _Plan:
    """A validated query, compiled once: its collection test, predicate and order."""

    parent: str
    root: str
    selector: Pb
    predicate: Predicate
    orders: list[Order]
    in_selected: Callable[[str], bool]  # the selector's :func:`collection_test`

    def selects(self, doc: Pb) -> bool:
        """The collection selector and the filter."""
        return self.in_selected(doc.name) and self.predicate(doc)

    def admits(self, doc: Pb) -> bool:
        """``selects``, and the document has every field the query orders by (ordering excludes the rest)."""
        return self.selects(doc) and _row_keys(doc, self.orders) is not None


def _plan(parent: str, query: Pb) -> _Plan:
    """Validate a query in the official emulator's order of checks, and compile it."""
    root = database_root(parent)
    selector = _check_selector(query)
    _check_paging(query)
    predicate = compile_filter(root, query.where)
    _check_kindless(query, selector)
    _check_filter_shape(query)
    _check_orders(query)
    orders = normalized_orders(query)
    _check_name_is_last(orders)
    _check_key_scan(query, orders)
    for which in ("start_at", "end_at"):
        if query.HasField(which):
            _check_cursor(getattr(query, which), query, orders)
    for field in query.select.fields:
        field_path_of(field)
    if query.HasField("find_nearest"):
        _check_find_nearest(query)
    return _Plan(parent, root, selector, predicate, orders, collection_test(parent, selector))


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


def _ordered(plan: _Plan, query: Pb, docs: Iterable[Pb], keep: int | None = None) -> list[Pb]:
    """The selected documents in query order, between the cursors (documents lacking an order field dropped);
    only the first ``keep`` of them when given (a limit, plus the offset).

    Keys are precomputed :func:`values.sort_key` tuples (several times faster than a comparator). When every
    order has one direction (the usual case: the name takes the last explicit direction) one key, the row, orders
    the documents; with ``keep`` they are picked by a heap, O(n log keep) instead of a full sort. Rows are unique
    (the name is the last key), so the picks are exactly the sorted prefix. Mixed directions sort once per key,
    last key first, each pass stable.
    """
    rows: list[tuple[list[Key], Pb]] = []
    selects, orders = plan.selects, plan.orders
    for doc in docs:
        if selects(doc):
            row = _row_keys(doc, orders)
            if row is not None:
                rows.append((row, doc))
    if query.HasField("start_at") or query.HasField("end_at"):
        within = _cursor_test(plan, query)
        rows = [entry for entry in rows if within(entry[0])]
    directions = {order.descending for order in orders}
    if len(directions) == 1:
        descending = directions.pop()

        def row_of(entry: tuple[list[Key], Pb]) -> list[Key]:
            return entry[0]

        if keep is not None and keep < len(rows):
            pick = heapq.nlargest if descending else heapq.nsmallest
            rows = pick(keep, rows, key=row_of)
        else:
            rows.sort(key=row_of, reverse=descending)
    else:
        for index in reversed(range(len(orders))):
            rows.sort(key=lambda entry: entry[0][index], reverse=orders[index].descending)
        if keep is not None:
            rows = rows[:keep]
    return [doc for _, doc in rows]


def run_query(parent: str, query: Pb, docs: Iterable[Pb]) -> list[Pb]:
    """The documents ``query`` returns under ``parent`` from ``docs`` (live documents), in query order."""
    return execute_query(parent, query, docs)[0]


@dataclass(frozen=True)
class IndexOrder:
    """A query whose normalised order an order index gives (``Database.ordered``): one collection ``path``, ordered
    by the top-level ``field`` and then by name, both ``descending`` or both not."""

    path: str
    field: str
    descending: bool


def index_order(parent: str, query: Pb) -> IndexOrder | None:
    """The order index that gives ``query``'s documents in its order, or None (also for an invalid query: the
    query's own run reports it, in the official emulator's order of checks)."""
    if len(query.from_) != 1 or query.HasField("find_nearest"):
        return None
    selector = query.from_[0]
    if selector.all_descendants or not selector.collection_id:
        return None
    try:
        orders = normalized_orders(query)
    except EmulatorError:
        return None
    if len(orders) != 2 or orders[1].path != NAME_PATH or len(orders[0].path) != 1:
        return None
    if orders[0].path == NAME_PATH or orders[0].descending != orders[1].descending:
        return None
    return IndexOrder(f"{parent}/{selector.collection_id}", orders[0].path[0], orders[0].descending)


def execute_query(
    parent: str, query: Pb, docs: Iterable[Pb], *, presorted: bool = False
) -> tuple[list[Pb], int]:
    """:func:`run_query`, and how many results the offset skipped (what RunQuery reports as skipped_results).

    ``presorted``: ``docs`` come in the query's order (an order index, see :func:`index_order`), lazily; they are
    read only until the limit is reached."""
    plan = _plan(parent, query)
    if query.HasField("find_nearest"):
        return _find_nearest(plan, query, docs), 0
    keep = query.offset + query.limit.value if query.HasField("limit") else None
    ordered = _walked(plan, query, docs, keep) if presorted else _ordered(plan, query, docs, keep)
    skipped = min(query.offset, len(ordered))
    selected = ordered[query.offset :]
    if query.HasField("limit"):
        selected = selected[: query.limit.value]
    if query.HasField("select"):
        paths = [field_path_of(field) for field in query.select.fields]
        selected = [_project(doc, paths) for doc in selected]
    return selected, skipped


def _walked(plan: _Plan, query: Pb, docs: Iterable[Pb], keep: int | None) -> list[Pb]:
    """:func:`_ordered` for documents already in query order: the first ``keep`` selected between the cursors."""
    cursors = query.HasField("start_at") or query.HasField("end_at")
    within = _cursor_test(plan, query) if cursors else None
    selects, orders = plan.selects, plan.orders
    found: list[Pb] = []
    if keep == 0:
        return found
    for doc in docs:
        if not selects(doc):
            continue
        if within is not None:
            row = _row_keys(doc, orders)
            if row is None or not within(row):
                continue
        found.append(doc)
        if keep is not None and len(found) >= keep:
            break
    return found


# --- vector search --------------------------------------------------------------------------------------------
# As the official emulator: the query vector, find_nearest's limit, its measure and its vector field are checked
# in that order (after the rest of the query); a query limit, an offset or a cursor is refused; the distance
# result field is one literal field name. Distances are IEEE doubles: NaN (a zero vector under COSINE, a NaN in
# the query vector) sorts after every number; ties follow the query's order (which ends with the name).

MAX_NEAREST_LIMIT = 1000
_EUCLIDEAN, _COSINE, _DOT_PRODUCT = 1, 2, 3
NEAREST_LIMIT = f"FindNearest.limit must be a positive integer of no more than {MAX_NEAREST_LIMIT}"


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


def _check_query_vector(vector: Pb) -> None:
    """The query vector: a set value, a vector, and a well-formed one (NaN allowed, unlike stored vectors)."""
    kind = vector.WhichOneof("value_type")
    if kind is None:
        raise InvalidArgument("Cannot convert firestore.v1.Value with type unset.")
    if not values.is_vector(vector):
        raise InvalidArgument("Query Value must be of type vector.")
    values.vector_numbers(vector)


def _check_find_nearest(query: Pb) -> None:
    """find_nearest's own checks, then what it cannot be combined with, in the official emulator's order."""
    nearest = query.find_nearest
    _check_query_vector(nearest.query_vector)
    if not nearest.HasField("limit") or not 1 <= nearest.limit.value <= MAX_NEAREST_LIMIT:
        raise InvalidArgument(NEAREST_LIMIT)
    if nearest.distance_measure not in (_EUCLIDEAN, _COSINE, _DOT_PRODUCT):
        raise InvalidArgument("Unknown Distance Measure.")
    field_path_of(nearest.vector_field)
    if query.HasField("limit"):
        raise InvalidArgument("A query limit cannot be used with FindNearest")
    if query.offset:
        raise InvalidArgument("A query offset cannot be used with FindNearest")
    if query.HasField("start_at") or query.HasField("end_at"):
        raise InvalidArgument("A cursor cannot be used with FindNearest")
    if values.is_reserved_field_name(nearest.distance_result_field):
        raise InvalidArgument(
            f'The distanceResultField.property.name "{nearest.distance_result_field}" is reserved.'
        )


def _distance(measure: int, a: Sequence[float], b: Sequence[float]) -> float:
    """The distance between two vectors of equal dimension (NaN where COSINE meets a zero vector)."""
    if measure == _EUCLIDEAN:
        return math.dist(a, b)
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    if measure == _DOT_PRODUCT:
        return dot
    norms = math.hypot(*a) * math.hypot(*b)
    return math.nan if norms == 0 else 1 - dot / norms


def _distance_key(measure: int, distance: float) -> tuple[int, float]:
    """Nearest first (largest first for DOT_PRODUCT), NaN after every number."""
    if math.isnan(distance):
        return (1, 0.0)
    return (0, -distance if measure == _DOT_PRODUCT else distance)


def _find_nearest(plan: _Plan, query: Pb, docs: Iterable[Pb]) -> list[Pb]:
    """Nearest-neighbour search over the documents the query admits; ties in the query's order."""
    nearest = query.find_nearest
    path = field_path_of(nearest.vector_field)
    target = _vector(nearest.query_vector) or []
    measure = nearest.distance_measure
    scored: list[tuple[tuple[int, float], list[Key], float, Pb]] = []
    for doc in docs:
        row = _row_keys(doc, plan.orders) if plan.selects(doc) else None
        vector = _vector(values.get_field(doc.fields, path)) if path != NAME_PATH else None
        if row is None or vector is None or len(vector) != len(target):
            continue
        distance = _distance(measure, vector, target)
        if _within_threshold(nearest, measure, distance):
            scored.append((_distance_key(measure, distance), row, distance, doc))
    for index in reversed(range(len(plan.orders))):
        scored.sort(key=lambda entry: entry[1][index], reverse=plan.orders[index].descending)
    scored.sort(key=lambda entry: entry[0])
    return [_with_distance(query, doc, distance) for _, _, distance, doc in scored[: nearest.limit.value]]


def _within_threshold(nearest: Pb, measure: int, distance: float) -> bool:
    if not nearest.HasField("distance_threshold"):
        return True
    threshold = nearest.distance_threshold.value
    return bool(distance >= threshold if measure == _DOT_PRODUCT else distance <= threshold)


def _with_distance(query: Pb, doc: Pb, distance: float) -> Pb:
    """The result document: the distance under its literal field name (if one is named), then the projection."""
    result = Document()
    result.CopyFrom(doc)
    if query.find_nearest.distance_result_field:
        result.fields[query.find_nearest.distance_result_field].CopyFrom(values.double_value(distance))
    if query.HasField("select"):
        return _project(result, [field_path_of(field) for field in query.select.fields])
    return result


def run_aggregation(parent: str, aggregation_query: Pb, docs: Iterable[Pb]) -> dict[str, Pb]:
    """Run a ``StructuredAggregationQuery``: its aggregations over the nested query's results, keyed by alias.

    As Firestore (and the official emulator) scan the index of a summed or averaged field, documents without
    it are left out, and a limit or offset takes the documents in that field's order (after the query's own
    orders and inequality fields, before the name): ``limit(12).sum("n")`` sums the 12 smallest values.
    """
    if not aggregation_query.HasField("structured_query"):
        raise InvalidArgument("Invalid aggregation query: a structured query is required.")
    aggregations = list(aggregation_query.aggregations)
    required = aggregated_paths(aggregations)
    query = aggregation_query.structured_query
    _plan(parent, query)  # the query as written is validated, cursors against its own orders
    present = (
        doc for doc in docs if all(values.get_field(doc.fields, path) is not None for path in required)
    )
    results = run_query(parent, ordered_by_aggregated_fields(query, required), present)
    return aggregate(aggregations, results)


def ordered_by_aggregated_fields(query: Pb, paths: Sequence[tuple[str, ...]]) -> Pb:
    """A copy of ``query`` whose explicit orders continue with its inequality fields, then the aggregated
    ``paths`` not ordered yet, in the last order's direction. Kept as it is when an explicit ``__name__`` order
    already decides every tie, for nearest-neighbour queries, and for kindless queries (which order by name
    only)."""
    orders = normalized_orders(query)
    explicit_name = any(field_path_of(o.field) == NAME_PATH for o in query.order_by)
    kindless = not _check_selector(query).collection_id
    extra = [path for path in dict.fromkeys(paths) if path not in {order.path for order in orders}]
    if not extra or explicit_name or kindless or query.HasField("find_nearest"):
        return query
    implicit = [order for order in orders[len(query.order_by) :] if order.path != NAME_PATH]
    copy = StructuredQuery()
    copy.CopyFrom(query)
    for order in [*implicit, *(Order(path, orders[-1].descending) for path in extra)]:
        copy.order_by.add(
            field=StructuredQuery.FieldReference(field_path=values.format_field_path(order.path)),
            direction=StructuredQuery.DESCENDING if order.descending else StructuredQuery.ASCENDING,
        )
    return copy
