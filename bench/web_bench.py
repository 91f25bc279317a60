"""The web app in Chromium (issue 17): a finished 1,000,000-line job, a running job at 1,000 lines/s, a 10,000-row
batch.

A real `tailrun dev` (in memory); the finished job and the batch are written straight into its Firestore emulator
with the server's client (as the functions would have left them: a job, its attempt, chunks of 2,000 lines; a
completed batch and its rows), the running job is a real job through the real runner. `bench/web_bench.mjs` opens
each page in headless Chromium (playwright-core from tests/node) and measures: time to the first screen of lines and
to the whole log, DOM nodes, JS heap, scroll frame time (p95, from the top to the bottom), time for a search to land
on its match; for the running job frame time p95 and the delay from a line's write (the child's clock, which is the
browser's: one machine) to its row on screen; for the batch the time to its table, DOM nodes, a sort and scroll
frames. A benchmark, not a test: it prints figures (and the budgets beside them) and fails only if a page does not
load.

Run: ``.venv/bin/python bench/web_bench.py [--lines 1000000] [--rate 1000] [--seconds 15] [--rows 10000]``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import requests
from tailrun_functions import clients
from tailrun_functions.schema import LOCAL_PROJECT

from tailrun import settings
from tailrun.local.dev import DevProcess, spawn

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "web_bench.mjs"
CHUNK_LINES = 2000


def firestore_host(stack: DevProcess) -> str:
    return str(requests.get(stack.url + settings.CONFIG_PATH, timeout=10).json()["firestore_emulator_host"])


def write_finished_job(stack: DevProcess, lines: int) -> str:
    """A succeeded job of `dev` with `lines` lines in chunks of CHUNK_LINES, as the callbacks store them."""
    db = clients.firestore_client(LOCAL_PROJECT, firestore_host(stack))
    job_id = uuid.uuid4().hex
    now = datetime.datetime.now(datetime.UTC)
    base_ms = int(now.timestamp() * 1000)
    job = db.document(f"jobs/{job_id}")
    for seq, first in enumerate(range(0, lines, CHUNK_LINES)):
        count = min(CHUNK_LINES, lines - first)
        body = [
            {
                "line": n,
                "stream": "stdout",
                "ts": base_ms + n,
                "text": f"\x1b[32m{n:07d}\x1b[0m line {n} of the benchmark https://example.com/{n % 97}",
            }
            for n in range(first, first + count)
        ]
        job.collection("chunks").document(f"0001-{seq:08d}").set(
            {
                "attempt": 1,
                "seq": seq,
                "first_line": first,
                "line_count": count,
                "lines": body,
                "first_event": 0,
                "event_count": 0,
                "events": [],
                "state": None,
                "created_at": now,
            }
        )
    job.collection("attempts").document("0001").set(
        {"attempt": 1, "status": "succeeded", "lines": lines, "exit_code": 0, "created_at": now}
    )
    job.set(
        {
            "owner": "dev",
            "status": "succeeded",
            "argv": ["bench", "1M lines"],
            "spec": {"argv": ["bench", "1M lines"], "labels": {}},
            "attempt": 1,
            "lines": lines,
            "exit_code": 0,
            "created_at": now,
            "started_at": now,
            "ended_at": now,
            "annotations": {"error": 0, "warning": 0, "notice": 0},
            "events": 0,
        }
    )
    db.close()
    return job_id


def write_batch(stack: DevProcess, rows: int) -> str:
    """A completed batch of `dev` with `rows` rows (in commits of 500)."""
    db = clients.firestore_client(LOCAL_PROJECT, firestore_host(stack))
    batch_id = uuid.uuid4().hex
    now = datetime.datetime.now(datetime.UTC)
    ref = db.document(f"batches/{batch_id}")
    for start in range(0, rows, 500):
        writes = db.batch()
        for n in range(start, min(rows, start + 500)):
            ok = n % 10 != 0
            writes.set(
                ref.collection("rows").document(f"{n:06d}"),
                {
                    "row": n,
                    "values": {"name": f"row-{n}", "url": f"https://example.com/{n}"},
                    "status": "succeeded" if ok else "failed",
                    "job_id": uuid.uuid4().hex,
                    "exit_code": 0 if ok else 1,
                    "duration_s": 1 + (n % 13) / 3,
                    "attempts": 1,
                    "error": None if ok else {"code": "exit_code", "message": "exit code 1"},
                    "result": {"n": n} if ok else None,
                    "updated_at": now,
                },
            )
        writes.commit()
    failed = (rows + 9) // 10
    ref.set(
        {
            "owner": "dev",
            "name": "bench",
            "status": "completed",
            "concurrency": 10,
            "total": rows,
            "counts": {
                "total": rows,
                "queued": 0,
                "running": 0,
                "succeeded": rows - failed,
                "failed": failed,
                "canceled": 0,
                "timed_out": 0,
            },
            "success_rate": (rows - failed) / rows,
            "eta_s": 0,
            "rows_per_minute": 600.0,
            "template": {"argv": ["check", "{url}"]},
            "columns": ["name", "url"],
            "created_at": now,
            "started_at": now,
            "ended_at": now,
        }
    )
    db.close()
    return batch_id


def start_running_job(stack: DevProcess, rate: int, seconds: float) -> str:
    """A real job printing `rate` lines a second for `seconds`, each line carrying its write time (ms)."""
    code = (
        "import sys, time\n"
        f"rate, total = {rate}, {int(rate * seconds)}\n"
        "start = time.monotonic()\n"
        "for n in range(total):\n"
        "    delay = start + n / rate - time.monotonic()\n"
        "    if delay > 0: time.sleep(delay)\n"
        "    sys.stdout.write(f'w={time.time_ns() // 1_000_000} n={n}\\n')\n"
        "    if n % 20 == 0: sys.stdout.flush()\n"
    )
    token = (stack.state_dir / "dev_token").read_text().strip()
    answer = requests.post(
        f"{stack.url}/create_job",
        json={"argv": [sys.executable, "-c", code], "timeout_s": int(seconds) + 120},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    answer.raise_for_status()
    return str(answer.json()["job_id"])


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise SystemExit("web bench: no Chromium (apt-get install chromium)")
    return found


def drive(stack: DevProcess, scenario: str, **args: Any) -> dict[str, Any]:
    token = (stack.state_dir / "dev_token").read_text().strip()
    answer = subprocess.run(
        ["node", str(DRIVER), chromium(), scenario, json.dumps({"base": stack.url, "token": token, **args})],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if answer.returncode != 0:
        raise SystemExit(f"web bench: {scenario} failed:\n{answer.stdout}\n{answer.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rows", type=int, default=10_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        stack = spawn(Path(folder) / "state", "--in-memory")
        try:
            started = time.monotonic()
            job_id = write_finished_job(stack, options.lines)
            print(
                f"wrote a finished job of {options.lines:,} lines in {time.monotonic() - started:.1f} s",
                flush=True,
            )
            finished = drive(stack, "finished", job=job_id, lines=options.lines)
            print(f"finished job, {options.lines:,} lines:")
            print(f"  first screen          {finished['first_screen_ms']:8.0f} ms")
            print(f"  whole log held        {finished['all_lines_ms']:8.0f} ms")
            print(f"  DOM nodes             {finished['dom_nodes']:8d}     (budget 5,000)")
            print(f"  JS heap               {finished['heap_mb']:8.1f} MB")
            print(
                f"  scroll frame p95      {finished['scroll_p95_ms']:8.1f} ms  (budget 16.7; {finished['frames']} frames top→bottom)"
            )
            print(f"  search lands          {finished['search_ms']:8.0f} ms  ({finished['matches']} match)")
            job_id = start_running_job(stack, options.rate, options.seconds)
            running = drive(stack, "running", job=job_id, seconds=options.seconds)
            print(f"running job, {options.rate} lines/s for {options.seconds:.0f} s:")
            print(f"  frame p95             {running['frame_p95_ms']:8.1f} ms  ({running['frames']} frames)")
            print(f"  write → screen p50    {running['delay_p50_ms']:8.0f} ms")
            print(
                f"  write → screen p95    {running['delay_p95_ms']:8.0f} ms  ({running['samples']} lines seen)"
            )
            batch_id = write_batch(stack, options.rows)
            batch = drive(stack, "batch", batch=batch_id, rows=options.rows)
            print(f"batch page, {options.rows:,} rows:")
            print(f"  table shown           {batch['table_ms']:8.0f} ms")
            print(f"  DOM nodes             {batch['dom_nodes']:8d}")
            print(f"  sort by duration      {batch['sort_ms']:8.0f} ms")
            print(f"  scroll frame p95      {batch['scroll_p95_ms']:8.1f} ms")
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
