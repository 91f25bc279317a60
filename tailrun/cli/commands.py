"""The `tailrun` command line: submit and follow jobs, inspect them, and run the local stack.

Every command reads as a sentence when it fails (``tailrun.errors``), never as a stack trace; `tailrun --verbose`
adds which call failed and how. `tailrun run` and `tailrun logs -f` end with the job's own exit code (124 timed out,
130 canceled, 128+N killed by signal N, see ``render.exit_code_for``); when tailrun itself fails they end with 125
(as `docker run` does), so the two never mix.

Start-up time matters (a script may submit many jobs at once): this module imports only typer and rich at the top.
The stack's client (``requests``), the follower and the Firestore library are imported by the commands that use
them, so `tailrun run --detach`, `cancel`, `retry`, `review` by artifact id and `--help` never load Firestore.
"""

from __future__ import annotations

import contextlib
import logging
import shlex
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from tailrun import settings
from tailrun.cli.helptext import PlainCommand, PlainGroup
from tailrun.errors import TailrunError

if TYPE_CHECKING:
    from tailrun.cli.client import Stack
    from tailrun.cli.render import TerminalDisplay

logger = logging.getLogger(__name__)

app = typer.Typer(
    name="tailrun",
    cls=PlainGroup,
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
FLAG = ""  # the metavar of a flag: nothing after its name in the help

JobId = Annotated[
    str, typer.Argument(metavar="JOB", help="The job's id (see `tailrun jobs`).", show_default=False)
]


@dataclass
class GlobalOptions:
    """What the options before the command set, for the whole run."""

    verbose: bool = False


OPTIONS = GlobalOptions()


def command(*args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``app.command`` whose help shows no type placeholders (``tailrun.cli.helptext``)."""
    return app.command(*args, cls=PlainCommand, **kwargs)


@app.callback()
def _global(
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            "-v",
            metavar=FLAG,
            help="On an error, also say which call failed and how (function, HTTP status, error code).",
        ),
    ] = False,
) -> None:
    """Run commands as serverless jobs and watch their output live, line by line, in order."""
    OPTIONS.verbose = verbose


def _connected(action: Callable[[Stack], T]) -> T:
    """Run ``action`` on the stack named by the environment, closing the connection afterwards."""
    from tailrun.cli.client import Stack

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


def _as_tailrun_failure(error: TailrunError) -> TailrunError:
    """``error`` with the exit code of tailrun itself failing (125), for commands that end with a job's code."""
    error.exit_code = settings.EXIT_TAILRUN_ERROR
    return error


def _working_directory(cwd: Path | None) -> str | None:
    """``--cwd`` as the absolute path the job spec needs, checked to be a directory."""
    if cwd is None:
        return None
    path = cwd.expanduser().resolve()
    if not path.is_dir():
        raise TailrunError(f"--cwd {str(cwd)!r} is not a directory.")
    return str(path)


@command(context_settings={"allow_interspersed_args": False})
def run(
    argv: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="COMMAND...",
            help="The command and its arguments, after `--` (or --prompt instead).",
            show_default=False,
        ),
    ] = None,
    prompt: Annotated[
        str | None,
        typer.Option(
            metavar="PROMPT",
            help="Run an agent on PROMPT instead of a command (see --agent): its steps, tool calls and result are "
            "shown as they happen.",
        ),
    ] = None,
    agent: Annotated[
        str | None,
        typer.Option(
            metavar="NAME", help="The agent of --prompt: claude (the stack's default), codex, gemini."
        ),
    ] = None,
    detach: Annotated[
        bool, typer.Option("--detach", "-d", metavar=FLAG, help="Submit, print the job id and return.")
    ] = False,
    timeout: Annotated[
        int | None, typer.Option(metavar="SECONDS", help="Longest run (default: the stack's).")
    ] = None,
    idle_timeout: Annotated[
        int | None,
        typer.Option(
            metavar="SECONDS", help="Longest silence (no output, no progress) before the job is ended."
        ),
    ] = None,
    max_attempts: Annotated[int, typer.Option(metavar="N", help="Attempts in all, retries included.")] = 1,
    label: Annotated[
        list[str], typer.Option("--label", "-l", metavar="KEY=VALUE", help="A label (repeatable).")
    ] = [],  # noqa: B006
    env: Annotated[
        list[str],
        typer.Option(
            "--env", "-e", metavar="KEY=VALUE", help="A variable of the job's environment (repeatable)."
        ),
    ] = [],  # noqa: B006
    idempotency_key: Annotated[
        str | None, typer.Option(metavar="KEY", help="Submitting twice with one key makes one job.")
    ] = None,
    artifact: Annotated[
        list[str],
        typer.Option(
            "--artifact",
            "-a",
            metavar="PATTERN",
            help="Glob pattern, relative to the job's working directory, of files to keep as artifacts when the job "
            "ends (repeatable; `**` matches any depth). See them with `tailrun artifacts JOB`.",
        ),
    ] = [],  # noqa: B006
    tty: Annotated[
        bool,
        typer.Option(
            "--tty",
            "-t",
            metavar=FLAG,
            help="Run the job on a pseudo-terminal: programs line-buffer and colour their output as in a terminal, "
            "and its stdout and stderr become one stream (all of it arrives as stdout).",
        ),
    ] = False,
    cwd: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Run the job in DIR (local stack only; a deployed stack refuses it). By default each job runs "
            "in a fresh directory of its own.",
        ),
    ] = None,
    workspace: Annotated[
        str | None,
        typer.Option(
            metavar="WORKSPACE",
            help="The workspace (its id) instead of the current one (`tailrun workspace use`).",
        ),
    ] = None,
) -> None:
    """Run COMMAND (or an agent on --prompt) as a job and follow its output live; exit with the job's exit code.

    Exit codes: the job's own; 124 if it timed out, 130 if it was canceled, 128+N if signal N killed it, 125 if
    tailrun itself failed. Ctrl-C asks whether to cancel the job (in a terminal) or detaches from it (the job
    keeps running).
    """
    try:
        if bool(argv) == (prompt is not None):
            raise TailrunError("Give a command after `--`, or --prompt TEXT for an agent, not both.")
        if agent is not None and prompt is None:
            raise TailrunError("--agent goes with --prompt.")
        what: dict[str, Any] = {"argv": argv} if argv else {"prompt": prompt}
        if agent is not None:
            what["agent"] = agent
        spec: dict[str, Any] = {
            **what,
            "max_attempts": max_attempts,
            "labels": _pairs(label, "--label"),
            "env": _pairs(env, "--env"),
        }
        if artifact:
            spec["artifacts"] = artifact
        if tty:
            spec["tty"] = True
        for key, value in (
            ("timeout_s", timeout),
            ("idle_timeout_s", idle_timeout),
            ("idempotency_key", idempotency_key),
            ("cwd", _working_directory(cwd)),
        ):
            if value is not None:
                spec[key] = value
        code = _connected(lambda stack: _run(stack, _in_workspace(stack, spec, workspace), detach))
    except TailrunError as error:
        raise _as_tailrun_failure(error) from None
    raise typer.Exit(code)


