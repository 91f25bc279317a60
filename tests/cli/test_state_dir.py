"""One `tailrun dev` per state directory; its token survives restarts and stays private."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tailrun.dev import StateDir
from tailrun.errors import StackAlreadyRunning


def test_a_second_lock_on_a_state_directory_names_the_first(tmp_path: Path) -> None:
    first = StateDir(tmp_path)
    first.lock()
    first.publish({"pid": 4242, "url": "http://127.0.0.1:9999"})
    with pytest.raises(StackAlreadyRunning, match=r"already running from .* \(pid 4242, http://127.0.0.1:9999\)"):
        StateDir(tmp_path).lock()
    first.unlock()
    assert not (tmp_path / "dev.json").exists()
    second = StateDir(tmp_path)
    second.lock()
    second.unlock()


def test_the_dev_token_is_random_kept_and_private(tmp_path: Path) -> None:
    token = StateDir(tmp_path).dev_token()
    assert len(token) >= 32
    assert StateDir(tmp_path).dev_token() == token
    (tmp_path / "other").mkdir()
    assert StateDir(tmp_path / "other").dev_token() != token
    assert stat.S_IMODE((tmp_path / "dev_token").stat().st_mode) == 0o600
