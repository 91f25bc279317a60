"""Turn the bytes a job writes to one stream into lines, and lines into what the callback receives.

Rules, in the order they apply:

- A line ends at ``\\n``. Bytes after the last ``\\n`` when the stream closes form a last line marked ``partial``.
- ``\\r`` rewrites the line, as on a terminal: of the segments between ``\\r`` characters, the line shows the
  last non-empty one (so ``"50%\\r100%\\n"`` is the line ``"100%"`` and ``"text\\r\\n"`` is ``"text"``). A line
  that is rewritten for a long time (a progress bar) is also sent while it is being rewritten, at most once per
  ``cr_interval_s`` and only when its state changed; its final state is sent when it ends unless identical to the
  last state sent. A watcher sees the bar move every few seconds without a flood of lines.
- A segment longer than ``max_line_bytes`` is cut there (at a UTF-8 character boundary) and marked ``cut``; the
  rest of it is read and discarded, so memory stays bounded whatever the job writes.
- Bytes that are not UTF-8 are replaced by U+FFFD and the line is marked ``invalid_utf8``; nothing crashes.
- A line of the form ``::progress <percent> [step]`` (``percent`` a number from 0 to 100, optionally followed by
  ``%``; ``step`` free text), on either stream, is consumed: it becomes a ``progress`` message, not an output line.
  Anything else that starts with ``::progress`` stays an ordinary line, so nothing is silently lost.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from typing import Literal

Stream = Literal["stdout", "stderr"]

_PROGRESS = re.compile(rb"::progress[ \t]+(\d+(?:\.\d+)?)%?(?:[ \t]+(.*?))?[ \t]*")
_encode_string = json.encoder.encode_basestring


@dataclass(frozen=True, slots=True)
class RawLine:
    """One line as the job wrote it (after ``\\r`` resolution and cutting), not yet decoded."""

    data: bytes
    cut: bool = False
    partial: bool = False


@dataclass(frozen=True, slots=True)
class Progress:
    """A ``::progress`` line: ``percent`` in 0-100 and a step label (possibly empty)."""

    percent: float
    step: str


class LineSplitter:
    """Splits one stream's bytes into ``RawLine``s; the caller passes the time so tests need no clock."""

    def __init__(self, *, max_line_bytes: int, cr_interval_s: float) -> None:
        self._cap = max_line_bytes
        self._cr_interval = cr_interval_s
        self._seg = bytearray()  # the segment being written (after the last \r of the current line)
        self._seg_cut = False
        self._shown: bytes | None = None  # the last non-empty completed segment, once the line saw a \r
        self._shown_cut = False
        self._line_started: float | None = None
        self._snapshot: bytes | None = None  # the state of this line last sent while it was being rewritten
        self._snapshot_at = float("-inf")

    def feed(self, data: bytes, now: float) -> list[RawLine]:
        """Consume ``data``; return the lines it completed."""
        parts = data.split(b"\n")
        tail = parts.pop()
        out: list[RawLine] = []
        if parts:
            self._add(parts[0], now)
            self._end_line(out, partial=False)
            if b"\r" in data:
                for part in parts[1:]:
                    self._add(part, now)
                    self._end_line(out, partial=False)
            else:  # fast path: plain lines need no state
                cap = self._cap
                out.extend(RawLine(p) if len(p) <= cap else RawLine(p[:cap], cut=True) for p in parts[1:])
        if tail:
            self._add(tail, now)
        return out

    def pending(self) -> bool:
        """Whether the start of a line is held, waiting for its end (its first bytes came in an earlier read)."""
        return self._line_started is not None

    def poll(self, now: float) -> list[RawLine]:
        """Return the current state of a line being rewritten, if it is due (see ``due``) and changed."""
        due = self.due()
        if due is None or now < due or self._shown is None:
            return []
        self._snapshot, self._snapshot_at = self._shown, now
        return [RawLine(self._shown, cut=self._shown_cut)]

    def due(self) -> float | None:
        """When ``poll`` may next return a rewritten line's state, or None if no line is being rewritten."""
        if not self._shown or self._shown == self._snapshot or self._line_started is None:
            return None
        return max(self._line_started, self._snapshot_at) + self._cr_interval

    def finish(self) -> list[RawLine]:
        """The stream closed: return the unfinished last line, if any, marked partial."""
        out: list[RawLine] = []
        if self._line_started is not None:
            self._end_line(out, partial=True)
        return out

    def _add(self, piece: bytes, now: float) -> None:
        if self._line_started is None:
            self._line_started = now
        if b"\r" not in piece:
            self._append(piece)
            return
        segments = piece.split(b"\r")
        self._append(segments[0])
        for segment in segments[1:]:
            if self._seg:
                self._shown, self._shown_cut = bytes(self._seg), self._seg_cut
            elif self._shown is None:
                self._shown = b""
            self._seg.clear()
            self._seg_cut = False
            self._append(segment)

    def _append(self, piece: bytes) -> None:
        room = self._cap - len(self._seg)
        if len(piece) > room:
            piece = piece[: max(room, 0)]
            self._seg_cut = True
        self._seg += piece

    def _end_line(self, out: list[RawLine], *, partial: bool) -> None:
        if self._seg or self._shown is None:
            data, cut = bytes(self._seg), self._seg_cut
        else:
            data, cut = self._shown, self._shown_cut
        if self._snapshot is None or data != self._snapshot:
            out.append(RawLine(data, cut=cut, partial=partial))
        self._seg.clear()
        self._seg_cut = False
        self._shown = None
        self._shown_cut = False
        self._line_started = None
        self._snapshot = None


def parse_progress(data: bytes) -> Progress | None:
    """The progress a ``::progress`` line reports, or None if ``data`` is not a well-formed progress line."""
    if not data.startswith(b"::progress"):
        return None
    match = _PROGRESS.fullmatch(data)
    if match is None:
        return None
    percent = float(match.group(1))
    if percent > 100:
        return None
    step = decode(match.group(2) or b"", cut=False)[0]
    return Progress(percent=int(percent) if percent.is_integer() else percent, step=step)


def decode(data: bytes, *, cut: bool) -> tuple[str, bool]:
    """Decode UTF-8, replacing bad bytes; return the text and whether any byte was replaced.

    A cut line may end inside a multi-byte character; that incomplete tail is dropped rather than reported as
    invalid, so a cut never makes valid text look broken.
    """
    if not cut:
        try:
            return data.decode("utf-8"), False
        except UnicodeDecodeError:
            return data.decode("utf-8", "replace"), True
    try:
        return codecs.getincrementaldecoder("utf-8")("strict").decode(data, final=False), False
    except UnicodeDecodeError:
        return codecs.getincrementaldecoder("utf-8")("replace").decode(data, final=False), True


def encode_line(index: int, stream: Stream, ts_ms: int, line: RawLine) -> bytes:
    """The JSON of one entry of an output message's ``lines``, encoded once when the line is read."""
    text, invalid = decode(line.data, cut=line.cut)
    return encode_text(index, stream, ts_ms, text, cut=line.cut, invalid=invalid, partial=line.partial)


def encode_text(
    index: int, stream: Stream, ts_ms: int, text: str, *, cut: bool, invalid: bool, partial: bool
) -> bytes:
    """The JSON of one entry of ``lines`` from its decoded (and masked) text and its flags."""
    flags = ""
    if cut:
        flags += ',"cut":true'
    if invalid:
        flags += ',"invalid_utf8":true'
    if partial:
        flags += ',"partial":true'
    text_json = _encode_string(text)
    return f'{{"line":{index},"stream":"{stream}","ts":{ts_ms},"text":{text_json}{flags}}}'.encode()
