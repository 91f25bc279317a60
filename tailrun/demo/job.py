"""The demo's job: a small "data task" that prints as it works, for about ten seconds.

It prints ordinary lines on stdout, a warning on stderr, and ``::progress <percent> <step>`` lines, which the
runner turns into progress messages (they update the job's progress bar instead of appearing in the output).
Run it by hand with ``python -m tailrun.demo.job``.
"""

from __future__ import annotations

import sys
import time

STEPS = ("download", "parse", "transform", "upload")
ITEMS_PER_STEP = 5
PAUSE_S = 0.5  # seconds between two items: 4 steps x 5 items x 0.5 s = about ten seconds


def main() -> int:
    """Print the work as it happens; exit 0."""
    total = len(STEPS) * ITEMS_PER_STEP
    print(f"demo job: {total} items in {len(STEPS)} steps", flush=True)
    done = 0
    for step in STEPS:
        print(f"::progress {100 * done // total} {step}", flush=True)
        for item in range(1, ITEMS_PER_STEP + 1):
            time.sleep(PAUSE_S)
            done += 1
            print(f"[{time.strftime('%H:%M:%S')}] {step:<9} item {item}/{ITEMS_PER_STEP}", flush=True)
        if step == "parse":
            print("warning: 1 row had an empty field (kept as null)", file=sys.stderr, flush=True)
    print("::progress 100 done", flush=True)
    print(f"demo job: processed {done} items", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
