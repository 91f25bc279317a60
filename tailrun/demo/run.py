"""`make demo`: a real job through the whole local stack, its output shown live, then everything stopped.

It starts `tailrun dev` as a child process (free ports, a throw-away state directory, nothing left behind), runs
``tailrun.demo.job`` (about ten seconds of output and progress) exactly as `tailrun run` would, follows it through
Firestore listeners while it runs, shows how it ended, and stops the stack. It needs nothing but the checkout's
``.venv``: no cloud account, no Java, no network.
"""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

from tailrun.cli import jobs
from tailrun.cli.client import Stack, StackConfig
from tailrun.cli.follow import Follower
from tailrun.cli.render import TerminalDisplay, exit_code_for, status_table
from tailrun.errors import TailrunError
from tailrun.local import dev

console = Console(stderr=True, highlight=False, soft_wrap=True)


def _run_job(url: str) -> int:
    """Submit the demo job to the stack at ``url`` and follow it live; the job's exit code."""
    stack = Stack(StackConfig.discover({"TAILRUN_URL": url}))
    try:
        argv = [sys.executable, "-u", "-m", "tailrun.demo.job"]
        console.print(f"\n[bold]$ tailrun run -- {shlex.join(['python', *argv[1:]])}[/]")
        job_id = jobs.submit(
            stack,
            {"argv": argv, "timeout_s": 120, "max_attempts": 1, "labels": {"source": "demo"}, "env": {}},
        )
        display = TerminalDisplay(job_id)
        with display:
            job = jobs.follow(stack, job_id, Follower(display, first_attempt=1))
        display.summary(job)
        console.print(f"\n[bold]$ tailrun status {job_id}[/]")
        console.print(status_table(job))
        return exit_code_for(job)
    finally:
        stack.close()


def main() -> int:
    """Start the stack, run the job, stop the stack; 0 when the job succeeded."""
    started = time.monotonic()
    console.print(
        "[bold]tailrun demo[/]: starting a local stack (Firestore emulator, storage emulator, "
        "functions, local sandboxes, reaper)…"
    )
    with tempfile.TemporaryDirectory(prefix="tailrun-demo-") as temporary:
        env = {
            key: value for key, value in os.environ.items() if not key.startswith(("TAILRUN_", "FIRESTORE_"))
        }
        try:
            stack = dev.spawn(Path(temporary) / "state", "--in-memory", "--reap-interval", "5", env=env)
        except TailrunError as error:
            console.print(f"[bold red]The local stack did not start.[/] {error}")
            return 1
        console.print(
            f"stack ready at [bold]{stack.url}[/] in {time.monotonic() - started:.1f} s "
            "(`tailrun dev` runs the same stack for you)"
        )
        try:
            code = _run_job(stack.url)
        except TailrunError as error:
            console.print(
                f"[bold red]Error:[/] {error}\nThe stack's log:\n{stack.log.read_text(errors='replace')}"
            )
            code = 1
        except KeyboardInterrupt:
            console.print("\ninterrupted")
            code = 130
        finally:
            console.print("\nstopping the stack…")
            stack.stop()
    console.print(
        f"[bold]demo finished[/] in {time.monotonic() - started:.1f} s; the job exited with {code}. "
        "Next: `tailrun dev` in one terminal, `tailrun run -- <your command>` in another."
    )
    return code
