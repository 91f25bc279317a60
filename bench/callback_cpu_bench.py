"""CPU per output callback (issue 18): what the local functions server spends on one runner POST of a batch.

    .venv/bin/python bench/callback_cpu_bench.py                        # this tree alone
    .venv/bin/python bench/callback_cpu_bench.py --trees /work/main .   # A/B: each tree's code, same run

Per tree a ``tailrun dev --in-memory`` stack (``LocalStack``) runs in a child process started with that tree's
``.venv/bin/python``, so the functions server, its Flask app and the functions are that tree's code, and the
child's CPU is the server's alone (the embedded emulator and the storage emulator are its children, counted
apart). Its launcher runs ``tests/scenarios/capture_env.py`` instead of the runner: the bench plays the runners.
``--jobs`` jobs are created and started; then, in rounds, each tree in turn (the order alternating round by
round, so drift on the shared machine falls on both) gets ``--callbacks`` output callbacks, spread over the jobs,
each job one stop-and-wait sender on a kept-alive connection as the runner is: a batch of ``--lines`` lines like
the load bench's (``<n> <time_ns>``). Printed per tree: CPU-milliseconds per callback of the functions server
(user + system, from ``/proc``) and of its emulators, the median over rounds, and the ratios of the trees to the
first. The baseline, same run: the server's CPU per callback with an empty body, which the edge refuses (400)
before any Firestore RPC: what the HTTP server, Flask and the edge cost a request. Every answer must be the
expected one (a 200 with the right ``ack``; the 400), or the bench fails.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve()
CAPTURE = HERE.parents[1] / "tests" / "scenarios" / "capture_env.py"
TICKS = os.sysconf("SC_CLK_TCK")


def serve_stack(state_dir: str, capture_dir: str) -> None:
    """Child mode: a LocalStack whose launches are captured; its addresses as one JSON line; stop at stdin's end."""
    import logging

    from tailrun.local import jsonlog
    from tailrun.local.dev import DevOptions, LocalStack

    class BenchStack(LocalStack):
        def functions_env(self) -> dict[str, str]:
            command = json.dumps([sys.executable, str(CAPTURE), capture_dir])
            return {**super().functions_env(), "TAILRUN_RUNNER_COMMAND": command}

    jsonlog.configure(logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # as `tailrun dev` without --verbose
    stack = BenchStack(DevOptions(port=0, state_dir=Path(state_dir), in_memory=True, reap_interval_s=3600.0))
    stack.start()
    try:
        print(json.dumps({"url": stack.addresses.url, "token": stack.token}), flush=True)
        sys.stdin.read()
    finally:
        stack.stop()


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def descendants(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:  # a thread that ended meanwhile
            continue
    return [found for child in children for found in (child, *descendants(child))]


class Sender:
    """One job's runner: numbered output messages, POSTed one at a time on a kept-alive connection."""

    def __init__(self, url: str, variables: dict[str, str], lines: int) -> None:
        parts = urlsplit(variables.get("TAILRUN_CALLBACK_URL", url))
        self.conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
        self.path = parts.path or "/job_callback"
        self.job_id, self.attempt = variables["TAILRUN_JOB_ID"], int(variables["TAILRUN_ATTEMPT"])
        self.headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {variables['TAILRUN_TOKEN']}",
        }
        self.lines, self.seq, self.line = lines, 0, 0

    def send(self, type_: str, **fields: Any) -> None:
        message = {
            "job_id": self.job_id,
            "attempt": self.attempt,
            "seq": self.seq,
            "type": type_,
            "ts": int(time.time() * 1000),
            **fields,
        }
        data = json.dumps(message).encode()
        try:
            response, body = self._post(data)
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self.conn.close()  # a kept-alive connection the server closed while idle (as the runner does)
            response, body = self._post(data)
        if response.status != 200 or json.loads(body).get("ack") != self.seq:
            raise RuntimeError(f"callback seq {self.seq} answered {response.status}: {body[:300]!r}")
        self.seq += 1

    def _post(self, data: bytes) -> tuple[http.client.HTTPResponse, bytes]:
        self.conn.request("POST", self.path, body=data, headers=self.headers)
        response = self.conn.getresponse()
        return response, response.read()

    def refused(self) -> None:
        """The baseline: an empty body, answered 400 ``empty_body`` by the edge before any Firestore RPC (what
        the HTTP server, Flask and the edge cost a request)."""
        try:
            response, body = self._post(b"")
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self.conn.close()
            response, body = self._post(b"")
        if response.status != 400:
            raise RuntimeError(f"an empty callback answered {response.status}: {body[:300]!r}")

    def output(self) -> None:
        now = int(time.time() * 1000)
        batch = []
        for _ in range(self.lines):
            text = f"{self.line} {time.time_ns()}"
            batch.append({"line": self.line, "stream": "stdout", "ts": now, "text": text})
            self.line += 1
        self.send("output", lines=batch)


class Tree:
    """One tree's stack (in a child process run by the tree's own Python) and its played runners."""

    def __init__(self, root: Path, jobs: int, lines: int) -> None:
        self.root = root
        self.state = tempfile.TemporaryDirectory(prefix="callback-cpu-")
        self.capture = Path(self.state.name) / "launches"
        self.capture.mkdir()
        python = root / ".venv" / "bin" / "python"
        self.process = subprocess.Popen(
            [str(python), str(HERE), "--_stack", str(Path(self.state.name) / "stack"), str(self.capture)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=open(Path(self.state.name) / "stack.log", "w"),  # noqa: SIM115 (closed with the process)
            text=True,
            cwd=root,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the stack of {root} did not start: see {self.state.name}/stack.log")
        address = json.loads(line)
        self.senders = [self._start_job(address["url"], address["token"], lines) for _ in range(jobs)]

    def _start_job(self, url: str, token: str, lines: int) -> Sender:
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        conn.request("POST", "/create_job", body=json.dumps({"argv": ["make"]}), headers=headers)
        response = conn.getresponse()
        body = json.loads(response.read())
        if response.status != 201:
            raise RuntimeError(f"create_job answered {response.status}: {body}")
        path = self.capture / f"{body['job_id']}-1.json"
        deadline = time.monotonic() + 60
        while not path.exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"job {body['job_id']} was not launched")
            time.sleep(0.05)
        sender = Sender(url, json.loads(path.read_text()), lines)
        sender.send("started", sandbox={"hostname": "bench", "pid": 1})
        return sender

    def cpu(self) -> tuple[float, float]:
        """CPU seconds so far: the functions server's process, and its children's (the emulators)."""
        return cpu_s(self.process.pid), sum(cpu_s(pid) for pid in descendants(self.process.pid))

    def round(self, callbacks: int, *, refused: bool = False) -> tuple[float, float, float]:
        """Send ``callbacks`` output callbacks over the jobs (``refused``: empty ones, the baseline): CPU-ms per
        callback of the server and of the emulators, and callbacks per second."""
        per_job = [callbacks // len(self.senders)] * len(self.senders)
        server_before, emulators_before = self.cpu()
        started = time.perf_counter()

        errors: list[BaseException] = []

        def run(sender: Sender, count: int) -> None:
            try:
                for _ in range(count):
                    sender.refused() if refused else sender.output()
            except BaseException as exc:
                errors.append(exc)

        threads = [
            threading.Thread(target=run, args=(sender, count))
            for sender, count in zip(self.senders, per_job, strict=False)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        server_after, emulators_after = self.cpu()
        sent, elapsed = sum(per_job), time.perf_counter() - started
        return (
            1000 * (server_after - server_before) / sent,
            1000 * (emulators_after - emulators_before) / sent,
            sent / elapsed,
        )

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.state.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--trees", nargs="+", type=Path, default=[HERE.parents[1]], help="repositories to compare"
    )
    parser.add_argument("--jobs", type=int, default=4, help="jobs sending at once (default 4)")
    parser.add_argument("--lines", type=int, default=5, help="lines per output callback (default 5)")
    parser.add_argument(
        "--callbacks", type=int, default=400, help="callbacks per tree per round (default 400)"
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--_stack", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._stack:
        serve_stack(*args._stack)
        return
    trees = [Tree(root.resolve(), args.jobs, args.lines) for root in args.trees]
    figures: dict[Path, list[tuple[float, float, float]]] = {tree.root: [] for tree in trees}
    floors: dict[Path, list[float]] = {tree.root: [] for tree in trees}
    try:
        for tree in trees:  # warm up: the first requests import and build what later ones reuse
            tree.round(args.callbacks // 4)
        for n in range(args.rounds):
            for tree in trees if n % 2 == 0 else list(reversed(trees)):
                figures[tree.root].append(tree.round(args.callbacks))
                floors[tree.root].append(tree.round(args.callbacks, refused=True)[0])
    finally:
        for tree in trees:
            tree.close()
    print(
        f"{args.rounds} rounds x {args.callbacks} output callbacks of {args.lines} lines, {args.jobs} jobs at once"
    )
    print(
        f"{'tree':40} {'server CPU-ms/callback':>24} {'emulators CPU-ms/callback':>26} {'callbacks/s':>12} "
        f"{'baseline: server CPU-ms/refused':>32}"
    )
    medians = {}
    for root, rounds in figures.items():
        server = statistics.median(r[0] for r in rounds)
        emulators = statistics.median(r[1] for r in rounds)
        rate = statistics.median(r[2] for r in rounds)
        medians[root] = (server, emulators)
        spread = ", ".join(f"{r[0]:.2f}" for r in rounds)
        floor = statistics.median(floors[root])
        print(
            f"{root!s:40} {server:>24.2f} {emulators:>26.2f} {rate:>12.0f} {floor:>32.2f}"
            f"   (server by round: {spread})"
        )
    first = medians[trees[0].root]
    for root, (server, emulators) in list(medians.items())[1:]:
        print(
            f"{root!s} / {trees[0].root}: server {server / first[0]:.2f}x, emulators {emulators / first[1]:.2f}x"
        )


if __name__ == "__main__":
    main()
