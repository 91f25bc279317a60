"""``Emulator``: start, address, reset, stop. The Python API that test fixtures and the local stack use.

By default the server runs in a child process (``python -m firestore_emulator``): a test that freezes time with
freezegun, or monkeypatches anything, affects only its own process, never the server; ``stop`` (or the parent
dying, which closes the child's stdin) ends it. ``in_process=True`` runs it on a background thread instead, which
starts faster and is what a benchmark that wants no process boundary may prefer.

``rules`` (a file's path, or the rules' source text) are enforced for clients of every project from the start; a
source that does not compile fails ``start``.
"""

from __future__ import annotations

import asyncio
import os
import selectors
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from firestore_emulator.cli import READY_PREFIX, load_rules
from firestore_emulator.rules import Ruleset
from firestore_emulator.server import EmulatorServer
from firestore_emulator.transactions import LOCK_WAIT_SECONDS

STARTUP_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 5.0


class Emulator:
    """One emulator instance; use as a context manager or ``start()``/``stop()``."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        data_dir: str | Path | None = None,
        *,
        http_port: int | None = None,
        in_process: bool = False,
        lock_wait: float | None = None,
        rules: str | Path | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.http_port = http_port
        self.in_process = in_process
        self.lock_wait = lock_wait  # seconds; None: the server's default
        self.rules = rules
        self._rules_file: tempfile._TemporaryFileWrapper[str] | None = (
            None  # rules given as source, for the child
        )
        self.process: subprocess.Popen[bytes] | None = None
        self._address = ""
        self._http_address = ""
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: EmulatorServer | None = None

    @property
    def address(self) -> str:
        """``host:port`` of the gRPC server, for ``FIRESTORE_EMULATOR_HOST``."""
        if not self._address:
            raise RuntimeError("the emulator is not running; call start() first")
        return self._address

    @property
    def http_address(self) -> str:
        """``host:port`` of the admin HTTP server."""
        if not self._http_address:
            raise RuntimeError("the emulator is not running; call start() first")
        return self._http_address

    def start(self) -> Emulator:
        """Start the server and wait until it accepts connections."""
        if self.rules is not None:
            self._write_rules_file(self.rules)
        if self.in_process:
            self._start_thread()
        else:
            self._start_process()
        return self

    def stop(self) -> None:
        """Stop the server (the child is terminated, then killed if it does not exit promptly)."""
        if self.process is not None:
            _end_process(self.process)
            self.process = None
        if self._loop is not None and self._server is not None:
            asyncio.run_coroutine_threadsafe(self._server.stop(), self._loop).result(STOP_TIMEOUT_SECONDS)
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(STOP_TIMEOUT_SECONDS)
            self._loop.close()
            self._loop = self._server = self._thread = None
        if self._rules_file is not None:
            self._rules_file.close()
            self._rules_file = None
        self._address = self._http_address = ""

    def reset(self, project: str | None = None, database: str | None = None) -> None:
        """Delete every document of a project's databases (of one database; of everything when both are None)."""
        url = f"http://{self.http_address}/emulator/v1/projects/{project or '-'}/databases/{database or '-'}/documents"
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via an HTTP(S)_PROXY
        with direct.open(urllib.request.Request(url, method="DELETE"), timeout=10) as response:
            response.read()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def _command(self) -> list[str]:
        command = [sys.executable, "-m", "firestore_emulator", "--host", self.host, "--port", str(self.port)]
        if self.data_dir is not None:
            command += ["--data-dir", str(self.data_dir)]
        if self.http_port is not None:
            command += ["--http-port", str(self.http_port)]
        if self.lock_wait is not None:
            command += ["--lock-wait", str(self.lock_wait)]
        if self._rules_file is not None:
            command += ["--rules", self._rules_file.name]
        return [*command, "--exit-with-stdin"]

    def _write_rules_file(self, rules: str | Path) -> None:
        """Check the rules (a compile error raises ``RulesSyntaxError`` here) and copy them to a file the server
        reads, so the rules given as a path may change afterwards without effect, as with source text."""
        looks_like_path = isinstance(rules, Path) or ("{" not in rules and Path(rules).is_file())
        source = Path(rules).read_text() if looks_like_path else str(rules)
        Ruleset(source)
        self._rules_file = tempfile.NamedTemporaryFile("w", suffix=".rules")  # noqa: SIM115 - kept until stop()
        self._rules_file.write(source)
        self._rules_file.flush()

    def _start_process(self) -> None:
        env = dict(os.environ)
        env.pop("FIRESTORE_EMULATOR_HOST", None)
        self.process = subprocess.Popen(
            self._command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, close_fds=True
        )
        try:
            line = _read_ready_line(self.process)
        except BaseException:
            _end_process(self.process)
            self.process = None
            raise
        fields = dict(part.split("=", 1) for part in line[len(READY_PREFIX) :].split())
        self._address, self._http_address = fields["grpc"], fields["http"]

    def _start_thread(self) -> None:
        loop = asyncio.new_event_loop()
        lock_wait = LOCK_WAIT_SECONDS if self.lock_wait is None else self.lock_wait
        rules = load_rules(Path(self._rules_file.name) if self._rules_file is not None else None)
        server = EmulatorServer(self.host, self.port, self.data_dir, self.http_port, lock_wait, rules)
        thread = threading.Thread(target=loop.run_forever, name="firestore-emulator", daemon=True)
        thread.start()
        asyncio.run_coroutine_threadsafe(server.start(), loop).result(STARTUP_TIMEOUT_SECONDS)
        self._loop, self._server, self._thread = loop, server, thread
        self._address, self._http_address = server.address, server.http_address


def _read_ready_line(process: subprocess.Popen[bytes]) -> str:
    """Wait for the child's ready line; fail if it exits or stays silent too long."""
    assert process.stdout is not None
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    buffered = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=max(deadline - time.monotonic(), 0)):
                continue
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"the Firestore emulator exited during start-up (code {process.wait()})")
            buffered += chunk
            for line in buffered.decode(errors="replace").splitlines():
                if line.startswith(READY_PREFIX):
                    return line
    raise TimeoutError(f"the Firestore emulator did not start within {STARTUP_TIMEOUT_SECONDS} s")


def _end_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()
