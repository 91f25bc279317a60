"""Putting an attempt's output back in order: contiguous lines, and events placed among them by ``at_line``.

The runner numbers every output line of an attempt (``line`` 0, 1, 2, … across both streams) and every event
(``event`` 0, 1, 2, …); the callback stores each batch once as ``jobs/{id}/chunks/{attempt:04d}-{seq:08d}``. Chunks
reach a listener in any order, so a reader releases lines only while they are contiguous, and each event just
before line ``at_line`` (functions/DATA_MODEL.md, "Reading output in order").

Every reader of chunks shares this one copy: the CLI's follower (``tailrun.cli.follow``) and the functions' event
stream (``streams.sse``) and polling page (``streams.job_output``). It imports nothing but the standard library,
so the deployed functions carry it and the CLI imports it with ``tailrun_functions``.
"""

from __future__ import annotations

import bisect
import heapq
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutputLine:
    """One line a job printed."""

    line: int
    stream: Literal["stdout", "stderr"]
    text: str
    cut: bool = False
    partial: bool = False
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> OutputLine:
        """Read a line as the callback stores it in a chunk (``raw`` keeps the stored map: ``ts``,
        ``invalid_utf8`` and whatever a later runner adds, for readers that pass lines on as stored)."""
        stream: Literal["stdout", "stderr"] = "stderr" if raw.get("stream") == "stderr" else "stdout"
        return cls(
            line=int(raw["line"]),
            stream=stream,
            text=str(raw.get("text", "")),
            cut=bool(raw.get("cut", False)),
            partial=bool(raw.get("partial", False)),
            raw=raw,
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
