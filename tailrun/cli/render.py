"""What the CLI prints: job output, a live progress bar, statuses and tables.

Job output keeps its streams: a job's stdout goes to the CLI's stdout, its stderr to the CLI's stderr (in red on a
terminal). When both are terminals, a rich progress bar at the bottom shows the job's status and its ``::progress``
messages while the lines scroll above it. Otherwise (pipes, files, CI) the output is plain and tailrun's own notes go
to stderr as ``tailrun: …`` lines, so ``tailrun run -- cmd > out.txt`` leaves only the command's stdout in out.txt.

A job's output is untrusted text: an escape sequence in it could write the user's clipboard (OSC 52), set the window
title, clear the screen or move the cursor. So every line goes through ``clean`` on its way out, to a terminal and to
a pipe or file alike (a pipe usually ends at a terminal: ``tailrun logs JOB | grep x``, ``| tail``): SGR colour
sequences (``ESC [ … m``) are kept, as the job printed them, and every other control sequence and control character
except tab is removed. ``NO_COLOR`` removes the colours too. ``tailrun logs --raw`` writes the stored text unchanged,
for a user who asked for exactly that. A line the runner cut (``cut``, at ``TAILRUN_MAX_LINE_BYTES``) says so: a dim
``… [line cut at 32 KiB]`` on a terminal, ``… [tailrun: line cut at 32 KiB]`` in a pipe or file, a ``tailrun:`` note
on stderr with ``--raw``. Everything else tailrun prints from a job (progress steps, error messages, table cells) is
cleaned of every sequence, colours included, and never read as rich markup or emoji codes.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from datetime import datetime
from types import TracebackType
from typing import IO, Any

from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TaskProgressColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text
from tailrun_functions.states import TERMINAL

from tailrun import settings
from tailrun.cli.follow import OutputLine

STATUS_STYLES = {
    "queued": "yellow",
    "booting": "yellow",
    "running": "cyan",
    "succeeded": "green",
    "failed": "red",
    "canceled": "magenta",
    "timed_out": "red",
}


# Every control sequence a terminal could act on, by class (ECMA-48 and the VT500 parser). A string (OSC, DCS, …) is
# removed up to its terminator (BEL or ST), the next ESC (which aborts it on a terminal) or the end of the line, so
# an unterminated one takes the rest of its line with it. Order matters: SGR first.
_CONTROL = re.compile(
    r"(?P<sgr>\x1b\[[0-9;:]*m)"  # SGR, the only sequence kept: colours, bold, reset
    r"|(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"  # any other CSI (7- or 8-bit), complete or not
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x9c|\x1b\\)?"  # OSC, DCS, SOS, PM, APC
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?"  # other ESC sequences (RIS, charsets), a lone ESC
    r"|[\x00-\x08\x0a-\x1f\x7f-\x9f]"  # C0 controls but tab, DEL, C1 controls
)
_ANY_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
SGR_RESET = "\x1b[0m"


def clean(text: str, *, keep_sgr: bool = True) -> str:
    """``text`` without anything a terminal would act on: every control sequence (OSC, DCS/SOS/PM/APC strings, CSI,
    other ESC sequences, 7- and 8-bit) and every C0/C1 control character except tab is removed; SGR colour
    sequences (``ESC [ … m``) are kept when ``keep_sgr``. What is left has no ESC outside a kept SGR."""
    if not _ANY_CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda match: match.group(0) if keep_sgr and match.group("sgr") else "", text)


def colours_wanted() -> bool:
    """Whether a job's own colours are kept (the NO_COLOR convention: any non-empty value turns them off)."""
    return not os.environ.get("NO_COLOR")


def cut_size(text: str) -> str:
    """How much of a cut line the runner kept, as people read it (``32 KiB``), measured in the job's bytes."""
    # U+FFFD stood for one bad byte: its three bytes here count as one
    kept = len(text.encode("utf-8", "surrogatepass")) - 2 * text.count("\ufffd")
    return f"{round(kept / 1024)} KiB" if kept >= 1024 else f"{kept} bytes"


def _plain(value: Any, style: str = "") -> Text:
    """Text from a job or its documents for a table or a note: no control sequence, no markup, no emoji codes."""
    return Text(clean(str(value), keep_sgr=False), style=style)


class _LabelColumn(ProgressColumn):
    """The progress bar's label, a ``Text`` (a job's step is never read as markup)."""

    def render(self, task: Task) -> RenderableType:
        label = task.fields.get("label")
        return label if isinstance(label, Text) else Text(task.description)


def is_interactive() -> bool:
    """True when both output streams are terminals (the live bar would not garble a file or a pipe)."""
    return sys.stdout.isatty() and sys.stderr.isatty()


class TerminalDisplay:
    """Shows one followed job (implements ``tailrun.cli.follow.Display``); use it as a context manager."""

    def __init__(self, job_id: str, *, interactive: bool | None = None, raw: bool = False) -> None:
        self.job_id = job_id
        self.raw = raw
        self.interactive = not raw and (is_interactive() if interactive is None else interactive)
        self.keep_sgr = colours_wanted()
        self.out = Console(highlight=False)
        self.err = Console(stderr=True, highlight=False)
        self._status: str | None = None
        self._progress_seen: tuple[Any, Any] | None = None
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> TerminalDisplay:
        if self.interactive:
            self._bar = Progress(
                SpinnerColumn(),
                _LabelColumn(),
                BarColumn(),
                TaskProgressColumn(),
                TimeElapsedColumn(),
                console=self.out,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.job_id, total=None, label=_plain(self.job_id, "bold"))
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def note(self, message: str, style: str = "dim") -> None:
        """A message from tailrun itself (never mixed into the job's stdout)."""
        message = clean(message, keep_sgr=False)
        if self.interactive:
            self.out.print(Text(message, style=style))
        else:
            self.err.print(f"tailrun: {message}", markup=False, emoji=False, soft_wrap=True)

    def job(self, job: dict[str, Any]) -> None:
        """A new state of the job document: status and progress."""
        status = str(job.get("status", "?"))
        progress = job.get("progress") or {}
        percent, step = progress.get("percent"), progress.get("step")
        if self._bar is not None and self._task is not None:
            label = Text.assemble(
                _plain(self.job_id, "bold"), " ", _plain(status, STATUS_STYLES.get(status, ""))
            )
            if step:
                label.append_text(_plain(f" · {step}"))
            self._bar.update(
                self._task,
                label=label,
                total=100 if percent is not None else None,
                completed=float(percent or 0),
            )
            return
        if status != self._status and status not in TERMINAL:
            self.note(f"job {self.job_id}: {status}")
        if percent is not None and (percent, step) != self._progress_seen:
            self.note(f"progress {_percent(percent)}" + (f" {step}" if step else ""))
            self._progress_seen = (percent, step)
        self._status = status

    def lines(self, lines: list[OutputLine]) -> None:
        """Output lines, in order, cleaned of control sequences but colours (see ``clean``), cut ones marked."""
        if self.interactive:
            for line in lines:
                text = Text.from_ansi(
                    clean(line.text, keep_sgr=self.keep_sgr), style="red" if line.stream == "stderr" else ""
                )
                if line.cut:
                    text.append(f" … [line cut at {cut_size(line.text)}]", style="dim")
                self.out.print(text, soft_wrap=True)
            return
        for line in lines:
            stream = sys.stderr if line.stream == "stderr" else sys.stdout
            stream.write(self._plain_line(line, stream))
            if self.raw and line.cut:
                stream.flush()
                self.note(f"line {line.line} was cut by the runner at {cut_size(line.text)}")
        sys.stdout.flush()
        sys.stderr.flush()

    def _plain_line(self, line: OutputLine, stream: IO[str]) -> str:
        """A line as written to a pipe, a file, or a terminal without the live bar."""
        if self.raw:
            return line.text + ("" if line.partial else "\n")
        text = clean(line.text, keep_sgr=self.keep_sgr)
        if "\x1b" in text and stream.isatty():
            # a colour the job left on must not bleed into the next line or the shell's prompt
            text += SGR_RESET
        if line.cut:
            return f"{text} … [tailrun: line cut at {cut_size(line.text)}]\n"
        return text + ("" if line.partial else "\n")

    def attempt(self, attempt: int) -> None:
        """A new attempt starts (its output follows)."""
        if attempt > 1:
            self.note(f"attempt {attempt}", style="bold yellow")

    def gap(self, attempt: int, start: int, end: int) -> None:
        """Lines that never arrived."""
        self.note(
            f"lines {start}–{end - 1} of attempt {attempt} are missing from the stored output",
            style="bold red",
        )

    def summary(self, job: dict[str, Any]) -> None:
        """The final status of the job."""
        self.note(describe_end(job), style="bold " + STATUS_STYLES.get(str(job.get("status")), ""))


def _percent(value: Any) -> str:
    try:
        return f"{float(value):.0f}%"
    except (TypeError, ValueError):
        return str(value)


def describe_end(job: dict[str, Any]) -> str:
    """One sentence on how a job ended, e.g. ``job ab12 succeeded (exit code 0) in 10.2 s``."""
    parts = [f"job {job.get('id', '')}".strip(), str(job.get("status"))]
    details = []
    if job.get("exit_code") is not None:
        details.append(f"exit code {job['exit_code']}")
    if job.get("signal"):
        details.append(f"signal {job['signal']}")
    error = job.get("error")
    if isinstance(error, dict) and error.get("message") and error.get("code") != "exit_code":
        details.append(str(error["message"]))
    text = " ".join(parts) + (f" ({'; '.join(details)})" if details else "")
    duration = _duration(job)
    return text + (f" in {duration}" if duration else "")


def _duration(job: dict[str, Any]) -> str | None:
    started, ended = job.get("started_at"), job.get("ended_at")
    if isinstance(started, datetime) and isinstance(ended, datetime):
        return f"{(ended - started).total_seconds():.1f} s"
    return None


def exit_code_for(job: dict[str, Any]) -> int:
    """The exit code `tailrun run` ends with: the job's own, or a conventional one when it has none."""
    status = job.get("status")
    if job.get("exit_code") is not None:
        return int(job["exit_code"])
    if status == "succeeded":
        return 0
    if status == "timed_out":
        return settings.EXIT_TIMED_OUT
    if status == "canceled":
        return settings.EXIT_CANCELED
    number = _signal_number(job.get("signal"))
    return settings.EXIT_SIGNAL_BASE + number if number else 1


def _signal_number(name: Any) -> int | None:
    import signal

    try:
        return int(signal.Signals[str(name)]) if name else None
    except KeyError:
        return None


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    return "" if value is None else str(value)


def _command(job: dict[str, Any]) -> str:
    """The job's command line (or its agent prompt), as a shell would quote it."""
    raw_spec = job.get("spec")
    spec: dict[str, Any] = raw_spec if isinstance(raw_spec, dict) else {}
    argv = job.get("argv") or spec.get("argv")
    if isinstance(argv, list):
        return shlex.join(str(arg) for arg in argv)
    return str(job.get("prompt") or spec.get("prompt") or "")


def jobs_table(jobs: list[dict[str, Any]]) -> Table:
    """The table of `tailrun jobs`."""
    table = Table(box=None, header_style="bold")
    for column in ("JOB", "STATUS", "CREATED", "EXIT"):
        table.add_column(column, no_wrap=True, min_width=len(column))
    table.columns[0].min_width = 32  # job ids are copied from here: never cut them
    table.add_column("COMMAND", overflow="ellipsis", no_wrap=True, max_width=60)
    for job in jobs:
        status = str(job.get("status", ""))
        exit_code = job.get("exit_code")
        table.add_row(
            _plain(job.get("id", "")),
            _plain(status, STATUS_STYLES.get(status, "")),
            _plain(_when(job.get("created_at"))),
            _plain("" if exit_code is None else exit_code),
            _plain(" ".join(_command(job).split())),
        )
    return table


def status_table(job: dict[str, Any]) -> Table:
    """The key/value table of `tailrun status`."""
    table = Table(box=None, show_header=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    status = str(job.get("status", ""))
    progress = job.get("progress") or {}
    raw_error = job.get("error")
    error: dict[str, Any] = raw_error if isinstance(raw_error, dict) else {}
    rows: list[tuple[str, Any]] = [
        ("job", job.get("id")),
        ("status", _plain(status, STATUS_STYLES.get(status, ""))),
        ("command", _command(job)),
        ("attempt", job.get("attempt")),
        ("created", _when(job.get("created_at"))),
        ("started", _when(job.get("started_at"))),
        ("ended", _when(job.get("ended_at"))),
        ("duration", _duration(job)),
        ("exit code", job.get("exit_code")),
        ("signal", job.get("signal")),
        (
            "progress",
            f"{_percent(progress['percent'])} {progress.get('step') or ''}".strip()
            if progress.get("percent") is not None
            else None,
        ),
        ("error", f"{error.get('code')}: {error.get('message')}" if error else None),
        ("lines", job.get("lines")),
        ("retry of", job.get("parent_job_id")),
    ]
    for key, value in rows:
        if value not in (None, ""):
            table.add_row(key, value if isinstance(value, Text) else _plain(value))
    return table


REVIEW_STYLES = {"pending": "yellow", "approved": "green", "rejected": "red"}


def _size(value: Any) -> str:
    """A byte count as people read it (1.5 KiB, 3.0 MiB)."""
    if not isinstance(value, int):
        return ""
    if value < 1024:
        return f"{value} B"
    amount, unit = value / 1024, "KiB"
    for bigger in ("MiB", "GiB"):
        if amount < 1024:
            break
        amount, unit = amount / 1024, bigger
    return f"{amount:.1f} {unit}"


def artifacts_table(artifacts: list[dict[str, Any]]) -> Table:
    """The table of `tailrun artifacts`."""
    table = Table(box=None, header_style="bold")
    table.add_column("NAME", overflow="fold", min_width=4)
    for column in ("SIZE", "TYPE", "REVIEW", "FROM", "CREATED"):
        table.add_column(column, no_wrap=True, min_width=len(column))
    table.columns[1].justify = "right"
    for artifact in artifacts:
        raw_review = artifact.get("review")
        review: dict[str, Any] = raw_review if isinstance(raw_review, dict) else {}
        state = str(review.get("state", ""))
        decided = f" by {review['reviewer']}" if review.get("reviewer") and state != "pending" else ""
        table.add_row(
            _plain(artifact.get("name", "")),
            _plain(_size(artifact.get("size"))),
            _plain(artifact.get("content_type", "")),
            _plain(state + decided, REVIEW_STYLES.get(state, "")),
            _plain(artifact.get("uploaded_by", "")),
            _plain(_when(artifact.get("created_at"))),
        )
    return table
