"""Leave an orphan that exits, then report how many zombies the (PID-namespace) system holds.

The job forks a child that forks a grandchild and exits at once: the grandchild is re-parented to PID 1, then exits
after 0.2 s. Only PID 1 can reap it; if it does not, it stays a zombie. After 1 s the job prints ``zombies N``
(from ``/proc``, which in a fresh PID namespace shows only that namespace) and ``orphan done``.
"""

import os
import time
from pathlib import Path

child = os.fork()
if child == 0:
    if os.fork() == 0:
        time.sleep(0.2)
        os._exit(0)
    os._exit(0)
os.waitpid(child, 0)
time.sleep(1.0)
zombies = 0
for entry in Path("/proc").iterdir():
    if entry.name.isdigit():
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        zombies += stat.rsplit(")", 1)[1].split()[0] == "Z"
print(f"zombies {zombies}", flush=True)
print("orphan done", flush=True)
