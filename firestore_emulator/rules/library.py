"""The documented methods of rules types and the namespaced functions (``math``, ``hashing``, ``duration``,
``timestamp``, ``latlng``), plus the conversion functions ``int``, ``float``, ``string``, ``bool`` and ``path``.

Each function takes already-evaluated arguments and returns a rules value, or raises ``EvaluationError`` for a
wrong type or arity, as Google's evaluator answers.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import math
import re
import zlib
from collections.abc import Callable
from typing import Any

from firestore_emulator.rules.errors import EvaluationError
from firestore_emulator.rules.types import (
    Duration,
    LatLng,
    MapDiff,
    Path,
    RulesSet,
    Timestamp,
    check_int,
    equal,
    is_number,
    timestamp_from_datetime,
    to_datetime,
    type_name,
)

Method = Callable[..., Any]
_UNITS = {"w": 7 * 86400 * 10**9, "d": 86400 * 10**9, "h": 3600 * 10**9, "m": 60 * 10**9, "s": 10**9,
          "ms": 10**6, "us": 10**3, "ns": 1}  # fmt: skip
_EARTH_RADIUS_METERS = 6_371_000.0
_INTEGER = re.compile(r"[+-]?\d+")


def _need(value: Any, kind: str, what: str) -> None:
    if type_name(value) != kind and not (kind == "number" and is_number(value)):
        raise EvaluationError(f"{what} expects a {kind}, got {type_name(value)}.")


def _re(pattern: Any) -> re.Pattern[str]:
    _need(pattern, "string", "A regular expression")
    try:
        return re.compile(pattern)
    except re.error as error:
        raise EvaluationError(f"Invalid regular expression {pattern!r}: {error}") from error


def _contains(items: Any, value: Any) -> bool:
    return any(equal(value, item) for item in items)


def _items(value: Any) -> list[Any]:
    if isinstance(value, list | RulesSet):
        return list(value)
    raise EvaluationError(f"Expected a list or set, got {type_name(value)}.")


def _get(mapping: dict[str, Any], key: Any, default: Any) -> Any:
    keys = key if isinstance(key, list) else [key]
    current: Any = mapping
    for part in keys:
        _need(part, "string", "map.get")
        if not isinstance(current, dict) or part not in current:
            return default
        current = current[part]
    return current


def _diff_keys(diff: MapDiff, which: str) -> RulesSet:
    before, after = diff.before, diff.after
    added = [k for k in after if k not in before]
    removed = [k for k in before if k not in after]
    changed = [k for k in after if k in before and not equal(before[k], after[k])]
    unchanged = [k for k in after if k in before and equal(before[k], after[k])]
    chosen = {"added": added, "removed": removed, "changed": changed, "unchanged": unchanged,
              "affected": added + removed + changed}[which]  # fmt: skip
    return RulesSet(chosen)


def _join(items: list[Any], separator: str = "") -> str:
    if not all(isinstance(i, str) for i in items):
        raise EvaluationError("list.join needs a list of strings.")
    return separator.join(items)


STRING: dict[str, Method] = {
    "lower": lambda s: s.lower(),
    "upper": lambda s: s.upper(),
    "size": lambda s: len(s),
    "trim": lambda s: s.strip(" \t\n\r"),
    "matches": lambda s, p: _re(p).fullmatch(s) is not None,
    "split": lambda s, p: _re(p).split(s),
    "replace": lambda s, p, r: _re(p).sub(str(r).replace("\\", "\\\\").replace("$", "\\"), s),
    "toUtf8": lambda s: s.encode(),
}
LIST: dict[str, Method] = {
    "size": lambda items: len(items),
    "concat": lambda items, other: items + _items(other),
    "hasAll": lambda items, other: all(_contains(items, v) for v in _items(other)),
    "hasAny": lambda items, other: any(_contains(items, v) for v in _items(other)),
    "hasOnly": lambda items, other: all(_contains(_items(other), v) for v in items),
    "join": _join,
    "removeAll": lambda items, other: [v for v in items if not _contains(_items(other), v)],
    "toSet": lambda items: RulesSet(items),
}
SET: dict[str, Method] = {
    "size": lambda s: len(s),
    "difference": lambda s, other: RulesSet(v for v in s if not _contains(_items(other), v)),
    "intersection": lambda s, other: RulesSet(v for v in s if _contains(_items(other), v)),
    "union": lambda s, other: RulesSet([*s, *_items(other)]),
    "hasAll": LIST["hasAll"],
    "hasAny": LIST["hasAny"],
    "hasOnly": LIST["hasOnly"],
}
MAP: dict[str, Method] = {
    "size": lambda m: len(m),
    "keys": lambda m: list(m),
    "values": lambda m: list(m.values()),
    "get": _get,
    "diff": lambda m, other: (
        MapDiff(before=other, after=m) if isinstance(other, dict) else _need(other, "map", "map.diff")
    ),
}


def _keys_of(which: str) -> Method:
    return lambda diff: _diff_keys(diff, which)


MAP_DIFF: dict[str, Method] = {
    f"{which}Keys": _keys_of(which) for which in ("added", "removed", "changed", "unchanged", "affected")
}
TIMESTAMP: dict[str, Method] = {
    "date": lambda t: timestamp_from_datetime(
        to_datetime(t).replace(hour=0, minute=0, second=0, microsecond=0)
    ),
    "year": lambda t: to_datetime(t).year,
    "month": lambda t: to_datetime(t).month,
    "day": lambda t: to_datetime(t).day,
    "dayOfWeek": lambda t: to_datetime(t).isoweekday(),
    "dayOfYear": lambda t: to_datetime(t).timetuple().tm_yday,
    "hours": lambda t: to_datetime(t).hour,
    "minutes": lambda t: to_datetime(t).minute,
    "seconds": lambda t: to_datetime(t).second,
    "nanos": lambda t: t.nanos % 10**9,
    "time": lambda t: Duration(t.nanos % (86400 * 10**9)),
    "toMillis": lambda t: t.nanos // 10**6,
}
DURATION: dict[str, Method] = {
    "seconds": lambda d: int(d.nanos / 10**9),
    "nanos": lambda d: d.nanos - int(d.nanos / 10**9) * 10**9,
}
BYTES: dict[str, Method] = {
    "size": lambda b: len(b),
    "toBase64": lambda b: base64.b64encode(b).decode(),
    "toHexString": lambda b: b.hex().upper(),
}
LATLNG: dict[str, Method] = {
    "latitude": lambda p: p.latitude,
    "longitude": lambda p: p.longitude,
    "distance": lambda p, q: _distance(p, q),
}
PATH: dict[str, Method] = {"bind": lambda p, bindings: _bind(p, bindings)}
METHODS: dict[str, dict[str, Method]] = {
    "string": STRING, "list": LIST, "set": SET, "map": MAP, "map_diff": MAP_DIFF, "timestamp": TIMESTAMP,
    "duration": DURATION, "bytes": BYTES, "latlng": LATLNG, "path": PATH,
}  # fmt: skip


def _distance(p: LatLng, q: Any) -> float:
    _need(q, "latlng", "latlng.distance")
    lat1, lat2 = math.radians(p.latitude), math.radians(q.latitude)
    dlat, dlng = lat2 - lat1, math.radians(q.longitude - p.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return 2 * _EARTH_RADIUS_METERS * math.asin(math.sqrt(h))


def _bind(path: Path, bindings: Any) -> Path:
    _need(bindings, "map", "path.bind")
    return Path(tuple(str(bindings.get(s[1:-1], s)) if s.startswith("{") else s for s in path.segments))


def call_method(value: Any, name: str, args: list[Any]) -> Any:
    """``value.name(args)``: a documented method of the value's type."""
    kind = type_name(value)
    method = METHODS.get(kind, {}).get(name)
    if method is None:
        raise EvaluationError(f"Function not found error: Name: [{name}] on {kind}.")
    try:
        return method(value, *args)
    except TypeError as error:  # wrong arity or a wrong argument type deep inside
        raise EvaluationError(f"Invalid arguments to {kind}.{name}: {error}") from error


