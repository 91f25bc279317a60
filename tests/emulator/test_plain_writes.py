"""The fast path of ``PendingCommit.apply`` (a set without mask, transforms or precondition) against the general
path: the same write with a precondition that holds (``exists: false`` on a new document) takes the general path,
and both must store the same document, answer the same result and refuse the same writes in the same words.
A pure unit test of one class on a real ``Database`` (no server needed)."""

from __future__ import annotations

from typing import Any

import pytest

from firestore_emulator import protos as P
from firestore_emulator.errors import InvalidArgument
from firestore_emulator.names import DatabaseId
from firestore_emulator.store import Database
from firestore_emulator.writes import PendingCommit

DOCUMENTS = "projects/p/databases/(default)/documents"
TIME = 1_700_000_000_123_456


def _write(fields: dict[str, Any], name: str = "c/d", general: bool = False) -> Any:
    write = P.Write()
    write.update.name = f"{DOCUMENTS}/{name}"
    for key, value in fields.items():
        target = write.update.fields[key]
        if isinstance(value, tuple):  # (seconds, nanos): a timestamp
            target.timestamp_value.seconds, target.timestamp_value.nanos = value
        elif isinstance(value, bool):
            target.boolean_value = value
        elif isinstance(value, int):
            target.integer_value = value
        elif isinstance(value, str):
            target.string_value = value
        elif isinstance(value, bytes):
            target.bytes_value = value
        elif isinstance(value, dict):
            target.map_value.fields["inner"].string_value = str(value)
        elif isinstance(value, list):
            target.array_value.values.add().integer_value = len(value)
    if general:
        write.current_document.exists = False
    return write


def _apply(fields: dict[str, Any], general: bool) -> tuple[Any, Any]:
    pending = PendingCommit(Database(DatabaseId("p", "(default)"), None), TIME)
    try:
        result = pending.apply(_write(fields, general=general))
    except InvalidArgument as error:
        return ("error", error.message), None
    return result, pending.documents[f"{DOCUMENTS}/c/d"]


CASES: list[dict[str, Any]] = [
    {"owner": "alice", "n": 3},
    {"t": (1_700_000_000, 123_456_789), "z": (5, 999)},  # timestamps truncated to the microsecond
    {"flag": True, "none": 0, "é": "ünïcode", "s": "x" * 1000},
    {"__reserved__": 1},
    {"": 1},
    {"f" * 400: 1},  # a name that needs the full check (and passes it)
    {"f" * 1501: 1},  # too long
    {"m": {"a": 1}, "a": [1, 2]},
    {"b": b"\x00\x01"},
    {"big": "x" * 1_048_488},  # one byte over a value's limit
    {f"s{i}": "x" * 200_000 for i in range(6)},  # each value allowed, the document over 1 MiB
]


@pytest.mark.parametrize("fields", CASES, ids=range(len(CASES)))
def test_the_fast_path_stores_and_refuses_as_the_general_path(fields: dict[str, Any]) -> None:
    fast = _apply(fields, general=False)
    general = _apply(fields, general=True)
    assert fast == general


def test_a_rewrite_with_the_same_fields_keeps_the_documents_version() -> None:
    db = Database(DatabaseId("p", "(default)"), None)
    first = PendingCommit(db, TIME)
    first.apply(_write({"owner": "alice"}))
    db.commit(first.time, first.documents)
    again = PendingCommit(db, TIME + 10)
    result = again.apply(_write({"owner": "alice"}))
    assert P.micros(result.update_time) == TIME  # write.proto: the previous update_time
    changed = PendingCommit(db, TIME + 20)
    result = changed.apply(_write({"owner": "bob"}))
    assert P.micros(result.update_time) == TIME + 20
    assert changed.documents[f"{DOCUMENTS}/c/d"].create_time == db.get(f"{DOCUMENTS}/c/d").create_time  # type: ignore[union-attr]


def test_the_results_of_one_commit_are_shared_but_the_documents_are_not() -> None:
    pending = PendingCommit(Database(DatabaseId("p", "(default)"), None), TIME)
    write = _write({"n": 1}, name="c/a")
    results = [pending.apply(write), pending.apply(_write({"n": 2}, name="c/b"))]
    assert results[0] is results[1]
    write.update.fields["n"].integer_value = 99  # the request changed afterwards: the stored copy is not
    assert pending.documents[f"{DOCUMENTS}/c/a"].fields["n"].integer_value == 1  # type: ignore[union-attr]
