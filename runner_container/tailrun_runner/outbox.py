"""The bounded, ordered store between the thread that reads the job's pipes and the thread that delivers.

The reader puts encoded output lines and progress reports in, in the order the job printed them; the sender takes
the next thing to send. Undelivered bytes (queued plus in flight) are bounded by ``max_bytes``: when the bound is
reached, ``put`` blocks, the reader stops reading the pipes, the pipes fill and the job blocks on its next write.
(The bound is checked before each ``put``, so it can be passed by the lines of one read of a pipe: at most 64 KiB
of output, but up to 65,536 entries when the lines are empty, ~12 MB counted. Measured with a 1 MiB bound, the
runner's RSS stays ~23 MiB for ordinary lines and ~45 MiB for a flood of empty ones.)
Nothing is dropped unless delivery was abandoned (the callback refused the attempt): then nothing more can go.

Batching policy (``take``): the lines queued so far form one batch once there are ``max_lines`` of them, or
``max_bytes`` of JSON, or the stream has ended, or when ``pacing.Pacer`` says so: the oldest has waited
``max_age_s`` (the linger) and the batch before was taken at least the spacing ago (``interval_s``, or
``heavy_interval_s`` after a batch of ``heavy_lines`` or more; see ``pacing``: a line after quiet goes at once,
sustained output a few batches a second). Delivery is stop-and-wait, so lines printed while a request is in
flight join the next batch: heavy output batches itself.

Events (``events``: workflow commands, an agent's stream) travel in the same queue as lines and batch like lines:
each counts toward ``max_lines`` and ``max_bytes`` as a line does, so a flood of events costs the messages the same
number of lines would, and the lines printed among them go in the same batches, in order. Once the attempt has had
an event, every batch carries the state after it (so a batch of lines alone tells readers how many events came
before it, and they can wait for a late batch of events).

Progress reports travel in the same queue, so one is never sent before the lines printed before it. They are
coalesced: a batch takes the lines up to its limits and skips over the reports among them; the latest of those is
sent right after the batch. A job that prints a report after every line costs one extra request per batch, not
one per report. And reports go at most once per ``progress_interval_s`` (the latest waits, while later lines go
on; once the job has ended it goes at once): each one costs the callback a write to the attempt's documents, which
Firestore sustains about once a second, whereas a job may print reports in a tight loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from tailrun_runner.capture import Progress
from tailrun_runner.defaults import EVENT_OVERHEAD_BYTES, LINE_OVERHEAD_BYTES, PROGRESS_HELD_BYTES
from tailrun_runner.events import QueuedEvent, State
from tailrun_runner.pacing import Pacer, Pacing

logger = logging.getLogger(__name__)

Item = bytes | Progress | QueuedEvent


@dataclass(frozen=True, slots=True)
class Batch:
    """Output lines and events taken for one message: their JSON entries, the bytes they hold in the bound, and
    the attempt's state after the batch (None until the attempt has had an event)."""

    entries: list[bytes]
    held_bytes: int
    events: list[bytes] = field(default_factory=list)
    state: State | None = None


@dataclass(frozen=True, slots=True)
class BatchPolicy:
    """When the queued lines make a batch (see the module docstring)."""

    max_lines: int
    max_bytes: int
    max_age_s: float  # the linger: how long the first line of a batch waits for company, at least
    progress_interval_s: float = 0.0
    interval_s: float = 0.0  # the spacing between batches (``pacing``); 0: none, the age alone decides
    heavy_interval_s: float = 0.0  # the spacing after a batch of ``heavy_lines`` lines and events or more
    heavy_lines: int = 50


