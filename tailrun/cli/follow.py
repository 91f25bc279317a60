"""Following a job: Firestore listeners on the job document and its chunks, turned into ordered output.

The runner numbers every output line of an attempt (``line`` 0, 1, 2, … across both streams) and the callback stores
each batch once as ``jobs/{id}/chunks/{attempt:04d}-{seq:08d}``. Chunks can reach a listener out of order (two
batches committed close together, a redelivery), so the follower releases lines only while they are contiguous:
a chunk that starts past the next expected line waits until the missing one arrives. Once the job has ended and
every stored line has been shown, following ends; a gap still open after a grace period is reported, not hidden.

Events (steps, annotations, results, an agent's tool calls: ``JobEvent``) ride the same chunks, numbered like lines
(``event`` 0, 1, 2, … per attempt) and placed among them by ``at_line``: the follower releases them in one order with
the lines, each event just before line ``at_line``, and waits for missing events as it waits for missing lines.
"""

from __future__ import annotations

import bisect
import heapq
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


@dataclass(frozen=True)
class JobEvent:
    """One event an attempt told besides its lines (a step, an annotation, a result, an agent's tool call…).

    ``event`` numbers the events of an attempt 0, 1, 2, … without holes; ``at_line`` is how many output lines the
    attempt had emitted before it, so the event is shown just before line ``at_line``. ``fields`` holds the rest as
    stored (``title``, ``level``, ``message``, ``value``, ``cut``…), ``ts`` excepted.
    """

    event: int
    at_line: int
    kind: str
    fields: dict[str, Any] = field(default_factory=dict)
    ts: int | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> JobEvent:
        """Read an event as the callback stores it in a chunk."""
        ts = raw.get("ts")
        return cls(
            event=int(raw["event"]),
            at_line=max(0, int(raw.get("at_line") or 0)),
            kind=str(raw.get("kind", "")),
            fields={key: value for key, value in raw.items() if key not in _EVENT_KEYS},
            ts=ts if isinstance(ts, int) and not isinstance(ts, bool) else None,
        )

    def to_dict(self) -> dict[str, Any]:
        """The event as stored: ``event``, ``at_line``, ``ts``, ``kind`` and its own fields."""
        stamp = {} if self.ts is None else {"ts": self.ts}
        return {"event": self.event, "at_line": self.at_line, **stamp, "kind": self.kind, **self.fields}


_EVENT_KEYS = frozenset({"event", "at_line", "kind", "ts"})
Output = OutputLine | JobEvent  # what an assembler releases, in the order a viewer shows it


class _LazyHeap:
    """The smallest of a set of numbers that only grows by ``push`` and shrinks by the owner's ``live`` test."""

    def __init__(self) -> None:
        self._heap: list[int] = []

    def push(self, number: int) -> None:
        heapq.heappush(self._heap, number)

    def smallest(self, live: Callable[[int], bool]) -> int | None:
        while self._heap and not live(self._heap[0]):
            heapq.heappop(self._heap)
        return self._heap[0] if self._heap else None