def _in_workspace(stack: Stack, body: dict[str, Any], workspace: str | None) -> dict[str, Any]:
    """``body`` with ``workspace_id``: ``--workspace``, else the remembered one; none means the personal one."""
    from tailrun.cli import workspaces

    chosen = workspace or workspaces.remembered(stack)
    return {**body, "workspace_id": chosen} if chosen else body


def _run(stack: Stack, spec: dict[str, Any], detach: bool) -> int:
    from tailrun.cli import jobs

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
    from tailrun.cli import jobs
    from tailrun.cli.follow import Follower
    from tailrun.cli.render import TerminalDisplay

    display = TerminalDisplay(job_id)
    follower = Follower(display, first_attempt=1)
    while True:
        try:
            with display, _deferred_interrupts() as interrupted:
                job = jobs.follow(stack, job_id, follower, interrupted)
            return _ended(stack, display, job)
        except KeyboardInterrupt:
            if not _confirm_cancel(job_id):
                err.print(
                    f"Detached; job {job_id} keeps running. Follow it with `tailrun logs {job_id} -f`, "
                    f"cancel it with `tailrun cancel {job_id}`."
                )
                return settings.EXIT_CANCELED
            jobs.cancel(stack, job_id)
            err.print(f"Canceling job {job_id}…", style="dim")


def _ended(stack: Stack, display: TerminalDisplay, job: dict[str, Any]) -> int:
    """What `run` and `logs -f` do once a followed job has ended: name on stderr each artifact that could not be
    uploaded (and why), say how the job ended, and give the exit code to end with."""
    from tailrun.cli import jobs
    from tailrun.cli.render import exit_code_for, failed_upload_entries

    failed = failed_upload_entries(jobs.attempts(stack, job["id"]))
    for entry in failed:
        _not_uploaded(entry)
    display.summary(job, len(failed))
    return exit_code_for(job)


def _not_uploaded(entry: dict[str, Any]) -> None:
    """One file a job's runner could not upload, on stderr."""
    from tailrun.cli.render import clean

    err.print(
        clean(
            f"Not uploaded: {entry.get('name')} (attempt {entry.get('attempt')}): {entry.get('message')}",
            keep_sgr=False,
        ),
        markup=False,
        emoji=False,
    )


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
    from rich.prompt import Confirm

    if not sys.stdin.isatty():
        return False
    try:
        return Confirm.ask(f"\nCancel job {job_id}? (no: detach and let it run)", default=False, console=err)
    except (KeyboardInterrupt, EOFError):
        return False


@command()
def logs(
    job_id: JobId,
    follow: Annotated[
        bool,
        typer.Option(
            "--follow",
            "-f",
            metavar=FLAG,
            help="Keep following until the job ends; exit as `tailrun run` does.",
        ),
    ] = False,
    attempt: Annotated[
        int | None, typer.Option(metavar="N", help="Show attempt N (default: the latest).")
    ] = None,
    raw: Annotated[
        bool,
        typer.Option(
            "--raw",
            metavar=FLAG,
            help="Write the lines exactly as stored, escape sequences included (only for output you trust: "
            "a job's sequences can write your clipboard or retitle your terminal).",
        ),
    ] = False,
    events: Annotated[
        bool,
        typer.Option(
            "--events",
            metavar=FLAG,
            help="List the job's events instead of its lines, one per line: `EVENT AT_LINE KIND key=value…` "
            "(every kind: groups, annotations, steps, URLs, results, an agent's messages and tool calls).",
        ),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            metavar=FLAG,
            help="With --events: each event as one JSON object per line, as stored.",
        ),
    ] = False,
) -> None:
    """Print a job's output: stdout to stdout, stderr to stderr, in line order.

    Its events show in their place among the lines, on stderr (`→ step`, `error: a.py:3: message`, `result: …`):
    stdout keeps only the job's stdout, less the workflow commands it printed. Control sequences other than
    colours are removed, on a terminal and in a pipe alike, unless --raw. With --follow it exits with the job's exit
    code, as `tailrun run` does (125 if tailrun itself fails).
    """
    from tailrun_functions.states import TERMINAL

    from tailrun.cli import jobs
    from tailrun.cli.follow import Expected, Follower
    from tailrun.cli.render import EventListDisplay, TerminalDisplay

    for wrong, message in (
        (as_json and not events, "--json lists events: give it with --events."),
        (raw and events, "--raw writes lines as stored and --events lists events: give one of them."),
    ):
        if wrong:
            error = TailrunError(message)
            raise _as_tailrun_failure(error) if follow else error

    def display_for(interactive: bool | None) -> TerminalDisplay:
        if events:
            return EventListDisplay(job_id, as_json=as_json)
        return TerminalDisplay(job_id, interactive=interactive, raw=raw)

    def show(stack: Stack) -> int:
        job = jobs.get_job(stack, job_id)
        if attempt is not None:
            jobs.check_attempt(job, attempt)
        if follow and attempt is None:
            display = display_for(None)
            with display:
                job = jobs.follow(stack, job_id, Follower(display))
            return _ended(stack, display, job)
        latest = jobs.attempt_count(job)
        ended = job.get("status") in TERMINAL and (attempt or latest) == latest
        jobs.read_output(
            stack, job_id, attempt or latest, display_for(False), Expected.of(job) if ended else None
        )
        return 0

    try:
        code = _connected(show)
    except TailrunError as error:
        raise (_as_tailrun_failure(error) if follow else error) from None
    raise typer.Exit(code)


