"""Fixtures for runner tests: a recording callback server and the real runner as a child process.

Timing knobs are set small through the environment (heartbeats, grace periods, backoff) so every scenario takes a
few seconds at most; the behaviour under test is the same as with the defaults.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from runner_harness import RUNNER, TOKEN, CallbackServer, RunnerProcess

JOBS = Path(__file__).resolve().parent.parent / "scenarios"

FAST_KNOBS = {
    "TAILRUN_HEARTBEAT_S": "0.5",
    "TAILRUN_KILL_GRACE_S": "1",
    "TAILRUN_DRAIN_S": "0.5",
    "TAILRUN_RETRY_BASE_S": "0.01",
    "TAILRUN_RETRY_CAP_S": "0.1",
    "TAILRUN_RETRY_MAX_S": "10",
    "TAILRUN_REQUEST_TIMEOUT_S": "5",
}


@pytest.fixture
def callback_server() -> Iterator[CallbackServer]:
    server = CallbackServer().start()
    yield server
    server.close()


@pytest.fixture
def start_runner(callback_server: CallbackServer, tmp_path: Path) -> Iterator[Callable[..., RunnerProcess]]:
    """Start the runner on ``argv`` with the test's knobs; every runner still alive at the end is killed."""
    started: list[RunnerProcess] = []

    def start(
        argv: list[str],
        *,
        wrapper: Sequence[str] = (),
        command: Sequence[str] = (str(RUNNER),),
        user: int | None = None,
        **env: str | None,
    ) -> RunnerProcess:
        """``wrapper``: a command to start the runner under (e.g. ``unshare ...``), followed by ``command`` (the
        runner). ``user``: start the runner as this uid (and the group of the same number, no other group).
        ``env``: variables to set, or with None to leave out."""
        environ: dict[str, str | None] = {
            **os.environ,
            "TAILRUN_JOB_ID": "job-1",
            "TAILRUN_ATTEMPT": "1",
            "TAILRUN_CALLBACK_URL": callback_server.url,
            "TAILRUN_TOKEN": TOKEN,
            "TAILRUN_ARGV": json.dumps(argv),
            "TAILRUN_TEST_CALLBACK": callback_server.url,
            **FAST_KNOBS,
            **env,
        }
        log_path = tmp_path / f"runner-{len(started)}.log"
        as_user = {} if user is None else {"user": user, "group": user, "extra_groups": []}
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                [*wrapper, *command],
                env={name: value for name, value in environ.items() if value is not None},
                stdout=log,
                stderr=subprocess.STDOUT,
                **as_user,  # type: ignore[arg-type]
            )
        started.append(RunnerProcess(proc, log_path))
        return started[-1]

    yield start
    for runner in started:
        if runner.proc.poll() is None:
            runner.proc.kill()
            runner.proc.wait()
