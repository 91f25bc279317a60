"""What keeps the job away from its runner: the runner is non-dumpable, the job holds no capability and dies with
its runner.

Linux only (``prctl`` and ``capset`` through ``ctypes``; standard library only). The threat is the job itself: it
runs whatever it is given (an agent may be talked into anything), as the same user as the runner unless
``TAILRUN_JOB_USER`` says otherwise. What each measure does:

- ``make_undumpable`` (``PR_SET_DUMPABLE`` 0, set by the runner on itself after its re-exec, since ``execve``
  resets it): the kernel then refuses ``/proc/<runner>/environ``, ``mem``, ``maps``, the targets of ``fd/*`` and
  ``ptrace`` to any process without ``CAP_SYS_PTRACE``, even one of the same user. The callback token lives only
  in the runner's memory (see ``handoff``), so this is what keeps it from the job.
- ``JobIsolation.preexec`` (in the job's process, between ``fork`` and ``exec``):

  * when the runner holds ``CAP_SETPCAP`` (it runs as root), every capability is dropped from the bounding set;
  * the ambient, inheritable, permitted and effective sets are emptied (``capset``): a job started by a root runner
    stays uid 0 (it can use the files and directory it is given) but holds no capability, above all not
    ``CAP_SYS_PTRACE``, ``CAP_DAC_OVERRIDE`` or ``CAP_KILL``;
  * ``no_new_privs``: no set-user-ID binary (``sudo``, ``su``) or file capability can give any back;
  * ``PR_SET_PDEATHSIG`` = SIGKILL: when the runner dies (even of ``kill -9``), the kernel kills the job's main
    process; it is set last (a credential change clears it) and followed by a check that the runner had not
    already died before it was set.

  With ``TAILRUN_JOB_USER`` (and a root runner), ``subprocess`` switches the job to that user first (no
  supplementary groups), then the steps above run as that user.

What a job can still do: print anything in its own output (including lines that look like the runner's — they
are stored as the job's output), exit with any code, stop or kill its runner (same user; the attempt then ends
without ``completed`` and tailrun marks it lost), use the network as the sandbox allows, and read whatever its
user can read. What it cannot do: read the runner's environment, memory or descriptors, hence not the callback
token, hence not post messages or upload artifacts in the runner's name.

``PR_SET_PDEATHSIG`` fires when the *thread* that forked the job exits: ``Child.spawn`` is called from the runner's
main thread, which lives as long as the runner.
"""

from __future__ import annotations

import ctypes
import errno
import os
import signal
from dataclasses import dataclass

PR_SET_PDEATHSIG = 1
PR_GET_DUMPABLE = 3
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_GET_NO_NEW_PRIVS = 39
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
CAP_SETPCAP = 8
# capset(2): version 3 takes two 32-bit words per set (capabilities 0-63).
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
# The highest capability number when the kernel does not say (/proc/sys/kernel/cap_last_cap); dropping a number
# the kernel does not know fails with EINVAL, which is ignored.
_CAP_LAST_CAP_FALLBACK = 63


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


_libc: ctypes.CDLL | None = None


def _c() -> ctypes.CDLL:
    """The C library, loaded once (before any fork: the job's preexec must not load anything)."""
    global _libc
    if _libc is None:
        # the C library the interpreter itself is linked with (dlopen(NULL)): ctypes.util.find_library would run
        # ldconfig and import subprocess, shutil and tempfile at every runner start for the same answer
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _prctl(option: int, arg: int = 0, *, ignore: tuple[int, ...] = ()) -> int:
    """``prctl(option, arg, 0, 0, 0)``; raise ``OSError`` on failure unless its errno is in ``ignore``."""
    zero = ctypes.c_ulong(0)
    result = int(_c().prctl(ctypes.c_int(option), ctypes.c_ulong(arg), zero, zero, zero))
    if result < 0:
        code = ctypes.get_errno()
        if code in ignore:
            return result
        raise OSError(code, f"prctl({option}): {os.strerror(code)}")
    return result


def make_undumpable() -> None:
    """Make this process non-dumpable: no process without ``CAP_SYS_PTRACE`` can read its environ, memory or fds.

    Reset by ``execve``: call it in the image that holds the secrets, as early as possible."""
    _prctl(PR_SET_DUMPABLE, 0)


def is_dumpable() -> bool:
    """Whether this process is dumpable (tests and logs)."""
    return _prctl(PR_GET_DUMPABLE) == 1


def _last_cap() -> int:
    try:
        with open("/proc/sys/kernel/cap_last_cap") as f:
            return int(f.read())
    except (OSError, ValueError):
        return _CAP_LAST_CAP_FALLBACK


def _effective_caps() -> int:
    """This process's effective capability set, as a bit mask (from ``/proc/self/status``)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    return 0


@dataclass(frozen=True, slots=True)
class JobIsolation:
    """Everything the job's preexec needs, computed in the runner before the fork (the child only calls)."""

    runner_pid: int
    drop_bounding: bool  # the runner holds CAP_SETPCAP and the job keeps its user: empty the bounding set
    last_cap: int

    @classmethod
    def for_job(cls, *, switches_user: bool) -> JobIsolation:
        """The plan for a job started by this process; ``switches_user``: ``subprocess`` changes the job's user
        before the preexec (which then has no capability left to drop the bounding set with)."""
        _c()  # loaded now, not in the child
        privileged = bool(_effective_caps() & (1 << CAP_SETPCAP))
        return cls(
            runner_pid=os.getpid(), drop_bounding=privileged and not switches_user, last_cap=_last_cap()
        )

    def preexec(self) -> None:
        """Run in the job's process before ``exec``: drop every capability, forbid new privileges, die with the
        runner. Raises ``OSError`` (the job does not start) when a step that matters fails."""
        if self.drop_bounding:
            for cap in range(self.last_cap + 1):
                _prctl(PR_CAPBSET_DROP, cap, ignore=(errno.EINVAL,))
        # Ambient capabilities (Linux 4.3+; EINVAL before, where there are none to clear).
        _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, ignore=(errno.EINVAL,))
        header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
        data = (_CapData * 2)()  # all zero: no effective, permitted or inheritable capability
        if _c().capset(ctypes.byref(header), data) != 0:
            code = ctypes.get_errno()
            raise OSError(code, f"capset: {os.strerror(code)}")
        _prctl(PR_SET_NO_NEW_PRIVS, 1)
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != self.runner_pid:  # the runner died before the death signal was armed
            os.kill(os.getpid(), signal.SIGKILL)
