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

Events (``::group::``, ``::error``/``::warning``/``::notice``, ``::step``, ``::url``, ``::result``, an agent's tool
calls and failures) show in their place among the lines (``event_text``): on a terminal like the lines; otherwise
on stderr, so stdout stays exactly the job's stdout, less the command lines the runner took out. ``tailrun logs
--events`` lists every event instead (``event_line``, ``event_json``), and ``tailrun status`` shows the job's latest
step, URL, annotation counts, usage and result.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
from collections import Counter
from datetime import UTC, datetime
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
from tailrun.cli.follow import JobEvent, OutputLine

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


# How events show among the lines: the kind's text and its style (rich style names; none in a pipe or file)
LEVEL_STYLES = {"error": "bold red", "warning": "yellow", "notice": "cyan"}
RESULT_SHOWN_CHARS = (
    1000  # characters of a result's compact JSON shown as it happens (`tailrun status --json` has it all)
)
RESULT_CELL_CHARS = 200  # characters of a result's compact JSON in `tailrun status` (one line)
# the fields of an event in `tailrun logs --events`, in this order first, then the rest by name
FIELD_ORDER = (
    "role",
    "level",
    "title",
    "text",
    "summary",
    "name",
    "file",
    "line",
    "end_line",
    "col",
    "end_column",
    "url",
    "message",
    "value",
)
_BARE = re.compile(r"[^\s\"'=\\\x00-\x1f\x7f-\x9f]+")  # a field's text written without quotes
_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029]")  # what json.dumps leaves as it is (it escapes C0 controls)


def escape_controls(text: str) -> str:
    """``text`` (JSON, or a line of ``key=value`` fields whose texts are words or JSON strings) with DEL, the C1
    controls and the line separators written as JSON escapes (``json.dumps`` escapes only C0 controls), so
    nothing in it acts on a terminal; JSON stays JSON, with the same value."""
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def compact_json(value: Any) -> str:
    """A JSON value on one line, without spaces: ``{"ok":true}``."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_value)


def one_line(text: str, limit: int | None = None) -> str:
    """``text`` as one clean line (its lines joined by spaces), of at most ``limit`` characters when given
    (``…`` says it was cut)."""
    flat = " ".join(clean(part, keep_sgr=False) for part in text.splitlines())
    return flat if limit is None or len(flat) <= limit else flat[: limit - 1] + "…"


def _text(value: Any) -> str:
    """An event's text field, cleaned, on one line."""
    return "" if value is None else one_line(str(value))


def _paragraph(value: Any) -> str:
    """An event's message, cleaned; a message of several lines continues indented under its first."""
    parts = str(value or "").splitlines() or [""]
    return "\n  ".join(clean(part, keep_sgr=False) for part in parts)


def _where(fields: dict[str, Any]) -> str:
    """``file:line:col: `` of an annotation, as much of it as it gives (nothing without a file)."""
    if not fields.get("file"):
        return ""
    place = _text(fields["file"])
    for key in ("line", "col"):
        if not isinstance(fields.get(key), int):
            break
        place += f":{fields[key]}"
    return place + ": "


def _annotation(fields: dict[str, Any]) -> tuple[str, str]:
    level = str(fields.get("level") or "notice")
    title = f"{_text(fields['title'])}: " if fields.get("title") else ""
    text = f"{_text(level)}: {_where(fields)}{title}{_paragraph(fields.get('message'))}"
    return text, LEVEL_STYLES.get(level, "")


def _result(fields: dict[str, Any]) -> tuple[str, str]:
    if "value" not in fields:
        size = fields.get("bytes")
        over = f"{size:,} bytes, " if isinstance(size, int) else ""
        return f"result: not kept ({over}over the 64 KiB cap)", "yellow"
    return f"result: {one_line(compact_json(fields['value']), RESULT_SHOWN_CHARS)}", "green"


