"""``GET /events?batch_id=…``: a batch's server-sent events, over real HTTP, from a real batch of real jobs.

The functions are served by ``tailrun.local.functions_server`` as ``tailrun dev`` serves them; the batch is created
over that server too, and its jobs are real runners (the local launcher) of ``waiter.py`` (from ``test_batches``),
each of which waits until the test releases it, so the test decides when the counts move. Streams are read with
``sseclient-py`` in threads, each until its server closes it.
"""

from __future__ import annotations

import itertools
import json
import secrets
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import sseclient
from google.cloud import firestore
from tailrun_functions.streams import hub

from .conftest import DEV_TOKEN, Api
from .shared import wait_for
from .test_batches import WAITER, names_csv

LIFECYCLE = ["queued", "booting", "running", "succeeded"]


@pytest.fixture
def waiter(tmp_path: Path) -> Path:
    path = tmp_path / "waiter.py"
    path.write_text(WAITER)
    (tmp_path / "marks").mkdir()
    return path


@pytest.fixture
def db(api: Api) -> firestore.Client:
    from tailrun_functions import services

    client: firestore.Client = services.current().db
    return client


def _auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {DEV_TOKEN}"}


def create_batch(url: str, **body: Any) -> str:
    """POST /create_batch over HTTP (again on a 503 ``unavailable``: a lost transaction wrote nothing)."""
    for _ in range(5):
        response = requests.post(f"{url}/create_batch", json=body, headers=_auth(), timeout=30)
        if response.status_code != 503:
            break
    assert response.status_code == 201, response.text
    return str(response.json()["batch_id"])


def open_stream(url: str, batch_id: str, **params: Any) -> requests.Response:
    headers = {"Accept": "text/event-stream", **_auth()}
    return requests.get(
        f"{url}/events", params={"batch_id": batch_id, **params}, headers=headers, stream=True, timeout=60
    )


@dataclass
class Reader:
    """A stream read in a thread until its server closes it: its events so far, and whether it closed."""

    response: requests.Response
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    closed: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        assert self.response.status_code == 200, self.response.text
        assert self.response.headers["Content-Type"].startswith("text/event-stream")
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            for event in sseclient.SSEClient(self.response.iter_content(chunk_size=None)).events():
                with self.lock:
                    self.events.append((event.event, json.loads(event.data)))
        finally:
            self.closed.set()
            self.response.close()

    def of(self, name: str) -> list[dict[str, Any]]:
        with self.lock:
            return [data for kind, data in self.events if kind == name]

    @property
    def names(self) -> list[str]:
        with self.lock:
            return [kind for kind, _ in self.events]

    def succeeded(self) -> int:
        batches = self.of("batch")
        return int(batches[-1]["counts"]["succeeded"]) if batches else -1


def release(waiter: Path, name: str = "all") -> None:
    (waiter.parent / "marks" / f"release-{name}").touch()


def test_a_batch_stream_follows_the_counts_and_every_row_to_the_end_then_closes(
    api: Api, stack_url: str, db: firestore.Client, waiter: Path
) -> None:
    argv = [sys.executable, str(waiter), str(waiter.parent / "marks"), "{name}", "0"]
    batch_id = create_batch(stack_url, csv=names_csv(4), argv=argv, concurrency=2, name="four", timeout_s=60)
    first = Reader(open_stream(stack_url, batch_id))
    second = Reader(open_stream(stack_url, batch_id))
    wait_for(lambda: len(first.of("row")) >= 4 and len(second.of("row")) >= 4, what="every row once")
    assert sum(h.listeners for h in hub.hubs()) == hub.LISTENERS_PER_BATCH_FEED, (
        "two viewers, one listener pair"
    )

    release(waiter, "row0")
    wait_for(lambda: first.succeeded() >= 1, timeout=30, what="a batch event counting row 0's success")
    release(waiter)
    assert first.closed.wait(60), "the stream closes after end"
    assert second.closed.wait(30)

    opening = first.of("batch")[0]
    assert first.names[0] == "batch", "the batch document first"
    assert opening["batch_id"] == batch_id and opening["concurrency"] == 2 and opening["name"] == "four"
    assert opening["counts"]["total"] == 4
    assert [row["row"] for row in first.of("row")[:4]] == [0, 1, 2, 3], (
        "every row on connecting, in row order"
    )
    succeeded = [batch["counts"]["succeeded"] for batch in first.of("batch")]
    assert succeeded == sorted(succeeded) and succeeded[0] < succeeded[-1] == 4, (
        "the counts move to the final"
    )
    assert 1 in succeeded, "row 0 alone succeeded before the others were released"
    final = first.of("batch")[-1]
    expected = {
        "total": 4,
        "queued": 0,
        "running": 0,
        "succeeded": 4,
        "failed": 0,
        "canceled": 0,
        "timed_out": 0,
    }
    assert final["status"] == "completed" and final["stats_final"] is True
    assert final["counts"] == expected and final["success_rate"] == 1.0 and final["eta_s"] == 0.0

    stored = {row["row"]: row for row in (s.to_dict() or {} for s in _rows(db, batch_id))}
    for n in range(4):
        seen = [row for row in first.of("row") if row["row"] == n]
        statuses = [row["status"] for row in seen]
        assert statuses == sorted(statuses, key=LIFECYCLE.index), (n, statuses)
        assert statuses[-1] == "succeeded", (n, statuses)
        if n >= 2:  # rows 0 and 1 started before create_batch answered; 2 and 3 waited for a free slot
            assert statuses[0] == "queued", (n, statuses)
        assert all(a != b for a, b in itertools.pairwise(seen)), "a row event per change, no repeat"
        last = seen[-1]
        assert last["result"] == {"name": f"row{n}"} and last["exit_code"] == 0
        assert last["job_id"] == stored[n]["job_id"] and last["attempts"] == stored[n]["attempts"] == 1

    for reader in (first, second):
        assert reader.names[-1] == "end" and reader.names.count("end") == 1
        assert reader.of("end")[0] == {
            "batch_id": batch_id,
            "status": "completed",
            "counts": expected,
            "success_rate": 1.0,
            "stopped_reason": None,
        }
        last_rows = {row["row"]: row["status"] for row in reader.of("row")}
        assert last_rows == dict.fromkeys(range(4), "succeeded"), "every row's last state before end"
    wait_for(lambda: sum(h.listeners for h in hub.hubs()) == 0, what="the last stream to close the listeners")


