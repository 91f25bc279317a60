"""Events as Firestore stores them: any JSON value a runner reports, made storable, and sized as Firestore sizes it.

A runner's events (``models.Event``) and an attempt's ``state.result`` are free JSON: an agent's raw stream object,
a job's ``::result`` value. JSON can say things Firestore cannot store, and a write that holds one fails as a whole
(a 500, after which the runner resends the same batch until its retry budget runs out). So ``storable`` keeps every
value Firestore can hold as it is, and replaces each part it cannot hold by that part's compact JSON text (a
string): an array directly inside an array, an integer outside 64 bits, a map with a key Firestore refuses (empty,
``__x__``, over 1,500 bytes), anything nested deeper than ``MAX_VALUE_DEPTH``. Nothing is dropped; a reader who
needs the exact value of such a part parses the string.

``storage_size`` is Firestore's documented size of a value, so a chunk is checked against the 1 MiB document
limit before it is written (a JSON body of 900,000 bytes can be a larger document: ``0,`` is 2 bytes of JSON and
8 of Firestore).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tailrun_functions import defaults

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_KEY_BYTES = 1500  # bytes of a map key Firestore accepts
# Levels of maps and arrays a stored value may nest below its field. Firestore allows 20 in a document; an
# event's fields start 2 levels down (``events`` → the event), a job's ``result`` at the top: 16 leaves room.
MAX_VALUE_DEPTH = 16


def compact(value: Any) -> str:
    """A value's compact JSON text (as a runner encodes it)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=True)


def json_bytes(value: Any) -> int:
    """Bytes of a value's compact JSON, in UTF-8 (the caps of design §1 count these)."""
    return len(compact(value).encode("utf-8"))


def _storable_key(key: object) -> bool:
    return (
        isinstance(key, str)
        and key != ""
        and not (key.startswith("__") and key.endswith("__") and len(key) >= 4)
        and len(key.encode("utf-8")) <= MAX_KEY_BYTES
    )


def storable(value: Any, depth: int = 0, *, in_array: bool = False) -> Any:
    """``value`` with every part Firestore cannot hold replaced by its compact JSON text (see the module)."""
    if isinstance(value, bool) or value is None or isinstance(value, float | str):
        return value
    if isinstance(value, int):
        return value if INT64_MIN <= value <= INT64_MAX else str(value)
    if isinstance(value, list):
        if in_array or depth >= MAX_VALUE_DEPTH:
            return compact(value)
        return [storable(item, depth + 1, in_array=True) for item in value]
    if isinstance(value, dict):
        if depth >= MAX_VALUE_DEPTH or not all(_storable_key(key) for key in value):
            return compact(value)
        return {key: storable(item, depth + 1) for key, item in value.items()}
    return compact(value)


def storage_size(value: Any) -> int:
    """A value's storage size as Firestore documents it (https://firebase.google.com/docs/firestore/storage-size)."""
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, int | float | dt.datetime):
        return 8
    if isinstance(value, str):
        return len(value.encode("utf-8")) + 1
    if isinstance(value, list | tuple):
        return sum(storage_size(item) for item in value)
    if isinstance(value, dict):
        return sum(len(str(key).encode("utf-8")) + 1 + storage_size(item) for key, item in value.items())
    return len(str(value).encode("utf-8")) + 1  # a sentinel or transform: never large


BASE_FIELDS = ("event", "at_line", "ts", "kind")


def cut_marker(event: dict[str, Any]) -> dict[str, Any]:
    """An event reduced to its numbering and kind, marked ``cut`` with the bytes of JSON it had (``bytes``)."""
    kept = {name: event[name] for name in BASE_FIELDS if name in event}
    return {**kept, "cut": True, "bytes": json_bytes(event)}


def fit(events: list[dict[str, Any]], budget: int) -> list[dict[str, Any]]:
    """The events, the largest cut to markers (``cut_marker``) until they take at most ``budget`` bytes of storage.

    Only a batch whose events are mostly small numbers can need it (a storage size well above its JSON size); the
    runner's caps keep every other batch far below. Order and numbering are kept: a reader still has every event."""
    sizes = [storage_size(event) for event in events]
    total = sum(sizes)
    if total <= budget:
        return events
    fitted = list(events)
    for index in sorted(range(len(events)), key=lambda i: sizes[i], reverse=True):
        marker = cut_marker(events[index])
        total += storage_size(marker) - sizes[index]
        fitted[index] = marker
        if total <= budget:
            break
    return fitted


def chunk_budget(lines_size: int) -> int:
    """Storage bytes left for a chunk's events once its lines are counted (``defaults.MAX_CHUNK_STORAGE_BYTES``)."""
    return max(defaults.MAX_CHUNK_STORAGE_BYTES - lines_size, 0)