def _agent_started(fields: dict[str, Any]) -> tuple[str, str]:
    details = [f"model {_text(fields['model'])}"] if fields.get("model") else []
    if isinstance(fields.get("tools"), list):
        details.append(f"{len(fields['tools'])} tools")
    agent = _text(fields.get("agent") or "agent")
    return f"{agent} started" + (f" ({', '.join(details)})" if details else ""), "dim"


def _agent_completed(fields: dict[str, Any]) -> tuple[str, str]:
    details = []
    if isinstance(fields.get("num_turns"), int):
        details.append(f"{fields['num_turns']} turns")
    if isinstance(fields.get("duration_ms"), int | float):
        details.append(_seconds(float(fields["duration_ms"]) / 1000))
    if isinstance(fields.get("cost_usd"), int | float):
        details.append(f"${fields['cost_usd']:.4f}")
    return "agent completed" + (f" ({', '.join(details)})" if details else ""), "dim"


def _agent_failed(fields: dict[str, Any]) -> tuple[str, str]:
    why = _paragraph(fields["message"]) if fields.get("message") else ""
    subtype = f" ({_text(fields['subtype'])})" if fields.get("subtype") else ""
    return f"error: the agent failed{subtype}" + (f": {why}" if why else ""), "bold red"


def event_text(event: JobEvent) -> tuple[str, str] | None:
    """How an event shows among a job's lines (its text and rich style), or None for the kinds not shown there:
    ``message``, ``thinking`` and ``tool_result`` (their text is a line already), ``usage``, ``endgroup``,
    ``todo``, ``agent_event`` and kinds this CLI does not know (``tailrun logs --events`` lists them all)."""
    fields, kind = event.fields, event.kind
    cut = " …" if fields.get("cut") and kind != "result" else ""
    shown: tuple[str, str] | None
    if kind == "group":
        shown = f"▸ {_text(fields.get('title'))}", "bold"
    elif kind == "annotation":
        shown = _annotation(fields)
    elif kind == "step":
        shown = f"→ {_text(fields.get('text'))}", "cyan"
    elif kind == "tool_call":
        shown = f"→ {_text(fields.get('summary') or fields.get('name'))}", "cyan"
    elif kind == "url":
        shown = f"↗ {_text(fields.get('url'))}", "blue"
    elif kind == "result":
        shown = _result(fields)
    elif kind == "error":
        shown = f"error: {_paragraph(fields.get('message'))}", "bold red"
    elif kind == "agent_failed":
        shown = _agent_failed(fields)
    elif kind == "agent_started":
        shown = _agent_started(fields)
    elif kind == "agent_completed":
        shown = _agent_completed(fields)
    else:
        return None
    return shown[0] + cut, shown[1]


def _field(value: Any) -> str:
    """A field's value in `tailrun logs --events`: a word as it is, any other text as a JSON string, anything
    else as compact JSON."""
    if isinstance(value, str) and _BARE.fullmatch(value):
        return value
    return compact_json(value)


def _ordered(fields: dict[str, Any]) -> list[str]:
    first = [key for key in FIELD_ORDER if key in fields]
    return first + sorted(key for key in fields if key not in FIELD_ORDER)


def event_line(event: JobEvent) -> str:
    """One event as `tailrun logs --events` lists it: ``EVENT AT_LINE KIND key=value …``, e.g.
    ``3 13 annotation level=error file=a.py line=3 message=bad``."""
    fields = " ".join(f"{_field(key)}={_field(event.fields[key])}" for key in _ordered(event.fields))
    return escape_controls(f"{event.event} {event.at_line} {_field(event.kind)} {fields}".rstrip())


def event_json(event: JobEvent) -> str:
    """One event as `tailrun logs --events --json` lists it: the stored event as one JSON object (sorted keys)."""
    return escape_controls(
        json.dumps(
            event.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_value
        )
    )


def annotations_text(value: Any) -> str:
    """A job's annotation counts as people read them, zeros left out: ``1 error, 2 warnings``."""
    counts: dict[str, Any] = value if isinstance(value, dict) else {}
    parts = []
    for level in LEVEL_STYLES:
        count = counts.get(level)
        if isinstance(count, int) and count > 0:
            parts.append(f"{count:,} {level}" + ("" if count == 1 else "s"))
    return ", ".join(parts)


