"""The document store: every database's documents with a bounded history of versions, optionally on SQLite.

Design:
- All mutations run on the server's single asyncio event loop and never await in the middle, so a commit is
  atomic without locks, and a reader never sees half of one.
- Each document name maps to its versions ``[(commit_time, Document | None), …]`` (``None``: deleted). Keeping
  versions for an hour (Firestore's own read-time window) serves reads at ``read_time``, read-only transactions,
  and Listen resume tokens (what changed since a time) from the same structure.
- With a data directory, every commit is written to SQLite (WAL mode) *before* it is applied in memory and
  acknowledged, one row per document version; at start the rows are replayed. ``synchronous=NORMAL`` in WAL mode
  loses nothing when the process is killed (the WAL is in the OS page cache); only a power loss can drop the last
  commits, an acceptable trade for an emulator that keeps single writes fast.
"""

from __future__ import annotations

import bisect
import contextlib
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple, Protocol

from firestore_emulator import values
from firestore_emulator.names import DatabaseId, collection_of
from firestore_emulator.protos import Document, Pb, now_micros

logger = logging.getLogger(__name__)

HISTORY_MICROS = 3600 * 1_000_000  # versions older than an hour are pruned (Firestore's read_time window)
MAX_VERSIONS_PER_DOCUMENT = 10_000  # bounds memory for a document rewritten in a tight loop
MAX_ORDER_INDEXES = 1_000  # order indexes kept per database (the oldest built goes first)

Version = tuple[int, Pb | None]


class Change(NamedTuple):
    """One document changed by a commit: its state before and after (None: it did not / does not exist)."""

    name: str
    old: Pb | None
    new: Pb | None


IndexEntry = tuple[tuple[object, ...], tuple[object, ...], str]  # (value's sort key, name's sort key, name)


class OrderIndex:
    """The live documents of one collection that have a top-level field, in the order of that field's
    :func:`values.sort_key` and then of their names (:func:`values.path_key`): the order a query ``order by field``
    puts them in (the normalised order ends with the name in the same direction), so such a query walks it and
    stops at its limit instead of sorting the collection. Built on the first query that can use it, then kept up
    to date by every commit (an insertion and a removal per changed document of the collection)."""

    def __init__(self, field: str, docs: Iterable[Pb]) -> None:
        self.field = field
        self.entries: list[IndexEntry] = sorted(
            entry for entry in (self._entry(doc) for doc in docs) if entry is not None
        )

    def _entry(self, doc: Pb | None) -> IndexEntry | None:
        if doc is None:
            return None
        value = doc.fields.get(self.field)
        if value is None:
            return None
        return (values.sort_key(value), (values.TYPE_REFERENCE, values.path_key(doc.name)), doc.name)

    def update(self, old: Pb | None, new: Pb | None) -> None:
        """One document changed from ``old`` to ``new`` (None: missing)."""
        before, after = self._entry(old), self._entry(new)
        if before == after:
            return
        if before is not None:
            index = bisect.bisect_left(self.entries, before)
            if index < len(self.entries) and self.entries[index] == before:
                del self.entries[index]
        if after is not None:
            bisect.insort(self.entries, after)

    def names(self, descending: bool) -> Iterator[str]:
        """The indexed names in order (ascending or descending), read lazily: a caller that stops early pays for
        what it read. A commit in between (there is none: the caller does not await) would shift positions."""
        entries = reversed(self.entries) if descending else iter(self.entries)
        for entry in entries:
            yield entry[2]


class Listener(Protocol):
    """Something told about the commits of a database that concern it (its ``Scope``), synchronously, right after
    each is applied."""

    def on_commit(self, time: int, changes: Sequence[Change]) -> None: ...


class Scope(NamedTuple):
    """Which commits a listener is told about: those that change a document directly in one of ``collections``
    (full collection paths, ``…/documents/jobs/j1/chunks``) or named in ``documents``; every commit when
    ``everything`` (a collection-group or kindless query). The listener still decides what a commit means for it;
    the scope only spares it the commits that cannot concern it, so it may be wider than needed, never narrower."""

    collections: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()
    everything: bool = False


EVERYTHING = Scope(everything=True)


