"""Runs the Node client's tests (``node --test tests/node/``) as part of the Python suite.

They prove that a client other than Python's — ``@google-cloud/firestore`` from npm — writes, queries and listens
through the embedded emulator. ``make test`` installs the npm packages first (``make node-deps``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def test_the_node_firestore_client_passes_its_tests_against_the_emulator() -> None:
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "@google-cloud" / "firestore").is_dir():
        pytest.fail("node and the npm packages are needed: run `make node-deps` (make test does it)")
    result = subprocess.run(
        [node, "--test", str(HERE / "emulator.test.mjs")],
        env={"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "# fail 0" in result.stdout
