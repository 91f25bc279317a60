"""Following a job: Firestore listeners on the job document and its chunks, turned into ordered output.

The runner numbers every output line of an attempt (``line`` 0, 1, 2, … across both streams) and the callback stores
each batch once as ``jobs/{id}/chunks/{attempt:04d}-{seq:08d}``. Chunks can reach a listener out of order (two
batches committed close together, a redelivery), so the follower releases lines only while they are contiguous:
a chunk that starts past the next expected line waits until the missing one arrives. Once the job has ended and
every stored line has been shown, following ends; a gap still open after a grace period is reported, not hidden.

Events (steps, annotations, results, an agent's tool calls: ``JobEvent``) ride the same chunks, numbered like lines
(``event`` 0, 1, 2, … per attempt) and placed among them by ``at_line``: the follower releases them in one order with
the lines, each event just before line ``at_line``, and waits for missing events as it waits for missing lines.

A follow can outlive the ID token of a login (an hour): the Firestore client's credentials give every stream it
(re)opens a current token (``tailrun.cli.credentials``), and the watch reopens its listeners itself once the token
they were opened with is due for its refresh, rather than wait for Firestore to end them; the snapshots of the new
listeners repeat what was shown, which the assembler and the display take as the duplicates they are.

The chunk listener is a rolling window (``ChunkWindow``): the Python client re-sorts a listener's whole target on
every snapshot it pushes, so a listener on all of a long job's chunks costs more per chunk the longer the job has
run. The window listens to the chunks past the last one the follower has fully released (``ReleaseMark``) and is
reopened further on once it holds more than ``CHUNK_WINDOW``; what it skips was shown already.
"""

from __future__ import annotations

import bisect
import heapq
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from tailrun_functions.schema import ATTEMPTS, CHUNKS, JOBS
from tailrun_functions.states import TERMINAL

# the one copy of the ordering, shared with the functions' event stream; re-exported for render and jobs
from tailrun_functions.streams.ordering import JobEvent as JobEvent
from tailrun_functions.streams.ordering import LineAssembler as LineAssembler
from tailrun_functions.streams.ordering import Output as Output
from tailrun_functions.streams.ordering import OutputLine as OutputLine
from tailrun_functions.streams.ordering import chunk_events as chunk_events
from tailrun_functions.streams.ordering import chunk_lines as chunk_lines

from tailrun import settings
from tailrun.cli.credentials import TokenSource, tokens_of

logger = logging.getLogger(__name__)

# Chunks a follow's chunk listener may hold before it is reopened past the ones already shown. The Python client
# sorts the listener's whole target with a Python comparator on every snapshot push (bench/watch_client_bench.py:
# ~1.3 ms of CPU at 10 documents, 3-4 ms at 100, 20-30 ms at 1,000; Google's emulator, which resends the whole
# target per commit, 5-10 times that), while a move costs one new Listen stream whose first snapshot holds only what
# is not yet shown. A follow of 3,000 chunks: 85 ms per push for the whole collection, ~3 ms for windows of 25, 50
# or 100 on the embedded emulator (7, 11 and 19 ms on Google's). 50: near the floor on both, a move per ~25 chunks.
CHUNK_WINDOW = 50

ChunkKey = tuple[int, int]  # (attempt, seq): what a chunk's id {attempt:04d}-{seq:08d} sorts by


