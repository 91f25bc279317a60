"""Benchmark: tailrun's runner against two baselines, side by side, in one run.

    .venv/bin/python bench/runner_bench.py            # the comparison (about 2 minutes)
    .venv/bin/python bench/runner_bench.py --quick    # tailrun adaptive / old 25 ms at 20 and 1,000 lines/s
    .venv/bin/python bench/runner_bench.py --startup  # CPU of a runner whose job prints nothing (20 starts)
    .venv/bin/python bench/runner_bench.py --sweep    # plus tailrun's runner at several batch ages (+2 min)
    .venv/bin/python bench/runner_bench.py --latency-ms 20   # a callback that takes 20 ms to answer
    .venv/bin/python bench/runner_bench.py --events   # a chatty agent: events instead of lines (about 20 s)

A generator job prints lines at about 10, 1,000 and 100,000 lines/s; each line carries the time it was written.
The runner under test delivers them to a local receiver (a threaded ``http.server``) that notes when each line
arrived. Printed per runner and rate: lines delivered, lines/s delivered (first write to last arrival),
output requests per 1,000 lines, and p50/p99 of the write-to-arrival delay; and what those requests would cost in
Firestore per 1,000 lines (no Firestore here, so modelled as the callback writes: one chunk per output request,
plus the job and token documents at most once per ``TAILRUN_JOB_WRITE_INTERVAL_S`` (1 s) of output; reads: each
watcher reads each chunk once), with the ratio old / adaptive at each rate.

Runners:
- ``tailrun``: ``tailrun-runner`` as shipped (defaults from ``tailrun_runner.defaults``: adaptive batching).
- ``tailrun old 25 ms``: the same runner with the batching before issue 18 (a batch when its first line is 25 ms
  old: ``TAILRUN_BATCH_INTERVAL_MS=0 TAILRUN_BATCH_HEAVY_INTERVAL_MS=0 TAILRUN_BATCH_MAX_AGE_MS=25``).
- ``per-line``: one request per line, sent as the line is read (implemented here).
- ``seed 10/500ms``: the seed's BatchedUpdater: buffer lines, flush when 10 are buffered or every 500 ms
  from a timer thread, sending synchronously (implemented here).

``--events``: a chatty agent, one event per token delta (``::step tok N``) with an ordinary line after every 20,
at 100, 1,000 and 10,000 events/s and as fast as it can print; printed: events delivered, output requests per
1,000 events, and the Firestore writes they cost per 1,000 events: one chunk document per output message, plus the
job document, which the callback writes at most once per ``TAILRUN_JOB_WRITE_INTERVAL_S`` (1 s) whatever the rate.

A baseline that cannot keep up is stopped after ``--cap-s`` seconds; its row says how much it delivered.
The machine is shared and noisy: compare rows of one run, not figures across runs.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

RUNNER = os.path.join(os.path.dirname(sys.executable), "tailrun-runner")
# (lines/s, seconds of output); rate 0 means as fast as the job can print: 500,000 lines, to find the ceiling.
RATES: list[tuple[int, float]] = [(10, 3.0), (20, 3.0), (1_000, 3.0), (100_000, 2.0), (0, 500_000)]
OLD_BATCHING = {
    "TAILRUN_BATCH_INTERVAL_MS": "0",
    "TAILRUN_BATCH_HEAVY_INTERVAL_MS": "0",
    "TAILRUN_BATCH_MAX_AGE_MS": "25",
}
PAD = "x" * 48  # lines of ~80 bytes, like typical log lines
# --events: (events/s, seconds); rate 0: 100,000 events as fast as the job can print them.
EVENT_RATES: list[tuple[int, float]] = [(100, 3.0), (1_000, 3.0), (10_000, 2.0), (0, 100_000)]
EVENTS_PER_LINE = 20  # an ordinary line after every 20 events, as an agent's text among its deltas


# ---- the job: prints numbered, timestamped lines at a rate -------------------------------------------------


def generate(rate: float, duration: float) -> None:
    """Write ``rate * duration`` lines ``<n> <write time ns> <pad>``, keeping to the schedule in bursts.

    With rate 0, write ``duration`` lines as fast as possible, in bursts of 1,000.
    """
    out = sys.stdout
    if rate == 0:
        for first in range(0, int(duration), 1000):
            now_ns = time.time_ns()
            out.write(
                "".join(f"{n} {now_ns} {PAD}\n" for n in range(first, min(first + 1000, int(duration))))
            )
        out.flush()
        return
    total = int(rate * duration)
    start = time.monotonic()
    written = 0
    while written < total:
        due = min(total, int((time.monotonic() - start) * rate) + 1)
        if due > written:
            now_ns = time.time_ns()
            out.write("".join(f"{n} {now_ns} {PAD}\n" for n in range(written, due)))
            out.flush()
            written = due
        time.sleep(min(1 / rate, 0.001))


def generate_events(rate: float, duration: float) -> None:
    """Like ``generate``, but each unit is an event ``::step tok <n> <write time ns>``, with a line (as
    ``generate`` writes them) after every ``EVENTS_PER_LINE`` events."""
    out = sys.stdout

    def units(first: int, last: int, now_ns: int) -> str:
        text = []
        for n in range(first, last):
            text.append(f"::step tok {n} {now_ns}\n")
            if (n + 1) % EVENTS_PER_LINE == 0:
                text.append(f"{n} {now_ns} {PAD}\n")
        return "".join(text)

    if rate == 0:
        for first in range(0, int(duration), 1000):
            out.write(units(first, min(first + 1000, int(duration)), time.time_ns()))
        out.flush()
        return
    total = int(rate * duration)
    start = time.monotonic()
    written = 0
    while written < total:
        due = min(total, int((time.monotonic() - start) * rate) + 1)
        if due > written:
            out.write(units(written, due, time.time_ns()))
            out.flush()
            written = due
        time.sleep(min(1 / rate, 0.001))


# ---- the receiver ----------------------------------------------------------------------------------------


@dataclass
class Received:
    """What the receiver saw during one run."""

    output_requests: int = 0
    delays_ms: list[float] = field(default_factory=list)
    event_delays_ms: list[float] = field(default_factory=list)
    first_write_ns: int | None = None
    last_arrival_ns: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, lines: list[dict[str, Any]], events: list[dict[str, Any]], arrival_ns: int) -> None:
        writes = [int(line["text"].split(" ", 2)[1]) for line in lines]
        event_writes = [int(event["text"].rsplit(" ", 1)[1]) for event in events if event["kind"] == "step"]
        with self.lock:
            self.output_requests += 1
            self.delays_ms.extend((arrival_ns - w) / 1e6 for w in writes)
            self.event_delays_ms.extend((arrival_ns - w) / 1e6 for w in event_writes)
            writes += event_writes
            if writes:
                first = min(writes)
                self.first_write_ns = (
                    first if self.first_write_ns is None else min(self.first_write_ns, first)
                )
            self.last_arrival_ns = arrival_ns


class Receiver:
    """A local callback that acknowledges every message after ``latency_ms`` and records output lines."""

    def __init__(self, latency_ms: float) -> None:
        self.current = Received()
        self.latency_s = latency_ms / 1000
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:
                try:
                    message = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                except (ValueError, OSError):  # a runner stopped mid-request
                    self.close_connection = True
                    return
                arrival_ns = time.time_ns()
                if message.get("type") == "output":
                    receiver.current.add(message["lines"], message.get("events", []), arrival_ns)
                if receiver.latency_s:
                    time.sleep(receiver.latency_s)
                body = json.dumps({"ack": message["seq"]}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/job_callback"


class _QuietServer(ThreadingHTTPServer):
    """A server that does not print the broken connections of runners stopped mid-request."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        return


