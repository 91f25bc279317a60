"""Firestore's value model on raw protobuf messages: ordering, equality, field paths, transforms, limits.

Everything here is pure (no I/O, no clock): the server hands in raw ``google.firestore.v1`` messages (the ``_pb``
of the proto-plus wrappers) and gets raw messages back. The rules follow Firestore's documentation ("Ordering of
value types", "Usage and limits", "Storage size calculations") and the comments of ``google/firestore/v1/write.proto``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

from google.cloud.firestore_v1.types import document as document_types
from google.cloud.firestore_v1.types import write as write_types

from firestore_emulator.errors import InvalidArgument

Pb: TypeAlias = Any
"""A raw protobuf message (``Value``, ``Document``, ``Timestamp``, …); protobuf ships no type stubs."""

Value = document_types.Value.pb()
ArrayValue = document_types.ArrayValue.pb()
MapValue = document_types.MapValue.pb()
FieldTransform = write_types.DocumentTransform.FieldTransform.pb()

# Ranks of the value types in Firestore's cross-type order. NaN ranks with the numbers (it sorts before every
# other number), so that range filters on numbers treat it as a number, as Firestore's index order does.
TYPE_NULL = 0
TYPE_BOOLEAN = 1
TYPE_NUMBER = 2
TYPE_TIMESTAMP = 3
TYPE_STRING = 4
TYPE_BYTES = 5
TYPE_REFERENCE = 6
TYPE_GEO_POINT = 7
TYPE_ARRAY = 8
TYPE_VECTOR = 9
TYPE_MAP = 10

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)

MAX_DOCUMENT_SIZE = 1_048_576  # bytes: 1 MiB, name and fields included
MAX_FIELD_NAME_SIZE = 1_500  # bytes, UTF-8
MAX_FIELD_PATH_SIZE = 1_500  # bytes, UTF-8, of a field path as written: it must stay below this
MAX_INDEXED_VALUE_SIZE = (
    1_500  # bytes of a string or bytes value that order it (Firestore truncates index entries)
)
MAX_FIELD_VALUE_SIZE = 1_048_487  # bytes: 1 MiB - 89, of one string or bytes value (the official emulator)
MAX_SUBCOLLECTION_DEPTH = 100  # collections nested below a top-level collection
MAX_NESTING_DEPTH = 20  # maps and arrays, each adds one level
MAX_VECTOR_DIMENSIONS = 2048
MAX_ID_SIZE = 1_500  # bytes, UTF-8, of a document or collection id
MAX_DOCUMENT_NAME_SIZE = 6_144  # bytes: 6 KiB, the document's path below /documents
DOCUMENT_OVERHEAD = 32  # bytes added to every document's storage size
# A document's storage size (``document_size``) is at most SIZE_BOUND_FACTOR times its protobuf encoding plus
# SIZE_BOUND_EXTRA: every value costs at most 9 storage bytes per encoded byte (a reference: ids + 1 each, 16 more,
# against its UTF-8 bytes + 2; a geo point 16 against an empty message's 2; an integer 8 against 2), a field name
# its bytes + 1 against an entry's bytes + 4, the name its ids + 16. Below the bound, the exact sum is skipped.
SIZE_BOUND_FACTOR = 16
SIZE_BOUND_EXTRA = 64
DOCUMENT_NAME_OVERHEAD = 16  # bytes added to a document name's storage size

_VECTOR_TYPE_KEY = "__type__"
_VECTOR_TYPE = "__vector__"
_VECTOR_VALUE_KEY = "value"
_RESERVED_NAME = re.compile(r"^__.*__$", re.DOTALL)
_NUMERIC_ID = re.compile(r"^__id(-?\d+)__$")
_SIMPLE_SEGMENT = re.compile(r"^[A-Za-z_][A-Za-z_0-9]*$")
_DOCUMENTS_MARKER = "/documents"


# --- ordering and equality ------------------------------------------------------------------------------------


def is_vector(v: Pb) -> bool:
    """True for a vector value: a map whose ``__type__`` is ``"__vector__"`` (its numbers live under ``value``)."""
    if v.WhichOneof("value_type") != "map_value":
        return False
    marker = v.map_value.fields.get(_VECTOR_TYPE_KEY)
    return (
        marker is not None
        and marker.WhichOneof("value_type") == "string_value"
        and (marker.string_value == _VECTOR_TYPE)
    )


def is_nan(v: Pb) -> bool:
    """True when ``v`` is the double NaN."""
    return v.WhichOneof("value_type") == "double_value" and math.isnan(v.double_value)


def is_number(v: Pb) -> bool:
    """True for integers and doubles (NaN included)."""
    return v.WhichOneof("value_type") in ("integer_value", "double_value")


_KIND_ORDER = {
    None: TYPE_NULL,
    "null_value": TYPE_NULL,
    "boolean_value": TYPE_BOOLEAN,
    "integer_value": TYPE_NUMBER,
    "double_value": TYPE_NUMBER,
    "timestamp_value": TYPE_TIMESTAMP,
    "string_value": TYPE_STRING,
    "bytes_value": TYPE_BYTES,
    "reference_value": TYPE_REFERENCE,
    "geo_point_value": TYPE_GEO_POINT,
    "array_value": TYPE_ARRAY,
    "map_value": TYPE_MAP,
}


def type_order(v: Pb) -> int:
    """The rank of ``v``'s type in Firestore's cross-type order (an unset value counts as null)."""
    rank = _KIND_ORDER[v.WhichOneof("value_type")]
    if rank == TYPE_MAP and is_vector(v):
        return TYPE_VECTOR
    return rank


def _sign(x: Any, y: Any) -> int:
    return int(x > y) - int(x < y)


def _number(v: Pb) -> int | float:
    number: int | float = v.integer_value if v.WhichOneof("value_type") == "integer_value" else v.double_value
    return number


PATH_KEYS_CACHED = 200_000  # names whose sort key is kept (a few hundred bytes each)


def _segment_key(segment: str) -> tuple[int, int, str]:
    """Sort key of one path segment: numeric ids (``__id42__``) first, by number, then others by UTF-8 bytes."""
    numeric = _NUMERIC_ID.fullmatch(segment) if segment.startswith("__id") else None
    if numeric:
        return (0, int(numeric.group(1)), "")
    return (1, 0, segment)


@functools.lru_cache(maxsize=PATH_KEYS_CACHED)
def path_key(name: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key that orders resource names (document names, references) segment by segment.

    Cached: every ordered query sorts its documents by name last, so the same names are split again and again."""
    return tuple(_segment_key(segment) for segment in name.split("/"))


