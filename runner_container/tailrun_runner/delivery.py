"""Deliver one message to the callback: POST its bytes, and resend the very same bytes until an answer decides.

Answers and what they mean:

- 2xx: acknowledged (``{"ack": seq}``, also for a duplicate), the next message may go. ``flush_in_ms`` in it
  says the callback holds something for watchers that a message after that many milliseconds will write: the
  runner then sends a heartbeat by that time if nothing else goes.
- 409 (superseded attempt) or 410 (the job ended or was canceled): the server takes nothing more; ``CANCELED``.
- 408, 429, 5xx, network errors and timeouts: retried with exponential backoff and full jitter (a random wait
  between 0 and ``min(cap, base * 2**n)``), at least as long as a ``Retry-After`` answer asks, for at most
  ``budget_s`` in total per message; then ``GAVE_UP``.
- Any other 4xx (400 malformed, 401 bad token, 413 too large, ...): retrying cannot help; ``REJECTED``.
"""

from __future__ import annotations

import enum
import http.client
import json
import logging
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from tailrun_runner import __version__, clock

logger = logging.getLogger(__name__)

# How a kept-alive connection that the server closed while idle fails on its next use.
# The longest ``flush_in_ms`` an acknowledgement may set (a larger one is taken as this). Unit: milliseconds.
FLUSH_IN_MAX_MS = 60_000.0
_STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class Outcome(enum.Enum):
    """How the delivery of one message ended."""

    ACKED = "acked"
    CANCELED = "canceled"
    REJECTED = "rejected"
    GAVE_UP = "gave_up"


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of a delivery, with the last HTTP status (None after a network error) and a short detail."""

    outcome: Outcome
    status: int | None = None
    detail: str = ""
    flush_in_s: float | None = None  # an acknowledgement's ``flush_in_ms``: send something by then (seconds)


@dataclass(frozen=True, slots=True)
class Answer:
    """One HTTP answer from the callback."""

    status: int
    retry_after: str | None
    body: bytes


class Transport:
    """POSTs JSON bodies to the callback URL over one kept-alive connection, reopened after any failure."""

    def __init__(self, url: str, token: str, timeout_s: float) -> None:
        parts = urlsplit(url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or ""
        self._port = parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._timeout = timeout_s
        self._headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "User-Agent": f"tailrun-runner/{__version__}",
        }
        self._conn: http.client.HTTPConnection | None = None

    def post(self, body: bytes) -> Answer:
        """Send ``body``; raise ``OSError`` or ``http.client.HTTPException`` when no answer came back.

        A kept-alive connection that the server closed while idle fails on first use; that is no failure of the
        callback, so the request goes once more on a new connection at once (a server that did get it acks the
        duplicate).
        """
        if self._conn is not None:
            try:
                return self._exchange(self._conn, body)
            except _STALE_CONNECTION as exc:
                logger.info("kept-alive connection was closed (%r); reconnecting", exc)
        return self._exchange(self._connect(), body)

    def _exchange(self, conn: http.client.HTTPConnection, body: bytes) -> Answer:
        try:
            conn.request("POST", self._path, body=body, headers=self._headers)
            response = conn.getresponse()
            data = response.read()
        except BaseException:
            self.close()
            raise
        if response.will_close:
            self.close()
        return Answer(status=response.status, retry_after=response.getheader("Retry-After"), body=data)

    def close(self) -> None:
        """Drop the connection; the next ``post`` opens a new one."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connect(self) -> http.client.HTTPConnection:
        cls = _HTTPSConnection if self._https else _HTTPConnection
        self._conn = cls(self._host, self._port, timeout=self._timeout)
        return self._conn


class _HTTPConnection(http.client.HTTPConnection):
    """An HTTP connection with Nagle's algorithm off: each message is one write and must leave at once."""

    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _HTTPSConnection(http.client.HTTPSConnection):
    """``_HTTPConnection`` over TLS (the socket option is set on the TCP socket under the TLS layer)."""

    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded in total time per message."""

    base_s: float
    cap_s: float
    budget_s: float

    def backoff(self, failures: int, rng: Callable[[], float] = random.random) -> float:
        """The wait before the next try after ``failures`` failed tries (1 or more)."""
        return rng() * min(self.cap_s, self.base_s * 2 ** (failures - 1))


class Courier:
    """Delivers messages one at a time, resending each unchanged until an answer decides its fate."""

    def __init__(
        self,
        transport: Transport,
        policy: RetryPolicy,
        *,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._transport = transport
        self._policy = policy
        self._sleep = sleep
        self._monotonic = monotonic
        self.requests = 0

    def deliver(self, seq: int, body: bytes) -> Result:
        """POST ``body`` (message ``seq``) until it is acknowledged, refused, or the retry budget is spent."""
        failures = 0
        first_failure = 0.0
        while True:
            result, retry_after = self._try_once(seq, body)
            if result is not None:
                return result
            now = self._monotonic()
            failures += 1
            if failures == 1:
                first_failure = now
            remaining = self._policy.budget_s - (now - first_failure)
            if remaining <= 0:
                return Result(Outcome.GAVE_UP, detail=f"gave up after {failures} tries")
            delay = max(self._policy.backoff(failures), retry_after or 0.0)
            self._sleep(min(delay, remaining))

    def _try_once(self, seq: int, body: bytes) -> tuple[Result | None, float | None]:
        """One POST: a final result, or (None, the Retry-After delay if any) when it should be retried."""
        self.requests += 1
        try:
            answer = self._transport.post(body)
        except (OSError, http.client.HTTPException) as exc:
            logger.warning("callback unreachable for seq %d: %r; will retry", seq, exc)
            return None, None
        status = answer.status
        if 200 <= status < 300:
            return Result(Outcome.ACKED, status, flush_in_s=_read_ack(seq, answer.body)), None
        detail = answer.body[:500].decode("utf-8", "replace")
        if status in (409, 410):
            return Result(Outcome.CANCELED, status, detail), None
        if status in (408, 429) or status >= 500:
            logger.warning("callback answered %d for seq %d; will retry", status, seq)
            return None, retry_after_seconds(answer.retry_after, clock.now())
        return Result(Outcome.REJECTED, status, detail), None


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


def _read_ack(seq: int, body: bytes) -> float | None:
    """An acknowledgement's ``flush_in_ms`` in seconds (bounded to a minute), if it has a valid one.

    An acknowledgement for another message is logged (a server bug worth seeing, but the message did arrive)."""
    try:
        answer = json.loads(body) if body else {}
        ack, flush_in_ms = answer.get("ack", seq), answer.get("flush_in_ms")
    except (ValueError, AttributeError):
        return None
    if ack != seq:
        logger.warning("callback acknowledged seq %r for seq %d", ack, seq)
    if isinstance(flush_in_ms, int | float) and not isinstance(flush_in_ms, bool) and flush_in_ms >= 0:
        return min(float(flush_in_ms), FLUSH_IN_MAX_MS) / 1000
    return None
