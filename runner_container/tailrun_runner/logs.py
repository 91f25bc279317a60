"""The runner's own logs: one JSON object per line on stderr, with Cloud Logging's ``severity`` field.

Cloud Run forwards a container's stderr to Cloud Logging, which reads ``severity``, ``message`` and ``time`` from
JSON lines. These logs are the runner's, never the job's output (that goes to the callback).

The shape is the functions' (``functions/tailrun_functions/logs.py``): the runner's image installs only the
runner, so it keeps this copy of the formatter, and ``tests/runner/test_logs.py`` checks that both format the same
records into the same fields and values. A value the job or the callback supplied (a file name, an error message)
is logged as a %-argument: in a JSON line a newline in it is an escaped ``\\n``, so it cannot forge a record.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys


def _clean(text: str) -> str:
    """Text that can be written as UTF-8: a lone surrogate (a file name's stray byte) becomes a visible ``\\udXXX``."""
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


def configure(level: int = logging.INFO) -> None:
    """Send every log record of the process to stderr as JSON lines (the runner's process has no other handler)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
