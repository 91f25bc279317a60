"""Firestore cost and callback latency of the functions, with the real runner, on the embedded emulator.

Prints, per scenario: Firestore document writes and reads per 1,000 output lines and per job, RPCs, and the
callback latency p50/p99 (measured at the server: request in → response out, so runner and network time are
excluded). Baselines from the same run: a single-document write on the same emulator (what one callback costs at
least), and the writes a naive design would make (one document per line; the job document rewritten on every
message instead of coalesced: measured writes minus job-document writes plus one per callback).

How reads and writes are counted: the functions' own Firestore client (the one ``services.configure`` builds)
has its GAPIC methods wrapped: every Write in a Commit is one document write (a transform rides in its write);
every document named in a BatchGetDocuments is one read (a missing one is billed too); every document a RunQuery
returns is one read, and a query returning nothing counts one, as Firestore bills it. The bench's own polling uses
a separate client and is not counted.

The rated scenarios (20 and 1,000 lines/s) run twice in the same run: with the runner's adaptive batching (the
defaults, ``tailrun_runner.pacing``) and with the batching before issue 18 (a batch when its first line is 25 ms
old: ``TAILRUN_BATCH_INTERVAL_MS=0 TAILRUN_BATCH_HEAVY_INTERVAL_MS=0 TAILRUN_BATCH_MAX_AGE_MS=25``, set for the
runners the local launcher starts through ``TAILRUN_RUNNER_ENV``: it hands no ``TAILRUN_*`` variable of its own
environment to a runner), and the ratios old / adaptive of writes and reads per 1,000 lines are printed.
Issue 18's goal: at most 3 writes per 1,000 lines at 1,000 lines/s or more (every write counted: chunks, job
document flushes, token document updates).

Run: ``.venv/bin/python bench/functions_bench.py`` (about a minute), ``--quick`` (the rated scenarios only).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import requests
from google.cloud import firestore
from tailrun_functions.services import configure
from tailrun_functions.settings import Settings
from werkzeug.serving import make_server

from firestore_emulator import Emulator
from tailrun.local.functions_server import create_app, load_http_functions

PROJECT = "tailrun-bench"
TERMINAL = {"succeeded", "failed", "canceled", "timed_out"}


@dataclass
class Counters:
    writes: int = 0
    job_writes: int = 0
    reads: int = 0
    rpcs: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, *, writes: int = 0, job_writes: int = 0, reads: int = 0) -> None:
        with self.lock:
            self.writes += writes
            self.job_writes += job_writes
            self.reads += reads
            self.rpcs += 1

    def reset(self) -> None:
        with self.lock:
            self.writes = self.job_writes = self.reads = self.rpcs = 0
            self.latencies_ms = []


def _field(request: Any, name: str) -> Any:
    return request[name] if isinstance(request, dict) else getattr(request, name)


def count_rpcs(db: firestore.Client, counters: Counters) -> None:
    """Wrap the client's GAPIC methods so every document read and write is counted."""
    api = db._firestore_api
    if getattr(api, "_bench_counted", False):  # configure() hands the same client back for the same settings
        return
    api._bench_counted = True
    commit, batch_get, run_query = api.commit, api.batch_get_documents, api.run_query

    def counted_commit(request: Any = None, **kwargs: Any) -> Any:
        writes = _field(request, "writes")
        pbs = [getattr(w, "_pb", w) for w in writes]
        names = [pb.update.name for pb in pbs if pb.HasField("update")]
        job_writes = sum(
            1 for name in names if name.split("/documents/")[1].count("/") == 1 and "/documents/jobs/" in name
        )
        counters.add(writes=len(writes), job_writes=job_writes)
        return commit(request=request, **kwargs)

    def counted_batch_get(request: Any = None, **kwargs: Any) -> Any:
        counters.add(reads=len(_field(request, "documents")))
        return batch_get(request=request, **kwargs)

    def counted_query(request: Any = None, **kwargs: Any) -> Iterator[Any]:
        returned = 0
        for response in run_query(request=request, **kwargs):
            returned += 1 if "document" in response else 0
            yield response
        counters.add(reads=max(returned, 1))

    def counted(original: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            counters.add()
            return original(*args, **kwargs)

        return call

    api.begin_transaction, api.rollback = counted(api.begin_transaction), counted(api.rollback)
    api.commit, api.batch_get_documents, api.run_query = counted_commit, counted_batch_get, counted_query


def timed(app: Any, counters: Counters) -> Callable[..., Any]:
    """WSGI middleware recording the server-side latency of every /job_callback request."""

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") != "/job_callback":
            return app(environ, start_response)
        started = time.perf_counter()
        body = list(app(environ, start_response))
        with counters.lock:
            counters.latencies_ms.append((time.perf_counter() - started) * 1000)
        return body

    return middleware


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def job_script(lines: int, per_second: float | None) -> list[str]:
    """A job printing ``lines`` numbered lines, as fast as it can or at ``per_second`` (each line at its time)."""
    if per_second is None:
        code = f"for i in range({lines}):\n    print('line', i)"
    else:
        code = (
            f"import time\nt0 = time.time()\nfor i in range({lines}):\n"
            f"    d = t0 + i / {per_second} - time.time()\n    if d > 0:\n        time.sleep(d)\n"
            f"    print('line', i, flush=True)"
        )
    return [sys.executable, "-c", code]


# The runner's batching before issue 18 (a batch when its first line is 25 ms old), for the same-run baseline.
OLD_BATCHING = {
    "TAILRUN_BATCH_INTERVAL_MS": "0",
    "TAILRUN_BATCH_HEAVY_INTERVAL_MS": "0",
    "TAILRUN_BATCH_MAX_AGE_MS": "25",
}
ADAPTIVE, OLD = "adaptive", "old 25 ms"


@dataclass
class Scenario:
    name: str
    jobs: int
    lines: int
    per_second: float | None
    batching: str = ADAPTIVE


RATED = [
    Scenario("5,000 lines at 1,000 lines/s", 1, 5_000, 1000),
    Scenario("5,000 lines at 1,000 lines/s", 1, 5_000, 1000, OLD),
    Scenario("100 lines at 20 lines/s", 1, 100, 20),
    Scenario("100 lines at 20 lines/s", 1, 100, 20, OLD),
]
NOTHING = Scenario("a job printing nothing (the fixed cost)", 1, 0, None)
SCENARIOS = [
    Scenario("100,000 lines as fast as possible", 1, 100_000, None),
    *RATED,
    Scenario("20 jobs of 1 line each", 20, 1, None),
]


def run_scenario(
    scenario: Scenario, url: str, token: str, watcher: firestore.Client, counters: Counters
) -> dict[str, Any]:
    # the runners' batching: TAILRUN_RUNNER_ENV (the local launcher passes no TAILRUN_* of its own environment)
    os.environ["TAILRUN_RUNNER_ENV"] = json.dumps(OLD_BATCHING if scenario.batching == OLD else {})
    count_rpcs(configure(Settings.from_env()).db, counters)
    counters.reset()
    job_ids = []
    for _ in range(scenario.jobs):
        reply = requests.post(
            f"{url}/create_job",
            json={"argv": job_script(scenario.lines, scenario.per_second)},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        reply.raise_for_status()
        job_ids.append(reply.json()["job_id"])
    for job_id in job_ids:
        deadline = time.monotonic() + 300
        while (watcher.document(f"jobs/{job_id}").get().get("status")) not in TERMINAL:
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} did not end")
            time.sleep(0.1)
    time.sleep(0.2)  # let the last responses be timed
    chunks = sum(
        len(list(watcher.collection(f"jobs/{job_id}/chunks").select([]).stream())) for job_id in job_ids
    )
    total_lines = max(scenario.lines * scenario.jobs, 1)
    with counters.lock:
        latencies, writes, reads, rpcs = (
            list(counters.latencies_ms),
            counters.writes,
            counters.reads,
            counters.rpcs,
        )
        job_writes = counters.job_writes
    return {
        "scenario": scenario.name,
        "batching": scenario.batching,
        "jobs": scenario.jobs,
        "lines": total_lines,
        "callbacks": len(latencies),
        "chunks": chunks,
        "writes": writes,
        "reads": reads,
        "rpcs": rpcs,
        "writes_per_1000_lines": 1000 * writes / total_lines,
        "reads_per_1000_lines": 1000 * reads / total_lines,
        "writes_per_job": writes / scenario.jobs,
        "reads_per_job": reads / scenario.jobs,
        "job_doc_writes": job_writes,
        "naive_writes_per_1000_lines": 1000.0,  # one document per line
        "uncoalesced_writes_per_1000_lines": 1000 * (writes - job_writes + len(latencies)) / total_lines,
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
    }


def baseline_write_ms(client: firestore.Client, count: int = 300) -> tuple[float, float]:
    """p50/p99 of one document write on the same emulator: the floor under a callback's latency."""
    samples = []
    for i in range(count):
        started = time.perf_counter()
        client.collection("baseline").document(f"d{i % 10}").set({"i": i})
        samples.append((time.perf_counter() - started) * 1000)
    return percentile(samples, 0.5), percentile(samples, 0.99)


@contextlib.contextmanager
def logs_to_file(prefix: str = "functions-bench-") -> Iterator[str]:
    """Send this process's stderr (the server's request log, the runners' logs: they inherit it) to a file, so
    that only the figures reach the terminal; yields the file's path. The other benches use it too."""
    log = tempfile.NamedTemporaryFile(prefix=prefix, suffix=".log", delete=False)  # noqa: SIM115
    saved = os.dup(2)
    sys.stderr.flush()
    os.dup2(log.fileno(), 2)
    try:
        yield log.name
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="the rated scenarios only (20 and 1,000 lines/s)"
    )
    args = parser.parse_args()
    with logs_to_file() as log_path:
        results, write_p50, write_p99 = measure([NOTHING, *(RATED if args.quick else SCENARIOS)])
    report(results, write_p50, write_p99)
    print(f"(server and runner logs: {log_path})")


