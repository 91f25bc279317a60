"""`tailrun dev`: the whole stack on one machine, with no cloud account.

It starts, in order: the embedded Firestore emulator (a child process; data under ``<state>/firestore`` so a
restart loses nothing; or Google's emulator, ``--firestore-emulator google``, in memory; or it uses one already
running, ``--firestore-emulator HOST:PORT``), with ``infra/firestore.rules`` loaded into it whichever it is, so
that the job viewer reads under production's rules; ``gcp-storage-emulator`` (a child process, in memory, with the artifacts bucket), the HTTP
functions on one server at ``/<function name>`` (in this process; the functions' local launcher runs each job's
runner as a child process), and a scheduler loop that calls ``reap_sandboxes`` on an interval, as Cloud Scheduler
does in the cloud. It then serves ``GET /_tailrun/config`` to loopback clients, which is how the CLI finds the
emulators and the state directory; the CLI reads the development token from the directory's owner-only
``dev_token`` file, never over HTTP. The server answers only its own names and pages (``functions_server.serve``),
the Listen front (``firestore_emulator.webchannel``) requires the token (``access``) and listens as the user it
stands for (``schema.DEV_USER``), so the emulator's rules decide each target, and the process is made non-dumpable (Linux), so that a job of the same user cannot read the token from its memory or environment.
The job viewer's link, printed once at start, carries the token in its fragment (never sent to the server).

With ``--auth-emulator`` it also starts the Firebase Auth emulator of npm ``firebase-tools``
(``tailrun.local.auth_emulator``) for the stack's project, so that several people can sign in (`tailrun login`, the
web app): the functions are told of it (``FIREBASE_AUTH_EMULATOR_HOST``) and accept its unsigned ID tokens beside
the development token, the Listen front admits them as their ``sub``, and ``dev.json`` and the discovery endpoint
name it (``auth_emulator``, HOST:PORT, and the ``api_key`` clients send it: any string works on the emulator).
Anyone who can reach the stack's loopback port can create an account on an Auth emulator, and a signed-in user
runs commands on this machine as the stack's user: start it only where every local user is trusted with that.

One stack per state directory: an exclusive ``flock`` on ``<state>/dev.lock`` (released by the kernel even if the
process dies) refuses a second start with a sentence naming the first; a busy port is reported the same way.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import requests
from tailrun_functions import services
from tailrun_functions.schema import DEV_USER, LOCAL_BUCKET, LOCAL_PROJECT
from tailrun_functions.settings import Settings
from werkzeug.serving import BaseWSGIServer

from firestore_emulator.webchannel import ListenBridge
from tailrun import settings
from tailrun.errors import StackAlreadyRunning, TailrunError
from tailrun.local import auth_emulator
from tailrun.local.access import DevAccess
from tailrun.local.functions_server import create_app, load_http_functions, serve

logger = logging.getLogger(__name__)

# the job viewer (index.html + the bundled bundle/viewer.js)
WEB_DIR = Path(__file__).resolve().parents[2] / "web"
# production's security rules, which the stack's Firestore emulator enforces for the viewer too
RULES_FILE = Path(__file__).resolve().parents[2] / "infra" / "firestore.rules"
GOOGLE_EMULATOR = "google"  # --firestore-emulator google: start Google's emulator instead of the embedded one


@dataclass(frozen=True)
class DevOptions:
    """How to run the local stack; a port of 0 means any free port."""

    host: str = settings.DEFAULT_HOST
    port: int = settings.DEFAULT_PORT
    firestore_port: int = 0
    storage_port: int = 0
    state_dir: Path = Path(settings.STATE_DIR)
    reap_interval_s: float = settings.REAP_INTERVAL_S
    in_memory: bool = False
    # instead of the embedded Firestore emulator: "google" (start Google's), or HOST:PORT of a running one
    external_firestore: str | None = None
    auth_emulator: bool = (
        False  # start the Firebase Auth emulator (firebase-tools) for several signed-in people
    )
    auth_emulator_port: int = 0


@dataclass
class Addresses:
    """Where each part of a running stack listens."""

    url: str = ""
    firestore: str = ""
    storage: str = ""
    auth_emulator: str = ""  # HOST:PORT of the Firebase Auth emulator ("" without --auth-emulator)
    # the job viewer's link, with the development token in its fragment (print it, never log it)
    viewer: str = ""


def free_port(host: str) -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_for_port(
    host: str, port: int, timeout_s: float, process: subprocess.Popen[Any] | None = None
) -> None:
    """Block until something accepts connections on ``host:port`` (or fail if ``process`` died first)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise TailrunError(f"a child service exited with code {process.returncode} while starting.")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise TailrunError(f"nothing listened on {host}:{port} after {timeout_s:.0f} s.")