class ChunkWindow:
    """A listener on a job's chunks whose id is past a point (``past``), moved further on by ``slide``.

    ``held`` is how many chunks the current listener holds (its last snapshot); once that exceeds ``bound`` and at
    most half of them lie past the chunk the follower has released, ``slide`` moves the point there.

    The point is a filter on the document id (``__name__ > chunks/{id}``), not a cursor: the emulators match each
    commit against a filter without re-running the query, and the filter needs no composite index. ``slide`` opens
    the new listener first and closes the old one only once the new one has pushed its first snapshot, so every
    chunk past the new point reaches one of the two at least once (the new listener's first snapshot repeats what
    the old one had sent past it: duplicates, which an assembler drops). Waiting for that snapshot matters: Google's
    emulator (1.19.9) drops about one commit in five that lands between the opening of a fresh ``__name__ >``
    target and its first snapshot (a whole collection, or a filter on a field, does not lose it).
    ``bound=None`` never slides: the whole collection, as before issue 18.

    ``on_chunk`` is called on the client's threads with each added or modified chunk document.
    """

    def __init__(
        self,
        chunks: Any,
        on_chunk: Callable[[dict[str, Any]], None],
        *,
        bound: int | None = CHUNK_WINDOW,
    ) -> None:
        self._chunks = chunks
        self._on_chunk = on_chunk
        self.bound = bound
        # A move waits until at most half the bound lies past the release point: a follower held up by a missing
        # chunk releases nothing, and moving then would open a listener nearly as full as the old one, each time.
        self.keep = (bound or 0) // 2
        self.past: ChunkKey | None = None  # the chunk the listener starts after (None: the whole collection)
        self.slides = 0  # how many times the window moved
        self._watch: Any = None
        self._retiring: Any = None  # the listener a slide replaced, until the new one has pushed a snapshot
        self._generation = 0
        self._pushed = 0  # the generation of the last listener that pushed a snapshot
        self._held: list[Any] = []  # the current listener's last snapshot: its documents, in id order

    @property
    def held(self) -> int:
        return len(self._held)

    @property
    def pushed(self) -> bool:
        """Whether the current listener has pushed its first snapshot."""
        return self._watch is not None and self._pushed == self._generation

    def open(self) -> None:
        """Open the listener past ``past`` (a no-op when it is open)."""
        if self._watch is None:
            self._watch = self._listen()

    def retire(self) -> None:
        """Set the current listener aside for ``open`` to replace (a renewal: a new ID token); it is closed once
        the new one has pushed its first snapshot, as after a move."""
        if self._watch is None:
            return
        if self._retiring is not None:
            self._retiring.unsubscribe()
        self._retiring, self._watch = self._watch, None

    def close(self) -> None:
        """Close the listener (``past`` is kept: ``open`` goes on from there)."""
        for watch in (self._retiring, self._watch):
            if watch is not None:
                watch.unsubscribe()
        self._watch = self._retiring = None

    def slide(self, released: ChunkKey | None) -> bool:
        """Move the window past ``released`` (a chunk up to which everything has been shown: ``ReleaseMark``) when
        the listener holds more than ``bound`` chunks and at most ``keep`` of them lie past it; whether it moved.
        Called often (it closes the listener of the last move once the new one has pushed), from one thread."""
        if self._retiring is not None and self.pushed:
            self._retiring.unsubscribe()
            self._retiring = None
        if self._watch is None or self._retiring is not None or self.bound is None or released is None:
            return False
        if self.held <= self.bound:
            return False
        if self.past is not None and released <= self.past:
            return False
        from tailrun_functions.store import chunk_id

        held = self._held
        after = len(held) - bisect.bisect_right(held, chunk_id(*released), key=lambda doc: str(doc.id))
        if after > self.keep:
            return False
        self._retiring = self._watch
        self.past = released
        self._watch = self._listen()
        self.slides += 1
        logger.debug("chunk window moved past %s (%d held, %d past it)", released, len(held), after)
        return True

    def _query(self) -> Any:
        """The chunks past ``past``: a filter on the document id (the whole collection before any move)."""
        if self.past is None:
            return self._chunks
        from google.cloud.firestore_v1.base_query import FieldFilter
        from google.cloud.firestore_v1.field_path import FieldPath
        from tailrun_functions.store import chunk_id

        after = self._chunks.document(chunk_id(*self.past))
        return self._chunks.where(filter=FieldFilter(FieldPath.document_id(), ">", after))

    def _listen(self) -> Any:
        """A listener on ``_query``, whose snapshots count as the window's only while it is the current one."""
        self._generation += 1
        generation = self._generation

        def on_snapshot(docs: list[Any], changes: list[Any], _read_time: Any) -> None:
            if generation == self._generation:
                self._held = docs
                self._pushed = generation
            for document in changed_documents(changes):
                self._on_chunk(document)

        return self._query().on_snapshot(on_snapshot)


def changed_documents(changes: list[Any]) -> list[dict[str, Any]]:
    """The documents a listener's snapshot added or modified (removals left out: a stored chunk is never taken
    back, and an attempt document is never deleted while its job lives)."""
    return [
        change.document.to_dict() or {} for change in changes if change.type.name in ("ADDED", "MODIFIED")
    ]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class ReleaseMark:
    """The last chunk up to which everything a follower will show has been shown: where a ``ChunkWindow`` may move.

    Within an attempt, a later batch's lines and events come after an earlier one's (``seq`` numbers the runner's
    messages in order, and a resent batch keeps its ``seq``). So once chunk (a, s) is fully released (every line
    below its end and every event below its end shown or given up as a gap), every chunk (a, s' < s) that holds a
    line or an event was received: what it holds comes before and was shown, and each line and event is in one
    chunk only. A chunk of an attempt the follower has left behind is never shown. Hence a listener past the mark
    loses nothing the follower would show. ``received`` and ``advance`` are called on the follower's thread.
    """

    def __init__(self) -> None:
        self.mark: ChunkKey | None = None
        # attempt -> a heap of its chunks not yet passed: (seq, line end, event end)
        self._waiting: dict[int, list[tuple[int, int, int]]] = {}

    def received(self, chunk: dict[str, Any]) -> None:
        """Note a chunk that reached the follower (one without ``attempt`` and ``seq`` is not tracked)."""
        attempt, seq = _int(chunk.get("attempt")), _int(chunk.get("seq"))
        if attempt is None or seq is None:
            return
        heapq.heappush(self._waiting.setdefault(attempt, []), (seq, *_chunk_ends(chunk)))

    def advance(self, attempt: int, assembler: LineAssembler) -> None:
        """Move the mark over every chunk of an attempt before ``attempt`` (the one being shown) and over the
        chunks of ``attempt``, in ``seq`` order, as long as ``assembler`` has released all they hold."""
        for earlier in sorted(number for number in self._waiting if number < attempt):
            heap = self._waiting.pop(earlier)
            if heap:
                self._move((earlier, max(heap)[0]))
        heap = self._waiting.get(attempt, [])
        while heap and heap[0][1] <= assembler.next_line and heap[0][2] <= assembler.next_event:
            self._move((attempt, heapq.heappop(heap)[0]))

    def _move(self, key: ChunkKey) -> None:
        if self.mark is None or key > self.mark:
            self.mark = key


