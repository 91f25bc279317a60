"""The runner's one retry policy: what is retried, how long each wait is, the overall deadline, and stopping.

Pure unit tests on a hand-driven clock (``retry_clock.FakeClock``); one test uses the real clock to show that a
stop cuts a real wait short. Delivery, the claim and artifact uploads all run their requests through ``Retrier``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from retry_clock import FakeClock
from tailrun_runner.retry import Answer, GaveUp, Retrier, RetryPolicy, Stopped, retry_after_seconds, retryable

POLICY = RetryPolicy(base_s=0.1, cap_s=1.0, budget_s=10.0)


def script(*steps: Answer | Exception) -> Callable[[], Answer]:
    """A request that gives each step in turn (an exception is raised, as a network failure would be)."""
    left = list(steps)

    def request() -> Answer:
        step = left.pop(0) if len(left) > 1 else left[0]
        if isinstance(step, Exception):
            raise step
        return step

    return request


def test_backoff_is_exponential_with_full_jitter_and_capped() -> None:
    assert [POLICY.backoff(n, rng=lambda: 1.0) for n in range(1, 7)] == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    assert POLICY.backoff(3, rng=lambda: 0.25) == pytest.approx(0.1)
    assert POLICY.backoff(3, rng=lambda: 0.0) == 0.0


@pytest.mark.parametrize("status", [408, 429, 500, 503, 599])
def test_timeouts_throttling_and_server_errors_are_retryable(status: int) -> None:
    assert retryable(status)


@pytest.mark.parametrize("status", [200, 204, 301, 400, 401, 403, 404, 409, 410, 413])
def test_other_answers_are_final_and_returned_after_one_request(status: int) -> None:
    clock = FakeClock()
    retrier = clock.retrier(POLICY)
    assert not retryable(status)
    assert retrier.run("the test", script(Answer(status, b"final"))) == Answer(status, b"final")
    assert retrier.requests == 1 and clock.sleeps == []


def test_network_errors_and_retryable_answers_are_retried_until_a_final_answer() -> None:
    clock = FakeClock()
    retrier = clock.retrier(POLICY)
    steps = script(ConnectionRefusedError(), TimeoutError(), Answer(503, b""), Answer(404, b"gone"))

    assert retrier.run("the test", steps).status == 404
    assert retrier.requests == 4 and clock.sleeps == [0.1, 0.2, 0.4]


def test_a_retry_after_in_seconds_is_waited_at_least_but_never_shortens_the_backoff() -> None:
    clock = FakeClock()
    steps = script(Answer(429, b"", "3"), Answer(503, b"", "0"), Answer(200, b""))
    assert clock.retrier(POLICY).run("the test", steps).status == 200
    assert clock.sleeps == [3.0, 0.2]


def test_a_retry_after_as_an_http_date_is_read_against_the_injected_wall_clock() -> None:
    clock = FakeClock()
    steps = script(Answer(503, b"", "Sat, 21 Nov 2026 12:00:04 GMT"), Answer(200, b""))
    assert clock.retrier(POLICY).run("the test", steps).status == 200
    assert clock.sleeps == [4.0]  # against today's date, that one is long past: no wait at all


def test_the_budget_bounds_the_total_time_and_the_last_wait_ends_at_the_deadline() -> None:
    clock = FakeClock()
    retrier = clock.retrier(RetryPolicy(base_s=0.1, cap_s=1.0, budget_s=5.0))

    with pytest.raises(GaveUp) as gave_up:
        retrier.run("the test", script(Answer(503, b"")))

    assert clock.now_s == pytest.approx(5.0)
    assert retrier.requests == len(clock.sleeps) + 1 == gave_up.value.tries
    assert str(gave_up.value) == f"the test: gave up after {retrier.requests} tries (answered 503)"
    assert not isinstance(gave_up.value, Stopped)


def test_the_deadline_counts_from_the_first_try_and_a_long_retry_after_is_cut_to_it() -> None:
    clock = FakeClock()

    def slow_then_busy() -> Answer:
        clock.now_s += 4.0  # a try that took 4 s of the 5 s budget
        return Answer(503, b"", "60")

    with pytest.raises(GaveUp):
        clock.retrier(RetryPolicy(base_s=0.1, cap_s=1.0, budget_s=5.0)).run("the test", slow_then_busy)
    assert clock.sleeps == [pytest.approx(1.0)]  # Retry-After asked for 60 s; 1 s was left


def test_a_stop_set_before_the_first_try_sends_nothing() -> None:
    clock = FakeClock()
    clock.stop.set()
    retrier = clock.retrier(POLICY)

    with pytest.raises(Stopped) as stopped:
        retrier.run("the test", script(Answer(200, b"")))
    assert retrier.requests == 0 and stopped.value.tries == 0


def test_a_stop_during_a_wait_ends_the_retries_at_once() -> None:
    clock = FakeClock(stop_after=2)
    retrier = clock.retrier(POLICY)

    with pytest.raises(Stopped) as stopped:
        retrier.run("the test", script(Answer(503, b""), Answer(503, b""), Answer(200, b"")))
    assert retrier.requests == 2 and stopped.value.tries == 2 and isinstance(stopped.value, GaveUp)
    assert str(stopped.value) == "the test: gave up after 2 tries (stopped)"


def test_a_stop_cuts_a_real_wait_short() -> None:
    stop, tried = threading.Event(), threading.Event()
    retrier = Retrier(RetryPolicy(base_s=30.0, cap_s=30.0, budget_s=60.0), stop=stop, rng=lambda: 1.0)

    def busy() -> Answer:
        tried.set()
        return Answer(503, b"")

    stopper = threading.Thread(target=lambda: tried.wait(10) and stop.set())
    stopper.start()
    started = time.monotonic()
    with pytest.raises(Stopped):
        retrier.run("the test", busy)
    stopper.join()
    assert time.monotonic() - started < 10  # not the 30 s backoff
    assert retrier.requests == 1


def test_a_plain_wait_between_tries_also_ends_with_a_stop() -> None:
    clock = FakeClock(stop_after=1)
    retrier = clock.retrier(POLICY)
    with pytest.raises(Stopped):
        retrier.wait("finalize", 0.25)
    assert clock.sleeps == [0.25]
    FakeClock().retrier(POLICY).wait("finalize", 0.25)  # without a stop, it just waits


def test_retry_after_values() -> None:
    now = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120.0
    assert retry_after_seconds(" 7 ", now) == 7.0
    assert retry_after_seconds("Sat, 21 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Sat, 21 Nov 2026 11:00:00 GMT", now) == 0.0  # in the past: no extra wait
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_an_answer_reads_tailruns_error_body_or_falls_back_to_its_text() -> None:
    assert Answer(400, b'{"error": {"code": "bad", "message": "no"}}').error() == ("bad", "no")
    assert Answer(502, b"<html>bad gateway</html>").error() == ("http_error", "<html>bad gateway</html>")
    assert Answer(200, b"[1]").json() == {} and Answer(200, b"").json() == {}
