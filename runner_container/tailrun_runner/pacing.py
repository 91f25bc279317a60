"""When the next output batch may go: a line after quiet at once, sustained output a few chunk documents a second.

Every output message becomes one Firestore chunk document, and every watcher reads every chunk again, so what a
job costs (and what a stack full of jobs can carry) is set by how many batches it sends, not by how many lines. A
batch size alone cannot bound that: a job printing 10 lines/s with a 25 ms age limit sent one chunk per line.
So batches are also *spaced* (``Pacer``):

- **After quiet, at once.** A line queued when the last batch was taken at least the spacing ago goes once it has
  waited ``linger_s`` (``TAILRUN_BATCH_MAX_AGE_MS``, 5 ms by default: enough for the rest of one ``print`` burst
  to join it, nothing a person notices).
- **Sustained output, spaced.** Otherwise a batch goes no sooner than the spacing after the previous one:
  ``interval_s`` (``TAILRUN_BATCH_INTERVAL_MS``, 200 ms) while the batches are small, ``heavy_interval_s``
  (``TAILRUN_BATCH_HEAVY_INTERVAL_MS``, 1,000 ms) after a batch of at least ``heavy_lines``
  (``BATCH_HEAVY_LINES``, 50) lines and events. So a job sends at most 5 output messages a second (one per
  200 ms; the documented per-job ceiling for sparse output), and one printing more than 250 lines/s at most 1
  (back to 5/s once it drops under 50 lines/s, when a 1 s batch holds fewer than 50): at 1,000 lines/s that is 1
  chunk per 1,000 lines, each written with the job document (3 Firestore writes per 1,000 lines); at 10 lines/s a
  line waits 100 ms at the median, 200 ms at most.
- **Not spaced:** a full batch (``max_lines`` or ``max_bytes``: the ceiling under a flood stays one batch per
  round trip), and everything once the job's streams have ended (``completed`` follows at once).

Delivery stays stop-and-wait: the spacing only delays when a batch is *taken*; while one is in flight the next
cannot go anyway, and lines printed meanwhile join it. Nothing here changes what a batch holds or its order, so
every guarantee of the outbox (order, no gaps, backpressure, byte-identical resends) is untouched.

``interval_s = heavy_interval_s = 0`` is the old fixed policy: a batch goes when its first line is ``linger_s``
old (``TAILRUN_BATCH_INTERVAL_MS=0 TAILRUN_BATCH_HEAVY_INTERVAL_MS=0 TAILRUN_BATCH_MAX_AGE_MS=25`` is the batching
before issue 18; ``bench/load_bench.py`` measures against it).

Pure: the caller passes the times, so the decisions are tested with plain numbers (tests/runner/test_pacing.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Pacing:
    """The spacing parameters (seconds; lines), see the module docstring."""

    linger_s: float
    interval_s: float = 0.0
    heavy_interval_s: float = 0.0
    heavy_lines: int = 50


class Pacer:
    """Remembers when the last batch was taken and how large it was; says when the next one may go."""

    def __init__(self, pacing: Pacing) -> None:
        self._pacing = pacing
        self._last_taken = float("-inf")  # monotonic time the last batch was taken
        self._spacing = pacing.interval_s  # the spacing that applies to the next batch

    @property
    def spacing_s(self) -> float:
        """The spacing the next batch keeps from the last one."""
        return self._spacing

    def due_at(self, oldest_queued_at: float) -> float:
        """When a batch whose oldest item was queued at ``oldest_queued_at`` may go (unless full or closing)."""
        return max(oldest_queued_at + self._pacing.linger_s, self._last_taken + self._spacing)

    def taken(self, now: float, items: int) -> None:
        """A batch of ``items`` lines and events was taken at ``now``: space the next one accordingly."""
        pacing = self._pacing
        self._last_taken = now
        heavy = items >= pacing.heavy_lines
        self._spacing = max(pacing.heavy_interval_s, pacing.interval_s) if heavy else pacing.interval_s
