"""The `tailrun` command line: submit and follow jobs, inspect them, and run the local stack.

Every command reads as a sentence when it fails (``tailrun.errors``), never as a stack trace. `tailrun run` ends with
the job's own exit code; when tailrun itself fails it ends with 125 (as `docker run` does), so the two never mix.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.prompt import Confirm

from tailrun import settings
from tailrun.cli import artifacts as job_artifacts
from tailrun.cli import jobs
from tailrun.cli.client import Stack
from tailrun.cli.follow import Follower
from tailrun.cli.render import (
    TerminalDisplay,
    artifacts_table,
    clean,
    exit_code_for,
    jobs_table,
    status_table,
)
from tailrun.errors import TailrunError

logger = logging.getLogger(__name__)

app = typer.Typer(
    name="tailrun",
    help="Run commands as serverless jobs and watch their output live, line by line, in order.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
PIPE_WIDTH = 160  # columns of tables written to a pipe or a file (a terminal's own width otherwise)
out = Console(highlight=False, width=None if sys.stdout.isatty() else PIPE_WIDTH)
err = Console(stderr=True, highlight=False, soft_wrap=True)
T = TypeVar("T")

JobId = Annotated[str, typer.Argument(help="The job's id (see `tailrun jobs`).", show_default=False)]


def _connected(action: Callable[[Stack], T]) -> T:
    """Run ``action`` on the stack named by the environment, closing the connection afterwards."""
    stack = Stack.connect()
    try:
        return action(stack)
    finally:
        stack.close()


def _pairs(values: list[str], option: str) -> dict[str, str]:
    """``KEY=VALUE`` options as a dict."""
    result = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            raise TailrunError(f"{option} takes KEY=VALUE, got {value!r}.")
        result[key] = rest
    return result


@app.command(context_settings={"allow_interspersed_args": False})
def run(
    command: Annotated[
        list[str], typer.Argument(help="The command and its arguments, after `--`.", show_default=False)
    ],
    detach: Annotated[
        bool, typer.Option("--detach", "-d", help="Submit, print the job id and return.")
    ] = False,
    timeout: Annotated[
        int | None, typer.Option(help="Longest run, in seconds (default: the stack's).")
    ] = None,
    idle_timeout: Annotated[
        int | None, typer.Option(help="Longest silence, in seconds, before the job is reaped.")
    ] = None,
    max_attempts: Annotated[int, typer.Option(help="Attempts in all, retries included.")] = 1,
    label: Annotated[list[str], typer.Option("--label", "-l", help="KEY=VALUE label (repeatable).")] = [],  # noqa: B006
    env: Annotated[
        list[str], typer.Option("--env", "-e", help="KEY=VALUE for the job's environment (repeatable).")
    ] = [],  # noqa: B006
    idempotency_key: Annotated[
        str | None, typer.Option(help="Submitting twice with one key makes one job.")
    ] = None,
    artifact: Annotated[
        list[str],
        typer.Option(
            "--artifact",
            "-a",
            help="Glob pattern, relative to the job's working directory, of files to keep as artifacts when the job "
            "ends (repeatable; `**` matches any depth). See them with `tailrun artifacts JOB`.",
        ),
    ] = [],  # noqa: B006
) -> None:
    """Run COMMAND as a job and follow its output live; exit with the job's exit code.

    Ctrl-C asks whether to cancel the job (in a terminal) or detaches from it (the job keeps running).
    """
    spec: dict[str, Any] = {
        "argv": command,
        "max_attempts": max_attempts,
        "labels": _pairs(label, "--label"),
        "env": _pairs(env, "--env"),
    }
    if artifact:
        spec["artifacts"] = artifact
    for key, value in (
        ("timeout_s", timeout),
        ("idle_timeout_s", idle_timeout),
        ("idempotency_key", idempotency_key),
    ):
        if value is not None:
            spec[key] = value
    try:
        code = _connected(lambda stack: _run(stack, spec, detach))
    except TailrunError as error:
        error.exit_code = settings.EXIT_TAILRUN_ERROR
        raise
    raise typer.Exit(code)


def _run(stack: Stack, spec: dict[str, Any], detach: bool) -> int:
    job_id = jobs.submit(stack, spec)
    if detach:
        out.print(job_id)
        err.print(f"Follow it with `tailrun logs {job_id} -f`.", style="dim")
        return 0
    return _follow_interruptibly(stack, job_id)


def _follow_interruptibly(stack: Stack, job_id: str) -> int:
    """Follow a new job, every attempt, to its end; on Ctrl-C offer to cancel it (in a terminal) or detach.

    The exit code is the job's (see ``exit_code_for``).
    """
    display = TerminalDisplay(job_id)
    follower = Follower(display, first_attempt=1)
    while True:
        try:
            with display, _deferred_interrupts() as interrupted:
                job = jobs.follow(stack, job_id, follower, interrupted)
            display.summary(job)
            return exit_code_for(job)
        except KeyboardInterrupt:
            if not _confirm_cancel(job_id):
                err.print(
                    f"Detached; job {job_id} keeps running. Follow it with `tailrun logs {job_id} -f`, "
                    f"cancel it with `tailrun cancel {job_id}`."
                )
                return settings.EXIT_CANCELED
            jobs.cancel(stack, job_id)
            err.print(f"Canceling job {job_id}…", style="dim")


@contextlib.contextmanager
def _deferred_interrupts() -> Iterator[threading.Event]:
    """Turn Ctrl-C into a flag the follower checks between events (a KeyboardInterrupt raised in the middle of
    rich's rendering would print the last line again)."""
    interrupted = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda _signum, _frame: interrupted.set())
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, previous)


