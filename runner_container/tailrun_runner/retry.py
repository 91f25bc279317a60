"""The runner's one retry policy, for every HTTP request it makes: callback messages, the claim, artifact uploads.

What is retried: a network error or timeout (``OSError``, ``http.client.HTTPException``), and the answers 408,
429 and 5xx (``retryable``). Any other answer is final and returned to the caller, which decides what it means
(an ack, a refusal, ...). How: exponential backoff with full jitter, a random wait between 0 and
``min(cap_s, base_s * 2**(n - 1))`` after the n-th failed try, and at least as long as a ``Retry-After`` answer
asks (delta-seconds, or an HTTP date read against the injected wall clock). For how long: at most ``budget_s``
from the start of the first try (the last wait is shortened to end at that deadline, then one last try goes);
then ``GaveUp``. When the caller's ``stop`` event is set, no further try goes and a wait ends at once:
``Stopped``.

Only the standard library: the runner runs in a slim container.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from tailrun_runner import clock

logger = logging.getLogger(__name__)

# What a request raises when no answer came back: retried.
NETWORK_ERRORS = (OSError, http.client.HTTPException)

A = TypeVar("A", bound="Answer")


@dataclass(frozen=True, slots=True)
class Answer:
    """One HTTP answer: its status, body and ``Retry-After`` header (None when absent)."""

    status: int
    body: bytes
    retry_after: str | None = None

    def json(self) -> dict[str, Any]:
        """The body as a JSON object, or ``{}`` when it is empty, not JSON or not an object."""
        try:
            value = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def error(self) -> tuple[str, str]:
        """The ``(code, message)`` of tailrun's error body ``{"error": {"code", "message"}}``, else the raw text."""
        error = self.json().get("error")
        if isinstance(error, dict):
            return str(error.get("code", "http_error")), str(error.get("message", ""))
        return "http_error", self.detail(300)

    def detail(self, limit: int = 500) -> str:
        """The start of the body as text, for logs and failure details."""
        return self.body[:limit].decode("utf-8", "replace")


def retryable(status: int) -> bool:
    """Whether an answer with ``status`` is worth another try: 408 (timeout), 429 (slow down) and any 5xx."""
    return status in (408, 429) or status >= 500


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """The delay a ``Retry-After`` header asks for (delta-seconds or an HTTP date), or None if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


@dataclass(frozen=True, kw_only=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter (first ceiling ``base_s``, doubling up to ``cap_s``), for at most
    ``budget_s`` in all. Units: seconds."""

    base_s: float
    cap_s: float
    budget_s: float

    def backoff(self, failures: int, rng: Callable[[], float] = random.random) -> float:
        """The wait before the next try after ``failures`` failed tries (1 or more)."""
        return rng() * min(self.cap_s, self.base_s * 2.0 ** (failures - 1))


class GaveUp(Exception):
    """No final answer within the policy's budget; ``tries`` requests went, the last failing with ``problem``."""

    def __init__(self, what: str, tries: int, problem: str) -> None:
        super().__init__(f"{what}: gave up after {tries} tries ({problem})")
        self.tries = tries
        self.problem = problem


class Stopped(GaveUp):
    """The caller's ``stop`` event was set: no further try went."""

    def __init__(self, what: str, tries: int) -> None:
        super().__init__(what, tries, "stopped")


class Retrier:
    """Runs requests under one ``RetryPolicy`` until a final answer; counts every request it made (``requests``).

    ``stop`` ends retrying at once (a wait in progress too). The clocks are injected for tests: ``monotonic`` for
    the deadline, ``now`` (aware, UTC) for ``Retry-After`` dates, ``sleep`` for the waits (by default a wait on
    ``stop``, which a set ``stop`` cuts short), ``rng`` for the jitter."""

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        stop: threading.Event | None = None,
        sleep: Callable[[float], object] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = clock.now,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy
        self._stop = stop if stop is not None else threading.Event()
        self._sleep = sleep if sleep is not None else self._stop.wait
        self._monotonic = monotonic
        self._now = now
        self._rng = rng
        self.requests = 0

    def run(self, what: str, request: Callable[[], A]) -> A:
        """Call ``request`` until it gives an answer that is not ``retryable``, and return that answer.

        Raises ``GaveUp`` when the budget is spent, ``Stopped`` when ``stop`` is set (before or between tries)."""
        deadline = self._monotonic() + self.policy.budget_s
        failures = 0
        while True:
            if self._stop.is_set():
                raise Stopped(what, failures)
            self.requests += 1
            try:
                answer = request()
            except NETWORK_ERRORS as exc:
                problem, asked = f"unreachable ({exc!r})", None
            else:
                if not retryable(answer.status):
                    return answer
                problem, asked = (
                    f"answered {answer.status}",
                    retry_after_seconds(answer.retry_after, self._now()),
                )
            failures += 1
            remaining = deadline - self._monotonic()
            if remaining <= 0:
                raise GaveUp(what, failures, problem)
            logger.warning("%s: %s; will retry", what, problem)
            self.wait(
                what, min(max(self.policy.backoff(failures, self._rng), asked or 0.0), remaining), failures
            )

    def wait(self, what: str, seconds: float, tries: int = 0) -> None:
        """Wait ``seconds`` before the next try of ``what`` (less if ``stop`` is set meanwhile); raise ``Stopped``
        if it is set."""
        self._sleep(seconds)
        if self._stop.is_set():
            raise Stopped(what, tries)
