"""The job's process: spawned as the leader of its own process group, waited for, and stopped as a group.

The job gets a process group of its own (its pid is the group id) inside the runner's session: SIGTERM and
SIGKILL to the group reach everything the job started (shells, pipelines, workers) and nothing of the runner, and
a launcher that started the runner as a session leader can kill every process whose session id is the runner's
pid once it sees the runner exit (the job's group, and what it left behind, unless a process made a session of
its own). The job's main process also dies with the runner (``PR_SET_PDEATHSIG``, see ``sandbox``), and holds no
capability.

With ``tty`` (``TAILRUN_TTY``) the job's stdout and stderr are both the slave side of one pseudo-terminal
(``os.openpty``), as Buildkite runs every job: ``isatty(1)`` and ``isatty(2)`` are true, so programs line-buffer
and colour their output as in a terminal, and what the job writes to fd 1 and fd 2 comes out of the master in
exactly the order written, as one stream (reported as ``stdout``). Details:

- stdin stays ``/dev/null``: nobody types into the job, and a program that reads its input (a prompt, ``[y/N]``,
  a REPL) gets end-of-file at once instead of waiting on a terminal until its timeout.
- ``TERM`` is ``xterm-256color`` and ``PAGER``/``GIT_PAGER`` are ``cat`` unless the job sets them
  (``defaults.TTY_ENV``): a pager on a terminal would wait for keys.
- The slave's output processing is off (``OPOST``/``ONLCR`` cleared): ``\n`` stays ``\n`` instead of becoming
  ``\r\n``, which the reader would take for a ``\r`` rewrite. The window is ``TTY_COLUMNS`` x ``TTY_ROWS``.
- The pty is *not* the job's controlling terminal (no ``setsid``/``TIOCSCTTY``): that would move the job out of
  the runner's session, which the local launcher sweeps for leftovers, and no common non-interactive program needs
  it (``/dev/tty`` is what password prompts open; with stdin ``/dev/null`` they cannot be answered anyway). The
  job's process group, isolation and stopping are the same as with pipes.
- Once every slave fd is closed (the job and whatever inherited its output), reading the master fails with
  ``EIO``: the reader takes that as the end of the output, as it takes end-of-file on a pipe.

The waiter reaps with ``waitpid(-1)``: in a container the runner is PID 1 (the Dockerfile's exec-form entrypoint),
orphans are re-parented to it, and it must reap them or they stay zombies.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

from tailrun_runner import defaults
from tailrun_runner.capture import Stream
from tailrun_runner.sandbox import JobIsolation
from tailrun_runner.settings import JobUser

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ExitInfo:
    """How the job's main process ended: an exit code, or the name of the signal that killed it."""

    exit_code: int | None
    signal: str | None
    duration_ms: int

    @classmethod
    def from_returncode(cls, returncode: int, duration_ms: int) -> ExitInfo:
        """Interpret a ``subprocess``-style return code (negative: killed by that signal)."""
        if returncode >= 0:
            return cls(exit_code=returncode, signal=None, duration_ms=duration_ms)
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"SIG{-returncode}"
        return cls(exit_code=None, signal=name, duration_ms=duration_ms)


def open_pty() -> tuple[int, int]:
    """A new pseudo-terminal ``(master, slave)`` set up for a job's output: no output processing (``\n`` stays
    ``\n``) and a ``TTY_COLUMNS`` x ``TTY_ROWS`` window. Both fds are non-inheritable (``Popen`` dups the slave)."""
    master, slave = os.openpty()
    try:
        attrs = termios.tcgetattr(slave)
        attrs[1] &= ~(termios.OPOST | termios.ONLCR)  # oflag
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        window = struct.pack("HHHH", defaults.TTY_ROWS, defaults.TTY_COLUMNS, 0, 0)
        fcntl.ioctl(slave, termios.TIOCSWINSZ, window)
    except BaseException:
        os.close(master)
        os.close(slave)
        raise
    return master, slave


class Child:
    """A running job process with its output: two pipes (``stdout``, ``stderr``) or one pty master (``stdout``)."""

    def __init__(self, proc: subprocess.Popen[bytes], pipes: dict[Stream, IO[bytes]]) -> None:
        self._proc = proc
        self.started_at = time.monotonic()  # the job's timeout counts from here
        self._started = self.started_at
        self.pid = proc.pid
        self.pipes = pipes
        self.exited = threading.Event()
        self.exit_info: ExitInfo | None = None
        threading.Thread(target=self._wait, name="tailrun-waiter", daemon=True).start()

    @classmethod
    def spawn(
        cls,
        argv: list[str],
        env: Mapping[str, str],
        cwd: str | None,
        user: JobUser | None = None,
        *,
        tty: bool = False,
    ) -> Child:
        """Start ``argv`` in a process group of its own with its output piped (or on a pty with ``tty``), without
        capabilities, as ``user`` if given; raise ``OSError`` if it cannot start (``subprocess.SubprocessError``
        if its isolation failed).

        Call it from the runner's main thread: the job's death signal fires when the thread that forked it ends.
        """
        isolation = JobIsolation.for_job(switches_user=user is not None)
        master, slave = open_pty() if tty else (-1, -1)
        try:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=slave if tty else subprocess.PIPE,
                stderr=slave if tty else subprocess.PIPE,
                cwd=cwd,
                env=dict(env),
                process_group=0,
                user=None if user is None else user.uid,
                group=None if user is None else user.gid,
                extra_groups=None if user is None else [],
                preexec_fn=isolation.preexec,
            )
        except BaseException:
            if tty:
                os.close(master)
            raise
        finally:
            if tty:
                os.close(slave)  # the job holds it now: the master reads EIO once the job's copies are closed
        if tty:
            return cls(proc, {"stdout": open(master, "rb", buffering=0)})
        assert proc.stdout is not None and proc.stderr is not None
        return cls(proc, {"stdout": proc.stdout, "stderr": proc.stderr})

    def signal_group(self, sig: signal.Signals) -> None:
        """Send ``sig`` to the job's whole process group (no-op once none of it is left)."""
        try:
            os.killpg(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        logger.info("sent %s to the job's process group %d", sig.name, self.pid)

    def group_alive(self) -> bool:
        """Whether any process of the job's group is left (the main process, once exited, no longer counts)."""
        try:
            os.killpg(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # a member that changed its user: still there
        return True

    def _wait(self) -> None:
        """Reap children until the job's main process has exited (and, as PID 1, orphans after that)."""
        while True:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                return
            if pid == self.pid:
                self._proc.returncode = os.waitstatus_to_exitcode(status)
                duration_ms = int((time.monotonic() - self._started) * 1000)
                self.exit_info = ExitInfo.from_returncode(self._proc.returncode, duration_ms)
                self.exited.set()
                if os.getpid() != 1:
                    return