def usage_text(value: Any) -> str:
    """What an agent reported using, as people read it: ``1,234 in / 567 out tokens, $0.0123`` (what it did not
    report left out)."""
    usage: dict[str, Any] = value if isinstance(value, dict) else {}
    numbers: dict[str, float] = {
        key: usage[key]
        for key in ("input_tokens", "output_tokens", "cost_usd")
        if isinstance(usage.get(key), int | float) and not isinstance(usage.get(key), bool)
    }
    tokens = [
        f"{int(numbers[key]):,} {side}"
        for key, side in (("input_tokens", "in"), ("output_tokens", "out"))
        if key in numbers
    ]
    parts = [" / ".join(tokens) + " tokens"] if tokens else []
    if "cost_usd" in numbers:
        parts.append(f"${numbers['cost_usd']:.4f}")
    return ", ".join(parts)


def result_cell(job: dict[str, Any]) -> Text | None:
    """A job's result for `tailrun status`: its compact JSON, cut to one line (None before any result)."""
    if job.get("result") is None:
        return None
    return Text(one_line(compact_json(job["result"]), RESULT_CELL_CHARS), no_wrap=True, overflow="ellipsis")


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
            step = step or job.get(
                "current_step"
            )  # the bar says what the job is doing (its lines say it too)
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

    def events(self, events: list[JobEvent]) -> None:
        """Events, in their place among the lines: on a terminal with the live bar above it, like the lines;
        otherwise on stderr (in colour when stderr is a terminal), so stdout keeps the job's stdout alone. The
        kinds ``event_text`` does not show are left out."""
        for event in events:
            shown = event_text(event)
            if shown is None:
                continue
            text, style = shown
            console = self.out if self.interactive else self.err
            console.print(Text(text, style=style), soft_wrap=True)

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

    def event_gap(self, attempt: int, start: int, end: int) -> None:
        """Events that never arrived."""
        self.note(
            f"events {start}–{end - 1} of attempt {attempt} are missing from the stored output",
            style="bold red",
        )

    def summary(self, job: dict[str, Any], failed_uploads: int = 0) -> None:
        """The final status of the job (and how many of its artifacts could not be uploaded)."""
        self.note(
            describe_end(job, failed_uploads), style="bold " + STATUS_STYLES.get(str(job.get("status")), "")
        )


class EventListDisplay(TerminalDisplay):
    """Lists a job's events on stdout, one per line, and none of its lines (`tailrun logs --events`): as
    ``event_line`` or, with ``as_json``, ``event_json``. tailrun's own notes go to stderr, as in a pipe."""

    def __init__(self, job_id: str, *, as_json: bool = False) -> None:
        super().__init__(job_id, interactive=False)
        self.as_json = as_json

    def lines(self, lines: list[OutputLine]) -> None:
        """Lines are not listed."""

    def events(self, events: list[JobEvent]) -> None:
        """Every event, whatever its kind."""
        write = event_json if self.as_json else event_line
        sys.stdout.write("".join(write(event) + "\n" for event in events))
        sys.stdout.flush()


def _percent(value: Any) -> str:
    try:
        return f"{float(value):.0f}%"
    except (TypeError, ValueError):
        return str(value)


# error codes whose message only restates the exit code or the signal that the end's details already give
RESTATING_CODES = frozenset({"none", "exit", "exit_code", "signal"})


