"""The `tailrun` command run as a user would, against one stack."""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import shutil
import signal
import subprocess
import sys
import termios
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tailrun.local.dev import DevProcess, spawn

TAILRUN = [sys.executable, "-m", "tailrun"]


def cli_env(url: str) -> dict[str, str]:
    """The environment of a user who only set TAILRUN_URL."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TAILRUN_", "FIRESTORE_", "STORAGE_EMULATOR", "GOOGLE_CLOUD_PROJECT"))
    }
    env["TAILRUN_URL"] = url
    return env


def start_dev(
    state_dir: Path,
    *extra: str,
    persistent: bool = False,
    own_group: bool = False,
    env: dict[str, str] | None = None,
) -> DevProcess:
    """A real `tailrun dev` child process on free ports (in memory unless ``persistent``; in a process group of
    its own, as a terminal's foreground job is, with ``own_group``; ``env`` added to its environment).

    Under ``TAILRUN_TEST_FIRESTORE=google`` the stack runs on Google's emulator (``--firestore-emulator google``)
    unless the test names its own emulator or needs data that outlives the stack (Google's keeps none)."""
    on_google = (
        os.environ.get("TAILRUN_TEST_FIRESTORE") == "google"
        and not persistent
        and "--firestore-emulator" not in extra
    )
    return spawn(
        state_dir,
        *([] if persistent else ["--in-memory"]),
        *(["--firestore-emulator", "google"] if on_google else []),
        *extra,
        env={**cli_env("unused"), **(env or {})},
        new_session=own_group,
    )


@dataclass
class Cli:
    """Runs `tailrun …` as a user would, against one stack."""

    url: str

    def __call__(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*TAILRUN, *args], capture_output=True, text=True, timeout=timeout, env=cli_env(self.url)
        )

    def popen(
        self, *args: str, interruptible: bool = False, stdin: int | None = None
    ) -> subprocess.Popen[str]:
        """Start `tailrun …` in the background; ``interruptible`` undoes an inherited "ignore SIGINT"; ``stdin``
        as for ``subprocess.Popen`` (default: the test runner's)."""
        return subprocess.Popen(
            [*TAILRUN, *args],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(self.url),
            preexec_fn=default_sigint if interruptible else None,
        )


def default_sigint() -> None:
    """In a child before exec: let SIGINT interrupt it even if the test runner's shell ignores SIGINT."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Terminal:
    """`tailrun …` on a pseudo-terminal of its own, typed at as a person would (Ctrl-C included)."""

    def __init__(self, process: subprocess.Popen[bytes], master: int) -> None:
        self.process = process
        self.master = master
        self.output = ""

    @classmethod
    def spawn(cls, cli: Cli, *args: str) -> Terminal:
        master, slave = os.openpty()

        def become_terminal_owner() -> None:
            default_sigint()
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        env = {**cli_env(cli.url), "TERM": "xterm", "COLUMNS": "100"}
        process = subprocess.Popen(
            [*TAILRUN, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            preexec_fn=become_terminal_owner,
        )
        os.close(slave)
        return cls(process, master)

    def read_until(self, text: str, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while text not in self.output:
            ready, _, _ = select.select([self.master], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise AssertionError(f"{text!r} did not appear; the terminal shows:\n{self.output}")
            try:
                self.output += os.read(self.master, 65536).decode(errors="replace")
            except OSError:  # the process ended and closed the terminal
                raise AssertionError(f"{text!r} did not appear; the terminal shows:\n{self.output}") from None

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def wait(self, timeout_s: float = 30) -> int:
        """Read everything until the process ends; its exit code."""
        deadline = time.monotonic() + timeout_s
        while self.process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.output += os.read(self.master, 65536).decode(errors="replace")
                except OSError:
                    break
        code = self.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        os.close(self.master)
        return code


@contextlib.contextmanager
def job_with_files(cli: Cli, files: dict[str, str], patterns: list[str]) -> Iterator[tuple[str, str]]:
    """A detached job that writes ``files`` (name → text) into a new folder and keeps those matching ``patterns``
    (relative to that folder) as artifacts; yields the job id and the folder's name, then removes the folder.

    The folder is relative to the job's working directory: the stack's (the test's) on main's local stack, which
    is why it is removed afterwards, or the job's own fresh directory once each local job gets one (issue 11)."""
    folder = Path.cwd() / f".tailrun-test-{uuid.uuid4().hex[:8]}"
    script = f"import pathlib; d = pathlib.Path({folder.name!r}); d.mkdir()\n" + "".join(
        f"(d / {name!r}).write_text({text!r})\n" for name, text in files.items()
    )
    flags = [arg for pattern in patterns for arg in ("-a", f"{folder.name}/{pattern}")]
    try:
        answer = cli("run", "--detach", *flags, "--", sys.executable, "-c", script)
        assert answer.returncode == 0, answer.stderr
        yield answer.stdout.strip(), folder.name
    finally:
        shutil.rmtree(folder, ignore_errors=True)