# ---- the baselines ---------------------------------------------------------------------------------------


class Poster:
    """Synchronous JSON POSTs over one kept-alive connection (what the seeds did, minus retries)."""

    def __init__(self, url: str, token: str) -> None:
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname or "", parts.port)
        self.path = parts.path
        self.headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        self.seq = 0
        self.lock = threading.Lock()

    def send(self, lines: list[dict[str, Any]]) -> None:
        with self.lock:
            body = json.dumps(
                {"seq": self.seq, "type": "output", "ts": time.time_ns() // 10**6, "lines": lines}
            )
            self.seq += 1
            self.conn.request("POST", self.path, body=body.encode(), headers=self.headers)
            self.conn.getresponse().read()


def baseline(kind: str) -> None:
    """Run ``TAILRUN_ARGV`` and deliver its stdout the baseline way: ``per-line`` or ``seed``."""
    poster = Poster(os.environ["TAILRUN_CALLBACK_URL"], os.environ["TAILRUN_TOKEN"])
    proc = subprocess.Popen(json.loads(os.environ["TAILRUN_ARGV"]), stdout=subprocess.PIPE)
    assert proc.stdout is not None
    buffer: list[dict[str, Any]] = []
    lock = threading.Lock()

    def flush() -> None:
        with lock:
            batch, buffer[:] = list(buffer), []
        if batch:
            poster.send(batch)

    def timer() -> None:
        while proc.poll() is None:
            time.sleep(0.5)
            flush()

    if kind == "seed":
        threading.Thread(target=timer, daemon=True).start()
    for n, raw in enumerate(proc.stdout):
        line = {
            "line": n,
            "stream": "stdout",
            "ts": time.time_ns() // 10**6,
            "text": raw.decode().rstrip("\n"),
        }
        if kind == "per-line":
            poster.send([line])
            continue
        with lock:
            buffer.append(line)
            full = len(buffer) >= 10
        if full:
            flush()
    proc.wait()
    flush()


# ---- running and reporting -------------------------------------------------------------------------------


@dataclass
class Row:
    runner: str
    rate: int
    written: int
    delivered: int
    lines_per_s: float
    requests_per_1000: float
    p50_ms: float
    p99_ms: float
    capped: bool
    seconds: float = 0.0  # of output (the job's schedule)

    def writes_per_1000(self) -> float:
        """Modelled Firestore writes per 1,000 lines: a chunk per request, the job and token documents at most
        once a second of output (never more often than there are requests)."""
        requests = self.requests_per_1000 * self.delivered / 1000
        flushes = min(requests, max(1.0, self.seconds))
        return 1000 * (requests + 2 * flushes) / self.delivered if self.delivered else float("nan")


def run_one(
    receiver: Receiver,
    name: str,
    command: list[str],
    rate: int,
    seconds: float,
    cap_s: float,
    extra_env: dict[str, str] | None = None,
) -> Row:
    """Run one runner on one rate; return its row."""
    receiver.current = Received()
    job = [sys.executable, os.path.abspath(__file__), "--generate", str(rate), str(seconds)]
    env = {
        **os.environ,
        "TAILRUN_JOB_ID": "bench",
        "TAILRUN_ATTEMPT": "1",
        "TAILRUN_CALLBACK_URL": receiver.url,
        "TAILRUN_TOKEN": "bench-token",
        "TAILRUN_ARGV": json.dumps(job),
        **(extra_env or {}),
    }
    # Its own process group, so a runner that cannot keep up is stopped with the job it started. (tailrun's job
    # has a group of its own; it dies of a broken pipe on its next write once its runner is gone.)
    proc = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL, start_new_session=True)
    capped = False
    try:
        proc.wait(timeout=(seconds if rate else 0) + cap_s)
    except subprocess.TimeoutExpired:
        capped = True
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    got = receiver.current
    with got.lock:
        delays = sorted(got.delays_ms)
        span_s = ((got.last_arrival_ns - (got.first_write_ns or 0)) / 1e9) if delays else 0.0
        requests = got.output_requests
    delivered = len(delays)
    return Row(
        runner=name,
        rate=rate,
        written=int(rate * seconds) if rate else int(seconds),
        delivered=delivered,
        lines_per_s=delivered / span_s if span_s else 0.0,
        requests_per_1000=1000 * requests / delivered if delivered else float("nan"),
        p50_ms=statistics.median(delays) if delays else float("nan"),
        p99_ms=delays[min(len(delays) - 1, int(len(delays) * 0.99))] if delays else float("nan"),
        capped=capped,
        seconds=seconds if rate else span_s,
    )


