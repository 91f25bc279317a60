"""The whole local stack under load (issue 18): N jobs printing 10 lines/s each, W watchers of every job's chunks.

    .venv/bin/python bench/load_bench.py            # N x W in 10x1, 20x3, 50x5, 100x10 (about 15 minutes)
    .venv/bin/python bench/load_bench.py --quick    # 10x1 and 20x3 (about 3 minutes)
    .venv/bin/python bench/load_bench.py --sizes 50x5 --seconds 20 --modes adaptive
    .venv/bin/python bench/load_bench.py --sizes 1x1,10x1 --rate 1   # lines printed after a second of quiet

Per size, twice in the same run: with the runner's adaptive batching (``tailrun_runner.pacing``, the defaults) and
with the batching as it was before issue 18 (a batch when its first line is 25 ms old:
``TAILRUN_BATCH_INTERVAL_MS=0 TAILRUN_BATCH_HEAVY_INTERVAL_MS=0 TAILRUN_BATCH_MAX_AGE_MS=25``, passed to the runners
as the functions' ``TAILRUN_RUNNER_ENV``), the ratios printed.

Each measurement starts a fresh ``tailrun dev --in-memory`` stack (``LocalStack``, in a child process of its own so
that its CPU is its own: the functions server with its threads; the embedded Firestore emulator and the storage
emulator are its children, the runners too, each with its job). Then:

- ``create_job`` N times, 8 in flight (the CLI's ``tailrun run --detach``): p50/p99 of the HTTP answer.
- W watcher processes, each with its own Firestore client and one listener per job on ``jobs/{id}/chunks``
  as ``tailrun logs -f`` opens it for the job's output (the CLI's ``ChunkWindow``), and one more process with a
  collection-group listener on every job's chunks (a dashboard of all jobs).
- Once every job runs and every listener has its first snapshot, the jobs start printing together: 10 lines/s,
  each line ``<n> <time.time_ns() at the write>``, for ``--seconds``.
- Each listener notes when each line arrived. Printed: child write → listener p50/p99 over every (watcher, line),
  split into write → commit (the chunk's ``created_at``, set by ``job_callback`` in its transaction) and commit →
  listener; the same for the collection-group listener; chunk documents (so chunk writes and every watcher's
  reads) per 1,000 lines; lines that never reached a watcher within ``SETTLE_S`` of the jobs' end, and in brackets
  those the collection-group listener had not received by then (it lags: its Python client re-sorts every
  chunk of every job on each snapshot).
- CPU per component over the printing window (``/proc``: user + system time, in cores): the functions server
  (the stack's process), the emulator, the runners, the jobs, the watchers; and the same as CPU-seconds per 1,000
  lines delivered, so what a size needs follows (100 jobs x 10 lines/s = 1,000 lines/s: the cores needed are the
  CPU-seconds per 1,000 lines of the stack's components, the watchers apart).

The machine is shared (2 cores, other engineers' work): compare the two modes of one run, not runs across days.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve()
RATE = 10.0  # lines/s per job (``--rate``: 1 measures a line printed after a second of quiet)
CREATE_IN_FLIGHT = 8
SETTLE_S = 30.0  # after the jobs end, how long the watchers may still wait for lines
READY_TIMEOUT_S = 300.0
FULL_SIZES = [(10, 1), (20, 3), (50, 5), (100, 10)]
QUICK_SIZES = [(10, 1), (20, 3)]
MODES = {
    "adaptive": {},
    "fixed 25 ms": {
        "TAILRUN_BATCH_INTERVAL_MS": "0",
        "TAILRUN_BATCH_HEAVY_INTERVAL_MS": "0",
        "TAILRUN_BATCH_MAX_AGE_MS": "25",
    },
}

# The job: waits for the go file (it holds the wall time to start at), then prints ``count`` lines at ``rate``.
JOB = """
import os, sys, time
go, count, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
while not os.path.exists(go):
    time.sleep(0.02)
start = float(open(go).read() or 0)
for n in range(count):
    delay = start + n / rate - time.time()
    if delay > 0:
        time.sleep(delay)
    print(n, time.time_ns(), flush=True)