@command()
def status(
    job_id: JobId,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            metavar=FLAG,
            help="Print the job document as JSON (sorted keys), with its attempts, artifacts and failed uploads "
            "under the keys `attempts`, `artifacts` and `failed_uploads`.",
        ),
    ] = False,
) -> None:
    """Show a job's status, command, times, exit code, progress, current step and URL, annotations, usage, result,
    attempts, retries and artifacts."""
    from tailrun.cli import jobs
    from tailrun.cli.render import stable_json, status_document, status_table

    def read(stack: Stack) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
        job = jobs.get_job(stack, job_id)
        return job, jobs.attempts(stack, job_id), jobs.artifacts(stack, job_id)

    job, attempts, artifacts = _connected(read)
    if as_json:
        sys.stdout.write(stable_json(status_document(job, attempts, artifacts)))
    else:
        out.print(status_table(job, attempts, artifacts))


@command("jobs")
def list_jobs(
    limit: Annotated[
        int, typer.Option(metavar="N", help="How many jobs to list, newest first.")
    ] = settings.JOBS_LIMIT,
    status_filter: Annotated[
        str | None,
        typer.Option(
            "--status", metavar="STATUS", help="Only jobs with this status (queued, running, failed, …)."
        ),
    ] = None,
    label: Annotated[
        list[str],
        typer.Option(
            "--label", "-l", metavar="KEY=VALUE", help="Only jobs with this label (repeatable: all of them)."
        ),
    ] = [],  # noqa: B006
    after: Annotated[
        str | None,
        typer.Option(metavar="JOB", help="Continue after this job (the list ends by saying which to give)."),
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", metavar=FLAG, help="List every job, read a page at a time.")
    ] = False,
    workspace: Annotated[
        str | None,
        typer.Option(
            metavar="WORKSPACE",
            help="The workspace (its id) instead of the current one (`tailrun workspace use`).",
        ),
    ] = None,
) -> None:
    """List the current workspace's jobs, newest first: created time, duration, exit code, labels and command.

    When more jobs match than --limit, the list ends by saying how to see the next ones (`--after JOB`).
    """
    from tailrun.cli import jobs
    from tailrun.cli.render import jobs_table

    which = jobs.JobFilter(status=status_filter, labels=tuple(label), workspace_id=workspace)

    def read(stack: Stack) -> jobs.JobPage:
        if not every:
            return jobs.list_jobs(stack, limit=limit, which=which, after=after)
        pages = jobs.all_jobs(stack, page_size=jobs.PAGE_SIZE, which=which, after=after)
        found = [job for page in pages for job in page]
        return jobs.JobPage(found, None)

    page = _connected(read)
    if not page.jobs:
        if status_filter or label or after:
            err.print("No jobs match." if not after else f"No more jobs after {after}.")
        else:
            err.print("No jobs yet. Run one with `tailrun run -- echo hello`.")
        return
    out.print(jobs_table(page.jobs))
    if page.after is not None:
        again = ["tailrun", "jobs", *(["--status", status_filter] if status_filter else [])]
        again += ["--workspace", workspace] if workspace else []
        again += [arg for pair in label for arg in ("--label", pair)]
        again += [*(["--limit", str(limit)] if limit != settings.JOBS_LIMIT else []), "--after", page.after]
        err.print(f"More jobs: {shlex.join(again)} (or --all for every one).", markup=False)


@command()
def cancel(job_id: JobId) -> None:
    """Cancel a job: its process is stopped and what it printed is kept. A job that has ended already is left as
    it is (and said so)."""
    from tailrun.cli import jobs
    from tailrun.cli.render import end_phrase

    done = _connected(lambda stack: jobs.cancel(stack, job_id))
    if done.ended is not None:
        out.print(
            f"Job {job_id} has already ended: {end_phrase(done.ended)}. Nothing to cancel.", markup=False
        )
    else:
        out.print(f"Canceled job {job_id}.")


@command()
def retry(
    job_id: JobId,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", metavar=FLAG, help="Follow the new job; exit with its code.")
    ] = False,
) -> None:
    """Run a failed, canceled or timed-out job again, as a new job linked to the original."""
    from tailrun.cli import jobs

    def go(stack: Stack) -> int:
        new_id = jobs.retry(stack, job_id)
        out.print(new_id)
        err.print(
            f"Retrying job {job_id} as {new_id}. Follow it with `tailrun logs {new_id} -f`.", style="dim"
        )
        return _follow_interruptibly(stack, new_id) if follow else 0

    try:
        code = _connected(go)
    except TailrunError as error:
        raise (_as_tailrun_failure(error) if follow else error) from None
    raise typer.Exit(code)


@command("artifacts")
def list_artifacts(
    job_id: JobId,
    as_json: Annotated[
        bool, typer.Option("--json", metavar=FLAG, help="Print the artifact documents as JSON.")
    ] = False,
) -> None:
    """List the files a job produced (or was given): name, size, type and review state; then, on stderr, the
    files its runner could not upload, with the reason."""
    from tailrun.cli import artifacts as job_artifacts
    from tailrun.cli.render import artifacts_table, stable_json

    found, failed = _connected(
        lambda stack: (
            job_artifacts.list_artifacts(stack, job_id),
            job_artifacts.failed_uploads(stack, job_id),
        )
    )
    if as_json:
        sys.stdout.write(stable_json(found))
    elif found:
        out.print(artifacts_table(found))
    elif not failed:
        err.print(
            f"Job {job_id} has no artifacts. A job keeps files with `tailrun run --artifact 'out/*' -- …`, "
            "or by printing `::artifact PATH`."
        )
    for failure in failed:
        _not_uploaded(failure)


class Decision(StrEnum):
    """What a review decides."""

    APPROVE = "approve"
    REJECT = "reject"


