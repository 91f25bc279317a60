"""The bounded, ordered store between the thread that reads the job's pipes and the thread that delivers.

The reader puts encoded output lines and progress reports in; the sender takes the next thing to send, in order.
Undelivered bytes (queued plus in flight) are bounded by ``max_bytes``: when the bound is reached, ``put_lines``
blocks, the reader stops reading the pipes, the pipes fill and the job blocks on its next write. Nothing is dropped
unless the delivery has been abandoned (the callback refused the attempt), when nothing more can be delivered.

Batching policy (``take``): the lines queued so far form one batch once there are ``max_lines`` of them, or
``max_bytes`` of JSON, or the oldest has waited ``max_age_s``, or the stream has ended. Delivery is stop-and-wait,
so lines printed while a request is in flight join the next batch: heavy output batches itself.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from tailrun_runner.capture import Progress
from tailrun_runner.defaults import LINE_OVERHEAD_BYTES


@dataclass(frozen=True, slots=True)
class Batch:
    """Output lines taken for one message: their JSON entries and the bytes they hold in the bound."""

    entries: list[bytes]
    held_bytes: int


@dataclass(frozen=True, slots=True)
class BatchPolicy:
    """When the queued lines make a batch (see the module docstring)."""

    max_lines: int
    max_bytes: int
    max_age_s: float


class Outbox:
    """Ordered lines and the latest progress report, waiting for delivery; thread-safe."""

    def __init__(
        self, *, policy: BatchPolicy, max_bytes: int, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._policy = policy
        self._max_bytes = max_bytes
        self._monotonic = monotonic
        self._cond = threading.Condition()
        self._lines: deque[tuple[bytes, float]] = deque()  # (JSON entry, monotonic time it was queued)
        self._queued_bytes = 0  # JSON of queued lines, plus the bookkeeping overhead per line
        self._batch_bytes = 0  # JSON only, which is what the batch byte limit measures
        self._inflight_bytes = 0
        self._taken_lines = 0  # lines handed to the sender so far
        self._progress: Progress | None = None
        self._progress_after = 0  # the progress is sent only once this many lines have been taken
        self._closed = False
        self._abandoned = False
        self.discarded_lines = 0

    def put_lines(self, entries: list[bytes]) -> None:
        """Queue output lines in order; block while the undelivered bytes are at the bound."""
        if not entries:
            return
        now = self._monotonic()
        size = sum(map(len, entries))
        with self._cond:
            while not self._abandoned and self._queued_bytes + self._inflight_bytes >= self._max_bytes:
                self._cond.wait()
            if self._abandoned:
                self.discarded_lines += len(entries)
                return
            self._lines.extend((entry, now) for entry in entries)
            self._queued_bytes += size + LINE_OVERHEAD_BYTES * len(entries)
            self._batch_bytes += size
            self._cond.notify_all()

    def put_progress(self, progress: Progress, after_lines: int) -> None:
        """Record a progress report printed after ``after_lines`` output lines.

        Only the latest report is kept (a progress bar must not flood the callback). It is sent once the lines
        printed before the oldest pending report have been taken, so it never overtakes them by much and never
        waits behind a steady stream of newer lines.
        """
        with self._cond:
            if self._progress is None:
                self._progress_after = after_lines
            self._progress = progress
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
            self.discarded_lines += len(self._lines)
            self._lines.clear()
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
                wake = self._next_wake(now, deadline)
                self._cond.wait(None if wake is None else max(wake - now, 0.0))

    def drained(self) -> bool:
        """Whether the streams have ended and everything queued has been taken."""
        with self._cond:
            return self._drained()

    def _drained(self) -> bool:
        return self._closed and not self._lines and self._progress is None

    def _due(self, now: float) -> Batch | Progress | None:
        if self._progress is not None and self._taken_lines >= self._progress_after:
            progress, self._progress = self._progress, None
            return progress
        if not self._lines:
            return None
        policy = self._policy
        full = len(self._lines) >= policy.max_lines or self._batch_bytes >= policy.max_bytes
        if full or self._closed or now - self._lines[0][1] >= policy.max_age_s or self._progress is not None:
            return self._take_batch()
        return None

    def _take_batch(self) -> Batch:
        """Take lines from the front, up to the batch limits (a single line always fits, even over the limit)."""
        policy = self._policy
        limit = policy.max_lines
        if self._progress is not None:
            limit = min(limit, max(self._progress_after - self._taken_lines, 1))
        entries: list[bytes] = []
        size = 0
        while self._lines and len(entries) < limit:
            entry = self._lines[0][0]
            if entries and size + len(entry) > policy.max_bytes:
                break
            self._lines.popleft()
            entries.append(entry)
            size += len(entry)
        held = size + LINE_OVERHEAD_BYTES * len(entries)
        self._queued_bytes -= held
        self._batch_bytes -= size
        self._inflight_bytes += held
        self._taken_lines += len(entries)
        return Batch(entries=entries, held_bytes=held)

    def _next_wake(self, now: float, deadline: float | None) -> float | None:
        oldest = self._lines[0][1] + self._policy.max_age_s if self._lines else None
        wakes = [t for t in (deadline, oldest) if t is not None]
        return min(wakes) if wakes else None
