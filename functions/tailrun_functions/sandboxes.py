"""Local sandboxes: each local attempt runs in a fresh directory of its own, as a Cloud Run execution starts from a
fresh container filesystem, and old directories are swept by age.

Layout under the root (``Settings.sandbox_root``: ``<state dir>/sandboxes`` for ``tailrun dev``; a fresh
temporary directory when none is set, never the functions' working directory)::

    <root>/                     0700
      <job_id>-<attempt>/       0700, the attempt's working directory (TAILRUN_CWD): its files, its artifacts
      <job_id>-<attempt>.runner the runner that uses it: {"pid", "start_time"}; touched when the runner exits

The record lives beside the directory, not in it, so that the job cannot erase it. A directory is swept once it
and its record are older than ``max_age_s`` (the record is touched at the runner's exit, so the age counts from
the end of the attempt), and never while its runner still runs: a runner of this launcher, or a process that
still has the recorded pid and start time (a runner of an earlier stack that outlived it). A directory the job
asked for (the spec's ``cwd``) is not under the root and is never swept.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tailrun_functions import clock, defaults

logger = logging.getLogger(__name__)

RECORD_SUFFIX = ".runner"
# Whether the process a record names still runs: (pid, start_time) → bool.
IsRunning = Callable[[int, int | None], bool]


class Sandboxes:
    """The root of a local launcher's sandboxes: make one per attempt, record its runner, sweep old ones."""

    def __init__(
        self,
        root: str | None,
        max_age_s: float = defaults.SANDBOX_MAX_AGE_S,
        *,
        is_running: IsRunning,
        sweep_interval_s: float = defaults.SANDBOX_SWEEP_INTERVAL_S,
    ) -> None:
        self._root = Path(root) if root else None
        self.max_age_s = max_age_s
        self.sweep_interval_s = sweep_interval_s
        self._is_running = is_running
        self._lock = threading.Lock()
        self._in_use: set[str] = set()  # names whose runner this launcher started and has not seen exit
        self._last_sweep: float | None = None  # clock.now() timestamp of the last sweep started

    @property
    def root(self) -> Path:
        """The root, made (0700) on first use; with none configured, a fresh temporary directory."""
        with self._lock:
            if self._root is None:
                self._root = Path(tempfile.mkdtemp(prefix="tailrun-sandboxes-"))  # 0700 by mkdtemp
                logger.info("local sandboxes go under %s (no TAILRUN_SANDBOX_ROOT set)", self._root)
            else:
                self._root.mkdir(mode=defaults.SANDBOX_MODE, parents=True, exist_ok=True)
            return self._root

    def create(self, job_id: str, attempt: int) -> Path:
        """A new, empty, owner-only directory for this attempt, named after it (raises OSError if impossible).

        The name is ``<job_id>-<attempt>``; should it exist already (an attempt launched twice after a crash),
        a random suffix keeps the new one fresh."""
        root = self.root
        name = f"{job_id}-{attempt}"
        path = root / name
        try:
            path.mkdir(mode=defaults.SANDBOX_MODE)
        except FileExistsError:
            name = f"{name}-{secrets.token_hex(4)}"
            path = root / name
            path.mkdir(mode=defaults.SANDBOX_MODE)
        path.chmod(defaults.SANDBOX_MODE)  # mkdir's mode is masked by the umask; never wider than 0700 anyway
        with self._lock:
            self._in_use.add(name)
        return path

    def owns(self, path: Path) -> bool:
        """Whether ``path`` is one of this root's sandboxes (not a directory a job asked for)."""
        return self._root is not None and path.parent == self._root

    def record_runner(self, path: Path, pid: int, start_time: int | None) -> None:
        """Note which runner uses the sandbox, beside it (a later stack's sweep must not remove it meanwhile)."""
        record = path.with_name(path.name + RECORD_SUFFIX)
        record.write_text(json.dumps({"pid": pid, "start_time": start_time}))

    def runner_exited(self, path: Path) -> None:
        """The sandbox's runner is gone: its age counts from now."""
        with self._lock:
            self._in_use.discard(path.name)
        with contextlib.suppress(OSError):
            os.utime(path.with_name(path.name + RECORD_SUFFIX))

    def maybe_sweep(self) -> threading.Thread | None:
        """Sweep in the background if the last sweep is at least ``sweep_interval_s`` old (called at each launch,
        so a launch never waits for directories to be removed). Returns the sweeping thread, or None."""
        now = clock.now().timestamp()
        with self._lock:
            if self._last_sweep is not None and now - self._last_sweep < self.sweep_interval_s:
                return None
            self._last_sweep = now
        thread = threading.Thread(target=self._sweep_logged, name="sandbox-sweep", daemon=True)
        thread.start()
        return thread

    def _sweep_logged(self) -> None:
        try:
            self.sweep()
        except Exception:  # a thread of its own: log, never die silently
            logger.exception("sweeping old sandboxes under %s failed", self._root)

    def sweep(self) -> list[Path]:
        """Remove every sandbox (and its record) older than ``max_age_s`` whose runner no longer runs; returns
        the directories removed."""
        root = self.root
        cutoff = clock.now().timestamp() - self.max_age_s
        removed = []
        for entry in sorted(root.iterdir()):
            if entry.name.endswith(RECORD_SUFFIX):
                if not entry.with_name(entry.name[: -len(RECORD_SUFFIX)]).exists() and _mtime(entry) < cutoff:
                    entry.unlink(missing_ok=True)  # a record whose directory went
                continue
            if entry.is_symlink() or not entry.is_dir():
                continue
            if self._busy(entry) or max(_mtime(entry), _mtime(_record_of(entry))) >= cutoff:
                continue
            _remove_tree(entry)
            _record_of(entry).unlink(missing_ok=True)
            removed.append(entry)
        if removed:
            logger.info("swept %d sandbox(es) older than %g s under %s", len(removed), self.max_age_s, root)
        return removed

    def _busy(self, path: Path) -> bool:
        with self._lock:
            if path.name in self._in_use:
                return True
        record = _read_record(_record_of(path))
        pid = record.get("pid")
        start_time = record.get("start_time")
        if not isinstance(pid, int):
            return False
        return self._is_running(pid, start_time if isinstance(start_time, int) else None)


def _record_of(path: Path) -> Path:
    return path.with_name(path.name + RECORD_SUFFIX)


def _read_record(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _mtime(path: Path) -> float:
    """The path's modification time (minus infinity when it does not exist)."""
    try:
        return path.lstat().st_mtime
    except OSError:
        return float("-inf")


def _remove_tree(path: Path) -> None:
    """Remove a sandbox, even one whose job left directories without permissions (made owner-writable first)."""
    for _ in range(defaults.SWEEP_ROUNDS):
        try:
            shutil.rmtree(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            with contextlib.suppress(OSError):
                path.chmod(stat.S_IRWXU)
            for directory, subdirectories, _files in os.walk(path):  # top-down: children are made enterable
                for name in subdirectories:
                    child = os.path.join(directory, name)
                    if not os.path.islink(child):  # a link's target may be outside: never touched
                        with contextlib.suppress(OSError):
                            os.chmod(child, stat.S_IRWXU)
    logger.warning("could not remove sandbox %s entirely", path)
