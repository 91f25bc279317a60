"""Transactions: read-only snapshots, and read-write transactions that lock what they read.

Firestore's server libraries get pessimistic concurrency (locks), and the clients' retry loops rely on it:
``@transactional`` in Python tries 5 times without backoff, so N threads incrementing one counter must not lose
one round each. The rules here:

- a read in a read-write transaction takes a *shared* lock on each document name it reads (existing or not, query
  results included); two transactions may read the same document without waiting;
- a commit wins over the other readers of what it writes: a transactional commit aborts every other transaction
  holding a shared lock on a document it writes (first committer wins, the others retry);
- a *retried* transaction (``retry_transaction`` set: Firestore's "spot in line") reads with an *exclusive* lock:
  it aborts shared holders at once, and readers and writers wait (FIFO, retries first) until it ends. So a retry
  cannot lose again to a newcomer, and contended counters converge in two attempts;
- a non-transactional commit waits while any transaction holds a lock on a document it writes (the transaction
  holds what it read, as in Firestore), then applies; after ``LOCK_WAIT_SECONDS`` it answers ABORTED
  ("Transaction lock timeout.", as the official emulator). BatchWrite does not wait: a locked document's write
  alone answers ABORTED with Firestore's "Too much contention" wording;
- a wait that would close a cycle aborts the waiter (deadlock); a transactional wait longer than
  ``LOCK_WAIT_SECONDS`` aborts it too ("Transaction lock timeout.", the official emulator's wording);
- an aborted transaction answers ABORTED at Commit only: its reads still succeed (unlocked), because the Python
  client's ``@transactional`` retries only when Commit fails with ABORTED; an error from a read would end it;
- at commit, what the transaction read is checked again (document versions, and query results re-run, which
  catches documents that started matching a query it ran): any difference is ABORTED.
A transaction idle for ``IDLE_SECONDS`` expires (its locks go). As the official emulator answers: a transaction
that ended (committed, rolled back, expired, or failed a precondition at commit) answers ABORTED ("The referenced
transaction has expired or is no longer valid.") to any further use, and Rollback of it succeeds; bytes that are
no transaction id of this emulator answer INVALID_ARGUMENT ("Invalid transaction.").
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from firestore_emulator import query as query_engine
from firestore_emulator.errors import Aborted, InvalidArgument
from firestore_emulator.names import DatabaseId
from firestore_emulator.protos import Pb, micros, now_micros
from firestore_emulator.store import Database, Store

IDLE_SECONDS = 60.0  # Firestore expires a transaction after 60 s without activity
LOCK_WAIT_SECONDS = 10.0  # default for the longest wait for another transaction's lock (see --lock-wait)
ENDED_KEEP_SECONDS = 60.0  # an aborted transaction's id still answers Rollback for this long

EXPIRED = "The referenced transaction has expired or is no longer valid."
INVALID = "Invalid transaction."
READ_TIME_FUTURE = "The requested 'read_time' cannot be in the future."
READ_TIME_PRECISION = "The requested 'read_time' must be a whole number of microseconds."
_ID_KEY = secrets.token_bytes(16)  # signs transaction ids, to tell an ended transaction from garbage
CONTENTION = "Too much contention on these documents. Please try again."  # Firestore's wording
LOCK_TIMEOUT = "Transaction lock timeout."
DEADLOCK = "Transaction was aborted because of a deadlock with another transaction."

LockKey = tuple[DatabaseId, str]
Mode = Literal["shared", "exclusive", "write"]


@dataclass(eq=False)
class _Waiter:
    """Someone waiting on a lock: a transaction's read (shared/exclusive), or a commit (``write``)."""

    transaction: Transaction | None  # None: a non-transactional commit
    mode: Mode
    future: asyncio.Future[None]


@dataclass
class _Lock:
    """One document name's lock: an exclusive holder, or shared holders; and who waits for it."""

    exclusive: Transaction | None = None
    shared: set[Transaction] = field(default_factory=set)
    waiters: list[_Waiter] = field(default_factory=list)

    def admits(self, waiter: _Waiter) -> bool:
        """Whether the waiter could proceed now."""
        if self.exclusive is not None:
            return False
        return waiter.transaction is not None or waiter.mode != "write" or not self.shared


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
    priority: bool = False  # a retry: it reads with exclusive locks
    aborted: str | None = None
    ended: bool = False
    waiting: tuple[LockKey, asyncio.Future[None]] | None = None
    last_active: float = field(default_factory=time.monotonic)

    def record_read(self, name: str, doc: Pb | None) -> None:
        """Remember the version a read-write transaction saw (None: the document did not exist)."""
        if not self.read_only:
            self.reads.setdefault(name, None if doc is None else micros(doc.update_time))


def _signature(nonce: bytes) -> bytes:
    return hmac.new(_ID_KEY, nonce, hashlib.sha256).digest()[:8]


