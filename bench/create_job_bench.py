"""create_job under concurrency, and 20 concurrent ``tailrun run --detach`` (issue 11), on a real local stack.

The stack is started as ``tailrun dev`` starts it (``tailrun.local.dev.LocalStack``, in memory: the functions on
the threaded local server, the embedded Firestore emulator in its child process, the storage emulator), in this
process so that the runner can be swapped. Printed, each figure beside a baseline measured in the same run (the
machine is shared: read the ratios, not the absolute times):

1. create_job p50/p99 over HTTP with 1, 10 and 50 requests in flight at once, each wave of requests released
   together; once with the real runner launched (``python -m tailrun_runner`` running ``true``), once with a
   runner that exits at once (``true`` itself: the launch without the runner's start-up). Ratios are to the
   1-in-flight p50 of the same kind. Between waves the bench waits for the runners to end, so each wave meets an
   idle machine.
2. The emulator's commit latency at the same concurrency, a commit shaped as create_job's first one (four
   documents created), from a client of this process: the floor under create_job's two commits.
3. The CLI's start-up alone (``tailrun --help``): one, and 20 started at once from one shell.
4. The wall time of 20 concurrent ``tailrun run --detach -- true``, started as a user starts them (a shell loop
   with ``&``, in a session of its own), against 20 of them one after the other; and with a runner that exits at
   once, which separates the runners' start-up from the CLI's and the functions' share.

``--google`` runs 1, 2 and 4 again on a stack using Google's emulator (``tailrun dev --firestore-emulator google``),
where it is installed; ``--quick`` sends fewer requests. A final line holds every figure as JSON.

Run: ``.venv/bin/python -m bench create_job [--quick] [--google]`` (about two minutes; ``--quick`` about one).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from functions_bench import logs_to_file  # a sibling script: bench/ is on sys.path when run
from tailrun_functions import clients, services
from tailrun_functions.schema import LOCAL_PROJECT
from tailrun_functions.settings import Settings

from tailrun.local.dev import DevOptions, LocalStack

TAILRUN = [sys.executable, "-m", "tailrun"]
CONCURRENCY = (1, 10, 50)
TERMINAL = {"succeeded", "failed", "canceled", "timed_out"}
NO_RUNNER = json.dumps(["true"])  # TAILRUN_RUNNER_COMMAND of a runner that exits at once, reporting nothing
SETTLE_TIMEOUT_S = 120.0  # the longest wait for a wave's runners to end
CLI_BURST = 20  # the figure: 20 concurrent `tailrun run --detach`


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of ``values``; NaN for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Latency:
    """p50/p99 in milliseconds of one measured series."""

    p50_ms: float
    p99_ms: float
    samples: int

    @classmethod
    def of(cls, seconds: list[float]) -> Latency:
        return cls(percentile(seconds, 0.5) * 1000, percentile(seconds, 0.99) * 1000, len(seconds))


def in_waves(
    concurrency: int, waves: int, call: Callable[[], Any], settle: Callable[[list[Any]], None]
) -> list[float]:
    """Run ``call`` ``concurrency`` at a time, released together by a barrier, ``waves`` times; the latencies.

    After each wave ``settle`` gets the wave's results (and waits for what they started to end)."""
    latencies: list[float] = []
    for _ in range(waves):
        barrier = threading.Barrier(concurrency)

        def timed(barrier: threading.Barrier = barrier) -> tuple[float, Any]:
            barrier.wait()
            started = time.perf_counter()
            result = call()
            return time.perf_counter() - started, result

        with ThreadPoolExecutor(concurrency) as pool:
            outcomes = list(pool.map(lambda _: timed(), range(concurrency)))
        latencies += [seconds for seconds, _ in outcomes]
        settle([result for _, result in outcomes])
    return latencies


