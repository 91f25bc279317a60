"""Helpers for runner tests: the scenario jobs, and a real HTTP callback receiver that records every request.

``CallbackServer`` is a threaded ``http.server`` on 127.0.0.1 speaking HTTP/1.1 with keep-alive, like the
functions behind a load balancer. Each POST is parsed and passed to the server's ``answer`` policy, which returns a
``Reply``: a status, whether the message counts as received (a failure "after recording" is a message the server
stored but whose answer was lost), or a dropped connection. ``Receiver`` then does what ``job_callback`` does:
dedup by ``seq``, check order and gaps, and rebuild each stream's text.
"""

from __future__ import annotations

import json
import random
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "test-token-0123456789abcdef"
JOBS = Path(__file__).resolve().parent.parent / "scenarios"
RUNNER = Path(sys.executable).with_name("tailrun-runner")


@dataclass
class RunnerProcess:
    """A running ``tailrun-runner``; its own logs (JSON lines) go to ``log_path``."""

    proc: subprocess.Popen[bytes]
    log_path: Path

    def wait(self, timeout: float = 30) -> int:
        return self.proc.wait(timeout)

    def logs(self) -> str:
        return self.log_path.read_text()

    def terminate(self) -> None:
        self.proc.send_signal(signal.SIGTERM)


def job(name: str, *args: object) -> list[str]:
    """The argv of a scenario script under ``tests/scenarios``."""
    return [sys.executable, str(JOBS / f"{name}.py"), *map(str, args)]


@dataclass(frozen=True)
class Reply:
    """How to answer one request. ``record``: the message counts as received. ``drop``: close, no answer.
    ``hang_up``: answer, then close the connection without saying so (as a server closing idle connections)."""

    status: int = 200
    record: bool = True
    drop: bool = False
    hang_up: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # more fields of a 200 answer, beside "ack"
    body: dict[str, Any] | None = None  # the whole 200 answer instead (a claim's answer has no "ack")
    error: dict[str, Any] | None = None  # the ``error`` of an answer that is not 200 (else a stock one)


@dataclass(frozen=True)
class Request:
    """One request as the server saw it, with what it answered."""

    message: dict[str, Any]
    raw: bytes
    authorization: str | None
    received_at: float
    reply: Reply


Policy = Callable[[dict[str, Any]], Reply]


def always_ok(message: dict[str, Any]) -> Reply:
    """Acknowledge everything."""
    return Reply()


def flaky(rate: float, seed: int) -> Policy:
    """Fail ``rate`` of requests: half before recording (503), half after (500 or a dropped connection)."""
    rng = random.Random(seed)
    lock = threading.Lock()

    def answer(message: dict[str, Any]) -> Reply:
        with lock:
            roll = rng.random()
        if roll < rate / 2:
            return Reply(status=503, record=False)
        if roll < rate * 3 / 4:
            return Reply(status=500, record=True)
        if roll < rate:
            return Reply(record=True, drop=True)
        return Reply()

    return answer


class CallbackServer:
    """The recording receiver; ``answer`` may be swapped by a test at any time."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.answer: Policy = always_ok
        # When set, a message (other than a claim) without ``Authorization: Bearer <token>`` is answered 401 and
        # not recorded, as ``job_callback`` checks the attempt's token before anything else.
        self.token: str | None = None
        self.requests: list[Request] = []
        self._lock = threading.Condition()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._scheme = "http"
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
            self._scheme = "https"
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{self._scheme}://{host!s}:{port}/job_callback"

    def start(self) -> CallbackServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)
            self._lock.notify_all()

    def wait_until(self, predicate: Callable[[Receiver], bool], timeout: float = 10.0) -> Receiver:
        """Wait until ``predicate`` holds for what was received; fail the test after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                receiver = Receiver(list(self.requests))
                if predicate(receiver):
                    return receiver
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"timed out; received types {[m['type'] for m in receiver.messages]}"
                    )
                self._lock.wait(remaining)

    def received(self) -> Receiver:
        with self._lock:
            return Receiver(list(self.requests))

    def has_line(self, index: int) -> bool:
        return any(line["line"] == index for line in self.received().lines(check=False))


