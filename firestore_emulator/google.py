"""``GoogleEmulator``: Google's own Firestore emulator (the Java one gcloud ships) as a child process.

It is the reference the embedded emulator is held against (the tests), the closest thing to production that runs
offline, and what `tailrun dev --firestore-emulator google` starts instead of the embedded emulator. Debian's
``google-cloud-cli-firestore-emulator`` package holds the jar; it runs on Java 17. It lives in the emulator's
package, not in the tests, because it is a launcher of an emulator; like the rest of the package it imports nothing
of the application.

The jar is run directly with ``java`` (its main class, as the package's ``cloud_firestore_emulator`` script does)
rather than through ``gcloud emulators firestore start`` or that script: both leave the JVM running when only they
are killed. The JVM is started in a session of its own, so ``stop`` ends it and anything it started, and (where
``setpriv`` exists) with a parent-death signal, so a process that is killed outright does not leave it behind
(the signal follows the thread that started it: start it from a thread that outlives it, as fixtures do).

gRPC and the REST admin calls (``PUT …:securityRules``, ``DELETE …/documents``) share one port. The emulator cannot
bind port 0 and report the port it got, so ``port=0`` picks a free port here and retries on another if that one is
taken between the pick and the bind. It keeps its documents in memory only.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

JAR_ENV = "TAILRUN_FIRESTORE_EMULATOR_JAR"  # overrides where the jar is looked for
JAR_CANDIDATES = (
    Path("/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar"),
    Path("/usr/share/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar"),
)
MAIN_CLASS = "com.google.cloud.datastore.emulator.firestore.CloudFirestore"
READY_LINE = "Dev App Server is now running"
INSTALL_HINT = (
    "install Google's Firestore emulator and Java 17: `apt-get install google-cloud-cli-firestore-emulator "
    f"openjdk-17-jre-headless` (or point {JAR_ENV} at cloud-firestore-emulator.jar)"
)
STARTUP_TIMEOUT_SECONDS = 60.0  # a cold JVM on a loaded machine takes several seconds
STOP_TIMEOUT_SECONDS = 10.0
REQUEST_TIMEOUT_SECONDS = 30.0
RESET_TIMEOUT_SECONDS = 90.0  # an abandoned transaction's locks are freed after ~60 s
LOCKED = 409  # HTTP status of ABORTED "Transaction lock timeout." from the REST calls
# HTTP status of CANCELLED "call already cancelled", with which a delete can answer just after a Listen closed
CANCELLED = 499
UNKNOWN = (
    500  # HTTP status of a bare {"code": 500, "status": "UNKNOWN"}, seen from a delete racing a stream's end
)
RETRY_PAUSE_SECONDS = 0.1  # between two tries of a delete answered CANCELLED or UNKNOWN
PORT_ATTEMPTS = 3  # free ports tried when port=0 and another process takes the one picked
PORT_TAKEN = "Address already in use"  # the JVM's BindException, the one start-up failure worth a retry
OUTPUT_LINES_KEPT = 200  # of the emulator's output, quoted when it fails


def find_jar() -> Path | None:
    """The emulator's jar: ``$TAILRUN_FIRESTORE_EMULATOR_JAR``, else where the Debian package puts it."""
    override = os.environ.get(JAR_ENV)
    if override:
        return Path(override) if Path(override).is_file() else None
    return next((path for path in JAR_CANDIDATES if path.is_file()), None)


def unavailable_reason() -> str | None:
    """None when Google's emulator can run here; otherwise what is missing and how to install it."""
    if shutil.which("java") is None:
        return f"no `java` on PATH; {INSTALL_HINT}"
    if find_jar() is None:
        return f"Google's Firestore emulator jar was not found; {INSTALL_HINT}"
    return None


