"""The runner as PID 1, as the Dockerfile's exec-form entrypoint makes it in the container.

A PID namespace (``unshare``, no root needed) puts the runner where Cloud Run puts it: as init, it gets a signal
from outside only if it handles that signal (an init with the default SIGTERM action would ignore Cloud Run's stop
and be SIGKILLed 10 s later, losing the job's last lines), and every orphan in the container is re-parented to it
and stays a zombie unless it reaps it. Skipped where the system forbids unprivileged namespaces.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from runner_harness import RunnerProcess, job

UNSHARE = shutil.which("unshare")
WRAPPER = [UNSHARE or "unshare", "--user", "--map-root-user", "--pid", "--fork", "--mount-proc"]


def _namespaces_work() -> bool:
    if UNSHARE is None:
        return False
    try:
        return subprocess.run([*WRAPPER, "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


pytestmark = pytest.mark.skipif(
    not _namespaces_work(), reason="unprivileged PID namespaces are not available"
)


@pytest.fixture
def in_namespace(start_runner) -> Iterator[Callable[..., tuple[RunnerProcess, int]]]:
    """Start the runner as PID 1 of a new PID namespace; return it (``unshare``) and its host pid.

    At the end, SIGKILL to that init (always delivered from an ancestor namespace) ends the whole namespace, so
    a runner that failed to stop leaves nothing behind.
    """
    inits: list[int] = []

    def start(argv: list[str], **env: str) -> tuple[RunnerProcess, int]:
        runner = start_runner(argv, wrapper=WRAPPER, **env)
        inits.append(init_pid(runner.proc.pid))
        return runner, inits[-1]

    yield start
    for pid in inits:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def init_pid(wrapper_pid: int, timeout: float = 10) -> int:
    """The host pid of the process ``unshare --fork`` started: PID 1 of the new namespace."""
    deadline = time.monotonic() + timeout
    children = Path(f"/proc/{wrapper_pid}/task/{wrapper_pid}/children")
    while time.monotonic() < deadline:
        found = children.read_text().split()
        if found:
            return int(found[0])
        time.sleep(0.01)
    raise AssertionError("unshare started no process")


def wait_until_exec(pid: int, command: str, timeout: float = 10) -> None:
    """Wait until process ``pid`` runs ``command`` (its image replaced by exec)."""
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}/comm").read_text().strip() != command:
        if time.monotonic() > deadline:
            raise AssertionError(f"process {pid} never became {command!r}")
        time.sleep(0.01)


def test_as_pid_1_the_runner_takes_sigterm_from_outside_and_delivers_the_jobs_last_words(
    in_namespace, callback_server, tmp_path
):
    runner, init = in_namespace(job("hang", tmp_path / "pids", 2, "trap"))
    callback_server.wait_until(lambda received: len(received.lines(check=False)) >= 2)

    assert callback_server.received().messages[0]["sandbox"]["pid"] == 1  # the runner is init here
    started = time.monotonic()
    os.kill(init, signal.SIGTERM)  # from the parent namespace, as Cloud Run stops the task

    assert runner.wait() == 0
    assert time.monotonic() - started < 5  # handled at once, not ignored until the test's SIGKILL
    received = callback_server.received()
    received.check_seqs()
    assert received.text("stdout") == "working 0\nworking 1\ngot SIGTERM, cleaning up\n"
    completed = received.completed()
    assert completed["reason"] == "stopped" and completed["exit_code"] == 143


def test_as_pid_1_the_runner_reaps_orphans(in_namespace, callback_server):
    runner, _init = in_namespace(job("orphan"))

    assert runner.wait() == 0
    received = callback_server.received()
    assert received.text("stdout") == "zombies 0\norphan done\n"
    assert received.completed()["exit_code"] == 0


def test_a_signal_without_a_handler_is_what_pid_1_would_ignore(tmp_path):
    # The premise of the tests above: as init, a process that does not handle SIGTERM does not die of it.
    sleeper = subprocess.Popen([*WRAPPER, "sleep", "30"])
    init = init_pid(sleeper.pid)
    try:
        wait_until_exec(init, "sleep")  # unshare's child has become sleep, which has no SIGTERM handler
        os.kill(init, signal.SIGTERM)
        with pytest.raises(subprocess.TimeoutExpired):
            sleeper.wait(timeout=1)
    finally:
        os.kill(init, signal.SIGKILL)  # from an ancestor namespace, SIGKILL always reaches init
        sleeper.wait(timeout=10)
