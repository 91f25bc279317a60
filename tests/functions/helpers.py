"""Helpers for the functions tests: a runner played by the test, document dumps, readers."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from google.cloud import firestore

from .conftest import Api, Reply
from .shared import wait_for


def job(db: firestore.Client, job_id: str) -> dict[str, Any]:
    return db.collection("jobs").document(job_id).get().to_dict() or {}


def chunks(db: firestore.Client, job_id: str) -> list[dict[str, Any]]:
    """The job's chunk documents in the order clients read them (by document id)."""
    return [
        s.to_dict() or {}
        for s in db.collection("jobs").document(job_id).collection("chunks").order_by("__name__").stream()
    ]


def lines_of(db: firestore.Client, job_id: str, attempt: int = 1) -> list[dict[str, Any]]:
    return [line for chunk in chunks(db, job_id) if chunk["attempt"] == attempt for line in chunk["lines"]]


def launched(directory: Path, job_id: str, attempt: int = 1, timeout: float = 20.0) -> dict[str, str]:
    """The variables the launcher gave attempt ``attempt`` of ``job_id`` (the capture scenario wrote them)."""
    path = directory / f"{job_id}-{attempt}.json"
    wait_for(path.exists, timeout=timeout, what=f"launch of {job_id} attempt {attempt}")
    return dict(json.loads(path.read_text()))


class PlayedRunner:
    """The runner's side of the protocol, played by a test: numbers messages and lines like the real one."""

    def __init__(self, api: Api, variables: dict[str, str]) -> None:
        self.api = api
        self.job_id = variables["TAILRUN_JOB_ID"]
        self.attempt = int(variables["TAILRUN_ATTEMPT"])
        self.token = variables["TAILRUN_TOKEN"]
        self.seq = 0
        self.line = 0

    def message(self, type_: str, seq: int | None = None, **fields: Any) -> dict[str, Any]:
        """A message with the next seq (or the given one); does not send it."""
        if seq is None:
            seq, self.seq = self.seq, self.seq + 1
        return {
            "job_id": self.job_id,
            "attempt": self.attempt,
            "seq": seq,
            "type": type_,
            "ts": int(time.time() * 1000),
            **fields,
        }

    def lines(self, *texts: str, stream: str = "stdout") -> list[dict[str, Any]]:
        batch = []
        for text in texts:
            batch.append({"line": self.line, "stream": stream, "ts": int(time.time() * 1000), "text": text})
            self.line += 1
        return batch

    def send(
        self, message: dict[str, Any], token: str | None = None, headers: dict[str, str] | None = None
    ) -> Reply:
        return self.api.post("job_callback", message, token=token or self.token, headers=headers)

    def started(self) -> Reply:
        return self.send(self.message("started", sandbox={"hostname": "test", "pid": 1}))

    def output(self, *texts: str, stream: str = "stdout") -> Reply:
        return self.send(self.message("output", lines=self.lines(*texts, stream=stream)))

    def heartbeat(self) -> Reply:
        return self.send(self.message("heartbeat"))

    def progress(self, percent: float, step: str = "") -> Reply:
        return self.send(self.message("progress", percent=percent, step=step))

    def completed(
        self, exit_code: int | None = 0, signal: str | None = None, reason: str = "exited"
    ) -> Reply:
        return self.send(
            self.message(
                "completed", exit_code=exit_code, signal=signal, duration_ms=5, lines=self.line, reason=reason
            )
        )


def value_size(value: Any) -> int:
    """A value's storage size as Firestore documents it (https://firebase.google.com/docs/firestore/storage-size)."""
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, int | float | dt.datetime):
        return 8
    if isinstance(value, str):
        return len(value.encode("utf-8")) + 1
    if isinstance(value, list):
        return sum(value_size(item) for item in value)
    if isinstance(value, dict):
        return sum(len(key.encode("utf-8")) + 1 + value_size(item) for key, item in value.items())
    raise TypeError(f"no size for {type(value).__name__}")


def document_size(path: str, data: dict[str, Any]) -> int:
    """A document's storage size: its name (each path segment, plus 16) and its fields, plus 32."""
    name = sum(len(segment.encode("utf-8")) + 1 for segment in path.split("/")) + 16
    return name + value_size(data) + 32
