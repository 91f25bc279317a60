"""Batches (issue 15) through the real functions over HTTP, the emulator and real runners (the local launcher).

The jobs are real processes: ``waiter.py`` (written per test) marks its start and waits until the test releases it
(``release-<name>`` or ``release-all`` in its directory), then prints a ``::result`` and exits with the code it was
given, so a test decides when each job ends instead of guessing at timings.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from .conftest import DEV_TOKEN, Api, Reply
from .shared import create_apps, dump_all, until_not_busy, wait_for

BATCH_TARGETS = (
    "create_batch",
    "pause_batch",
    "resume_batch",
    "stop_batch",
    "set_batch_concurrency",
    "retry_batch",
    "export_batch",
)
WAITER = """
import pathlib, sys, time
d, name = pathlib.Path(sys.argv[1]), sys.argv[2]
(d / f"started-{name}").touch()
while not (d / f"release-{name}").exists() and not (d / "release-all").exists():
    time.sleep(0.02)
print(f"done {name}")
print('::result {"name": "%s"}' % name)
sys.exit(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
"""


@pytest.fixture(scope="module")
def batch_apps() -> dict[str, Any]:
    return create_apps(BATCH_TARGETS)


@pytest.fixture
def bapi(api: Api, functions_apps: dict[str, Any], batch_apps: dict[str, Any]) -> Api:
    return Api({**functions_apps, **batch_apps})


@pytest.fixture
def waiter(tmp_path: Path) -> Path:
    path = tmp_path / "waiter.py"
    path.write_text(WAITER)
    (tmp_path / "marks").mkdir()
    return path


def marks(waiter: Path) -> Path:
    return waiter.parent / "marks"


def release(waiter: Path, name: str = "all") -> None:
    (marks(waiter) / f"release-{name}").touch()


def waiter_argv(waiter: Path, code: str = "0") -> list[str]:
    return [sys.executable, str(waiter), str(marks(waiter)), "{name}", code]


def names_csv(count: int) -> str:
    return "name,n\n" + "".join(f"row{i},{i}\n" for i in range(count))


def create(bapi: Api, **body: Any) -> str:
    reply = until_not_busy(lambda: bapi.post("create_batch", body))
    assert reply.status == 201, reply.body
    return str(reply.body["batch_id"])


def control(bapi: Api, target: str, **body: Any) -> Reply:
    return until_not_busy(lambda: bapi.post(target, body))


def batch(db: firestore.Client, batch_id: str) -> dict[str, Any]:
    return db.collection("batches").document(batch_id).get().to_dict() or {}


def rows(db: firestore.Client, batch_id: str) -> list[dict[str, Any]]:
    ref = db.collection("batches").document(batch_id).collection("rows")
    return [s.to_dict() or {} for s in ref.order_by("row").stream()]


def statuses(db: firestore.Client, batch_id: str) -> list[str]:
    return [row["status"] for row in rows(db, batch_id)]


def batch_jobs(db: firestore.Client, batch_id: str) -> list[dict[str, Any]]:
    query = db.collection("jobs").where(filter=FieldFilter("batch_id", "==", batch_id))
    return [{"job_id": s.id, **(s.to_dict() or {})} for s in query.stream()]


def store_job(db: firestore.Client, job_id: str) -> dict[str, Any]:
    return db.collection("jobs").document(job_id).get().to_dict() or {}


def active(db: firestore.Client, batch_id: str) -> int:
    return sum(status in ("booting", "running") for status in statuses(db, batch_id))


def max_overlap(jobs: list[dict[str, Any]]) -> int:
    """The most jobs alive at once, each from its creation (the start transaction) to its end."""
    points = []
    for job in jobs:
        points.append((job["created_at"], 1))
        if job.get("ended_at") is not None:
            points.append((job["ended_at"], -1))
    level = most = 0
    for _, step in sorted(points, key=lambda p: (p[0], p[1])):
        level += step
        most = max(most, level)
    return most


class Watcher:
    """A listener on a batch's jobs: the most it ever saw booting or running at once."""

    def __init__(self, db: firestore.Client, batch_id: str) -> None:
        self.statuses: dict[str, str] = {}
        self.most = 0
        self.lock = threading.Lock()
        query = db.collection("jobs").where(filter=FieldFilter("batch_id", "==", batch_id))
        self.watch = query.on_snapshot(self._changed)

    def _changed(self, snapshots: Any, changes: Any, read_time: Any) -> None:
        with self.lock:
            for snapshot in snapshots:
                self.statuses[snapshot.id] = (snapshot.to_dict() or {}).get("status", "")
            alive = sum(s in ("booting", "running") for s in self.statuses.values())
            self.most = max(self.most, alive)

    def close(self) -> None:
        self.watch.unsubscribe()


@pytest.fixture
def db(bapi: Api) -> Iterator[firestore.Client]:
    from tailrun_functions import services

    yield services.current().db


def test_twelve_rows_at_concurrency_three_with_reapers_racing(
    bapi: Api, db: firestore.Client, waiter: Path
) -> None:
    release(waiter)  # every job ends at once: starts race the endings, the callbacks and two reapers
    stop = threading.Event()
    reaped: list[int] = []

    def reaper() -> None:
        while not stop.is_set():
            reaped.append(bapi.post("reap_sandboxes", {}).status)

    batch_id = create(
        bapi, csv=names_csv(12), argv=waiter_argv(waiter), concurrency=3, name="twelve", timeout_s=60
    )
    watcher = Watcher(db, batch_id)
    threads = [threading.Thread(target=reaper) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        wait_for(lambda: batch(db, batch_id).get("status") == "completed", timeout=90, what="completed")
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        watcher.close()
    assert reaped and set(reaped) <= {200, 503}
    jobs = batch_jobs(db, batch_id)
    assert len(jobs) == 12 and sorted(job["row"] for job in jobs) == list(range(12))  # each row once
    assert all(job["status"] == "succeeded" for job in jobs)
    assert max_overlap(jobs) <= 3
    assert watcher.most <= 3
    found = rows(db, batch_id)
    assert [row["job_id"] for row in found] == [
        next(j["job_id"] for j in jobs if j["row"] == i) for i in range(12)
    ]
    assert all(row["result"] == {"name": f"row{row['row']}"} and row["exit_code"] == 0 for row in found)
    expected = {
        "total": 12,
        "queued": 0,
        "running": 0,
        "succeeded": 12,
        "failed": 0,
        "canceled": 0,
        "timed_out": 0,
    }
    wait_for(lambda: batch(db, batch_id)["counts"] == expected, timeout=5, what="exact counts")
    final = batch(db, batch_id)
    assert final["success_rate"] == 1.0 and final["eta_s"] == 0.0 and final["avg_duration_s"] is not None
    # the export: the input rows in row order, the results appended
    response = bapi.clients["export_batch"].get(
        f"/?batch_id={batch_id}&format=csv", headers={"Authorization": f"Bearer {DEV_TOKEN}"}
    )
    assert response.status_code == 200, response.data
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == ["name", "n", "status", "exit_code", "duration_s", "attempts", "error", "result"]
    assert [line[:2] for line in table[1:]] == [[f"row{i}", str(i)] for i in range(12)]
    assert [line[2:4] for line in table[1:]] == [["succeeded", "0"]] * 12
    assert [json.loads(line[7]) for line in table[1:]] == [{"name": f"row{i}"} for i in range(12)]
    response = bapi.clients["export_batch"].get(
        f"/?batch_id={batch_id}&format=jsonl", headers={"Authorization": f"Bearer {DEV_TOKEN}"}
    )
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert [(r["name"], r["n"], r["status"], r["result"]) for r in lines] == [
        (f"row{i}", str(i), "succeeded", {"name": f"row{i}"}) for i in range(12)
    ]


@pytest.mark.timeout(600)  # 200 real runners and jobs, 5 at a time: about a minute on an idle 2-CPU machine
def test_two_hundred_rows_at_concurrency_five(bapi: Api, db: firestore.Client, waiter: Path) -> None:
    """The issue's run: 200 short jobs at concurrency 5, a listener on the batch's jobs never sees more than 5
    booting or running, each row starts once, the counts are exact at the end and the export is the input plus
    the results."""
    release(waiter)
    batch_id = create(
        bapi, csv=names_csv(200), argv=waiter_argv(waiter), concurrency=5, name="two hundred", timeout_s=60
    )
    watcher = Watcher(db, batch_id)
    try:
        wait_for(lambda: batch(db, batch_id).get("status") == "completed", timeout=600, what="completed")
    finally:
        watcher.close()
    jobs = batch_jobs(db, batch_id)
    assert sorted(job["row"] for job in jobs) == list(range(200))  # each row once
    assert all(job["status"] == "succeeded" for job in jobs)
    assert max_overlap(jobs) <= 5
    assert 0 < watcher.most <= 5
    counts = {
        "total": 200,
        "queued": 0,
        "running": 0,
        "succeeded": 200,
        "failed": 0,
        "canceled": 0,
        "timed_out": 0,
    }
    wait_for(lambda: batch(db, batch_id)["counts"] == counts, timeout=10, what="exact counts")
    response = bapi.clients["export_batch"].get(
        f"/?batch_id={batch_id}&format=csv", headers={"Authorization": f"Bearer {DEV_TOKEN}"}
    )
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert [line[:2] for line in table[1:]] == list(csv.reader(io.StringIO(names_csv(200))))[1:]
    assert [(line[2], json.loads(line[7])) for line in table[1:]] == [
        ("succeeded", {"name": f"row{i}"}) for i in range(200)
    ]


def test_raising_and_lowering_concurrency_while_running(
    bapi: Api, db: firestore.Client, waiter: Path
) -> None:
    batch_id = create(bapi, csv=names_csv(8), argv=waiter_argv(waiter), concurrency=1, timeout_s=60)
    wait_for(lambda: (marks(waiter) / "started-row0").exists(), what="row 0 started")
    assert active(db, batch_id) == 1
    reply = control(bapi, "set_batch_concurrency", batch_id=batch_id, concurrency=3)
    assert reply.status == 200 and reply.body["batch"]["concurrency"] == 3
    assert active(db, batch_id) == 3  # raising starts the rows now, before the answer
    wait_for(lambda: all((marks(waiter) / f"started-row{i}").exists() for i in range(3)), what="3 started")
    reply = control(bapi, "set_batch_concurrency", batch_id=batch_id, concurrency=1)
    assert reply.status == 200 and reply.body["batch"]["concurrency"] == 1
    assert active(db, batch_id) == 3  # lowering ends nothing
    release(waiter, "row0")
    wait_for(lambda: statuses(db, batch_id)[0] == "succeeded", what="row 0 ended")
    bapi.post("reap_sandboxes", {})
    assert active(db, batch_id) == 2  # nothing started: still at the old limit
    release(waiter, "row1")
    release(waiter, "row2")
    wait_for(lambda: statuses(db, batch_id)[3] in ("booting", "running"), what="row 3 started")
    assert active(db, batch_id) == 1
    release(waiter)
    wait_for(lambda: batch(db, batch_id).get("status") == "completed", timeout=60, what="completed")
    jobs = sorted(batch_jobs(db, batch_id), key=lambda job: job["row"])
    assert max_overlap(jobs[3:]) == 1  # under the lowered limit, one at a time


def test_pause_resume_and_stop_keeping_running_jobs(bapi: Api, db: firestore.Client, waiter: Path) -> None:
    batch_id = create(bapi, csv=names_csv(6), argv=waiter_argv(waiter), concurrency=2, timeout_s=60)
    assert active(db, batch_id) == 2
    reply = control(bapi, "pause_batch", batch_id=batch_id)
    assert reply.status == 200 and reply.body["batch"]["status"] == "paused"
    assert control(bapi, "pause_batch", batch_id=batch_id).body["batch"]["status"] == "paused"  # idempotent
    release(waiter, "row0")
    release(waiter, "row1")
    wait_for(lambda: statuses(db, batch_id)[:2] == ["succeeded", "succeeded"], what="rows 0 and 1 ended")
    bapi.post("reap_sandboxes", {})
    assert statuses(db, batch_id)[2:] == ["queued"] * 4  # paused: nothing new started
    reply = control(bapi, "resume_batch", batch_id=batch_id)
    assert reply.status == 200 and reply.body["batch"]["status"] == "running"
    assert statuses(db, batch_id)[2:4] == ["booting", "booting"] or active(db, batch_id) == 2
    reply = control(bapi, "stop_batch", batch_id=batch_id, reason="enough", cancel_running=False)
    assert reply.status == 200 and reply.body["batch"]["status"] == "stopping"
    assert reply.body["batch"]["stopped_reason"] == "enough"
    assert statuses(db, batch_id)[4:] == ["canceled", "canceled"]
    assert active(db, batch_id) == 2  # kept running
    release(waiter)
    wait_for(lambda: batch(db, batch_id).get("status") == "stopped", timeout=30, what="stopped")
    assert statuses(db, batch_id) == ["succeeded"] * 4 + ["canceled"] * 2
    reply = control(bapi, "resume_batch", batch_id=batch_id)
    assert reply.status == 409 and reply.body["error"]["code"] == "batch_stopped"
    expected = {
        "total": 6,
        "queued": 0,
        "running": 0,
        "succeeded": 4,
        "failed": 0,
        "canceled": 2,
        "timed_out": 0,
    }
    wait_for(lambda: batch(db, batch_id)["counts"] == expected, timeout=5, what="exact counts")


def test_stop_cancels_running_jobs(bapi: Api, db: firestore.Client, waiter: Path) -> None:
    batch_id = create(bapi, csv=names_csv(5), argv=waiter_argv(waiter), concurrency=2, timeout_s=60)
    wait_for(lambda: (marks(waiter) / "started-row1").exists(), what="2 started")
    reply = control(bapi, "stop_batch", batch_id=batch_id)
    assert reply.status == 200
    wait_for(lambda: batch(db, batch_id).get("status") == "stopped", timeout=30, what="stopped")
    assert statuses(db, batch_id) == ["canceled"] * 5
    assert all(job["status"] == "canceled" for job in batch_jobs(db, batch_id))
    assert control(bapi, "stop_batch", batch_id=batch_id).body["batch"]["status"] == "stopped"


def test_max_failures_pauses_and_retry_links_new_jobs(bapi: Api, db: firestore.Client, waiter: Path) -> None:
    release(waiter)
    batch_id = create(
        bapi, csv=names_csv(6), argv=waiter_argv(waiter, "3"), concurrency=1, max_failures=2, timeout_s=60
    )
    wait_for(lambda: batch(db, batch_id).get("status") == "paused", timeout=30, what="paused by its guard")
    assert batch(db, batch_id)["paused_reason"] == "2 rows failed: max_failures 2"
    assert statuses(db, batch_id) == ["failed", "failed"] + ["queued"] * 4
    first = {row["row"]: row["job_id"] for row in rows(db, batch_id)[:2]}
    ended, started = (store_job(db, first[0])["ended_at"], store_job(db, first[1])["created_at"])
    assert 0 < (started - ended).total_seconds() < 1  # the ending's callback started the next row
    assert rows(db, batch_id)[0]["exit_code"] == 3
    reply = control(bapi, "retry_batch", batch_id=batch_id)
    assert reply.status == 200 and reply.body["retried"] == 2
    assert statuses(db, batch_id) == ["queued"] * 6  # still paused: retry does not resume
    assert control(bapi, "resume_batch", batch_id=batch_id).status == 200
    wait_for(lambda: batch(db, batch_id).get("status") == "paused", timeout=30, what="paused again")
    jobs = {job["job_id"]: job for job in batch_jobs(db, batch_id)}
    retried = [row for row in rows(db, batch_id) if row["row"] in first]
    for row in retried:
        assert row["job_id"] != first[row["row"]]
        assert jobs[row["job_id"]]["parent_job_id"] == first[row["row"]]
        assert jobs[first[row["row"]]]["retried_by"] == [row["job_id"]]


def test_idempotency_key(bapi: Api, db: firestore.Client, waiter: Path) -> None:
    release(waiter)
    body = {"rows": [{"name": "a"}, {"name": "b"}], "argv": waiter_argv(waiter), "idempotency_key": "k-1"}
    first = until_not_busy(lambda: bapi.post("create_batch", body))
    again = until_not_busy(lambda: bapi.post("create_batch", body))
    assert first.status == 201 and again.status == 200
    assert again.body["batch_id"] == first.body["batch_id"] and again.body["total"] == 2
    other = bapi.post("create_batch", {**body, "concurrency": 2})
    assert other.status == 409 and other.body["error"]["code"] == "idempotency_conflict"


def test_sample_runs_only_the_first_rows(bapi: Api, db: firestore.Client, waiter: Path) -> None:
    release(waiter)
    reply = until_not_busy(
        lambda: bapi.post("create_batch", {"csv": names_csv(10), "argv": waiter_argv(waiter), "sample": 3})
    )
    assert reply.status == 201 and reply.body["total"] == 3
    batch_id = reply.body["batch_id"]
    wait_for(lambda: batch(db, batch_id).get("status") == "completed", timeout=30, what="completed")
    assert [row["values"]["name"] for row in rows(db, batch_id)] == ["row0", "row1", "row2"]


BAD = [
    ({"csv": "name,name\na,b\n"}, "invalid_csv", "'name' appears twice"),
    ({"csv": "name,n\na,1\nb\n"}, "invalid_csv", "row 1 (line 3"),
    ({"csv": ""}, "invalid_csv", "header"),
    ({"csv": "name\n"}, "invalid_csv", "no rows"),
    ({"csv": 'name\n"a\n'}, "invalid_csv", "row 0"),
    ({"csv": "name\na\n", "argv": ["echo", "{nope}"]}, "unknown_column", "{nope}"),
    ({"csv": "name\na\n", "argv": ["echo", "{name"]}, "invalid_template", "argv[1]"),
    ({"csv": "name\na\n", "argv": ["echo", "}"]}, "invalid_template", "argv[1]"),
    ({"csv": "name\n" + "a\n" * 10_001}, "too_many_rows", "10000"),
    ({"rows": [{"name": "a"}, {"other": "b"}]}, "invalid_rows", "row 1"),
    ({"rows": []}, "invalid_rows", "empty"),
    ({"csv": "name\na\n", "concurrency": 11}, "invalid_concurrency", "between 1 and 10"),
    ({"csv": "name\na\n", "concurrency": 0}, "invalid_body", "concurrency"),
    ({"csv": "name\na\n", "rows": [{"name": "a"}]}, "invalid_body", "exactly one"),
    ({"csv": "name\na\n", "argv": None, "prompt": "hi {name}", "agent": "nobody"}, "unknown_agent", "nobody"),
    ({"csv": "__x__\na\n"}, "invalid_csv", "Firestore"),
    ({"csv": "name\n" + "x" * 70_000 + "\n"}, "row_too_large", "row 0"),
]


@pytest.mark.parametrize(("change", "code", "words"), BAD)
def test_bad_input_is_a_400_that_writes_nothing(
    bapi: Api, db: firestore.Client, change: dict[str, Any], code: str, words: str
) -> None:
    body = {"argv": ["echo", "{name}"], **change}
    body = {k: v for k, v in body.items() if v is not None}
    before = dump_all(db)
    reply = bapi.post("create_batch", body)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["code"] == code and words in reply.body["error"]["message"], reply.body
    assert dump_all(db) == before


def test_someone_elses_or_a_missing_batch_is_not_found(bapi: Api, db: firestore.Client) -> None:
    missing = "0" * 32
    for target, body in [
        ("pause_batch", {"batch_id": missing}),
        ("resume_batch", {"batch_id": missing}),
        ("stop_batch", {"batch_id": missing}),
        ("set_batch_concurrency", {"batch_id": missing, "concurrency": 2}),
        ("retry_batch", {"batch_id": missing}),
    ]:
        reply = bapi.post(target, body)
        assert reply.status == 404 and reply.body["error"]["code"] == "batch_not_found", (target, reply.body)
    assert bapi.post("pause_batch", {"batch_id": "../x"}).status == 400
    assert bapi.post("pause_batch", {"batch_id": missing}, token="wrong").status == 401
    response = bapi.clients["export_batch"].get(
        f"/?batch_id={missing}", headers={"Authorization": f"Bearer {DEV_TOKEN}"}
    )
    assert response.status_code == 404
    response = bapi.clients["export_batch"].get(
        f"/?batch_id={missing}&format=xml", headers={"Authorization": f"Bearer {DEV_TOKEN}"}
    )
    assert response.status_code == 400
