"""The values rules evaluate to, and Firestore values converted into them.

null, bool, int, float, string and bytes are Python's own; lists are ``list``; maps ``dict`` (string keys).
Timestamps, durations, paths, lat/lngs, sets and map diffs have small classes here. ``Unknown`` stands for what a
query leaves unconstrained (see decide.py): any use of it is an evaluation error, so a rule that depends on it
cannot be proven from the query, and denies.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from firestore_emulator.protos import Pb
from firestore_emulator.rules.errors import EvaluationError

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True, order=True)
class Timestamp:
    nanos: int  # since the epoch


@dataclass(frozen=True, order=True)
class Duration:
    nanos: int


@dataclass(frozen=True)
class LatLng:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Path:
    """A document or collection path; ``str()`` is ``/databases/(default)/documents/…``."""

    segments: tuple[str, ...]

    def __str__(self) -> str:
        return "/" + "/".join(self.segments)


class Unknown:
    """A value the rules cannot know (an unconstrained field or id of a query's documents). ``partial`` marks a
    field the query constrains other than by equality; ``touched`` records that a rule needed it."""

    def __init__(self, what: str, partial: bool = False) -> None:
        self.what = what
        self.partial = partial
        self.touched = False

    def __repr__(self) -> str:
        return f"Unknown({self.what})"


@dataclass
class Interval:
    """The values a query's range filters (``<``, ``<=``, ``>``, ``>=``) allow for a field: numbers, strings or
    timestamps (``kind``) between optional bounds."""

    kind: str
    low: Any = None  # None: unbounded
    low_inclusive: bool = False
    high: Any = None
    high_inclusive: bool = False

    def narrow(self, op: str, bound: Any) -> None:
        """Intersect with ``field op bound``."""
        if op in ("<", "<=") and (
            self.high is None or bound < self.high or (bound == self.high and op == "<")
        ):
            self.high, self.high_inclusive = bound, op == "<="
        elif op in (">", ">=") and (
            self.low is None or bound > self.low or (bound == self.low and op == ">")
        ):
            self.low, self.low_inclusive = bound, op == ">="

    def _all_below(self, bound: Any, inclusive: bool) -> bool:
        """Every value of the interval is < bound (<= when inclusive)."""
        if self.high is None:
            return False
        return bool(self.high < bound or (self.high == bound and (inclusive or not self.high_inclusive)))

    def _all_above(self, bound: Any, inclusive: bool) -> bool:
        if self.low is None:
            return False
        return bool(self.low > bound or (self.low == bound and (inclusive or not self.low_inclusive)))

    def decide(self, op: str, bound: Any) -> bool | None:
        """``x op bound`` for every x of the interval: True, False, or None when it depends on x."""
        always = {
            "<": self._all_below(bound, False), "<=": self._all_below(bound, True),
            ">": self._all_above(bound, False), ">=": self._all_above(bound, True),
        }  # fmt: skip
        never = {"<": always[">="], "<=": always[">"], ">": always["<="], ">=": always["<"]}
        if op in always:
            return True if always[op] else (False if never[op] else None)
        point = self.low == self.high == bound and self.low_inclusive and self.high_inclusive
        outside = always["<"] or always[">"]
        equal = True if point else (False if outside else None)
        if op == "==" or equal is None:
            return equal
        return not equal


class Bounded(Unknown):
    """A field a query constrains to an ``Interval``. As in Google's evaluator it is a ``constraint``: a
    comparison with a value of its kind is decided for every value the query admits (an error when it depends on
    the value), ``is constraint`` is true and every other ``is`` false, and any other use is an error."""

    def __init__(self, what: str, interval: Interval) -> None:
        super().__init__(what)
        self.interval = interval


def range_kind(value: Any) -> str | None:
    """The kind of a range filter's value an ``Interval`` can hold, or None."""
    if is_number(value):
        return "number"
    return type_name(value) if isinstance(value, str | Timestamp) else None


class RulesSet:
    """A rules ``set``: distinct values by rules equality (values need not be hashable)."""

    def __init__(self, items: Iterable[Any] = ()) -> None:
        self.items: list[Any] = []
        for item in items:
            if not self.contains(item):
                self.items.append(item)

    def contains(self, value: Any) -> bool:
        return any(equal(value, item) for item in self.items)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class MapDiff:
    """What ``map.diff(other)`` returns; its methods answer sets of keys."""

    before: dict[str, Any]
    after: dict[str, Any]


def check_known(value: Any) -> Any:
    """The value itself; an evaluation error for ``Unknown``."""
    if isinstance(value, Unknown):
        value.touched = True
        raise EvaluationError(f"{value.what} is not constrained by the query.")
    return value


def type_name(value: Any) -> str:
    """The rules type of a value, as ``is`` and error messages name it."""
    check_known(value)
    if value is None:
        return "null"
    names = [
        (bool, "bool"), (int, "int"), (float, "float"), (str, "string"), (bytes, "bytes"), (list, "list"),
        (dict, "map"), (Timestamp, "timestamp"), (Duration, "duration"), (LatLng, "latlng"), (Path, "path"),
        (RulesSet, "set"), (MapDiff, "map_diff"),
    ]  # fmt: skip
    return next(name for kind, name in names if isinstance(value, kind))


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def equal(a: Any, b: Any, *, nested: bool = False) -> bool:
    """Rules equality: an int equals a float of the same value (but not inside lists, maps and sets, as Google's
    evaluator compares them: ``[1] == [1.0]`` is false), lists and maps compare by content, types never mix."""
    check_known(a)
    check_known(b)
    if is_number(a) and is_number(b) and not nested:
        return bool(a == b)
    if type_name(a) != type_name(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(equal(x, y, nested=True) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k], nested=True) for k in a)
    if isinstance(a, RulesSet):
        return len(a) == len(b) and all(any(equal(x, y, nested=True) for y in b) for x in a)
    return bool(a == b)