@command()
def review(
    job_id: JobId,
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME",
            help="The artifact's name as `tailrun artifacts JOB` lists it (or its file name alone, or its id).",
            show_default=False,
        ),
    ],
    decision: Annotated[
        Decision, typer.Argument(metavar="approve|reject", help="The decision (final).", show_default=False)
    ],
    note: Annotated[
        str, typer.Option(metavar="NOTE", help="Why, for the record (shown with the review).")
    ] = "",
) -> None:
    """Approve or reject a job's artifact, once: the decision, you as its reviewer and the time are recorded."""
    from tailrun.cli import artifacts as job_artifacts

    artifact = _connected(lambda stack: job_artifacts.review(stack, job_id, name, decision.value, note))
    done = "Approved" if decision is Decision.APPROVE else "Rejected"
    out.print(f"{done} {artifact.get('name')} of job {job_id}.", markup=False)


@command()
def download(
    job_id: JobId,
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME",
            help="The artifact's name, as `tailrun artifacts JOB` lists it.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="File or folder to write to (default: the artifact's file name, here).",
        ),
    ] = None,
) -> None:
    """Download a job's artifact (the newest of that name), checked against its size and MD5."""
    from tailrun.cli import artifacts as job_artifacts

    path, artifact = _connected(lambda stack: job_artifacts.download(stack, job_id, name, output))
    err.print(f"Downloaded {artifact.get('name')} ({artifact.get('size')} bytes) to {path}.", markup=False)


# --- `tailrun batch …`: one job per row of a CSV file (the work is in tailrun.cli.batches) ---

batch_app = typer.Typer(
    name="batch",
    cls=PlainGroup,
    help="Run one job per row of a CSV file under a concurrency limit; watch, steer and export the batch.",
    no_args_is_help=True,
)
app.add_typer(batch_app, name="batch")

BatchId = Annotated[
    str,
    typer.Argument(metavar="BATCH", help="The batch's id (see `tailrun batch list`).", show_default=False),
]


