"""What the CLI prints about batches: counts, success rate, ETA, the live view and the tables.

Everything here reads the documents the functions write (``batches/{id}``, its ``rows``, the running rows' jobs) as
plain dicts and turns them into text or rich renderables; nothing here reads Firestore or the clock itself (``now``
is passed in), so each piece is tested on its own from document dicts.

Two ways to watch a batch (``BatchDisplay``): on a terminal, a live view redrawn in place (a header, a progress bar
with the counts, success rate, rate and ETA, the running rows with their current step, the rows that ended last); in
a pipe or a file, plain lines: one progress line when the counts change (at most every ``PLAIN_EVERY_S``, and at
each change of status), and one line for each row as it ends. Everything from a row (its values, its step, its
error) is a job's or a CSV's text: it is cleaned of control sequences and never read as rich markup.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from tailrun.cli.render import (
    STATUS_STYLES,
    _plain,
    _seconds,
    _when,
    compact_json,
    one_line,
)

# the counts of a batch document, in the order they are said
COUNT_KEYS = ("succeeded", "failed", "timed_out", "canceled", "running", "queued")
ENDED_KEYS = ("succeeded", "failed", "timed_out", "canceled")
RUNNING_ROW = frozenset({"booting", "running"})  # a row whose job holds one of the batch's slots
ENDED_ROW = frozenset(ENDED_KEYS)
FINISHED = frozenset({"stopped", "completed"})  # a batch in one of these runs nothing more, ever
BATCH_STYLES = {
    "running": "cyan",
    "paused": "yellow",
    "stopping": "magenta",
    "stopped": "magenta",
    "completed": "green",
}
RUNNING_SHOWN = 10  # running rows listed in the live view (the rest are counted)
RECENT_SHOWN = 5  # rows that ended last, listed in the live view
VALUES_CHARS = 60  # characters of a row's values shown on one line
STEP_CHARS = 50  # characters of a running row's current step
ERROR_CHARS = 80  # characters of an ended row's error
PLAIN_EVERY_S = 2.0  # seconds between two progress lines in a pipe (a change of status prints at once)
BAR_WIDTH = 40  # columns of the progress bar


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def counts_of(batch: Mapping[str, Any]) -> dict[str, int]:
    """The batch's counts, every key present (0 where the document does not say)."""
    raw = batch.get("counts")
    counts: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    return {key: _int(counts.get(key)) for key in ("total", *COUNT_KEYS)}


def ended_count(counts: Mapping[str, int]) -> int:
    """How many rows have ended, however they ended."""
    return sum(counts.get(key, 0) for key in ENDED_KEYS)


def success_rate(batch: Mapping[str, Any]) -> float | None:
    """Succeeded / ended, 0 to 1 (the document's ``success_rate``, else from its counts); None before any row
    ended."""
    stored = _number(batch.get("success_rate"))
    if stored is not None:
        return stored
    counts = counts_of(batch)
    ended = ended_count(counts)
    return counts["succeeded"] / ended if ended else None


def rate_text(rate: float | None) -> str:
    """A success rate as people read it: ``95%``, ``99.5%`` near the top, ``—`` before any row ended."""
    if rate is None:
        return "—"
    percent = rate * 100
    if 99 < percent < 100:
        return f"{percent:.1f}%"
    return f"{percent:.0f}%"


def counts_text(counts: Mapping[str, int]) -> str:
    """The counts in a sentence, zeros of the rarer kinds left out: ``35 succeeded, 2 failed, 5 running,
    158 queued``."""
    always = {"succeeded", "running", "queued"}
    parts = [
        f"{counts.get(key, 0):,} {key.replace('_', ' ')}"
        for key in COUNT_KEYS
        if key in always or counts.get(key, 0)
    ]
    return ", ".join(parts)


