"""The callback messages of one attempt, numbered ``seq`` 0, 1, 2, ... in the order they are built.

Each message is built once, as bytes, and those bytes are what every retry resends: a message's content never
changes. Every message carries ``job_id``, ``attempt``, ``seq``, ``type`` and ``ts`` (ms since the epoch).
"""

from __future__ import annotations

import enum
import json
import os
import platform
import socket
from collections.abc import Callable, Mapping
from typing import Any

from tailrun_runner import __version__, clock
from tailrun_runner.capture import Progress
from tailrun_runner.events import encode


class MessageType(enum.StrEnum):
    """The ``type`` of a callback message."""

    STARTED = "started"
    HEARTBEAT = "heartbeat"
    PROGRESS = "progress"
    OUTPUT = "output"
    ARTIFACT = "artifact"
    COMPLETED = "completed"


class EndReason(enum.StrEnum):
    """Why the job ended, as ``completed`` reports it.

    Every reason but ``exited`` means the runner stopped the job (SIGTERM to its group, SIGKILL after the grace);
    the first cause wins (a timeout that passes while a SIGTERM stop is under way changes nothing, and the other way
    round). ``exit_code`` or ``signal`` is always the job's own: a job that traps SIGTERM and exits 3 reports 3."""

    EXITED = "exited"  # the job's main process exited by itself
    STOPPED = "stopped"  # the runner stopped the job because it was told to stop (SIGTERM or SIGINT)
    TIMEOUT = "timeout"  # the runner stopped the job when its timeout (TAILRUN_TIMEOUT_S) passed
    IDLE_TIMEOUT = "idle_timeout"  # ... when it printed nothing for TAILRUN_IDLE_TIMEOUT_S


# Cloud Run's own description of the task, reported in ``started`` when present.
CLOUD_RUN_VARIABLES = ("CLOUD_RUN_JOB", "CLOUD_RUN_EXECUTION", "CLOUD_RUN_TASK_INDEX")


class MessageFactory:
    """Builds the messages of one attempt and numbers them."""

    def __init__(self, job_id: str, attempt: int, now_ms: Callable[[], int] = clock.now_ms) -> None:
        self._job_id = job_id
        self._attempt = attempt
        self._now_ms = now_ms
        self._next_seq = 0

    def started(self, sandbox: Mapping[str, Any]) -> tuple[int, bytes]:
        """``started``: the first message of an attempt, describing the sandbox."""
        return self._build(MessageType.STARTED, {"sandbox": dict(sandbox)})

    def heartbeat(self) -> tuple[int, bytes]:
        """``heartbeat``: the runner is alive, whatever the job is doing."""
        return self._build(MessageType.HEARTBEAT, {})

    def progress(self, progress: Progress) -> tuple[int, bytes]:
        """``progress``: the job's latest ``::progress`` report."""
        return self._build(MessageType.PROGRESS, {"percent": progress.percent, "step": progress.step})

    def output(
        self, entries: list[bytes], events: list[bytes] | None = None, state: Mapping[str, Any] | None = None
    ) -> tuple[int, bytes]:
        """``output``: lines already encoded as JSON objects (see ``capture.encode_text``), and events (see
        ``events``) and the attempt's ``state`` after them; ``events`` only when there are some (``lines`` may then
        be empty), ``state`` once the attempt has had an event."""
        seq, head = self._build(MessageType.OUTPUT, {})
        body = head[:-1] + b',"lines":[' + b",".join(entries) + b"]"
        if events:
            body += b',"events":[' + b",".join(events) + b"]"
        if state is not None:
            body += b',"state":' + encode(dict(state))
        return seq, body + b"}"

    def artifact(self, report: Mapping[str, Any]) -> tuple[int, bytes]:
        """``artifact``: one file of the job, uploaded (``artifact_id``, ``md5``) or not (``error``)."""
        return self._build(MessageType.ARTIFACT, report)

    def completed(
        self, *, exit_code: int | None, signal: str | None, duration_ms: int, lines: int, reason: EndReason
    ) -> tuple[int, bytes]:
        """``completed``: how the job ended; the last message of an attempt."""
        fields = {"exit_code": exit_code, "signal": signal, "duration_ms": duration_ms, "lines": lines}
        return self._build(MessageType.COMPLETED, {**fields, "reason": reason})

    def _build(self, kind: MessageType, fields: Mapping[str, Any]) -> tuple[int, bytes]:
        seq = self._next_seq
        self._next_seq += 1
        envelope = {
            "job_id": self._job_id,
            "attempt": self._attempt,
            "seq": seq,
            "type": kind,
            "ts": self._now_ms(),
        }
        body = json.dumps({**envelope, **fields}, ensure_ascii=False, separators=(",", ":"))
        return seq, body.encode("utf-8")


def sandbox_details(environ: Mapping[str, str]) -> dict[str, Any]:
    """What ``started`` reports about where the attempt runs."""
    details: dict[str, Any] = {
        "hostname": socket.gethostname(),
        "pid": os.getpid(),
        "runner_version": __version__,
        "python": platform.python_version(),
    }
    for name in CLOUD_RUN_VARIABLES:
        if environ.get(name):
            details[name.lower()] = environ[name]
    return details
