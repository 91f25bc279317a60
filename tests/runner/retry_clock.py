"""A hand-driven clock for unit tests of the retry policy and of what uses it: waits advance time at once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from tailrun_runner.retry import Retrier, RetryPolicy

START = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)


class FakeClock:
    """Monotonic time and the wall clock (``START`` plus the monotonic time) move only when a wait is made.

    ``stop_after``: the number of waits after which the ``stop`` event is set (as a signal arriving during that
    wait would)."""

    def __init__(self, *, stop_after: int | None = None) -> None:
        self.now_s = 0.0
        self.sleeps: list[float] = []
        self.stop = threading.Event()
        self._stop_after = stop_after

    def monotonic(self) -> float:
        return self.now_s

    def now(self) -> datetime:
        return START + timedelta(seconds=self.now_s)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now_s += seconds
        if self._stop_after is not None and len(self.sleeps) >= self._stop_after:
            self.stop.set()

    def retrier(self, policy: RetryPolicy, jitter: float = 1.0) -> Retrier:
        """A retrier on this clock, whose jitter always draws ``jitter`` (1.0: the full backoff ceiling)."""
        return Retrier(
            policy,
            stop=self.stop,
            sleep=self.sleep,
            monotonic=self.monotonic,
            now=self.now,
            rng=lambda: jitter,
        )