class Outbox:
    """Output lines, events and progress reports in the order the job printed them, waiting for delivery;
    thread-safe."""

    def __init__(
        self, *, policy: BatchPolicy, max_bytes: int, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._policy = policy
        self._pacer = Pacer(
            Pacing(
                linger_s=policy.max_age_s,
                interval_s=policy.interval_s,
                heavy_interval_s=policy.heavy_interval_s,
                heavy_lines=policy.heavy_lines,
            )
        )
        self._max_bytes = max_bytes
        self._monotonic = monotonic
        self._cond = threading.Condition()
        self._items: deque[tuple[Item, float]] = (
            deque()
        )  # (JSON entry or report, monotonic time it was queued)
        self._queued_bytes = 0  # JSON of queued lines plus bookkeeping overhead: what the bound measures
        self._batch_bytes = 0  # JSON of queued lines only: what the batch byte limit measures
        self._inflight_bytes = 0
        self._progress: Progress | None = None  # the latest report taken out of the queue, not yet sent
        self._progress_at = float("-inf")  # monotonic time from which the next report may go
        self._closed = False
        self._abandoned = False
        self._held_back = (
            False  # the bound was reached once: said in the log (once, a flood reaches it often)
        )
        self.discarded_lines = 0
        self._state: State | None = None  # the state after the last event taken, sent with every later batch

    def put(self, items: list[Item]) -> None:
        """Queue lines (JSON entries), events and progress reports in order; block while the bound is reached."""
        if not items:
            return
        now = self._monotonic()
        size = sum(map(_size, items))
        held = sum(map(_held, items))
        with self._cond:
            while not self._abandoned and self._queued_bytes + self._inflight_bytes >= self._max_bytes:
                if not self._held_back:
                    self._held_back = True
                    logger.info(
                        "undelivered output reached %d bytes: the job's output is held back (it blocks on write) "
                        "until the callback acknowledges more",
                        self._max_bytes,
                    )
                self._cond.wait()
            if self._abandoned:
                self.discarded_lines += sum(isinstance(item, bytes) for item in items)
                return
            self._items.extend((item, now) for item in items)
            self._queued_bytes += held
            self._batch_bytes += size
            self._cond.notify_all()

    def close(self) -> None:
        """The job's streams have ended: flush the rest without waiting for the age limit."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def abandon(self) -> None:
        """Nothing more will be delivered: drop what is queued and never block the reader again."""
        with self._cond:
            self._abandoned = True
            self.discarded_lines += sum(isinstance(item, bytes) for item, _ in self._items)
            self._items.clear()
            self._progress = None
            self._queued_bytes = self._batch_bytes = self._inflight_bytes = 0
            self._cond.notify_all()

    def acked(self, batch: Batch) -> None:
        """The callback acknowledged ``batch``: its bytes no longer count against the bound."""
        with self._cond:
            self._inflight_bytes = max(0, self._inflight_bytes - batch.held_bytes)
            self._cond.notify_all()

    def take(self, deadline: float | None) -> Batch | Progress | None:
        """Wait until a batch or a progress report is due, or ``deadline`` (monotonic) passes.

        Returns None at the deadline, or once the outbox is closed and empty (see ``drained``).
        """
        with self._cond:
            while True:
                now = self._monotonic()
                item = self._due(now)
                if item is not None:
                    return item
                if self._drained() or (deadline is not None and now >= deadline):
                    return None
                wake = self._next_wake(deadline)
                self._cond.wait(None if wake is None else max(wake - now, 0.0))

    def drained(self) -> bool:
        """Whether the streams have ended and everything queued has been taken."""
        with self._cond:
            return self._drained()

    def _drained(self) -> bool:
        return self._closed and not self._items and self._progress is None

    def _due(self, now: float) -> Batch | Progress | None:
        if not self._progress_due(now) and self._items:
            head, queued_at = self._items[0]
            policy = self._policy
            full = len(self._items) >= policy.max_lines or self._batch_bytes >= policy.max_bytes
            if full or self._closed or now >= self._pacer.due_at(queued_at):
                batch = self._take_batch()
                if batch is not None:
                    self._pacer.taken(now, len(batch.entries) + len(batch.events))
                    return batch
            elif isinstance(head, Progress):  # the lines before it are taken: it may go, the lines after wait
                self._take_reports()
        if self._progress_due(now):
            progress, self._progress = self._progress, None
            self._progress_at = now + self._policy.progress_interval_s
            return progress
        return None

    def _progress_due(self, now: float) -> bool:
        return self._progress is not None and (self._closed or now >= self._progress_at)

    def _take_batch(self) -> Batch | None:
        """Take lines and events from the front up to the batch limits (a single one always fits, even over the
        limit).

        Progress reports among them are taken too; the latest replaces the one waiting to be sent. None when
        only reports were taken.
        """
        policy = self._policy
        entries: list[bytes] = []
        events: list[bytes] = []
        size = held = 0
        progress: Progress | None = None
        while self._items and len(entries) + len(events) < policy.max_lines:
            item = self._items[0][0]
            if isinstance(item, Progress):
                progress = item
            else:
                entry = item if isinstance(item, bytes) else item.entry
                if (entries or events) and size + len(entry) > policy.max_bytes:
                    break
                if isinstance(item, bytes):
                    entries.append(item)
                else:
                    events.append(entry)
                    self._state = item.state
                size += len(entry)
            held += _held(item)
            self._items.popleft()
        self._queued_bytes -= held
        self._batch_bytes -= size
        if progress is not None:
            self._progress = progress
        if not entries and not events:
            return None
        self._inflight_bytes += held
        return Batch(entries=entries, held_bytes=held, events=events, state=self._state)

    def _take_reports(self) -> None:
        """Take the progress reports at the front of the queue (the latest waits to be sent)."""
        while self._items and isinstance(self._items[0][0], Progress):
            report = self._items.popleft()[0]
            assert isinstance(report, Progress)
            self._progress = report
            self._queued_bytes -= _held(report)

    def _next_wake(self, deadline: float | None) -> float | None:
        oldest = self._pacer.due_at(self._items[0][1]) if self._items else None
        progress = self._progress_at if self._progress is not None else None
        wakes = [t for t in (deadline, oldest, progress) if t is not None]
        return min(wakes) if wakes else None


def _size(item: Item) -> int:
    """Bytes of JSON one queued item adds to a batch (a progress report goes in a message of its own)."""
    if isinstance(item, bytes):
        return len(item)
    return len(item.entry) if isinstance(item, QueuedEvent) else 0


def _held(item: Item) -> int:
    """Bytes one queued item counts against the bound."""
    if isinstance(item, bytes):
        return len(item) + LINE_OVERHEAD_BYTES
    if isinstance(item, QueuedEvent):
        return len(item.entry) + EVENT_OVERHEAD_BYTES
    return PROGRESS_HELD_BYTES