@dataclass
class EventRow:
    rate: int
    written: int
    delivered: int
    lines: int
    requests_per_1000: float
    writes_per_1000: float
    p50_ms: float


def run_events(receiver: Receiver, rate: int, seconds: float, cap_s: float) -> EventRow:
    """Run tailrun's runner on the chatty agent at one rate; return its row."""
    receiver.current = Received()
    job = [sys.executable, os.path.abspath(__file__), "--generate-events", str(rate), str(seconds)]
    env = {
        **os.environ,
        "TAILRUN_JOB_ID": "bench",
        "TAILRUN_ATTEMPT": "1",
        "TAILRUN_CALLBACK_URL": receiver.url,
        "TAILRUN_TOKEN": "bench-token",
        "TAILRUN_ARGV": json.dumps(job),
    }
    started = time.monotonic()
    proc = subprocess.Popen([RUNNER], env=env, stderr=subprocess.DEVNULL, start_new_session=True)
    proc.wait(timeout=(seconds if rate else 0) + cap_s)
    elapsed_s = time.monotonic() - started
    got = receiver.current
    with got.lock:
        delays = sorted(got.event_delays_ms)
        requests, lines = got.output_requests, len(got.delays_ms)
    delivered = len(delays)
    # One chunk per output message; the job document at most once a second (coalesced), and once at completion.
    writes = requests + int(elapsed_s) + 1
    return EventRow(
        rate=rate,
        written=int(rate * seconds) if rate else int(seconds),
        delivered=delivered,
        lines=lines,
        requests_per_1000=1000 * requests / delivered if delivered else float("nan"),
        writes_per_1000=1000 * writes / delivered if delivered else float("nan"),
        p50_ms=statistics.median(delays) if delays else float("nan"),
    )


