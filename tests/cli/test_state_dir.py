"""One `tailrun dev` per state directory; its token survives restarts and stays private."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tailrun.errors import StackAlreadyRunning
from tailrun.local.dev import StateDir


def test_a_second_lock_on_a_state_directory_names_the_first(tmp_path: Path) -> None:
    first = StateDir(tmp_path)
    first.lock()
    first.publish({"pid": 4242, "url": "http://127.0.0.1:9999"})
    with pytest.raises(
        StackAlreadyRunning, match=r"already running from .* \(pid 4242, http://127.0.0.1:9999\)"
    ):
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


def test_a_loosened_token_file_is_made_owner_only_again(tmp_path: Path) -> None:
    token = StateDir(tmp_path).dev_token()
    (tmp_path / "dev_token").chmod(0o644)
    assert StateDir(tmp_path).dev_token() == token
    assert stat.S_IMODE((tmp_path / "dev_token").stat().st_mode) == 0o600


def test_tailrun_dev_can_make_itself_non_dumpable() -> None:
    """`tailrun dev` calls this at start: a job of the same user can then not read its memory or environment."""
    import subprocess
    import sys

    probe = (
        "import ctypes; from tailrun.local.dev import make_non_dumpable; libc = ctypes.CDLL(None)\n"
        "before = libc.prctl(3, 0, 0, 0, 0); done = make_non_dumpable(); print(before, done, libc.prctl(3, 0, 0, 0, 0))"
    )
    answer = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert answer.stdout.split() == ["1", "True", "0"], answer.stderr


# The stack's logging as `tailrun dev` sets it up, in a process of its own (it owns the root logger), then the
# functions loaded as the stack loads them (they configure their logging at import).
LOG_PROBE = """
import logging
from tailrun.local import jsonlog
from tailrun.local.functions_server import load_http_functions
jsonlog.configure(logging.INFO)
log = logging.getLogger("tailrun.test.jsonlog")
log.warning("artifact %s refused: %s", "a.txt", 'bad\\n{"severity": "INFO", "message": "forged"}')
try:
    raise ValueError("with\\nnewlines")
except ValueError:
    log.exception("failed")
load_http_functions()
log.info("after the functions")
"""


def test_a_log_message_with_a_newline_stays_one_json_record_written_once() -> None:
    import json
    import subprocess
    import sys

    answer = subprocess.run([sys.executable, "-c", LOG_PROBE], capture_output=True, text=True, timeout=60)

    assert answer.returncode == 0, answer.stderr
    records = [json.loads(line) for line in answer.stderr.splitlines()]
    mine = [record for record in records if record["logger"] == "tailrun.test.jsonlog"]
    assert [record["message"] for record in mine][2:] == ["after the functions"]
    first, second = mine[:2]
    assert first["message"].endswith('"forged"}') and first["severity"] == "WARNING"
    assert "ValueError: with\nnewlines" in second["exception"]
    assert all({"severity", "message", "logger", "time"} <= set(record) for record in records)