def eta_seconds(batch: Mapping[str, Any], now: datetime | None = None) -> float | None:
    """Seconds until the batch is done, as far as one can say: none once it has finished or while it is paused.

    The document's ``eta_s`` was true at its ``updated_at``: the time since is taken off (the document is written
    only while the batch is busy), never below a second while rows remain. Without ``eta_s``, the rows left times
    ``avg_duration_s`` over the concurrency.
    """
    status = batch.get("status")
    counts = counts_of(batch)
    left = counts["queued"] + counts["running"]
    if status in FINISHED or status == "paused" or left == 0:
        return None
    eta = _number(batch.get("eta_s"))
    if eta is not None and eta <= 0:
        eta = (
            None  # written when nothing was left (or before the rows were counted): not an estimate of these
        )
    if eta is None:
        average, concurrency = _number(batch.get("avg_duration_s")), _int(batch.get("concurrency"))
        if average is None or concurrency < 1:
            return None
        eta = average * left / min(concurrency, left)
    updated = batch.get("updated_at")
    if now is not None and isinstance(updated, datetime):
        eta -= max(0.0, (now - updated).total_seconds())
    return max(eta, 1.0)


def eta_text(batch: Mapping[str, Any], now: datetime | None = None) -> str:
    """``ETA 2 min 10 s``; what stands in its place when there is none: ``paused``, ``done`` or ``ETA —``."""
    status = batch.get("status")
    if status == "paused":
        return "paused"
    if status in FINISHED:
        return str(status)
    eta = eta_seconds(batch, now)
    if eta is None:
        return "ETA —"
    return f"ETA {_round_seconds(eta)}"


def _round_seconds(value: float) -> str:
    """A duration to come, to the second (``45 s``, ``2 min 10 s``, ``1 h 05 min``): an ETA is not exact."""
    if value < 60:
        return f"{max(1, round(value))} s"
    return _seconds(value)


def throughput_text(batch: Mapping[str, Any]) -> str:
    """``12.5 rows/min`` (empty before the document says)."""
    rate = _number(batch.get("rows_per_minute"))
    if rate is None or not ended_count(counts_of(batch)):
        return ""  # no row ended yet: no rate to speak of
    return f"{rate:.1f} rows/min" if rate < 100 else f"{rate:,.0f} rows/min"


def progress_text(batch: Mapping[str, Any]) -> str:
    """``37/200 done (18%)``."""
    counts = counts_of(batch)
    ended, total = ended_count(counts), counts["total"]
    percent = f" ({ended * 100 // total}%)" if total else ""
    return f"{ended:,}/{total:,} done{percent}"


def why_text(batch: Mapping[str, Any]) -> str:
    """Why the batch paused or stopped, when it says: ``paused: 3 rows failed: max_failures 3``."""
    status = batch.get("status")
    reason = batch.get("paused_reason") if status == "paused" else None
    if status in ("stopping", "stopped"):
        reason = batch.get("stopped_reason")
    return one_line(f"{status}: {reason}") if reason else ""


def short_id(batch_id: str) -> str:
    """The batch id as the live view's title shows it (whole: ids are copied from there)."""
    return batch_id


def batch_name(batch: Mapping[str, Any]) -> str:
    """The batch's name, cleaned, on one line (empty without one)."""
    name = batch.get("name")
    return one_line(str(name), 60) if name else ""


def progress_line(batch_id: str, batch: Mapping[str, Any], now: datetime | None = None) -> str:
    """The batch in one plain line, for a pipe or a file: ``batch ID: running, 37/200 done (18%): 35 succeeded,
    2 failed, 5 running, 158 queued; success 95%; 12.5 rows/min; ETA 2 min 10 s``."""
    counts = counts_of(batch)
    status = str(batch.get("status") or "?")
    head = f"batch {batch_id}: {status}, {progress_text(batch)}: {counts_text(counts)}"
    parts = [head, f"success {rate_text(success_rate(batch))}"]
    throughput = throughput_text(batch)
    if throughput and status not in FINISHED:
        parts.append(throughput)
    eta = eta_text(batch, now)
    if eta.startswith("ETA"):
        parts.append(eta)
    why = why_text(batch)
    if why:
        parts.append(why)
    return "; ".join(parts)


