"""Firestore writes per 1,000 events for a chatty agent, against the same number of plain lines (issue 12).

Two ways to drive the real functions (served over real HTTP, on the embedded emulator, Firestore RPCs counted as
``functions_bench`` counts them: every Write of a Commit is one document write):

- ``played`` (default): the bench plays the runner's side of the protocol: 10,000 events reported at a steady
  pace, batched as the runner batches (a batch goes when its first item has waited ``BATCH_MAX_AGE_MS`` or it holds
  ``BATCH_MAX_LINES`` items or ``BATCH_MAX_BYTES``), one message at a time (stop-and-wait), with a heartbeat at the
  time a callback's ``flush_in_ms`` names; each event a token delta of an agent's message (``kind: message``),
  the state after each batch as design §1 says. The baseline is the same pace and count of plain lines.
- ``--runner``: a real runner runs a job that prints 10,000 workflow commands (``::step …``) at that pace, against
  a job printing 10,000 plain lines. It needs the runner of issue 12: with an older one the commands are plain
  lines, and the bench says so (no events stored) instead of reporting a ratio.

Prints writes per 1,000 items (events or lines), the ratio chatty/baseline, job-document writes, chunks and
callbacks. Run: ``.venv/bin/python bench/events_bench.py [--runner] [--events N] [--rate PER_S]``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
from google.cloud import firestore
from tailrun_functions.attempts import fresh_state_fields
from tailrun_functions.services import configure
from tailrun_functions.settings import Settings
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent))
from functions_bench import TERMINAL, Counters, count_rpcs, logs_to_file, timed

from firestore_emulator import Emulator
from tailrun.local.functions_server import create_app, load_http_functions

PROJECT = "tailrun-events-bench"
ROOT = Path(__file__).resolve().parents[1]
CAPTURE = ROOT / "tests" / "scenarios" / "capture_env.py"
# The runner's defaults (runner_container/tailrun_runner/defaults.py), which a played runner batches by.
BATCH_MAX_LINES, BATCH_MAX_BYTES, BATCH_MAX_AGE_S, HEARTBEAT_S = 5000, 256 * 1024, 0.025, 10.0


class PlayedRunner:
    """One attempt's runner, played: numbers messages, lines and events, batches by the runner's rules."""

    def __init__(self, url: str, variables: dict[str, str]) -> None:
        self.url, self.token = url, variables["TAILRUN_TOKEN"]
        self.job_id, self.attempt = variables["TAILRUN_JOB_ID"], int(variables["TAILRUN_ATTEMPT"])
        self.seq = self.line = self.event = 0
        self.session = requests.Session()
        self.flush_at: float | None = None
        self.last_sent = time.monotonic()

    def send(self, type_: str, **fields: Any) -> None:
        body = {"job_id": self.job_id, "attempt": self.attempt, "seq": self.seq, "type": type_, **fields}
        body["ts"] = int(time.time() * 1000)
        self.seq += 1
        reply = self.session.post(
            f"{self.url}/job_callback",
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )
        reply.raise_for_status()
        hint = reply.json().get("flush_in_ms")
        self.flush_at = time.monotonic() + hint / 1000 if hint else None
        self.last_sent = time.monotonic()

    def idle(self) -> None:
        """A heartbeat when the last answer asked for one by now, or the heartbeat interval passed."""
        now = time.monotonic()
        if (self.flush_at is not None and now >= self.flush_at) or now - self.last_sent >= HEARTBEAT_S:
            self.send("heartbeat")

    def play(self, count: int, rate: float, events: bool) -> None:
        """``count`` items at ``rate`` per second: token deltas as events, or plain lines."""
        self.send("started", sandbox={"hostname": "bench"})
        start, batch, batch_bytes, first_at = time.monotonic(), [], 0, None
        state = fresh_state_fields()
        for i in range(count + 1):
            due = start + i / rate
            while True:
                now = time.monotonic()
                full = batch and (len(batch) >= BATCH_MAX_LINES or batch_bytes >= BATCH_MAX_BYTES)
                old = first_at is not None and now - first_at >= BATCH_MAX_AGE_S
                if full or old or (i == count and batch):
                    if events:
                        state = {**state, "events": self.event}
                        self.send("output", lines=[], events=batch, state=state)
                    else:
                        self.send("output", lines=batch)
                    batch, batch_bytes, first_at = [], 0, None
                    continue
                if i == count or now >= due:
                    break
                self.idle()
                time.sleep(min(due - now, 0.002))
            if i == count:
                break
            item: dict[str, Any]
            if events:
                item = {
                    "event": self.event,
                    "at_line": self.line,
                    "ts": int(time.time() * 1000),
                    "kind": "message",
                    "role": "assistant",
                    "text": f" token{i}",
                    "delta": True,
                }
                self.event += 1
            else:
                item = {
                    "line": self.line,
                    "stream": "stdout",
                    "ts": int(time.time() * 1000),
                    "text": f"line {i}",
                }
                self.line += 1
            batch.append(item)
            batch_bytes += len(json.dumps(item))
            first_at = first_at or time.monotonic()
        self.send("completed", exit_code=0, signal=None, duration_ms=1, lines=self.line, reason="exited")


def wait_for_file(path: Path, timeout: float = 30) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no launch recorded at {path}")
        time.sleep(0.02)
    return dict(json.loads(path.read_text()))


def create(url: str, token: str, spec: dict[str, Any]) -> str:
    reply = requests.post(
        f"{url}/create_job", json=spec, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    reply.raise_for_status()
    return str(reply.json()["job_id"])


def wait_ended(watcher: firestore.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 600
    while True:
        document = watcher.document(f"jobs/{job_id}").get().to_dict() or {}
        if document.get("status") in TERMINAL:
            return document
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} did not end")
        time.sleep(0.1)


def measure_one(
    name: str, run: Any, watcher: firestore.Client, counters: Counters, count: int
) -> dict[str, Any]:
    counters.reset()
    job_id = run()
    document = wait_ended(watcher, job_id)
    time.sleep(0.2)  # the last responses are counted
    chunks = len(list(watcher.collection(f"jobs/{job_id}/chunks").select([]).stream()))
    with counters.lock:
        writes, job_writes, callbacks = counters.writes, counters.job_writes, len(counters.latencies_ms)
    return {
        "scenario": name,
        "items": count,
        "events_stored": document.get("events", 0),
        "lines_stored": document.get("lines", 0),
        "status": document.get("status"),
        "callbacks": callbacks,
        "chunks": chunks,
        "writes": writes,
        "job_doc_writes": job_writes,
        "writes_per_1000": 1000 * writes / count,
    }


def pacing_script(count: int, rate: float, command: bool) -> list[str]:
    text = "'::step step ' + str(i)" if command else "'line ' + str(i)"
    code = (
        "import time\nstart = time.monotonic()\n"
        f"for i in range({count}):\n"
        f"    delay = start + i / {rate} - time.monotonic()\n"
        "    if delay > 0: time.sleep(delay)\n"
        f"    print({text}, flush=True)\n"
    )
    return [sys.executable, "-c", code]


def measure(args: argparse.Namespace) -> list[dict[str, Any]]:
    token = secrets.token_hex(16)
    counters = Counters()
    launches = Path(tempfile.mkdtemp(prefix="events-bench-"))
    with Emulator(host="127.0.0.1", port=0) as emulator:
        os.environ.update({"FIRESTORE_EMULATOR_HOST": emulator.address, "GOOGLE_CLOUD_PROJECT": PROJECT})
        app = timed(create_app(load_http_functions(), config={}, config_path="/_tailrun/config"), counters)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}"
        env = {
            "TAILRUN_LAUNCHER": "local",
            "TAILRUN_AUTH": "dev",
            "TAILRUN_DEV_TOKEN": token,
            "TAILRUN_CALLBACK_URL": f"{url}/job_callback",
            "TAILRUN_SANDBOX_ROOT": str(launches / "sandboxes"),
        }
        if not args.runner:  # launches only record the runner's variables: the bench plays the runner
            env["TAILRUN_RUNNER_COMMAND"] = json.dumps([sys.executable, str(CAPTURE), str(launches)])
        os.environ.update(env)
        count_rpcs(configure(Settings.from_env()).db, counters)
        watcher = firestore.Client(project=PROJECT)

        def played(events: bool) -> Any:
            def run() -> str:
                job_id = create(url, token, {"argv": ["agent"]})
                PlayedRunner(url, wait_for_file(launches / f"{job_id}-1.json")).play(
                    args.events, args.rate, events
                )
                return job_id

            return run

        def real(command: bool) -> Any:
            return lambda: create(url, token, {"argv": pacing_script(args.events, args.rate, command)})

        make = real if args.runner else played
        results = [
            measure_one(
                f"baseline: {args.events:,} plain lines", make(False), watcher, counters, args.events
            ),
            measure_one(f"chatty agent: {args.events:,} events", make(True), watcher, counters, args.events),
        ]
        server.shutdown()
    return results


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    mode = "a real runner (workflow commands)" if args.runner else "the runner's messages, played"
    print(f"driven by {mode}; {args.events:,} items at ~{args.rate:g}/s each")
    print(
        f"{'scenario':34} {'cbacks':>6} {'chunks':>6} {'writes':>6} {'job w':>6} {'w/1k':>7} {'stored':>14}"
    )
    for r in results:
        stored = f"{r['events_stored']} ev {r['lines_stored']} ln"
        print(
            f"{r['scenario']:34} {r['callbacks']:>6} {r['chunks']:>6} {r['writes']:>6} {r['job_doc_writes']:>6} "
            f"{r['writes_per_1000']:>7.1f} {stored:>14}"
        )
    baseline, chatty = results
    if chatty["events_stored"] == 0:
        print(
            "no events were stored: the runner does not report events (it needs issue 12's runner); no ratio"
        )
    else:
        ratio = chatty["writes_per_1000"] / baseline["writes_per_1000"]
        print(
            f"Firestore writes per 1,000 events: {chatty['writes_per_1000']:.1f}, "
            f"{ratio:.2f}x the same number of plain lines ({baseline['writes_per_1000']:.1f}); "
            f"a document per event would be 1000.0 ({1000 / chatty['writes_per_1000']:.0f}x more)"
        )
    print(json.dumps({"mode": "runner" if args.runner else "played", "results": results}))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runner", action="store_true", help="run a real runner instead of playing its messages"
    )
    parser.add_argument("--events", type=int, default=10_000, help="events (and baseline lines) per job")
    parser.add_argument("--rate", type=float, default=1000.0, help="items per second")
    args = parser.parse_args(argv)
    with logs_to_file("events-bench-") as log_path:
        results = measure(args)
    report(results, args)
    print(f"(server and runner logs: {log_path})")


if __name__ == "__main__":
    main(sys.argv[1:])