class Receiver:
    """What ``job_callback`` would have stored from ``requests``: deduplicated by seq, checked for order and gaps."""

    def __init__(self, requests: list[Request]) -> None:
        self.requests = requests
        recorded = [r for r in requests if r.reply.record and "seq" in r.message]  # claims carry no seq
        by_seq: dict[int, Request] = {}
        for request in recorded:
            first = by_seq.setdefault(request.message["seq"], request)
            assert first.raw == request.raw, f"seq {request.message['seq']} was resent with different content"
        self.messages = [by_seq[seq].message for seq in sorted(by_seq)]
        self.duplicates = len(recorded) - len(by_seq)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["type"] == kind]

    def completed(self) -> dict[str, Any]:
        (done,) = self.of_type("completed")
        return done

    def check_seqs(self) -> None:
        """Seq numbers are 0, 1, 2, ... with no gap, ``started`` first and ``completed`` (if any) last."""
        assert [m["seq"] for m in self.messages] == list(range(len(self.messages)))
        assert self.messages[0]["type"] == "started"
        kinds = [m["type"] for m in self.messages]
        assert "completed" not in kinds[:-1]

    def lines(self, *, check: bool = True) -> list[dict[str, Any]]:
        """Every output line in order; with ``check``, line numbers must be 0, 1, 2, ... with no gap."""
        lines = [line for m in self.of_type("output") for line in m["lines"]]
        if check:
            assert [line["line"] for line in lines] == list(range(len(lines)))
        return lines

    def events(self, *, check: bool = True) -> list[dict[str, Any]]:
        """Every event in order; with ``check``, numbered 0, 1, 2, ... with no gap, each message's ``state`` counting
        the events up to its last one, and each ``at_line`` no more than the lines delivered up to its message."""
        events: list[dict[str, Any]] = []
        lines = 0
        for message in self.of_type("output"):
            lines += len(message["lines"])
            batch = message.get("events", [])
            # a message with events carries the state, and so does every message after the first event (a batch of
            # lines alone then says how many events came before it); none before
            assert ("state" in message) == bool(batch or events), message
            if check and batch:
                assert message["state"]["events"] == len(events) + len(batch)
                assert all(event["at_line"] <= lines for event in batch)
            events.extend(batch)
        if check:
            assert [event["event"] for event in events] == list(range(len(events)))
        return events

    def state(self) -> dict[str, Any] | None:
        """The ``state`` of the last output message that carried one."""
        states = [m["state"] for m in self.of_type("output") if "state" in m]
        return states[-1] if states else None

    def text(self, stream: str) -> str:
        """A stream rebuilt from its lines: each complete line ends with a newline, a partial one does not."""
        return "".join(
            line["text"] + ("" if line.get("partial") else "\n")
            for line in self.lines()
            if line["stream"] == stream
        )


def _handler_for(server: CallbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes; without this, Nagle's algorithm holds the body back until
            # the client's delayed ACK (~40 ms), which would make every request look slow.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            message = json.loads(raw)
            authorization = self.headers.get("Authorization")
            forged = server.token is not None and message.get("type") != "claim"
            if forged and authorization != f"Bearer {server.token}":
                reply = Reply(status=401, record=False)
            else:
                reply = server.answer(message)
            server.record(Request(message, raw, authorization, time.time(), reply))
            if reply.drop:
                self.close_connection = True
                return
            if reply.status != 200:
                payload = {"error": reply.error} if reply.error is not None else _error(reply.status)
            else:
                payload = reply.body if reply.body is not None else {"ack": message.get("seq"), **reply.extra}
            try:
                self._send(reply.status, payload, reply)
            except (
                BrokenPipeError,
                ConnectionResetError,
            ):  # the runner gave up waiting (its request timed out)
                self.close_connection = True
                return
            self.close_connection = reply.hang_up

        def do_GET(self) -> None:
            """``GET /seen?line=N``: 200 once line N was received, else 404 (jobs use it to wait for delivery)."""
            query = parse_qs(urlsplit(self.path).query)
            seen = server.has_line(int(query["line"][0]))
            self._send(200 if seen else 404, {"seen": seen}, Reply())

        def _send(self, status: int, payload: dict[str, Any], reply: Reply) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def _error(status: int) -> dict[str, Any]:
    return {"error": {"code": str(status), "message": "as the test asked"}}


def self_signed_tls(directory: Path) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context for 127.0.0.1 with a fresh self-signed certificate, and the certificate's path."""
    from datetime import UTC, datetime, timedelta
    from ipaddress import IPv4Address

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context, cert_path
