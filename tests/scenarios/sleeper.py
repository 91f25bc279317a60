"""Print, then sleep; optionally trap SIGTERM. For the runner's timeouts.

``sleeper.py SECONDS [MODE] [LINES]``: prints ``LINES`` lines (default 1: ``started``; more: ``line i``), then sleeps
``SECONDS`` and prints ``woke``. MODE ``plain`` (default): SIGTERM kills it. ``exit3``: on SIGTERM it prints
``got SIGTERM`` and exits 3. ``ignore``: it prints ``ignoring SIGTERM`` and sleeps on (only SIGKILL ends it).
``ticker``: instead of sleeping silently it prints ``tick i`` every 0.1 s for SECONDS.
"""

import signal
import sys
import time

seconds = float(sys.argv[1])
mode = sys.argv[2] if len(sys.argv) > 2 else "plain"
lines = int(sys.argv[3]) if len(sys.argv) > 3 else 1


def exit3(signum, frame):
    print("got SIGTERM", flush=True)
    sys.exit(3)


def ignore(signum, frame):
    print("ignoring SIGTERM", flush=True)


if mode == "exit3":
    signal.signal(signal.SIGTERM, exit3)
elif mode == "ignore":
    signal.signal(signal.SIGTERM, ignore)
if lines == 1:
    print("started", flush=True)
else:
    for i in range(lines):
        print(f"line {i}", flush=True)
if mode == "ticker":
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline:
        print(f"tick {i}", flush=True)
        i += 1
        time.sleep(0.1)
else:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:  # a handled SIGTERM interrupts sleep; sleep on to the deadline
        time.sleep(max(0.0, deadline - time.monotonic()))
print("woke", flush=True)
