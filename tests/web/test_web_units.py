"""Unit tests of the web app's pure modules in Node (no browser): the ANSI parser (web/src/ansi.js), whose state
carries from line to line (tests/web/ansi.test.mjs). Skipped without node, except in CI."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("suite", ["ansi.test.mjs"])
def test_node_unit_suite(suite: str) -> None:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is not installed")
        pytest.skip("node is not installed")
    answer = subprocess.run(
        [node, "--experimental-detect-module", "--test", str(HERE / suite)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert answer.returncode == 0, answer.stdout[-4000:] + answer.stderr[-2000:]
    assert "# fail 0" in answer.stdout