"""


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# ---- the stack, in a child process ---------------------------------------------------------------------------


def serve_stack(state_dir: str, runner_env: str) -> None:
    """Child mode: run a LocalStack, print its addresses as one JSON line, stop when stdin closes.

    ``runner_env`` (a JSON object) reaches the runners as the functions' ``TAILRUN_RUNNER_ENV``: the local launcher
    hands a runner no ``TAILRUN_*`` variable of its own environment, so the batching settings must go this way
    (before this, the "fixed 25 ms" mode set them in the stack's environment, where no runner saw them)."""
    import logging

    from tailrun.local import jsonlog
    from tailrun.local.dev import DevOptions, LocalStack

    class BenchStack(LocalStack):
        def functions_env(self) -> dict[str, str]:
            return {**super().functions_env(), "TAILRUN_RUNNER_ENV": runner_env}

    jsonlog.configure(logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # as `tailrun dev` without --verbose
    options = DevOptions(port=0, state_dir=Path(state_dir), in_memory=True, reap_interval_s=3600.0)
    stack = BenchStack(options)
    stack.start()
    try:
        address = {"url": stack.addresses.url, "firestore": stack.addresses.firestore, "token": stack.token}
        print(json.dumps(address), flush=True)
        sys.stdin.read()
    finally:
        stack.stop()


@contextlib.contextmanager
def stack_process(
    env: dict[str, str], log: IO[str]
) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    with tempfile.TemporaryDirectory(prefix="load-bench-") as state:
        process = subprocess.Popen(
            [sys.executable, str(HERE), "--_stack", state, json.dumps(env)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("the stack did not start (see the log)")
            yield process, json.loads(line)
        finally:
            assert process.stdin is not None
            process.stdin.close()
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# ---- watchers, each in a child process -----------------------------------------------------------------------


class Arrivals:
    """What one watcher process saw arrive, per job: each line's arrival (once), the chunks, and each job's release
    mark moved as a follower's is (a ``LineAssembler`` per job). Called on the client's threads: locked."""

    def __init__(self, job_ids: list[str], expected: int) -> None:
        from tailrun.cli.follow import LineAssembler, ReleaseMark

        self.job_ids = job_ids
        self.expected = expected
        self.lock = threading.Lock()
        self.seen: set[tuple[str, int]] = set()
        self.chunks: set[tuple[str, Any, Any]] = set()
        self.samples: list[tuple[int, int, int]] = []  # (write ns, commit ns, arrival ns)
        self.done = threading.Event()
        self.assemblers = {job_id: LineAssembler() for job_id in job_ids}
        self.marks = {job_id: ReleaseMark() for job_id in job_ids}

    def chunk(self, job_id: str, data: dict[str, Any]) -> None:
        """One chunk of ``job_id`` arrived now."""
        arrived = time.time_ns()
        with self.lock:
            self.chunks.add((job_id, data.get("attempt"), data.get("seq")))
            created = data.get("created_at")
            commit_ns = int(created.timestamp() * 1e9) if created is not None else arrived
            for line in data.get("lines", []):
                parts = str(line.get("text", "")).split()
                if len(parts) != 2 or not all(p.isdigit() for p in parts):
                    continue
                key = (job_id, int(parts[0]))
                if key not in self.seen:
                    self.seen.add(key)
                    self.samples.append((int(parts[1]), commit_ns, arrived))
            assembler = self.assemblers[job_id]
            assembler.add_chunk(data)
            assembler.ready_output()
            self.marks[job_id].received(data)
            self.marks[job_id].advance(int(data.get("attempt") or 1), assembler)
            if len(self.seen) >= self.expected:
                self.done.set()

    def result(self) -> dict[str, Any]:
        with self.lock:
            per_job: dict[str, int] = {}
            for job_id, _ in self.seen:
                per_job[job_id] = per_job.get(job_id, 0) + 1
            wanted = self.expected / len(self.job_ids)
            short = {
                job_id: per_job.get(job_id, 0) for job_id in self.job_ids if per_job.get(job_id, 0) < wanted
            }
            return {
                "samples": self.samples,
                "chunks": len(self.chunks),
                "lines": len(self.seen),
                "expected": self.expected,
                "short": short,
            }


def watch(emulator: str, jobs_file: str, group: bool) -> None:
    """Child mode: listen to every job's chunks as ``tailrun logs -f`` does (or all chunks, with ``group``); say
    ``ready`` once each listener has its first snapshot; when stdin closes (or every line came), print what arrived
    when as JSON.

    Each job's chunks are listened to through the CLI's own ``ChunkWindow`` (``tailrun.cli.follow``): the same
    ``__name__ >`` query, moved past what the job's ``LineAssembler`` has released (``ReleaseMark``) once it holds
    more than ``CHUNK_WINDOW`` chunks. The collection-group listener (a dashboard of all jobs) is one listener."""
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator
    from google.cloud import firestore
    from tailrun_functions.schema import LOCAL_PROJECT

    from tailrun.cli.follow import ChunkWindow

    job_ids: list[str] = json.loads(Path(jobs_file).read_text())["jobs"]
    arrivals = Arrivals(job_ids, json.loads(Path(jobs_file).read_text())["lines"] * len(job_ids))
    db = firestore.Client(project=LOCAL_PROJECT)
    first = threading.Semaphore(0)

    def on_group_snapshot(_docs: Any, changes: list[Any], _read_time: Any) -> None:
        for change in changes:
            job_id = change.document.reference.parent.parent.id
            if change.type.name == "ADDED" and job_id in arrivals.assemblers:
                arrivals.chunk(job_id, change.document.to_dict() or {})
        first.release()

    def window_of(job_id: str) -> ChunkWindow:
        window = ChunkWindow(
            db.collection(f"jobs/{job_id}/chunks"), lambda data: arrivals.chunk(job_id, data)
        )
        window.open()
        return window

    windows: dict[str, ChunkWindow] = {}
    group_watch = db.collection_group("chunks").on_snapshot(on_group_snapshot) if group else None
    if group_watch is not None:
        first.acquire()
    else:
        windows = {job_id: window_of(job_id) for job_id in job_ids}
        while not all(window.pushed for window in windows.values()):  # each listener's first snapshot
            time.sleep(0.05)
    print("ready", flush=True)
    while not arrivals.done.is_set():
        readable, _, _ = select.select([sys.stdin], [], [], 0.2)
        if readable and not sys.stdin.readline():
            break
        for job_id, window in windows.items():
            window.slide(arrivals.marks[job_id].mark)
    result = {**arrivals.result(), "window_moves": sum(window.slides for window in windows.values())}
    print(json.dumps(result), flush=True)
    with contextlib.suppress(Exception):
        for window in windows.values():
            window.close()
        if group_watch is not None:
            group_watch.unsubscribe()
    os._exit(0)  # the client's listener threads need not wind down


# ---- CPU from /proc ------------------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, float, str]]:
    """Every process: pid → (ppid, CPU seconds, command line)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = (
                Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            )
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, cmdline)
    return found


def cpu_by_component(stack_pid: int, watcher_pids: set[int], group_pid: int) -> dict[int, tuple[str, float]]:
    """pid → (component, CPU seconds so far) for the stack's process tree and the watchers."""
    procs = _processes()
    out: dict[int, tuple[str, float]] = {}

    def component(pid: int) -> str | None:
        chain = []
        while pid in procs and pid > 1:
            chain.append(pid)
            if pid == stack_pid:
                break
            pid = procs[pid][0]
        else:
            return None
        cmd = procs[chain[0]][2]
        if chain[0] == stack_pid:
            return "functions server"
        if "firestore_emulator" in cmd:
            return "emulator"
        if "tailrun_runner" in cmd or "tailrun-runner" in cmd:
            return "runners"
        if any("tailrun_runner" in procs[p][2] for p in chain[1:]):
            return "jobs"
        return "other (storage emulator)"

    for pid, (_, cpu, _) in procs.items():
        if pid == group_pid:
            out[pid] = ("group watcher", cpu)
        elif pid in watcher_pids:
            out[pid] = ("watchers", cpu)
        elif (name := component(pid)) is not None:
            out[pid] = (name, cpu)
    return out


def cpu_delta(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]], wall: float
) -> dict[str, float]:
    """Cores used per component between two samples (processes present in ``after``)."""
    cores: dict[str, float] = {}
    for pid, (name, cpu) in after.items():
        used = cpu - before.get(pid, (name, 0.0))[1] if pid in before else cpu
        cores[name] = cores.get(name, 0.0) + used / wall
    return cores


# ---- one measurement -----------------------------------------------------------------------------------------


@dataclass
class Figures:
    jobs: int
    watchers: int
    mode: str
    create_ms: list[float] = field(default_factory=list)
    latency_ms: list[float] = field(default_factory=list)
    to_commit_ms: list[float] = field(default_factory=list)
    to_listener_ms: list[float] = field(default_factory=list)
    group_ms: list[float] = field(default_factory=list)
    chunks: int = 0
    lines: int = 0
    missing: int = 0
    group_missing: int = 0
    cores: dict[str, float] = field(default_factory=dict)
    window_lines: float = 0.0  # lines the jobs printed during the CPU window (jobs x rate x window)
    error: str = ""

    def cpu_per_1000_lines(self) -> dict[str, float]:
        """CPU-seconds per 1,000 lines delivered, per component, over the CPU window (cores x window / lines)."""
        if not self.window_lines:
            return {}
        return {name: 1000 * cores * self.window_s / self.window_lines for name, cores in self.cores.items()}

    window_s: float = 0.0

    def summary(self) -> dict[str, Any]:
        def p(values: list[float]) -> dict[str, float]:
            return {"p50": percentile(values, 0.5), "p99": percentile(values, 0.99)}

        return {
            "jobs": self.jobs,
            "watchers": self.watchers,
            "mode": self.mode,
            "create_job_ms": p(self.create_ms),
            "child_to_listener_ms": p(self.latency_ms),
            "child_to_commit_ms": p(self.to_commit_ms),
            "commit_to_listener_ms": p(self.to_listener_ms),
            "group_listener_ms": p(self.group_ms),
            "chunks_per_1000_lines": 1000 * self.chunks / self.lines if self.lines else float("nan"),
            "lines": self.lines,
            "missing": self.missing,
            "group_missing": self.group_missing,
            "cores": self.cores,
            "cpu_s_per_1000_lines": self.cpu_per_1000_lines(),
            "error": self.error,
        }


def create_jobs(url: str, token: str, count: int, argv: list[str], figures: Figures) -> list[str]:
    import requests

    session = requests.Session()

    def create(_: int) -> str:
        started = time.perf_counter()
        reply = session.post(
            f"{url}/create_job",
            json={"argv": argv},
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )
        figures.create_ms.append((time.perf_counter() - started) * 1000)
        if reply.status_code != 201:
            raise RuntimeError(f"create_job answered {reply.status_code}: {reply.text[:300]}")
        return str(reply.json()["job_id"])

    with ThreadPoolExecutor(CREATE_IN_FLIGHT) as pool:
        return list(pool.map(create, range(count)))


def wait_status(db: Any, job_ids: list[str], statuses: set[str], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    pending = set(job_ids)
    while pending:
        refs = [db.document(f"jobs/{job_id}") for job_id in pending]
        for snapshot in db.get_all(refs):
            if snapshot.get("status") in statuses:
                pending.discard(snapshot.id)
        if pending and time.monotonic() > deadline:
            raise TimeoutError(f"{len(pending)} jobs not {sorted(statuses)} within {timeout_s:.0f} s")
        time.sleep(0.2)


def start_watcher(emulator: str, jobs_file: str, group: bool) -> subprocess.Popen[str]:
    argv = [sys.executable, str(HERE), "--_watch", emulator, jobs_file] + (["--group"] if group else [])
    return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def measure(jobs: int, watchers: int, mode: str, seconds: float, log: IO[str], rate: float = RATE) -> Figures:
    figures = Figures(jobs, watchers, mode)
    lines = int(rate * seconds)
    with (
        tempfile.TemporaryDirectory(prefix="load-bench-run-") as scratch,
        stack_process(MODES[mode], log) as (
            stack,
            address,
        ),
    ):
        go = Path(scratch) / "go"
        os.environ["FIRESTORE_EMULATOR_HOST"] = address["firestore"]
        from google.cloud import firestore
        from tailrun_functions.schema import LOCAL_PROJECT

        db = firestore.Client(project=LOCAL_PROJECT)
        argv = [sys.executable, "-c", JOB, str(go), str(lines), str(rate)]
        job_ids = create_jobs(address["url"], address["token"], jobs, argv, figures)
        jobs_file = Path(scratch) / "jobs.json"
        jobs_file.write_text(json.dumps({"jobs": job_ids, "lines": lines}))
        procs = [start_watcher(address["firestore"], str(jobs_file), False) for _ in range(watchers)]
        group = start_watcher(address["firestore"], str(jobs_file), True)
        try:
            for proc in [*procs, group]:
                assert proc.stdout is not None
                if proc.stdout.readline().strip() != "ready":
                    raise RuntimeError("a watcher did not start")
            wait_status(db, job_ids, {"running"}, READY_TIMEOUT_S)
            watcher_pids = {proc.pid for proc in procs}
            start = time.time() + 1.0
            go.write_text(repr(start))
            time.sleep(max(0.0, start - time.time() + 0.5))
            before, at = cpu_by_component(stack.pid, watcher_pids, group.pid), time.monotonic()
            time.sleep(max(1.0, seconds - 1.5))
            after = cpu_by_component(stack.pid, watcher_pids, group.pid)
            figures.window_s = time.monotonic() - at
            figures.cores = cpu_delta(before, after, figures.window_s)
            figures.window_lines = jobs * rate * figures.window_s
            wait_status(db, job_ids, {"succeeded", "failed", "canceled", "timed_out"}, seconds + 300)
            settle_until = time.monotonic() + SETTLE_S  # one deadline for all of them
            results = [collect(proc, settle_until) for proc in procs]
            grouped = collect(group, settle_until)
        finally:
            for proc in [*procs, group]:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
    for result in results:
        for write_ns, commit_ns, arrived_ns in result["samples"]:
            figures.latency_ms.append((arrived_ns - write_ns) / 1e6)
            figures.to_commit_ms.append((commit_ns - write_ns) / 1e6)
            figures.to_listener_ms.append((arrived_ns - commit_ns) / 1e6)
        figures.missing += result["expected"] - result["lines"]
        if result["short"]:
            print(f"    a watcher lacks lines of {len(result['short'])} jobs: {result['short']}", flush=True)
    figures.group_ms = [(arrived - write) / 1e6 for write, _, arrived in grouped["samples"]]
    figures.group_missing = grouped["expected"] - grouped["lines"]
    figures.chunks = results[0]["chunks"] if results else grouped["chunks"]
    figures.lines = jobs * lines
    return figures


def collect(proc: subprocess.Popen[str], settle_until: float) -> dict[str, Any]:
    """A watcher's result: it ends by itself once it has every line; otherwise it is told to at ``settle_until``
    (monotonic)."""
    assert proc.stdout is not None and proc.stdin is not None
    readable, _, _ = select.select([proc.stdout], [], [], max(0.0, settle_until - time.monotonic()))
    if not readable:
        proc.stdin.close()
    result: dict[str, Any] = json.loads(proc.stdout.readline())
    proc.wait(30)
    return result


# ---- report --------------------------------------------------------------------------------------------------


def report(rows: list[Figures]) -> None:
    print(
        f"{'N x W':>8} {'batching':>12} {'child->listener p50/p99 ms':>27} {'->commit p50':>12} "
        f"{'commit->l p50':>13} {'group p50/p99 ms':>17} {'create_job p50/p99 ms':>22} {'chunks/1k':>9} "
        f"{'missing (group)':>15}  CPU cores"
    )
    for r in rows:
        s = r.summary()
        if r.error:
            print(f"{r.jobs:>4}x{r.watchers:<3} {r.mode:>12} failed: {r.error}")
            continue
        cores = ", ".join(f"{name} {value:.2f}" for name, value in sorted(s["cores"].items()))
        print(
            f"{r.jobs:>4}x{r.watchers:<3} {r.mode:>12} "
            f"{s['child_to_listener_ms']['p50']:>13.0f}/{s['child_to_listener_ms']['p99']:<13.0f} "
            f"{s['child_to_commit_ms']['p50']:>12.0f} {s['commit_to_listener_ms']['p50']:>13.0f} "
            f"{s['group_listener_ms']['p50']:>8.0f}/{s['group_listener_ms']['p99']:<8.0f} "
            f"{s['create_job_ms']['p50']:>11.0f}/{s['create_job_ms']['p99']:<10.0f} "
            f"{s['chunks_per_1000_lines']:>9.0f} {f'{r.missing} ({r.group_missing})':>15}  {cores}"
        )
    by_size: dict[tuple[int, int], dict[str, Figures]] = {}
    for r in rows:
        if not r.error:
            by_size.setdefault((r.jobs, r.watchers), {})[r.mode] = r
    for (jobs, watchers), modes in by_size.items():
        new, old = modes.get("adaptive"), modes.get("fixed 25 ms")
        if new is None or old is None:
            continue
        n, o = new.summary(), old.summary()
        ratio = [
            f"{name} {o[key]['p50'] / n[key]['p50']:.1f}x"
            for key, name in (("child_to_listener_ms", "latency p50"), ("group_listener_ms", "group p50"))
        ]
        ratio.append(f"chunks {o['chunks_per_1000_lines'] / n['chunks_per_1000_lines']:.1f}x fewer")
        stack_new = sum(v for k, v in n["cores"].items() if k in ("functions server", "emulator"))
        stack_old = sum(v for k, v in o["cores"].items() if k in ("functions server", "emulator"))
        ratio.append(f"functions+emulator CPU {stack_old:.2f} -> {stack_new:.2f} cores")
        print(f"{jobs:>4}x{watchers:<3} fixed 25 ms / adaptive: " + "; ".join(ratio))
    print("CPU-seconds per 1,000 lines delivered (over the printing window), per component:")
    for r in rows:
        if r.error:
            continue
        per = r.cpu_per_1000_lines()
        stack = sum(per.get(name, 0.0) for name in ("functions server", "emulator", "runners", "jobs"))
        parts = ", ".join(f"{name} {value:.3f}" for name, value in sorted(per.items()))
        print(
            f"{r.jobs:>4}x{r.watchers:<3} {r.mode:>12}: {parts}; the stack (functions+emulator+runners+jobs) {stack:.3f}"
        )
    print(
        "(the cores a size needs: its lines/s x the CPU-seconds per line; e.g. 100 jobs x 10 lines/s = 1,000 lines/s,"
        " so 1 core per 1.0 CPU-second per 1,000 lines, watchers apart)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="only 10x1 and 20x3, 10 s each")
    parser.add_argument("--sizes", help="N x W list, e.g. 50x5,100x10")
    parser.add_argument("--seconds", type=float, help="seconds the jobs print (default 20; --quick 10)")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of: {', '.join(MODES)}")
    parser.add_argument(
        "--rate", type=float, default=RATE, help=f"lines/s each job prints (default {RATE:g})"
    )
    parser.add_argument("--_stack", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--_watch", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--group", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._stack:
        serve_stack(*args._stack)
        return
    if args._watch:
        watch(*args._watch, group=args.group)
        return
    sizes = QUICK_SIZES if args.quick else FULL_SIZES
    if args.sizes:
        sizes = [tuple(int(x) for x in size.split("x")) for size in args.sizes.split(",")]  # type: ignore[misc]
    seconds = args.seconds or (10.0 if args.quick else 20.0)
    modes = [mode.strip() for mode in args.modes.split(",")]
    rows = []
    with tempfile.NamedTemporaryFile("w", prefix="load-bench-", suffix=".log", delete=False) as log:
        for jobs, watchers in sizes:
            for mode in modes:
                print(f"... {jobs} jobs x {watchers} watchers, {mode}, {args.rate:g} lines/s", flush=True)
                try:
                    rows.append(measure(jobs, watchers, mode, seconds, log, args.rate))
                except (RuntimeError, TimeoutError, OSError, ValueError) as exc:
                    failed = Figures(jobs, watchers, mode, error=f"{type(exc).__name__}: {exc}")
                    rows.append(failed)
                print(f"    {json.dumps(rows[-1].summary())}", flush=True)  # each as it comes: a run is long
    report(rows)
    print(json.dumps([row.summary() for row in rows]))
    print(f"(stack and runner logs: {log.name})")


if __name__ == "__main__":
    main()
