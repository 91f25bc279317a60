"""The event hub: one set of Firestore listeners per job (or batch) and instance, shared by every stream of it.

A stream (``sse.EventStream``, ``sse.BatchEventStream``) subscribes to its job's ``Feed`` or its batch's
``BatchFeed``. The first subscriber opens the feed's listeners (a job: its document, its ``chunks`` and its
``artifacts``; a batch: its document and its ``rows``); later subscribers share them, so 100 viewers of one job cost
one listener set, not 100. The feed keeps what its listeners delivered (the latest document, every chunk, artifact or
row by id), so a late subscriber starts from a copy of it (its ``backlog``) and then receives what changes. The last
subscriber to leave closes the listeners (reference counting, under the hub's lock).

Each subscription has its own bounded queue: the listeners' threads never wait for a stream. A stream whose client
reads too slowly falls behind until its queue is full; the subscription is then marked ``overflowed`` and the stream
ends with a final comment (the client resumes with ``Last-Event-ID``), instead of holding memory without bound.

The cap on open streams per user (``StreamSlots``) is kept here too, per instance: counting across the instances of
a deployment would need a shared store (a Firestore document per user costs a write per stream opened and closed,
and leaks on an instance that dies; Redis is not part of tailrun), so a user may hold the cap on each instance.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tailrun_functions import defaults
from tailrun_functions.batches import BATCHES, ROWS
from tailrun_functions.schema import ARTIFACTS, CHUNKS, JOBS

logger = logging.getLogger(__name__)

Message = tuple[str, Any]  # ("job" | "batch", document | None), ("chunk" | "artifact" | "row", document)
LISTENERS_PER_FEED = 3  # a job's: its document, its chunks, its artifacts
LISTENERS_PER_BATCH_FEED = 2  # a batch's: its document, its rows
FeedKey = tuple[str, str]  # ("job", job_id) or ("batch", batch_id)


class Subscription:
    """One stream's view of a feed: what the feed held when it joined (``backlog``), then a bounded queue."""

    def __init__(self, feed: SharedFeed, backlog: list[Message], maxsize: int) -> None:
        self.feed = feed
        self.backlog = backlog
        self.queue: queue.Queue[Message] = queue.Queue(maxsize)
        self.overflowed = threading.Event()

    def offer(self, message: Message) -> None:
        """Queue a message without waiting; a full queue marks the subscription overflowed (its stream ends)."""
        if self.overflowed.is_set():
            return
        try:
            self.queue.put_nowait(message)
        except queue.Full:
            logger.warning(
                "a stream of %s %s fell %d messages behind: cutting it off",
                *self.feed.key,
                self.queue.maxsize,
            )
            self.overflowed.set()


@dataclass
class SharedFeed:
    """The listeners of one document and its subcollections, and what they delivered, fanned out to every
    subscription (``Feed`` for a job, ``BatchFeed`` for a batch)."""

    db: Any
    subscribers: list[Subscription] = field(default_factory=list, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _watches: list[Any] = field(default_factory=list, init=False)

    @property
    def key(self) -> FeedKey:
        raise NotImplementedError

    def start(self) -> None:
        raise NotImplementedError

    def _backlog(self) -> list[Message]:
        """A copy of what the feed holds, in the order a new stream takes it (called under the feed's lock)."""
        raise NotImplementedError

    def stop(self) -> None:
        for watch in self._watches:
            try:
                watch.unsubscribe()
            except Exception:  # a listener whose client is already closed: nothing is left to stop
                logger.debug("closing a listener of %s %s", *self.key, exc_info=True)
        self._watches.clear()

    @property
    def listeners(self) -> int:
        return len(self._watches)

    def subscribe(self, maxsize: int) -> Subscription:
        """A new subscription: a copy of what the feed holds (``_backlog``), then every change."""
        with self._lock:
            subscription = Subscription(self, self._backlog(), maxsize)
            self.subscribers.append(subscription)
            return subscription

    def unsubscribe(self, subscription: Subscription) -> int:
        """Forget a subscription; how many are left."""
        with self._lock:
            if subscription in self.subscribers:
                self.subscribers.remove(subscription)
            return len(self.subscribers)

    def _publish(self, message: Message) -> None:
        for subscription in self.subscribers:
            subscription.offer(message)

    def _on_document(self, kind: str) -> Callable[[list[Any], Any, Any], None]:
        """A listener of the feed's document: keeps the latest (None once deleted) and publishes it."""

        def on_snapshot(docs: list[Any], _changes: Any, _read_time: Any) -> None:
            with self._lock:
                for doc in docs:
                    self._keep_document(doc.to_dict() if doc.exists else None)
                    self._publish((kind, self._document()))

        return on_snapshot

    def _keep_document(self, document: dict[str, Any] | None) -> None:
        raise NotImplementedError

    def _document(self) -> dict[str, Any] | None:
        raise NotImplementedError

    def _on_changes(
        self, kind: str, held: dict[str, dict[str, Any]], id_field: str | None = None
    ) -> Callable[[Any, list[Any], Any], None]:
        """A listener of a subcollection: keeps each added or changed document by id and publishes it
        (``id_field``: the field that carries the document's id when the document itself does not)."""

        def on_snapshot(_docs: Any, changes: list[Any], _read_time: Any) -> None:
            with self._lock:
                for change in changes:
                    if change.type.name in ("ADDED", "MODIFIED"):
                        document = change.document.to_dict() or {}
                        if id_field is not None:
                            document.setdefault(id_field, change.document.id)
                        held[change.document.id] = document
                        self._publish((kind, document))

        return on_snapshot


@dataclass
class Feed(SharedFeed):
    """A job's listeners (its document, its chunks, its artifacts) and what they delivered."""

    job_id: str = ""
    job: dict[str, Any] | None = field(default=None, init=False)
    chunks: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)
    artifacts: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)
    job_seen: bool = field(default=False, init=False)  # the job listener delivered its first snapshot

    @property
    def key(self) -> FeedKey:
        return ("job", self.job_id)

    def start(self) -> None:
        job_ref = self.db.collection(JOBS).document(self.job_id)
        self._watches.append(job_ref.on_snapshot(self._on_document("job")))
        self._watches.append(job_ref.collection(CHUNKS).on_snapshot(self._on_changes("chunk", self.chunks)))
        self._watches.append(
            job_ref.collection(ARTIFACTS).on_snapshot(
                self._on_changes("artifact", self.artifacts, id_field="artifact_id")
            )
        )

    def _backlog(self) -> list[Message]:
        """The job first, chunks by id, artifacts by id."""
        backlog: list[Message] = [("job", self.job)] if self.job_seen else []
        backlog += [("chunk", self.chunks[name]) for name in sorted(self.chunks)]
        backlog += [("artifact", self.artifacts[name]) for name in sorted(self.artifacts)]
        return backlog

    def _keep_document(self, document: dict[str, Any] | None) -> None:
        self.job, self.job_seen = document, True

    def _document(self) -> dict[str, Any] | None:
        return self.job