def _confirm_cancel(job_id: str) -> bool:
    """Ask whether Ctrl-C means cancel; without a terminal to ask on (or on a second Ctrl-C) it means detach."""
    if not sys.stdin.isatty():
        return False
    try:
        return Confirm.ask(f"\nCancel job {job_id}? (no: detach and let it run)", default=False, console=err)
    except (KeyboardInterrupt, EOFError):
        return False


@app.command()
def logs(
    job_id: JobId,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep following until the job ends.")
    ] = False,
    attempt: Annotated[int | None, typer.Option(help="Show this attempt (default: the latest).")] = None,
    raw: Annotated[
        bool,
        typer.Option(
            "--raw",
            help="Write the lines exactly as stored, escape sequences included (only for output you trust: "
            "a job's sequences can write your clipboard or retitle your terminal).",
        ),
    ] = False,
) -> None:
    """Print a job's output: stdout to stdout, stderr to stderr, in line order.

    Control sequences other than colours are removed, on a terminal and in a pipe alike, unless --raw.
    """

    def show(stack: Stack) -> None:
        job = jobs.get_job(stack, job_id)
        if follow and attempt is None:
            display = TerminalDisplay(job_id, raw=raw)
            with display:
                job = jobs.follow(stack, job_id, Follower(display))
            display.summary(job)
            return
        jobs.read_output(
            stack,
            job_id,
            attempt or int(job.get("attempt") or 1),
            TerminalDisplay(job_id, interactive=False, raw=raw),
        )

    _connected(show)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


@app.command()
def status(
    job_id: JobId,
    as_json: Annotated[bool, typer.Option("--json", help="Print the job document as JSON.")] = False,
) -> None:
    """Show a job's status, command, times, exit code and progress."""
    job = _connected(lambda stack: jobs.get_job(stack, job_id))
    if as_json:
        out.print_json(json.dumps(job, default=_json_default))
    else:
        out.print(status_table(job))


@app.command("jobs")
def list_jobs(
    limit: Annotated[int, typer.Option(help="How many jobs to list, newest first.")] = settings.JOBS_LIMIT,
    status_filter: Annotated[str | None, typer.Option("--status", help="Only jobs with this status.")] = None,
) -> None:
    """List your most recent jobs."""
    found = _connected(lambda stack: jobs.list_jobs(stack, limit=limit, status=status_filter))
    if not found:
        which = f"{status_filter} jobs" if status_filter else "jobs yet"
        err.print(f"No {which}. Run one with `tailrun run -- echo hello`.")
        return
    out.print(jobs_table(found))


@app.command()
def cancel(job_id: JobId) -> None:
    """Cancel a job: its process is stopped and what it printed is kept."""
    _connected(lambda stack: jobs.cancel(stack, job_id))
    out.print(f"Canceled job {job_id}.")


@app.command()
def retry(
    job_id: JobId,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Follow the new attempt; exit with its code.")
    ] = False,
) -> None:
    """Run a job again, as a new attempt linked to the original."""

    def go(stack: Stack) -> int:
        new_id = jobs.retry(stack, job_id)
        out.print(new_id)
        err.print(
            f"Retrying job {job_id} as {new_id}. Follow it with `tailrun logs {new_id} -f`.", style="dim"
        )
        return _follow_interruptibly(stack, new_id) if follow else 0

    raise typer.Exit(_connected(go))


@app.command("artifacts")
def list_artifacts(
    job_id: JobId,
    as_json: Annotated[bool, typer.Option("--json", help="Print the artifact documents as JSON.")] = False,
) -> None:
    """List the files a job produced (or was given): name, size, type and review state; then, on stderr, the
    files its runner could not upload, with the reason."""
    found, failed = _connected(
        lambda stack: (
            job_artifacts.list_artifacts(stack, job_id),
            job_artifacts.failed_uploads(stack, job_id),
        )
    )
    if as_json:
        out.print_json(json.dumps(found, default=_json_default))
    elif found:
        out.print(artifacts_table(found))
    elif not failed:
        err.print(
            f"Job {job_id} has no artifacts. A job keeps files with `tailrun run --artifact 'out/*' -- …`, "
            "or by printing `::artifact PATH`."
        )
    for failure in failed:
        err.print(
            clean(
                f"Not uploaded: {failure.get('name')} (attempt {failure.get('attempt')}): "
                f"{failure.get('message')}",
                keep_sgr=False,
            ),
            markup=False,
            emoji=False,
        )


