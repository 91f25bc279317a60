"""The event hub: one set of Firestore listeners per job and instance, shared by every stream of that job.

A stream (``sse.EventStream``) subscribes to its job's ``Feed``. The first subscriber of a job opens the feed's
three listeners (the job document, its ``chunks`` and its ``artifacts``); later subscribers share them, so 100
viewers of one job cost one listener set, not 100. The feed keeps what its listeners delivered (the latest job
document, every chunk and artifact by id), so a late subscriber starts from a copy of it (its ``backlog``) and then
receives what changes. The last subscriber to leave closes the listeners (reference counting, under the hub's lock).

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
from tailrun_functions.schema import ARTIFACTS, CHUNKS, JOBS

logger = logging.getLogger(__name__)

Message = tuple[str, Any]  # ("job", document | None), ("chunk", document), ("artifact", document)
LISTENERS_PER_FEED = 3  # the job document, its chunks, its artifacts


class Subscription:
    """One stream's view of a feed: what the feed held when it joined (``backlog``), then a bounded queue."""

    def __init__(self, feed: Feed, backlog: list[Message], maxsize: int) -> None:
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
                "a stream of job %s fell %d messages behind: cutting it off",
                self.feed.job_id,
                self.queue.maxsize,
            )
            self.overflowed.set()


@dataclass
class Feed:
    """The listeners of one job and what they delivered, fanned out to every subscription of the job."""

    db: Any
    job_id: str
    job: dict[str, Any] | None = None
    chunks: dict[str, dict[str, Any]] = field(default_factory=dict)
    artifacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscribers: list[Subscription] = field(default_factory=list)
    job_seen: bool = False  # the job listener delivered its first snapshot
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _watches: list[Any] = field(default_factory=list)

    def start(self) -> None:
        job_ref = self.db.collection(JOBS).document(self.job_id)
        self._watches.append(job_ref.on_snapshot(self._on_job))
        self._watches.append(job_ref.collection(CHUNKS).on_snapshot(self._on_changes("chunk", self.chunks)))
        self._watches.append(
            job_ref.collection(ARTIFACTS).on_snapshot(self._on_changes("artifact", self.artifacts))
        )

    def stop(self) -> None:
        for watch in self._watches:
            try:
                watch.unsubscribe()
            except Exception:  # a listener whose client is already closed: nothing is left to stop
                logger.debug("closing a listener of job %s", self.job_id, exc_info=True)
        self._watches.clear()

    @property
    def listeners(self) -> int:
        return len(self._watches)

    def subscribe(self, maxsize: int) -> Subscription:
        """A new subscription: a copy of what the feed holds (job first, chunks by id, artifacts), then changes."""
        with self._lock:
            backlog: list[Message] = [("job", self.job)] if self.job_seen else []
            backlog += [("chunk", self.chunks[name]) for name in sorted(self.chunks)]
            backlog += [("artifact", self.artifacts[name]) for name in sorted(self.artifacts)]
            subscription = Subscription(self, backlog, maxsize)
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

    def _on_job(self, docs: list[Any], _changes: Any, _read_time: Any) -> None:
        with self._lock:
            for doc in docs:
                self.job = doc.to_dict() if doc.exists else None
                self.job_seen = True
                self._publish(("job", self.job))

    def _on_changes(
        self, kind: str, held: dict[str, dict[str, Any]]
    ) -> Callable[[Any, list[Any], Any], None]:
        def on_snapshot(_docs: Any, changes: list[Any], _read_time: Any) -> None:
            with self._lock:
                for change in changes:
                    if change.type.name in ("ADDED", "MODIFIED"):
                        document = change.document.to_dict() or {}
                        if kind == "artifact":
                            document.setdefault("artifact_id", change.document.id)
                        held[change.document.id] = document
                        self._publish((kind, document))

        return on_snapshot


class Hub:
    """The feeds of one Firestore client, by job id, each open while it has a subscription."""

    def __init__(self, db: Any, queue_max: int = defaults.SSE_QUEUE_MAX) -> None:
        self.db = db
        self.queue_max = queue_max
        self._feeds: dict[str, Feed] = {}
        self._lock = threading.Lock()
        self.opened = 0  # feeds opened since the hub was made (each opened LISTENERS_PER_FEED listeners)

    def subscribe(self, job_id: str) -> Subscription:
        """Join the job's feed, opening its listeners if this is its first subscription."""
        with self._lock:
            feed = self._feeds.get(job_id)
            if feed is None:
                feed = self._feeds[job_id] = Feed(self.db, job_id)
                feed.start()
                self.opened += 1
            return feed.subscribe(self.queue_max)

    def unsubscribe(self, subscription: Subscription) -> None:
        """Leave a feed; the last subscription to leave closes its listeners."""
        with self._lock:
            feed = subscription.feed
            if feed.unsubscribe(subscription) == 0 and self._feeds.get(feed.job_id) is feed:
                del self._feeds[feed.job_id]
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
