"""Secrets out of the runner's environment: re-execute without them, and hand them over through an anonymous fd.

A process's initial environment stays readable at ``/proc/<pid>/environ`` for its whole life, and a job of the
same user could read it. So when the runner starts with secret variables (``SECRET_VARIABLES``: the callback token,
the job's argv, env and artifact patterns), it writes them as one JSON object into an anonymous memory file
(``memfd_create``; a pipe where that is missing), and ``execve``\\ s itself — same pid, so PID 1 stays PID 1 —
with an environment without them, naming the fd in ``TAILRUN_SECRETS_FD``. The new image makes itself
non-dumpable first (``sandbox.make_undumpable``), then reads the fd and closes it: from then on the secrets live
only in the runner's memory, and neither ``/proc/<pid>/environ`` nor ``cmdline`` holds one.

A launcher may also hand the secrets over itself, the same way (an inherited fd holding that JSON object, named
by ``TAILRUN_SECRETS_FD``, and no secret variable): then no secret is in the runner's environment even for the
moment before its re-exec.

Before the re-exec the runner's own job does not exist yet, so it cannot race it. Another job of the same user on
the same machine (the local stack running several attempts) could read that first image's environment in the
few milliseconds before the ``execve``: where jobs must be kept from each other, run the runner as root with
``TAILRUN_JOB_USER``, or have the launcher hand the secrets over on an fd. ``TAILRUN_JOB_ID`` and ``TAILRUN_ATTEMPT`` (and the
non-secret tuning variables) stay in the environment: they say which attempt a runner serves.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from collections.abc import Mapping

from tailrun_runner.settings import ConfigError

# The variables that never stay in the runner's environment.
SECRET_VARIABLES = frozenset({"TAILRUN_TOKEN", "TAILRUN_ENV", "TAILRUN_ARGV", "TAILRUN_ARTIFACTS"})
# Names the inherited fd that holds the secrets, in the re-executed image only.
SECRETS_FD_VARIABLE = "TAILRUN_SECRETS_FD"


def reexec_without_secrets(environ: Mapping[str, str]) -> None:
    """If ``environ`` holds a secret variable, re-execute this program without it (does not return then).

    Raises ``ConfigError`` when the secrets cannot be handed over (then nothing was executed)."""
    secrets = {name: environ[name] for name in SECRET_VARIABLES if name in environ}
    if not secrets:
        return
    fd = _secrets_fd(json.dumps(secrets).encode())
    env = {name: value for name, value in environ.items() if name not in SECRET_VARIABLES}
    env[SECRETS_FD_VARIABLE] = str(fd)
    # The same interpreter with the same arguments (``tailrun-runner``, ``-m tailrun_runner``, interpreter flags).
    os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)


def _secrets_fd(data: bytes) -> int:
    """An inheritable fd, positioned at the start, from which ``data`` can be read once."""
    try:
        fd = os.memfd_create("tailrun-secrets", 0)
    except (AttributeError, OSError):
        return _pipe_holding(data)
    os.write(fd, data)  # a memfd takes any size in one write
    os.lseek(fd, 0, os.SEEK_SET)
    os.set_inheritable(fd, True)
    return fd


def _pipe_holding(data: bytes) -> int:
    """The read end of a pipe that already holds ``data`` (which must fit in the pipe's buffer)."""
    read_end, write_end = os.pipe()
    try:
        os.set_blocking(write_end, False)
        size = fcntl.fcntl(write_end, getattr(fcntl, "F_GETPIPE_SZ", 1032))
        if len(data) > size or os.write(write_end, data) != len(data):
            raise ConfigError(
                f"the secret variables ({len(data)} bytes) do not fit in a pipe and memfd is missing"
            )
    except BlockingIOError:
        raise ConfigError("the secret variables do not fit in a pipe and memfd is missing") from None
    finally:
        os.close(write_end)
    os.set_inheritable(read_end, True)
    return read_end


def take_secrets(environ: Mapping[str, str]) -> dict[str, str]:
    """The secrets handed over by ``reexec_without_secrets`` (read, and their fd closed), or ``{}`` if none.

    Call it after ``sandbox.make_undumpable``. Raises ``ConfigError`` when the fd is not what it should be."""
    raw = environ.get(SECRETS_FD_VARIABLE, "")
    if not raw:
        return {}
    try:
        fd = int(raw)
    except ValueError:
        raise ConfigError(f"{SECRETS_FD_VARIABLE} must be a file descriptor number, got {raw!r}") from None
    chunks = []
    try:
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        os.close(fd)
        secrets = json.loads(b"".join(chunks))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{SECRETS_FD_VARIABLE}={raw}: cannot read the secrets ({exc})") from None
    if not isinstance(secrets, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and k in SECRET_VARIABLES for k, v in secrets.items()
    ):
        raise ConfigError(f"{SECRETS_FD_VARIABLE}={raw}: not the runner's secrets")
    return secrets