def _chunk_ends(chunk: dict[str, Any]) -> tuple[int, int]:
    """The line and event numbers a chunk's content ends before: once an assembler's ``next_line`` and
    ``next_event`` reach them, everything in the chunk and in the earlier chunks of its attempt has been shown."""
    line_end = (_int(chunk.get("first_line")) or 0) + (_int(chunk.get("line_count")) or 0)
    event_end = (_int(chunk.get("first_event")) or 0) + (_int(chunk.get("event_count")) or 0)
    for raw in chunk.get("lines") or []:
        number = _int(raw.get("line")) if isinstance(raw, dict) else None
        line_end = max(line_end, number + 1 if number is not None else 0)
    for raw in chunk.get("events") or []:
        number = _int(raw.get("event")) if isinstance(raw, dict) else None
        event_end = max(event_end, number + 1 if number is not None else 0)
    return line_end, event_end


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
    ``events``, so the display needs no locks. The chunks are listened to through a ``ChunkWindow`` of ``window``
    chunks (None: the whole collection), which the reader moves on with ``slide``.
    """

    def __init__(
        self,
        db: Any,
        job_id: str,
        tokens: TokenSource | None = None,
        *,
        clock: Callable[[], float] = time.time,
        window: int | None = CHUNK_WINDOW,
    ) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._job_ref = db.collection(JOBS).document(job_id)
        self.chunks = ChunkWindow(
            self._job_ref.collection(CHUNKS), lambda chunk: self.events.put(("chunk", chunk)), bound=window
        )
        self._watches: list[Any] = []
        self._tokens = tokens if tokens is not None else tokens_of(db)
        self._clock = clock
        self._renew_at: float | None = None
        self.renewals = 0  # how many times the listeners were reopened with a fresh ID token

    def start(self) -> None:
        """Open the listeners (with a current ID token, under a login)."""
        if self._tokens is not None:
            self._tokens.token()
            self._renew_at = self._tokens.login.refresh_at()
        self._watches.append(self._job_ref.on_snapshot(self._on_job))
        self.chunks.open()
        self._watches.append(self._job_ref.collection(ATTEMPTS).on_snapshot(self._changes("attempt")))

    def renew_if_due(self) -> bool:
        """Reopen the listeners with a fresh ID token once the one they were opened with is due for refresh;
        whether it did (a failed refresh raises ``LoginRequired``, which says to log in again)."""
        if self._renew_at is None or self._clock() < self._renew_at:
            return False
        self._close_documents()
        self.chunks.retire()
        self.start()
        self.renewals += 1
        logger.info("reopened the listeners with a fresh ID token (renewal %d)", self.renewals)
        return True

    def slide(self, released: ChunkKey | None) -> bool:
        """Move the chunk window past ``released`` (a follower's ``ReleaseMark``) when it is full; whether it did."""
        return self.chunks.slide(released)

    def stop(self) -> None:
        """Close the listeners (the chunk window keeps its place: ``start`` reopens it there)."""
        self._close_documents()
        self.chunks.close()

    def _close_documents(self) -> None:
        """Close the listeners on the job document and its attempts."""
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
            for document in changed_documents(changes):
                self.events.put((kind, document))

        return on_snapshot


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
        self.released = ReleaseMark()  # where the watch's chunk window may move to

    def handle(self, kind: str, payload: Any) -> None:
        """Take one event (``job``, ``chunk`` or ``attempt`` with its document) and show what it makes ready."""
        if kind == "job" and payload is not None:
            self.job = payload
            self.display.job(payload)
        elif kind == "chunk":
            self._assembler(int(payload.get("attempt", 1))).add_chunk(payload)
            self.released.received(payload)
        elif kind == "attempt" and line_count(payload) is not None:
            self._attempt_counts[int(payload.get("attempt", 0))] = Expected.of(payload)
        self._advance()
        if self.attempt is not None:
            self.released.advance(self.attempt, self._assembler(self.attempt))

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
            watch.renew_if_due()
            watch.slide(self.released.mark)
            try:
                kind, payload = watch.events.get(timeout=poll_s)
            except queue.Empty:
                continue
            if kind == "job" and payload is None and self.job is None:
                return None
            self.handle(kind, payload)
        return self.job
