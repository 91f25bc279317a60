"""A dead local runner ends its attempt at once and takes its job with it (issue 19).

Real child processes throughout: the real runner for the end-to-end cases, and ``tests/scenarios/session_runner.py``
(a runner whose job stays in its session) for the launcher's own session sweep. Waits poll with a deadline.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from google.cloud import firestore
from tailrun_functions import defaults
from tailrun_functions.launcher import LaunchRequest, LocalLauncher, ProcStat

from .conftest import SCENARIOS, Api
from .helpers import job, lines_of
from .shared import wait_for

FAST = 10.0  # seconds: "at once" — far below the 90 s heartbeat timeout


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie no longer runs: it is only waiting to be reaped by its new parent)."""
    stat = Path(f"/proc/{pid}/stat")
    try:
        text = stat.read_text()
    except OSError:
        return False
    return text[text.rindex(")") + 2] != "Z"


def request(job_id: str = "job-1", attempt: int = 1) -> LaunchRequest:
    return LaunchRequest(
        job_id=job_id, attempt=attempt, token="t", argv=("x",), env={}, timeout_s=60, callback_url="http://x"
    )


class Exits:
    """``on_runner_exit``'s calls, with an event per call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int]] = []
        self.event = threading.Event()

    def __call__(self, job_id: str, attempt: int, returncode: int) -> None:
        self.calls.append((job_id, attempt, returncode))
        self.event.set()


def session_launcher(tmp_path: Path, how: str, exits: Exits, *options: str) -> tuple[LocalLauncher, Path]:
    pids = tmp_path / f"pids-{how}.json"
    command = (sys.executable, str(SCENARIOS / "session_runner.py"), str(pids), how, *options)
    return LocalLauncher(command, {}, on_runner_exit=exits), pids


def test_a_killed_runner_takes_every_process_of_its_session_and_is_reported(tmp_path: Path) -> None:
    exits = Exits()
    launcher, pids_file = session_launcher(tmp_path, "hang", exits)
    launch = launcher.launch(request())
    pids = json.loads(wait_for(lambda: pids_file.exists() and pids_file.read_text(), what="the job to start"))
    assert alive(pids["job"])

    os.kill(pids["runner"], signal.SIGKILL)

    assert exits.event.wait(FAST), "the launcher reports the dead runner"
    assert exits.calls == [("job-1", 1, -signal.SIGKILL)]
    wait_for(lambda: not alive(pids["job"]), timeout=FAST, what="the job in the runner's session to die")
    assert isinstance(launch["start_time"], int) and launch["pid"] == pids["runner"]


def test_a_job_that_left_the_runners_session_is_found_by_its_attempt_but_no_stranger_is(
    tmp_path: Path,
) -> None:
    import subprocess

    sleeper = ["sleep", "400"]
    marks = {"TAILRUN_JOB_ID": "job-1", "TAILRUN_ATTEMPT": "1"}
    older = subprocess.Popen(sleeper, env={**os.environ, **marks}, start_new_session=True)
    exits = Exits()
    launcher, pids_file = session_launcher(tmp_path, "hang", exits, "own-session")
    launcher.launch(request())
    pids = json.loads(wait_for(lambda: pids_file.exists() and pids_file.read_text(), what="the job to start"))
    other_attempt = subprocess.Popen(sleeper, env={**os.environ, **marks, "TAILRUN_ATTEMPT": "2"})
    try:
        os.kill(pids["runner"], signal.SIGKILL)

        wait_for(lambda: not alive(pids["job"]), timeout=FAST, what="the job in its own session to die")
        assert exits.event.wait(FAST)
        assert older.poll() is None, "started before the runner: not its job"
        assert other_attempt.poll() is None, "another attempt's process"
    finally:
        for process in (older, other_attempt):
            process.kill()
            process.wait()


def test_a_runner_that_exits_0_is_not_reported_but_its_session_is_swept(tmp_path: Path) -> None:
    exits = Exits()
    launcher, pids_file = session_launcher(tmp_path, "0", exits)
    launcher.launch(request())
    pids = json.loads(wait_for(lambda: pids_file.exists() and pids_file.read_text(), what="the job to start"))

    wait_for(lambda: not alive(pids["job"]), timeout=FAST, what="the leftover job to die")
    wait_for(lambda: pids["runner"] not in launcher._children, timeout=FAST, what="the runner to be reaped")
    assert exits.calls == []


def test_each_launcher_keeps_its_own_runners_and_its_stop_all_stops_only_them(tmp_path: Path) -> None:
    exits = Exits()
    first, first_pids = session_launcher(tmp_path, "hang", exits)
    second = LocalLauncher(
        (*first.command[:2], str(tmp_path / "second.json"), "hang"), {}, on_runner_exit=exits
    )
    first.launch(request("a"))
    second.launch(request("b"))
    wait_for(lambda: first_pids.exists() and (tmp_path / "second.json").exists(), what="both runners")
    assert len(first._children) == len(second._children) == 1
    assert first._children.keys() != second._children.keys()
    jobs = [json.loads(p.read_text())["job"] for p in (first_pids, tmp_path / "second.json")]

    first.stop_all()

    assert first._children == {} and not alive(jobs[0])
    assert len(second._children) == 1 and alive(jobs[1]), (
        "another launcher's runner is not this one's to stop"
    )

    second.stop_all()

    assert second._children == {} and not alive(jobs[1])
    assert exits.calls == [], "a stack that shuts down does not fail its attempts"


def test_stop_all_with_a_grace_lets_each_runner_stop_its_job_itself(tmp_path: Path) -> None:
    exits = Exits()
    graceful, graceful_pids = session_launcher(tmp_path, "graceful", exits)
    graceful.launch(request("a"))
    pids = json.loads(
        wait_for(lambda: graceful_pids.exists() and graceful_pids.read_text(), what="the runner")
    )

    graceful.stop_all(grace_s=30)

    assert Path(f"{graceful_pids}.stopped").exists(), "SIGTERM first: the runner ended its job itself"
    assert graceful._children == {} and not alive(pids["job"]) and not alive(pids["runner"])
    assert exits.calls == [], "a stack that shuts down does not fail its attempts"


def test_stop_all_without_a_grace_kills_at_once(tmp_path: Path) -> None:
    exits = Exits()
    launcher, pids_file = session_launcher(tmp_path, "graceful", exits)
    launcher.launch(request("a"))
    pids = json.loads(wait_for(lambda: pids_file.exists() and pids_file.read_text(), what="the runner"))

    launcher.stop_all()

    assert not Path(f"{pids_file}.stopped").exists(), "SIGKILL: the runner had no say"
    assert launcher._children == {} and not alive(pids["job"]) and not alive(pids["runner"])


def test_a_runner_started_by_another_process_is_stopped_by_pid_and_start_time_never_a_stranger() -> None:
    import subprocess

    launcher = LocalLauncher(("unused",), {})
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    # PR_SET_DUMPABLE (4) = 0, as the runner sets itself: its environ is then unreadable (but for root).
    non_dumpable = (
        "import ctypes, sys, time; ctypes.CDLL(None).prctl(4, 0); print(flush=True); time.sleep(60)"
    )
    runner = subprocess.Popen([sys.executable, "-c", non_dumpable], stdout=subprocess.PIPE)
    stranger = subprocess.Popen(sleeper)
    try:
        assert runner.stdout is not None and runner.stdout.readline() == b"\n", "non-dumpable now"
        runner_stat, stranger_stat = ProcStat.read(runner.pid), ProcStat.read(stranger.pid)
        assert runner_stat is not None and stranger_stat is not None
        launcher.cancel({"kind": "local", "pid": stranger.pid, "start_time": stranger_stat.start_time + 1})
        launcher.cancel({"kind": "local", "pid": stranger.pid})  # an old record: unverifiable, left alone
        launcher.cancel({"kind": "local", "pid": runner.pid, "start_time": runner_stat.start_time})
        assert runner.wait(timeout=10) == -15
        assert stranger.poll() is None
    finally:
        for process in (stranger, runner):
            process.kill()
            process.wait()
        if runner.stdout is not None:
            runner.stdout.close()


def _pid_of_job(db: firestore.Client, job_id: str) -> int | None:
    for line in lines_of(db, job_id):
        if line["text"].startswith("pid "):
            return int(line["text"].split()[1])
    return None


def _runner_pid(db: firestore.Client, job_id: str, attempt: int = 1) -> int:
    document = db.document(f"jobs/{job_id}/attempts/{attempt:04d}").get().to_dict() or {}
    return int(document["launch"]["pid"])


def _start_sleeping_job(api: Api, db: firestore.Client, **spec: Any) -> tuple[str, int, int]:
    """A real runner running ``sleep 400`` (its pid printed first); returns the job id, the runner's and the
    job's pids."""
    job_id = api.create(argv=["sh", "-c", "echo pid $$; exec sleep 400"], **spec)
    job_pid = wait_for(lambda: _pid_of_job(db, job_id), what="the job's pid")
    wait_for(lambda: job(db, job_id)["status"] == "running", what="the job to run")
    return job_id, _runner_pid(db, job_id), job_pid