class SqlitePersistence:
    """Versions of documents in one SQLite file, so that acknowledged commits survive a killed process."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(data_dir / "firestore.sqlite3", isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.execute(
            "CREATE TABLE IF NOT EXISTS versions (project TEXT NOT NULL, database TEXT NOT NULL, "
            "name TEXT NOT NULL, time INTEGER NOT NULL, document BLOB, "
            "PRIMARY KEY (project, database, name, time)) WITHOUT ROWID"
        )

    def load(self) -> Iterator[tuple[DatabaseId, str, int, Pb | None]]:
        """Every stored version, oldest first."""
        rows = self._connection.execute(
            "SELECT project, database, name, time, document FROM versions ORDER BY time, name"
        )
        for project, database, name, time, blob in rows:
            yield (
                DatabaseId(project, database),
                name,
                time,
                None if blob is None else Document.FromString(blob),
            )

    def record(self, database: DatabaseId, time: int, changes: Sequence[Change]) -> None:
        """Store one commit's new versions in one SQLite transaction."""
        rows = [
            (
                database.project,
                database.database,
                c.name,
                time,
                None if c.new is None else c.new.SerializeToString(),
            )
            for c in changes
        ]
        with self.transaction():
            self._connection.executemany("INSERT OR REPLACE INTO versions VALUES (?, ?, ?, ?, ?)", rows)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One SQLite transaction around several statements (one WAL commit instead of one each)."""
        self._connection.execute("BEGIN")
        try:
            yield
            self._connection.execute("COMMIT")
        except BaseException:
            self._connection.execute("ROLLBACK")
            raise

    def forget(self, database: DatabaseId, name: str, before: int | None) -> None:
        """Drop a document's versions older than ``before`` (all of them when None)."""
        sql = "DELETE FROM versions WHERE project = ? AND database = ? AND name = ?"
        args: tuple[object, ...] = (database.project, database.database, name)
        if before is not None:
            sql, args = sql + " AND time < ?", (*args, before)
        self._connection.execute(sql, args)

    def clear(self, database: DatabaseId) -> None:
        """Drop every version of a database."""
        self._connection.execute(
            "DELETE FROM versions WHERE project = ? AND database = ?", (database.project, database.database)
        )

    def close(self) -> None:
        self._connection.close()


