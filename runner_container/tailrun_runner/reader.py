"""Read the job's stdout and stderr as they are written and turn them into numbered output lines.

One thread reads both pipes (``selectors``, epoll on Linux), so the order in which lines are numbered is the order
in which the runner saw them. Line numbers count all output lines of the attempt, both streams, from 0: a receiver
can tell whether it has every line. When the outbox is full, ``put`` blocks and this thread stops reading, so the
job blocks on its next write (backpressure).

Order across the two pipes, and its limits. Two pipes carry no common clock: when the reader wakes and both hold
data, nothing tells how their lines interleaved. What the reader does:

- It reads the pipes in the order epoll reports them ready, which is the order in which they became ready (epoll
  keeps its ready list first-come, first-served), so the pipe that had data first is read first.
- It reads each ready pipe once per wake-up (``READ_CHUNK_BYTES`` at most), never one pipe to exhaustion while the
  other waits; the lines of one wake-up are merged as if each pipe's lines had been written evenly over the time
  since the previous wake-up (``interleave``): two streams printed in turn come out in turn, and one stderr line
  among many stdout lines lands among them, not after all of them.

A job whose every print reaches the pipe at once (see ``defaults.LINE_BUFFERING_ENV``) and that prints more slowly
than the reader wakes (tens of microseconds on an idle machine, more under load) is stored exactly in print order;
a burst faster than that is ordered within each stream exactly and across streams by the estimate above. On a pty
(``TAILRUN_TTY``) both streams are one and the order is exact.
"""

from __future__ import annotations

import errno
import logging
import os
import selectors
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from tailrun_runner import clock, commands, events
from tailrun_runner.agent_hook import AgentHook
from tailrun_runner.artifacts import MARKER
from tailrun_runner.capture import (
    LineSplitter,
    Progress,
    RawLine,
    Stream,
    decode,
    encode_text,
    parse_progress,
)
from tailrun_runner.commands import AddMask, Event, Kind
from tailrun_runner.defaults import DRAIN_READ_BYTES, MAX_LINE_BYTES, READ_CHUNK_BYTES, READ_POLL_S
from tailrun_runner.events import QueuedEvent, State
from tailrun_runner.masking import Masker
from tailrun_runner.outbox import Item, Outbox

logger = logging.getLogger(__name__)

ARTIFACT_MARKER = MARKER.encode()