@dataclass
class LineAssembler:
    """Puts the chunks of one attempt back in order and hands out only contiguous lines and events, interleaved.

    Lines are released while their numbers are contiguous; events likewise by their own numbers. An event goes out
    once every line before it (``at_line``) has; a line goes out once every event before it has. Which events come
    before line n is known from n's chunk: the chunk's ``first_event`` (the events of earlier batches) plus its own
    events whose ``at_line`` is at most n; and any event already received whose ``at_line`` is at most n. So a
    chunk of events alone that arrives late holds back the lines after it when the chunk that follows it says how
    many events came before (its ``first_event``, or its own events). The functions store that count in every chunk
    once the attempt has had an event (from the runner's ``state``); a chunk written without it (0) cannot say, and
    its lines may then go out before such a late event (which is shown as soon as it comes).
    """

    next_line: int = 0
    next_event: int = 0
    _lines: dict[int, OutputLine] = field(default_factory=dict)
    _events: dict[int, JobEvent] = field(default_factory=dict)
    _events_before: dict[int, int] = field(default_factory=dict)  # a waiting line: events that precede it
    _line_heap: _LazyHeap = field(default_factory=_LazyHeap)
    _event_heap: _LazyHeap = field(default_factory=_LazyHeap)

    def add(
        self, lines: Iterable[OutputLine], events: Iterable[JobEvent] = (), first_event: int | None = None
    ) -> None:
        """Accept a chunk's lines and events (any order of chunks, duplicates and overlaps included).

        ``first_event``: how many events of the attempt came before this chunk, when the chunk says.
        """
        batch = sorted(events, key=lambda event: event.event)
        if batch:
            first_event = batch[0].event
        for event in batch:
            if event.event >= self.next_event and event.event not in self._events:
                self._events[event.event] = event
                self._event_heap.push(event.event)
        at_lines = [event.at_line for event in batch]
        for line in lines:
            if line.line < self.next_line or line.line in self._lines:
                continue
            self._lines[line.line] = line
            self._line_heap.push(line.line)
            if first_event is not None:
                before = first_event + bisect.bisect_right(at_lines, line.line)
                if before > self.next_event:
                    self._events_before[line.line] = before

    def add_chunk(self, chunk: dict[str, Any]) -> None:
        """Accept a stored chunk document."""
        first = chunk.get("first_event")
        self.add(
            chunk_lines(chunk),
            chunk_events(chunk),
            first if isinstance(first, int) and not isinstance(first, bool) else None,
        )

    def ready_output(self) -> list[Output]:
        """The lines and events that follow the last released ones without a hole, in order; releases them."""
        released: list[Output] = []
        while True:
            event = self._events.get(self.next_event)
            if event is not None and event.at_line <= self.next_line:
                del self._events[self.next_event]
                released.append(event)
                self.next_event += 1
                continue
            line = self._lines.get(self.next_line)
            if line is None or not self._may_release(self.next_line):
                self._line_heap.smallest(lambda n: n in self._lines)  # forget what was released
                self._first_waiting_event()
                return released
            del self._lines[self.next_line]
            self._events_before.pop(self.next_line, None)
            released.append(line)
            self.next_line += 1

    def ready(self) -> list[OutputLine]:
        """The lines of ``ready_output`` (for readers of lines alone: the events it releases are dropped)."""
        return [item for item in self.ready_output() if isinstance(item, OutputLine)]

    def _may_release(self, number: int) -> bool:
        """Whether every event known to precede line ``number`` has been released."""
        if self._events_before.get(number, 0) > self.next_event:
            return False
        waiting = self._first_waiting_event()
        return waiting is None or waiting.at_line > number

    def _first_waiting_event(self) -> JobEvent | None:
        number = self._event_heap.smallest(lambda n: n in self._events)
        return None if number is None else self._events[number]

    def gap(self) -> tuple[int, int] | None:
        """The missing lines ``[start, end)`` before the earliest waiting line (or waiting event), if any."""
        if self.next_line in self._lines:
            return None
        first = self._line_heap.smallest(lambda n: n in self._lines)
        if first is not None:
            return self.next_line, first
        waiting = self._first_waiting_event()
        if waiting is not None and waiting.at_line > self.next_line:
            return self.next_line, waiting.at_line
        return None

    def event_gap(self) -> tuple[int, int] | None:
        """The missing events ``[start, end)`` that hold back what waits, if any."""
        waiting = self._first_waiting_event()
        if waiting is not None and waiting.event > self.next_event:
            return self.next_event, waiting.event
        needed = self._events_before.get(self.next_line, 0) if self.next_line in self._lines else 0
        if waiting is not None:
            needed = min(needed, waiting.event)  # never past an event that is here
        if needed > self.next_event:
            return self.next_event, needed
        return None

    def skip_gap(self) -> tuple[int, int] | None:
        """Give up on the current gap of lines: continue at the earliest waiting one. Returns the skipped range."""
        missing = self.gap()
        if missing is not None:
            self.next_line = missing[1]
        return missing

    def skip_event_gap(self) -> tuple[int, int] | None:
        """Give up on the current gap of events: continue after it. Returns the skipped range."""
        missing = self.event_gap()
        if missing is not None:
            self.next_event = missing[1]
        return missing

    def waiting(self) -> bool:
        """Whether lines or events wait for missing ones."""
        return bool(self._lines or self._events)

    def drain(self) -> list[Output]:
        """Release everything still waiting, whatever it waits for: lines by number, each event before the first
        line at or past its ``at_line``. Only chunks that contradict each other leave anything here once every gap
        is skipped; showing it out of place is better than losing it."""
        events = sorted(self._events.values(), key=lambda event: event.event)
        released: list[Output] = []
        for line in sorted(self._lines.values(), key=lambda line: line.line):
            while events and events[0].at_line <= line.line:
                released.append(events.pop(0))
            released.append(line)
            self.next_line = max(self.next_line, line.line + 1)
        released += events
        self.next_event = max(
            [self.next_event, *(item.event + 1 for item in released if isinstance(item, JobEvent))]
        )
        self._lines.clear()
        self._events.clear()
        self._events_before.clear()
        return released


