"""The functions with the real runner as a child process: the happy path, a failing job, and cancel."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

from freezegun import freeze_time
from google.cloud import firestore
from tailrun_functions import defaults

from .conftest import FAST_RUNNER, SCENARIOS, Api, Commit
from .helpers import job, lines_of
from .shared import wait_for


def _ended(db: firestore.Client, job_id: str) -> dict | None:
    document = job(db, job_id)
    return document if document["status"] in {"succeeded", "failed", "canceled", "timed_out"} else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_job_streams_every_line_in_order_and_succeeds(
    api: Api, firestore_client: firestore.Client, commits: list[Commit]
) -> None:
    job_id = api.create(argv=[sys.executable, str(SCENARIOS / "numbered_lines.py"), "3000", "0"])

    document = wait_for(lambda: _ended(firestore_client, job_id), what="the job to end")

    assert document["status"] == "succeeded", document
    assert document["exit_code"] == 0
    assert document["lines"] == 3000
    assert document["progress"] == {"percent": 100.0, "step": "done"}
    lines = lines_of(firestore_client, job_id)
    assert [line["line"] for line in lines] == list(range(3000))
    for stream, first in (("stdout", 0), ("stderr", 1)):  # two pipes: order holds within each stream
        texts = [line["text"] for line in lines if line["stream"] == stream]
        assert texts == [f"line {i}" for i in range(first, 3000, 2)]
    assert [line["text"] for line in document["tail"]] == [line["text"] for line in lines[-5:]]
    assert commits and max(len(commit.documents) for commit in commits) <= 5, (
        "commits stay far below 500 writes"
    )


def test_a_failing_job_fails_after_its_attempts(api: Api, firestore_client: firestore.Client) -> None:
    job_id = api.create(argv=[sys.executable, str(SCENARIOS / "numbered_lines.py"), "3", "7"], max_attempts=2)

    document = wait_for(lambda: _ended(firestore_client, job_id), what="the job to end")

    assert document["status"] == "failed"
    assert document["attempt"] == 2
    assert document["exit_code"] == 7
    assert document["error"]["code"] == "exit_code"
    for attempt in (1, 2):
        assert sorted(line["text"] for line in lines_of(firestore_client, job_id, attempt)) == [
            "line 0",
            "line 1",
            "line 2",
        ]


def test_cancel_ends_the_process_and_keeps_what_it_printed(
    api: Api, firestore_client: firestore.Client
) -> None:
    job_id = api.create(argv=[sys.executable, str(SCENARIOS / "pid_then_wait.py")])
    printed = wait_for(
        lambda: len(lines_of(firestore_client, job_id)) == 2 and lines_of(firestore_client, job_id),
        what="output",
    )
    child_pid = int(next(line["text"] for line in printed if line["text"].startswith("pid")).split()[1])
    attempt = firestore_client.document(f"jobs/{job_id}/attempts/0001").get().to_dict() or {}
    runner_pid = attempt["launch"]["pid"]
    assert _alive(child_pid) and _alive(runner_pid)

    reply = api.post("cancel_job", {"job_id": job_id})

    assert reply.status == 200 and reply.body["status"] == "canceled"
    wait_for(lambda: not _alive(child_pid), timeout=15, what="the job's process to end")
    wait_for(lambda: not _alive(runner_pid), timeout=15, what="the runner to end")
    document = job(firestore_client, job_id)
    assert document["status"] == "canceled"
    assert document["error"]["code"] == "canceled"
    final = firestore_client.document(f"jobs/{job_id}/attempts/0001").get().to_dict() or {}
    assert final["reason"] == "stopped", final
    assert [line["text"] for line in lines_of(firestore_client, job_id)] == [f"pid {child_pid}", "working"]
    assert api.post("cancel_job", {"job_id": job_id}).status == 409


def test_a_reaped_job_has_its_process_ended_and_keeps_what_it_printed(
    api: Api, firestore_client: firestore.Client
) -> None:
    job_id = api.create(argv=[sys.executable, str(SCENARIOS / "pid_then_wait.py")], idle_timeout_s=60)
    printed = wait_for(
        lambda: len(lines_of(firestore_client, job_id)) == 2 and lines_of(firestore_client, job_id),
        what="output",
    )
    child_pid = int(next(line["text"] for line in printed if line["text"].startswith("pid")).split()[1])
    runner_pid = (firestore_client.document(f"jobs/{job_id}/attempts/0001").get().to_dict() or {})["launch"][
        "pid"
    ]

    silent_s = 60 + defaults.REAP_LIMIT_MARGIN_S + 1  # past the idle timeout and the reaper's margin
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=silent_s)):  # silent, though heartbeating
        reply = api.post("reap_sandboxes", {})

    assert reply.status == 200
    assert [(a["job_id"], a["action"]) for a in reply.body["actions"]] == [(job_id, "idle")]
    wait_for(lambda: not _alive(child_pid), timeout=15, what="the job's process to end")
    wait_for(lambda: not _alive(runner_pid), timeout=15, what="the runner to end")
    document = job(firestore_client, job_id)
    assert document["status"] == "timed_out" and document["error"]["code"] == "idle_timeout"
    final = firestore_client.document(f"jobs/{job_id}/attempts/0001").get().to_dict() or {}
    assert final["reason"] == "stopped", final
    assert sorted(line["text"] for line in lines_of(firestore_client, job_id)) == [
        f"pid {child_pid}",
        "working",
    ]


def test_progress_held_back_by_the_write_interval_reaches_the_job_while_it_runs_silently(
    api: Api, configure, firestore_client: firestore.Client, tmp_path: Path
) -> None:
    # Heartbeats 30 s apart: only the callback's flush hint can bring the held-back progress before the end.
    configure(TAILRUN_RUNNER_ENV=json.dumps({**FAST_RUNNER, "TAILRUN_HEARTBEAT_S": "30"}))
    release = tmp_path / "release"  # the job runs silently until the test has seen its progress
    script = (
        "import os, sys, time\nprint('::progress 50 half', flush=True)\n"
        "deadline = time.monotonic() + 60\n"
        "while not os.path.exists(sys.argv[1]) and time.monotonic() < deadline:\n    time.sleep(0.05)\n"
        "print('done')"
    )
    job_id = api.create(argv=[sys.executable, "-c", script, str(release)])

    document = wait_for(
        lambda: job(firestore_client, job_id) if job(firestore_client, job_id)["progress"] else None,
        what="the progress",
    )

    assert document["progress"] == {"percent": 50.0, "step": "half"}
    assert document["status"] == "running"  # not only at the end, with completed
    assert _ended(firestore_client, job_id) is None
    release.touch()
    wait_for(lambda: _ended(firestore_client, job_id), what="the released job to end")
