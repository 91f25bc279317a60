"""Delivering one message: which answers end it, how retries back off, and the total retry budget.

``Courier.deliver`` is tested alone with a scripted transport and a hand-driven clock (the runner-as-a-process
tests cover the same paths over real HTTP); ``Retry-After`` dates are read against a frozen clock.
"""

from __future__ import annotations

import http.client
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from tailrun_runner.delivery import Answer, Courier, Outcome, RetryPolicy, retry_after_seconds


class ScriptedTransport:
    """Answers from a script: an ``Answer``, or an exception to raise as a network failure would."""

    def __init__(self, *script: Answer | Exception) -> None:
        self.script = list(script)
        self.bodies: list[bytes] = []

    def post(self, body: bytes) -> Answer:
        self.bodies.append(body)
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        return step


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def ok(seq: int = 0) -> Answer:
    return Answer(status=200, retry_after=None, body=b'{"ack": %d}' % seq)


def status(code: int, retry_after: str | None = None) -> Answer:
    return Answer(status=code, retry_after=retry_after, body=b'{"error": {"code": "x", "message": "y"}}')


def courier(transport: ScriptedTransport, clock: FakeTime, budget_s: float = 10.0) -> Courier:
    policy = RetryPolicy(base_s=0.1, cap_s=1.0, budget_s=budget_s)
    return Courier(transport, policy, sleep=clock.sleep, monotonic=clock.monotonic)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [(ok(), Outcome.ACKED), (status(409), Outcome.CANCELED), (status(410), Outcome.CANCELED)]
    + [(status(code), Outcome.REJECTED) for code in (400, 401, 403, 404, 413)],
)
def test_final_answers_end_the_delivery_after_one_request(answer, outcome):
    transport, clock = ScriptedTransport(answer), FakeTime()
    result = courier(transport, clock).deliver(0, b"{}")
    assert result.outcome is outcome
    assert len(transport.bodies) == 1 and clock.sleeps == []


@pytest.mark.parametrize(
    "failure",
    [status(500), status(502), status(503), status(429), status(408), ConnectionRefusedError(), TimeoutError()]
    + [http.client.RemoteDisconnected("closed")],
)
def test_transient_failures_are_retried_with_the_same_bytes(failure):
    transport, clock = ScriptedTransport(failure, failure, ok(5)), FakeTime()
    result = courier(transport, clock).deliver(5, b'{"seq": 5}')
    assert result.outcome is Outcome.ACKED
    assert transport.bodies == [b'{"seq": 5}'] * 3
    assert len(clock.sleeps) == 2


def test_backoff_is_exponential_with_full_jitter_and_capped():
    policy = RetryPolicy(base_s=0.1, cap_s=1.0, budget_s=60)
    assert [policy.backoff(n, rng=lambda: 1.0) for n in range(1, 7)] == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    assert policy.backoff(3, rng=lambda: 0.25) == pytest.approx(0.1)
    assert policy.backoff(3, rng=lambda: 0.0) == 0.0


def test_the_retry_budget_bounds_the_total_time_spent_retrying():
    transport, clock = ScriptedTransport(status(503)), FakeTime()
    result = courier(transport, clock, budget_s=5.0).deliver(0, b"{}")
    assert result.outcome is Outcome.GAVE_UP
    assert clock.now == pytest.approx(5.0)  # the last wait is shortened to end exactly at the budget
    assert len(transport.bodies) == len(clock.sleeps) + 1


def test_retry_after_in_seconds_is_waited_at_least():
    transport, clock = ScriptedTransport(status(429, retry_after="3"), ok()), FakeTime()
    assert courier(transport, clock).deliver(0, b"{}").outcome is Outcome.ACKED
    assert clock.sleeps == [3.0]


@freeze_time("2026-11-21 12:00:00")
def test_retry_after_as_an_http_date_is_read_against_the_clock():
    transport, clock = ScriptedTransport(status(503, retry_after="Sat, 21 Nov 2026 12:00:04 GMT"), ok()), FakeTime()
    assert courier(transport, clock).deliver(0, b"{}").outcome is Outcome.ACKED
    assert clock.sleeps == [4.0]


def test_retry_after_values():
    now = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120", now) == 120.0
    assert retry_after_seconds("Sat, 21 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Sat, 21 Nov 2026 11:00:00 GMT", now) == 0.0  # in the past: no extra wait
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None