def new_transaction_id() -> bytes:
    """16 bytes: a random nonce and its signature, so a well-formed id is recognised after it ended."""
    nonce = secrets.token_bytes(8)
    return nonce + _signature(nonce)


def check_transaction_id(transaction_id: bytes) -> None:
    """INVALID_ARGUMENT for bytes this emulator never issued as a transaction id."""
    nonce, signature = transaction_id[:8], transaction_id[8:]
    if len(transaction_id) != 16 or not hmac.compare_digest(signature, _signature(nonce)):
        raise InvalidArgument(INVALID)


def read_time_micros(read_time: Pb) -> int:
    """A request's read time in microseconds: INVALID_ARGUMENT below a microsecond or in the future (as Firestore
    and the official emulator answer). An old read time reads what was kept, as the official emulator, which keeps
    every version, answers it (a document created since is NOT_FOUND), where production refuses times older
    than its retention."""
    if read_time.nanos % 1000:
        raise InvalidArgument(READ_TIME_PRECISION)
    at = micros(read_time)
    if at > now_micros():
        raise InvalidArgument(READ_TIME_FUTURE)
    return at


def versions(docs: Iterable[Pb]) -> dict[str, int]:
    """name -> update time of documents, to compare query results."""
    return {doc.name: micros(doc.update_time) for doc in docs}


