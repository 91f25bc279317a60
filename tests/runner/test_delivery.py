"""Delivering one message: which answers end it, that retries resend the same bytes, and giving up.

``Courier.deliver`` is tested alone with a scripted transport and a hand-driven clock (the runner-as-a-process
tests cover the same paths over real HTTP); the retry policy itself is tested in ``test_retry``.
"""

from __future__ import annotations

import http.client

import pytest
from retry_clock import FakeClock
from tailrun_runner.delivery import Courier, Outcome
from tailrun_runner.retry import Answer, RetryPolicy


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


def ok(seq: int = 0) -> Answer:
    return Answer(200, b'{"ack": %d}' % seq)


def status(code: int) -> Answer:
    return Answer(code, b'{"error": {"code": "x", "message": "y"}}')


def courier(transport: ScriptedTransport, clock: FakeClock, budget_s: float = 10.0) -> Courier:
    policy = RetryPolicy(base_s=0.1, cap_s=1.0, budget_s=budget_s)
    return Courier(transport, clock.retrier(policy))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (ok(), Outcome.ACKED),
        (status(409), Outcome.CANCELED),
        (status(410), Outcome.CANCELED),
        *[(status(code), Outcome.REJECTED) for code in (400, 401, 403, 404, 413)],
    ],
)
def test_final_answers_end_the_delivery_after_one_request(answer: Answer, outcome: Outcome) -> None:
    transport, clock = ScriptedTransport(answer), FakeClock()
    result = courier(transport, clock).deliver(0, b"{}")
    assert result.outcome is outcome
    assert len(transport.bodies) == 1 and clock.sleeps == []


@pytest.mark.parametrize(
    "failure",
    [
        status(500),
        status(502),
        status(503),
        status(429),
        status(408),
        ConnectionRefusedError(),
        TimeoutError(),
        http.client.RemoteDisconnected("closed"),
    ],
)
def test_transient_failures_are_retried_with_the_same_bytes(failure: Answer | Exception) -> None:
    transport, clock = ScriptedTransport(failure, failure, ok(5)), FakeClock()
    delivery = courier(transport, clock)
    result = delivery.deliver(5, b'{"seq": 5}')
    assert result.outcome is Outcome.ACKED
    assert transport.bodies == [b'{"seq": 5}'] * 3
    assert len(clock.sleeps) == 2 and delivery.requests == 3


def test_a_spent_retry_budget_gives_up_and_says_how_often_it_tried() -> None:
    transport, clock = ScriptedTransport(status(503)), FakeClock()
    result = courier(transport, clock, budget_s=5.0).deliver(7, b"{}")
    assert result.outcome is Outcome.GAVE_UP and result.status is None
    assert f"gave up after {len(transport.bodies)} tries (answered 503)" in result.detail
    assert "seq 7" in result.detail


def test_an_acknowledgement_may_ask_for_a_message_soon_bounded_to_a_minute() -> None:
    clock = FakeClock()
    soon = courier(ScriptedTransport(Answer(200, b'{"ack": 0, "flush_in_ms": 250}')), clock).deliver(0, b"{}")
    late = courier(ScriptedTransport(Answer(200, b'{"ack": 0, "flush_in_ms": 3600000}')), clock).deliver(
        0, b"{}"
    )
    assert soon.flush_in_s == 0.25 and late.flush_in_s == 60.0
    assert courier(ScriptedTransport(ok()), clock).deliver(0, b"{}").flush_in_s is None


def test_the_outcomes_are_the_words_the_runner_logs() -> None:
    assert [str(outcome) for outcome in Outcome] == ["acked", "canceled", "rejected", "gave_up"]