def end_details(job: dict[str, Any], failed_uploads: int = 0) -> list[str]:
    """What to say, in brackets, about how a job ended: its exit code or signal and why, each said once.

    The error's message is left out when it only restates the exit code or signal (``exited with code 3``), and
    the exit code or signal is left out when the message says it already.
    """
    raw_error = job.get("error")
    error: dict[str, Any] = raw_error if isinstance(raw_error, dict) else {}
    message = ""
    if error.get("message") and error.get("code") not in RESTATING_CODES:
        message = clean(str(error["message"]), keep_sgr=False).rstrip(".")
    details = []
    exit_code, signal_name = job.get("exit_code"), job.get("signal")
    if exit_code is not None and not re.search(rf"\b(code|with) {int(exit_code)}\b", message):
        details.append(f"exit code {exit_code}")
    if signal_name and str(signal_name) not in message:
        details.append(f"signal {signal_name}")
    if message:
        details.append(message)
    if failed_uploads:
        files = "artifact" if failed_uploads == 1 else "artifacts"
        details.append(f"{failed_uploads} {files} not uploaded")
    return details


def describe_end(job: dict[str, Any], failed_uploads: int = 0) -> str:
    """One sentence on how a job ended, e.g. ``job ab12 succeeded (exit code 0) in 10.2 s``; ``failed_uploads``
    artifact files that could not be uploaded are said too, so a job that lost files never reads as a bare
    success."""
    return f"job {job.get('id', '')} ".lstrip() + end_phrase(job, failed_uploads)


def end_phrase(job: dict[str, Any], failed_uploads: int = 0) -> str:
    """How a job ended, without its id: ``failed (exit code 3) in 1.2 s``."""
    details = end_details(job, failed_uploads)
    text = str(job.get("status")) + (f" ({'; '.join(details)})" if details else "")
    duration = _duration(job)
    return text + (f" in {duration}" if duration else "")


def _duration(job: dict[str, Any]) -> str | None:
    started, ended = job.get("started_at"), job.get("ended_at")
    if isinstance(started, datetime) and isinstance(ended, datetime):
        return f"{(ended - started).total_seconds():.1f} s"
    return None


def exit_code_for(job: dict[str, Any]) -> int:
    """The exit code `tailrun run` and `tailrun logs -f` end with, from the job's end.

    ``timed_out`` is 124 (as ``timeout(1)``) and ``canceled`` 130 (as Ctrl-C), whatever code the job had when it
    was stopped; otherwise the job's own non-zero exit code, or 128 + N for a job killed by signal N. A job that
    failed with exit code 0 (or none), e.g. one that caught the SIGTERM of a stack shutting down and exited 0, never
    ends with 0: 143 (128 + SIGTERM) when the stack stopped it (``error.code == "stopped"``), else 1.
    """
    status = job.get("status")
    if status == "succeeded":
        return 0
    if status == "timed_out":
        return settings.EXIT_TIMED_OUT
    if status == "canceled":
        return settings.EXIT_CANCELED
    exit_code = job.get("exit_code")
    if isinstance(exit_code, int) and exit_code != 0:
        return exit_code
    number = _signal_number(job.get("signal"))
    if number:
        return settings.EXIT_SIGNAL_BASE + number
    raw_error = job.get("error")
    if isinstance(raw_error, dict) and raw_error.get("code") == "stopped":
        return settings.EXIT_STOPPED
    return 1


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


def _labels(job: dict[str, Any]) -> str:
    """A job's labels as ``k=v,k2=v2`` (its ``label_pairs``, or its spec's labels on older documents)."""
    pairs = job.get("label_pairs")
    if not isinstance(pairs, list):
        raw_spec = job.get("spec")
        labels = (raw_spec.get("labels") if isinstance(raw_spec, dict) else None) or {}
        pairs = sorted(f"{key}={value}" for key, value in labels.items())
    return ",".join(str(pair) for pair in pairs)


def _elapsed(job: dict[str, Any], now: datetime | None = None) -> str:
    """How long a job ran (``12.3 s``), or has been running so far (``12.3 s…``); empty before it started."""
    started, ended = job.get("started_at"), job.get("ended_at")
    if not isinstance(started, datetime):
        return ""
    if isinstance(ended, datetime):
        return _seconds((ended - started).total_seconds())
    return _seconds(((now or datetime.now(UTC)) - started).total_seconds()) + "…"


