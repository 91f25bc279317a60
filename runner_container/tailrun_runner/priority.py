"""Give way to the stack that serves every runner: a runner that leads its own session lowers its autogroup's weight.

Linux's autogroup scheduling (``/proc/sys/kernel/sched_autogroup_enabled``, on by default on desktops and on this
project's machines) shares the CPU between *sessions* first, then between the processes of each. The local launcher
starts each runner in a session of its own (so that a dead runner's leftovers are found by their session id), so
with 100 jobs the local stack, whose functions server and emulator every runner waits on, weighs as much as any
one runner: measured with ``bench/load_bench.py`` at 100 jobs x 10 watchers on 2 cores, the functions server got
0.12 of a core while the runners together took 0.53, and a line took minutes to reach its chunk.

So a runner that leads its session writes ``RUNNER_AUTOGROUP_NICE`` to ``/proc/self/autogroup`` (allowed to any
user for a higher nice value): its session (itself and its job) then weighs about a tenth of the stack's when both
want the CPU, and the same as before when the stack is idle. Nothing else is affected: a runner that does not lead
its session (a test's, a shell's) would change the nice value of everything in that session, so it leaves it alone;
without autogroup (a kernel without it, a container without ``/proc`` access) this does nothing. In the cloud each
runner has its Cloud Run task to itself, so the write changes nothing there either.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from tailrun_runner import defaults

logger = logging.getLogger(__name__)

AUTOGROUP = Path("/proc/self/autogroup")


def yield_to_the_stack(nice: int = defaults.RUNNER_AUTOGROUP_NICE, autogroup: Path = AUTOGROUP) -> bool:
    """Lower this session's autogroup weight when this process leads its session; True when it was set."""
    if nice <= 0 or os.getsid(0) != os.getpid():
        return False
    try:
        autogroup.write_text(f"{nice}\n")
    except OSError as exc:  # no autogroup, no /proc, or refused: the runner runs as it would have
        logger.debug("autogroup nice not set: %s", exc)
        return False
    return True