def print_event_rows(rows: list[EventRow]) -> None:
    print("\na chatty agent: one event per token delta, a line after every 20 events")
    header = f"{'rate':>9} {'events delivered':>17} {'lines':>6} {'req/1k events':>13} {'writes/1k events':>16} {'p50 ms':>8}"
    print(header)
    print("-" * len(header))
    for row in rows:
        rate = f"{row.rate:>7}/s" if row.rate else f"{'max':>9}"
        print(
            f"{rate} {f'{row.delivered}/{row.written}':>17} {row.lines:>6} {row.requests_per_1000:>13.2f} "
            f"{row.writes_per_1000:>16.2f} {row.p50_ms:>8.1f}"
        )


def print_rows(title: str, rows: list[Row]) -> None:
    print(f"\n{title}")
    header = f"{'rate':>9} {'runner':<22} {'delivered':>17} {'lines/s':>9} {'req/1k lines':>12} {'p50 ms':>8} {'p99 ms':>8}"
    header += f" {'writes/1k (model)':>17} {'reads/1k/watcher':>16}"
    print(header)
    print("-" * len(header))
    for row in rows:
        delivered = f"{row.delivered}/{row.written}" + ("*" if row.capped else "")
        rate = f"{row.rate:>7}/s" if row.rate else f"{'max':>9}"
        print(
            f"{rate} {row.runner:<22} {delivered:>17} {row.lines_per_s:>9.0f} "
            f"{row.requests_per_1000:>12.1f} {row.p50_ms:>8.1f} {row.p99_ms:>8.1f} "
            f"{row.writes_per_1000():>17.1f} {row.requests_per_1000:>16.1f}"
        )
    by_rate = {(row.rate, row.runner): row for row in rows}
    for rate in dict.fromkeys(row.rate for row in rows):
        new, old = by_rate.get((rate, "tailrun")), by_rate.get((rate, "tailrun old 25 ms"))
        if new is None or old is None or not new.delivered or not old.delivered:
            continue
        print(
            f"{rate or 'max':>7}{'/s' if rate else ''}: old 25 ms / adaptive: requests (chunks) "
            f"{old.requests_per_1000:.1f} / {new.requests_per_1000:.1f} per 1,000 lines = "
            f"{old.requests_per_1000 / max(new.requests_per_1000, 1e-9):.1f}x; writes (model) "
            f"{old.writes_per_1000():.1f} / {new.writes_per_1000():.1f}; p50 delay {old.p50_ms:.0f} / {new.p50_ms:.0f} ms"
        )


