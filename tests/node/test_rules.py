"""Runs the security-rules tests (``node --test tests/node/rules.test.mjs``) against Google's Firestore emulator.

``rules.test.mjs`` drives ``infra/firestore.rules`` through ``@firebase/rules-unit-testing`` and the Firebase JS
SDK; Google's emulator, started once per session by the ``google_firestore`` fixture, is the one that evaluates
rules as production does. A failing node test fails this test with node's report. Without node, the npm packages
(``make node-deps``) or the emulator and Java, it is skipped with what to install: never counted as passed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from google_firestore import GoogleEmulator

from firestore_emulator import Emulator

HERE = Path(__file__).parent
RULES = HERE.parents[1] / "infra" / "firestore.rules"
RULES_TESTS = HERE / "rules.test.mjs"
NPM_PACKAGES = ("@firebase/rules-unit-testing", "firebase")
NODE_TIMEOUT_SECONDS = 300


def node_unavailable_reason() -> str | None:
    """None when node and the npm packages the rules tests import are installed; else what to install."""
    if shutil.which("node") is None:
        return "no `node` on PATH: install Node.js 18 or later (apt-get install nodejs npm), then `make node-deps`"
    missing = [name for name in NPM_PACKAGES if not (HERE / "node_modules" / name / "package.json").is_file()]
    if missing:
        return f"the npm packages {', '.join(missing)} are not installed: run `make node-deps` (npm ci in tests/node)"
    return None


def run_rules_tests(address: str) -> subprocess.CompletedProcess[str]:
    """``node --test rules.test.mjs`` against the Firestore emulator at ``address`` (``host:port``)."""
    node = shutil.which("node")
    assert node is not None
    env = {key: value for key, value in os.environ.items() if not key.endswith("_EMULATOR_HOST")}
    return subprocess.run(
        [node, "--test", "--test-reporter=tap", str(RULES_TESTS)],
        cwd=HERE,
        env={**env, "FIRESTORE_EMULATOR_HOST": address},
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_SECONDS,
        check=False,
    )


@pytest.fixture(scope="module")
def node_ready() -> None:
    reason = node_unavailable_reason()
    if reason is not None:
        pytest.skip(reason)


def assert_all_passed(result: subprocess.CompletedProcess[str], emulator_output: str = "") -> None:
    """node's run passed every test and ran at least one (none skipped, none left to do)."""
    report = result.stdout[-12000:] + result.stderr[-4000:]
    assert result.returncode == 0, f"node --test failed:\n{report}\n--- emulator ---\n{emulator_output}"
    counts = dict(re.findall(r"^# (pass|fail|skipped|todo|cancelled) (\d+)$", result.stdout, re.MULTILINE))
    assert counts.get("fail") == "0" and counts.get("cancelled") == "0", report
    assert int(counts.get("pass", "0")) > 0, f"node ran no rules test:\n{report}"
    assert counts.get("skipped") == "0" and counts.get("todo") == "0", report


def test_infra_firestore_rules_hold_on_googles_emulator(
    node_ready: None, google_firestore: GoogleEmulator
) -> None:
    assert_all_passed(run_rules_tests(google_firestore.address), google_firestore.output())


def test_infra_firestore_rules_hold_on_the_embedded_emulator(node_ready: None) -> None:
    """The same tests against the embedded emulator, which enforces rules as Google's does (issue 13 part 3)."""
    with Emulator(rules=str(RULES)) as embedded:
        result = run_rules_tests(embedded.address)
    assert_all_passed(result)