def test_kill_9_of_a_real_runner_fails_its_job_at_once(api: Api, firestore_client: firestore.Client) -> None:
    job_id, runner_pid, job_pid = _start_sleeping_job(api, firestore_client)
    killed_at = time.monotonic()

    os.kill(runner_pid, signal.SIGKILL)

    document = wait_for(
        lambda: (d := job(firestore_client, job_id))["status"] == "failed" and d,
        timeout=FAST,
        what="the failure",
    )
    assert time.monotonic() - killed_at < defaults.HEARTBEAT_TIMEOUT_S / 9
    assert document["error"]["code"] == "runner_exited"
    assert "the runner exited with code -9 (SIGKILL) before completing" in document["error"]["message"]
    attempt = firestore_client.document(f"jobs/{job_id}/attempts/0001").get().to_dict() or {}
    assert attempt["status"] == "failed" and attempt["error"] == document["error"]
    token = firestore_client.document(f"attempt_tokens/{job_id}-0001").get().to_dict() or {}
    assert token["state"] == "ended"
    os.kill(job_pid, signal.SIGKILL) if alive(job_pid) else None  # see the next test: the job's own death


def test_kill_9_of_a_real_runner_starts_the_next_attempt_when_one_is_left(
    api: Api, firestore_client: firestore.Client
) -> None:
    job_id, runner_pid, job_pid = _start_sleeping_job(api, firestore_client, max_attempts=2)

    os.kill(runner_pid, signal.SIGKILL)

    wait_for(lambda: job(firestore_client, job_id)["attempt"] == 2, timeout=FAST, what="the second attempt")
    first = firestore_client.document(f"jobs/{job_id}/attempts/0001").get().to_dict() or {}
    assert first["status"] == "failed" and first["error"]["code"] == "runner_exited"
    # Attempt 2 is queued until its launch is recorded, then booting (or running, once its runner reports).
    wait_for(
        lambda: job(firestore_client, job_id)["status"] in {"booting", "running"},
        timeout=FAST,
        what="the second attempt's launch",
    )
    os.kill(job_pid, signal.SIGKILL) if alive(job_pid) else None


def test_kill_9_of_a_real_runner_kills_its_jobs_process_within_seconds(
    api: Api, firestore_client: firestore.Client
) -> None:
    """Whether the runner keeps the job in its session (swept) or starts it in a new one (found by the
    ``TAILRUN_JOB_ID``/``TAILRUN_ATTEMPT`` the runner passes on), the orphaned ``sleep`` dies with its runner."""
    _, runner_pid, job_pid = _start_sleeping_job(api, firestore_client)

    os.kill(runner_pid, signal.SIGKILL)

    try:
        wait_for(lambda: not alive(job_pid), timeout=5, what="the job's process to die with its runner")
    finally:
        if alive(job_pid):
            os.kill(job_pid, signal.SIGKILL)
