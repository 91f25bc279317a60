"""Read the job's stdout and stderr as they are written and turn them into numbered output lines.

One thread reads both pipes (``selectors``), so the order in which lines are numbered is the order in which the
runner saw them. Line numbers count all output lines of the attempt, both streams, from 0: a receiver can tell
whether it has every line. When the outbox is full, ``put`` blocks and this thread stops reading, so the
job blocks on its next write (backpressure).
"""

from __future__ import annotations

import logging
import os
import selectors
import threading
import time
from collections.abc import Callable
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
        items: list[Item] = []
        for line in lines:
            progress = parse_progress(line.data) if line.data.startswith(b"::progress") else None
            if progress is not None:
                items.append(progress)
                continue
            if self._on_marker is not None and line.data.startswith(ARTIFACT_MARKER):
                self._on_marker(line.data.decode("utf-8", "replace"))
            items.append(encode_line(self.lines, stream, ts_ms, line))
            self.lines += 1
        self._outbox.put(items)


class PipeReader:
    """Reads the job's pipes until both close (or ``stop``), then closes them; run it in a thread."""

    def __init__(
        self, pipes: dict[Stream, IO[bytes]], sink: OutputSink, *, max_line_bytes: int, cr_interval_s: float
    ) -> None:
        self._pipes = {pipe.fileno(): pipe for pipe in pipes.values()}
        self._streams = {pipe.fileno(): stream for stream, pipe in pipes.items()}
        self._sink = sink
        self._splitters = {
            fd: LineSplitter(max_line_bytes=max_line_bytes, cr_interval_s=cr_interval_s) for fd in self._pipes
        }
        self._stop = threading.Event()
        self.done = threading.Event()

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
                for key, _ in selector.select(self._timeout()):
                    self._read(selector, key.fd)
                self._poll_rewrites()
        except Exception:
            logger.exception("reading the job's output failed")
        finally:
            for key in list(selector.get_map().values()):
                self._close(selector, key.fd)
            selector.close()
            self.done.set()

    def _drain(self, selector: selectors.BaseSelector) -> None:
        """Read what the pipes hold now, without waiting for more."""
        for fd in [key.fd for key in selector.get_map().values()]:
            for _ in range(DRAIN_READ_BYTES // READ_CHUNK_BYTES):
                if not self._read(selector, fd):
                    break

    def _read(self, selector: selectors.BaseSelector, fd: int) -> bool:
        """Read once from ``fd``; return whether it had data (False: nothing yet, or closed)."""
        try:
            data = os.read(fd, READ_CHUNK_BYTES)
        except BlockingIOError:
            return False
        if not data:
            self._close(selector, fd)
            return False
        self._sink.emit(self._streams[fd], self._splitters[fd].feed(data, time.monotonic()), clock.now_ms())
        return True

    def _close(self, selector: selectors.BaseSelector, fd: int) -> None:
        selector.unregister(fd)
        self._sink.emit(self._streams[fd], self._splitters[fd].finish(), clock.now_ms())
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
