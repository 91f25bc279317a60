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
from typing import IO

from tailrun_runner import clock
from tailrun_runner.artifacts import MARKER
from tailrun_runner.capture import LineSplitter, RawLine, Stream, encode_line, parse_progress
from tailrun_runner.defaults import DRAIN_READ_BYTES, READ_CHUNK_BYTES, READ_POLL_S
from tailrun_runner.outbox import Item, Outbox

logger = logging.getLogger(__name__)

ARTIFACT_MARKER = MARKER.encode()


class OutputSink:
    """Numbers output lines, encodes them, and hands them (and progress reports) to the outbox in order."""

    def __init__(self, outbox: Outbox, on_marker: Callable[[str], None] | None = None) -> None:
        self._outbox = outbox
        self._on_marker = on_marker  # told of every ``::artifact`` line (it stays in the output)
        self.lines = 0

    def emit(self, stream: Stream, lines: list[RawLine], ts_ms: int) -> None:
        """Queue ``lines`` of ``stream``, read at ``ts_ms``; ``::progress`` lines become progress reports."""
        self.emit_merged([(stream, line) for line in lines], ts_ms)

    def emit_merged(self, lines: list[tuple[Stream, RawLine]], ts_ms: int) -> None:
        """Queue ``lines`` of either stream, in this order, in one ``put``."""
        items: list[Item] = []
        for stream, line in lines:
            progress = parse_progress(line.data) if line.data.startswith(b"::progress") else None
            if progress is not None:
                items.append(progress)
                continue
            if self._on_marker is not None and line.data.startswith(ARTIFACT_MARKER):
                self._on_marker(line.data.decode("utf-8", "replace"))
            items.append(encode_line(self.lines, stream, ts_ms, line))
            self.lines += 1
        self._outbox.put(items)


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
    thread. It also tells how long the job has been silent (``quiet_for``), for the idle timeout."""

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
            for key in list(selector.get_map().values()):
                self._close(selector, key.fd)
            selector.close()
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
