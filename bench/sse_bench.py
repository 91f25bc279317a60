"""100 SSE clients on one running job against 1 (issue 16): child write → SSE event latency, and Firestore listeners.

The real functions on the local stack's own threaded server (``tailrun.local.functions_server.serve``), the embedded
emulator, the real runner: the job prints lines that carry the time they were written (``time.time_ns()``) at a
steady pace, and each client (a thread with ``sseclient-py`` over ``requests``) notes when each line's ``lines``
event reached it. Latency is receipt minus write, per line, over every client. The hub's listeners are sampled
while the job runs: one set of three (job, chunks, artifacts) is what 100 viewers should cost, not 300.

Run: ``.venv/bin/python bench/sse_bench.py [--clients 100] [--lines 600] [--rate 50]``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
import sseclient
from tailrun_functions.services import configure, shutdown
from tailrun_functions.settings import Settings
from tailrun_functions.streams import hub

from firestore_emulator import Emulator
from tailrun.local.functions_server import create_app, load_http_functions, serve

sys.path.insert(0, str(Path(__file__).resolve().parent))
from functions_bench import logs_to_file

PROJECT = "sse-bench"


def paced_job(lines: int, rate: float) -> list[str]:
    code = (
        "import time\nstart = time.monotonic()\n"
        f"for i in range({lines}):\n"
        f"    delay = start + i / {rate} - time.monotonic()\n"
        "    if delay > 0: time.sleep(delay)\n"
        "    print(f'{i} {time.time_ns()}', flush=True)\n"
    )
    return [sys.executable, "-c", code]


def client(url: str, token: str, job_id: str, latencies: list[float], lock: threading.Lock) -> int:
    """Read one stream to its end; record each line's write → receipt latency (ms). Returns lines received."""
    response = requests.get(
        f"{url}/events",
        params={"job_id": job_id},
        headers={"Authorization": f"Bearer {token}"},
        stream=True,
        timeout=120,
    )
    response.raise_for_status()
    mine: list[float] = []
    for event in sseclient.SSEClient(response.iter_content(chunk_size=None)).events():
        if event.event == "lines":
            now = time.time_ns()
            for line in json.loads(event.data)["lines"]:
                parts = line["text"].split()
                if len(parts) == 2 and parts[1].isdigit():
                    mine.append((now - int(parts[1])) / 1e6)
        elif event.event == "end":
            break
    response.close()
    with lock:
        latencies.extend(mine)
    return len(mine)


def run_once(url: str, token: str, clients: int, lines: int, rate: float) -> dict[str, Any]:
    reply = requests.post(
        f"{url}/create_job",
        json={"argv": paced_job(lines, rate)},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    reply.raise_for_status()
    job_id = reply.json()["job_id"]
    latencies: list[float] = []
    lock = threading.Lock()
    counts = [0] * clients

    def one(i: int) -> None:
        counts[i] = client(url, token, job_id, latencies, lock)

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    peak_listeners, peak_streams = 0, 0
    while any(thread.is_alive() for thread in threads):
        peak_listeners = max(peak_listeners, sum(h.listeners for h in hub.hubs()))
        peak_streams = max(peak_streams, sum(h.subscriptions for h in hub.hubs()))
        time.sleep(0.05)
    latencies.sort()
    return {
        "clients": clients,
        "lines_per_client": min(counts),
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[int(0.99 * (len(latencies) - 1))],
        "peak_listeners": peak_listeners,
        "peak_streams": peak_streams,
    }


def measure(args: argparse.Namespace) -> list[dict[str, Any]]:
    token = secrets.token_hex(16)
    sandboxes = Path(tempfile.mkdtemp(prefix="sse-bench-"))
    with Emulator(host="127.0.0.1", port=0) as emulator:
        os.environ.update({"FIRESTORE_EMULATOR_HOST": emulator.address, "GOOGLE_CLOUD_PROJECT": PROJECT})
        app = create_app(load_http_functions(), config={}, config_path="/_tailrun/config")
        server = serve(app, "127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}"
        env = {
            "TAILRUN_LAUNCHER": "local",
            "TAILRUN_AUTH": "dev",
            "TAILRUN_DEV_TOKEN": token,
            "TAILRUN_CALLBACK_URL": f"{url}/job_callback",
            "TAILRUN_SANDBOX_ROOT": str(sandboxes),
            "TAILRUN_SSE_MAX_STREAMS_PER_USER": str(args.clients + 1),
        }
        os.environ.update(env)
        configure(Settings.from_env())
        results = [
            run_once(url, token, 1, args.lines, args.rate),
            run_once(url, token, args.clients, args.lines, args.rate),
        ]
        shutdown()
        server.shutdown()
    return results


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print(f"one job printing {args.lines} timestamped lines at {args.rate:g}/s; each client reads its stream")
    print(f"{'clients':>7} {'lines':>6} {'p50 ms':>8} {'p99 ms':>8} {'listeners':>9} {'streams':>7}")
    for r in results:
        print(
            f"{r['clients']:>7} {r['lines_per_client']:>6} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
            f"{r['peak_listeners']:>9} {r['peak_streams']:>7}"
        )
    base, many = results
    print(
        f"{many['clients']} clients vs 1: p50 {many['p50_ms'] / base['p50_ms']:.2f}x, "
        f"p99 {many['p99_ms'] / base['p99_ms']:.2f}x, Firestore listeners "
        f"{many['peak_listeners']} vs {base['peak_listeners']} "
        f"({many['peak_listeners'] / max(1, base['peak_listeners']):.2f}x; one set per job: "
        f"{hub.LISTENERS_PER_FEED} listeners, where a listener set per stream would be "
        f"{hub.LISTENERS_PER_FEED * many['clients']})"
    )
    print(json.dumps({"results": results}))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--lines", type=int, default=600, help="lines the job prints")
    parser.add_argument("--rate", type=float, default=50.0, help="lines per second")
    args = parser.parse_args(argv)
    with logs_to_file("sse-bench-") as log_path:
        results = measure(args)
    report(results, args)
    print(f"(server and runner logs: {log_path})")


if __name__ == "__main__":
    main(sys.argv[1:])
