"""Run the benchmarks: ``make bench`` (all of them) or
``.venv/bin/python -m bench [emulator|emulators|runner|functions|create_job|events|sse|batch|load|
emulators_load|watch_client|callback_cpu|web]``.

Each benchmark is its own script, run here one after the other in a child process of its own so that one's
servers and threads never load the machine while the next is measuring. Each prints its figures next to a
baseline measured in the same run; extra arguments after the names go to every script (e.g. ``--help``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = {
    "emulator": HERE / "emulator_bench.py",  # issue 2: the embedded Firestore emulator
    "runner": HERE / "runner_bench.py",  # issue 3: the runner against two baselines
    "functions": HERE / "functions_bench.py",  # issue 4: Firestore cost and callback latency
    "emulators": HERE
    / "emulators_bench.py",  # issue 13: the embedded emulator against Google's, rules on and off
    "create_job": HERE / "create_job_bench.py",  # issue 11: create_job under concurrency, 20 x run --detach
    "events": HERE / "events_bench.py",  # issue 12: Firestore writes per 1,000 events against plain lines
    "sse": HERE / "sse_bench.py",  # issue 16: 100 SSE clients on one job against 1: latency, listeners
    "batch": HERE / "batch_bench.py",  # issue 15: a 1,000-row batch: refills, the batch's writes, wall time
    "load": HERE / "load_bench.py",  # issue 18: N jobs x W watchers, adaptive batching against fixed
    "emulators_load": HERE / "emulators_load_bench.py",  # issue 18: both emulators under 8 client processes
    "watch_client": HERE / "watch_client_bench.py",  # issue 18: a listener's CPU per push, by target
    "callback_cpu": HERE
    / "callback_cpu_bench.py",  # issue 18: the functions server's CPU per output callback
    "web": HERE
    / "web_bench.py",  # issue 17: the web app in Chromium: a 1M-line log, a live job, a 10k-row batch
}


def main(argv: list[str]) -> int:
    names = [arg for arg in argv if arg in BENCHES] or list(BENCHES)
    extra = [arg for arg in argv if arg not in BENCHES]
    failed = []
    for name in names:
        print(f"\n=== bench: {name} ({BENCHES[name].name}) ===", flush=True)
        if subprocess.run([sys.executable, str(BENCHES[name]), *extra]).returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nbenchmarks that failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
