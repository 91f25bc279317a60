"""The web app in Chromium (issue 17): a finished 1,000,000-line job, a running job at 1,000 lines/s, a 10,000-row
batch.

A real `tailrun dev` (in memory); the finished job and the batch are written straight into its Firestore emulator
with the server's client in large commits (as the functions would have left them: a job, its attempt, chunks of
2,000 lines, 40 chunks a commit; a completed batch and its rows, 500 a commit), the running job is a real job through the real runner. `bench/web_bench.mjs` opens
each page in headless Chromium (playwright-core from tests/node) and measures: time to the first screen of lines and
to the whole log, DOM nodes, JS heap, scroll frame time (p95, from the top to the bottom), time for a search to land
on its match; for the running job frame time p95 and the delay from a line's write (the child's clock, which is the
browser's: one machine) and from its chunk's commit in Firestore to its row on screen; for the batch the time to its table, DOM nodes, a sort and scroll
frames. A benchmark, not a test: it prints figures (and the budgets beside them) and fails only if a page does not
load.

Each figure is printed beside a same-run baseline in the same browser and its ratio: the naive render the viewer
replaces (every line as elements in one ``<pre>``; lines appended as they come; a plain table of every row), built
from data generated in the page (so the baseline's times leave out the loading the web app's include). The finished
job's baseline is of at most ``--baseline-lines`` (200,000) lines, as the issue's 100,000-line report: a million
lines as elements can exhaust the tab; its ratios then favour the baseline.

Run: ``.venv/bin/python bench/web_bench.py [--lines 1000000] [--rate 1000] [--seconds 15] [--rows 10000]
[--only finished|running|batch] [--baseline-lines 200000] [--quick]`` (``--quick``: 50,000 lines, 5 s, 1,000 rows, for development).
"""

from __future__ import annotations

import argparse
import concurrent.futures
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
CHUNKS_PER_COMMIT = 40  # ~7.6 MB a commit


def firestore_host(stack: DevProcess) -> str:
    return str(requests.get(stack.url + settings.CONFIG_PATH, timeout=10).json()["firestore_emulator_host"])


