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


def events_of(db: firestore.Client, job_id: str, attempt: int = 1) -> list[dict[str, Any]]:
    """Every event of an attempt in the order clients read them: chunks by id, each chunk's events in order."""
    return [event for chunk in chunks(db, job_id) if chunk["attempt"] == attempt for event in chunk["events"]]


def fresh_state() -> dict[str, Any]:
    return {
        "events": 0,
        "current_step": None,
        "current_url": None,
        "annotations": {"error": 0, "warning": 0, "notice": 0},
        "usage": None,
        "result": None,
    }


class EventRunner(PlayedRunner):
    """A played runner that also numbers events and keeps the attempt's cumulative state as design §1 says the
    real one does (the latest step or tool call's summary, the latest URL, annotation counts, the latest usage
    and valid result)."""

    def __init__(self, api: Api, variables: dict[str, str]) -> None:
        super().__init__(api, variables)
        self.event = 0
        self.state = fresh_state()

    def events(self, *events: dict[str, Any]) -> list[dict[str, Any]]:
        """Number ``events`` (each ``{"kind": …, fields}``) before the next line, and update the state."""
        numbered = []
        for event in events:
            numbered.append(
                {"event": self.event, "at_line": self.line, "ts": int(time.time() * 1000), **event}
            )
            self.event += 1
            self._apply(event)
        self.state = {**self.state, "events": self.event}
        return numbered

    def _apply(self, event: dict[str, Any]) -> None:
        kind = event["kind"]
        if kind == "step":
            self.state["current_step"] = event["text"]
        elif kind == "tool_call":
            self.state["current_step"] = event["summary"]
        elif kind == "url":
            self.state["current_url"] = event["url"]
        elif kind == "annotation":
            counts = dict(self.state["annotations"])
            counts[event["level"]] += 1
            self.state["annotations"] = counts
        elif kind == "usage":
            self.state["usage"] = {
                k: event[k] for k in ("input_tokens", "output_tokens", "cost_usd") if k in event
            }
        elif kind == "result" and not event.get("cut"):
            self.state["result"] = event["value"]

    def batch(
        self, *texts: str, events: tuple[dict[str, Any], ...] = (), seq: int | None = None
    ) -> dict[str, Any]:
        """An output message: ``events`` (placed before the lines), then ``texts`` as stdout lines."""
        numbered = self.events(*events)
        fields: dict[str, Any] = {"lines": self.lines(*texts)}
        if numbered:
            fields.update(events=numbered, state=dict(self.state))
        return self.message("output", seq=seq, **fields)

    def emit(self, *texts: str, events: tuple[dict[str, Any], ...] = ()) -> Reply:
        return self.send(self.batch(*texts, events=events))


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