class OutputSink:
    """Turns what the job prints into the outbox's items, in order: numbered output lines, events (workflow
    commands; an agent's stream), progress reports; every one masked before it is encoded.

    For each line, in this order: a ``::progress`` line becomes a progress report (its step masked); a workflow
    command (``commands``) becomes an event, or with ``::add-mask::`` a new masked value, and is not a line; any
    other line is masked, cut at ``max_line_bytes`` (after masking: a secret across the cap is masked too) and
    numbered. With an agent hook, the job's stdout lines go through the agent's stream reader first, and what it
    gives (lines, events) goes on as above.
    """

    def __init__(
        self,
        outbox: Outbox,
        on_marker: Callable[[str], None] | None = None,
        *,
        masker: Masker | None = None,
        max_line_bytes: int = MAX_LINE_BYTES,
        agent: AgentHook | None = None,
    ) -> None:
        self._outbox = outbox
        self._on_marker = on_marker  # told of every ``::artifact`` line (it stays in the output)
        self._masker = masker if masker is not None else Masker()
        self._max_line_bytes = max_line_bytes
        self._agent = agent
        self.lines = 0
        self.events = 0
        self.state = State()

    @property
    def masker(self) -> Masker:
        """The job's masker (env values, and values added by ``::add-mask::``)."""
        return self._masker

    def emit(self, stream: Stream, lines: list[RawLine], ts_ms: int) -> None:
        """Queue ``lines`` of ``stream``, read at ``ts_ms``; ``::progress`` lines become progress reports."""
        self.emit_merged([(stream, line) for line in lines], ts_ms)

    def emit_merged(self, lines: list[tuple[Stream, RawLine]], ts_ms: int) -> None:
        """Queue ``lines`` of either stream, in this order, in one ``put``."""
        items: list[Item] = []
        agent = self._agent
        for stream, line in lines:
            if agent is not None and stream == "stdout" and not line.cut:
                text = decode(line.data, cut=False)[0]
                given = agent.feed(text)
                if given is not None and not _same_line(given, text):
                    self._given(items, stream, given, ts_ms)
                    continue
            self._raw(items, stream, line, ts_ms)
        self._outbox.put(items)

    def end(self, ts_ms: int) -> None:
        """The job's output has ended: what the agent's stream reader still holds is queued."""
        if self._agent is not None:
            items: list[Item] = []
            self._given(items, "stdout", self._agent.finish(), ts_ms)
            self._outbox.put(items)

    def _given(self, items: list[Item], stream: Stream, given: list[str | Event], ts_ms: int) -> None:
        for thing in given:
            if isinstance(thing, Event):
                self._event(items, thing.kind, thing.fields, ts_ms)
            else:
                self._text(items, stream, thing, ts_ms)

    def _raw(self, items: list[Item], stream: Stream, line: RawLine, ts_ms: int) -> None:
        """One line as read from a pipe."""
        data = line.data
        if data.startswith(b"::") or (data[:1] in _BLANKS and data.lstrip(b" \t").startswith(b"::")):
            if self._command(items, data, ts_ms, cut=line.cut):
                return
            if self._on_marker is not None and data.startswith(ARTIFACT_MARKER):
                self._on_marker(data.decode("utf-8", "replace"))
        cap = self._max_line_bytes
        cut = line.cut
        if not self._masker:
            if len(data) > cap:
                data, cut = data[:cap], True
            text, invalid = decode(data, cut=cut)
            items.append(
                encode_text(self.lines, stream, ts_ms, text, cut=cut, invalid=invalid, partial=line.partial)
            )
            self.lines += 1
            return
        text, invalid = decode(data, cut=cut)
        self._line(items, stream, text, ts_ms, cut=cut, invalid=invalid, partial=line.partial)

    def _text(self, items: list[Item], stream: Stream, text: str, ts_ms: int) -> None:
        """One line given as text (by an agent's stream reader)."""
        invalid = False
        try:
            text.encode()
        except UnicodeEncodeError:  # a lone surrogate: not UTF-8, replaced as a pipe's bad bytes are
            text, invalid = text.encode("utf-8", "replace").decode(), True
        if text.lstrip(" \t").startswith("::") and self._command(items, text, ts_ms, cut=False):
            return
        self._line(items, stream, text, ts_ms, cut=False, invalid=invalid, partial=False)

    def _line(
        self,
        items: list[Item],
        stream: Stream,
        text: str,
        ts_ms: int,
        *,
        cut: bool,
        invalid: bool,
        partial: bool,
    ) -> None:
        """Mask ``text``, cut it to the line cap, number and queue it."""
        text = self._masker.mask(text)
        cap = self._max_line_bytes
        if len(text) > cap // 4 and len(encoded := text.encode()) > cap:
            text, cut = encoded[:cap].decode("utf-8", "ignore"), True
            invalid = invalid and "\ufffd" in text
        items.append(encode_text(self.lines, stream, ts_ms, text, cut=cut, invalid=invalid, partial=partial))
        self.lines += 1

    def _command(self, items: list[Item], line: bytes | str, ts_ms: int, *, cut: bool) -> bool:
        """Handle ``line`` if it is a progress report or a workflow command; False if it is neither (a line)."""
        data = line if isinstance(line, bytes) else line.encode("utf-8", "replace")
        if data.startswith(b"::progress"):
            progress = parse_progress(data)
            if progress is None:
                return False
            items.append(Progress(progress.percent, self._masker.mask(progress.step)))
            return True
        if cut and data.lstrip(b" \t").startswith(RESULT_MARKERS):
            # A result longer than the command line cap: it cannot be parsed, it is over the cap in any case.
            self._event(items, Kind.RESULT, {"cut": True, "bytes": len(data)}, ts_ms)
            return True
        command = commands.parse(line)
        if command is None:
            return False
        if isinstance(command, AddMask):
            self._masker.add(command.value)
        else:
            self._event(items, command.kind, command.fields, ts_ms)
        return True

    def _event(self, items: list[Item], kind: str, fields: dict[str, Any], ts_ms: int) -> None:
        """Mask, number, cap and queue one event, with the state after it."""
        event = events.build(self.events, self.lines, ts_ms, kind, self._masker.mask_json(fields))
        self.state = events.advance(self.state, event)
        self.events += 1
        items.append(QueuedEvent(events.encode(event), self.state))


