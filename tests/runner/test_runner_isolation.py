"""The job against its runner: no token to find, no post in the runner's name, no capability, no life after it.

A hostile job (``jobs/snoop.py``) searches every ``/proc/*/environ`` and ``/proc/*/cmdline`` it can read, the test's
files, and its runner's ``environ``, ``maps``, ``mem`` and ``fd/*``, then posts a forged ``completed`` with whatever
token it found. It runs under a root runner (as CI and the local stack run here), under a root runner with
``TAILRUN_JOB_USER=nobody``, and under a runner that is itself unprivileged (uid 65534, as the image's uid 10001
would be). The runner as another user needs root to start and a Python that user can run: the runner is standard
library only, so it runs from its source directory under the system's ``/usr/bin/python3.11``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from runner_harness import JOBS, CallbackServer, RunnerProcess, job
from test_runner_stopping import is_running, wait_for_file

SYSTEM_PYTHON = Path("/usr/bin/python3.11")
RUNNER_SOURCE = Path(__file__).resolve().parents[2] / "runner_container"
NOBODY = 65534
ALL_CAPS_DROPPED = "0000000000000000"

root_only = pytest.mark.skipif(
    os.geteuid() != 0, reason="needs root: the runner runs as root here only in CI"
)


@dataclass(frozen=True)
class Unprivileged:
    """How to start the runner as uid 65534: the command, its variables, a directory that user owns, and the
    Python its jobs run under."""

    python: str
    directory: Path

    def runner(self) -> dict[str, Any]:
        return {
            "command": [self.python, "-m", "tailrun_runner"],
            "user": NOBODY,
            "PYTHONPATH": str(RUNNER_SOURCE),
            "PYTHONDONTWRITEBYTECODE": "1",
            "TAILRUN_CWD": str(self.directory),
        }


@pytest.fixture
def unprivileged() -> Iterator[Unprivileged]:
    """A directory owned by uid 65534 (the test's ``tmp_path`` is root's, closed to others), removed at the end."""
    if os.geteuid() != 0:
        pytest.skip("needs root to start the runner as uid 65534")
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        pytest.skip(f"{SYSTEM_PYTHON} is missing: no Python that uid 65534 can run (pyenv's is under /root)")
    directory = Path(tempfile.mkdtemp(prefix="tailrun-nobody-"))
    os.chown(directory, NOBODY, NOBODY)
    yield Unprivileged(str(SYSTEM_PYTHON), directory)
    shutil.rmtree(directory, ignore_errors=True)


def snoop(python: str, token: str, tree: Path) -> list[str]:
    return [python, str(JOBS / "snoop.py"), token.encode().hex(), str(tree)]


def fresh_token(callback_server: CallbackServer) -> str:
    """A token of this test only (another test run on the machine may use the harness's fixed one), which the
    receiver then requires, as ``job_callback`` does."""
    token = secrets.token_hex(16)
    callback_server.token = token
    return token


def check_nothing_was_stolen(
    runner: RunnerProcess, callback_server: CallbackServer, token: str
) -> dict[str, Any]:
    """The job's report says it found the token nowhere and was refused its runner's environ, memory and fds; the
    receiver took only the runner's messages; return the report."""
    assert runner.wait() == 0
    received = callback_server.received()
    received.check_seqs()
    completed = received.completed()
    assert completed["exit_code"] == 3 and "forged" not in completed  # the job's real end, not its forgery
    report = json.loads(received.text("stdout"))
    assert report["found"] == []
    refused = report["runner"]
    assert refused["pid"] == runner.proc.pid
    assert refused["environ"].startswith("refused") and refused["maps"].startswith("refused")
    assert refused["mem"].startswith("refused")
    assert refused["fds_opened"] == []
    forgeries = [request for request in received.requests if request.message.get("forged")]
    assert len(forgeries) == len(report["forged"]) >= 1
    assert all(request.reply.status == 401 and not request.reply.record for request in forgeries)
    assert all(
        request.authorization == f"Bearer {token}" for request in received.requests if request.reply.record
    )
    assert token not in runner.logs()
    return report


@root_only
def test_a_job_of_a_root_runner_finds_no_token_and_cannot_post_as_its_runner(
    start_runner, callback_server, tmp_path
):
    token = fresh_token(callback_server)
    runner = start_runner(
        snoop(sys.executable, token, tmp_path), TAILRUN_TOKEN=token, TAILRUN_CWD=str(tmp_path)
    )

    report = check_nothing_was_stolen(runner, callback_server, token)
    assert report["uid"] == 0  # still root, yet without CAP_SYS_PTRACE


def test_a_job_of_a_root_runner_as_nobody_finds_no_token(start_runner, callback_server, unprivileged):
    token = fresh_token(callback_server)
    argv = snoop(unprivileged.python, token, unprivileged.directory)
    runner = start_runner(
        argv, TAILRUN_TOKEN=token, TAILRUN_JOB_USER="nobody", TAILRUN_CWD=str(unprivileged.directory)
    )

    assert check_nothing_was_stolen(runner, callback_server, token)["uid"] == NOBODY


def test_a_job_of_an_unprivileged_runner_finds_no_token(start_runner, callback_server, unprivileged):
    token = fresh_token(callback_server)
    argv = snoop(unprivileged.python, token, unprivileged.directory)
    runner = start_runner(argv, TAILRUN_TOKEN=token, **unprivileged.runner())

    assert check_nothing_was_stolen(runner, callback_server, token)["uid"] == NOBODY


@root_only
def test_the_runner_re_executes_itself_without_its_secrets_keeping_its_pid_and_identity(
    start_runner, callback_server, tmp_path
):
    token = fresh_token(callback_server)
    runner = start_runner(
        job("hang", tmp_path / "pids", 1, "trap"), TAILRUN_TOKEN=token, TAILRUN_ENV='{"K": "v"}'
    )
    callback_server.wait_until(lambda received: len(received.lines(check=False)) >= 1)

    pid = runner.proc.pid  # the same process the test started: execve keeps the pid
    environ = dict(
        entry.split("=", 1) for entry in Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in entry
    )
    assert not {"TAILRUN_TOKEN", "TAILRUN_ARGV", "TAILRUN_ENV"} & environ.keys()
    assert (environ["TAILRUN_JOB_ID"], environ["TAILRUN_ATTEMPT"]) == ("job-1", "1")
    assert token not in Path(f"/proc/{pid}/cmdline").read_text()
    open_files = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    assert not [name for name in open_files if "tailrun-secrets" in name]  # the handover fd was closed
    runner.terminate()
    assert runner.wait() == 0
    assert callback_server.received().completed()["reason"] == "stopped"


def credentials(callback_server: CallbackServer) -> dict[str, Any]:
    return json.loads(callback_server.received().text("stdout"))


@root_only
def test_a_job_of_a_root_runner_stays_root_without_any_capability(start_runner, callback_server):
    runner = start_runner(job("credentials"))

    assert runner.wait() == 0
    status = credentials(callback_server)
    assert status["Uid"].split() == ["0"] * 4
    for name in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert status[name] == ALL_CAPS_DROPPED, name
    assert status["NoNewPrivs"] == "1"


def test_a_job_has_its_own_process_group_in_its_runners_session(start_runner, callback_server):
    runner = start_runner(job("credentials"))

    assert runner.wait() == 0
    status = credentials(callback_server)
    assert status["own_group"] and status["runners_session"]
    assert status["NoNewPrivs"] == "1"


def test_tailrun_job_user_runs_the_job_as_that_user_without_groups(
    start_runner, callback_server, unprivileged
):
    argv = [unprivileged.python, str(JOBS / "credentials.py")]
    runner = start_runner(argv, TAILRUN_JOB_USER=str(NOBODY))

    assert runner.wait() == 0
    status = credentials(callback_server)
    assert status["Uid"].split() == [str(NOBODY)] * 4 and status["Gid"].split() == [str(NOBODY)] * 4
    assert status["Groups"] == "" and status["CapEff"] == ALL_CAPS_DROPPED and status["NoNewPrivs"] == "1"


def test_an_unprivileged_runner_refuses_to_run_its_job_as_another_user(
    start_runner, callback_server, unprivileged
):
    runner = start_runner(job("credentials"), TAILRUN_JOB_USER="root", **unprivileged.runner())

    assert runner.wait() == 2
    assert "TAILRUN_JOB_USER" in runner.logs() and callback_server.received().messages == []


def wait_until_gone(pid: int, timeout: float = 5) -> float:
    """Wait until ``pid`` is no longer running; return how long that took (seconds)."""
    started = time.monotonic()
    while is_running(pid):
        assert time.monotonic() - started < timeout, f"process {pid} outlived its runner"
        time.sleep(0.01)
    return time.monotonic() - started


def kill_runner_and_watch_its_job(runner: RunnerProcess, pidfile: Path) -> None:
    job_pid, grandchild = (int(pid) for pid in wait_for_file(pidfile).split())
    leftovers = [grandchild]  # PDEATHSIG is the main process's only; the launcher kills the session
    try:
        os.kill(runner.proc.pid, signal.SIGKILL)
        assert runner.wait() == -signal.SIGKILL
        leftovers.append(job_pid)  # until it is seen gone (never signal a pid that may have been reused)
        wait_until_gone(job_pid)
        leftovers.remove(job_pid)
    finally:
        for pid in leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_kill_9_of_the_runner_kills_its_job(start_runner, tmp_path):
    pidfile = tmp_path / "pids"
    runner = start_runner(job("hang", pidfile, 1, "ignore"))

    kill_runner_and_watch_its_job(runner, pidfile)


def test_kill_9_of_an_unprivileged_runner_kills_its_job(start_runner, unprivileged):
    pidfile = unprivileged.directory / "pids"
    argv = [unprivileged.python, str(JOBS / "hang.py"), str(pidfile), 1, "ignore"]
    runner = start_runner([str(arg) for arg in argv], **unprivileged.runner())

    kill_runner_and_watch_its_job(runner, pidfile)


def test_kill_9_of_a_root_runner_kills_its_job_running_as_another_user(start_runner, unprivileged):
    # The death signal is armed after the switch to the job's user (a change of credentials clears it).
    pidfile = unprivileged.directory / "pids"
    argv = [unprivileged.python, str(JOBS / "hang.py"), str(pidfile), "1", "ignore"]
    runner = start_runner(argv, TAILRUN_JOB_USER="nobody", TAILRUN_CWD=str(unprivileged.directory))

    kill_runner_and_watch_its_job(runner, pidfile)
