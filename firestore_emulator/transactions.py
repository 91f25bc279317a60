"""Transactions: read-only snapshots, and read-write transactions that lock what they read.

Firestore's server libraries get pessimistic concurrency: a read in a read-write transaction locks the document,
and the clients' retry loops (``@transactional``: 5 attempts, no backoff) rely on that to converge. An optimistic
scheme would let N concurrent incrementers win one at a time per round and exhaust those 5 attempts; so here:

- a read in a read-write transaction takes an exclusive lock on each document name it reads (existing or not,
  query results included); a second transaction reading a locked name *waits* (FIFO, the lock is handed over on
  release) instead of failing, so many threads incrementing one counter serialise and all succeed;
- a waiter that would close a cycle of waits is aborted at once (deadlock), and none waits longer than
  ``LOCK_WAIT_SECONDS`` (then aborted, "Transaction lock timeout.", like the official emulator);
- a write never waits: a commit (transactional or not) that writes a document locked by *another* transaction
  aborts that transaction;
- an aborted transaction answers ABORTED at Commit only: its reads still succeed (unlocked). The Python client's
  ``@transactional`` retries only when Commit fails with ABORTED; an error from a read would end it instead;
- at commit, what the transaction read is checked again (document versions, and query results re-run, which
  catches documents that started matching a query it ran): any difference is ABORTED;
- ``retry_transaction`` is accepted and needs no priority: FIFO hand-over already keeps a retry's place in line.
A transaction idle for ``IDLE_SECONDS`` expires (its locks go); unknown or expired ids answer INVALID_ARGUMENT.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from firestore_emulator import query as query_engine
from firestore_emulator.errors import Aborted, InvalidArgument
from firestore_emulator.names import DatabaseId
from firestore_emulator.protos import Pb, micros
from firestore_emulator.store import Database, Store

IDLE_SECONDS = 60.0  # Firestore expires a transaction after 60 s without activity
LOCK_WAIT_SECONDS = 30.0  # the longest a read waits for another transaction's lock
ENDED_KEEP_SECONDS = 60.0  # an aborted transaction's id still answers Rollback for this long

EXPIRED = "The referenced transaction has expired or is no longer valid."
CONTENTION = "Transaction was aborted because of contention: a document it read was written concurrently."

LockKey = tuple[DatabaseId, str]


class _Deadlock(Exception):
    """Waiting for this lock would close a cycle of transactions waiting for each other."""


@dataclass
class QueryRead:
    """A query a read-write transaction ran, and the versions it returned, to re-check at commit."""

    parent: str
    query: Pb
    results: dict[str, int]


@dataclass(eq=False)
class Transaction:
    """One transaction's state. ``read_time`` is set for read-only transactions (they read a snapshot)."""

    id: bytes
    database: DatabaseId
    read_only: bool
    read_time: int | None
    locks: set[str] = field(default_factory=set)
    reads: dict[str, int | None] = field(default_factory=dict)
    queries: list[QueryRead] = field(default_factory=list)
    aborted: str | None = None
    ended: bool = False
    waiting: tuple[LockKey, asyncio.Future[None]] | None = None
    last_active: float = field(default_factory=time.monotonic)

    def record_read(self, name: str, doc: Pb | None) -> None:
        """Remember the version a read-write transaction saw (None: the document did not exist)."""
        if not self.read_only:
            self.reads.setdefault(name, None if doc is None else micros(doc.update_time))


def versions(docs: Iterable[Pb]) -> dict[str, int]:
    """name -> update time of documents, to compare query results."""
    return {doc.name: micros(doc.update_time) for doc in docs}