class TransactionManager:
    """All open transactions and the document locks they hold."""

    def __init__(self, store: Store, lock_wait: float = LOCK_WAIT_SECONDS) -> None:
        self._store = store
        self._lock_wait = lock_wait
        self._transactions: dict[bytes, Transaction] = {}
        self._locks: dict[LockKey, _Lock] = {}

    def begin(self, database: DatabaseId, options: Pb | None) -> Transaction:
        """Start a transaction (read-write unless the options say read-only; a retry gets priority)."""
        mode = options.WhichOneof("mode") if options is not None else None
        read_time = None
        if mode == "read_only":
            ro = options.read_only  # type: ignore[union-attr]
            if ro.HasField("read_time"):
                read_time = read_time_micros(ro.read_time)
            else:
                read_time = self._store.database(database).read_time()
        retry = options.read_write.retry_transaction if mode == "read_write" else b""  # type: ignore[union-attr]
        if retry:
            check_transaction_id(retry)
        transaction = Transaction(
            new_transaction_id(), database, mode == "read_only", read_time, priority=bool(retry)
        )
        self._transactions[transaction.id] = transaction
        return transaction

    def lookup(self, transaction_id: bytes, database: DatabaseId) -> Transaction:
        """The transaction with this id (possibly aborted); ABORTED if it ended, INVALID_ARGUMENT for garbage."""
        check_transaction_id(transaction_id)
        transaction = self._transactions.get(transaction_id)
        if (
            transaction is None
            or transaction.database != database
            or (transaction.ended and not transaction.aborted)
        ):
            raise Aborted(EXPIRED)
        transaction.last_active = time.monotonic()
        return transaction

    async def lock(self, transaction: Transaction, names: Iterable[str]) -> None:
        """Lock document names for a read-write transaction's read (shared, or exclusive for a retry).

        A deadlock or a lock timeout aborts the transaction instead of failing the read (see the module doc).
        """
        for name in names:
            if transaction.read_only or transaction.aborted:
                return
            await self._acquire(transaction, (transaction.database, name))
        transaction.last_active = time.monotonic()

    async def before_write(self, database: DatabaseId, names: list[str], writer: Transaction | None) -> None:
        """Wait until a commit may write these documents; the caller then applies it without awaiting.

        Waits while another transaction holds one of them exclusively (a non-transactional commit: while any
        transaction holds one). ABORTED if the writing transaction is aborted meanwhile.
        """
        while (blocked := self._blocking(database, names, writer)) is not None:
            if not await self._wait(writer, blocked, "write"):
                raise Aborted(writer.aborted if writer is not None and writer.aborted else CONTENTION)

    def take_over(self, database: DatabaseId, names: Iterable[str], writer: Transaction | None) -> None:
        """A commit is writing these documents: the other transactions that read them are aborted."""
        if not self._locks:
            return  # no transaction holds anything (the common case: not one lookup per written document)
        for name in names:
            lock = self._locks.get((database, name))
            for holder in list(lock.shared) if lock is not None else ():
                if holder is not writer:
                    self._wound(holder, CONTENTION)

    def is_locked(self, database: DatabaseId, name: str) -> bool:
        """Whether any transaction holds a lock on the document (BatchWrite refuses such writes)."""
        lock = self._locks.get((database, name))
        return lock is not None and (lock.exclusive is not None or bool(lock.shared))

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

    def finish(self, transaction: Transaction) -> None:
        """A committed transaction: release its locks and forget its id."""
        self._release_all(transaction)
        self._transactions.pop(transaction.id, None)

    def rollback(self, transaction_id: bytes, database: DatabaseId) -> None:
        """Rollback: release the locks; an ended or aborted transaction's id is accepted too (a no-op)."""
        check_transaction_id(transaction_id)
        transaction = self._transactions.get(transaction_id)
        if transaction is not None and transaction.database == database:
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

    async def _acquire(self, transaction: Transaction, key: LockKey) -> None:
        """Take a read lock, waiting behind an exclusive holder; a retry's exclusive lock aborts shared holders."""
        while True:
            lock = self._locks.setdefault(key, _Lock())
            if lock.exclusive is transaction:
                return
            if lock.exclusive is None:
                if transaction.priority:
                    for holder in list(lock.shared - {transaction}):
                        self._wound(holder, CONTENTION)
                    lock.shared.discard(transaction)
                    lock.exclusive = transaction
                else:
                    lock.shared.add(transaction)
                transaction.locks.add(key[1])
                return
            if not await self._wait(transaction, key, "exclusive" if transaction.priority else "shared"):
                return

    def _blocking(self, database: DatabaseId, names: list[str], writer: Transaction | None) -> LockKey | None:
        if not self._locks:
            return None
        for name in names:
            lock = self._locks.get((database, name))
            if lock is None:
                continue
            if lock.exclusive is not None and lock.exclusive is not writer:
                return (database, name)
            if writer is None and lock.shared:
                return (database, name)
        return None

    async def _wait(self, transaction: Transaction | None, key: LockKey, mode: Mode) -> bool:
        """Wait until woken for this lock: True to re-check it; False when the transaction was aborted instead.

        A non-transactional commit that waits too long raises ABORTED.
        """
        lock = self._locks[key]
        if transaction is not None and self._closes_cycle(transaction, lock):
            self._wound(transaction, DEADLOCK)
            return False
        waiter = _Waiter(transaction, mode, asyncio.get_running_loop().create_future())
        lock.waiters.append(waiter)
        if transaction is not None:
            transaction.waiting = (key, waiter.future)
        try:
            await asyncio.wait_for(asyncio.shield(waiter.future), self._lock_wait)
            return True
        except TimeoutError:
            if _woken(waiter.future):
                return True
            self._forget(key, waiter)
            if transaction is None:
                raise Aborted(LOCK_TIMEOUT) from None  # the official emulator's answer to a stuck writer
            self._wound(transaction, LOCK_TIMEOUT)
            return False
        except Aborted:
            self._forget(key, waiter)
            return False  # aborted while waiting: the read goes on unlocked, the commit will answer ABORTED
        except asyncio.CancelledError:
            woken = _woken(waiter.future)
            self._forget(key, waiter)
            if woken:
                self._wake(key)  # the call went away after its turn came: pass the turn on
            raise
        finally:
            if transaction is not None:
                transaction.waiting = None

    def _closes_cycle(self, transaction: Transaction, lock: _Lock) -> bool:
        """Whether waiting for this lock's exclusive holder closes a cycle of waits."""
        seen: set[int] = set()
        current = lock.exclusive
        while current is not None and id(current) not in seen:
            if current is transaction:
                return True
            seen.add(id(current))
            waiting_on = self._locks.get(current.waiting[0]) if current.waiting is not None else None
            current = waiting_on.exclusive if waiting_on is not None else None
        return False

    def _wake(self, key: LockKey) -> None:
        """After a release: wake the first retry waiting, else everyone the lock now admits; drop empty locks."""
        lock = self._locks.get(key)
        if lock is None:
            return
        lock.waiters = [w for w in lock.waiters if not w.future.done()]
        if lock.exclusive is None:
            retry = next((w for w in lock.waiters if w.mode == "exclusive"), None)
            chosen = [retry] if retry is not None else [w for w in lock.waiters if lock.admits(w)]
            for waiter in chosen:
                lock.waiters.remove(waiter)
                waiter.future.set_result(None)
        if lock.exclusive is None and not lock.shared and not lock.waiters:
            del self._locks[key]

    def _forget(self, key: LockKey, waiter: _Waiter) -> None:
        if not waiter.future.done():
            waiter.future.cancel()
        lock = self._locks.get(key)
        if lock is not None and waiter in lock.waiters:
            lock.waiters.remove(waiter)

    def _release_all(self, transaction: Transaction) -> None:
        for name in list(transaction.locks):
            key = (transaction.database, name)
            lock = self._locks.get(key)
            if lock is None:
                continue
            if lock.exclusive is transaction:
                lock.exclusive = None
            lock.shared.discard(transaction)
            self._wake(key)
        transaction.locks.clear()
        transaction.ended = True

    def _wound(self, transaction: Transaction, reason: str) -> None:
        if transaction.aborted is None:
            transaction.aborted = reason
        if transaction.waiting is not None and not transaction.waiting[1].done():
            transaction.waiting[1].set_exception(Aborted(reason))
        self._release_all(transaction)


def _woken(future: asyncio.Future[None]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None