def compare_paths(a: str, b: str) -> int:
    """Order two resource names (document names, reference values) segment by segment."""
    return _sign(path_key(a), path_key(b))


def _vector_elements(v: Pb) -> Sequence[Pb]:
    inner = v.map_value.fields.get(_VECTOR_VALUE_KEY)
    return inner.array_value.values if inner is not None else ()


def _number_key(v: Pb) -> tuple[Any, ...]:
    x = _number(v)
    if isinstance(x, float) and math.isnan(x):
        return (TYPE_NUMBER, 0)  # NaN sorts before every other number and equals itself
    return (TYPE_NUMBER, 1, x)  # Python compares int with float exactly, and -0.0 == 0


def sort_key(v: Pb) -> tuple[Any, ...]:
    """A plain tuple that orders values as Firestore does; :func:`compare` is defined by it.

    Across types: null < booleans < NaN < numbers < timestamps < strings < bytes < references < geo points <
    arrays < vectors < maps. Within a type: numbers by exact value (1 == 1.0, -0.0 == 0, NaN == NaN),
    timestamps to the microsecond, strings by UTF-8 bytes (Python's code-point order is the same) and, like
    bytes, on their first 1,500 bytes only (as Firestore's index entries are truncated), references
    segment by segment, geo points by latitude then longitude, arrays element-wise then by length, vectors by
    length then element-wise, maps key, value, key, value, … in key order, then by size.
    """
    rank = type_order(v)
    if rank == TYPE_NUMBER:
        return _number_key(v)
    return (rank, *_KEYS[rank](v))