def values_text(
    row: Mapping[str, Any], columns: Iterable[str] | None = None, limit: int = VALUES_CHARS
) -> str:
    """A row's values on one line, ``name=alice city=paris``, in the CSV's column order when given."""
    raw = row.get("values")
    values: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    order = [key for key in columns or () if key in values] + [
        key for key in values if key not in set(columns or ())
    ]
    return one_line(" ".join(f"{key}={values[key]}" for key in order), limit)


def job_step(job: Mapping[str, Any] | None) -> str:
    """What a running row's job is doing: its progress (``40% compiling``) or current step, on one line."""
    if not job:
        return ""
    raw_progress = job.get("progress")
    progress: Mapping[str, Any] = raw_progress if isinstance(raw_progress, Mapping) else {}
    step = progress.get("step") or job.get("current_step") or ""
    percent = _number(progress.get("percent"))
    text = (f"{percent:.0f}% " if percent is not None else "") + str(step)
    return one_line(text.strip(), STEP_CHARS)


def running_for(job: Mapping[str, Any] | None, now: datetime) -> str:
    """How long a running row's job has been running (``12.3 s``); empty before it started."""
    started = job.get("started_at") if job else None
    if not isinstance(started, datetime):
        return ""
    return _seconds(max(0.0, (now - started).total_seconds()))


