"""A sandbox of its own: each local attempt runs in a fresh owner-only directory, never the functions' own; a job
may ask for a directory (local stack only); old sandboxes are swept by age, never one whose runner still runs."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from google.cloud import firestore
from tailrun_functions import defaults
from tailrun_functions.launcher import LaunchRequest, LocalLauncher, ProcStat
from tailrun_functions.sandboxes import Sandboxes

from .conftest import Api
from .helpers import job, lines_of
from .shared import dump_all, wait_for

# A job that says where it runs and leaves a file there.
WRITES_HERE = "import os; open('made-by-job.txt', 'w').write('x'); print(os.getcwd(), flush=True)"
DAY_S = 24 * 3600


def ended(db: firestore.Client, job_id: str) -> dict[str, Any] | None:
    document = job(db, job_id)
    return document if document["status"] in {"succeeded", "failed", "canceled", "timed_out"} else None


def launch_of(db: firestore.Client, job_id: str) -> dict[str, Any]:
    return dict((db.document(f"jobs/{job_id}/attempts/0001").get().to_dict() or {})["launch"])


def test_a_jobs_files_land_in_its_own_directory_and_not_in_the_stacks(
    api: Api, firestore_client: firestore.Client, sandbox_root: Path
) -> None:
    before = set(os.listdir(os.getcwd()))
    job_id = api.create(argv=[sys.executable, "-c", WRITES_HERE])

    document = wait_for(lambda: ended(firestore_client, job_id), what="the job to end")

    assert document["status"] == "succeeded", document
    sandbox = sandbox_root / f"{job_id}-1"
    assert launch_of(firestore_client, job_id)["cwd"] == str(sandbox)
    assert [line["text"] for line in lines_of(firestore_client, job_id)] == [os.path.realpath(sandbox)]
    assert (sandbox / "made-by-job.txt").read_text() == "x"
    assert stat.S_IMODE(sandbox.stat().st_mode) == 0o700, "the attempt's directory is its user's only"
    assert stat.S_IMODE(sandbox_root.stat().st_mode) == 0o700
    assert set(os.listdir(os.getcwd())) == before, "nothing was written where the functions run"


def test_each_attempt_gets_a_fresh_directory(
    api: Api, firestore_client: firestore.Client, sandbox_root: Path
) -> None:
    """The second attempt does not see what the first one left (as a new Cloud Run execution does not)."""
    leaves_and_fails = "import os, sys; print(sorted(os.listdir('.'))); open('left', 'w'); sys.exit(5)"
    job_id = api.create(argv=[sys.executable, "-c", leaves_and_fails], max_attempts=2)

    document = wait_for(lambda: ended(firestore_client, job_id), what="the job to end")

    assert (document["status"], document["attempt"]) == ("failed", 2)
    for attempt in (1, 2):
        assert [line["text"] for line in lines_of(firestore_client, job_id, attempt)] == ["[]"]
        assert (sandbox_root / f"{job_id}-{attempt}" / "left").exists()


def test_a_job_may_ask_for_a_directory_of_its_own(
    api: Api, firestore_client: firestore.Client, tmp_path: Path, sandbox_root: Path
) -> None:
    chosen = tmp_path / "checkout"
    chosen.mkdir()

    job_id = api.create(argv=[sys.executable, "-c", WRITES_HERE], cwd=str(chosen))

    assert wait_for(lambda: ended(firestore_client, job_id), what="the job")["status"] == "succeeded"
    assert (chosen / "made-by-job.txt").exists()
    assert launch_of(firestore_client, job_id)["cwd"] == str(chosen)
    assert not (sandbox_root / f"{job_id}-1").exists()


@pytest.mark.parametrize(
    ("cwd", "message"),
    [
        ("relative/dir", "must be an absolute path"),
        ("/no/such/directory/here", "must be an existing directory"),
    ],
)
def test_a_relative_or_missing_cwd_is_refused_and_nothing_is_written(
    api: Api, firestore_client: firestore.Client, cwd: str, message: str
) -> None:
    before = dump_all(firestore_client)

    reply = api.post("create_job", {"argv": ["true"], "cwd": cwd})

    assert reply.status == 400 and reply.body["error"]["code"] == "cwd_invalid", reply.body
    assert message in reply.body["error"]["message"] and cwd in reply.body["error"]["message"]
    assert dump_all(firestore_client) == before


def test_a_file_is_not_a_directory_for_cwd(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "a-file"
    path.write_text("")

    reply = api.post("create_job", {"argv": ["true"], "cwd": str(path)})

    assert (reply.status, reply.body["error"]["code"]) == (400, "cwd_invalid")


def test_cwd_is_refused_in_the_cloud_and_nothing_is_written(
    api: Api, cloud_run: Any, firestore_client: firestore.Client, tmp_path: Path
) -> None:
    jobs_client, _, _ = cloud_run
    before = dump_all(firestore_client)

    reply = api.post("create_job", {"argv": ["true"], "cwd": str(tmp_path)})

    assert reply.status == 400 and reply.body["error"]["code"] == "cwd_not_supported", reply.body
    assert dump_all(firestore_client) == before
    assert jobs_client.requests == []


# --- the sweep: by age, never a directory whose runner runs ---


def aged(path: Path, age_s: float) -> Path:
    """Set the path's modification time ``age_s`` seconds in the past (as an old sandbox's would be)."""
    when = time.time() - age_s
    os.utime(path, (when, when))
    return path


def record(path: Path, pid: int, start_time: int | None, age_s: float) -> None:
    runner = path.with_name(path.name + ".runner")
    runner.write_text(json.dumps({"pid": pid, "start_time": start_time}))
    aged(runner, age_s)


def running(pid: int, start_time: int | None) -> bool:
    found = ProcStat.read(pid)
    return found is not None and found.start_time == start_time


def test_the_sweep_removes_old_sandboxes_but_not_recent_ones_nor_those_still_running(tmp_path: Path) -> None:
    sandboxes = Sandboxes(str(tmp_path), max_age_s=DAY_S, is_running=running)
    old, recent, alive, gone = (tmp_path / name for name in ("old-1", "recent-1", "alive-1", "gone-1"))
    for directory in (old, recent, alive, gone):
        directory.mkdir()
        (directory / "file").write_text("x")
    me = ProcStat.read(os.getpid())
    assert me is not None
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True
    )
    record(alive, me.pid, me.start_time, 2 * DAY_S)  # a runner of an earlier stack still runs there
    record(gone, int(dead.stdout), None, 2 * DAY_S)
    for directory in (old, alive, gone):
        aged(directory, 2 * DAY_S)
    aged(recent, DAY_S - 600)

    removed = sandboxes.sweep()

    assert sorted(removed) == sorted([old, gone])
    assert not old.exists() and not gone.exists() and not (tmp_path / "gone-1.runner").exists()
    assert recent.exists() and alive.exists() and (tmp_path / "alive-1.runner").exists()


def test_a_sandbox_ages_from_its_runners_exit_not_its_creation(tmp_path: Path) -> None:
    sandboxes = Sandboxes(str(tmp_path), max_age_s=DAY_S, is_running=lambda pid, start: False)
    sandbox = sandboxes.create("job", 1)
    sandboxes.record_runner(sandbox, 1, None)
    aged(sandbox, 3 * DAY_S)  # a job that ran for three days
    aged(sandbox.with_name(sandbox.name + ".runner"), 3 * DAY_S)

    assert sandboxes.sweep() == [], "its runner has not exited: in use"
    sandboxes.runner_exited(sandbox)
    assert sandboxes.sweep() == [], "it ended just now"

    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=DAY_S + 60)):
        assert sandboxes.sweep() == [sandbox]


def test_the_sweep_removes_what_a_job_left_without_permissions(tmp_path: Path) -> None:
    sandboxes = Sandboxes(str(tmp_path), max_age_s=60, is_running=lambda pid, start: False)
    locked = tmp_path / "job-1" / "deep" / "locked"
    locked.mkdir(parents=True)
    (locked / "file").write_text("x")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir(mode=0o755)
    outside.chmod(0o755)
    (tmp_path / "job-1" / "link").symlink_to(outside)
    locked.chmod(0)
    (tmp_path / "job-1" / "deep").chmod(0o500)
    aged(tmp_path / "job-1", 3600)

    assert sandboxes.sweep() == [tmp_path / "job-1"]

    assert not (tmp_path / "job-1").exists()
    assert outside.is_dir() and stat.S_IMODE(outside.stat().st_mode) == 0o755, (
        "a link's target is not touched"
    )


def test_a_sweep_runs_at_a_launch_at_most_every_interval(tmp_path: Path) -> None:
    sandboxes = Sandboxes(str(tmp_path), max_age_s=60, is_running=lambda pid, start: False)
    with freeze_time(dt.datetime.now(dt.UTC)) as frozen:
        first = sandboxes.maybe_sweep()
        assert first is not None
        first.join(timeout=10)
        frozen.tick(defaults.SANDBOX_SWEEP_INTERVAL_S - 1)
        assert sandboxes.maybe_sweep() is None
        frozen.tick(1)
        later = sandboxes.maybe_sweep()
        assert later is not None
        later.join(timeout=10)


def test_a_launch_sweeps_old_sandboxes_left_by_an_earlier_stack(tmp_path: Path) -> None:
    root = tmp_path / "sandboxes"
    root.mkdir(mode=0o700)
    leftover = root / "old-job-1"
    leftover.mkdir()
    aged(leftover, 2 * DAY_S)
    launcher = LocalLauncher(
        (sys.executable, "-c", "pass"), {}, sandbox_root=str(root), sandbox_max_age_s=DAY_S
    )
    request = LaunchRequest(
        job_id="new-job", attempt=1, token="t", argv=("x",), env={}, timeout_s=60, callback_url="http://x"
    )
    try:
        info = launcher.launch(request)

        assert info["cwd"] == str(root / "new-job-1")
        wait_for(lambda: not leftover.exists(), what="the sweep started by the launch")
        assert (root / "new-job-1").is_dir(), "the new attempt's directory is not swept"
    finally:
        launcher.stop_all()


def test_without_a_root_sandboxes_go_to_a_fresh_temporary_directory() -> None:
    sandboxes = Sandboxes(None, is_running=lambda pid, start: False)

    sandbox = sandboxes.create("job", 1)
    try:
        assert sandbox.parent != Path.cwd() and Path.cwd() not in sandbox.parents
        assert sandbox.parent.name.startswith("tailrun-sandboxes-")
        assert stat.S_IMODE(sandbox.parent.stat().st_mode) == 0o700
    finally:
        sandbox.rmdir()
        sandbox.parent.rmdir()