class Database:
    """The documents of one database, their recent history, its commit clock and who listens to it."""

    def __init__(self, database_id: DatabaseId, persistence: SqlitePersistence | None) -> None:
        self.id = database_id
        self._persistence = persistence
        self._history: dict[str, list[Version]] = {}
        self._collections: dict[str, set[str]] = {}
        self._last_commit = 0
        self._last_read = 0
        # every listener; the scopes below say which commits reach each
        self._listeners: set[Listener] = set()
        self._scopes: dict[Listener, Scope] = {}
        self._by_collection: dict[str, set[Listener]] = {}  # collection path -> the listeners it concerns
        self._by_document: dict[str, set[Listener]] = {}  # document name -> the listeners it concerns
        self._everything: set[Listener] = set()  # told about every commit
        self._indexes: dict[tuple[str, str], OrderIndex] = {}  # (collection, field) -> its order index
        self._indexed: dict[str, list[OrderIndex]] = {}  # collection -> its order indexes

    # --- the clock ---

    def read_time(self) -> int:
        """A time at which to read "now": never before the last commit, and every later commit is after it."""
        self._last_read = max(now_micros(), self._last_commit, self._last_read)
        return self._last_read

    def next_commit_time(self) -> int:
        """The time of the next commit: strictly after every commit and every read time handed out."""
        return max(now_micros(), self._last_commit + 1, self._last_read + 1)

    # --- reads ---

    def get(self, name: str, at: int | None = None) -> Pb | None:
        """The document as of ``at`` (None: now), or None when it does not exist then."""
        history = self._history.get(name)
        if not history:
            return None
        if at is None:
            return history[-1][1]
        index = bisect.bisect_right(history, at, key=lambda version: version[0])
        return history[index - 1][1] if index else None

    def collection(self, path: str, at: int | None = None) -> Iterator[Pb]:
        """Documents directly in the collection ``path`` (a full collection name)."""
        for name in self._collections.get(path, ()):
            doc = self.get(name, at)
            if doc is not None:
                yield doc

    def ordered(self, path: str, field: str, descending: bool) -> Iterator[Pb]:
        """The current documents of the collection ``path`` that have the top-level ``field``, ordered by it and
        then by name (see :class:`OrderIndex`, built now if this is the first such read)."""
        index = self._indexes.get((path, field))
        if index is None:
            if len(self._indexes) >= MAX_ORDER_INDEXES:
                oldest = next(iter(self._indexes))
                self._indexed[oldest[0]].remove(self._indexes.pop(oldest))
            index = self._indexes[(path, field)] = OrderIndex(field, self.collection(path))
            self._indexed.setdefault(path, []).append(index)
        history = self._history
        for name in index.names(descending):
            yield history[name][-1][1]  # type: ignore[misc]  # indexed: exists

    def descendants(self, parent: str, at: int | None = None) -> Iterator[Pb]:
        """Documents anywhere below ``parent`` (the documents root or a document name)."""
        prefix = parent + "/"
        for name in self._history:
            if name.startswith(prefix):
                doc = self.get(name, at)
                if doc is not None:
                    yield doc

    def candidates(self, parent: str, query: Pb, at: int | None = None) -> Iterable[Pb]:
        """The documents a structured query can match: one collection, or all descendants of the parent."""
        selectors = query.from_
        if len(selectors) == 1 and not selectors[0].all_descendants and selectors[0].collection_id:
            return self.collection(f"{parent}/{selectors[0].collection_id}", at)
        return self.descendants(parent, at)

    def child_paths(self, parent: str, at: int | None = None) -> dict[str, bool]:
        """Paths one level below ``parent`` that lead to live documents: path -> whether it is itself a live doc.

        For a document parent the children are collection paths; for a collection, document paths (including
        documents that do not exist but have descendants: what ListDocuments' ``show_missing`` reports).
        """
        prefix = parent + "/"
        children: dict[str, bool] = {}
        for name in self._history:
            if not name.startswith(prefix) or self.get(name, at) is None:
                continue
            child = prefix + name[len(prefix) :].split("/", 1)[0]
            children[child] = children.get(child, False) or child == name
        return children

    # --- writes ---

    def commit(self, time: int, documents: dict[str, Pb | None]) -> list[Change]:
        """Apply a commit's final document states at ``time``; persist, then tell the listeners.

        Documents whose state did not change (a no-op write keeps its update_time) are not recorded.
        """
        changes = [
            Change(name, old, new)
            for name, new in documents.items()
            if not _same_version(old := self.get(name), new)
        ]
        if changes and self._persistence is not None:
            self._persistence.record(self.id, time, changes)
        indexed = self._indexed
        for change in changes:
            self._add_version(change.name, time, change.new)
            if indexed:
                for index in indexed.get(collection_of(change.name), ()):
                    index.update(change.old, change.new)
        self._last_commit = max(self._last_commit, time)
        self._notify(time, changes)
        return changes

    def load_version(self, name: str, time: int, doc: Pb | None) -> None:
        """Replay one persisted version at start-up."""
        old = self.get(name)
        self._add_version(name, time, doc)
        for index in self._indexed.get(collection_of(name), ()):
            index.update(old, doc)
        self._last_commit = max(self._last_commit, time)

    def clear(self) -> list[Change]:
        """Delete every document (and the history: reads at earlier times see an empty database)."""
        time = self.next_commit_time()
        changes = [Change(name, h[-1][1], None) for name, h in self._history.items() if h[-1][1] is not None]
        if self._persistence is not None:
            self._persistence.clear(self.id)
        self._history.clear()
        self._collections.clear()
        self._indexes.clear()
        self._indexed.clear()
        self._last_commit = time
        self._notify(time, changes)
        return changes

    def prune(self, horizon: int) -> None:
        """Forget versions that no read at or after ``horizon`` can see."""
        for name in list(self._history):
            history = self._history[name]
            visible = (
                bisect.bisect_right(history, horizon, key=lambda v: v[0]) - 1
            )  # the version seen at horizon
            if visible == len(history) - 1 and history[visible][1] is None:
                self._forget(name)  # deleted before the horizon and not written since
            elif visible > 0:
                self._drop_versions(name, visible)

    def _add_version(self, name: str, time: int, doc: Pb | None) -> None:
        history = self._history.get(name)
        if history is None:  # a name is in its collection's set exactly while it has a history
            history = self._history[name] = []
            self._collections.setdefault(collection_of(name), set()).add(name)
        history.append((time, doc))
        if len(history) > MAX_VERSIONS_PER_DOCUMENT:
            self._drop_versions(name, len(history) - MAX_VERSIONS_PER_DOCUMENT)

    def _drop_versions(self, name: str, count: int) -> None:
        history = self._history[name]
        del history[:count]
        if self._persistence is not None:
            self._persistence.forget(self.id, name, history[0][0])

    def _forget(self, name: str) -> None:
        del self._history[name]
        siblings = self._collections.get(collection_of(name))
        if siblings is not None:
            siblings.discard(name)
            if not siblings:
                del self._collections[collection_of(name)]
        if self._persistence is not None:
            self._persistence.forget(self.id, name, None)

    # --- listeners ---

    def add_listener(self, listener: Listener, scope: Scope = EVERYTHING) -> None:
        """Tell ``listener`` about the commits in ``scope`` from now on (every commit until it says otherwise)."""
        self._listeners.add(listener)
        self.rescope(listener, scope)

    def remove_listener(self, listener: Listener) -> None:
        """Stop telling ``listener`` about commits."""
        self._listeners.discard(listener)
        self._unscope(listener)

    def rescope(self, listener: Listener, scope: Scope) -> None:
        """Replace the scope of a listener (its targets changed): an index by collection and by document, so that
        a commit reaches only the listeners it can concern. Without it, each commit asked every stream (1,000
        streams each on its own job's chunks: a few ms per commit, for nothing)."""
        if listener not in self._listeners or self._scopes.get(listener) == scope:
            return
        self._unscope(listener)
        self._scopes[listener] = scope
        if scope.everything:
            self._everything.add(listener)
        for collection in scope.collections:
            self._by_collection.setdefault(collection, set()).add(listener)
        for name in scope.documents:
            self._by_document.setdefault(name, set()).add(listener)

    def _unscope(self, listener: Listener) -> None:
        scope = self._scopes.pop(listener, None)
        if scope is None:
            return
        self._everything.discard(listener)
        for index, keys in ((self._by_collection, scope.collections), (self._by_document, scope.documents)):
            for key in keys:
                held = index.get(key)
                if held is not None:
                    held.discard(listener)
                    if not held:
                        del index[key]

    def listeners_of(self, changes: Sequence[Change]) -> set[Listener]:
        """The listeners whose scope one of the changed documents is in."""
        concerned = set(self._everything)
        by_collection, by_document = self._by_collection, self._by_document
        for change in changes:
            name = change.name
            if by_document:
                concerned.update(by_document.get(name, ()))
            concerned.update(by_collection.get(collection_of(name), ()))
        return concerned

    def _notify(self, time: int, changes: Sequence[Change]) -> None:
        if not changes:
            return
        for listener in self.listeners_of(changes):
            try:
                listener.on_commit(time, changes)
            except Exception:  # one broken listener must not fail the commit or starve the others
                logger.exception("listener failed on commit at %d", time)


