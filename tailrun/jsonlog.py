"""`tailrun dev`'s log: one JSON object per line on stderr, the functions' shape.

The fields are those of ``functions/tailrun_functions/logs.py`` (``severity``, ``message``, ``logger``, ``time``, and
``exception`` when there is one), so the local stack's own records and the functions' records (which run in the
same process) read alike; the two formatters are to be unified later. A value that a job, a runner or a web page
chose (an artifact's name, a refused ``Host``) can hold a newline: ``json.dumps`` escapes it, so it stays inside
one record and cannot forge a second one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys


class JsonFormatter(logging.Formatter):
    """A record as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        when = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
        entry = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "time": when.isoformat(timespec="microseconds").replace("+00:00", "Z"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        text = json.dumps(entry, ensure_ascii=False)
        return text.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate is written as \udXXX


class JsonHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler ``configure`` installs (its own class, so that the stack recognises it)."""


def configure(level: int) -> logging.Handler:
    """Make every record of the process a JSON line on stderr: the root logger's only handler."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = JsonHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def keep_only_ours() -> None:
    """Drop the root handlers someone else added (the functions configure their own at import) once ours is in
    place, so that each record is written once, in one format."""
    root = logging.getLogger()
    if any(isinstance(handler, JsonHandler) for handler in root.handlers):
        for handler in [handler for handler in root.handlers if not isinstance(handler, JsonHandler)]:
            root.removeHandler(handler)
