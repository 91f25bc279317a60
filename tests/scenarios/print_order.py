"""Print numbered lines alternately to stdout and stderr with plain ``print`` (never flushing by itself).

``print_order.py COUNT [DELAY_S]``: line ``i`` goes to stdout when ``i`` is even, to stderr when odd, with
``DELAY_S`` seconds between prints. The first line says how the job's stdout is buffered and what
``PYTHONUNBUFFERED`` it saw (``-`` when unset): ``buffering line_buffering=<bool> write_through=<bool> env=<v>``.
Whether the lines reach the pipes when printed is up to the environment the runner gives the job.
"""

import os
import sys
import time

count = int(sys.argv[1])
delay = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
seen = os.environ.get("PYTHONUNBUFFERED", "-")
print(
    f"buffering line_buffering={sys.stdout.line_buffering} write_through={sys.stdout.write_through} env={seen}"
)
for i in range(count):
    print(f"line {i}", file=sys.stdout if i % 2 == 0 else sys.stderr)
    if delay:
        time.sleep(delay)