class GoogleEmulator:
    """One Google Firestore emulator; a context manager, or ``start()`` / ``stop()``.

    ``rules`` is a rules file loaded for every project at start (``--rules``); ``set_rules`` loads rules for one
    project later. Without rules the emulator allows every request. Requests with ``Authorization: Bearer owner``
    (what the server client libraries send to an emulator) bypass rules either way.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, rules: str | None = None) -> None:
        self.host = host
        self.port = port
        self.rules = rules
        self.process: subprocess.Popen[str] | None = None
        self._address = ""
        self._output: collections.deque[str] = collections.deque(maxlen=OUTPUT_LINES_KEPT)
        self._ready = threading.Event()  # set by the output reader: the ready line came, or the output ended
        self._said_ready = False
        self._reader: threading.Thread | None = None

    @property
    def address(self) -> str:
        """``host:port`` of gRPC and REST alike, for ``FIRESTORE_EMULATOR_HOST``."""
        if not self._address:
            raise RuntimeError("Google's Firestore emulator is not running; call start() first")
        return self._address

    @property
    def http_address(self) -> str:
        """The REST admin address: the gRPC port (as ``Emulator.http_address`` is for the embedded emulator)."""
        return self.address

    def start(self) -> GoogleEmulator:
        """Start the JVM and return once the emulator says it is running (it has bound its port)."""
        reason = unavailable_reason()
        if reason is not None:
            raise RuntimeError(reason)
        tries_left = 1 if self.port else PORT_ATTEMPTS
        while True:
            tries_left -= 1
            try:
                self._start_on(self.port or _free_port(self.host))
                return self
            except _ExitedDuringStartup:
                if tries_left == 0 or PORT_TAKEN not in self.output():
                    raise

    def stop(self) -> None:
        """End the emulator's JVM (its whole session: SIGTERM, then SIGKILL if it lingers)."""
        process, self.process = self.process, None
        self._address = ""
        if process is None:
            return
        _end_session(process)
        if self._reader is not None:
            self._reader.join(STOP_TIMEOUT_SECONDS)
            self._reader = None
        if process.stdout is not None:
            process.stdout.close()

    def set_rules(self, source: str, project: str) -> None:
        """Load security rules (their source text) for one project; a rules error raises with the compiler's text."""
        body = {"rules": {"files": [{"name": "firestore.rules", "content": source}]}}
        self._request("PUT", f"/emulator/v1/projects/{project}:securityRules", body)

    def reset(self, project: str) -> None:
        """Delete every document of the project's default database.

        The delete waits for document locks, and a transaction left open (a test that began one and never ended
        it) keeps its locks until Google's emulator expires it, about 60 s later: each try waits ~2 s for the
        locks and answers ABORTED ``Transaction lock timeout.``, so tries go on until ``RESET_TIMEOUT_SECONDS``. A
        delete right after a Listen was cancelled can answer CANCELLED ``call already cancelled``, and one racing a
        stream's end a bare 500 ``UNKNOWN``: both are tried again too, after a pause.
        """
        deadline = time.monotonic() + RESET_TIMEOUT_SECONDS
        while True:
            try:
                self._request("DELETE", f"/emulator/v1/projects/{project}/databases/(default)/documents")
                return
            except _Refused as refused:
                if refused.status not in (LOCKED, CANCELLED, UNKNOWN) or time.monotonic() > deadline:
                    raise
                if refused.status in (CANCELLED, UNKNOWN):
                    time.sleep(RETRY_PAUSE_SECONDS)  # polling until the deadline, not waiting for one event

    def output(self) -> str:
        """The emulator's last lines of output, for a failure message."""
        return "\n".join(self._output)

    def __enter__(self) -> GoogleEmulator:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def _command(self, port: int) -> list[str]:
        jar = find_jar()
        java = shutil.which("java")
        assert jar is not None and java is not None  # unavailable_reason() said so
        command = [
            java,
            "-Duser.language=en",
            "-cp",
            str(jar),
            MAIN_CLASS,
            "--host",
            self.host,
            "--port",
            str(port),
        ]
        if self.rules is not None:
            command += ["--rules", self.rules]
        setpriv = shutil.which("setpriv")
        return [setpriv, "--pdeathsig", "KILL", *command] if setpriv else command

    def _start_on(self, port: int) -> None:
        self._output.clear()
        self._ready.clear()
        self._said_ready = False
        self.process = subprocess.Popen(
            self._command(port),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            cwd=tempfile.gettempdir(),  # the emulator writes nothing, but never into the repository if it did
        )
        self._reader = threading.Thread(target=self._read_output, name="google-firestore-output", daemon=True)
        self._reader.start()
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        self._address = f"{self.host}:{port}"

    def _read_output(self) -> None:
        """Keep the last lines of the emulator's output (so its pipe never fills) and notice the ready line."""
        process = self.process
        assert process is not None and process.stdout is not None
        for line in process.stdout:
            self._output.append(line.rstrip("\n"))
            if READY_LINE in line:
                self._said_ready = True
                self._ready.set()
        self._ready.set()  # the output ended: the process is exiting; the waiter checks which

    def _wait_until_ready(self) -> None:
        process = self.process
        assert process is not None
        if not self._ready.wait(STARTUP_TIMEOUT_SECONDS):
            raise TimeoutError(
                f"Google's Firestore emulator did not start within {STARTUP_TIMEOUT_SECONDS} s:\n{self.output()}"
            )
        if not self._said_ready:  # its output ended first: it is exiting (a taken port, a bad rules file)
            process.wait(STOP_TIMEOUT_SECONDS)
            raise _ExitedDuringStartup(
                f"Google's Firestore emulator exited during start-up (code {process.poll()}):\n{self.output()}"
            )
        # The ready line comes once the server has bound its port, so from here connections are accepted.

    def _request(self, method: str, path: str, body: object | None = None) -> None:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"http://{self.address}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with _DIRECT.open(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
                response.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            raise _Refused(error.code, f"{method} {path} answered {error.code}: {detail}") from None


class _Refused(RuntimeError):
    """The emulator answered a REST call with an HTTP error; ``status`` is its code."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _ExitedDuringStartup(RuntimeError):
    """The JVM ended before it served (for an auto-picked port, most likely because the port was taken)."""


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through an HTTP(S)_PROXY


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def _end_session(process: subprocess.Popen[str]) -> None:
    """SIGTERM the process's session (the JVM and anything it forked), then SIGKILL it if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(STOP_TIMEOUT_SECONDS)
