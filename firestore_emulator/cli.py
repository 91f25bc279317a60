"""``python -m firestore_emulator`` / ``tailrun emulator``: run the emulator until interrupted.

Once both ports are bound it writes one ready line to stdout, ``firestore-emulator ready grpc=H:P http=H:P``,
which ``Emulator`` (the Python API) waits for; everything else goes to the log on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from firestore_emulator.rules import Ruleset, RulesRegistry, RulesSyntaxError
from firestore_emulator.server import EmulatorServer
from firestore_emulator.transactions import LOCK_WAIT_SECONDS

READY_PREFIX = "firestore-emulator ready"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="firestore_emulator", description="An embedded Firestore emulator (gRPC)."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="gRPC port; 0 picks a free one (default 8080)")
    parser.add_argument("--data-dir", type=Path, default=None, help="persist documents in SQLite here")
    parser.add_argument(
        "--http-port",
        type=int,
        default=None,
        help="also serve the HTTP admin API on this port (it is always on the gRPC port)",
    )
    parser.add_argument(
        "--lock-wait",
        type=float,
        default=LOCK_WAIT_SECONDS,
        help=f"seconds a commit or read waits for another transaction's lock before ABORTED (default {LOCK_WAIT_SECONDS:g})",
    )
    parser.add_argument(
        "--rules",
        type=Path,
        default=None,
        help="security rules file enforced for clients of every project (default: none, all allowed)",
    )
    parser.add_argument("--log-level", default="WARNING", help="logging level on stderr (default WARNING)")
    parser.add_argument("--exit-with-stdin", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator in the foreground; returns the process exit code."""
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    try:
        rules = load_rules(args.rules)
    except (OSError, RulesSyntaxError) as error:
        logging.getLogger(__name__).error("cannot load the rules %s: %s", args.rules, error)
        return 2
    try:
        asyncio.run(_serve(args, rules))
    except OSError as error:
        logging.getLogger(__name__).error("cannot start: %s", error)
        return 1
    return 0


def load_rules(path: Path | None) -> RulesRegistry:
    """The rules in force from the start: a file's ruleset for every project, or none (every request allowed)."""
    return RulesRegistry(Ruleset(path.read_text()) if path is not None else None)


async def _serve(args: argparse.Namespace, rules: RulesRegistry) -> None:
    server = EmulatorServer(args.host, args.port, args.data_dir, args.http_port, args.lock_wait, rules)
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if args.exit_with_stdin:  # the parent's pipe closes when the parent dies: never outlive it
        threading.Thread(target=_wait_for_eof, args=(loop, stop), daemon=True).start()
    sys.stdout.write(f"{READY_PREFIX} grpc={server.address} http={server.http_address}\n")
    sys.stdout.flush()
    await stop.wait()
    await server.stop()


def _wait_for_eof(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    while os.read(0, 4096):  # unbuffered: no lock for interpreter shutdown to trip over
        pass
    loop.call_soon_threadsafe(stop.set)