# --- namespaces and global functions ---


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise EvaluationError("Type conversion error. From type: [bool], To type: [int].")
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise EvaluationError("Type conversion error. From type: [float], To type: [int].")
        return check_int(int(value))
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        if not _INTEGER.fullmatch(value):
            raise EvaluationError(
                f"Type conversion error. Argument: [{value}], From type: [string], To type: [int]."
            )
        return check_int(int(value))
    raise EvaluationError(f"Type conversion error. From type: [{type_name(value)}], To type: [int].")


def _to_float(value: Any) -> float:
    if is_number(value):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise EvaluationError(
                f"Type conversion error. Argument: [{value}], From type: [string], To type: [float]."
            ) from None
    raise EvaluationError(f"Type conversion error. From type: [{type_name(value)}], To type: [float].")


def to_string(value: Any) -> str:
    """``string(x)``: null, bools, numbers, strings (and paths) as text."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | str | Path):
        return str(value)
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else f"{value:.1f}"
    raise EvaluationError(f"Type conversion error. From type: [{type_name(value)}], To type: [string].")


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise EvaluationError(f"Type conversion error. From type: [{type_name(value)}], To type: [bool].")


def _to_path(value: Any) -> Path:
    if isinstance(value, Path):
        return value
    _need(value, "string", "path()")
    return Path(tuple(part for part in value.split("/") if part))


def _duration_value(magnitude: Any, unit: Any) -> Duration:
    if type_name(magnitude) != "int" or type_name(unit) != "string":
        raise EvaluationError(
            f"Unsupported operation error. Received: duration.value({type_name(magnitude)}, {type_name(unit)}). "
            "Expected: duration.value(int, string)."
        )
    if unit not in _UNITS:
        raise EvaluationError(f"duration.value: unknown unit {unit!r}.")
    return Duration(int(magnitude * _UNITS[unit]))


def _duration_time(hours: int, minutes: int, seconds: int, nanos: int) -> Duration:
    return Duration(((hours * 60 + minutes) * 60 + seconds) * 10**9 + nanos)


def _timestamp_date(year: int, month: int, day: int) -> Timestamp:
    try:
        return timestamp_from_datetime(datetime.datetime(year, month, day, tzinfo=datetime.UTC))
    except ValueError as error:
        raise EvaluationError(f"timestamp.date: {error}") from error


def _hash(algorithm: Callable[[bytes], bytes]) -> Method:
    def digest(value: Any) -> bytes:
        if isinstance(value, str):
            value = value.encode()
        _need(value, "bytes", "hashing")
        return algorithm(value)

    return digest


def _crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def _math(function: Callable[..., Any]) -> Method:
    def apply(*args: Any) -> Any:
        for arg in args:
            _need(arg, "number", "math")
        return function(*args)

    return apply


def _round(x: float) -> float:
    """Half up, as Java's Math.round (Google's evaluator): round(2.5) is 3, round(-2.5) is -2."""
    return float(math.floor(x + 0.5))


NAMESPACES: dict[str, dict[str, Method]] = {
    "math": {
        "abs": _math(abs),
        "ceil": _math(lambda x: float(math.ceil(x))),
        "floor": _math(lambda x: float(math.floor(x))),
        "round": _math(_round),
        "sqrt": _math(lambda x: math.sqrt(x) if x >= 0 else math.nan),
        "pow": _math(lambda x, y: float(x) ** y),
        "isInfinite": _math(lambda x: math.isinf(x)),
        "isNaN": _math(lambda x: math.isnan(x)),
    },
    "hashing": {
        "crc32": _hash(lambda b: zlib.crc32(b).to_bytes(4, "big")),
        "crc32c": _hash(lambda b: _crc32c(b).to_bytes(4, "big")),
        "md5": _hash(lambda b: hashlib.md5(b, usedforsecurity=False).digest()),
        "sha256": _hash(lambda b: hashlib.sha256(b).digest()),
    },
    "duration": {"value": _duration_value, "time": _duration_time, "abs": lambda d: Duration(abs(d.nanos))},
    "timestamp": {"date": _timestamp_date, "value": lambda millis: Timestamp(_to_int(millis) * 10**6)},
    "latlng": {"value": lambda lat, lng: LatLng(_to_float(lat), _to_float(lng))},
}
FUNCTIONS: dict[str, Method] = {
    "int": _to_int,
    "float": _to_float,
    "string": to_string,
    "bool": _to_bool,
    "path": _to_path,
    "debug": lambda value: value,
}


def call_namespace(namespace: str, name: str, args: list[Any]) -> Any:
    """``namespace.name(args)``, e.g. ``math.abs(-1)``."""
    function = NAMESPACES[namespace].get(name)
    if function is None:
        raise EvaluationError(f"Function not found error: Name: [{namespace}.{name}].")
    try:
        return function(*args)
    except TypeError as error:
        raise EvaluationError(f"Invalid arguments to {namespace}.{name}: {error}") from error