def running_rows(rows: Mapping[int, Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The rows whose jobs are booting or running, in row order."""
    return [rows[number] for number in sorted(rows) if rows[number].get("status") in RUNNING_ROW]


def running_table(
    rows: Mapping[int, Mapping[str, Any]],
    jobs: Mapping[str, Mapping[str, Any]],
    now: datetime,
    *,
    columns: Iterable[str] | None = None,
    shown: int = RUNNING_SHOWN,
) -> Table | None:
    """The running rows of the live view: row number, status, time running, current step and values, in row order
    (``shown`` of them; a last line counts the others). None when no row runs."""
    running = running_rows(rows)
    if not running:
        return None
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("ROW", justify="right", no_wrap=True)
    table.add_column("STATUS", no_wrap=True, min_width=len("booting"))
    table.add_column("FOR", justify="right", no_wrap=True, min_width=len("12.3 s"))
    table.add_column("STEP", no_wrap=True, overflow="ellipsis", max_width=STEP_CHARS)
    table.add_column("VALUES", no_wrap=True, overflow="ellipsis")
    for row in running[:shown]:
        job = jobs.get(str(row.get("job_id"))) if row.get("job_id") else None
        status = str((job or {}).get("status") or row.get("status") or "")
        table.add_row(
            _plain(row.get("row", "")),
            _plain(status, STATUS_STYLES.get(status, "")),
            _plain(running_for(job, now)),
            _plain(job_step(job), "cyan"),
            _plain(values_text(row, columns)),
        )
    if len(running) > shown:
        table.add_row("", _plain(f"… and {len(running) - shown} more running", "dim"), "", "", "")
    return table


def row_outcome(row: Mapping[str, Any]) -> str:
    """How an ended row ended, in a few words: ``failed (exit code 3) in 4.1 s: no such file``, ``succeeded in
    1.2 s → {"ok":true}``."""
    status = str(row.get("status") or "?")
    text = status.replace("_", " ")
    exit_code = row.get("exit_code")
    if isinstance(exit_code, int) and status != "succeeded":
        text += f" (exit code {exit_code})"
    duration = _number(row.get("duration_s"))
    if duration is not None:
        text += f" in {_seconds(duration)}"
    attempts = _int(row.get("attempts"))
    if attempts > 1:
        text += f" after {attempts} attempts"
    error = row.get("error")
    message = error.get("message") if isinstance(error, Mapping) else error
    if message and status != "succeeded":
        text += f": {one_line(str(message), ERROR_CHARS)}"
    if row.get("result") is not None:
        text += f" → {one_line(compact_json(row['result']), ERROR_CHARS)}"
    return text


def ended_line(row: Mapping[str, Any], columns: Iterable[str] | None = None) -> str:
    """One ended row as a plain line: ``row 36 failed (exit code 3) in 4.1 s (name=bob)``."""
    values = values_text(row, columns)
    return f"row {row.get('row')} {row_outcome(row)}" + (f" ({values})" if values else "")


def recent_table(
    recent: Iterable[Mapping[str, Any]], *, columns: Iterable[str] | None = None
) -> Table | None:
    """The rows that ended last, newest first: row number, how it ended, values. None before any."""
    ended = list(recent)
    if not ended:
        return None
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("ROW", justify="right", no_wrap=True)
    table.add_column("ENDED", no_wrap=True, overflow="ellipsis", max_width=70)
    table.add_column("VALUES", no_wrap=True, overflow="ellipsis")
    for row in ended:
        status = str(row.get("status") or "")
        table.add_row(
            _plain(row.get("row", "")),
            _plain(row_outcome(row), STATUS_STYLES.get(status, "")),
            _plain(values_text(row, columns)),
        )
    return table


def header(batch_id: str, batch: Mapping[str, Any]) -> Text:
    """``batch ID "name" · running · concurrency 5`` (and why it paused or stopped)."""
    status = str(batch.get("status") or "?")
    text = Text.assemble(("batch ", "bold"), _plain(batch_id, "bold"))
    name = batch_name(batch)
    if name:
        text.append_text(_plain(f" {name!r}"))
    text.append(" · ")
    text.append_text(_plain(status, "bold " + BATCH_STYLES.get(status, "")))
    concurrency = _int(batch.get("concurrency"))
    if concurrency:
        text.append_text(_plain(f" · concurrency {concurrency}"))
    why = why_text(batch)
    if why:
        text.append_text(_plain(f" · {why}", "yellow"))
    return text


def bar_line(batch: Mapping[str, Any], now: datetime | None = None) -> Table:
    """The progress bar and what stands beside it: ``━━━━━━╸━━━  37/200 done (18%)  12.5 rows/min  ETA 2 min``."""
    counts = counts_of(batch)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(width=BAR_WIDTH)
    grid.add_column(no_wrap=True)
    failed = counts["failed"] + counts["timed_out"]
    bar = ProgressBar(
        total=float(counts["total"] or 1),
        completed=float(ended_count(counts)),
        width=BAR_WIDTH,
        complete_style="red" if failed else "green",
        finished_style="red" if failed else "green",
    )
    beside = "  ".join(
        part for part in (progress_text(batch), throughput_text(batch), eta_text(batch, now)) if part
    )
    grid.add_row(bar, Text(beside))
    return grid


def counts_line(batch: Mapping[str, Any]) -> Text:
    """``35 succeeded · 2 failed · 5 running · 158 queued · success 95%``, each count in its colour."""
    counts = counts_of(batch)
    text = Text()
    for key in COUNT_KEYS:
        if key in ("failed", "timed_out", "canceled") and not counts[key]:
            continue
        if text:
            text.append(" · ")
        style = STATUS_STYLES.get(key, "") if counts[key] else "dim"
        text.append(f"{counts[key]:,} {key.replace('_', ' ')}", style=style)
    text.append(f" · success {rate_text(success_rate(batch))}")
    return text


@dataclass
class BatchState:
    """What the live view knows of a batch: its document, its rows (by number), the running rows' jobs (by id),
    and the rows that ended since the view started, newest last."""

    batch_id: str
    batch: dict[str, Any] | None = None
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    ended: list[dict[str, Any]] = field(default_factory=list)
    # rows already ended in the rows' first snapshot count as ended since the view started: a batch this view
    # created (`batch run`) can have fast rows end before its listener's first snapshot
    new_batch: bool = False

    @property
    def columns(self) -> list[str]:
        raw = (self.batch or {}).get("columns")
        return [str(column) for column in raw] if isinstance(raw, list) else []


def live_view(state: BatchState, now: datetime) -> RenderableType:
    """The whole live view of a batch: header, bar, counts, running rows, rows that ended last."""
    batch = state.batch or {}
    parts: list[RenderableType] = [header(state.batch_id, batch), bar_line(batch, now), counts_line(batch)]
    running = running_table(state.rows, state.jobs, now, columns=state.columns)
    if running is not None:
        parts += [Text(""), running]
    recent = recent_table(reversed(state.ended[-RECENT_SHOWN:]), columns=state.columns)
    if recent is not None:
        parts += [Text(""), Text("ended last", style="bold dim"), recent]
    return Group(*parts)


def final_text(batch_id: str, batch: Mapping[str, Any]) -> str:
    """How the batch ended (or why watching it stopped), and what to do next, in sentences."""
    counts = counts_of(batch)
    status = str(batch.get("status") or "?")
    total, succeeded = counts["total"], counts["succeeded"]
    not_ok = counts["failed"] + counts["timed_out"] + counts["canceled"]
    text = f"Batch {batch_id} {status}: {succeeded:,} of {total:,} rows succeeded"
    others = [
        f"{counts[key]:,} {key.replace('_', ' ')}"
        for key in ("failed", "timed_out", "canceled")
        if counts[key]
    ]
    if others:
        text += f", {', '.join(others)}"
    text += f" (success {rate_text(success_rate(batch))})"
    duration = _batch_duration(batch)
    if duration:
        text += f" in {duration}"
    text += "."
    why = why_text(batch)
    if why:
        text += f" {why[0].upper()}{why[1:]}."
    if status == "paused":
        text += f" Resume it with `tailrun batch resume {batch_id}`."
    elif not_ok:
        text += f" Run the {not_ok:,} again with `tailrun batch retry {batch_id}`."
    text += f" Results: `tailrun batch export {batch_id} -o results.csv`."
    return text


def _batch_duration(batch: Mapping[str, Any]) -> str:
    started, ended = batch.get("started_at"), batch.get("ended_at")
    if isinstance(started, datetime) and isinstance(ended, datetime):
        return _seconds((ended - started).total_seconds())
    return ""


def all_succeeded(batch: Mapping[str, Any]) -> bool:
    """Whether the batch completed with every row succeeded (`tailrun batch run` then exits 0)."""
    counts = counts_of(batch)
    return (
        batch.get("status") == "completed" and counts["total"] > 0 and counts["succeeded"] == counts["total"]
    )


def template_text(batch: Mapping[str, Any]) -> str:
    """The batch's command (or prompt) with its placeholders, as a shell would quote it."""
    raw = batch.get("template")
    template: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    argv = template.get("argv")
    if isinstance(argv, list) and argv:
        return shlex.join(str(arg) for arg in argv)
    prompt = template.get("prompt")
    if prompt:
        agent = f" (agent {template['agent']})" if template.get("agent") else ""
        return one_line(str(prompt)) + agent
    return ""


def status_table(batch_id: str, batch: Mapping[str, Any], now: datetime | None = None) -> Table:
    """The key/value table of `tailrun batch status`."""
    table = Table(box=None, show_header=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    status = str(batch.get("status") or "")
    counts = counts_of(batch)
    average = _number(batch.get("avg_duration_s"))
    guard = [
        f"{batch['max_failures']} failures" if batch.get("max_failures") is not None else "",
        f"{rate_text(_number(batch['max_failure_rate']))} failure rate"
        if _number(batch.get("max_failure_rate")) is not None
        else "",
    ]
    rows: list[tuple[str, Any]] = [
        ("batch", batch_id),
        ("name", batch_name(batch)),
        ("status", _plain(status, BATCH_STYLES.get(status, ""))),
        ("paused because", batch.get("paused_reason") if status == "paused" else None),
        ("stopped because", batch.get("stopped_reason") if status in ("stopping", "stopped") else None),
        ("command", template_text(batch)),
        ("columns", ", ".join(str(column) for column in batch.get("columns") or [])),
        ("rows", f"{counts['total']:,}" + (f" (sample of {batch['sample']})" if batch.get("sample") else "")),
        ("progress", progress_text(batch)),
        ("counts", counts_text(counts)),
        ("success rate", rate_text(success_rate(batch))),
        ("concurrency", batch.get("concurrency")),
        ("pauses at", " or ".join(part for part in guard if part)),
        ("rate", throughput_text(batch)),
        ("average row", _seconds(average) if average is not None else None),
        ("eta", eta_text(batch, now) if status not in FINISHED else None),
        ("created", _when(batch.get("created_at"))),
        ("started", _when(batch.get("started_at"))),
        ("ended", _when(batch.get("ended_at"))),
        ("duration", _batch_duration(batch)),
    ]
    for key, value in rows:
        if value not in (None, ""):
            table.add_row(key, value if isinstance(value, Text) else _plain(value))
    return table


def batches_table(batches: Iterable[Mapping[str, Any]]) -> Table:
    """The table of `tailrun batch list`: id, status, created time, progress, success rate, name and command."""
    table = Table(box=None, header_style="bold")
    table.add_column("BATCH", no_wrap=True, min_width=32)
    table.add_column("STATUS", no_wrap=True, min_width=len("completed"))
    table.add_column("CREATED", no_wrap=True, min_width=len("2026-12-03 00:40:45"))
    table.add_column("DONE", no_wrap=True, justify="right")
    table.add_column("SUCCESS", no_wrap=True, justify="right")
    table.add_column("NAME", no_wrap=True, overflow="ellipsis", max_width=30)
    table.add_column("COMMAND", no_wrap=True, overflow="ellipsis", max_width=50)
    for batch in batches:
        status = str(batch.get("status") or "")
        counts = counts_of(batch)
        table.add_row(
            _plain(batch.get("id", "")),
            _plain(status, BATCH_STYLES.get(status, "")),
            _plain(_when(batch.get("created_at"))),
            _plain(f"{ended_count(counts):,}/{counts['total']:,}"),
            _plain(rate_text(success_rate(batch))),
            _plain(batch_name(batch)),
            _plain(" ".join(template_text(batch).split())),
        )
    return table


class BatchDisplay:
    """Shows a watched batch: a live view redrawn in place on a terminal, plain lines otherwise. Use it as a
    context manager; call ``show`` after each change (and now and then, for the clocks)."""

    def __init__(self, console: Console, *, interactive: bool) -> None:
        self.console = console
        self.interactive = interactive
        self._live: Live | None = None
        self._last_line: str | None = None
        self._last_status: Any = None
        self._last_at: float | None = None
        self._shown_ended = 0

    def __enter__(self) -> BatchDisplay:
        if self.interactive:
            self._live = Live(console=self.console, auto_refresh=False, transient=False)
            self._live.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def show(self, state: BatchState, now: datetime, clock: float) -> None:
        """Draw the view (terminal), or write the lines that are due (pipe): each row that ended since the last
        call, then a progress line if the counts changed and ``PLAIN_EVERY_S`` passed (or the status changed)."""
        if state.batch is None:
            return
        if self._live is not None:
            self._live.update(live_view(state, now), refresh=True)
            return
        for row in state.ended[self._shown_ended :]:
            self._write(ended_line(row, state.columns))
        self._shown_ended = len(state.ended)
        line = progress_line(
            state.batch_id, state.batch
        )  # no ETA countdown: a line only when something changed
        status = state.batch.get("status")
        due = self._last_at is None or clock - self._last_at >= PLAIN_EVERY_S or status != self._last_status
        if line != self._last_line and due:
            self._write(progress_line(state.batch_id, state.batch, now))
            self._last_line, self._last_status, self._last_at = line, status, clock

    def flush(self, state: BatchState, now: datetime) -> None:
        """The last word: the final progress line in a pipe (whenever the last was written)."""
        if self._live is not None or state.batch is None:
            return
        for row in state.ended[self._shown_ended :]:
            self._write(ended_line(row, state.columns))
        self._shown_ended = len(state.ended)
        line = progress_line(state.batch_id, state.batch)
        if line != self._last_line:
            self._write(progress_line(state.batch_id, state.batch, now))
            self._last_line = line

    def _write(self, line: str) -> None:
        self.console.print(line, markup=False, emoji=False, highlight=False, soft_wrap=True)