@dataclass
class BatchFeed(SharedFeed):
    """A batch's listeners (its document, its rows in row order) and what they delivered."""

    batch_id: str = ""
    batch: dict[str, Any] | None = field(default=None, init=False)
    rows: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)  # by id: {row:06d}
    batch_seen: bool = field(default=False, init=False)

    @property
    def key(self) -> FeedKey:
        return ("batch", self.batch_id)

    def start(self) -> None:
        batch_ref = self.db.collection(BATCHES).document(self.batch_id)
        self._watches.append(batch_ref.on_snapshot(self._on_document("batch")))
        rows = batch_ref.collection(ROWS).order_by("row")
        self._watches.append(rows.on_snapshot(self._on_changes("row", self.rows)))

    def _backlog(self) -> list[Message]:
        """The batch first, then its rows in row order (row ids are the row number in six digits)."""
        backlog: list[Message] = [("batch", self.batch)] if self.batch_seen else []
        backlog += [("row", self.rows[name]) for name in sorted(self.rows)]
        return backlog

    def _keep_document(self, document: dict[str, Any] | None) -> None:
        self.batch, self.batch_seen = document, True

    def _document(self) -> dict[str, Any] | None:
        return self.batch


class Hub:
    """The feeds of one Firestore client, by job or batch, each open while it has a subscription."""

    def __init__(self, db: Any, queue_max: int = defaults.SSE_QUEUE_MAX) -> None:
        self.db = db
        self.queue_max = queue_max
        self._feeds: dict[FeedKey, SharedFeed] = {}
        self._lock = threading.Lock()
        self.opened = 0  # feeds opened since the hub was made

    def subscribe(self, job_id: str) -> Subscription:
        """Join the job's feed, opening its listeners if this is its first subscription."""
        return self._subscribe(("job", job_id), lambda: Feed(self.db, job_id=job_id))

    def subscribe_batch(self, batch_id: str) -> Subscription:
        """Join the batch's feed, opening its two listeners if this is its first subscription."""
        return self._subscribe(("batch", batch_id), lambda: BatchFeed(self.db, batch_id=batch_id))

    def _subscribe(self, key: FeedKey, make: Callable[[], SharedFeed]) -> Subscription:
        with self._lock:
            feed = self._feeds.get(key)
            if feed is None:
                feed = self._feeds[key] = make()
                feed.start()
                self.opened += 1
            return feed.subscribe(self.queue_max)

    def unsubscribe(self, subscription: Subscription) -> None:
        """Leave a feed; the last subscription to leave closes its listeners."""
        with self._lock:
            feed = subscription.feed
            if feed.unsubscribe(subscription) == 0 and self._feeds.get(feed.key) is feed:
                del self._feeds[feed.key]
                feed.stop()

    @property
    def listeners(self) -> int:
        """How many Firestore listeners are open now."""
        with self._lock:
            return sum(feed.listeners for feed in self._feeds.values())

    @property
    def subscriptions(self) -> int:
        with self._lock:
            return sum(len(feed.subscribers) for feed in self._feeds.values())


class StreamSlots:
    """Open streams per user on this instance, capped: ``acquire`` refuses the stream past the cap."""

    def __init__(self) -> None:
        self._open: dict[str, int] = {}
        self._lock = threading.Lock()

    def acquire(self, uid: str, cap: int) -> bool:
        with self._lock:
            if self._open.get(uid, 0) >= cap:
                return False
            self._open[uid] = self._open.get(uid, 0) + 1
            return True

    def release(self, uid: str) -> None:
        with self._lock:
            left = self._open.get(uid, 0) - 1
            if left > 0:
                self._open[uid] = left
            else:
                self._open.pop(uid, None)

    def open(self, uid: str) -> int:
        with self._lock:
            return self._open.get(uid, 0)


_hubs: dict[int, tuple[Any, Hub]] = {}  # id(Firestore client) → (the client, kept alive; its hub)
_hubs_lock = threading.Lock()
SLOTS = StreamSlots()


def hub_for(db: Any) -> Hub:
    """The hub of a Firestore client (one per ``Services``, made on first use)."""
    with _hubs_lock:
        entry = _hubs.get(id(db))
        if entry is None or entry[0] is not db:
            entry = _hubs[id(db)] = (db, Hub(db))
        return entry[1]


def hubs() -> list[Hub]:
    """Every hub of the process (the benchmark and the tests count their listeners)."""
    with _hubs_lock:
        return [hub for _db, hub in _hubs.values()]