def _same_version(old: Pb | None, new: Pb | None) -> bool:
    if old is None or new is None:
        return old is None and new is None
    return bool(old.update_time == new.update_time)


class Store:
    """All databases of all projects, created on first use; optionally persisted in ``data_dir``."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self._persistence = SqlitePersistence(data_dir) if data_dir is not None else None
        self._databases: dict[DatabaseId, Database] = {}
        if self._persistence is not None:
            self._load(self._persistence)

    def database(self, database_id: DatabaseId) -> Database:
        """The database, created empty on first use (as Firestore's emulator does)."""
        database = self._databases.get(database_id)
        if database is None:
            database = self._databases[database_id] = Database(database_id, self._persistence)
        return database

    def clear(self, project: str | None = None, database: str | None = None) -> int:
        """Delete the documents of matching databases (None matches all); returns how many documents went."""
        cleared = 0
        for database_id, db in self._databases.items():
            if project in (None, database_id.project) and database in (None, database_id.database):
                cleared += len(db.clear())
        return cleared

    def prune(self) -> None:
        """Forget history older than the read-time window, in every database."""
        horizon = now_micros() - HISTORY_MICROS
        with self._persistence.transaction() if self._persistence is not None else contextlib.nullcontext():
            for db in self._databases.values():
                db.prune(horizon)

    def close(self) -> None:
        if self._persistence is not None:
            self._persistence.close()

    def _load(self, persistence: SqlitePersistence) -> None:
        count = 0
        for database_id, name, time, doc in persistence.load():
            self.database(database_id).load_version(name, time, doc)
            count += 1
        logger.info("loaded %d document versions from disk", count)