_BLANKS = (b" ", b"\t")
RESULT_MARKERS = (b"::result ", b"::result\t", b"::result::")


def _same_line(given: list[str | Event], text: str) -> bool:
    """Whether the agent's reader gave the line back as it was (not JSON): it then keeps its flags (partial,
    invalid UTF-8) as any plain line does."""
    return len(given) == 1 and given[0] == text


@dataclass(frozen=True, slots=True)
class ReadBatch:
    """The lines one read of one pipe completed; ``carried``: the first of them began in an earlier read (its
    first bytes were in the pipe before anything this wake-up read from any pipe)."""

    stream: Stream
    lines: list[RawLine]
    carried: bool = False


def interleave(batches: list[ReadBatch]) -> list[tuple[Stream, RawLine]]:
    """Merge the lines of one wake-up's reads (``batches``, in the order their pipes became ready) into one order.

    Within a stream the order is kept. Across streams: a line begun before this wake-up goes first; the other lines
    of each batch are taken as written evenly over the same interval, the time since the previous wake-up (line
    ``i`` of ``n`` at ``(i + 0.5) / n``), ties going to the pipe that became ready first. (Estimating each line's
    time from when its pipe was last seen empty was tried and did worse: under load the reader's own clock readings
    are off by more than the job's whole burst.)"""
    if len(batches) == 1:
        return [(batches[0].stream, line) for line in batches[0].lines]
    keyed = [
        (
            -1.0 if index == 0 and batch.carried else (index + 0.5) / len(batch.lines),
            rank,
            index,
            batch.stream,
            line,
        )
        for rank, batch in enumerate(batches)
        for index, line in enumerate(batch.lines)
    ]
    keyed.sort(key=lambda entry: (entry[0], entry[1], entry[2]))
    return [(stream, line) for _, _, _, stream, line in keyed]


