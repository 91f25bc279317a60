"""Following a job: Firestore listeners on the job document and its chunks, turned into ordered output.

The runner numbers every output line of an attempt (``line`` 0, 1, 2, … across both streams) and the callback stores
each batch once as ``jobs/{id}/chunks/{attempt:04d}-{seq:08d}``. Chunks can reach a listener out of order (two
batches committed close together, a redelivery), so the follower releases lines only while they are contiguous:
a chunk that starts past the next expected line waits until the missing one arrives. Once the job has ended and
every stored line has been shown, following ends; a gap still open after a grace period is reported, not hidden.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from tailrun_functions.schema import ATTEMPTS, CHUNKS, JOBS
from tailrun_functions.states import TERMINAL

from tailrun import settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutputLine:
    """One line a job printed."""

    line: int
    stream: Literal["stdout", "stderr"]
    text: str
    cut: bool = False
    partial: bool = False

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> OutputLine:
        """Read a line as the callback stores it in a chunk."""
        stream: Literal["stdout", "stderr"] = "stderr" if raw.get("stream") == "stderr" else "stdout"
        return cls(
            line=int(raw["line"]),
            stream=stream,
            text=str(raw.get("text", "")),
            cut=bool(raw.get("cut", False)),
            partial=bool(raw.get("partial", False)),
        )


@dataclass
class LineAssembler:
    """Puts the chunks of one attempt back in line order and hands out only contiguous lines."""

    next_line: int = 0
    _pending: dict[int, list[OutputLine]] = field(default_factory=dict)

    def add(self, lines: Iterable[OutputLine]) -> None:
        """Accept a chunk's lines (any order of chunks, duplicates and overlaps included)."""
        fresh = sorted((line for line in lines if line.line >= self.next_line), key=lambda line: line.line)
        if fresh:
            self._pending.setdefault(fresh[0].line, []).extend(fresh)

    def ready(self) -> list[OutputLine]:
        """The lines that follow the last released one without a hole; releases them."""
        released: list[OutputLine] = []
        while self.next_line in self._pending:
            for line in self._pending.pop(self.next_line):
                if line.line == self.next_line:
                    released.append(line)
                    self.next_line += 1
            self._merge_overlaps()
        return released

    def _merge_overlaps(self) -> None:
        """Re-key pending chunks that a released chunk partly covered, so their remaining lines can follow."""
        for first in [first for first in self._pending if first < self.next_line]:
            rest = [line for line in self._pending.pop(first) if line.line >= self.next_line]
            if rest:
                self._pending.setdefault(rest[0].line, []).extend(rest)

    def gap(self) -> tuple[int, int] | None:
        """The missing range ``[start, end)`` before the earliest waiting chunk, if lines are waiting."""
        if not self._pending:
            return None
        return self.next_line, min(self._pending)

    def skip_gap(self) -> tuple[int, int] | None:
        """Give up on the current gap: continue at the earliest waiting chunk. Returns the skipped range."""
        missing = self.gap()
        if missing is not None:
            self.next_line = missing[1]
        return missing


class Display(Protocol):
    """What the follower tells the terminal (``tailrun.cli.render`` implements it)."""

    def job(self, job: dict[str, Any]) -> None: ...

    def lines(self, lines: list[OutputLine]) -> None: ...

    def attempt(self, attempt: int) -> None: ...

    def gap(self, attempt: int, start: int, end: int) -> None: ...


class JobWatch:
    """Listeners on ``jobs/{id}`` and its ``chunks`` and ``attempts``, whose snapshots land on one queue.

    The listeners call back on the client's own threads; everything else happens on the thread that reads
    ``events``, so the display needs no locks.
    """

    def __init__(self, db: Any, job_id: str) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._job_ref = db.collection(JOBS).document(job_id)
        self._watches: list[Any] = []

    def start(self) -> None:
        """Open both listeners."""
        self._watches.append(self._job_ref.on_snapshot(self._on_job))
        self._watches.append(self._job_ref.collection(CHUNKS).on_snapshot(self._changes("chunk")))
        self._watches.append(self._job_ref.collection(ATTEMPTS).on_snapshot(self._changes("attempt")))

    def stop(self) -> None:
        """Close the listeners."""
        for watch in self._watches:
            watch.unsubscribe()
        self._watches.clear()

    def _on_job(self, docs: list[Any], _changes: Any, _read_time: Any) -> None:
        for doc in docs:
            self.events.put(("job", doc.to_dict() if doc.exists else None))

    def _changes(self, kind: str) -> Callable[[Any, list[Any], Any], None]:
        """A query listener that queues each added or modified document as a ``kind`` event."""

        def on_snapshot(_docs: Any, changes: list[Any], _read_time: Any) -> None:
            for change in changes:
                if change.type.name in ("ADDED", "MODIFIED"):
                    self.events.put((kind, change.document.to_dict()))

        return on_snapshot


def chunk_lines(chunk: dict[str, Any]) -> list[OutputLine]:
    """The lines of a stored chunk."""
    return [OutputLine.from_dict(raw) for raw in chunk.get("lines") or []]


