"""The one log format of the functions and of the local stack: one JSON object per line, with Cloud Logging's
``severity`` field.

Cloud Functions (Cloud Run underneath) forwards stderr to Cloud Logging, which reads ``severity``, ``message`` and
``time`` from a JSON line. The fields: ``severity``, ``message``, ``logger``, ``time`` (ISO 8601, UTC, ``Z``) and
``exception`` when there is one. Public: ``JsonFormatter`` (a ``logging.Formatter``), ``JsonHandler`` and
``configure``; the local stack (``tailrun dev``, which serves the functions in its own process) installs the same
handler, so its records and the functions' read alike and ``configure`` adds no second one. The runner, a
standard-library-only image, keeps its own copy (``runner_container/tailrun_runner/logs.py``) of these fields.

Why JSON and not text: a runner or a client supplies some of what is logged (an artifact's name, a runner's
error message). In a text log a newline in such a value starts a second, real-looking record; in a JSON line it is
an escaped ``\\n`` inside one string, so no value can forge a record. Every call site logs such values as
%-arguments (``%r`` / ``%s``), never as the format string itself (``tests/functions/test_logs.py`` checks both).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import IO


def _clean(text: str) -> str:
    """Text that can be written as UTF-8: a lone surrogate (JSON can carry one) becomes a visible ``\\udXXX``."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class JsonFormatter(logging.Formatter):
    """Formats a record as ``{"severity", "message", "logger", "time"}`` plus ``exception`` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        when = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
        entry = {
            "severity": record.levelname,
            "message": _clean(record.getMessage()),
            "logger": record.name,
            "time": when.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        }
        if record.exc_info:
            entry["exception"] = _clean(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = _clean(record.exc_text)
        # json.dumps escapes every control character, newlines included: the record is exactly one line.
        return json.dumps(entry, ensure_ascii=False)


class JsonHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler ``configure`` installs; its own class so that configuring twice is recognised.

    Without a stream it writes to whatever ``sys.stderr`` is at each record (not the one at import time, which a
    test's capture may have replaced and closed since)."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__(stream if stream is not None else sys.stderr)
        self._follow_stderr = stream is None

    def emit(self, record: logging.LogRecord) -> None:
        if self._follow_stderr:
            self.stream = sys.stderr
        super().emit(record)


def configure(level: int = logging.INFO, stream: IO[str] | None = None) -> logging.Handler:
    """Send every log record of the process to ``stream`` (default stderr) as JSON lines; idempotent.

    Called once by ``functions/main.py`` at import. If the root logger already has a handler of ours, nothing
    changes and that handler is returned; handlers installed by others (a test's capture, the platform) are kept."""
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, JsonHandler):
            return handler
    handler = JsonHandler(stream)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    return handler