class StateDir:
    """The stack's directory: lock, development token, Firestore data, ``dev.json`` (addresses of the running stack)."""

    def __init__(self, path: Path) -> None:
        self.path = path.resolve()
        self._lock: IO[str] | None = None

    def lock(self) -> None:
        """Take the directory for this process, or explain who holds it."""
        self.path.mkdir(parents=True, exist_ok=True)
        handle = open(self.path / "dev.lock", "a+")  # noqa: SIM115 - held for the life of the stack
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            running = self.running()
            where = f" (pid {running.get('pid')}, {running.get('url')})" if running else ""
            raise StackAlreadyRunning(
                f"A tailrun dev stack is already running from {self.path}{where}. Use it as it is, or stop it "
                "first (Ctrl-C in its terminal) before starting another; a second stack needs its own "
                "--state-dir and --port."
            ) from None
        self._lock = handle

    def unlock(self) -> None:
        """Release the directory (a process that never held it leaves the holder's ``dev.json`` alone)."""
        if self._lock is not None:
            with contextlib.suppress(FileNotFoundError):
                (self.path / "dev.json").unlink()
            self._lock.close()
            self._lock = None

    def running(self) -> dict[str, Any]:
        """What ``dev.json`` says about the stack holding the directory (empty if unknown)."""
        try:
            return dict(json.loads((self.path / "dev.json").read_text()))
        except (OSError, ValueError):
            return {}

    def publish(self, info: dict[str, Any]) -> None:
        """Write ``dev.json`` atomically, for scripts and for a second `tailrun dev`'s message."""
        target = self.path / "dev.json"
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(info, indent=2))
        temporary.replace(target)

    def dev_token(self) -> str:
        """The development bearer token, created once (owner-only file) and kept across restarts."""
        path = self.path / settings.DEV_TOKEN_FILE
        if path.exists():
            # a file from an older version, or loosened by hand, is made owner-only again
            os.chmod(path, 0o600)
            return path.read_text().strip()
        token = secrets.token_urlsafe(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(token)
        return token


class LocalStack:
    """The running parts of `tailrun dev`; ``start()`` then ``stop()`` (which is safe after a partial start)."""

    def __init__(self, options: DevOptions) -> None:
        self.options = options
        self.state = StateDir(options.state_dir)
        self.addresses = Addresses()
        self.token = ""
        self._emulator: Any = None
        self._storage: subprocess.Popen[bytes] | None = None
        self._auth: auth_emulator.AuthEmulator | None = None
        self._server: BaseWSGIServer | None = None
        self._bridge: ListenBridge | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    def start(self) -> Addresses:
        """Start every part; on any failure, stop what started and raise."""
        self.state.lock()
        try:
            make_non_dumpable()
            self._bind_server_socket_check()
            self.token = self.state.dev_token()
            self._start_firestore()
            self._start_storage()
            self._start_auth_emulator()
            self._start_http()
            self._start_reaper()
        except BaseException:
            self.stop()
            raise
        self.state.publish(
            {
                "pid": os.getpid(),
                "url": self.addresses.url,
                "firestore": self.addresses.firestore,
                "storage": self.addresses.storage,
                "project": LOCAL_PROJECT,
                **self._auth_config(),
            }
        )
        return self.addresses

    def _bind_server_socket_check(self) -> None:
        """Refuse early, with a sentence, when the HTTP port is taken."""
        if self.options.port == 0:
            return
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((self.options.host, self.options.port))
            except OSError:
                url = f"http://{self.options.host}:{self.options.port}"
                if _answers_as_tailrun(url):
                    raise StackAlreadyRunning(
                        f"A tailrun stack already answers at {url}. Use it as it is, or stop it before starting "
                        "another (or pick another port with --port)."
                    ) from None
                raise TailrunError(
                    f"Port {self.options.port} on {self.options.host} is in use by another program. "
                    "Pick another with `tailrun dev --port P` and set TAILRUN_URL to match."
                ) from None

    def _start_firestore(self) -> None:
        """Start (or reach) the Firestore emulator, with ``RULES_FILE`` in force for clients."""
        if self.options.external_firestore == GOOGLE_EMULATOR:
            self._start_google_firestore()
        elif self.options.external_firestore:
            self._use_running_firestore(self.options.external_firestore)
        else:
            self._start_embedded_firestore()

    def _start_embedded_firestore(self) -> None:
        from firestore_emulator import Emulator

        data_dir = None if self.options.in_memory else self.state.path / "firestore"
        if data_dir is not None:
            data_dir.mkdir(parents=True, exist_ok=True)
        self._emulator = Emulator(
            self.options.host, self.options.firestore_port, data_dir=data_dir, rules=RULES_FILE
        )
        with sigint_blocked():
            self._emulator.start()
        self.addresses.firestore = str(self._emulator.address)

    def _start_google_firestore(self) -> None:
        """Google's emulator (the JVM), in memory: it keeps no data across restarts."""
        from firestore_emulator.google import GoogleEmulator, unavailable_reason

        reason = unavailable_reason()
        if reason is not None:
            raise TailrunError(
                f"--firestore-emulator google cannot start Google's Firestore emulator: {reason}."
            )
        self._emulator = GoogleEmulator(self.options.host, self.options.firestore_port, rules=str(RULES_FILE))
        try:
            with sigint_blocked():
                self._emulator.start()
        except (RuntimeError, TimeoutError, OSError) as exc:
            self._emulator = None
            raise TailrunError(f"Google's Firestore emulator did not start: {exc}") from None
        self.addresses.firestore = self._emulator.address

    def _use_running_firestore(self, address: str) -> None:
        """Use the emulator at ``address``, loading ``RULES_FILE`` for the stack's project with the REST call both
        emulators serve on their gRPC port (``PUT /emulator/v1/projects/{project}:securityRules``)."""
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise TailrunError(
                f"--firestore-emulator takes HOST:PORT or {GOOGLE_EMULATOR!r}, got {address!r}."
            )
        wait_for_port(host, int(port), settings.STARTUP_TIMEOUT_S)
        body = {"rules": {"files": [{"name": RULES_FILE.name, "content": RULES_FILE.read_text()}]}}
        url = f"http://{address}/emulator/v1/projects/{LOCAL_PROJECT}:securityRules"
        with requests.Session() as session:
            session.trust_env = False  # a local emulator, never through an HTTP(S)_PROXY
            try:
                answer = session.put(url, json=body, timeout=settings.HTTP_TIMEOUT_S)
            except requests.RequestException as exc:
                raise TailrunError(f"could not load the security rules into {address}: {exc}") from None
        if not answer.ok:
            raise TailrunError(
                f"the Firestore emulator at {address} refused the security rules {RULES_FILE} "
                f"(HTTP {answer.status_code}): {answer.text[:500]}"
            )
        self.addresses.firestore = address

    def _start_storage(self) -> None:
        port = self.options.storage_port or free_port(self.options.host)
        # gcp-storage-emulator in memory, with CORS as a deployed bucket has (storage_emulator.py)
        command = [
            sys.executable,
            "-m",
            "tailrun.local.storage_emulator",
            "--host",
            self.options.host,
            "--port",
            str(port),
            "--bucket",
            LOCAL_BUCKET,
        ]
        log = open(self.state.path / "storage-emulator.log", "ab")  # noqa: SIM115 - owned by the child
        with sigint_blocked():
            self._storage = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        log.close()
        wait_for_port(self.options.host, port, settings.STARTUP_TIMEOUT_S, self._storage)
        self.addresses.storage = f"http://{self.options.host}:{port}"

    def _start_auth_emulator(self) -> None:
        if not self.options.auth_emulator:
            return
        port = self.options.auth_emulator_port or free_port(self.options.host)
        self._auth = auth_emulator.AuthEmulator(
            self.options.host, port, LOCAL_PROJECT, self.state.path / "auth-emulator"
        )
        self._auth.start(free_port, wait_for_port)
        self.addresses.auth_emulator = self._auth.address

    def _auth_config(self) -> dict[str, str]:
        """What clients need to sign in on the Auth emulator (nothing secret): its address and an API key."""
        if not self.addresses.auth_emulator:
            return {}
        return {"auth_emulator": self.addresses.auth_emulator, "api_key": auth_emulator.API_KEY}

    def functions_env(self) -> dict[str, str]:
        """The functions' settings for this stack, by the variable names a deployment sets."""
        auth = (
            {"FIREBASE_AUTH_EMULATOR_HOST": self.addresses.auth_emulator}
            if self.addresses.auth_emulator
            else {}
        )
        return {
            **auth,
            "GOOGLE_CLOUD_PROJECT": LOCAL_PROJECT,
            "FIRESTORE_EMULATOR_HOST": self.addresses.firestore,
            "STORAGE_EMULATOR_HOST": self.addresses.storage,
            "TAILRUN_LAUNCHER": "local",
            "TAILRUN_CALLBACK_URL": f"{self.addresses.url}/job_callback",
            "TAILRUN_AUTH": "dev",
            "TAILRUN_DEV_TOKEN": self.token,
            "TAILRUN_BUCKET": LOCAL_BUCKET,
            # each attempt's own directory: the stack's, never the directory it was started in
            "TAILRUN_SANDBOX_ROOT": str((self.state.path / "sandboxes").resolve()),
        }

    def _start_http(self) -> None:
        functions = load_http_functions()
        logger.info("serving functions: %s", ", ".join(sorted(functions)))
        config = {  # nothing secret: the CLI reads the token from <state_dir>/dev_token
            "project": LOCAL_PROJECT,
            "owner": DEV_USER,
            "firestore_emulator_host": self.addresses.firestore,
            "storage_emulator_host": self.addresses.storage,
            "bucket": LOCAL_BUCKET,
            "functions": sorted(functions),
            "state_dir": str(self.state.path),
            **self._auth_config(),
        }
        app = create_app(functions, config=config, config_path=settings.CONFIG_PATH, web_dir=WEB_DIR)
        access = DevAccess(
            self.token,
            uid=DEV_USER,
            auth_emulator_project=LOCAL_PROJECT if self.addresses.auth_emulator else None,
        )
        self._bridge = ListenBridge(self.addresses.firestore, access=access, project=LOCAL_PROJECT)
        self._bridge.register(app)
        self._server = serve(app, self.options.host, self.options.port)
        self.addresses.url = f"http://{self.options.host}:{self._server.server_port}"
        self.addresses.viewer = f"{self.addresses.url}/web/#token={self.token}"
        self._configure_functions()
        self._spawn("tailrun-http", self._server.serve_forever)

    def _start_reaper(self) -> None:
        self._spawn("tailrun-reaper", self._reap_loop)

    def _spawn(self, name: str, target: Any) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _reap_loop(self) -> None:
        """Call ``POST /reap_sandboxes`` with the dev token every interval, as Cloud Scheduler does."""
        url = f"{self.addresses.url}/reap_sandboxes"
        headers = {"Authorization": f"Bearer {self.token}"}
        while not self._stopping.wait(self.options.reap_interval_s):
            try:
                answer = requests.post(url, json={}, headers=headers, timeout=settings.HTTP_TIMEOUT_S)
                logger.debug("reap_sandboxes answered %s: %s", answer.status_code, answer.text[:200])
                if not answer.ok:
                    logger.warning(
                        "reap_sandboxes answered HTTP %s: %s", answer.status_code, answer.text[:200]
                    )
            except requests.RequestException as exc:
                logger.warning("reap_sandboxes could not be called: %s", exc)

    def stop(self) -> None:
        """Stop everything that started, children included, newest first."""
        self._stopping.set()
        if self._server is not None:  # the functions may have launched runners
            self._stop_functions()
        if self._bridge is not None:
            self._bridge.close()
            self._bridge = None
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        for thread in self._threads:
            thread.join(timeout=settings.SHUTDOWN_GRACE_S)
        self._threads.clear()
        if self._auth is not None:
            self._auth.stop()
            self._auth = None
        if self._storage is not None:
            _terminate(self._storage)
            self._storage = None
        if self._emulator is not None:
            self._emulator.stop()
            self._emulator = None
        self.state.unlock()

    def _configure_functions(self) -> None:
        """Give the functions that run in this process this stack's settings (by argument, not os.environ)."""
        services.configure(Settings.from_env(self.functions_env()))

    def _stop_functions(self) -> None:
        """Stop the runners the functions' local launcher started, in the launcher (the one place): SIGTERM, so
        that each delivers what its job printed while the functions still serve, SIGKILL after the grace."""
        services.shutdown(grace_s=settings.SHUTDOWN_GRACE_S)


PR_SET_DUMPABLE = 4  # prctl(2) option


def make_non_dumpable() -> bool:
    """Make this process non-dumpable (Linux): no core dump, and ``/proc/<pid>/mem``, ``environ`` and ptrace are
    closed to processes of the same user (a job), which could otherwise read the development token from this
    process. Children get their own dumpable flag back at exec. False where there is no prctl."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE, 0) failed")
    except (OSError, AttributeError) as exc:
        logger.warning("could not make tailrun dev non-dumpable: %s", exc)
        return False
    return True


@contextlib.contextmanager
def sigint_blocked() -> Iterator[None]:
    """Children started inside inherit a blocked SIGINT (a signal mask survives fork and exec).

    A Ctrl-C in a terminal signals the whole foreground process group. Without this, the emulators would die at
    once, and the runners that `tailrun dev` stops first could not deliver their last lines. With it, only
    `tailrun dev` reacts, and it stops its children in order (each with SIGTERM).
    """
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _terminate(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=settings.SHUTDOWN_GRACE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers_as_tailrun(url: str) -> bool:
    with contextlib.suppress(requests.RequestException):
        return requests.get(url + settings.CONFIG_PATH, timeout=2).status_code == 200
    return False


def run_until_signal(stack: LocalStack, on_ready: Any) -> None:
    """Start ``stack``, call ``on_ready(addresses)``, and stop everything on SIGINT or SIGTERM."""
    stopped = threading.Event()

    def request_stop(signum: int, _frame: Any) -> None:
        logger.info("received %s, stopping", signal.Signals(signum).name)
        stopped.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        on_ready(stack.start())
        while not stopped.wait(0.5):
            pass
    finally:
        stack.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@dataclass
class DevProcess:
    """`tailrun dev` running as a child process (for the demo and the tests)."""

    process: subprocess.Popen[bytes]
    state_dir: Path
    url: str
    log: Path

    def stop(self, timeout_s: float = 30.0) -> int:
        """Ctrl-C it, as a user would, and wait for it to end; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def spawn(
    state_dir: Path, *args: str, env: dict[str, str] | None = None, new_session: bool = False
) -> DevProcess:
    """Start `tailrun dev --port 0 --state-dir STATE ARGS…` and wait until it has published its address.

    Its output goes to ``STATE.log`` beside the state directory; a stack that fails to start raises with that log.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    log = state_dir.with_name(state_dir.name + ".log")
    # owner-only: it shows the viewer's link, with the token
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "tailrun", "dev", "--port", "0", "--state-dir", str(state_dir), *args],
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=new_session,
        )
    info = state_dir / "dev.json"
    # each child service gets STARTUP_TIMEOUT_S; the Auth emulator (Node, ~20 s of CPU to start) gets its own
    timeout_s = settings.STARTUP_TIMEOUT_S + (
        settings.AUTH_EMULATOR_STARTUP_TIMEOUT_S if "--auth-emulator" in args else 0
    )
    deadline = time.monotonic() + timeout_s
    try:
        while not info.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise TailrunError(
                    f"tailrun dev did not start; its output:\n{log.read_text(errors='replace')}"
                )
            time.sleep(0.05)
    except BaseException:  # a timeout, or the caller interrupted: stop what started, its children included
        DevProcess(process, state_dir, "", log).stop(timeout_s=settings.SHUTDOWN_GRACE_S * 3)
        raise
    return DevProcess(process, state_dir, json.loads(info.read_text())["url"], log)