class Bench:
    """One running stack and the measurements made on it."""

    def __init__(self, stack: LocalStack, quick: bool) -> None:
        self.stack = stack
        self.quick = quick
        self.url = stack.addresses.url
        self.settings = Settings.from_env(stack.functions_env())
        self.watcher = clients.firestore_client(LOCAL_PROJECT, stack.addresses.firestore)
        self.cli_env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("TAILRUN_", "FIRESTORE_", "STORAGE_EMULATOR", "GOOGLE_CLOUD_PROJECT"))
        }
        self.cli_env["TAILRUN_URL"] = self.url

    @contextlib.contextmanager
    def runner(self, real: bool) -> Iterator[None]:
        """Serve with the real runner, or with one that exits at once; back to the stack's own settings after."""
        env = self.stack.functions_env()
        if not real:
            env["TAILRUN_RUNNER_COMMAND"] = NO_RUNNER
        services.configure(Settings.from_env(env))
        try:
            yield
        finally:
            services.configure(self.settings)

    def create_job(self) -> str:
        reply = requests.post(
            f"{self.url}/create_job",
            json={"argv": ["true"]},
            headers={"Authorization": f"Bearer {self.stack.token}"},
            timeout=SETTLE_TIMEOUT_S,
        )
        if reply.status_code != 201:
            raise RuntimeError(f"create_job answered {reply.status_code}: {reply.text[:300]}")
        return str(reply.json()["job_id"])

    def wait_ended(self, job_ids: list[str]) -> None:
        """Wait until every job has ended (its runner delivered ``completed``)."""
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        for job_id in job_ids:
            while (self.watcher.document(f"jobs/{job_id}").get().get("status")) not in TERMINAL:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"job {job_id} did not end within {SETTLE_TIMEOUT_S} s")
                time.sleep(0.1)

    def create_job_latencies(self, real: bool) -> dict[int, Latency]:
        """create_job at each concurrency, with the real runner or none."""
        settle: Callable[[list[Any]], None] = self.wait_ended if real else lambda _: time.sleep(0.5)
        figures = {}
        with self.runner(real):
            self.create_job()  # warm the connection pools and the code paths
            for concurrency in CONCURRENCY:
                waves = max(1, (10 if self.quick else 20) // concurrency)
                figures[concurrency] = Latency.of(in_waves(concurrency, waves, self.create_job, settle))
        return figures

    def commit_latencies(self) -> dict[int, Latency]:
        """A create_job-shaped commit (four documents created) on the stack's emulator, at each concurrency."""
        db = self.watcher
        counter = iter(range(10**9))
        lock = threading.Lock()

        def commit() -> None:
            with lock:
                n = next(counter)
            batch = db.batch()
            for collection in ("bench_jobs", "bench_secrets", "bench_attempts", "bench_tokens"):
                batch.create(db.document(f"{collection}/c{n}"), {"owner": "bench", "n": n, "text": "x" * 200})
            batch.commit()

        commit()
        waves = 2 if self.quick else 4
        return {
            c: Latency.of(in_waves(c, max(1, waves * 10 // c), commit, lambda _: None)) for c in CONCURRENCY
        }

    def cli_startup(self) -> dict[str, float]:
        """``tailrun --help`` alone: one (median of 3), and CLI_BURST at once from one shell."""
        one = []
        for _ in range(3):
            started = time.perf_counter()
            subprocess.run([*TAILRUN, "--help"], env=self.cli_env, capture_output=True, check=True)
            one.append(time.perf_counter() - started)
        burst = self.shell_burst(f"{' '.join(TAILRUN)} --help >/dev/null", CLI_BURST)[0]
        return {"one_s": statistics.median(one), f"{CLI_BURST}_at_once_s": burst}

    def shell_burst(self, command: str, count: int) -> tuple[float, list[str]]:
        """Start ``command`` ``count`` times at once from one shell in a session of its own, as a user's
        ``for …; do tailrun … & done; wait`` does; the wall time and the lines printed. Any failure raises."""
        script = f"for i in $(seq {count}); do ({command} || echo FAILED) & done; wait"
        started = time.perf_counter()
        done = subprocess.run(
            ["sh", "-c", script], env=self.cli_env, capture_output=True, text=True, start_new_session=True
        )
        wall = time.perf_counter() - started
        lines = done.stdout.split()
        if done.returncode != 0 or "FAILED" in lines:
            raise RuntimeError(f"a command of the burst failed: {done.stdout[-500:]} {done.stderr[-2000:]}")
        return wall, lines

    def run_detach(self) -> dict[str, float]:
        """CLI_BURST ``tailrun run --detach -- true`` one after the other (the baseline) and at once; and at
        once with a runner that exits at once."""
        command = [*TAILRUN, "run", "--detach", "--", "true"]
        started = time.perf_counter()
        sequential = []
        for _ in range(CLI_BURST):
            done = subprocess.run(command, env=self.cli_env, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"tailrun run --detach failed: {done.stderr[-2000:]}")
            sequential.append(done.stdout.strip())
        sequential_s = time.perf_counter() - started
        self.wait_ended(sequential)
        concurrent_s, job_ids = self.shell_burst(" ".join(command), CLI_BURST)
        self.wait_ended(job_ids)
        with self.runner(real=False):
            no_runner_s, _ = self.shell_burst(" ".join(command), CLI_BURST)
        return {
            "sequential_s": sequential_s,
            "concurrent_s": concurrent_s,
            "concurrent_no_runner_s": no_runner_s,
        }


@contextlib.contextmanager
def running_stack(state_root: Path, firestore_emulator: str | None) -> Iterator[LocalStack]:
    """A LocalStack as ``tailrun dev --in-memory [--firestore-emulator …]`` runs it, stopped after."""
    options = DevOptions(
        port=0,
        state_dir=state_root / (firestore_emulator or "embedded"),
        in_memory=True,
        reap_interval_s=3600.0,  # no reaper pass during a measurement
        external_firestore=firestore_emulator,
    )
    stack = LocalStack(options)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


def measure(stack: LocalStack, quick: bool, *, full: bool) -> dict[str, Any]:
    bench = Bench(stack, quick)
    figures: dict[str, Any] = {"create_job_real_runner": bench.create_job_latencies(real=True)}
    if full:
        figures["create_job_no_runner"] = bench.create_job_latencies(real=False)
    figures["emulator_commit"] = bench.commit_latencies()
    if full:
        figures["cli_startup"] = bench.cli_startup()
    figures["run_detach"] = bench.run_detach()
    return figures


def report(label: str, figures: dict[str, Any]) -> None:
    print(f"--- {label} ---")
    print(f"{'':34}" + "".join(f"{f'{c} in flight':>26}" for c in CONCURRENCY))
    for key, name in (
        ("create_job_real_runner", "create_job, real runner"),
        ("create_job_no_runner", "create_job, runner exits at once"),
        ("emulator_commit", "emulator commit (4 creates)"),
    ):
        if key not in figures:
            continue
        series: dict[int, Latency] = figures[key]
        base = series[1].p50_ms
        cells = "".join(
            f"{f'{s.p50_ms:7.1f}/{s.p99_ms:7.1f} ms ({s.p50_ms / base:4.1f}x)':>26}" for s in series.values()
        )
        print(f"{name:34}{cells}")
    print(f"{'':34}(p50/p99; the ratio is the p50 to the 1-in-flight p50)")
    if "cli_startup" in figures:
        cli = figures["cli_startup"]
        print(
            f"CLI start-up alone (tailrun --help): one {cli['one_s']:.2f} s; {CLI_BURST} at once "
            f"{cli[f'{CLI_BURST}_at_once_s']:.2f} s"
        )
    run = figures["run_detach"]
    print(
        f"{CLI_BURST} x tailrun run --detach: at once {run['concurrent_s']:.2f} s; one after the other "
        f"{run['sequential_s']:.2f} s (at once / one after the other: "
        f"{run['concurrent_s'] / run['sequential_s']:.2f}); at once with a runner that exits at once "
        f"{run['concurrent_no_runner_s']:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer requests (a smoke run)")
    parser.add_argument(
        "--google", action="store_true", help="measure on Google's emulator too, if installed"
    )
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch, logs_to_file("create-job-bench-") as log_path:
        with running_stack(Path(scratch), None) as stack:
            results["embedded"] = measure(stack, args.quick, full=True)
        if args.google:
            from firestore_emulator.google import unavailable_reason

            reason = unavailable_reason()
            if reason is None:
                with running_stack(Path(scratch), "google") as stack:
                    results["google"] = measure(stack, args.quick, full=False)
            else:
                results["google"] = {"skipped": reason}
    report("the stack on the embedded emulator", results["embedded"])
    if "google" in results:
        if "skipped" in results["google"]:
            print(f"--- Google's emulator: skipped ({results['google']['skipped']}) ---")
        else:
            report("the stack on Google's emulator", results["google"])
    print(json.dumps(results, default=lambda o: o.__dict__))
    print(f"(stack and runner logs: {log_path})")


if __name__ == "__main__":
    main()