class Display(Protocol):
    """What the follower tells the terminal (``tailrun.cli.render`` implements it).

    ``events`` and ``event_gap`` are called only when an attempt has events, so a display of lines alone need not
    have them.
    """

    def job(self, job: dict[str, Any]) -> None: ...

    def lines(self, lines: list[OutputLine]) -> None: ...

    def events(self, events: list[JobEvent]) -> None: ...

    def attempt(self, attempt: int) -> None: ...

    def gap(self, attempt: int, start: int, end: int) -> None: ...

    def event_gap(self, attempt: int, start: int, end: int) -> None: ...


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

    def read_chunks(self, attempt: int) -> list[dict[str, Any]]:
        """The attempt's stored chunks, read once (not listened to)."""
        from google.cloud.firestore_v1.base_query import FieldFilter

        query = self._job_ref.collection(CHUNKS).where(filter=FieldFilter("attempt", "==", attempt))
        return [snapshot.to_dict() or {} for snapshot in query.stream()]

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


def chunk_events(chunk: dict[str, Any]) -> list[JobEvent]:
    """The events of a stored chunk (none in chunks stored before events existed); an entry without a number is
    not an event and is left out."""
    events = []
    for raw in chunk.get("events") or []:
        try:
            events.append(JobEvent.from_dict(raw))
        except (KeyError, TypeError, ValueError, AttributeError):
            logger.debug("not an event: %r", raw)
    return events


def _count(document: dict[str, Any], key: str) -> int | None:
    value = document.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def line_count(document: dict[str, Any]) -> int | None:
    """How many lines a job document (its current attempt) or an attempt document says are stored, if it says."""
    return _count(document, "lines")


def event_count(document: dict[str, Any]) -> int | None:
    """How many events a job document (its current attempt) or an attempt document says are stored, if it says."""
    return _count(document, "events")


def show(display: Display, released: list[Output]) -> None:
    """Show released lines and events in their order: each run of lines, then each run of events, as it comes."""
    run: list[Any] = []
    for item in released:
        if run and type(item) is not type(run[0]):
            _show_run(display, run)
            run = []
        run.append(item)
    if run:
        _show_run(display, run)


def _show_run(display: Display, run: list[Any]) -> None:
    if isinstance(run[0], JobEvent):
        display.events(run)
    else:
        display.lines(run)


def show_everything(assembler: LineAssembler, attempt: int, display: Display) -> None:
    """Show every line and event an assembler holds, in order, reporting each hole instead of waiting for it."""
    while True:
        show(display, assembler.ready_output())
        missing = assembler.skip_gap()
        if missing is not None:
            display.gap(attempt, *missing)
            continue
        missing = assembler.skip_event_gap()
        if missing is None:
            show(display, assembler.drain())
            return
        display.event_gap(attempt, *missing)


@dataclass(frozen=True)
class Expected:
    """How many lines and events an attempt has stored, as far as its documents say (None: they do not say)."""

    lines: int | None = None
    events: int | None = None

    @classmethod
    def of(cls, document: dict[str, Any]) -> Expected:
        return cls(line_count(document), event_count(document))

    def or_else(self, other: Expected) -> Expected:
        """These counts, each taken from ``other`` where this one does not say."""
        return Expected(
            self.lines if self.lines is not None else other.lines,
            self.events if self.events is not None else other.events,
        )