def _rows(db: firestore.Client, batch_id: str) -> list[Any]:
    return list(db.collection("batches").document(batch_id).collection("rows").order_by("row").stream())


def test_a_stopped_batch_ends_its_stream_with_the_canceled_rows(
    api: Api, stack_url: str, db: firestore.Client, waiter: Path
) -> None:
    argv = [sys.executable, str(waiter), str(waiter.parent / "marks"), "{name}", "0"]
    batch_id = create_batch(stack_url, csv=names_csv(3), argv=argv, concurrency=1, timeout_s=60)
    reader = Reader(open_stream(stack_url, batch_id))
    wait_for(lambda: (waiter.parent / "marks" / "started-row0").exists(), what="row 0 started")

    response = requests.post(
        f"{stack_url}/stop_batch",
        json={"batch_id": batch_id, "reason": "enough"},
        headers=_auth(),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert reader.closed.wait(60)

    assert reader.names[-1] == "end"
    end = reader.of("end")[0]
    assert end["status"] == "stopped" and end["stopped_reason"] == "enough"
    assert end["counts"]["canceled"] == 3 and end["counts"]["total"] == 3
    assert {row["row"]: row["status"] for row in reader.of("row")} == dict.fromkeys(range(3), "canceled")


def test_a_stream_of_an_ended_batch_sends_the_whole_state_again_and_ends(
    api: Api, stack_url: str, waiter: Path
) -> None:
    release(waiter)
    argv = [sys.executable, str(waiter), str(waiter.parent / "marks"), "{name}", "0"]
    batch_id = create_batch(stack_url, csv=names_csv(3), argv=argv, concurrency=2, timeout_s=60)
    assert Reader(open_stream(stack_url, batch_id)).closed.wait(60)

    again = Reader(open_stream(stack_url, batch_id))  # a reconnect: no ids, the current batch and every row
    assert again.closed.wait(30)

    assert again.names == ["batch", "row", "row", "row", "end"]
    assert [row["status"] for row in again.of("row")] == ["succeeded"] * 3
    assert again.of("batch")[0]["status"] == "completed"


def test_another_users_batch_is_a_404_like_a_missing_one(
    api: Api, stack_url: str, db: firestore.Client
) -> None:
    theirs = secrets.token_hex(16)
    db.collection("batches").document(theirs).set({"owner": "someone-else", "status": "running"})
    listeners = sum(h.listeners for h in hub.hubs())

    other = open_stream(stack_url, theirs)
    missing = open_stream(stack_url, secrets.token_hex(16))

    assert other.status_code == missing.status_code == 404
    assert other.json()["error"]["code"] == missing.json()["error"]["code"] == "batch_not_found"
    assert other.json()["error"]["message"].startswith("no batch ")
    assert sum(h.listeners for h in hub.hubs()) == listeners, "no listener was opened"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"batch_id": "b1"}, "invalid_batch_id"),
        ({"batch_id": ""}, "invalid_batch_id"),
        ({"batch_id": "A" * 32}, "invalid_batch_id"),
        ({"batch_id": "0" * 32, "job_id": "j"}, "invalid_request"),
    ],
)
def test_a_bad_batch_id_is_a_400_with_a_json_error(
    api: Api, stack_url: str, params: dict[str, str], code: str
) -> None:
    response = requests.get(f"{stack_url}/events", params=params, headers=_auth(), timeout=10)

    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == code


def test_a_wrong_token_gets_401_for_a_batch_too(api: Api, stack_url: str) -> None:
    response = requests.get(
        f"{stack_url}/events",
        params={"batch_id": "0" * 32},
        headers={"Authorization": "Bearer not-the-token"},
        timeout=10,
    )
    assert response.status_code == 401