def batch_command(*args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``batch_app.command`` whose help shows no type placeholders."""
    return batch_app.command(*args, cls=PlainCommand, **kwargs)


@batch_command("run")
def batch_run(
    rows_file: Annotated[
        Path,
        typer.Argument(
            metavar="ROWS.csv",
            help="The rows: a CSV file (UTF-8, a header row naming the columns; `-` reads standard input).",
            show_default=False,
        ),
    ],
    argv: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="COMMAND...",
            help="The command of each row's job, after `--`; `{column}` is replaced by the row's value of that "
            "column (`{{` and `}}` write braces).",
            show_default=False,
        ),
    ] = None,
    prompt: Annotated[
        str | None,
        typer.Option(
            metavar="PROMPT", help="Run an agent on PROMPT for each row instead of a command ({column} too)."
        ),
    ] = None,
    agent: Annotated[
        str | None,
        typer.Option(
            metavar="NAME", help="The agent of --prompt: claude (the stack's default), codex, gemini."
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            help="Rows running at once (default 5; change it later with `tailrun batch concurrency`).",
        ),
    ] = None,
    sample: Annotated[
        int | None, typer.Option(metavar="N", help="Run only the first N rows (a trial run).")
    ] = None,
    max_failures: Annotated[
        int | None, typer.Option(metavar="N", help="Pause the batch once N rows have failed.")
    ] = None,
    max_failure_rate: Annotated[
        float | None,
        typer.Option(
            metavar="R", help="Pause the batch once this fraction of the ended rows failed (0.2: a fifth)."
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option(metavar="NAME", help="A name for the batch, shown in lists.")
    ] = None,
    detach: Annotated[
        bool, typer.Option("--detach", "-d", metavar=FLAG, help="Create the batch, print its id and return.")
    ] = False,
    timeout: Annotated[
        int | None,
        typer.Option(metavar="SECONDS", help="Longest run of each row's job (default: the stack's)."),
    ] = None,
    idle_timeout: Annotated[
        int | None,
        typer.Option(metavar="SECONDS", help="Longest silence of each row's job before it is ended."),
    ] = None,
    max_attempts: Annotated[
        int | None, typer.Option(metavar="N", help="Attempts of each row's job in all, retries included.")
    ] = None,
    label: Annotated[
        list[str],
        typer.Option("--label", "-l", metavar="KEY=VALUE", help="A label of every job (repeatable)."),
    ] = [],  # noqa: B006
    env: Annotated[
        list[str],
        typer.Option(
            "--env", "-e", metavar="KEY=VALUE", help="A variable of every job's environment (repeatable)."
        ),
    ] = [],  # noqa: B006
    artifact: Annotated[
        list[str],
        typer.Option(
            "--artifact",
            "-a",
            metavar="PATTERN",
            help="Files each job keeps as artifacts (repeatable, as run).",
        ),
    ] = [],  # noqa: B006
    tty: Annotated[
        bool, typer.Option("--tty", "-t", metavar=FLAG, help="Run each job on a pseudo-terminal (as run).")
    ] = False,
    cwd: Annotated[
        Path | None, typer.Option(metavar="DIR", help="Run each job in DIR (local stack only, as run).")
    ] = None,
    idempotency_key: Annotated[
        str | None, typer.Option(metavar="KEY", help="Creating twice with one key makes one batch.")
    ] = None,
    workspace: Annotated[
        str | None,
        typer.Option(
            metavar="WORKSPACE",
            help="The workspace (its id) instead of the current one (`tailrun workspace use`).",
        ),
    ] = None,
) -> None:
    """Run COMMAND (or an agent on --prompt) once per row of ROWS.csv, and watch the batch live.

    The view shows the counts, the success rate, the ETA, a progress bar and the running rows with their current
    step (in a pipe: a progress line now and then, and a line per row as it ends). Ctrl-C detaches: the batch keeps
    running. Exit codes: 0 when every row succeeded, 1 otherwise (some failed, or the batch paused itself or was
    stopped), 130 detached, 125 if tailrun itself failed.
    """
    from tailrun.cli import batches

    try:
        if bool(argv) == (prompt is not None):
            raise TailrunError("Give a command after `--`, or --prompt TEXT for an agent, not both.")
        if agent is not None and prompt is None:
            raise TailrunError("--agent goes with --prompt.")
        job: dict[str, Any] = {"argv": argv} if argv else {"prompt": prompt}
        for key, value in (
            ("agent", agent),
            ("timeout_s", timeout),
            ("idle_timeout_s", idle_timeout),
            ("max_attempts", max_attempts),
            ("labels", _pairs(label, "--label") or None),
            ("env", _pairs(env, "--env") or None),
            ("artifacts", artifact or None),
            ("tty", tty or None),
            ("cwd", _working_directory(cwd)),
        ):
            if value is not None:
                job[key] = value
        options = batches.BatchOptions(
            concurrency, sample, max_failures, max_failure_rate, name, idempotency_key
        )
        body = batches.create_body(batches.read_rows_file(rows_file), job, options)
        code = _connected(lambda stack: _batch_run(stack, _in_workspace(stack, body, workspace), detach))
    except TailrunError as error:
        raise _as_tailrun_failure(error) from None
    raise typer.Exit(code)


def _batch_run(stack: Stack, body: dict[str, Any], detach: bool) -> int:
    from tailrun.cli import batches

    created = batches.create(stack, body)
    if detach:
        out.print(created.batch_id)
        err.print(
            f"Batch of {created.total:,} rows. Watch it with `tailrun batch watch {created.batch_id}`.",
            style="dim",
        )
        return 0
    return _watch_batch(stack, created.batch_id, new_batch=True)


def _watch_batch(stack: Stack, batch_id: str, *, new_batch: bool = False) -> int:
    """Watch a batch live until it ends; on Ctrl-C detach, saying how to watch it again. Its exit code."""
    from tailrun.cli import batches
    from tailrun.cli.batch_render import BatchDisplay, final_text
    from tailrun.cli.render import is_interactive

    display = BatchDisplay(out, interactive=is_interactive())
    try:
        with _deferred_interrupts() as interrupted:
            batch = batches.watch(stack, batch_id, display, interrupted, new_batch=new_batch)
    except KeyboardInterrupt:
        err.print(
            f"Detached; batch {batch_id} keeps running. Watch it again with `tailrun batch watch {batch_id}`; "
            f"pause it with `tailrun batch pause {batch_id}`, stop it with `tailrun batch stop {batch_id}`.",
            markup=False,
        )
        return settings.EXIT_CANCELED
    err.print(final_text(batch_id, batch), markup=False, emoji=False)
    return batches.exit_code(batch)


@batch_command("watch")
def batch_watch(batch_id: BatchId) -> None:
    """Watch a batch live, as `tailrun batch run` does, until it ends; exit as it does."""
    try:
        code = _connected(lambda stack: _watch_batch(stack, batch_id))
    except TailrunError as error:
        raise _as_tailrun_failure(error) from None
    raise typer.Exit(code)


@batch_command("list")
def batch_list(
    limit: Annotated[int, typer.Option(metavar="N", help="How many batches to list, newest first.")] = 20,
    workspace: Annotated[
        str | None,
        typer.Option(
            metavar="WORKSPACE",
            help="The workspace (its id) instead of the current one (`tailrun workspace use`).",
        ),
    ] = None,
) -> None:
    """List the current workspace's batches, newest first: status, created time, rows done, success rate, name and
    command."""
    from tailrun.cli import batches
    from tailrun.cli.batch_render import batches_table

    found = _connected(lambda stack: batches.list_batches(stack, limit=limit, workspace_id=workspace))
    if not found:
        err.print("No batches yet. Run one with `tailrun batch run rows.csv -- echo {name}`.", markup=False)
        return
    out.print(batches_table(found))


@batch_command("status")
def batch_status(
    batch_id: BatchId,
    as_json: Annotated[
        bool, typer.Option("--json", metavar=FLAG, help="Print the batch document as JSON (sorted keys).")
    ] = False,
) -> None:
    """Show a batch: status (and why it paused or stopped), command, counts, success rate, rate, ETA, times."""
    from datetime import UTC, datetime

    from tailrun.cli import batches
    from tailrun.cli.batch_render import status_table
    from tailrun.cli.render import stable_json

    batch = _connected(lambda stack: batches.get_batch(stack, batch_id))
    if as_json:
        sys.stdout.write(stable_json(batch))
    else:
        out.print(status_table(batch_id, batch, datetime.now(UTC)))


@batch_command("pause")
def batch_pause(batch_id: BatchId) -> None:
    """Pause a batch: no new row starts; the running ones finish. Resume it with `tailrun batch resume`."""
    from tailrun.cli import batches
    from tailrun.cli.batch_render import counts_of

    batch = _connected(lambda stack: batches.pause(stack, batch_id))
    running = counts_of(batch)["running"]
    out.print(
        f"Batch {batch_id} is paused: no new row starts ({running:,} running finish). "
        f"Resume it with `tailrun batch resume {batch_id}`.",
        markup=False,
    )


@batch_command("resume")
def batch_resume(batch_id: BatchId) -> None:
    """Resume a paused batch: its queued rows start again, up to its concurrency."""
    from tailrun.cli import batches

    batch = _connected(lambda stack: batches.resume(stack, batch_id))
    out.print(f"Batch {batch_id} is {batch.get('status')}.", markup=False)


@batch_command("stop")
def batch_stop(
    batch_id: BatchId,
    reason: Annotated[
        str | None, typer.Option(metavar="REASON", help="Why, for the record (shown with it).")
    ] = None,
    keep_running: Annotated[
        bool,
        typer.Option(
            "--keep-running",
            metavar=FLAG,
            help="Let the running jobs finish (only queued rows are canceled).",
        ),
    ] = False,
) -> None:
    """Stop a batch for good: its queued rows are canceled, and its running jobs too unless --keep-running."""
    from tailrun.cli import batches

    batch = _connected(
        lambda stack: batches.stop(stack, batch_id, reason=reason, cancel_running=not keep_running)
    )
    running = "its running jobs finish" if keep_running else "its running jobs are canceled"
    out.print(
        f"Batch {batch_id} is {batch.get('status')}: its queued rows are canceled and {running}.",
        markup=False,
    )


@batch_command("concurrency")
def batch_concurrency(
    batch_id: BatchId,
    concurrency: Annotated[
        int, typer.Argument(metavar="N", help="Rows running at once, from now on.", show_default=False)
    ],
) -> None:
    """Change how many rows of a batch run at once, now: raising starts more rows at once; lowering starts none
    until fewer than N run."""
    from tailrun.cli import batches
    from tailrun.cli.batch_render import counts_of

    batch = _connected(lambda stack: batches.set_concurrency(stack, batch_id, concurrency))
    running = counts_of(batch)["running"]
    out.print(
        f"Batch {batch_id} now runs up to {batch.get('concurrency', concurrency)} rows at once "
        f"({running:,} running).",
        markup=False,
    )


@batch_command("retry")
def batch_retry(
    batch_id: BatchId,
    watch: Annotated[
        bool, typer.Option("--watch", "-w", metavar=FLAG, help="Then watch the batch; exit as `batch run`.")
    ] = False,
) -> None:
    """Run a batch's failed, timed-out and canceled rows again, as new jobs linked to the old ones."""
    from tailrun.cli import batches

    def go(stack: Stack) -> int:
        _, retried = batches.retry(stack, batch_id)
        if not retried:
            out.print(
                f"Batch {batch_id} has no failed, timed-out or canceled rows to run again.", markup=False
            )
            return 0
        rows = "row" if retried == 1 else "rows"
        out.print(f"Running {retried:,} {rows} of batch {batch_id} again.", markup=False)
        return _watch_batch(stack, batch_id) if watch else 0

    try:
        code = _connected(go)
    except TailrunError as error:
        raise (_as_tailrun_failure(error) if watch else error) from None
    raise typer.Exit(code)


@batch_command("export")
def batch_export(
    batch_id: BatchId,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", metavar="csv|jsonl", help="CSV (default; jsonl when -o ends in .jsonl) or JSON lines."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (default: stdout).")
    ] = None,
) -> None:
    """Export a batch's rows in row order: the input columns, then status, exit_code, duration_s, attempts, error
    and result."""
    from tailrun.cli import batches

    if fmt is None:
        fmt = "jsonl" if output is not None and output.suffix == ".jsonl" else "csv"
    if fmt not in set(batches.ExportFormat):
        raise TailrunError(f"--format is csv or jsonl, got {fmt!r}.")
    written = _connected(lambda stack: batches.export(stack, batch_id, batches.ExportFormat(fmt), output))
    if written is not None:
        err.print(f"Exported batch {batch_id} to {written}.", markup=False)