def line_count(document: dict[str, Any]) -> int | None:
    """How many lines a job document (its current attempt) or an attempt document says are stored, if it says."""
    value = document.get("lines")
    return value if isinstance(value, int) else None


def show_everything(assembler: LineAssembler, attempt: int, display: Display) -> None:
    """Show every line an assembler holds, in order, reporting each hole instead of waiting for it."""
    while True:
        lines = assembler.ready()
        if lines:
            display.lines(lines)
        missing = assembler.skip_gap()
        if missing is None:
            return
        display.gap(attempt, *missing)


class Follower:
    """Turns the events of a ``JobWatch`` into ordered calls on a ``Display`` until the job has ended.

    Attempts are shown one after the other: a newer attempt's lines wait until the older attempt is complete (its
    attempt document gives its line count once it has ended) or until a grace period says its missing lines are
    not coming. The two listeners are not synchronised, so the job document can announce attempt 2 before the
    last chunk of attempt 1 has arrived: that is what the waiting is for.
    """

    def __init__(
        self,
        display: Display,
        *,
        first_attempt: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.display = display
        self.job: dict[str, Any] | None = None
        self.attempt: int | None = None
        self._first_attempt = first_attempt
        self._assemblers: dict[int, LineAssembler] = {}
        self._attempt_lines: dict[int, int] = {}
        self._clock = clock
        self._waiting_since: float | None = None

    def handle(self, kind: str, payload: Any) -> None:
        """Take one event (``job``, ``chunk`` or ``attempt`` with its document) and show what it makes ready."""
        if kind == "job" and payload is not None:
            self.job = payload
            self.display.job(payload)
        elif kind == "chunk":
            self._assembler(int(payload.get("attempt", 1))).add(chunk_lines(payload))
        elif kind == "attempt" and line_count(payload) is not None:
            self._attempt_lines[int(payload.get("attempt", 0))] = int(payload["lines"])
        self._advance()

    @property
    def _latest(self) -> int | None:
        return int(self.job.get("attempt") or 1) if self.job is not None else None

    def _assembler(self, attempt: int) -> LineAssembler:
        return self._assemblers.setdefault(attempt, LineAssembler())

    def _advance(self) -> None:
        """Show what is ready, and move on to the next attempt once the current one is complete."""
        latest = self._latest
        if latest is None:
            return
        if self.attempt is None:
            self.attempt = min(self._first_attempt or latest, latest)
            self.display.attempt(self.attempt)
        while True:
            lines = self._assembler(self.attempt).ready()
            if lines:
                self.display.lines(lines)
            if self.attempt >= latest or not self._complete(
                self.attempt, self._attempt_lines.get(self.attempt)
            ):
                return
            self._finish_attempt(self.attempt, self._attempt_lines.get(self.attempt))
            self.attempt += 1
            self.display.attempt(self.attempt)

    def _complete(self, attempt: int, expected: int | None) -> bool:
        """Whether every stored line of an ended attempt was shown, or the grace for the rest ran out."""
        assembler = self._assembler(attempt)
        if expected is not None and assembler.next_line >= expected:
            self._waiting_since = None
            return True
        if self._waiting_since is None:
            self._waiting_since = self._clock()
        grace = settings.GAP_GRACE_S if expected is not None or assembler.gap() else settings.END_GRACE_S
        if self._clock() - self._waiting_since < grace:
            return False
        self._waiting_since = None
        return True

    def _finish_attempt(self, attempt: int, expected: int | None) -> None:
        """Show what is left of an attempt, reporting holes (and lines that never arrived at its end)."""
        assembler = self._assembler(attempt)
        show_everything(assembler, attempt, self.display)
        if expected is not None and assembler.next_line < expected:
            self.display.gap(attempt, assembler.next_line, expected)

    def done(self) -> bool:
        """True once the job has ended and every line of its last attempt was shown (or given up on)."""
        self._advance()
        job = self.job
        if job is None or self.attempt is None or self.attempt < (self._latest or 0):
            return False
        if job.get("status") not in TERMINAL:
            return False
        expected = self._attempt_lines.get(self.attempt, line_count(job))
        if not self._complete(self.attempt, expected):
            return False
        self._finish_attempt(self.attempt, expected)
        return True

    def run(
        self, watch: JobWatch, *, interrupted: threading.Event | None = None, poll_s: float = 0.1
    ) -> dict[str, Any] | None:
        """Consume events until the job has ended; the last job document (None if the job does not exist).

        ``interrupted`` (set by a SIGINT handler) raises ``KeyboardInterrupt`` here, between two events, so an
        interruption never cuts a line in half or makes the terminal repeat one.
        """
        while not self.done():
            if interrupted is not None and interrupted.is_set():
                interrupted.clear()
                raise KeyboardInterrupt
            try:
                kind, payload = watch.events.get(timeout=poll_s)
            except queue.Empty:
                continue
            if kind == "job" and payload is None and self.job is None:
                return None
            self.handle(kind, payload)
        return self.job
