"""The Firebase Auth emulator (npm ``firebase-tools``) as a child of `tailrun dev --auth-emulator`.

The emulator is JavaScript and runs offline: ``firebase emulators:start --only auth --project <the stack's project>``
with a ``firebase.json`` written here (the auth port, the emulator hub's and logging's ports, all free ports, so two
stacks never collide; no UI). Its ID tokens are unsigned JWTs for that project (``aud``, ``iss``), which the stack's
functions accept because ``tailrun dev`` sets ``FIREBASE_AUTH_EMULATOR_HOST`` on them, and which its Listen front
admits as their ``sub`` (``tailrun.local.access``). Its REST API is Google's, under the emulator's address:
``http://HOST:PORT/identitytoolkit.googleapis.com/v1/accounts:signUp|signInWithPassword|lookup?key=…`` and
``http://HOST:PORT/securetoken.googleapis.com/v1/token?key=…`` (any API key is accepted).

It is started in a process group of its own with SIGINT blocked (a Ctrl-C in the terminal reaches `tailrun dev`
only, which stops it in order) and stopped with SIGTERM, which firebase-tools answers with a clean shutdown of the
hub, logging and auth servers; after ``SHUTDOWN_GRACE_S`` the whole group is killed. Offline, the CLI's network
look-ups (its message of the day, the credentials probe of a non-``demo-`` project) fail fast and are harmless;
the environment given to it turns off what can be turned off (``CI``, the update notifier, the metadata server
probe) and keeps its own configuration store in the stack's directory, not the user's.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import requests

from tailrun import settings
from tailrun.errors import TailrunError

# where `make node-deps` installs firebase-tools (tailrun/local/firebase/package.json)
PACKAGE_DIR = Path(__file__).resolve().parent / "firebase"
FIREBASE_BIN = PACKAGE_DIR / "node_modules" / ".bin" / "firebase"
API_KEY = "fake-api-key"  # the Auth emulator accepts any API key; clients must send one


def firebase_command() -> Path | None:
    """The firebase-tools CLI: the one `make node-deps` installed, else one on PATH; None when neither exists."""
    if FIREBASE_BIN.exists():
        return FIREBASE_BIN
    found = shutil.which("firebase")
    return Path(found) if found else None


def unavailable_reason() -> str | None:
    """Why the Auth emulator cannot start here (None when it can)."""
    if shutil.which("node") is None:
        return "Node.js is not installed (the Auth emulator of firebase-tools is JavaScript)"
    if firebase_command() is None:
        return f"firebase-tools is not installed: run `make node-deps` (it installs it into {PACKAGE_DIR})"
    return None


PR_SET_PDEATHSIG = 1  # prctl(2) option


def _die_with_parent() -> None:
    """In the child before exec (Linux): SIGKILL when `tailrun dev` dies, even by SIGKILL, so that no emulator
    outlives its stack in its own process group."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class AuthEmulator:
    """One Firebase Auth emulator for ``project`` on ``host:port``, its files under ``directory``."""

    def __init__(self, host: str, port: int, project: str, directory: Path) -> None:
        self.host = host
        self.port = port
        self.project = project
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        """HOST:PORT, as ``FIREBASE_AUTH_EMULATOR_HOST`` takes it."""
        return f"{self.host}:{self.port}"

    def start(self, free_port: Any, wait_for_port: Any) -> None:
        """Write its configuration, start it, and wait until it accepts connections (or raise with its log)."""
        reason = unavailable_reason()
        if reason is not None:
            raise TailrunError(f"--auth-emulator cannot start the Firebase Auth emulator: {reason}.")
        command = firebase_command()
        assert command is not None
        self.directory.mkdir(parents=True, exist_ok=True)
        config = {
            "emulators": {
                "auth": {"host": self.host, "port": self.port},
                "hub": {"host": self.host, "port": free_port(self.host)},
                "logging": {"host": self.host, "port": free_port(self.host)},
                "ui": {"enabled": False},
                "singleProjectMode": True,
            }
        }
        config_file = self.directory / "firebase.json"
        config_file.write_text(json.dumps(config, indent=2))
        env = {
            **os.environ,
            "CI": "1",  # no message-of-the-day fetch, no prompts
            "NO_UPDATE_NOTIFIER": "1",
            "METADATA_SERVER_DETECTION": "none",  # google-auth-library: do not probe the GCE metadata server
            "XDG_CONFIG_HOME": str(self.directory / "config"),  # its configstore, not the user's
            "TMPDIR": str(
                self.directory / "tmp"
            ),  # its hub's locator file (one per project): this stack's only
        }
        (self.directory / "tmp").mkdir(exist_ok=True)
        log_path = self.directory / "auth-emulator.log"
        log = open(log_path, "ab")  # noqa: SIM115 - owned by the child
        argv = [str(command), "emulators:start", "--only", "auth", "--project", self.project]
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self.process = subprocess.Popen(
                [*argv, "--config", str(config_file)],
                cwd=self.directory,  # its firebase-debug.log lands here
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
            log.close()
        try:
            wait_for_port(self.host, self.port, settings.AUTH_EMULATOR_STARTUP_TIMEOUT_S, self.process)
            self._wait_until_it_answers()
        except TailrunError as exc:
            self.stop()
            tail = log_path.read_text(errors="replace")[-2000:]
            raise TailrunError(
                f"the Firebase Auth emulator did not start ({exc}); its log:\n{tail}"
            ) from None

    def _wait_until_it_answers(self) -> None:
        """Until its REST API answers: firebase-tools listens on each port a moment to check that it is free before
        it starts, so a connection alone can be that check's, not the emulator's."""
        url = f"http://{self.address}/emulator/v1/projects/{self.project}/config"
        deadline = time.monotonic() + settings.AUTH_EMULATOR_STARTUP_TIMEOUT_S
        with requests.Session() as session:
            session.trust_env = False  # loopback, never through a proxy
            while time.monotonic() < deadline:
                if self.process is None or self.process.poll() is not None:
                    raise TailrunError("the Firebase Auth emulator exited while starting")
                with contextlib.suppress(requests.RequestException):
                    if session.get(url, timeout=2).ok:
                        return
                time.sleep(0.1)
        raise TailrunError(f"the Firebase Auth emulator did not answer at {url}")

    def stop(self) -> None:
        """SIGTERM (firebase-tools shuts its servers down cleanly), then SIGKILL to its process group after the
        grace; safe to call twice or after a failed start."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=settings.SHUTDOWN_GRACE_S)
        # whatever it left in its group (it starts no children for auth alone, but a future version might)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
