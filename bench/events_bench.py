"""Firestore writes per 1,000 events for a chatty agent, against the same number of plain lines (issue 12).

Two ways to drive the real functions (served over real HTTP, on the embedded emulator, Firestore RPCs counted as
``functions_bench`` counts them: every Write of a Commit is one document write):

- ``played`` (default): the bench plays the runner's side of the protocol: events reported at a steady pace,
  batched as the runner batches (its own ``tailrun_runner.pacing.Pacer``: a batch goes when it is full,
  ``BATCH_MAX_LINES`` items or ``BATCH_MAX_BYTES``, or at the pacer's time), one message at a time
  (stop-and-wait), with a heartbeat at the time a callback's ``flush_in_ms`` names; each event a token delta of
  an agent's message (``kind: message``), the state after each batch as design §1 says. The baseline is the same
  pace and count of plain lines.
- ``--runner``: a real runner runs a job that prints 10,000 workflow commands (``::step …``) at that pace, against
  a job printing 10,000 plain lines. It needs the runner of issue 12: with an older one the commands are plain
  lines, and the bench says so (no events stored) instead of reporting a ratio.

Each at 20 and 1,000 items/s (``--rates``), with the runner's adaptive batching (issue 18: the defaults) and with
the batching before it (a batch when its first item is 25 ms old; for ``--runner`` through the functions'
``TAILRUN_RUNNER_ENV``), in the same run. Prints writes and reads per 1,000 items (events or lines), the ratio
chatty/baseline, the ratio old/adaptive, job-document writes, chunks and callbacks. Run:
``.venv/bin/python bench/events_bench.py [--runner] [--seconds S] [--rates 20,1000]`` (about a minute).
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
from tailrun_runner import defaults as runner_defaults
from tailrun_runner.pacing import Pacer, Pacing
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent))
from functions_bench import TERMINAL, Counters, count_rpcs, logs_to_file, timed

from firestore_emulator import Emulator
from tailrun.local.functions_server import create_app, load_http_functions

PROJECT = "tailrun-events-bench"
ROOT = Path(__file__).resolve().parents[1]
CAPTURE = ROOT / "tests" / "scenarios" / "capture_env.py"
# The runner's defaults (runner_container/tailrun_runner/defaults.py), which a played runner batches by.
BATCH_MAX_LINES, BATCH_MAX_BYTES = runner_defaults.BATCH_MAX_LINES, runner_defaults.BATCH_MAX_BYTES
HEARTBEAT_S = runner_defaults.HEARTBEAT_S
ADAPTIVE, OLD = "adaptive", "old 25 ms"
PACINGS = {
    ADAPTIVE: Pacing(
        linger_s=runner_defaults.BATCH_MAX_AGE_MS / 1000,
        interval_s=runner_defaults.BATCH_INTERVAL_MS / 1000,
        heavy_interval_s=runner_defaults.BATCH_HEAVY_INTERVAL_MS / 1000,
        heavy_lines=runner_defaults.BATCH_HEAVY_LINES,
    ),
    OLD: Pacing(linger_s=0.025),  # before issue 18: a batch when its first item is 25 ms old
}
# The same two for a real runner (the functions' TAILRUN_RUNNER_ENV).
RUNNER_ENVS = {
    ADAPTIVE: {},
    OLD: {
        "TAILRUN_BATCH_INTERVAL_MS": "0",
        "TAILRUN_BATCH_HEAVY_INTERVAL_MS": "0",
        "TAILRUN_BATCH_MAX_AGE_MS": "25",
    },
}


class PlayedRunner:
    """One attempt's runner, played: numbers messages, lines and events, batches by the runner's rules."""

    def __init__(self, url: str, variables: dict[str, str], pacing: Pacing) -> None:
        self.pacer = Pacer(pacing)
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
                old = first_at is not None and now >= self.pacer.due_at(first_at)
                if full or old or (i == count and batch):
                    self.pacer.taken(now, len(batch))
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
                time.sleep(max(0.0, min(due - now, 0.002)))
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
    name: str, run: Any, watcher: firestore.Client, counters: Counters, count: int, rate: float, batching: str
) -> dict[str, Any]:
    counters.reset()
    job_id = run()
    document = wait_ended(watcher, job_id)
    time.sleep(0.2)  # the last responses are counted
    chunks = len(list(watcher.collection(f"jobs/{job_id}/chunks").select([]).stream()))
    with counters.lock:
        writes, job_writes, callbacks = counters.writes, counters.job_writes, len(counters.latencies_ms)
        reads = counters.reads
    return {
        "scenario": name,
        "rate": rate,
        "batching": batching,
        "reads": reads,
        "reads_per_1000": 1000 * reads / count,
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
        watcher = firestore.Client(project=PROJECT)
        results = []
        for rate in args.rates:
            count = args.events or max(100, int(rate * args.seconds))
            for batching in (ADAPTIVE, OLD):
                os.environ["TAILRUN_RUNNER_ENV"] = json.dumps(RUNNER_ENVS[batching])
                count_rpcs(configure(Settings.from_env()).db, counters)

                def played(
                    events: bool, count: int = count, rate: float = rate, batching: str = batching
                ) -> Any:
                    def run() -> str:
                        job_id = create(url, token, {"argv": ["agent"]})
                        variables = wait_for_file(launches / f"{job_id}-1.json")
                        PlayedRunner(url, variables, PACINGS[batching]).play(count, rate, events)
                        return job_id

                    return run

                def real(command: bool, count: int = count, rate: float = rate) -> Any:
                    return lambda: create(url, token, {"argv": pacing_script(count, rate, command)})

                make = real if args.runner else played
                for name, events in (
                    (f"baseline: {count:,} plain lines", False),
                    (f"chatty: {count:,} events", True),
                ):
                    results.append(measure_one(name, make(events), watcher, counters, count, rate, batching))
                    print(
                        f"... {rate:g}/s {batching}: {results[-1]['scenario']}", file=sys.stderr, flush=True
                    )
        server.shutdown()
    return results


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    mode = "a real runner (workflow commands)" if args.runner else "the runner's messages, played"
    print(f"driven by {mode}; writes and reads counted per job (its creation, start and completion included)")
    print(
        f"{'rate':>6} {'batching':>9} {'scenario':30} {'cbacks':>6} {'chunks':>6} {'writes':>6} {'job w':>6} "
        f"{'w/1k':>7} {'r/1k':>7} {'stored':>14}"
    )
    for r in results:
        stored = f"{r['events_stored']} ev {r['lines_stored']} ln"
        print(
            f"{r['rate']:>6g} {r['batching']:>9} {r['scenario']:30} {r['callbacks']:>6} {r['chunks']:>6} "
            f"{r['writes']:>6} {r['job_doc_writes']:>6} {r['writes_per_1000']:>7.1f} {r['reads_per_1000']:>7.1f} "
            f"{stored:>14}"
        )
    for rate in dict.fromkeys(r["rate"] for r in results):
        of = {(r["batching"], r["scenario"].split(":")[0]): r for r in results if r["rate"] == rate}
        for batching in (ADAPTIVE, OLD):
            baseline, chatty = of[(batching, "baseline")], of[(batching, "chatty")]
            if chatty["events_stored"] == 0:
                print(f"{rate:g}/s {batching}: no events were stored (the runner needs issue 12's); no ratio")
                continue
            print(
                f"{rate:g}/s {batching}: writes per 1,000 events {chatty['writes_per_1000']:.1f}, "
                f"{chatty['writes_per_1000'] / baseline['writes_per_1000']:.2f}x the same number of plain lines "
                f"({baseline['writes_per_1000']:.1f}); reads {chatty['reads_per_1000']:.1f} vs "
                f"{baseline['reads_per_1000']:.1f}"
            )
        for kind in ("baseline", "chatty"):
            new, old = of[(ADAPTIVE, kind)], of[(OLD, kind)]
            print(
                f"{rate:g}/s {kind}: old / adaptive writes {old['writes_per_1000']:.1f} / {new['writes_per_1000']:.1f}"
                f" = {old['writes'] / max(new['writes'], 1):.1f}x, reads {old['reads_per_1000']:.1f} / "
                f"{new['reads_per_1000']:.1f}, chunks {old['chunks']} / {new['chunks']}"
            )
    print(json.dumps({"mode": "runner" if args.runner else "played", "results": results}))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runner", action="store_true", help="run a real runner instead of playing its messages"
    )
    parser.add_argument(
        "--events",
        type=int,
        default=0,
        help="events (and baseline lines) per job (default: rate x seconds, at least 100)",
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds each job reports for")
    parser.add_argument(
        "--rates",
        type=lambda text: [float(x) for x in text.split(",")],
        default=[20.0, 1000.0],
        help="items per second, comma-separated",
    )
    args = parser.parse_args(argv)
    with logs_to_file("events-bench-") as log_path:
        results = measure(args)
    report(results, args)
    print(f"(server and runner logs: {log_path})")


if __name__ == "__main__":
    main(sys.argv[1:])
