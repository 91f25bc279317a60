"""Stopping a job (cancel, SIGTERM), an unreliable or refusing callback, and memory under backpressure."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from runner_harness import Receiver, Reply, RunnerProcess, flaky, job


def is_running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting to be reaped counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for_file(path: Path, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.01)
    return path.read_text()


@pytest.fixture
def start_hanging(start_runner, callback_server, tmp_path):  # type: ignore[no-untyped-def]
    """Start the runner on ``hang.py``; return it and the job's pids once the job's lines have arrived."""

    def start(lines: int, mode: str, **env: str):  # type: ignore[no-untyped-def]
        pidfile = tmp_path / "pids"
        runner = start_runner(job("hang", pidfile, lines, mode), **env)
        pids = [int(pid) for pid in wait_for_file(pidfile).split()]
        callback_server.wait_until(has_lines(lines))
        return runner, pids

    return start


def has_lines(count: int):  # type: ignore[no-untyped-def]
    return lambda received: len(received.lines(check=False)) >= count


def rss_kib(pid: int) -> int:
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmRSS:"):
            return int(row.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.parametrize("status", [409, 410])
def test_a_cancel_kills_the_hung_job_and_its_children_after_the_grace_period(
    start_hanging, callback_server, status
):
    runner, pids = start_hanging(5, "ignore", TAILRUN_HEARTBEAT_S="0.2")

    callback_server.answer = lambda message: Reply(status=status)  # the job was canceled meanwhile
    started = time.monotonic()

    assert runner.wait() == 0
    assert (
        time.monotonic() - started >= 0.9
    )  # the job ignores SIGTERM: only SIGKILL, after the 1 s grace, ends it
    assert not any(map(is_running, pids))
    received = callback_server.received()
    assert received.text("stdout") == "".join(f"working {i}\n" for i in range(5))
    assert received.of_type("completed") == []  # the server takes nothing more after 409/410
    logs = runner.logs()
    assert f"callback answered {status}" in logs
    assert logs.index("sent SIGTERM to the job's process group") < logs.index("sent SIGKILL")


@pytest.mark.parametrize("status", [409, 410])
def test_a_cancel_sends_sigterm_first_and_a_job_that_heeds_it_ends_before_the_grace_period(
    start_hanging, callback_server, tmp_path, status
):
    runner, pids = start_hanging(3, "trap", TAILRUN_HEARTBEAT_S="0.2", TAILRUN_KILL_GRACE_S="20")

    callback_server.answer = lambda message: Reply(status=status)
    started = time.monotonic()

    assert runner.wait() == 0
    assert time.monotonic() - started < 10  # well before the 20 s grace: SIGTERM ended it, not SIGKILL
    assert (tmp_path / "pids.term").exists()  # the job ran its SIGTERM handler
    assert not any(map(is_running, pids))  # and its grandchild, in the same group, got SIGTERM too
    assert "sent SIGKILL" not in runner.logs()
    received = callback_server.received()
    assert received.text("stdout") == "working 0\nworking 1\nworking 2\n"


def test_sigterm_to_the_runner_stops_the_job_and_delivers_its_last_words(start_hanging, callback_server):
    runner, pids = start_hanging(3, "trap")

    runner.terminate()

    assert runner.wait() == 0
    assert not any(map(is_running, pids))
    received = callback_server.received()
    received.check_seqs()
    assert received.text("stdout") == "working 0\nworking 1\nworking 2\ngot SIGTERM, cleaning up\n"
    completed = received.completed()
    assert completed["reason"] == "stopped" and completed["exit_code"] == 143 and completed["lines"] == 4


@pytest.mark.parametrize("stop", ["sigterm", "410"])
def test_a_stop_kills_what_is_left_of_the_group_after_the_grace_period_even_once_the_job_exited(
    start_runner, callback_server, tmp_path, stop
):
    # The job heeds SIGTERM at once; a process it started ignores SIGTERM and holds none of its pipes.
    pidfile = tmp_path / "pids"
    runner = start_runner(job("hang", pidfile, 1, "trap", "stubborn"), TAILRUN_HEARTBEAT_S="0.2")
    pids = [int(pid) for pid in wait_for_file(pidfile).split()]
    callback_server.wait_until(has_lines(1))

    if stop == "sigterm":
        runner.terminate()
    else:
        callback_server.answer = lambda message: Reply(status=410)

    try:
        assert runner.wait() == 0
        assert not any(map(is_running, pids))  # the stubborn one too: SIGKILL after the 1 s grace
    finally:
        for pid in filter(is_running, pids):
            os.kill(pid, signal.SIGKILL)
    assert "sent SIGKILL" in runner.logs()
    if stop == "sigterm":
        completed = callback_server.received().completed()
        assert completed["reason"] == "stopped" and completed["exit_code"] == 143


def test_sigterm_kills_a_job_that_ignores_it_after_the_grace_period(start_hanging, callback_server):
    runner, pids = start_hanging(1, "ignore")

    runner.terminate()
    started = time.monotonic()

    assert runner.wait() == 0
    assert time.monotonic() - started >= 0.9  # SIGKILL only once the 1 s grace has passed
    assert not any(map(is_running, pids))
    received = callback_server.received()
    assert received.text("stdout") == "working 0\n"
    completed = received.completed()
    assert (
        completed["reason"] == "stopped"
        and completed["signal"] == "SIGKILL"
        and completed["exit_code"] is None
    )
    logs = runner.logs()
    assert logs.index("sent SIGTERM to the job's process group") < logs.index("sent SIGKILL")


@pytest.mark.parametrize(("status", "exit_code"), [(401, 1), (409, 0), (410, 0)])
def test_a_refused_start_stops_everything_before_the_job_starts(
    start_runner, callback_server, tmp_path, status, exit_code
):
    # 401: the runner could not deliver (exit 1). 409/410: the attempt was superseded or the job already ended
    # before the sandbox came up; tailrun decided, nothing failed (exit 0).
    callback_server.answer = lambda message: Reply(status=status)
    pidfile = tmp_path / "pids"
    runner = start_runner(job("hang", pidfile, 1, "trap"))

    assert runner.wait() == exit_code
    assert not pidfile.exists()
    assert len(callback_server.requests) == 1  # not retryable: no second try
    assert str(status) in runner.logs()


def test_a_rejection_mid_job_stops_the_job_and_exits_non_zero(start_hanging, callback_server):
    runner, pids = start_hanging(2, "trap", TAILRUN_HEARTBEAT_S="0.2")

    callback_server.answer = lambda message: Reply(status=400)

    assert runner.wait() == 1
    assert not any(map(is_running, pids))
    assert "status 400" in runner.logs()


def test_the_runner_gives_up_when_the_retry_budget_is_spent(start_hanging, callback_server):
    runner, pids = start_hanging(1, "trap", TAILRUN_RETRY_MAX_S="1")

    callback_server.answer = lambda message: Reply(status=503)
    failing_since = time.monotonic()

    assert runner.wait() == 1
    # Bounded: the 1 s retry budget, then the job's stop (it heeds SIGTERM), with slack for a busy machine.
    assert 1 <= time.monotonic() - failing_since < 6
    assert not any(map(is_running, pids))
    failure = [json.loads(row) for row in runner.logs().splitlines() if "could not deliver" in row]
    assert len(failure) == 1 and failure[0]["severity"] == "ERROR" and "gave_up" in failure[0]["message"]
    assert len([r for r in callback_server.requests if r.reply.status == 503]) >= 3


def test_an_unreachable_callback_is_retried_then_given_up(start_runner, callback_server):
    callback_server.close()  # nothing listens any more: connection refused

    started = time.monotonic()
    runner = start_runner(job("lines", 1), TAILRUN_RETRY_MAX_S="0.5")

    assert runner.wait() == 1
    assert time.monotonic() - started >= 0.5
    assert "the callback, seq 0: unreachable (ConnectionRefusedError" in runner.logs()


def test_retry_after_is_honoured(start_runner, callback_server):
    answered: list[int] = []

    def slow_down_first_output(message: dict[str, Any]) -> Reply:
        if message["type"] == "output" and not answered:
            answered.append(message["seq"])
            return Reply(status=429, record=False, headers={"Retry-After": "1"})
        return Reply()

    callback_server.answer = slow_down_first_output
    runner = start_runner(job("lines", 10))

    assert runner.wait() == 0
    tries = [r.received_at for r in callback_server.requests if r.message["seq"] == answered[0]]
    assert len(tries) == 2 and tries[1] - tries[0] >= 0.95
    assert callback_server.received().text("stdout") == "".join(f"line {i}\n" for i in range(10))


def test_a_callback_failing_30_percent_still_gets_exactly_what_the_job_wrote(start_runner, callback_server):
    callback_server.answer = flaky(0.3, seed=1234)
    runner = start_runner(job("interleaved", 6000), TAILRUN_BATCH_MAX_LINES="100")

    assert runner.wait() == 0
    received: Receiver = callback_server.received()  # dedups by seq, and checks resends are byte-identical
    received.check_seqs()
    failed = [r for r in received.requests if r.reply.status != 200 or r.reply.drop]
    # The callback really failed about 30 %: with this seed, the first N >= 60 requests hold 26-41 % failures.
    assert 0.25 <= len(failed) / len(received.requests) <= 0.45
    assert received.duplicates > 0
    assert any(r.reply.record and r.reply.status != 200 for r in received.requests)
    assert received.text("stdout") == "".join(f"out {i}\n" for i in range(6000) if i % 3)
    assert received.text("stderr") == "".join(f"err {i}\n" for i in range(6000) if i % 3 == 0)
    assert received.completed()["lines"] == 6000


def test_a_down_callback_blocks_the_job_with_memory_bounded_and_loses_nothing(
    start_runner, callback_server, tmp_path
):
    def refuse_output(message: dict[str, Any]) -> Reply:
        return Reply(status=503, record=False) if message["type"] == "output" else Reply()

    callback_server.answer = refuse_output
    count_file = tmp_path / "count"
    total = 200_000  # ~21 MB of output: far more than the 1 MiB the runner may hold
    runner = start_runner(job("counted_flood", count_file, total), TAILRUN_MAX_BUFFER_BYTES=str(1 << 20))
    wait_for_file(count_file)

    stalled_at = _wait_until_stalled(runner, count_file)
    assert (
        stalled_at < 10_000
    )  # 1 MiB of queued lines plus the pipe, not the 200,000 lines the job wants to write
    # Measured ~23 MiB (the interpreter plus the 1 MiB bound); holding the job's 21 MB would take over 60 MiB.
    assert rss_kib(runner.proc.pid) < 40 * 1024

    callback_server.answer = lambda message: Reply()

    assert runner.wait() == 0
    received = callback_server.received()
    received.check_seqs()
    pad = "." * 100
    assert received.text("stdout") == "".join(f"{i} {pad}\n" for i in range(total))


def test_a_flood_of_empty_lines_while_the_callback_is_down_is_held_back_in_bounded_memory(
    start_runner, callback_server, tmp_path
):
    def refuse_output(message: dict[str, Any]) -> Reply:
        return Reply(status=503, record=False) if message["type"] == "output" else Reply()

    callback_server.answer = refuse_output
    count_file = tmp_path / "count"
    runner = start_runner(job("flood", count_file), TAILRUN_MAX_BUFFER_BYTES=str(1 << 20))
    wait_for_file(count_file)

    stalled_at = _wait_until_stalled(runner, count_file)
    assert stalled_at <= 1_000_000  # blocked after a few reads, not writing on forever
    # Measured ~45 MiB: the 1 MiB bound can be passed by the lines of one 64 KiB read (65,536 entries).
    assert rss_kib(runner.proc.pid) < 80 * 1024

    callback_server.answer = lambda message: Reply()
    runner.terminate()

    assert runner.wait() == 0
    received = callback_server.received()
    lines = received.lines()  # numbered 0, 1, 2, ... without a gap
    assert 0 < len(lines) <= stalled_at + 65536  # what was counted, plus a write the pipe took in part
    assert {line["text"] for line in lines} == {""}
    assert received.completed()["reason"] == "stopped" and received.completed()["lines"] == len(lines)


def _wait_until_stalled(runner: RunnerProcess, count_file: Path, timeout: float = 10) -> int:
    """The job's count once its output is blocked for good: the runner has stopped reading its pipes (it logs
    that it holds the job's output back, and nothing can free room while the callback refuses output), and the job
    waits in a write to its full stdout pipe. Both are polled with a deadline."""
    deadline = time.monotonic() + timeout
    while "output is held back" not in runner.logs():
        assert time.monotonic() < deadline, "the runner never held the job's output back"
        time.sleep(0.01)
    (job_pid,) = Path(f"/proc/{runner.proc.pid}/task/{runner.proc.pid}/children").read_text().split()
    while not Path(f"/proc/{job_pid}/wchan").read_text().endswith("pipe_write"):
        assert time.monotonic() < deadline, "the job never blocked writing its output"
        time.sleep(0.01)
    return int(count_file.read_text())


def test_signals_to_the_runner_before_the_job_starts_end_the_attempt_cleanly(start_runner, callback_server):
    asked, signalled = threading.Event(), threading.Event()

    def hold_started(message: dict[str, Any]) -> Reply:
        if message["type"] == "started":
            asked.set()
            signalled.wait(10)  # the runner is told to stop while it waits for this answer
        return Reply()

    callback_server.answer = hold_started
    runner = start_runner(job("lines", 5))
    assert asked.wait(10), "the runner never sent started"
    runner.proc.send_signal(
        signal.SIGTERM
    )  # pending before the answer goes: handled before the runner reads it
    signalled.set()

    assert runner.wait() == 0
    received = callback_server.received()
    assert [m["type"] for m in received.messages] == ["started", "completed"]
    assert received.completed()["reason"] == "stopped"


def test_a_background_process_left_in_the_group_is_killed_once_the_job_exits(
    start_runner, callback_server, tmp_path
):
    pidfile = tmp_path / "pid"
    runner = start_runner(job("leftover", pidfile, "group"))

    assert runner.wait() == 0
    background = int(wait_for_file(pidfile))
    assert not is_running(background)
    received = callback_server.received()
    assert received.text("stdout") == "background started\nmain done\n"
    assert received.completed()["exit_code"] == 0 and received.completed()["reason"] == "exited"


def test_a_daemon_that_escaped_the_group_does_not_keep_the_attempt_open(
    start_runner, callback_server, tmp_path
):
    pidfile = tmp_path / "pid"
    runner = start_runner(job("leftover", pidfile, "session"))
    try:
        assert runner.wait() == 0  # after the drain period, the runner stops reading the pipes it holds
        assert callback_server.received().completed()["exit_code"] == 0
    finally:
        os.kill(int(wait_for_file(pidfile)), signal.SIGKILL)


def test_output_still_in_the_pipe_when_a_slowly_drained_job_exits_is_delivered(start_runner, callback_server):
    # The callback is slow and the buffer small, so the job's last lines are still in the pipe long after it
    # exited; the runner must not mistake that for a leftover process holding the pipe open.
    def slow(message: dict[str, Any]) -> Reply:
        time.sleep(0.01)
        return Reply()

    callback_server.answer = slow
    knobs = {"TAILRUN_MAX_BUFFER_BYTES": "16384", "TAILRUN_BATCH_MAX_LINES": "100", "TAILRUN_DRAIN_S": "0.1"}
    runner = start_runner(job("lines", 20_000), **knobs)

    assert runner.wait() == 0
    received = callback_server.received()
    assert received.text("stdout") == "".join(f"line {i}\n" for i in range(20_000))


def test_a_kept_alive_connection_closed_by_the_server_is_reopened_without_a_retry(
    start_runner, callback_server
):
    callback_server.answer = lambda message: Reply(hang_up=True)
    runner = start_runner(job("interleaved", 300), TAILRUN_BATCH_MAX_LINES="10", TAILRUN_RETRY_BASE_S="5")

    assert runner.wait() == 0
    received = callback_server.received()
    assert received.completed()["lines"] == 300
    assert len(received.requests) == len(received.messages)  # no message needed a second try
    assert "will retry" not in runner.logs()