def check_int(value: int) -> int:
    """An int result, or an evaluation error when it leaves the 64-bit range."""
    if not INT64_MIN <= value <= INT64_MAX:
        raise EvaluationError(f"Integer value is out of the [{INT64_MIN}, {INT64_MAX}] range.")
    return value


def timestamp_from_datetime(moment: datetime.datetime) -> Timestamp:
    delta = moment - EPOCH
    return Timestamp((delta.days * 86400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000)


def to_datetime(stamp: Timestamp) -> datetime.datetime:
    return EPOCH + datetime.timedelta(microseconds=stamp.nanos // 1000)


def from_value(value: Pb, root: str) -> Any:
    """A Firestore ``Value`` as a rules value; references become paths relative to ``root`` (``projects/p``)."""
    kind = value.WhichOneof("value_type")
    if kind in (None, "null_value"):
        return None
    if kind == "map_value":
        return from_fields(value.map_value.fields, root)
    if kind == "array_value":
        return [from_value(item, root) for item in value.array_value.values]
    if kind == "timestamp_value":
        return Timestamp(value.timestamp_value.seconds * 1_000_000_000 + value.timestamp_value.nanos)
    if kind == "geo_point_value":
        return LatLng(value.geo_point_value.latitude, value.geo_point_value.longitude)
    if kind == "reference_value":
        return path_of_name(value.reference_value)
    if kind == "double_value" and math.isnan(value.double_value):
        return math.nan
    return getattr(value, kind)


def from_fields(fields: Any, root: str) -> dict[str, Any]:
    return {key: from_value(item, root) for key, item in fields.items()}


def path_of_name(name: str) -> Path:
    """``projects/p/databases/d/documents/a/b`` as the path ``/databases/d/documents/a/b``."""
    parts = name.split("/")
    return Path(tuple(parts[2:]) if parts[:1] == ["projects"] else tuple(p for p in parts if p))


def resource(doc: Pb | None) -> dict[str, Any] | None:
    """A stored document as rules see it: ``{__name__, id, data}``; None when it does not exist."""
    if doc is None:
        return None
    path = path_of_name(doc.name)
    return {"__name__": path, "id": path.segments[-1], "data": from_fields(doc.fields, "")}
