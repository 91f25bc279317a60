"""A job on a pseudo-terminal (``TAILRUN_TTY=1``): it sees a terminal, keeps its colours, and its stdout and stderr
are one stream, stored exactly in the order written; limits, stops and leftovers work as with pipes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from runner_harness import job
from test_runner_stopping import is_running, wait_for_file

TTY = {"TAILRUN_TTY": "1"}


def test_a_tty_job_sees_a_terminal_on_stdout_and_stderr_and_dev_null_on_stdin(start_runner, callback_server):
    runner = start_runner(job("terminal"), **TTY, TERM="dumb")

    assert runner.wait() == 0
    received = callback_server.received()
    assert received.text("stdout").splitlines() == [
        "isatty 1=True 2=True 0=False",
        "term xterm-256color",  # the runner's TERM is not the job's: a pty gets xterm-256color
        "size 200x50",
    ]
    assert received.completed()["exit_code"] == 0 and received.completed()["reason"] == "exited"


def test_git_log_on_a_tty_pages_to_no_one_and_ends(start_runner, callback_server):
    # Without PAGER=cat, git starts less on the terminal, which waits for keys until the timeout.
    repo = Path(__file__).resolve().parents[2]
    runner = start_runner(
        ["git", "-C", str(repo), "log", "-n", "100", "--oneline"], **TTY, TAILRUN_TIMEOUT_S="20"
    )

    assert runner.wait() == 0
    received = callback_server.received()
    assert received.completed()["reason"] == "exited" and received.completed()["exit_code"] == 0
    assert len(received.lines()) == min(100, commits(repo))


def commits(repo: Path) -> int:
    done = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--count", "HEAD"], capture_output=True, text=True
    )
    return int(done.stdout)


def test_the_jobs_own_term_is_kept(start_runner, callback_server):
    # ``env`` values of 4 characters or more are masked in the output (invariant 8): a short one shows what it was.
    runner = start_runner(job("terminal"), **TTY, TAILRUN_ENV=json.dumps({"TERM": "vt1"}))

    assert runner.wait() == 0
    assert "term vt1" in callback_server.received().text("stdout").splitlines()


@pytest.mark.parametrize("value", ["0", "false", ""])
def test_without_tty_the_job_has_pipes(start_runner, callback_server, value):
    runner = start_runner(job("terminal"), TAILRUN_TTY=value)

    assert runner.wait() == 0
    assert callback_server.received().text("stdout").splitlines()[0] == "isatty 1=False 2=False 0=False"


def test_fd_1_and_fd_2_are_one_stream_in_exactly_the_order_written_with_colours_kept(
    start_runner, callback_server
):
    runner = start_runner(job("terminal", 2000), **TTY)

    assert runner.wait() == 0
    received = callback_server.received()
    lines = received.lines()[3:]
    assert {line["stream"] for line in received.lines()} == {"stdout"}  # one stream
    expected = [f"\x1b[32mout {i}\x1b[0m" if i % 2 == 0 else f"\x1b[31merr {i}\x1b[0m" for i in range(2000)]
    assert [line["text"] for line in lines] == expected  # exact order, SGR sequences kept, no \r from ONLCR
    assert received.completed()["lines"] == 2003


def test_ls_color_auto_colours_on_a_tty(start_runner, callback_server, tmp_path):
    (tmp_path / "subdir").mkdir()
    runner = start_runner(["ls", "--color=auto", str(tmp_path)], **TTY)

    assert runner.wait() == 0
    text = callback_server.received().text("stdout")
    assert "\x1b[" in text and "subdir" in text and "\r" not in text


def test_a_timeout_stops_a_tty_job(start_runner, callback_server):
    runner = start_runner(job("sleeper", 30, "exit3"), **TTY, TAILRUN_TIMEOUT_S="1")

    assert runner.wait() == 0
    received = callback_server.received()
    assert received.text("stdout") == "started\ngot SIGTERM\n"
    completed = received.completed()
    assert completed["reason"] == "timeout" and completed["exit_code"] == 3
    assert 1.0 <= completed["duration_ms"] / 1000 < 2.0


def test_sigterm_stops_a_tty_job_and_its_children(start_runner, callback_server, tmp_path):
    pidfile = tmp_path / "pids"
    runner = start_runner(job("hang", pidfile, 2, "trap"), **TTY)
    pids = [int(pid) for pid in wait_for_file(pidfile).split()]
    callback_server.wait_until(lambda received: len(received.lines(check=False)) >= 2)

    runner.terminate()

    assert runner.wait() == 0
    assert not any(map(is_running, pids))
    received = callback_server.received()
    assert received.text("stdout") == "working 0\nworking 1\ngot SIGTERM, cleaning up\n"
    assert received.completed()["reason"] == "stopped" and received.completed()["exit_code"] == 143


def test_a_job_that_closes_its_pty_early_and_runs_on_is_waited_for(start_runner, callback_server, tmp_path):
    started = time.monotonic()
    runner = start_runner(job("pty_leftover", tmp_path / "pid", "closes"), **TTY)

    assert runner.wait() == 0
    received = callback_server.received()
    assert received.text("stdout") == "closing\n"
    completed = received.completed()
    assert completed["exit_code"] == 0 and completed["reason"] == "exited"
    assert completed["duration_ms"] >= 1000 and time.monotonic() - started >= 1.0  # it ran on after closing


def test_a_child_holding_the_pty_after_the_job_exits_is_killed_after_the_drain(
    start_runner, callback_server, tmp_path
):
    pidfile = tmp_path / "pid"
    runner = start_runner(job("pty_leftover", pidfile, "child"), **TTY)

    try:
        assert runner.wait() == 0
        child = int(wait_for_file(pidfile))
        assert not is_running(child)  # SIGKILLed with the group after the 0.5 s drain
    finally:
        if pidfile.exists() and is_running(int(pidfile.read_text())):
            os.kill(int(pidfile.read_text()), signal.SIGKILL)
    received = callback_server.received()
    assert received.text("stdout") == "child started\nmain done\n"
    assert received.completed()["exit_code"] == 0 and received.completed()["reason"] == "exited"
    assert "sent SIGKILL" in runner.logs()
