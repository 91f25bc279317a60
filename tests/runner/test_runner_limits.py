"""The job's own limits, enforced by the runner: a timeout from spawn and an idle timeout since the last output.

Each test runs the real runner as a process against the real HTTP receiver, with a real job. The runner stops a
job whose limit passed as it stops one on SIGTERM (SIGTERM to the group, SIGKILL after the 1 s grace of the test
knobs), delivers what it printed, and reports ``completed.reason`` ``timeout`` or ``idle_timeout``.
"""

from __future__ import annotations

import time

import pytest
from runner_harness import job


def ended(runner, started: float) -> float:  # type: ignore[no-untyped-def]
    """Wait for the runner to exit 0; the seconds since ``started``."""
    assert runner.wait() == 0, runner.logs()
    return time.monotonic() - started


def test_a_job_past_its_timeout_is_stopped_on_time_with_sigterm(start_runner, callback_server):
    started = time.monotonic()
    runner = start_runner(["sleep", "10"], TAILRUN_TIMEOUT_S="2")

    elapsed = ended(runner, started)

    completed = callback_server.received().completed()
    assert completed["reason"] == "timeout"
    assert completed["signal"] == "SIGTERM" and completed["exit_code"] is None
    # The limit is 2 s from the spawn; the stop begins within a supervisor tick (20 ms) of it. The rest of the
    # bound is the runner's start-up and delivery on a busy shared machine.
    assert 2.0 <= completed["duration_ms"] / 1000 < 2.5
    assert elapsed < 4.5
    assert "stopping it" in runner.logs()


def test_a_job_that_traps_sigterm_and_exits_3_reports_its_own_exit_code(start_runner, callback_server):
    runner = start_runner(job("sleeper", 30, "exit3"), TAILRUN_TIMEOUT_S="1.5")

    ended(runner, time.monotonic())

    received = callback_server.received()
    completed = received.completed()
    assert completed["reason"] == "timeout" and completed["exit_code"] == 3 and completed["signal"] is None
    assert received.text("stdout") == "started\ngot SIGTERM\n"  # its last words after the stop, delivered


def test_a_job_that_ignores_sigterm_is_killed_after_the_grace(start_runner, callback_server):
    started = time.monotonic()
    runner = start_runner(job("sleeper", 30, "ignore"), TAILRUN_TIMEOUT_S="1")

    ended(runner, started)

    received = callback_server.received()
    completed = received.completed()
    assert completed["reason"] == "timeout" and completed["signal"] == "SIGKILL"
    # SIGTERM at 1 s, SIGKILL after the 1 s grace: not before 2 s, and not much after.
    assert 2.0 <= completed["duration_ms"] / 1000 < 3.0
    assert received.text("stdout") == "started\nignoring SIGTERM\n"
    logs = runner.logs()
    assert logs.index("sent SIGTERM to the job's process group") < logs.index("sent SIGKILL")


def test_a_job_silent_past_its_idle_timeout_is_stopped(start_runner, callback_server):
    runner = start_runner(job("sleeper", 30), TAILRUN_IDLE_TIMEOUT_S="1")

    ended(runner, time.monotonic())

    received = callback_server.received()
    completed = received.completed()
    assert completed["reason"] == "idle_timeout" and completed["signal"] == "SIGTERM"
    assert received.text("stdout") == "started\n"
    # It printed "started" right after its interpreter came up, then nothing: stopped 1 s after that line.
    assert 1.0 <= completed["duration_ms"] / 1000 < 2.5


def test_a_job_that_keeps_printing_is_not_idle_stopped(start_runner, callback_server):
    # It prints every 0.1 s for 2 s, far past the 0.5 s idle timeout counted from its start.
    runner = start_runner(job("sleeper", 2, "ticker"), TAILRUN_IDLE_TIMEOUT_S="0.5")

    ended(runner, time.monotonic())

    received = callback_server.received()
    completed = received.completed()
    assert completed["reason"] == "exited" and completed["exit_code"] == 0
    assert received.text("stdout").endswith("woke\n")


def test_a_job_that_ends_before_its_timeout_exits_as_usual(start_runner, callback_server):
    runner = start_runner(job("lines", 3), TAILRUN_TIMEOUT_S="30", TAILRUN_IDLE_TIMEOUT_S="30")

    ended(runner, time.monotonic())

    completed = callback_server.received().completed()
    assert completed["reason"] == "exited" and completed["exit_code"] == 0


def test_everything_printed_before_a_timeout_is_delivered_in_order_without_a_gap(
    start_runner, callback_server
):
    runner = start_runner(job("sleeper", 30, "plain", 5000), TAILRUN_TIMEOUT_S="1.5")

    ended(runner, time.monotonic())

    received = callback_server.received()
    received.check_seqs()
    assert received.text("stdout") == "".join(f"line {i}\n" for i in range(5000))  # lines() checks no gap
    assert received.completed()["reason"] == "timeout" and received.completed()["lines"] == 5000


def test_a_sigterm_before_the_timeout_reports_stopped_the_first_cause_winning(start_runner, callback_server):
    # SIGTERM to the runner first; the job ignores it, so the 1 s grace runs on past the 1.5 s timeout: still
    # "stopped".
    runner = start_runner(job("sleeper", 30, "ignore"), TAILRUN_TIMEOUT_S="1.5")
    callback_server.wait_until(lambda received: received.text("stdout") == "started\n")

    runner.terminate()

    ended(runner, time.monotonic())
    completed = callback_server.received().completed()
    assert completed["reason"] == "stopped" and completed["signal"] == "SIGKILL"


def test_a_timeout_before_a_sigterm_reports_timeout(start_runner, callback_server):
    runner = start_runner(job("sleeper", 30, "ignore"), TAILRUN_TIMEOUT_S="0.5")
    callback_server.wait_until(lambda received: "ignoring SIGTERM" in received.text("stdout"))

    runner.terminate()  # during the grace that the timeout started

    ended(runner, time.monotonic())
    assert callback_server.received().completed()["reason"] == "timeout"


def test_the_idle_clock_does_not_run_while_the_runner_holds_the_output_back(start_runner, callback_server):
    # The callback refuses output for 2 s, longer than the 1 s idle timeout: the job, blocked writing while its
    # output is held back, is busy, not idle; it ends by itself once delivery resumes.
    from runner_harness import Reply

    refusing_until = time.monotonic() + 2.0

    def refuse_output_for_a_while(message):  # type: ignore[no-untyped-def]
        if message["type"] == "output" and time.monotonic() < refusing_until:
            return Reply(status=503, record=False)
        return Reply()

    callback_server.answer = refuse_output_for_a_while
    runner = start_runner(
        job("lines", 50_000), TAILRUN_IDLE_TIMEOUT_S="1", TAILRUN_MAX_BUFFER_BYTES=str(64 * 1024)
    )

    ended(runner, time.monotonic())

    received = callback_server.received()
    assert received.completed()["reason"] == "exited"
    assert received.text("stdout") == "".join(f"line {i}\n" for i in range(50_000))


@pytest.mark.parametrize("name", ["TAILRUN_TIMEOUT_S", "TAILRUN_IDLE_TIMEOUT_S"])
def test_a_limit_that_is_not_a_positive_number_is_a_configuration_error(start_runner, callback_server, name):
    runner = start_runner(job("lines", 1), **{name: "-1"})

    assert runner.wait() == 2
    assert name in runner.logs()
    assert callback_server.requests == []  # nothing was started, nothing sent