class PipeReader:
    """Reads the job's pipes (or its pty's master) until all close (or ``stop``), then closes them; run it in a
    thread. It also tells how long the job has been silent (``quiet_for``), for the idle timeout.

    ``max_line_bytes`` is how much of a line is read before the rest is discarded (the runner passes at least
    ``COMMAND_LINE_MAX_BYTES``, so commands parse and secrets mask whole; the sink cuts ordinary lines to the line
    cap). At the end of the output the sink is told (``OutputSink.end``), before ``done`` is set."""

    def __init__(
        self,
        pipes: dict[Stream, IO[bytes]],
        sink: OutputSink,
        *,
        max_line_bytes: int,
        cr_interval_s: float,
        started_at: float | None = None,
    ) -> None:
        self._pipes = {pipe.fileno(): pipe for pipe in pipes.values()}
        self._streams = {pipe.fileno(): stream for stream, pipe in pipes.items()}
        self._sink = sink
        self._splitters = {
            fd: LineSplitter(max_line_bytes=max_line_bytes, cr_interval_s=cr_interval_s) for fd in self._pipes
        }
        self._stop = threading.Event()
        self.done = threading.Event()
        # When the job last wrote anything (monotonic; the job's start until then), and whether the reader is held
        # in the outbox's ``put`` (backpressure: the job may well be writing, it is not idle).
        self._last_output = time.monotonic() if started_at is None else started_at
        self._held = False

    def quiet_for(self, now: float) -> float:
        """How long the job has written nothing, as of ``now`` (0 while its output is held back)."""
        return 0.0 if self._held else max(0.0, now - self._last_output)

    def stop(self) -> None:
        """Stop waiting for the pipes to close (processes the job left behind may hold them open forever).

        What the pipes already hold is still read (up to ``DRAIN_READ_BYTES`` each): a job that exited while the
        runner was held back by a slow callback loses nothing.
        """
        self._stop.set()

    def run(self) -> None:
        """Read until every pipe is closed or ``stop`` is called; the last partial lines are emitted."""
        selector = selectors.DefaultSelector()
        try:
            for fd in self._streams:
                os.set_blocking(fd, False)
                selector.register(fd, selectors.EVENT_READ)
            while selector.get_map():
                if self._stop.is_set():
                    self._drain(selector)
                    break
                self._read_ready(selector)
                self._poll_rewrites()
        except Exception:
            logger.exception("reading the job's output failed")
        finally:
            try:
                for key in list(selector.get_map().values()):
                    self._close(selector, key.fd)
                selector.close()
                self._sink.end(clock.now_ms())
            finally:
                self.done.set()

    def _read_ready(self, selector: selectors.BaseSelector) -> None:
        """Wait for the pipes, read each ready one once, in the order they became ready, and emit their lines
        merged (``interleave``)."""
        ready = [key.fd for key, _ in selector.select(self._timeout())]
        if not ready:
            return
        # The other pipe too (after the ready ones): what reached it since the wake-up is read in the same round,
        # instead of in the next one, after everything the first pipe got meanwhile.
        others = [fd for fd in self._streams if fd not in ready]
        batches: list[ReadBatch] = []
        for fd in ready + others:
            if fd not in selector.get_map():
                continue
            carried = self._splitters[fd].pending()
            lines = self._read(selector, fd)
            if lines:
                batches.append(ReadBatch(self._streams[fd], lines, carried))
        if batches:
            self._emit(interleave(batches))

    def _drain(self, selector: selectors.BaseSelector) -> None:
        """Read what the pipes hold now, without waiting for more."""
        for fd in [key.fd for key in selector.get_map().values()]:
            for _ in range(DRAIN_READ_BYTES // READ_CHUNK_BYTES):
                lines = self._read(selector, fd)
                if lines is None:
                    break
                self._emit([(self._streams[fd], line) for line in lines])
                if fd not in selector.get_map():  # it closed
                    break

    def _read(self, selector: selectors.BaseSelector, fd: int) -> list[RawLine] | None:
        """Read once from ``fd``; return the lines it completed, or None when it had nothing yet. At its end
        (end-of-file; ``EIO`` on a pty's master) it is closed and its last partial line, if any, returned (in the
        same round as what the other pipe gave, so the merge places it)."""
        try:
            data = os.read(fd, READ_CHUNK_BYTES)
        except BlockingIOError:
            return None
        except OSError as exc:
            if exc.errno != errno.EIO:
                raise
            data = b""  # a pty's master once every slave fd is closed: the end of the output
        if not data:
            selector.unregister(fd)
            self._pipes[fd].close()
            return self._splitters[fd].finish()
        now = time.monotonic()
        self._last_output = now
        return self._splitters[fd].feed(data, now)

    def _emit(self, lines: list[tuple[Stream, RawLine]]) -> None:
        """Hand lines to the sink; while it blocks (backpressure) the job counts as busy, not idle."""
        self._held = True
        try:
            self._sink.emit_merged(lines, clock.now_ms())
        finally:
            if lines:  # the time held back counts as busy: the idle clock starts again now
                self._last_output = time.monotonic()
            self._held = False

    def _close(self, selector: selectors.BaseSelector, fd: int) -> None:
        selector.unregister(fd)
        self._emit([(self._streams[fd], line) for line in self._splitters[fd].finish()])
        self._pipes[fd].close()

    def _poll_rewrites(self) -> None:
        now = time.monotonic()
        for fd, splitter in self._splitters.items():
            if lines := splitter.poll(now):
                self._sink.emit(self._streams[fd], lines, clock.now_ms())

    def _timeout(self) -> float:
        dues = [due for splitter in self._splitters.values() if (due := splitter.due()) is not None]
        now = time.monotonic()
        return max(0.0, min([READ_POLL_S, *(due - now for due in dues)]))