def _seconds(value: float) -> str:
    if value < 60:
        return f"{value:.1f} s"
    minutes, seconds = divmod(int(value), 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def jobs_table(jobs: list[dict[str, Any]], *, header: bool = True) -> Table:
    """The table of `tailrun jobs`: id, status, created time, duration, exit code, labels and command."""
    table = Table(box=None, header_style="bold", show_header=header)
    for column in ("JOB", "STATUS", "CREATED", "DURATION", "EXIT"):
        table.add_column(column, no_wrap=True, min_width=len(column))
    # job ids are copied from here, and times and statuses are read whole: never cut them; a narrow pipe cuts the
    # labels and the command instead
    table.columns[0].min_width = 32
    table.columns[1].min_width = max(map(len, STATUS_STYLES), default=0)
    table.columns[2].min_width = len("2026-12-03 00:40:45")
    table.columns[3].justify = table.columns[4].justify = "right"
    table.add_column(
        "LABELS", overflow="ellipsis", no_wrap=True, max_width=40
    )  # one row per job, for scripts
    table.add_column("COMMAND", overflow="ellipsis", no_wrap=True, max_width=60)
    for job in jobs:
        status = str(job.get("status", ""))
        exit_code = job.get("exit_code")
        table.add_row(
            _plain(job.get("id", "")),
            _plain(status, STATUS_STYLES.get(status, "")),
            _plain(_when(job.get("created_at"))),
            _plain(_elapsed(job)),
            _plain("" if exit_code is None else exit_code),
            _plain(_labels(job)),
            _plain(" ".join(_command(job).split())),
        )
    return table


def _attempt_line(attempt: dict[str, Any]) -> str:
    """One attempt as a status row: ``2: failed (exit code 3) in 1.2 s``."""
    status = str(attempt.get("status", "?"))
    details = end_details(attempt, len(attempt.get("artifact_errors") or []))
    text = f"{attempt.get('attempt')}: {status}" + (f" ({'; '.join(details)})" if details else "")
    seconds = _attempt_seconds(attempt)
    return text + (f" in {_seconds(seconds)}" if seconds is not None else "")


def _attempt_seconds(attempt: dict[str, Any]) -> float | None:
    """How long an attempt's process ran, in seconds (its ``duration_ms``, else its start and end)."""
    if isinstance(attempt.get("duration_ms"), int | float):
        return float(attempt["duration_ms"]) / 1000
    started, ended = attempt.get("started_at"), attempt.get("ended_at")
    if isinstance(started, datetime) and isinstance(ended, datetime):
        return (ended - started).total_seconds()
    return None


def status_table(
    job: dict[str, Any],
    attempts: list[dict[str, Any]] | None = None,
    artifacts: list[dict[str, Any]] | None = None,
) -> Table:
    """The key/value table of `tailrun status`: the job, then (when given) its attempts, artifacts and the files
    that failed to upload."""
    table = Table(box=None, show_header=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    status = str(job.get("status", ""))
    progress = job.get("progress") or {}
    failed = failed_upload_entries(attempts or [])
    retried_by = job.get("retried_by")
    rows: list[tuple[str, Any]] = [
        ("job", job.get("id")),
        ("status", _plain(status, STATUS_STYLES.get(status, ""))),
        ("command", _command(job)),
        ("labels", _labels(job)),
        ("attempt", job.get("attempt")),
        ("created", _when(job.get("created_at"))),
        ("started", _when(job.get("started_at"))),
        ("ended", _when(job.get("ended_at"))),
        ("duration", _duration(job)),
        ("last output", _when(job.get("last_output_at"))),
        ("exit code", job.get("exit_code")),
        ("signal", job.get("signal")),
        (
            "progress",
            f"{_percent(progress['percent'])} {progress.get('step') or ''}".strip()
            if progress.get("percent") is not None
            else None,
        ),
        ("step", job.get("current_step")),
        ("url", job.get("current_url")),
        ("annotations", annotations_text(job.get("annotations"))),
        ("usage", usage_text(job.get("usage"))),
        ("result", result_cell(job)),
        ("ended as", "; ".join(end_details(job)) if status in TERMINAL else None),
        ("lines", job.get("lines")),
        ("events", job.get("events")),
        ("retry of", job.get("parent_job_id")),
        ("retried by", ", ".join(map(str, retried_by)) if isinstance(retried_by, list) else None),
    ]
    rows += [("attempts" if index == 0 else "", _attempt_line(a)) for index, a in enumerate(attempts or [])]
    if artifacts:
        summary = artifacts_summary(artifacts)
        rows.append(
            (
                "artifacts",
                f"{summary['count']}: "
                + ", ".join(f"{item['name']} ({item['review_state']})" for item in summary["items"]),
            )
        )
    rows += [
        (
            "not uploaded" if index == 0 else "",
            f"{entry['name']} (attempt {entry['attempt']}): {entry['message']}",
        )
        for index, entry in enumerate(failed)
    ]
    for key, value in rows:
        if value not in (None, ""):
            table.add_row(key, value if isinstance(value, Text) else _plain(value))
    return table


def failed_upload_entries(attempts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The files the job's runners could not upload (``artifact_errors`` of its attempts), oldest first."""
    return [
        {
            "attempt": attempt.get("attempt"),
            "name": error.get("name"),
            "code": error.get("code"),
            "message": error.get("message"),
        }
        for attempt in attempts
        for error in attempt.get("artifact_errors") or []
        if isinstance(error, dict)
    ]


def artifacts_summary(artifacts: list[dict[str, Any]]) -> dict[str, Any]:
    """A job's artifacts in brief: how many, their names, how many are in each review state, and each one."""
    items = [
        {
            "artifact_id": artifact.get("artifact_id"),
            "name": artifact.get("name"),
            "attempt": artifact.get("attempt"),
            "size": artifact.get("size"),
            "review_state": (artifact.get("review") or {}).get("state"),
        }
        for artifact in artifacts
    ]
    states = Counter(str(item["review_state"]) for item in items)
    return {
        "count": len(items),
        "names": sorted({str(item["name"]) for item in items}),
        "review_states": dict(sorted(states.items())),
        "items": items,
    }


def attempt_summary(attempt: dict[str, Any]) -> dict[str, Any]:
    """One attempt for `tailrun status --json`: its number, status, exit code, signal, error, duration and the
    files it could not upload."""
    seconds = _attempt_seconds(attempt)
    return {
        "attempt": attempt.get("attempt"),
        "status": attempt.get("status"),
        "exit_code": attempt.get("exit_code"),
        "signal": attempt.get("signal"),
        "reason": attempt.get("reason"),
        "error": attempt.get("error"),
        "started_at": attempt.get("started_at"),
        "ended_at": attempt.get("ended_at"),
        "duration_s": None if seconds is None else round(seconds, 3),
        "failed_uploads": failed_upload_entries([attempt]),
    }


STATUS_ADDED_KEYS = (
    "attempts",
    "artifacts",
    "failed_uploads",
)  # what `status --json` adds to the job document


def status_document(
    job: dict[str, Any], attempts: list[dict[str, Any]], artifacts: list[dict[str, Any]]
) -> dict[str, Any]:
    """What `tailrun status --json` prints: the job document's fields as stored (with its ``id``), and, under keys
    of their own (``STATUS_ADDED_KEYS``), its attempts, its artifacts in brief and the files that failed to upload.
    """
    failed = failed_upload_entries(attempts)
    return {
        **job,
        "attempts": [attempt_summary(attempt) for attempt in attempts],
        "artifacts": artifacts_summary(artifacts),
        "failed_uploads": {"count": len(failed), "items": failed},
    }


def _json_value(value: Any) -> Any:
    """A Firestore value JSON cannot hold: timestamps as ISO 8601 (UTC), anything else as its text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)


def stable_json(document: Any) -> str:
    """``document`` as indented JSON with sorted keys: the same bytes for the same data, whatever order Firestore
    returned its fields in."""
    text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False, default=_json_value)
    return escape_controls(text) + "\n"


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
