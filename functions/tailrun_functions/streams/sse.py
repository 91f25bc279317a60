"""A job's or a batch's live events as server-sent events: what ``GET /events?job_id=…`` (``EventStream``) and
``GET /events?batch_id=…`` (``BatchEventStream``) stream. Both share one loop (``_Stream``): ``retry:``, heartbeats,
the cut-off of a client too slow, ``reconnect`` at the maximum duration.

**A job's stream** subscribes to the job's feed (``hub``) and turns its snapshots into events, in this order:

- ``retry: 2000`` first, then ``status`` (``{status, attempt, exit_code, error}``), again on every change of those;
- ``lines`` (``{attempt, lines: [stored line objects]}``, at most ``SSE_LINES_PER_EVENT`` each) whose ``id:`` is the
  next line offset ``N`` (``A:N`` for attempts after the first): a client that reconnects with ``Last-Event-ID`` gets
  lines N, N+1, … of that attempt, with no gap and no duplicate (the lines are ordered by ``ordering.LineAssembler``,
  which waits for a missing line rather than skip it);
- each stored event (issue 12) under its ``kind`` as the SSE event name, its data the stored event, in its place
  among the lines (just before line ``at_line``); after a resume at N, the events with ``at_line`` ≥ N;
- ``progress`` (``{percent, step}``) when the job document's progress changes; ``artifact`` (the document) when an
  artifact appears or changes (every artifact again on each connection: artifacts have no position);
- ``attempt`` (``{attempt}``) when the stream moves on to a new attempt, whose lines start at 0;
- ``end`` (``{status, attempt, exit_code, error, lines, events}``) once the job ended and every line and event of
  its last attempt was sent; the stream then closes;
- ``reconnect`` (``{last_event_id}``) when the stream reached ``TAILRUN_SSE_MAX_DURATION_S``; it then closes.

A comment (``: keep-alive``) goes out whenever nothing else did for ``TAILRUN_SSE_HEARTBEAT_S``. A stream whose queue
overflowed (its client reads too slowly) ends with the comment ``: too slow``.

**A batch's stream** subscribes to the batch's feed (its document and its rows) and sends:

- ``retry: 2000``, then ``batch``: the batch document with its ``batch_id`` (``status``, ``concurrency``, ``counts``,
  ``success_rate``, ``eta_s``, …, as the batch controls answer it), again on every change of the document (the
  functions write it at most about once a second while the batch is busy);
- ``row``: a row document (``row``, ``values``, ``status``, ``job_id``, ``exit_code``, ``duration_s``, ``attempts``,
  ``error``, ``result``, …) on every change of a row; on connecting, every row once, in row order;
- ``end`` (``{batch_id, status, counts, success_rate, stopped_reason}``) once the batch is ``completed`` or
  ``stopped``, its stats are final (``stats_final``) and the rows sent add up to its final counts; it then closes;
- ``reconnect`` (``{batch_id, last_event_id: null}``) at ``TAILRUN_SSE_MAX_DURATION_S``, as a job's.

Its events carry no ``id:``: a client that reconnects (``Last-Event-ID`` is ignored) gets the current batch and every
row again, which is the whole state (a row event is the whole row), so it misses nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import queue
import re
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import Any

from tailrun_functions import defaults
from tailrun_functions.batches import BatchStatus, RowStatus
from tailrun_functions.batches.controls import PRIVATE_FIELDS
from tailrun_functions.schema import ATTEMPTS, JOBS
from tailrun_functions.states import TERMINAL
from tailrun_functions.streams.hub import Hub, Message, Subscription
from tailrun_functions.streams.ordering import JobEvent, LineAssembler, Output, OutputLine

logger = logging.getLogger(__name__)

# The stream's own event names: a stored event whose kind is one of them is sent as ``job_event`` instead.
STREAM_EVENTS = frozenset(
    {"status", "lines", "progress", "artifact", "attempt", "end", "reconnect", "job_event"}
)
KIND = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
KEEP_ALIVE = b": keep-alive\n\n"
TOO_SLOW = b": too slow: the client did not keep up; reconnect with Last-Event-ID\n\n"


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def encode(event: str | None, data: Any, event_id: str | None = None) -> bytes:
    """One SSE frame: ``id:``, ``event:`` and one ``data:`` line of compact JSON (JSON escapes every newline)."""
    parts = []
    if event_id is not None:
        parts.append(f"id: {event_id}\n")
    if event is not None:
        parts.append(f"event: {event}\n")
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_json_default)
    parts.append(f"data: {text}\n\n")
    return "".join(parts).encode()


def event_id(attempt: int, next_line: int) -> str:
    """The ``id:`` of a ``lines`` event: ``N`` for the first attempt, ``A:N`` after."""
    return str(next_line) if attempt == 1 else f"{attempt}:{next_line}"


def parse_event_id(value: str) -> tuple[int, int] | None:
    """``N`` or ``A:N`` → (attempt, line); None when malformed."""
    match = re.fullmatch(r"(?:(\d{1,6}):)?(\d{1,12})", value.strip())
    if match is None:
        return None
    attempt = int(match.group(1)) if match.group(1) is not None else 1
    return (attempt, int(match.group(2))) if attempt >= 1 else None


@dataclass(frozen=True)
class StreamOptions:
    heartbeat_s: float = defaults.SSE_HEARTBEAT_S
    max_duration_s: float = defaults.SSE_MAX_DURATION_S
    retry_ms: int = defaults.SSE_RETRY_MS
    lines_per_event: int = defaults.SSE_LINES_PER_EVENT
    gap_grace_s: float = defaults.SSE_GAP_GRACE_S
    count_recheck_s: float = defaults.SSE_COUNT_RECHECK_S


def status_of(job: dict[str, Any]) -> dict[str, Any]:
    return {
        "status": job.get("status"),
        "attempt": int(job.get("attempt") or 1),
        "exit_code": job.get("exit_code"),
        "error": job.get("error"),
    }


def _count(document: dict[str, Any] | None, key: str) -> int | None:
    value = (document or {}).get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class _Stream:
    """The frames of one stream, as an iterator of bytes a WSGI server writes as they come: the loop every stream
    shares (``retry:``, what the subclass opens with, then what its subscription delivers, heartbeats, the cut-off of
    a client too slow, ``reconnect`` at the maximum duration), around what a subclass makes of its messages.

    ``close()`` (the server calls it when the client goes or the stream ends) leaves the feed and runs ``on_close``
    (the per-user slot) exactly once, whether or not the stream was ever iterated."""

    def __init__(
        self,
        hub: Hub,
        subscription: Subscription,
        *,
        options: StreamOptions,
        on_close: Callable[[], None],
        clock: Callable[[], float],
    ) -> None:
        self.hub = hub
        self.options = options
        self._on_close = on_close
        self._clock = clock
        self._waiting_since: float | None = None  # set while the end waits for the rest (rechecked sooner)
        self.finished = False
        self._subscription: Subscription | None = subscription
        self._frames = self._generate()
        self._closed = False

    def __iter__(self) -> _Stream:
        return self

    def __next__(self) -> bytes:
        return next(self._frames)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._frames.close()
        finally:
            if self._subscription is not None:
                self.hub.unsubscribe(self._subscription)
                self._subscription = None
            self._on_close()

    # --- what a stream makes of its messages ---

    def _opening(self) -> list[bytes]:
        """The frames after ``retry:``, from the document read when the stream was asked for."""
        raise NotImplementedError

    def _take(self, message: Message) -> list[bytes]:
        raise NotImplementedError

    def _advance(self) -> list[bytes]:
        """Frames that follow from what was taken (and ``finished`` set once the stream's subject ended)."""
        raise NotImplementedError

    def _reconnect(self) -> dict[str, Any]:
        """The data of the ``reconnect`` event."""
        raise NotImplementedError

    # --- the stream ---

    def _generate(self) -> Generator[bytes, None, None]:
        subscription = self._subscription
        assert subscription is not None
        start = self._clock()
        deadline = start + self.options.max_duration_s
        yield f"retry: {self.options.retry_ms}\n\n".encode()
        yield from self._opening()
        last_write = self._clock()
        pending = list(subscription.backlog)
        subscription.backlog = []
        while True:
            frames: list[bytes] = []
            for message in pending:
                frames += self._take(message)
            frames += self._advance()
            if frames:
                yield b"".join(frames)
                last_write = self._clock()
            if self.finished:
                return
            now = self._clock()
            if subscription.overflowed.is_set():
                yield TOO_SLOW
                return
            if now >= deadline:
                yield encode("reconnect", self._reconnect())
                return
            if now - last_write >= self.options.heartbeat_s:
                yield KEEP_ALIVE
                last_write = now = self._clock()
            wait = min(last_write + self.options.heartbeat_s, deadline) - now
            if self._waiting_since is not None:
                wait = min(wait, self.options.count_recheck_s)
            pending = self._next_messages(subscription, max(0.0, wait))

    def _grace_over(self) -> bool:
        """Called while the end waits for something still missing: whether ``gap_grace_s`` has passed since the
        wait began (the first call starts it); once it has, the wait is over and the next one starts afresh."""
        now = self._clock()
        if self._waiting_since is None:
            self._waiting_since = now
        if now - self._waiting_since < self.options.gap_grace_s:
            return False
        self._waiting_since = None
        return True

    @staticmethod
    def _next_messages(subscription: Subscription, wait: float) -> list[Message]:
        """What arrived: the first message within ``wait`` seconds, and every one queued behind it."""
        try:
            messages = [subscription.queue.get(timeout=wait)]
        except queue.Empty:
            return []
        while len(messages) < 1000:
            try:
                messages.append(subscription.queue.get_nowait())
            except queue.Empty:
                break
        return messages


class EventStream(_Stream):
    """One job's stream (the events of the module's docstring)."""

    def __init__(
        self,
        hub: Hub,
        job_id: str,
        job: dict[str, Any],
        *,
        attempt: int,
        from_line: int,
        options: StreamOptions,
        on_close: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job_id = job_id
        self.job = job
        self.attempt = attempt
        self.from_line = from_line
        self._assemblers: dict[int, LineAssembler] = {}
        self._ended_counts: dict[int, tuple[int | None, int | None]] = {}
        self._counts_read_at: dict[int, float] = {}
        self._status: dict[str, Any] | None = None
        self._progress: Any = job.get("progress")
        self._artifacts: dict[str, dict[str, Any]] = {}
        self._last_id: str | None = None
        super().__init__(hub, hub.subscribe(job_id), options=options, on_close=on_close, clock=clock)

    def _opening(self) -> list[bytes]:
        return self._status_frames(self.job)

    def _reconnect(self) -> dict[str, Any]:
        return {"last_event_id": self._resume_id()}

    def _resume_id(self) -> str:
        """Where a reconnecting client continues: the last ``lines`` id sent, else where this stream started."""
        return self._last_id or event_id(self.attempt, self.from_line)

    def _take(self, message: Message) -> list[bytes]:
        kind, document = message
        if kind == "job":
            if document is None:
                return []
            self.job = document
            frames = self._status_frames(document)
            progress = document.get("progress")
            if progress is not None and progress != self._progress:
                self._progress = progress
                frames.append(
                    encode("progress", {"percent": progress.get("percent"), "step": progress.get("step")})
                )
            return frames
        if kind == "chunk":
            attempt = int(document.get("attempt") or 1)
            if attempt >= self.attempt:
                self._assembler(attempt).add_chunk(document)
            return []
        if kind == "artifact":
            key = str(document.get("artifact_id", ""))
            if self._artifacts.get(key) != document:
                self._artifacts[key] = document
                return [encode("artifact", document)]
        return []

    def _status_frames(self, job: dict[str, Any]) -> list[bytes]:
        status = status_of(job)
        if status == self._status:
            return []
        self._status = status
        return [encode("status", status)]

    def _assembler(self, attempt: int) -> LineAssembler:
        return self._assemblers.setdefault(attempt, LineAssembler())

    def _frames_of(self, released: list[Output]) -> list[bytes]:
        """Frames for released output: runs of lines as ``lines`` events (each with its id), events by kind."""
        frames: list[bytes] = []
        run: list[OutputLine] = []

        def flush() -> None:
            if run:
                self._last_id = event_id(self.attempt, run[-1].line + 1)
                data = {"attempt": self.attempt, "lines": [line.raw or _line_dict(line) for line in run]}
                frames.append(encode("lines", data, self._last_id))
                run.clear()

        for item in released:
            if isinstance(item, OutputLine):
                if item.line < self.from_line:
                    continue
                run.append(item)
                if len(run) >= self.options.lines_per_event:
                    flush()
            elif isinstance(item, JobEvent) and item.at_line >= self.from_line:
                flush()
                name = item.kind if KIND.match(item.kind) and item.kind not in STREAM_EVENTS else "job_event"
                frames.append(encode(name, item.to_dict()))
        flush()
        return frames

    def _advance(self) -> list[bytes]:
        """Send what is ready; move on to the next attempt once this one is complete; end once the job is."""
        frames: list[bytes] = []
        while True:
            frames += self._frames_of(self._assembler(self.attempt).ready_output())
            latest = int(self.job.get("attempt") or 1)
            if self.attempt < latest:
                if not self._attempt_complete(self._counts_of_ended(self.attempt)):
                    return frames
                frames += self._finish(self.attempt)
                self._assemblers.pop(self.attempt, None)
                self.attempt, self.from_line = self.attempt + 1, 0
                frames.append(encode("attempt", {"attempt": self.attempt}))
                continue
            if self.job.get("status") in TERMINAL and self._attempt_complete(
                (_count(self.job, "lines"), _count(self.job, "events"))
            ):
                frames += self._finish(self.attempt)
                end = {
                    **status_of(self.job),
                    "lines": self.job.get("lines"),
                    "events": self.job.get("events"),
                }
                frames.append(encode("end", end))
                self.finished = True
            return frames

    def _attempt_complete(self, counts: tuple[int | None, int | None]) -> bool:
        """Whether every line and event of an ended attempt was released, or the grace for the rest ran out."""
        lines, events = counts
        assembler = self._assembler(self.attempt)
        if lines is not None and assembler.next_line >= lines and assembler.next_event >= (events or 0):
            self._waiting_since = None
            return True
        if not self._grace_over():
            return False
        logger.warning(
            "job %s attempt %d: lines or events still missing after %.0f s; moving on",
            self.job_id,
            self.attempt,
            self.options.gap_grace_s,
        )
        return True

    def _finish(self, attempt: int) -> list[bytes]:
        """Whatever an ended attempt still holds (only after its grace ran out: skipping holes, in order)."""
        assembler = self._assembler(attempt)
        released: list[Output] = []
        while True:
            released += assembler.ready_output()
            if assembler.skip_gap() is None and assembler.skip_event_gap() is None:
                released += assembler.drain()
                return self._frames_of(released)

    def _counts_of_ended(self, attempt: int) -> tuple[int | None, int | None]:
        """An ended attempt's line and event counts, from its attempt document (read again while not final)."""
        counts = self._ended_counts.get(attempt)
        if counts is not None and counts[0] is not None:
            return counts
        now = self._clock()
        if (
            now - self._counts_read_at.get(attempt, -1e9) < self.options.count_recheck_s
            and counts is not None
        ):
            return counts
        self._counts_read_at[attempt] = now
        ref = (
            self.hub.db.collection(JOBS).document(self.job_id).collection(ATTEMPTS).document(f"{attempt:04d}")
        )
        document = ref.get().to_dict() or {}
        counts = (_count(document, "lines"), _count(document, "events"))
        self._ended_counts[attempt] = counts
        return counts


def _line_dict(line: OutputLine) -> dict[str, Any]:
    return {"line": line.line, "stream": line.stream, "text": line.text}


# --- a batch's stream ---

ENDED_BATCH = frozenset(status for status in BatchStatus if status.ended)  # completed, stopped
RUNNING_ROWS = frozenset({RowStatus.BOOTING, RowStatus.RUNNING})  # what the batch's ``counts.running`` counts
COUNT_KEYS = ("total", "queued", "running", "succeeded", "failed", "canceled", "timed_out")


def batch_event(batch_id: str, batch: dict[str, Any]) -> dict[str, Any]:
    """The data of a ``batch`` event: the batch document with its id, as the batch controls answer it."""
    return {"batch_id": batch_id, **{k: v for k, v in batch.items() if k not in PRIVATE_FIELDS}}


def row_counts(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    """What a batch's ``counts`` should say of these rows (``running``: booting and running rows)."""
    counts = dict.fromkeys(COUNT_KEYS, 0)
    for row in rows:
        counts["total"] += 1
        status = str(row.get("status"))
        key = "running" if status in RUNNING_ROWS else status
        if key in counts:
            counts[key] += 1
    return counts


class BatchEventStream(_Stream):
    """One batch's stream: ``batch`` (the document) first and on every change, ``row`` on every change of a row,
    ``end`` once the batch ended with final stats and every row's last state was sent (see the module's docstring).

    There are no event ids: a client that reconnects gets the current batch and every row again, which is all the
    state there is (a row event carries the whole row)."""

    def __init__(
        self,
        hub: Hub,
        batch_id: str,
        batch: dict[str, Any],
        *,
        options: StreamOptions,
        on_close: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.batch_id = batch_id
        self.batch = batch
        self._sent_batch: dict[str, Any] | None = None
        self._rows: dict[int, dict[str, Any]] = {}  # each row as last sent, by its number
        super().__init__(hub, hub.subscribe_batch(batch_id), options=options, on_close=on_close, clock=clock)

    def _opening(self) -> list[bytes]:
        return self._batch_frames(self.batch)

    def _reconnect(self) -> dict[str, Any]:
        return {"batch_id": self.batch_id, "last_event_id": None}

    def _take(self, message: Message) -> list[bytes]:
        kind, document = message
        if kind == "batch":
            if document is None:
                return []
            self.batch = document
            return self._batch_frames(document)
        if kind == "row":
            number = document.get("row")
            if not isinstance(number, int) or isinstance(number, bool) or self._rows.get(number) == document:
                return []
            self._rows[number] = document
            return [encode("row", document)]
        return []

    def _batch_frames(self, batch: dict[str, Any]) -> list[bytes]:
        if batch == self._sent_batch:
            return []
        self._sent_batch = batch
        return [encode("batch", batch_event(self.batch_id, batch))]

    def _advance(self) -> list[bytes]:
        """``end`` once the batch is completed or stopped with final stats (``stats_final``) and the rows sent agree
        with its final counts (the rows' listener may deliver after the batch's: their last states come first)."""
        if self.batch.get("status") not in ENDED_BATCH or self.batch.get("stats_final") is not True:
            self._waiting_since = None
            return []
        if not self._rows_final():
            return []
        self.finished = True
        end = {
            "batch_id": self.batch_id,
            "status": self.batch.get("status"),
            "counts": self.batch.get("counts"),
            "success_rate": self.batch.get("success_rate"),
            "stopped_reason": self.batch.get("stopped_reason"),
        }
        return [encode("end", end)]

    def _rows_final(self) -> bool:
        """Whether the rows sent add up to the batch's final counts, or the grace for the rest ran out."""
        counts = self.batch.get("counts") or {}
        if row_counts(self._rows.values()) == {key: counts.get(key) for key in COUNT_KEYS}:
            self._waiting_since = None
            return True
        if not self._grace_over():
            return False
        logger.warning(
            "batch %s: its rows still disagree with its final counts after %.0f s; ending its stream",
            self.batch_id,
            self.options.gap_grace_s,
        )
        return True
