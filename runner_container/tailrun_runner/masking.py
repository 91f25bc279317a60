"""Secrets masked before anything leaves the runner (invariant 8).

What is masked: every value of the job's ``env`` (``TAILRUN_ENV``) at least ``MASK_MIN_CHARS`` long, from the first
line on, and every value a job gives with ``::add-mask::VALUE`` from that line on, whatever its length (the job
asked for it). A value of several lines is masked line by line (each line of it that is long enough, and not
blank); a value with blanks around it is masked with and without them. Each occurrence becomes ``***``, longest
values first (so a value that contains another is masked whole).

Where: in output lines, in every string inside every event (recursively; keys are not masked, they are tailrun's
or the agent's field names), ``::progress`` step text and artifact reports' error messages: the runner's callers
mask each of these before it is encoded.

Not covered: a value split across two lines (or two writes that end up as two lines), one cut by the line cap
beyond the first ``COMMAND_LINE_MAX_BYTES`` of a line, encodings of a value (base64, URL escapes, the JSON escapes
of its special characters, another case), and values the job makes at run time without ``::add-mask::``.

Cost: one compiled regular expression (an alternation of the escaped values, longest first), rebuilt when a value
is added; a job with no secrets pays one attribute test per string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from tailrun_runner.defaults import MASK, MASK_MIN_CHARS


def _pieces(value: str, min_chars: int) -> set[str]:
    """The strings to mask for ``value``: each of its lines (and that line without blanks around it) that is at
    least ``min_chars`` long and not blank."""
    out: set[str] = set()
    for line in value.splitlines():
        for piece in (line, line.strip()):
            if len(piece) >= min_chars and piece.strip():
                out.add(piece)
    return out


class Masker:
    """Replaces every known secret value with ``***``; not thread-safe (the reader thread owns it)."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        for value in values:
            self._values |= _pieces(value, 1)
        self._compile()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Masker:
        """A masker for the job's ``env``: each value's lines of at least ``MASK_MIN_CHARS`` characters."""
        masker = cls()
        for value in env.values():
            masker._values |= _pieces(value, MASK_MIN_CHARS)
        masker._compile()
        return masker

    def __bool__(self) -> bool:
        """Whether there is anything to mask."""
        return self._pattern is not None

    def add(self, value: str) -> bool:
        """Mask ``value`` (``::add-mask::``) from now on, whatever its length; True if it was new."""
        new = _pieces(value, 1) - self._values
        if not new:
            return False
        self._values |= new
        self._compile()
        return True

    def mask(self, text: str) -> str:
        """``text`` with every occurrence of a secret replaced by ``***``."""
        if self._pattern is None:
            return text
        return self._pattern.sub(MASK, text)

    def mask_json(self, value: Any) -> Any:
        """A JSON value with every string inside it masked (recursively; dict keys unchanged)."""
        if self._pattern is None:
            return value
        return self._walk(value)

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, dict):
            return {key: self._walk(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self._walk(item) for item in value]
        return value

    def _compile(self) -> None:
        if not self._values:
            self._pattern = None
            return
        ordered = sorted(self._values, key=lambda value: (-len(value), value))
        self._pattern = re.compile("|".join(map(re.escape, ordered)))