_KEYS: dict[int, Callable[[Pb], tuple[Any, ...]]] = {
    TYPE_NULL: lambda v: (),
    TYPE_BOOLEAN: lambda v: (v.boolean_value,),
    TYPE_TIMESTAMP: lambda v: (v.timestamp_value.seconds, v.timestamp_value.nanos // 1000),
    TYPE_STRING: lambda v: (_indexed_string(v.string_value),),
    TYPE_BYTES: lambda v: (v.bytes_value[:MAX_INDEXED_VALUE_SIZE],),
    TYPE_REFERENCE: lambda v: (path_key(v.reference_value),),
    TYPE_GEO_POINT: lambda v: (v.geo_point_value.latitude, v.geo_point_value.longitude),
    TYPE_ARRAY: lambda v: (tuple(sort_key(e) for e in v.array_value.values),),
    TYPE_VECTOR: lambda v: (len(_vector_elements(v)), tuple(sort_key(e) for e in _vector_elements(v))),
    TYPE_MAP: lambda v: (tuple((k, sort_key(v.map_value.fields[k])) for k in sorted(v.map_value.fields)),),
}


def _indexed_string(s: str) -> str:
    """A string as an index orders it: its first 1,500 UTF-8 bytes (a character cut in two is dropped)."""
    if len(s) * 4 <= MAX_INDEXED_VALUE_SIZE:
        return s
    return s.encode("utf-8", "surrogatepass")[:MAX_INDEXED_VALUE_SIZE].decode("utf-8", "ignore")


def compare(a: Pb, b: Pb) -> int:
    """Firestore's total order on values: -1, 0 or 1 (see :func:`sort_key`)."""
    return _sign(sort_key(a), sort_key(b))


def equals(a: Pb, b: Pb) -> bool:
    """Query equality: numbers by value (1 == 1.0), NaN never equal (even inside arrays and maps), deep."""
    if is_nan(a) or is_nan(b):
        return False
    kind_a, kind_b = a.WhichOneof("value_type"), b.WhichOneof("value_type")
    if kind_a == kind_b == "array_value":
        left, right = a.array_value.values, b.array_value.values
        return len(left) == len(right) and all(equals(x, y) for x, y in zip(left, right, strict=True))
    if kind_a == kind_b == "map_value":
        left_map, right_map = a.map_value.fields, b.map_value.fields
        return set(left_map) == set(right_map) and all(equals(left_map[k], right_map[k]) for k in left_map)
    if kind_a == kind_b and kind_a in ("string_value", "bytes_value"):
        return bool(getattr(a, kind_a) == getattr(b, kind_b))  # whole values, not their indexed prefixes
    return compare(a, b) == 0


# --- constructors -----------------------------------------------------------------------------------------------


def null_value() -> Pb:
    """A fresh ``Value`` holding null."""
    return Value(null_value=0)


def integer_value(n: int) -> Pb:
    """A fresh integer ``Value``."""
    return Value(integer_value=n)


def double_value(x: float) -> Pb:
    """A fresh double ``Value``."""
    return Value(double_value=x)


def reference_value(name: str) -> Pb:
    """A fresh reference ``Value`` pointing at the document ``name``."""
    return Value(reference_value=name)


# --- field paths ------------------------------------------------------------------------------------------------


def _invalid_path(path: str) -> InvalidArgument:
    """The official emulator's answer to a malformed field path."""
    return InvalidArgument(
        f'Invalid property path "{path}". Unquoted property paths must match regex ([a-zA-Z_][a-zA-Z_0-9]*), '
        "and quoted property paths must match regex (`(?:[^`\\\\]|(?:\\\\.))+`)"
    )


def _quoted_segment(path: str, start: int) -> tuple[str, int]:
    """Read a backquoted segment whose opening backquote is at ``start``; returns it and the index after it."""
    chars: list[str] = []
    i = start + 1
    while i < len(path):
        ch = path[i]
        if ch == "\\":
            if i + 1 >= len(path):
                break
            chars.append(path[i + 1])
            i += 2
        elif ch == "`":
            return "".join(chars), i + 1
        else:
            chars.append(ch)
            i += 1
    raise _invalid_path(path)


def _plain_segment(path: str, start: int) -> tuple[str, int]:
    """Read an unquoted segment: a simple identifier (``[a-zA-Z_][a-zA-Z_0-9]*``), as Firestore requires."""
    end = start
    while end < len(path) and path[end] != ".":
        end += 1
    segment = path[start:end]
    if not _SIMPLE_SEGMENT.fullmatch(segment):
        raise _invalid_path(path)
    return segment, end


def parse_field_path(path: str) -> tuple[str, ...]:
    """Split a field path (``a.b``, ``a.`x.y```, with ``\\``` and ``\\\\`` escapes) into its segments.

    Raises InvalidArgument (the official emulator's wording) for an empty path or segment, an unquoted segment
    that is not a simple identifier, a malformed backquote, or a path of 1,500 bytes or more (as written, as
    production and the official emulator refuse it: "property path is longer than 1500 bytes.").
    """
    if not path:
        raise InvalidArgument("Invalid empty property path string.")
    if len(path.encode("utf-8")) >= MAX_FIELD_PATH_SIZE:  # 1,500 bytes exactly is refused too
        raise InvalidArgument(f"property path is longer than {MAX_FIELD_PATH_SIZE} bytes.")
    parts: list[str] = []
    i = 0
    while True:
        if i < len(path) and path[i] == "`":
            segment, i = _quoted_segment(path, i)
        else:
            segment, i = _plain_segment(path, i)
        if not segment:
            raise _invalid_path(path)
        parts.append(segment)
        if i == len(path):
            return tuple(parts)
        if path[i] != ".":
            raise _invalid_path(path)
        i += 1


def format_segment(segment: str) -> str:
    """One field name as it appears in a field path: bare when a simple identifier, else backquoted."""
    if _SIMPLE_SEGMENT.fullmatch(segment):
        return segment
    return "`" + segment.replace("\\", "\\\\").replace("`", "\\`") + "`"


def format_field_path(parts: Sequence[str]) -> str:
    """The inverse of :func:`parse_field_path`."""
    return ".".join(format_segment(part) for part in parts)


def get_field(fields: Pb, parts: Sequence[str]) -> Pb | None:
    """The value at ``parts`` inside a ``Document.fields`` map, or None when any step is missing or not a map."""
    current = fields
    for depth, part in enumerate(parts):
        value = current.get(part)
        if value is None:
            return None
        if depth == len(parts) - 1:
            return value
        if value.WhichOneof("value_type") != "map_value":
            return None
        current = value.map_value.fields
    return None


def set_field(fields: Pb, parts: Sequence[str], value: Pb) -> None:
    """Store a copy of ``value`` at ``parts``, creating (or replacing non-map values with) intermediate maps."""
    current = fields
    for part in parts[:-1]:
        step = current[part]
        if step.WhichOneof("value_type") != "map_value":
            step.Clear()
            step.map_value.SetInParent()
        current = step.map_value.fields
    current[parts[-1]].CopyFrom(value)


def delete_field(fields: Pb, parts: Sequence[str]) -> None:
    """Remove the field at ``parts`` if it exists; intermediate maps stay (possibly empty), as in Firestore."""
    parent = fields
    for part in parts[:-1]:
        step = parent.get(part)
        if step is None or step.WhichOneof("value_type") != "map_value":
            return
        parent = step.map_value.fields
    if parts[-1] in parent:
        del parent[parts[-1]]


# --- transforms -------------------------------------------------------------------------------------------------


def _require_number(operand: Pb, kind: str) -> None:
    """Increment, maximum and minimum take a number (``kind`` names the transform for readers of the code)."""
    if not is_number(operand):
        raise InvalidArgument("Input must be int64 or double.")  # the official emulator's words


def _increment(current: Pb | None, operand: Pb) -> Pb:
    """Add ``operand``; int + int saturates at the int64 bounds, anything with a double is IEEE 754 double."""
    _require_number(operand, "Increment")
    if current is None or not is_number(current):
        return _copy(operand)
    if current.WhichOneof("value_type") == operand.WhichOneof("value_type") == "integer_value":
        total = current.integer_value + operand.integer_value
        return integer_value(min(INT64_MAX, max(INT64_MIN, total)))
    return double_value(float(_number(current)) + float(_number(operand)))


def _extreme(current: Pb | None, operand: Pb, want: int, kind: str) -> Pb:
    """Maximum (``want`` = 1) or minimum (``want`` = -1) by value; NaN wins; an equal operand changes nothing,
    except that 0.0 is above -0.0 (the official emulator's maximum of -0.0 and 0.0 is 0.0)."""
    _require_number(operand, kind)
    if current is None or not is_number(current):
        return _copy(operand)
    if is_nan(current):
        return _copy(current)
    if is_nan(operand):
        return _copy(operand)
    order = compare(operand, current) or _zero_sign(operand) - _zero_sign(current)
    return _copy(operand if order * want > 0 else current)


def _zero_sign(v: Pb) -> int:
    """-1 for the double -0.0, else 0: breaks the tie between the two zeros only."""
    if (
        v.WhichOneof("value_type") == "double_value"
        and v.double_value == 0
        and math.copysign(1, v.double_value) < 0
    ):
        return -1
    return 0


def _array_elements(current: Pb | None) -> list[Pb]:
    if current is None or current.WhichOneof("value_type") != "array_value":
        return []
    return list(current.array_value.values)


def _array_union(current: Pb | None, operand: Pb) -> Pb:
    """Append each element not already present (1 == 1.0, NaN == NaN, null == null); a non-array starts empty."""
    elements = _array_elements(current)
    for element in operand.values:
        if not any(compare(element, existing) == 0 for existing in elements):
            elements.append(element)
    return _array(elements)


def _array_remove(current: Pb | None, operand: Pb) -> Pb:
    """Drop every element equal to one of the operand's (1 == 1.0, NaN == NaN); a non-array becomes empty."""
    kept = [e for e in _array_elements(current) if not any(compare(e, x) == 0 for x in operand.values)]
    return _array(kept)


def _array(elements: Sequence[Pb]) -> Pb:
    result = Value()
    result.array_value.SetInParent()
    result.array_value.values.extend(elements)
    return result


def _copy(v: Pb) -> Pb:
    result = Value()
    result.CopyFrom(v)
    return result


def apply_transform(current: Pb | None, transform: Pb, commit_time: Pb) -> Pb:
    """The field's new value after one ``FieldTransform``; ``current`` is None when the field does not exist.

    ``commit_time`` (a ``Timestamp``) is what REQUEST_TIME resolves to: one time for the whole commit.
    """
    kind = transform.WhichOneof("transform_type")
    if kind == "set_to_server_value":
        if transform.set_to_server_value != FieldTransform.ServerValue.REQUEST_TIME:
            raise InvalidArgument("A server value transform must be REQUEST_TIME.")
        result = Value()
        result.timestamp_value.CopyFrom(commit_time)
        return result
    if kind == "increment":
        return _increment(current, transform.increment)
    if kind == "maximum":
        return _extreme(current, transform.maximum, 1, "Maximum")
    if kind == "minimum":
        return _extreme(current, transform.minimum, -1, "Minimum")
    if kind == "append_missing_elements":
        return _array_union(current, transform.append_missing_elements)
    if kind == "remove_all_from_array":
        return _array_remove(current, transform.remove_all_from_array)
    raise InvalidArgument(f"Field transform on {transform.field_path!r} sets no transform type.")


def transform_result(transform: Pb, new_value: Pb) -> Pb:
    """What ``WriteResult.transform_results`` reports for one transform.

    Server timestamps, increments, maximums and minimums report the field's new value; array union and array
    remove report null (write.proto: "The corresponding transform_result will be the null value").
    """
    if transform.WhichOneof("transform_type") in ("append_missing_elements", "remove_all_from_array"):
        return null_value()
    return _copy(new_value)


def truncate_timestamps(fields: Pb) -> None:
    """Round every timestamp inside a map of fields down to the microsecond, in place, as Firestore stores them."""
    for value in fields.values():
        _truncate(value)


def _truncate(value: Pb) -> None:
    kind = value.WhichOneof("value_type")
    if kind == "timestamp_value":
        value.timestamp_value.nanos -= value.timestamp_value.nanos % 1000
    elif kind == "map_value":
        truncate_timestamps(value.map_value.fields)
    elif kind == "array_value":
        for element in value.array_value.values:
            _truncate(element)


# --- sizes and limits -------------------------------------------------------------------------------------------


def string_size(s: str) -> int:
    """Storage size of a string: its UTF-8 bytes plus one."""
    return len(s.encode("utf-8")) + 1


def relative_name(name: str) -> str:
    """A document name below ``…/documents/`` (``users/alice``), or the input when it has no such prefix."""
    marker = name.find(_DOCUMENTS_MARKER + "/")
    return name[marker + len(_DOCUMENTS_MARKER) + 1 :] if marker >= 0 else name


def document_name_size(name: str) -> int:
    """Storage size of a document name: each id's string size (numeric ids 8 bytes), plus 16."""
    ids = relative_name(name).split("/")
    return sum(8 if numeric_id(i) is not None else string_size(i) for i in ids) + DOCUMENT_NAME_OVERHEAD


def value_size(v: Pb) -> int:
    """Storage size of one value, per Firestore's "Storage size calculations"."""
    kind = v.WhichOneof("value_type")
    if kind == "string_value":
        return string_size(v.string_value)
    if kind == "bytes_value":
        return len(v.bytes_value)
    if kind == "reference_value":
        return document_name_size(v.reference_value)
    if kind == "array_value":
        return sum(value_size(e) for e in v.array_value.values)
    if kind == "map_value":
        return fields_size(v.map_value.fields)
    return _FIXED_SIZES.get(kind, 1)


_FIXED_SIZES = {
    "boolean_value": 1,
    "integer_value": 8,
    "double_value": 8,
    "timestamp_value": 8,
    "geo_point_value": 16,
    "null_value": 1,
}


def fields_size(fields: Pb) -> int:
    """Storage size of a map of fields: each name's string size plus its value's size."""
    return sum(string_size(name) + value_size(value) for name, value in fields.items())


def document_size(doc: Pb) -> int:
    """Storage size of a document: name size + fields + 32 bytes."""
    return document_name_size(doc.name) + fields_size(doc.fields) + DOCUMENT_OVERHEAD


def numeric_id(segment: str) -> int | None:
    """The number of a numeric id (``__id42__``) within int64, or None for any other id."""
    match = _NUMERIC_ID.fullmatch(segment)
    if match is None:
        return None
    number = int(match.group(1))
    return number if INT64_MIN <= number <= INT64_MAX else None


def is_reserved_field_name(name: str) -> bool:
    """True for a field name Firestore reserves: ``__.*__``."""
    return bool(_RESERVED_NAME.fullmatch(name))


def is_reserved_id(segment: str) -> bool:
    """True for an id Firestore reserves: ``__.*__``, except the numeric ids ``__id<n>__``."""
    return bool(_RESERVED_NAME.fullmatch(segment)) and numeric_id(segment) is None


def _check_id(kind: str, segment: str, name: str, index: int) -> None:
    """One id of a document name (``index``: where it starts in the name), in the official emulator's words."""
    if not segment:
        raise InvalidArgument(f"Document name {name!r} has an empty {kind} id.")
    if len(segment.encode("utf-8")) > MAX_ID_SIZE:
        element = "kind" if kind == "collection" else "name"
        raise InvalidArgument(f"The key path element {element} is longer than {MAX_ID_SIZE} bytes.")
    if segment in (".", ".."):
        raise InvalidArgument(f'Document name "{name}" contains a resource id "{segment}" at index {index}.')
    if (
        segment.startswith("__id")
        and segment.endswith("__")
        and len(segment) > 5
        and numeric_id(segment) is None
    ):
        raise InvalidArgument(
            "A long document ID string must be formatted like '__id{LONG}__', where LONG is a 64-bit integer. "
            f"Found: '{segment}'."
        )
    if is_reserved_id(segment):
        raise InvalidArgument(f'Resource id "{segment}" is invalid because it is reserved.')


# A full document name every check passes, the common case, matched at once: ids that are not empty, ``.`` or
# ``..``, and do not start with ``__`` (reserved and numeric ids take the full path); names of at most
# PLAIN_NAME_CHARS characters, so that no id can exceed 1,500 UTF-8 bytes, the name 6 KiB or the nesting 100 levels.
_PLAIN_ID = r"/(?!\.\.?(?:/|$))(?!__)[^/]+"
_PLAIN_DOCUMENT = re.compile(rf"projects/([^/]+)/databases/([^/]+)/documents(?:{_PLAIN_ID}{_PLAIN_ID})+")
PLAIN_NAME_CHARS = 375


@functools.lru_cache(maxsize=4096)  # a commit checks each written name twice (its target, then its document)
def plain_document_name(name: str) -> tuple[str, str] | None:
    """The project and database of a document name that every check of :func:`validate_document_name` (and of
    the name's shape) passes at a glance; None when the full checks must decide."""
    if len(name) > PLAIN_NAME_CHARS:
        return None
    plain = _PLAIN_DOCUMENT.fullmatch(name)
    return None if plain is None else (plain.group(1), plain.group(2))


def validate_document_name(name: str) -> None:
    """Check the ids of a document name against Firestore's limits (UTF-8, ≤1,500 bytes, not ``.``/``..``,
    not ``__.*__``, an even number of segments, ≤100 subcollection levels, the whole name ≤ 6 KiB)."""
    if plain_document_name(name) is None:
        check_document_name_ids(name)


def check_document_name_ids(name: str) -> None:
    """:func:`validate_document_name` without its fast path: every check, one by one."""
    relative = relative_name(name)
    if len(relative.encode("utf-8")) > MAX_DOCUMENT_NAME_SIZE:
        raise InvalidArgument(f"Document name {name[:80]!r}… is longer than {MAX_DOCUMENT_NAME_SIZE} bytes.")
    segments = relative.split("/")
    if len(segments) % 2:
        raise InvalidArgument(f"Document name {name!r} does not name a document (odd number of segments).")
    if len(segments) // 2 - 1 > MAX_SUBCOLLECTION_DEPTH:
        raise InvalidArgument(
            f"Document name {name[:80]!r}… nests more than {MAX_SUBCOLLECTION_DEPTH} subcollections."
        )
    index = len(name) - len(relative)
    for position, segment in enumerate(segments):
        _check_id("collection" if position % 2 == 0 else "document", segment, name, index)
        index += len(segment) + 1


# --- document validation ----------------------------------------------------------------------------------------
# The official emulator stores documents as Datastore entities and answers in its words: a map is a nested
# entity (any problem inside it is "Property m contains an invalid nested entity.", named after the outermost
# map), and the elements of an array are checked under the property name "array".

_ARRAY_ELEMENT = "array"


def _check_reserved_names(fields: Pb) -> None:
    """Reserved names (``__.*__``) inside maps, at any depth, arrays included; ``__type__`` is left to the
    typed-value checks (:func:`check_stored_vector`), as the official emulator does."""
    for name, value in fields.items():
        if _RESERVED_NAME.fullmatch(name) and name != _VECTOR_TYPE_KEY:
            raise InvalidArgument(f"field name '{name}' is reserved.")
        _check_reserved_in(value)


def _check_reserved_in(value: Pb) -> None:
    kind = value.WhichOneof("value_type")
    if kind == "map_value":
        _check_reserved_names(value.map_value.fields)
    elif kind == "array_value":
        for element in value.array_value.values:
            _check_reserved_in(element)


def _check_property_name(name: str) -> None:
    if not name:
        raise InvalidArgument("Field name must not be empty.")
    if len(name.encode("utf-8")) > MAX_FIELD_NAME_SIZE:
        raise InvalidArgument(f"The property.name is longer than {MAX_FIELD_NAME_SIZE} bytes.")


def _check_value(label: str, value: Pb, depth: int, path: str) -> None:
    """One value stored under property ``label``, ``depth`` maps/arrays deep, at the dotted property ``path``
    (an array counts as ``array`` in it)."""
    kind = value.WhichOneof("value_type")
    if kind == "string_value":
        try:
            size = len(value.string_value.encode("utf-8"))
        except UnicodeEncodeError as error:
            raise InvalidArgument(f'The value of property "{label}" is not valid UTF-8.') from error
        _check_value_size(label, size)
    elif kind == "bytes_value":
        _check_value_size(label, len(value.bytes_value))
    elif kind == "reference_value":
        _check_reference(value.reference_value)
    elif kind in ("map_value", "array_value"):
        if depth + 1 > MAX_NESTING_DEPTH:
            raise InvalidArgument(f"Property {label} contains an invalid nested entity.")
        if kind == "map_value" and _VECTOR_TYPE_KEY in value.map_value.fields:
            _check_typed_map(label, value)
        elif kind == "map_value":
            _check_nested_entity(label, value.map_value.fields, depth + 1, path)
        else:
            _check_array(value.array_value.values, depth + 1, _array_path(path))


_TYPE_NAMES = {
    None: "NULL",
    "null_value": "NULL",
    "boolean_value": "BOOLEAN",
    "integer_value": "LONG",
    "double_value": "DOUBLE",
    "timestamp_value": "TIMESTAMP",
    "string_value": "STRING",
    "bytes_value": "BYTES",
    "reference_value": "ENTITY_REF",
    "geo_point_value": "GEO_POINT",
    "array_value": "ARRAY",
    "map_value": "MAP",
}


def _check_typed_map(label: str, value: Pb) -> None:
    """A map with a ``__type__`` key: a string naming ``__vector__`` (the only type there is), as a vector."""
    marker = value.map_value.fields[_VECTOR_TYPE_KEY]
    kind = marker.WhichOneof("value_type")
    if kind != "string_value":
        raise InvalidArgument(f"Field {_VECTOR_TYPE_KEY} must be a string; founds {_TYPE_NAMES[kind]}.")
    if marker.string_value != _VECTOR_TYPE:
        raise InvalidArgument(f"Property {label} contains an invalid nested entity.")
    check_stored_vector(value)


def vector_numbers(v: Pb) -> Sequence[Pb]:
    """The elements of a vector value, checked as the official emulator checks any vector (stored or in a
    query): a ``value`` key holding a non-empty array of at most 2,048 doubles, and nothing else."""
    fields = v.map_value.fields
    if _VECTOR_VALUE_KEY not in fields:
        raise InvalidArgument(f"Vector map is missing key '{_VECTOR_VALUE_KEY}'.")
    if fields[_VECTOR_VALUE_KEY].WhichOneof("value_type") != "array_value":
        raise InvalidArgument("Vector value type must be an array.")
    if len(fields) > 2:
        raise InvalidArgument("Vector value map has extraneous entries.")
    elements = fields[_VECTOR_VALUE_KEY].array_value.values
    if not elements:
        raise InvalidArgument("Cannot have a zero length vector.")
    if len(elements) > MAX_VECTOR_DIMENSIONS:
        raise InvalidArgument(f"Vectors must be at most {MAX_VECTOR_DIMENSIONS} dimensions.")
    if any(e.WhichOneof("value_type") != "double_value" for e in elements):
        raise InvalidArgument("Vector must only contain values of type 'double'")
    return elements  # type: ignore[no-any-return]


def check_stored_vector(v: Pb) -> None:
    """A vector to store: :func:`vector_numbers`'s rules, and no NaN (infinities are fine)."""
    if any(math.isnan(e.double_value) for e in vector_numbers(v)):
        raise InvalidArgument("Vector cannot contain NaN values.")


def _check_reference(reference: str) -> None:
    """A stored reference's ids follow the document id rules (a malformed ``__id…__`` is refused, as the
    official emulator answers)."""
    marker = _DOCUMENTS_MARKER + "/"
    if marker not in reference:
        return
    relative = reference.split(marker, 1)[1]
    index = len(reference) - len(relative)
    for position, segment in enumerate(relative.split("/")):
        if segment:
            _check_id("collection" if position % 2 == 0 else "document", segment, reference, index)
        index += len(segment) + 1


def _check_value_size(label: str, size: int) -> None:
    if size > MAX_FIELD_VALUE_SIZE:
        raise InvalidArgument(f'The value of property "{label}" is longer than {MAX_FIELD_VALUE_SIZE} bytes.')


def _array_path(path: str) -> str:
    """The property path of an array's elements: the array's own name is replaced by ``array``."""
    parent, dot, _ = path.rpartition(".")
    return f"{parent}{dot}{_ARRAY_ELEMENT}"


def _check_nested_entity(label: str, fields: Pb, depth: int, path: str) -> None:
    """A map: any problem inside it is reported as an invalid nested entity of ``label``."""
    try:
        for name, inner in fields.items():
            _check_property_name(name)
            inner_path = f"{path}.{name}"
            if len(inner_path.encode("utf-8")) > MAX_FIELD_NAME_SIZE:  # a nested name counts with its path
                raise InvalidArgument(f"The property.name is longer than {MAX_FIELD_NAME_SIZE} bytes.")
            _check_value(name, inner, depth, inner_path)
    except InvalidArgument as error:
        raise InvalidArgument(f"Property {label} contains an invalid nested entity.") from error


def _check_array(elements: Sequence[Pb], depth: int, path: str) -> None:
    for element in elements:
        if element.WhichOneof("value_type") == "array_value":
            raise InvalidArgument("Nested arrays are not allowed")
        _check_value(_ARRAY_ELEMENT, element, depth, path)


PLAIN_KINDS = frozenset(
    ("null_value", "boolean_value", "integer_value", "double_value", "timestamp_value", "geo_point_value")
)
PLAIN_FIELD_NAME_CHARS = MAX_FIELD_NAME_SIZE // 4  # no longer than MAX_FIELD_NAME_SIZE in UTF-8


def validate_document(doc: Pb) -> None:
    """Raise InvalidArgument, in the official emulator's words, when ``doc`` breaks a Firestore limit.

    Checks, in its order: the name's ids; reserved field names (``__.*__``, except ``__type__`` inside maps);
    then each top-level field: its name (≤1,500 bytes), its value (strings and bytes ≤1,048,487 bytes, maps and
    arrays ≤20 levels deep, no array directly inside an array, valid UTF-8, maps with a ``__type__`` are
    well-formed vectors); then the document's storage size (≤1 MiB).
    """
    if doc.name:
        validate_document_name(doc.name)
    fields = list(doc.fields.items())  # one walk of the map, not three
    for name, _ in fields:
        if name.startswith("__") and _RESERVED_NAME.fullmatch(name):
            raise InvalidArgument(f"field name {name} is reserved")
    for _, value in fields:
        _check_reserved_in(value)
    for name, value in fields:
        if value.WhichOneof("value_type") in PLAIN_KINDS and name and len(name) <= PLAIN_FIELD_NAME_CHARS:
            continue  # a scalar under a short name passes every check below
        _check_property_name(name)
        _check_value(name, value, 0, name)
    if doc.ByteSize() * SIZE_BOUND_FACTOR + SIZE_BOUND_EXTRA <= MAX_DOCUMENT_SIZE:
        return  # far below the limit: the exact storage size is not needed
    if document_size(doc) > MAX_DOCUMENT_SIZE:
        raise InvalidArgument(f"maximum entity size is {MAX_DOCUMENT_SIZE} bytes")