# --- `tailrun workspace …`: workspaces, their members and roles (the work is in tailrun.cli.workspaces) ---

workspace_app = typer.Typer(
    name="workspace",
    cls=PlainGroup,
    help="Workspaces: create and list them, choose the current one, manage members and their roles.",
    no_args_is_help=True,
)
app.add_typer(workspace_app, name="workspace")

WorkspaceArg = Annotated[
    str | None,
    typer.Argument(
        metavar="WORKSPACE",
        help="The workspace's id or name (default: the current one).",
        show_default=False,
    ),
]
UidArg = Annotated[str, typer.Argument(metavar="UID", help="The member's uid.", show_default=False)]
RoleOption = Annotated[
    str, typer.Option("--role", metavar="ROLE", help="admin, member or viewer (the owner transfers).")
]


def workspace_command(*args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``workspace_app.command`` whose help shows no type placeholders."""
    return workspace_app.command(*args, cls=PlainCommand, **kwargs)


def _workspace_id(stack: Stack, given: str | None) -> str:
    """The id of the named workspace (an id or a unique name), or of the current one."""
    from tailrun.cli import workspaces

    if given is None:
        return workspaces.current(stack)
    return str(workspaces.find(stack, given)["workspace_id"])


def _print_members(workspace: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("UID", "EMAIL", "ROLE"):
        table.add_column(column)
    for member in workspace.get("members") or []:
        table.add_row(str(member["uid"]), str(member.get("email") or ""), str(member["role"]))
    out.print(table)


@workspace_command("create")
def workspace_create(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The workspace's name.", show_default=False)],
    use: Annotated[bool, typer.Option("--use", metavar=FLAG, help="Make it the current workspace.")] = False,
) -> None:
    """Create a workspace, you its owner; print its id."""
    from tailrun.cli import workspaces

    def act(stack: Stack) -> dict[str, Any]:
        created = workspaces.create(stack, name)
        if use:
            workspaces.remember(stack, created["workspace_id"])
        return created

    created = _connected(act)
    out.print(created["workspace_id"], markup=False)
    if not use:
        err.print(
            f"Use it with `tailrun workspace use {created['workspace_id']}`.", style="dim", markup=False
        )


@workspace_command("list")
def workspace_list() -> None:
    """List your workspaces: id, name, your role, members; the current one is marked *."""
    from rich.table import Table

    from tailrun.cli import workspaces

    def read(stack: Stack) -> tuple[list[dict[str, Any]], str]:
        return workspaces.listed(stack), workspaces.current(stack)

    found, chosen = _connected(read)
    table = Table(box=None, pad_edge=False)
    for column in ("", "ID", "NAME", "ROLE", "MEMBERS"):
        table.add_column(column)
    for workspace in found:
        mark = "*" if workspace["workspace_id"] == chosen else ""
        table.add_row(
            mark,
            str(workspace["workspace_id"]),
            str(workspace.get("name") or ""),
            str(workspace.get("your_role") or ""),
            str(len(workspace.get("members") or [])),
        )
    out.print(table)


@workspace_command("use")
def workspace_use(
    workspace: Annotated[
        str, typer.Argument(metavar="WORKSPACE", help="The workspace's id or name.", show_default=False)
    ],
) -> None:
    """Make a workspace the current one: `run`, `jobs` and `batch` work in it until you choose another."""
    from tailrun.cli import workspaces

    def act(stack: Stack) -> dict[str, Any]:
        found = workspaces.find(stack, workspace)
        workspaces.remember(stack, str(found["workspace_id"]))
        return found

    found = _connected(act)
    err.print(f"Now in {found.get('name')!s} ({found['workspace_id']}).", markup=False)


@workspace_command("rename")
def workspace_rename(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The new name.", show_default=False)],
    workspace: WorkspaceArg = None,
) -> None:
    """Rename a workspace (admins and the owner)."""
    from tailrun.cli import workspaces

    _connected(lambda stack: workspaces.rename(stack, _workspace_id(stack, workspace), name))


@workspace_command("members")
def workspace_members(workspace: WorkspaceArg = None) -> None:
    """List a workspace's members and their roles."""
    from tailrun.cli import workspaces

    _print_members(_connected(lambda stack: workspaces.members(stack, _workspace_id(stack, workspace))))


@workspace_command("add")
def workspace_add(
    who: Annotated[
        str, typer.Argument(metavar="UID_OR_EMAIL", help="The new member's uid or email.", show_default=False)
    ],
    role: RoleOption = "member",
    workspace: Annotated[
        str | None, typer.Option(metavar="WORKSPACE", help="The workspace (default: the current one).")
    ] = None,
) -> None:
    """Add a member to a workspace (admins and the owner)."""
    from tailrun.cli import workspaces

    _print_members(
        _connected(lambda stack: workspaces.add(stack, _workspace_id(stack, workspace), who, role))
    )


@workspace_command("remove")
def workspace_remove(
    uid: UidArg,
    workspace: Annotated[
        str | None, typer.Option(metavar="WORKSPACE", help="The workspace (default: the current one).")
    ] = None,
) -> None:
    """Remove a member (admins and the owner); their access ends at once, open listeners included."""
    from tailrun.cli import workspaces

    _print_members(_connected(lambda stack: workspaces.remove(stack, _workspace_id(stack, workspace), uid)))


@workspace_command("role")
def workspace_role(
    uid: UidArg,
    role: Annotated[str, typer.Argument(metavar="ROLE", help="admin, member or viewer.", show_default=False)],
    workspace: Annotated[
        str | None, typer.Option(metavar="WORKSPACE", help="The workspace (default: the current one).")
    ] = None,
) -> None:
    """Change a member's role (admins and the owner; the owner's role moves only by transfer)."""
    from tailrun.cli import workspaces

    _print_members(
        _connected(lambda stack: workspaces.set_role(stack, _workspace_id(stack, workspace), uid, role))
    )


@workspace_command("leave")
def workspace_leave(workspace: WorkspaceArg = None) -> None:
    """Leave a workspace (its owner cannot: transfer it first)."""
    from tailrun.cli import workspaces

    def act(stack: Stack) -> str:
        workspace_id = _workspace_id(stack, workspace)
        workspaces.leave(stack, workspace_id)
        return workspace_id

    left = _connected(act)
    err.print(f"You left {left}.", markup=False)


@workspace_command("transfer")
def workspace_transfer(
    uid: Annotated[
        str, typer.Argument(metavar="UID", help="The member who becomes the owner.", show_default=False)
    ],
    workspace: Annotated[
        str | None, typer.Option(metavar="WORKSPACE", help="The workspace (default: the current one).")
    ] = None,
) -> None:
    """Make a member the owner (the owner only); you stay as an admin."""
    from tailrun.cli import workspaces

    _print_members(_connected(lambda stack: workspaces.transfer(stack, _workspace_id(stack, workspace), uid)))


@workspace_command("delete")
def workspace_delete(
    workspace: Annotated[
        str, typer.Argument(metavar="WORKSPACE", help="The workspace's id or name.", show_default=False)
    ],
    yes: Annotated[bool, typer.Option("--yes", metavar=FLAG, help="Do not ask to confirm.")] = False,
) -> None:
    """Delete a workspace (the owner only; not while a job of it runs or a batch of it has not ended).

    Its jobs, batches and artifacts stay stored but nobody can read them any more."""
    from rich.prompt import Confirm

    from tailrun.cli import workspaces

    def act(stack: Stack) -> str:
        workspace_id = _workspace_id(stack, workspace)
        if not yes:
            if not sys.stdin.isatty():
                raise TailrunError(f"Deleting {workspace_id} needs --yes (no terminal to ask on).")
            if not Confirm.ask(
                f"Delete workspace {workspace_id}? Nobody can read its jobs after.", console=err
            ):
                raise typer.Exit(1)
        workspaces.delete(stack, workspace_id)
        return workspace_id

    deleted = _connected(act)
    err.print(f"Deleted {deleted}.", markup=False)


@command()
def emulator(
    host: Annotated[
        str, typer.Option(metavar="HOST", help="Interface to listen on.")
    ] = settings.DEFAULT_HOST,
    port: Annotated[int, typer.Option(metavar="PORT", help="gRPC port (0: any free port).")] = 8080,
    data_dir: Annotated[
        Path | None, typer.Option(metavar="DIR", help="Keep the data in this folder (default: in memory).")
    ] = None,
    http_port: Annotated[
        int | None, typer.Option(metavar="PORT", help="Port of the emulator's REST endpoints.")
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            metavar="FILE",
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


@command()
def dev(
    port: Annotated[
        int, typer.Option(metavar="PORT", help="Port of the HTTP server (0: any free port).")
    ] = settings.DEFAULT_PORT,
    host: Annotated[
        str,
        typer.Option(
            metavar="HOST",
            help="Interface to listen on (the stack runs commands for its dev token: keep it local).",
        ),
    ] = settings.DEFAULT_HOST,
    firestore_port: Annotated[
        int, typer.Option(metavar="PORT", help="Port of the Firestore emulator (0: any free port).")
    ] = 0,
    storage_port: Annotated[
        int, typer.Option(metavar="PORT", help="Port of the storage emulator (0: any free port).")
    ] = 0,
    state_dir: Annotated[
        Path,
        typer.Option(envvar="TAILRUN_STATE_DIR", metavar="DIR", help="Lock, dev token and Firestore data."),
    ] = Path(settings.STATE_DIR),
    reap_interval: Annotated[
        float, typer.Option(metavar="SECONDS", help="Seconds between two reaper runs.")
    ] = settings.REAP_INTERVAL_S,
    in_memory: Annotated[
        bool, typer.Option("--in-memory", metavar=FLAG, help="Keep Firestore data in memory only.")
    ] = False,
    firestore_emulator: Annotated[
        str | None,
        typer.Option(
            metavar="google|HOST:PORT",
            help="'google' to start Google's Firestore emulator (in memory) instead of the embedded one, or "
            "HOST:PORT of a running emulator to use; infra/firestore.rules is loaded into it either way.",
        ),
    ] = None,
    auth_emulator: Annotated[
        bool,
        typer.Option(
            "--auth-emulator",
            metavar=FLAG,
            help="Also start the Firebase Auth emulator (firebase-tools) so several people can `tailrun login`.",
        ),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", metavar=FLAG, help="Log every request.")
    ] = False,
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
        auth_emulator=auth_emulator,
    )
    run_until_signal(LocalStack(options), _announce)


def typeable_tailrun(argv0: str | None = None, executable: str | None = None, path: str | None = None) -> str:
    """How to type the `tailrun` that is running, so a printed hint works as printed: ``tailrun`` when that is
    what PATH finds, else the absolute path of this console script, else ``PYTHON -m tailrun`` (started as
    ``python -m tailrun``) with this interpreter's absolute path."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    executable = sys.executable if executable is None else executable
    on_path = shutil.which("tailrun", path=path)
    script = Path(argv0)
    if script.name == "tailrun" and script.is_file():
        mine = script.absolute()
        if on_path and _same_file(Path(on_path), mine):
            return "tailrun"
        return shlex.quote(str(mine))
    if on_path and Path(on_path).absolute().parent == Path(executable).absolute().parent:
        return "tailrun"  # the console script beside this interpreter: the same installation
    return f"{shlex.quote(str(Path(executable).absolute()))} -m tailrun"


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.samefile(other)
    except OSError:
        return False


def _announce(addresses: Any) -> None:
    """Print where the stack listens and how to use it (the `Try:` line works as printed, PATH or not)."""
    url = addresses.url
    env_hint = "" if url == settings.DEFAULT_URL else f"export TAILRUN_URL={url}; "
    for line in (
        f"[bold green]tailrun dev is ready[/] at [bold]{url}[/]",
        f"  functions          {url}/<name>  (POST /create_job, /job_callback, …)",
        f"  firestore emulator {addresses.firestore}",
        f"  storage emulator   {addresses.storage}",
        *(
            [f"  auth emulator      {addresses.auth_emulator}  (tailrun login)"]
            if addresses.auth_emulator
            else []
        ),
        f"  job viewer         {addresses.viewer}",
        "                     (open this link once: it gives the page the dev token; then /web/?job=JOB_ID follows one job)",
    ):
        out.print(line, soft_wrap=True)
    try_it = f"{env_hint}{typeable_tailrun()} run -- {shlex.join(['echo', 'hello'])}"
    out.print(f"Try: {try_it}    (Ctrl-C stops the stack)", soft_wrap=True, markup=False)


def _report(error: TailrunError) -> None:
    """An error as the user reads it: its sentence, and under --verbose its technical detail."""
    err.print("[bold red]Error:[/] ", end="")
    err.print(str(error), markup=False, emoji=False)
    if OPTIONS.verbose and error.detail:
        err.print(f"  ({error.detail})", markup=False, emoji=False, style="dim")


def main(argv: list[str] | None = None) -> None:
    """Console script entry point: run a command, turning tailrun's errors into sentences and exit codes."""
    try:
        app(args=argv, prog_name="tailrun")
    except TailrunError as error:
        _report(error)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        sys.exit(settings.EXIT_CANCELED)
    except Exception as error:
        if not _is_google_api_error(error):
            raise
        _report(
            TailrunError(
                "Firestore did not answer as expected. Is the stack still running? Start it with `tailrun dev`.",
                detail=f"{type(error).__name__}: {error}",
            )
        )
        sys.exit(settings.EXIT_TAILRUN_ERROR if _ends_with_job_code(argv) else 1)


def _is_google_api_error(error: Exception) -> bool:
    """Whether ``error`` is the Google client library's (checked without importing it, unless it was loaded)."""
    module = sys.modules.get("google.api_core.exceptions")
    return module is not None and isinstance(error, module.GoogleAPIError)


def _ends_with_job_code(argv: list[str] | None) -> bool:
    """Whether the command line is one that ends with a job's exit code (`run`, `logs -f`, `retry -f`), whose own
    failures then end with 125."""
    words = sys.argv[1:] if argv is None else argv
    names = [word for word in words if not word.startswith("-")]
    name = next(iter(names), "")
    if name == "batch":  # `batch run` and `batch watch` end with the batch's code, `batch retry --watch` too
        sub = names[1] if len(names) > 1 else ""
        return sub in ("run", "watch") or (sub == "retry" and ("-w" in words or "--watch" in words))
    return name == "run" or (name in ("logs", "retry") and ("-f" in words or "--follow" in words))


# --- identity: `tailrun login`, `logout`, `whoami` (tailrun.cli.login; the logins are tailrun.cli.credentials') ---


@command()
def login(
    email: Annotated[
        str | None, typer.Option(metavar="EMAIL", help="The account's email (asked when not given).")
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", metavar=FLAG, help="Read the password from standard input (one line)."
        ),
    ] = False,
) -> None:
    """Sign in to the stack at TAILRUN_URL (Firebase Auth, email and password) and keep the login for it."""
    from tailrun.cli import login as signing
    from tailrun.cli.credentials import CredentialStore

    endpoint = signing.sign_in_endpoint()
    if email is None:
        email = typer.prompt("Email", err=True)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, err=True)
    store = CredentialStore.default()
    signed_in = signing.sign_in(endpoint, email, password, store)
    err.print(
        f"Logged in to {endpoint.url} as {signed_in.email} (uid {signed_in.uid}); the login is kept in {store.path}.",
        markup=False,
    )


@command()
def logout() -> None:
    """Forget the login for the stack at TAILRUN_URL (the development token or TAILRUN_ID_TOKEN apply again)."""
    from tailrun.cli import login as signing
    from tailrun.cli.credentials import CredentialStore

    url = signing.functions_url()
    if signing.logout(CredentialStore.default()):
        err.print(f"Logged out of {url}.", markup=False)
    else:
        err.print(f"No login for {url} to forget.", markup=False)


@command()
def whoami() -> None:
    """Show who the CLI acts as on the stack at TAILRUN_URL, and how (login, TAILRUN_ID_TOKEN, development token)."""
    from tailrun.cli import login as signing

    who = signing.whoami()
    for key in ("uid", "email", "identity", "provider", "id_token_expires", "url"):
        if who.get(key):
            out.print(f"{key.replace('_', ' '):<17} {who[key]}", markup=False, soft_wrap=True)