class Follower:
    """Turns the events of a ``JobWatch`` into ordered calls on a ``Display`` until the job has ended.

    Attempts are shown one after the other: a newer attempt's lines wait until the older attempt is complete (its
    attempt document gives its line count once it has ended) or until a grace period says its missing lines are
    not coming. The two listeners are not synchronised, so the job document can announce attempt 2 before the
    last chunk of attempt 1 has arrived: that is what the waiting is for. The last attempt is complete once its
    lines and its events (the job document's ``lines`` and ``events``, exact once it has ended) have been shown.
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
        self._attempt_counts: dict[int, Expected] = {}
        self._clock = clock
        self._waiting_since: float | None = None
        # Reads an attempt's stored chunks once, for an ended attempt whose lines or events are still missing when
        # the grace runs out: a listener can lag (Google's emulator under load, a slow network) behind what is
        # stored, and a line that is stored is never reported missing. Set by ``run`` from its watch.
        self.reread: Callable[[int], Iterable[dict[str, Any]]] | None = None
        self._reread_attempts: set[int] = set()

    def handle(self, kind: str, payload: Any) -> None:
        """Take one event (``job``, ``chunk`` or ``attempt`` with its document) and show what it makes ready."""
        if kind == "job" and payload is not None:
            self.job = payload
            self.display.job(payload)
        elif kind == "chunk":
            self._assembler(int(payload.get("attempt", 1))).add_chunk(payload)
        elif kind == "attempt" and line_count(payload) is not None:
            self._attempt_counts[int(payload.get("attempt", 0))] = Expected.of(payload)
        self._advance()

    @property
    def _latest(self) -> int | None:
        return int(self.job.get("attempt") or 1) if self.job is not None else None

    def _assembler(self, attempt: int) -> LineAssembler:
        return self._assemblers.setdefault(attempt, LineAssembler())

    def _expected(self, attempt: int) -> Expected:
        return self._attempt_counts.get(attempt, Expected())

    def _advance(self) -> None:
        """Show what is ready, and move on to the next attempt once the current one is complete."""
        latest = self._latest
        if latest is None:
            return
        if self.attempt is None:
            self.attempt = min(self._first_attempt or latest, latest)
            self.display.attempt(self.attempt)
        while True:
            show(self.display, self._assembler(self.attempt).ready_output())
            if self.attempt >= latest or not self._complete(self.attempt, self._expected(self.attempt)):
                return
            self._finish_attempt(self.attempt, self._expected(self.attempt))
            self.attempt += 1
            self.display.attempt(self.attempt)

    def _complete(self, attempt: int, expected: Expected) -> bool:
        """Whether every stored line and event of an ended attempt was shown, or the grace for the rest ran out."""
        assembler = self._assembler(attempt)
        events_shown = expected.events is None or assembler.next_event >= expected.events
        if expected.lines is not None and assembler.next_line >= expected.lines and events_shown:
            self._waiting_since = None
            return True
        if self._waiting_since is None:
            self._waiting_since = self._clock()
        missing = expected.lines is not None or assembler.gap() or assembler.event_gap()
        grace = settings.GAP_GRACE_S if missing else settings.END_GRACE_S
        if self._clock() - self._waiting_since < grace:
            return False
        self._waiting_since = None
        if missing and self.reread is not None and attempt not in self._reread_attempts:
            self._reread_attempts.add(attempt)
            for chunk in self.reread(attempt):
                assembler.add_chunk(chunk)
        return True

    def _finish_attempt(self, attempt: int, expected: Expected) -> None:
        """Show what is left of an attempt, reporting holes (and lines or events that never arrived at its end)."""
        assembler = self._assembler(attempt)
        show_everything(assembler, attempt, self.display)
        if expected.lines is not None and assembler.next_line < expected.lines:
            self.display.gap(attempt, assembler.next_line, expected.lines)
        if expected.events is not None and assembler.next_event < expected.events:
            self.display.event_gap(attempt, assembler.next_event, expected.events)

    def done(self) -> bool:
        """True once the job has ended and every line and event of its last attempt was shown (or given up on)."""
        self._advance()
        job = self.job
        if job is None or self.attempt is None or self.attempt < (self._latest or 0):
            return False
        if job.get("status") not in TERMINAL:
            return False
        expected = self._expected(self.attempt).or_else(Expected.of(job))
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
        self.reread = watch.read_chunks
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