def startup_cpu(receiver: Receiver, count: int) -> None:
    """CPU (user + system, ``os.wait4``'s rusage: the runner and its job) of a runner whose job prints nothing
    (``/bin/true``): secrets on an inherited memfd, as the local launcher hands them (one interpreter start), and
    in the environment (the runner re-executes itself without them: two starts)."""
    secrets = {"TAILRUN_TOKEN": "bench", "TAILRUN_ARGV": json.dumps(["/bin/true"])}
    base = {
        **os.environ,
        "TAILRUN_JOB_ID": "bench",
        "TAILRUN_ATTEMPT": "1",
        "TAILRUN_CALLBACK_URL": receiver.url,
    }
    print(f"\nrunner start-up: CPU of a runner whose job prints nothing, {count} starts each")
    for how in ("memfd (local launcher)", "environment (re-exec)"):
        cpu = []
        for _ in range(count):
            receiver.current = Received()
            if how.startswith("memfd"):
                fd = os.memfd_create("tailrun-secrets", os.MFD_CLOEXEC)
                os.write(fd, json.dumps(secrets).encode())
                os.lseek(fd, 0, os.SEEK_SET)
                env = {**base, "TAILRUN_SECRETS_FD": str(fd)}
                proc = subprocess.Popen(
                    [RUNNER], env=env, pass_fds=(fd,), stderr=subprocess.DEVNULL, start_new_session=True
                )
                os.close(fd)
            else:
                env = {**base, **secrets}
                proc = subprocess.Popen([RUNNER], env=env, stderr=subprocess.DEVNULL, start_new_session=True)
            _, status, usage = os.wait4(proc.pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                raise RuntimeError(f"the runner exited with {status}")
            cpu.append(usage.ru_utime + usage.ru_stime)
        print(
            f"  secrets by {how:<24} p50 {1000 * statistics.median(cpu):.0f} ms, min {1000 * min(cpu):.0f} ms, "
            f"max {1000 * max(cpu):.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sweep", action="store_true", help="also run tailrun at several batch ages")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="the callback's answer time")
    parser.add_argument(
        "--cap-s", type=float, default=12.0, help="stop a runner this long after its job ends"
    )
    parser.add_argument("--events", action="store_true", help="only the chatty agent's events")
    parser.add_argument(
        "--quick", action="store_true", help="only tailrun, adaptive and old, at 20 and 1,000 lines/s"
    )
    parser.add_argument("--startup", action="store_true", help="only the runner's start-up CPU")
    args = parser.parse_args()
    receiver = Receiver(args.latency_ms)
    if args.events:
        print_event_rows([run_events(receiver, rate, seconds, args.cap_s) for rate, seconds in EVENT_RATES])
        return
    if args.startup:
        startup_cpu(receiver, 20)
        return
    if args.quick:
        quick = [
            run_one(receiver, name, [RUNNER], rate, seconds, args.cap_s, env)
            for rate, seconds in ((20, 3.0), (1_000, 3.0))
            for name, env in (("tailrun", None), ("tailrun old 25 ms", OLD_BATCHING))
        ]
        print_rows("tailrun's adaptive batching against the old 25 ms batching", quick)
        return
    me = [sys.executable, os.path.abspath(__file__)]
    runners = [
        ("tailrun", [RUNNER], None),
        ("tailrun old 25 ms", [RUNNER], OLD_BATCHING),
        ("per-line", [*me, "--baseline", "per-line"], None),
        ("seed 10/500ms", [*me, "--baseline", "seed"], None),
    ]
    rows = [
        run_one(receiver, name, command, rate, seconds, args.cap_s, env)
        for rate, seconds in RATES
        for name, command, env in runners
    ]
    print_rows(
        f"callback answer time {args.latency_ms:.0f} ms; * = stopped after --cap-s, not all delivered", rows
    )
    if args.sweep:
        sweep = [
            run_one(
                receiver,
                f"tailrun age {age} ms",
                [RUNNER],
                rate,
                seconds,
                args.cap_s,
                {"TAILRUN_BATCH_MAX_AGE_MS": str(age)},
            )
            for rate, seconds in RATES[:3]
            for age in (0, 10, 25, 50, 100)
        ]
        print_rows("tailrun at several TAILRUN_BATCH_MAX_AGE_MS", sweep)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--generate"]:
        generate(float(sys.argv[2]), float(sys.argv[3]))
    elif sys.argv[1:2] == ["--generate-events"]:
        generate_events(float(sys.argv[2]), float(sys.argv[3]))
    elif sys.argv[1:2] == ["--baseline"]:
        baseline(sys.argv[2])
    else:
        main()