def measure(scenarios: list[Scenario]) -> tuple[list[dict[str, Any]], float, float]:
    """Run every scenario against a fresh emulator and functions server; the results and the write baseline."""
    token = secrets.token_hex(16)
    counters = Counters()
    with Emulator(host="127.0.0.1", port=0) as emulator:
        os.environ.update({"FIRESTORE_EMULATOR_HOST": emulator.address, "GOOGLE_CLOUD_PROJECT": PROJECT})
        app = timed(create_app(load_http_functions(), config={}, config_path="/_tailrun/config"), counters)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}"
        os.environ.update(
            {
                "TAILRUN_LAUNCHER": "local",
                "TAILRUN_AUTH": "dev",
                "TAILRUN_DEV_TOKEN": token,
                "TAILRUN_CALLBACK_URL": f"{url}/job_callback",
            }
        )
        watcher = firestore.Client(project=PROJECT)
        write_p50, write_p99 = baseline_write_ms(watcher)
        results = [run_scenario(scenario, url, token, watcher, counters) for scenario in scenarios]
        server.shutdown()
    return results, write_p50, write_p99


def report(results: list[dict[str, Any]], write_p50: float, write_p99: float) -> None:
    print(f"baseline: one document write on the emulator p50 {write_p50:.2f} ms, p99 {write_p99:.2f} ms")
    header = (
        f"{'scenario':36} {'batching':>9} {'lines':>7} {'cbacks':>6} {'chunks':>6} {'w/1k':>7} {'r/1k':>7} {'w/job':>7} "
        f"{'r/job':>7} {'naive w/1k':>10} {'uncoal w/1k':>11} {'p50 ms':>7} {'p99 ms':>7} {'p50/write':>9}"
    )
    print(header)
    for r in results:
        print(
            f"{r['scenario']:36} {r['batching']:>9} {r['lines']:>7} {r['callbacks']:>6} {r['chunks']:>6} "
            f"{r['writes_per_1000_lines']:>7.1f} {r['reads_per_1000_lines']:>7.1f} {r['writes_per_job']:>7.1f} "
            f"{r['reads_per_job']:>7.1f} {r['naive_writes_per_1000_lines']:>10.1f} "
            f"{r['uncoalesced_writes_per_1000_lines']:>11.1f} {r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} "
            f"{r['p50_ms'] / write_p50:>9.1f}"
        )
    fixed = next(r for r in results if r["lines"] <= 1 and r["jobs"] == 1)
    print(
        f"fixed cost of a job (created, launched, started, completed; no output): {fixed['writes']} writes, "
        f"{fixed['reads']} reads; 'output' below is per 1,000 lines without it (what the output itself costs)"
    )
    for name in dict.fromkeys(r["scenario"] for r in results):
        modes = {r["batching"]: r for r in results if r["scenario"] == name}
        if ADAPTIVE in modes and OLD in modes:
            new, old = modes[ADAPTIVE], modes[OLD]

            def net(r: dict[str, Any], kind: str) -> float:
                return 1000 * (r[kind] - fixed[kind] * r["jobs"]) / r["lines"]

            print(
                f"{name}: writes/1k lines {new['writes_per_1000_lines']:.1f} adaptive vs "
                f"{old['writes_per_1000_lines']:.1f} old ({old['writes'] / max(new['writes'], 1):.1f}x fewer), output "
                f"alone {net(new, 'writes'):.1f} vs {net(old, 'writes'):.1f}; reads/1k {new['reads_per_1000_lines']:.1f} "
                f"vs {old['reads_per_1000_lines']:.1f}, output alone {net(new, 'reads'):.1f} vs {net(old, 'reads'):.1f}; "
                f"chunks {new['chunks']} vs {old['chunks']}; callbacks {new['callbacks']} vs {old['callbacks']}"
            )
    print(
        json.dumps(
            {"results": results, "baseline_write_ms": {"p50": write_p50, "p99": write_p99}}, default=str
        )
    )
    print(
        f"(median callback latency {statistics.median([r['p50_ms'] for r in results]):.2f} ms across scenarios)"
    )


if __name__ == "__main__":
    main()