def personal_workspace(stack: DevProcess) -> str:
    """`dev`'s personal workspace, made by `list_workspaces` on first use as a user's first call makes it (the rules
    judge every read by the workspace document, and the seeded documents are written around the functions)."""
    token = (stack.state_dir / "dev_token").read_text().strip()
    answer = requests.post(
        f"{stack.url}/list_workspaces", json={}, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    answer.raise_for_status()
    return "personal-dev"


def line_text(n: int) -> str:
    """The finished job's line n (the baseline page builds the same text)."""
    return f"\x1b[32m{n:07d}\x1b[0m line {n} of the benchmark https://example.com/{n % 97}"


def write_finished_job(stack: DevProcess, lines: int) -> str:
    """A succeeded job of `dev` with `lines` lines, as the callbacks store them (callbacks.chunk_document: one chunk
    per runner batch of CHUNK_LINES lines, ~190 KB, under the runner's 256 KiB batch cap and the 1 MiB document
    limit), seeded straight into the emulator in commits of CHUNKS_PER_COMMIT chunks (≤ 500 writes and under the
    10 MiB of a production commit): seconds for a million lines, where a runner takes minutes."""
    db = clients.firestore_client(LOCAL_PROJECT, firestore_host(stack))
    job_id = uuid.uuid4().hex
    now = datetime.datetime.now(datetime.UTC)
    base_ms = int(now.timestamp() * 1000)
    job = db.document(f"jobs/{job_id}")
    chunks = job.collection("chunks")
    writes = db.batch()
    pending = 0
    # a commit runs in a thread while the next one is built: the client's encoding and the emulator's work overlap
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
    in_flight: list[concurrent.futures.Future[Any]] = []
    for seq, first in enumerate(range(0, lines, CHUNK_LINES)):
        count = min(CHUNK_LINES, lines - first)
        body = [
            {"line": n, "stream": "stdout", "ts": base_ms + n, "text": line_text(n)}
            for n in range(first, first + count)
        ]
        writes.set(
            chunks.document(f"0001-{seq:08d}"),
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
            },
        )
        pending += 1
        if pending == CHUNKS_PER_COMMIT:
            if len(in_flight) >= 2:
                in_flight.pop(0).result()
            in_flight.append(pool.submit(writes.commit))
            writes, pending = db.batch(), 0
    if pending:
        in_flight.append(pool.submit(writes.commit))
    for future in in_flight:
        future.result()  # raises what a commit raised
    pool.shutdown()
    job.collection("attempts").document("0001").set(
        {"attempt": 1, "status": "succeeded", "lines": lines, "exit_code": 0, "created_at": now}
    )
    job.set(
        {
            "owner": "dev",
            "workspace_id": personal_workspace(stack),
            "status": "succeeded",
            "argv": ["bench", f"{lines} lines"],
            "spec": {"argv": ["bench", f"{lines} lines"], "labels": {}},
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
            "workspace_id": personal_workspace(stack),
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


def firestore_to_screen(stack: DevProcess, job_id: str, shown: list[list[int]]) -> list[float]:
    """Per line seen on screen: when it was first on screen minus its chunk's commit in Firestore (the chunk
    document's update time, the emulator's clock; one machine, so one clock with the browser's)."""
    db = clients.firestore_client(LOCAL_PROJECT, firestore_host(stack))
    committed: dict[int, float] = {}
    for chunk in db.collection(f"jobs/{job_id}/chunks").stream():
        data = chunk.to_dict() or {}
        assert chunk.update_time is not None
        at_ms = chunk.update_time.timestamp() * 1000
        for n in range(data.get("first_line", 0), data.get("first_line", 0) + data.get("line_count", 0)):
            committed[n] = at_ms
    db.close()
    return [screen_ms - committed[n] for n, screen_ms in shown if n in committed]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


def row(name: str, value: float, unit: str, baseline: float | None = None, note: str = "") -> None:
    """One figure, and its ratio to the same-run baseline (value / baseline: below 1 is better for times, nodes
    and heap)."""
    shown = f"{value:10,.1f}" if isinstance(value, float) else f"{value:10,d}"
    ratio = f"{value / baseline:8.3f}×" if baseline else " " * 9
    base = (
        f"{baseline:12,.1f}"
        if isinstance(baseline, float)
        else (f"{baseline:12,d}" if baseline else " " * 12)
    )
    print(f"  {name:<26}{shown} {unit:<3}{base} {ratio}  {note}".rstrip(), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument(
        "--baseline-lines",
        type=int,
        default=200_000,
        help="lines of the finished job's baseline (at most --lines; a million lines as elements can exhaust a tab)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a small run for development: 50,000 lines, 5 s, 1,000 rows"
    )
    parser.add_argument(
        "--only", choices=["finished", "running", "batch"], action="append", help="run only these"
    )
    options = parser.parse_args()
    if options.quick:
        options.lines, options.seconds, options.rows = 50_000, 5.0, 1_000
    only = set(options.only or ["finished", "running", "batch"])
    header = f"  {'figure':<26}{'web app':>10}     {'baseline':>10}    ratio"
    with tempfile.TemporaryDirectory() as folder:
        stack = spawn(Path(folder) / "state", "--in-memory")
        try:
            if "finished" in only:
                started = time.monotonic()
                job_id = write_finished_job(stack, options.lines)
                seeded = time.monotonic() - started
                print(f"seeded a finished job of {options.lines:,} lines in {seeded:.1f} s", flush=True)
                f = drive(stack, "finished", job=job_id, lines=options.lines)
                base_lines = min(options.lines, options.baseline_lines)
                b = drive(stack, "finished_baseline", lines=base_lines)
                print(
                    f"finished job, {options.lines:,} lines (baseline: every line of {base_lines:,} lines as "
                    "elements in one <pre>, the old viewer):"
                )
                print(header)
                row("first screen", float(f["first_screen_ms"]), "ms", float(b["first_screen_ms"]))
                row("whole log held", float(f["all_lines_ms"]), "ms")
                row("DOM nodes", int(f["dom_nodes"]), "", int(b["dom_nodes"]), "budget 5,000")
                row(
                    "JS heap after GC",
                    float(f["heap_mb"]),
                    "MB",
                    float(b["heap_mb"]),
                    "the baseline's elements live outside the JS heap",
                )
                row(
                    "scroll frame p95",
                    float(f["scroll_p95_ms"]),
                    "ms",
                    float(b["scroll_p95_ms"]),
                    f"budget 16.7; {f['frames']} frames top→bottom",
                )
                row(
                    "search lands",
                    float(f["search_ms"]),
                    "ms",
                    float(b["search_ms"]),
                    f"{f['matches']} match",
                )
            if "running" in only:
                job_id = start_running_job(stack, options.rate, options.seconds)
                r = drive(stack, "running", job=job_id, seconds=options.seconds)
                b = drive(stack, "running_baseline", seconds=options.seconds, rate=options.rate)
                delays = firestore_to_screen(stack, job_id, r["shown"])
                print(
                    f"running job, {options.rate:,} lines/s for {options.seconds:.0f} s through a real runner "
                    "(baseline: the same lines appended as elements, following the bottom):"
                )
                print(header)
                row(
                    "frame p95",
                    float(r["frame_p95_ms"]),
                    "ms",
                    float(b["frame_p95_ms"]),
                    f"{r['frames']} frames",
                )
                row("Firestore → screen p50", percentile(delays, 0.5), "ms", note=f"{len(delays)} lines")
                row("Firestore → screen p95", percentile(delays, 0.95), "ms")
                row("child write → screen p50", float(r["delay_p50_ms"]), "ms")
                row("child write → screen p95", float(r["delay_p95_ms"]), "ms", note=f"{r['samples']} lines")
            if "batch" in only:
                batch_id = write_batch(stack, options.rows)
                t = drive(stack, "batch", batch=batch_id, rows=options.rows)
                b = drive(stack, "batch_baseline", rows=options.rows)
                print(
                    f"batch page, {options.rows:,} rows (baseline: a plain table of every row, data in the page):"
                )
                print(header)
                row(
                    "first screen of rows",
                    float(t["first_screen_ms"]),
                    "ms",
                    float(b["table_ms"]),
                    "web app: its first page of rows via Firestore",
                )
                row(
                    "table shown",
                    float(t["table_ms"]),
                    "ms",
                    float(b["table_ms"]),
                    "web app: every row via Firestore",
                )
                row("DOM nodes", int(t["dom_nodes"]), "", int(b["dom_nodes"]))
                row("sort by duration", float(t["sort_ms"]), "ms", float(b["sort_ms"]))
                row(
                    "scroll frame p95",
                    float(t["scroll_p95_ms"]),
                    "ms",
                    float(b["scroll_p95_ms"]),
                    "budget 16.7",
                )
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