@app.command()
def download(
    job_id: JobId,
    name: Annotated[
        str,
        typer.Argument(help="The artifact's name, as `tailrun artifacts JOB` lists it.", show_default=False),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File or folder to write to (default: the artifact's file name, here).",
        ),
    ] = None,
) -> None:
    """Download a job's artifact (the newest of that name), checked against its size and MD5."""
    path, artifact = _connected(lambda stack: job_artifacts.download(stack, job_id, name, output))
    err.print(f"Downloaded {artifact.get('name')} ({artifact.get('size')} bytes) to {path}.")


@app.command()
def emulator(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = settings.DEFAULT_HOST,
    port: Annotated[int, typer.Option(help="gRPC port (0: any free port).")] = 8080,
    data_dir: Annotated[
        Path | None, typer.Option(help="Keep the data in this folder (default: in memory).")
    ] = None,
    http_port: Annotated[int | None, typer.Option(help="Port of the emulator's REST endpoints.")] = None,
    rules: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="Enforce this security rules file for clients (e.g. infra/firestore.rules; default: none).",
        ),
    ] = None,
) -> None:
    """Run the embedded Firestore emulator alone (FIRESTORE_EMULATOR_HOST=HOST:PORT points clients at it)."""
    from firestore_emulator.cli import main as emulator_main

    argv = ["--host", host, "--port", str(port)]
    if data_dir is not None:
        argv += ["--data-dir", str(data_dir)]
    if http_port is not None:
        argv += ["--http-port", str(http_port)]
    if rules is not None:
        argv += ["--rules", str(rules)]
    raise typer.Exit(emulator_main(argv) or 0)


@app.command()
def dev(
    port: Annotated[
        int, typer.Option(help="Port of the HTTP server (0: any free port).")
    ] = settings.DEFAULT_PORT,
    host: Annotated[
        str,
        typer.Option(
            help="Interface to listen on (the stack runs commands for its dev token: keep it local)."
        ),
    ] = settings.DEFAULT_HOST,
    firestore_port: Annotated[
        int, typer.Option(help="Port of the Firestore emulator (0: any free port).")
    ] = 0,
    storage_port: Annotated[int, typer.Option(help="Port of the storage emulator (0: any free port).")] = 0,
    state_dir: Annotated[
        Path, typer.Option(envvar="TAILRUN_STATE_DIR", help="Lock, dev token and Firestore data.")
    ] = Path(settings.STATE_DIR),
    reap_interval: Annotated[
        float, typer.Option(help="Seconds between two reaper runs.")
    ] = settings.REAP_INTERVAL_S,
    in_memory: Annotated[bool, typer.Option(help="Keep Firestore data in memory only.")] = False,
    firestore_emulator: Annotated[
        str | None,
        typer.Option(
            help="'google' to start Google's Firestore emulator (in memory) instead of the embedded one, or "
            "HOST:PORT of a running emulator to use; infra/firestore.rules is loaded into it either way.",
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every request.")] = False,
) -> None:
    """Run the whole stack locally: Firestore and storage emulators, every function, sandboxes, the reaper."""
    from tailrun.local import jsonlog
    from tailrun.local.dev import DevOptions, LocalStack, run_until_signal

    jsonlog.configure(logging.DEBUG if verbose else logging.INFO)  # one JSON object per line on stderr
    if not verbose:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    options = DevOptions(
        host=host,
        port=port,
        firestore_port=firestore_port,
        storage_port=storage_port,
        state_dir=state_dir,
        reap_interval_s=reap_interval,
        in_memory=in_memory,
        external_firestore=firestore_emulator,
    )
    run_until_signal(LocalStack(options), _announce)


def _announce(addresses: Any) -> None:
    """Print where the stack listens and how to use it."""
    url = addresses.url
    env_hint = "" if url == settings.DEFAULT_URL else f"export TAILRUN_URL={url}; "
    for line in (
        f"[bold green]tailrun dev is ready[/] at [bold]{url}[/]",
        f"  functions          {url}/<name>  (POST /create_job, /job_callback, …)",
        f"  firestore emulator {addresses.firestore}",
        f"  storage emulator   {addresses.storage}",
        f"  job viewer         {addresses.viewer}",
        "                     (open this link once: it gives the page the dev token; then /web/?job=JOB_ID follows one job)",
        f"Try: {env_hint}tailrun run -- {shlex.join(['echo', 'hello'])}    (Ctrl-C stops the stack)",
    ):
        out.print(line, soft_wrap=True)


def main(argv: list[str] | None = None) -> None:
    """Console script entry point: run a command, turning tailrun's errors into sentences and exit codes."""
    from google.api_core import exceptions as google_exceptions

    try:
        app(args=argv, prog_name="tailrun")
    except TailrunError as error:
        err.print(f"[bold red]Error:[/] {error}", soft_wrap=True)
        sys.exit(error.exit_code)
    except google_exceptions.GoogleAPIError as error:
        err.print(
            f"[bold red]Error:[/] Firestore did not answer as expected ({error}). Is the stack still "
            "running? Start it with `tailrun dev`.",
            soft_wrap=True,
        )
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(settings.EXIT_CANCELED)
