"""Deliver one message to the callback: POST its bytes, and resend the very same bytes until an answer decides.

Answers and what they mean:

- 2xx: acknowledged (``{"ack": seq}``, also for a duplicate), the next message may go. ``flush_in_ms`` in it
  says the callback holds something for watchers that a message after that many milliseconds will write: the
  runner then sends a heartbeat by that time if nothing else goes.
- 409 (superseded attempt) or 410 (the job ended or was canceled): the server takes nothing more; ``CANCELED``.
- 408, 429, 5xx, network errors and timeouts: retried under the runner's one retry policy (``retry``: backoff
  with full jitter, ``Retry-After`` honoured, at most ``TAILRUN_RETRY_MAX_S`` per message); then ``GAVE_UP``.
- Any other 4xx (400 malformed, 401 bad token, 413 too large, ...): retrying cannot help; ``REJECTED``.
"""

from __future__ import annotations

import enum
import http.client
import json
import logging
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from tailrun_runner import __version__, defaults
from tailrun_runner.retry import Answer, GaveUp, Retrier

logger = logging.getLogger(__name__)

# How a kept-alive connection that the server closed while idle fails on its next use.
_STALE_CONNECTION = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class Outcome(enum.StrEnum):
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
        return Answer(response.status, data, response.getheader("Retry-After"))

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


class Courier:
    """Delivers messages one at a time, resending each unchanged until an answer decides its fate."""

    def __init__(self, transport: Transport, retrier: Retrier) -> None:
        self._transport = transport
        self._retrier = retrier

    @property
    def requests(self) -> int:
        """How many POSTs went so far, retries included."""
        return self._retrier.requests

    def deliver(self, seq: int, body: bytes) -> Result:
        """POST ``body`` (message ``seq``) until it is acknowledged, refused, or the retry budget is spent."""
        try:
            answer = self._retrier.run(f"the callback, seq {seq}", lambda: self._transport.post(body))
        except GaveUp as exc:
            return Result(Outcome.GAVE_UP, detail=str(exc))
        status = answer.status
        if 200 <= status < 300:
            return Result(Outcome.ACKED, status, flush_in_s=_read_ack(seq, answer.body))
        if status in (409, 410):
            return Result(Outcome.CANCELED, status, answer.detail())
        return Result(Outcome.REJECTED, status, answer.detail())


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
        return min(float(flush_in_ms), defaults.FLUSH_IN_MAX_MS) / 1000
    return None
