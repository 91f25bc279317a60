"""The runner's own logs: one JSON object per line on stderr, with Cloud Logging's ``severity`` field.

Cloud Run forwards a container's stderr to Cloud Logging, which reads ``severity`` and ``message`` from JSON lines.
These logs are the runner's, never the job's output (that goes to the callback).
"""

from __future__ import annotations

import json
import logging
import sys


class CloudLoggingFormatter(logging.Formatter):
    """Formats a record as ``{"severity", "message", "logger"}`` plus the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"severity": record.levelname, "message": record.getMessage(), "logger": record.name}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: int = logging.INFO) -> None:
    """Send every log record of the process to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(CloudLoggingFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
