"""The runner's autogroup nice (``priority``): only a session leader sets it, and it lands in /proc."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tailrun_runner.priority import yield_to_the_stack

AUTOGROUP = Path("/proc/self/autogroup")
needs_autogroup = pytest.mark.skipif(
    not AUTOGROUP.exists() or Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() != "1",
    reason="the kernel has no autogroup scheduling enabled",
)


def test_a_process_that_does_not_lead_its_session_changes_nothing(tmp_path):
    target = tmp_path / "autogroup"
    target.write_text("untouched")
    assert os.getsid(0) != os.getpid()  # pytest runs inside someone's session
    assert yield_to_the_stack(10, target) is False
    assert target.read_text() == "untouched"


@needs_autogroup
def test_a_session_leader_lowers_its_autogroups_weight():
    code = (
        "from tailrun_runner.priority import yield_to_the_stack; import pathlib; "
        "print(yield_to_the_stack(), pathlib.Path('/proc/self/autogroup').read_text().split()[-1])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], start_new_session=True, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["True", "10"]
