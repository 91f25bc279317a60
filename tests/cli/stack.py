"""The `tailrun` command run as a user would, against one stack."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tailrun.dev import DevProcess, spawn

TAILRUN = [sys.executable, "-m", "tailrun"]


def cli_env(url: str) -> dict[str, str]:
    """The environment of a user who only set TAILRUN_URL."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TAILRUN_", "FIRESTORE_", "STORAGE_EMULATOR", "GOOGLE_CLOUD_PROJECT"))}
    env["TAILRUN_URL"] = url
    return env


def start_dev(state_dir: Path, *extra: str, persistent: bool = False) -> DevProcess:
    """A real `tailrun dev` child process on free ports (in memory unless ``persistent``)."""
    return spawn(state_dir, *([] if persistent else ["--in-memory"]), *extra, env=cli_env("unused"))


@dataclass
class Cli:
    """Runs `tailrun …` as a user would, against one stack."""

    url: str

    def __call__(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*TAILRUN, *args], capture_output=True, text=True, timeout=timeout, env=cli_env(self.url))

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([*TAILRUN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=cli_env(self.url))