class TransactionManager:
    """All open transactions and the document locks they hold."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._transactions: dict[bytes, Transaction] = {}
        self._owners: dict[LockKey, Transaction] = {}
        self._waiters: dict[LockKey, deque[tuple[Transaction, asyncio.Future[None]]]] = {}

    def begin(self, database: DatabaseId, options: Pb | None) -> Transaction:
        """Start a transaction (read-write unless the options say read-only)."""
        read_only = options is not None and options.WhichOneof("mode") == "read_only"
        read_time = None
        if read_only:
            ro = options.read_only  # type: ignore[union-attr]
            has_time = ro.HasField("read_time")
            read_time = micros(ro.read_time) if has_time else self._store.database(database).read_time()
        transaction = Transaction(secrets.token_bytes(16), database, read_only, read_time)
        self._transactions[transaction.id] = transaction
        return transaction

    def lookup(self, transaction_id: bytes, database: DatabaseId) -> Transaction:
        """The transaction with this id (possibly aborted); INVALID_ARGUMENT if unknown or expired."""
        transaction = self._transactions.get(transaction_id)
        if transaction is None or transaction.database != database:
            raise InvalidArgument(EXPIRED)
        transaction.last_active = time.monotonic()
        return transaction

    async def lock(self, transaction: Transaction, names: Iterable[str]) -> None:
        """Lock each document name for a read-write transaction, waiting for other holders as needed.

        A deadlock or a lock timeout aborts the transaction instead of failing the read (see the module doc).
        """
        for name in names:
            if transaction.read_only or transaction.aborted:
                return
            await self._lock_one(transaction, (transaction.database, name))
        transaction.last_active = time.monotonic()

    def check_commit(self, transaction: Transaction, db: Database) -> None:
        """ABORTED if the transaction was aborted or anything it read has changed since it read it."""
        if transaction.aborted:
            raise Aborted(transaction.aborted)
        for name, version in transaction.reads.items():
            doc = db.get(name)
            if (None if doc is None else micros(doc.update_time)) != version:
                self.abort(transaction, CONTENTION)
        for read in transaction.queries:
            candidates = db.candidates(read.parent, read.query)
            if versions(query_engine.run_query(read.parent, read.query, candidates)) != read.results:
                self.abort(transaction, CONTENTION)

    def abort(self, transaction: Transaction, reason: str) -> None:
        """End the transaction as aborted and raise ABORTED."""
        self._wound(transaction, reason)
        raise Aborted(reason)

    def wound_holders(self, database: DatabaseId, names: Iterable[str], writer: Transaction | None) -> None:
        """A write to these documents aborts every other transaction that holds a lock on one of them."""
        for name in names:
            owner = self._owners.get((database, name))
            if owner is not None and owner is not writer:
                self._wound(owner, CONTENTION)

    def finish(self, transaction: Transaction) -> None:
        """A committed transaction: release its locks and forget its id."""
        self._release_all(transaction)
        self._transactions.pop(transaction.id, None)

    def rollback(self, transaction_id: bytes, database: DatabaseId) -> None:
        """Rollback: release the locks; an aborted transaction's id is accepted too (the client rolls it back)."""
        transaction = self._transactions.get(transaction_id)
        if transaction is None or transaction.database != database:
            raise InvalidArgument(EXPIRED)
        self.finish(transaction)

    def expire(self) -> None:
        """Drop transactions idle too long (releasing their locks) and aborted ones kept for Rollback."""
        now = time.monotonic()
        for transaction in list(self._transactions.values()):
            limit = ENDED_KEEP_SECONDS if transaction.ended else IDLE_SECONDS
            if transaction.waiting is None and now - transaction.last_active > limit:
                self.finish(transaction)

    def drop_database(self, project: str | None) -> None:
        """Forget the transactions of a project (or all) when its documents are cleared."""
        for transaction in list(self._transactions.values()):
            if project in (None, transaction.database.project):
                self._wound(transaction, EXPIRED)

    # --- locks ---

    async def _lock_one(self, transaction: Transaction, key: LockKey) -> None:
        """Take one lock, waiting in FIFO order behind its holder; deadlocks and timeouts abort instead of waiting on."""
        owner = self._owners.get(key)
        if owner is None:
            self._grant(transaction, key)
            return
        if owner is transaction:
            return
        try:
            self._check_deadlock(transaction, owner)
        except _Deadlock:
            self._wound(transaction, "Transaction was aborted because of a deadlock with another transaction.")
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(key, deque()).append((transaction, waiter))
        transaction.waiting = (key, waiter)
        try:
            await asyncio.wait_for(asyncio.shield(waiter), LOCK_WAIT_SECONDS)
        except TimeoutError:
            if not (waiter.done() and not waiter.cancelled() and waiter.exception() is None):
                waiter.cancel()
                self._wound(transaction, "Transaction lock timeout.")
        except Aborted:
            pass  # wounded while waiting: the read goes on unlocked, the commit will answer ABORTED
        except asyncio.CancelledError:
            waiter.cancel()
            if self._owners.get(key) is transaction:
                self._release(transaction, key)
            raise
        finally:
            transaction.waiting = None

    def _check_deadlock(self, transaction: Transaction, owner: Transaction) -> None:
        seen: set[int] = set()
        current: Transaction | None = owner
        while current is not None and current.waiting is not None and id(current) not in seen:
            seen.add(id(current))
            current = self._owners.get(current.waiting[0])
            if current is transaction:
                raise _Deadlock()

    def _grant(self, transaction: Transaction, key: LockKey) -> None:
        self._owners[key] = transaction
        transaction.locks.add(key[1])

    def _release(self, transaction: Transaction, key: LockKey) -> None:
        """Hand the lock to the next live waiter, or free it."""
        transaction.locks.discard(key[1])
        queue = self._waiters.get(key)
        while queue:
            waiter_transaction, waiter = queue.popleft()
            if not waiter.done():
                self._grant(waiter_transaction, key)
                waiter.set_result(None)
                return
        self._waiters.pop(key, None)
        del self._owners[key]

    def _release_all(self, transaction: Transaction) -> None:
        for name in list(transaction.locks):
            key = (transaction.database, name)
            if self._owners.get(key) is transaction:
                self._release(transaction, key)
        transaction.locks.clear()
        transaction.ended = True

    def _wound(self, transaction: Transaction, reason: str) -> None:
        if transaction.aborted is None:
            transaction.aborted = reason
        if transaction.waiting is not None and not transaction.waiting[1].done():
            transaction.waiting[1].set_exception(Aborted(reason))
        self._release_all(transaction)
