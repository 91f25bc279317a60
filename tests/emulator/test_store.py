"""The store on its own: versions, reads at a time, pruning, and the SQLite file it replays."""

from __future__ import annotations

from pathlib import Path

import pytest

from firestore_emulator import store as store_module
from firestore_emulator.names import DatabaseId
from firestore_emulator.protos import Document, Pb, timestamp
from firestore_emulator.store import Store

DB = DatabaseId("p", "(default)")
NAME = "projects/p/databases/(default)/documents/c/d"


def version(n: int, time: int, name: str = NAME) -> Document:
    doc = Document(name=name)
    doc.fields["n"].integer_value = n
    doc.create_time.CopyFrom(timestamp(time))
    doc.update_time.CopyFrom(timestamp(time))
    return doc


def n_of(doc: Pb | None) -> int:
    """The ``n`` field of a document that must exist."""
    assert doc is not None
    return int(doc.fields["n"].integer_value)


def test_reads_at_a_time_see_the_version_then() -> None:
    db = Store().database(DB)
    db.commit(100, {NAME: version(1, 100)})
    db.commit(200, {NAME: None})
    db.commit(300, {NAME: version(3, 300)})
    assert db.get(NAME, 99) is None
    assert n_of(db.get(NAME, 150)) == 1
    assert db.get(NAME, 250) is None
    assert n_of(db.get(NAME)) == 3


def test_commit_times_increase_past_every_read_time() -> None:
    db = Store().database(DB)
    read = db.read_time()
    assert db.next_commit_time() > read
    db.commit(read + 10_000_000, {NAME: version(1, read + 10_000_000)})
    assert db.read_time() >= read + 10_000_000
    assert db.next_commit_time() > read + 10_000_000


def test_prune_keeps_what_reads_after_the_horizon_can_see() -> None:
    db = Store().database(DB)
    other = NAME + "-deleted"
    db.commit(100, {NAME: version(1, 100), other: version(1, 100)})
    db.commit(200, {NAME: version(2, 200), other: None})
    db.commit(400, {NAME: version(4, 400)})
    db.prune(300)
    assert n_of(db.get(NAME, 300)) == 2  # the version visible at the horizon stays
    assert db.get(NAME, 150) is None  # older ones are gone
    assert db.get(other, 150) is None  # deleted before the horizon: forgotten entirely


def test_versions_per_document_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "MAX_VERSIONS_PER_DOCUMENT", 3)
    db = Store().database(DB)
    for time in range(1, 6):
        db.commit(time, {NAME: version(time, time)})
    assert db.get(NAME, 2) is None
    assert n_of(db.get(NAME, 3)) == 3


def test_sqlite_replays_commits_and_clears(tmp_path: Path) -> None:
    first = Store(tmp_path)
    first.database(DB).commit(100, {NAME: version(1, 100)})
    first.database(DatabaseId("p", "other")).commit(
        100, {NAME.replace("(default)", "other"): version(7, 100)}
    )
    first.database(DB).commit(200, {NAME: version(2, 200)})
    first.close()

    second = Store(tmp_path)
    assert n_of(second.database(DB).get(NAME)) == 2
    assert n_of(second.database(DB).get(NAME, 150)) == 1
    assert second.clear("p", "(default)") == 1
    second.close()

    third = Store(tmp_path)
    assert third.database(DB).get(NAME) is None
    assert third.database(DatabaseId("p", "other")).get(NAME.replace("(default)", "other")) is not None
    third.close()


def test_pruning_is_persisted(tmp_path: Path) -> None:
    first = Store(tmp_path)
    db = first.database(DB)
    db.commit(100, {NAME: version(1, 100)})
    db.commit(200, {NAME: version(2, 200)})
    first.prune()  # both versions are far older than the hour kept: only the last one still matters
    first.close()
    second = Store(tmp_path)
    assert second.database(DB).get(NAME, 150) is None
    assert n_of(second.database(DB).get(NAME)) == 2
    second.close()
