"""How the CLI words and draws a batch, from the documents the functions write: counts, success rate, ETA, the
progress line, the running rows, the rows that ended, the end, and the plain lines of a pipe."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rich.console import Console, RenderableType

from tailrun.cli.batch_render import (
    BatchDisplay,
    BatchState,
    all_succeeded,
    batches_table,
    counts_text,
    ended_line,
    eta_text,
    final_text,
    live_view,
    progress_line,
    rate_text,
    row_outcome,
    running_table,
    status_table,
    success_rate,
    values_text,
)

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
BATCH_ID = "0123456789abcdef0123456789abcdef"


def batch(**fields: Any) -> dict[str, Any]:
    """A running batch of 200 rows, 37 ended, as the functions write it; ``fields`` override."""
    document: dict[str, Any] = {
        "status": "running",
        "concurrency": 5,
        "counts": {
            "total": 200,
            "queued": 158,
            "running": 5,
            "succeeded": 35,
            "failed": 2,
            "canceled": 0,
            "timed_out": 0,
        },
        "success_rate": 35 / 37,
        "eta_s": 130.0,
        "rows_per_minute": 12.5,
        "avg_duration_s": 4.0,
        "paused_reason": None,
        "columns": ["name", "city"],
        "template": {"argv": ["greet", "{name}", "--from", "{city}"]},
        "updated_at": NOW,
    }
    document.update(fields)
    return document


def text_of(renderable: RenderableType, width: int = 120) -> str:
    console = Console(file=io.StringIO(), width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def row(number: int, status: str, **fields: Any) -> dict[str, Any]:
    return {"row": number, "status": status, "values": {"name": f"n{number}", "city": "paris"}, **fields}


# counts and rates


def test_the_counts_read_as_a_sentence_without_the_rare_zeros() -> None:
    counts = batch()["counts"]

    assert counts_text(counts) == "35 succeeded, 2 failed, 5 running, 158 queued"
    assert counts_text({**counts, "failed": 0, "timed_out": 3, "canceled": 1}) == (
        "35 succeeded, 3 timed out, 1 canceled, 5 running, 158 queued"
    )


@pytest.mark.parametrize(
    ("rate", "text"), [(None, "—"), (0.0, "0%"), (35 / 37, "95%"), (0.995, "99.5%"), (1.0, "100%")]
)
def test_a_success_rate_is_a_percentage(rate: float | None, text: str) -> None:
    assert rate_text(rate) == text


def test_the_success_rate_comes_from_the_counts_when_the_document_has_none() -> None:
    assert success_rate(batch(success_rate=None)) == pytest.approx(35 / 37)
    assert success_rate(batch(success_rate=None, counts={"total": 3, "queued": 3})) is None


# ETA


def test_the_eta_counts_down_from_when_the_document_was_written() -> None:
    document = batch(eta_s=130.0, updated_at=NOW - timedelta(seconds=10))

    assert eta_text(document, NOW) == "ETA 2 min 00 s"
    assert eta_text(document, NOW + timedelta(seconds=500)) == "ETA 1 s"  # rows remain: never "0"


def test_without_an_eta_the_rows_left_are_timed_by_the_average_over_the_concurrency() -> None:
    document = batch(eta_s=None, avg_duration_s=3.0, concurrency=5, updated_at=None)

    assert eta_text(document, NOW) == "ETA 1 min 37 s"  # 163 rows left × 3 s / 5


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"status": "paused"}, "paused"),
        ({"status": "completed"}, "completed"),
        ({"status": "stopped"}, "stopped"),
        ({"eta_s": None, "avg_duration_s": None}, "ETA —"),
        ({"eta_s": 42.4}, "ETA 42 s"),
    ],
)
def test_what_stands_for_the_eta(fields: dict[str, Any], text: str) -> None:
    assert eta_text(batch(**fields), NOW) == text


# the progress line of a pipe


def test_the_progress_line_says_everything_on_one_line() -> None:
    assert progress_line(BATCH_ID, batch(), NOW) == (
        f"batch {BATCH_ID}: running, 37/200 done (18%): 35 succeeded, 2 failed, 5 running, 158 queued; "
        "success 95%; 12.5 rows/min; ETA 2 min 10 s"
    )


def test_the_progress_line_of_a_batch_that_paused_itself_says_why() -> None:
    line = progress_line(BATCH_ID, batch(status="paused", paused_reason="3 rows failed: max_failures 3"), NOW)

    assert line.endswith("success 95%; 12.5 rows/min; paused: 3 rows failed: max_failures 3")


# the running rows


def test_the_running_rows_are_listed_in_row_order_with_their_step_and_time() -> None:
    rows = {
        7: row(7, "running", job_id="j7"),
        3: row(3, "booting", job_id="j3"),
        2: row(2, "succeeded", job_id="j2"),
        9: row(9, "queued"),
    }
    jobs = {
        "j7": {"status": "running", "started_at": NOW - timedelta(seconds=12.3), "current_step": "compiling"},
        "j3": {"status": "booting"},
    }

    table = running_table(rows, jobs, NOW, columns=["name", "city"])

    assert table is not None
    lines = [line.split() for line in text_of(table).splitlines()]
    assert lines[0] == ["ROW", "STATUS", "FOR", "STEP", "VALUES"]
    assert lines[1] == ["3", "booting", "name=n3", "city=paris"]
    assert lines[2] == ["7", "running", "12.3", "s", "compiling", "name=n7", "city=paris"]
    assert len(lines) == 3


def test_a_running_rows_step_is_its_progress_when_it_reports_one() -> None:
    rows = {1: row(1, "running", job_id="j1")}
    jobs = {"j1": {"status": "running", "progress": {"percent": 40, "step": "tests"}, "current_step": "x"}}

    table = running_table(rows, jobs, NOW)

    assert table is not None and "40% tests" in text_of(table)


def test_more_running_rows_than_shown_are_counted() -> None:
    rows = {n: row(n, "running") for n in range(12)}

    table = running_table(rows, {}, NOW, shown=10)

    assert table is not None
    text = text_of(table)
    assert "… and 2 more running" in text and " 9 " in text and "name=n10" not in text


def test_no_running_rows_no_table() -> None:
    assert running_table({1: row(1, "queued"), 2: row(2, "failed")}, {}, NOW) is None


def test_a_rows_values_and_step_are_cleaned_of_control_sequences_and_markup() -> None:
    rows = {
        1: {"row": 1, "status": "running", "job_id": "j", "values": {"name": "\x1b]52;c;AAAA\x07[bold]x"}}
    }
    jobs = {"j": {"status": "running", "current_step": "\x1b[2Jstep :smile:"}}

    table = running_table(rows, jobs, NOW)

    assert table is not None
    text = text_of(table)
    assert "\x1b" not in text and "name=[bold]x" in text and "step :smile:" in text


def test_values_follow_the_csv_columns_and_are_cut() -> None:
    document = {"values": {"b": "2", "a": "1", "extra": "3"}}

    assert values_text(document, ["a", "b"]) == "a=1 b=2 extra=3"
    assert values_text({"values": {"a": "x" * 100}}, limit=20) == "a=" + "x" * 17 + "…"


# ended rows


@pytest.mark.parametrize(
    ("fields", "text"),
    [
        ({"status": "succeeded", "exit_code": 0, "duration_s": 1.25}, "succeeded in 1.2 s"),
        (
            {"status": "failed", "exit_code": 3, "duration_s": 4.1, "error": {"message": "no such file"}},
            "failed (exit code 3) in 4.1 s: no such file",
        ),
        (
            {"status": "timed_out", "attempts": 2, "duration_s": 60.0},
            "timed out in 1 min 00 s after 2 attempts",
        ),
        ({"status": "succeeded", "result": {"ok": True}}, 'succeeded → {"ok":true}'),
        ({"status": "canceled"}, "canceled"),
    ],
)
def test_how_a_row_ended_in_a_few_words(fields: dict[str, Any], text: str) -> None:
    assert row_outcome(fields) == text


def test_an_ended_row_as_a_plain_line_names_its_row_and_values() -> None:
    line = ended_line(row(36, "failed", exit_code=3, duration_s=4.1), ["name", "city"])

    assert line == "row 36 failed (exit code 3) in 4.1 s (name=n36 city=paris)"


# the whole live view


def test_the_live_view_has_the_header_bar_counts_running_rows_and_the_rows_that_ended_last() -> None:
    state = BatchState(BATCH_ID, batch(name="greetings"))
    state.rows = {5: row(5, "running", job_id="j5")}
    state.jobs = {"j5": {"status": "running", "current_step": "saying hello"}}
    state.ended = [row(n, "succeeded", duration_s=1.0) for n in range(8)]

    text = text_of(live_view(state, NOW))

    assert f"batch {BATCH_ID} 'greetings' · running · concurrency 5" in text
    assert "37/200 done (18%)  12.5 rows/min  ETA 2 min 10 s" in text
    assert "35 succeeded · 2 failed · 5 running · 158 queued · success 95%" in text
    assert "saying hello" in text and "name=n5" in text
    ended_rows = [line.split()[0] for line in text.split("ended last")[1].splitlines()[2:] if line.strip()]
    assert ended_rows == ["7", "6", "5", "4", "3"]  # the last five, newest first


# the end


def test_the_end_of_a_batch_with_failures_says_how_to_retry_and_export() -> None:
    start = NOW - timedelta(minutes=3, seconds=2)
    counts = {"total": 200, "queued": 0, "running": 0, "succeeded": 198, "failed": 2}
    document = batch(status="completed", counts=counts, success_rate=0.99, started_at=start, ended_at=NOW)

    text = final_text(BATCH_ID, document)

    assert text == (
        f"Batch {BATCH_ID} completed: 198 of 200 rows succeeded, 2 failed (success 99%) in 3 min 02 s. "
        f"Run the 2 again with `tailrun batch retry {BATCH_ID}`. "
        f"Results: `tailrun batch export {BATCH_ID} -o results.csv`."
    )
    assert not all_succeeded(document)


def test_a_batch_that_paused_itself_says_why_and_how_to_resume() -> None:
    counts = {"total": 10, "queued": 5, "running": 0, "succeeded": 2, "failed": 3}
    document = batch(
        status="paused", counts=counts, success_rate=0.4, paused_reason="3 rows failed: max_failures 3"
    )

    text = final_text(BATCH_ID, document)

    assert "Paused: 3 rows failed: max_failures 3." in text
    assert f"Resume it with `tailrun batch resume {BATCH_ID}`." in text


@pytest.mark.parametrize(
    ("fields", "ok"),
    [
        ({"status": "completed", "counts": {"total": 3, "succeeded": 3}}, True),
        ({"status": "completed", "counts": {"total": 3, "succeeded": 2, "failed": 1}}, False),
        ({"status": "stopped", "counts": {"total": 3, "succeeded": 3}}, False),
        ({"status": "completed", "counts": {"total": 0, "succeeded": 0}}, False),
    ],
)
def test_all_succeeded_only_when_the_batch_completed_with_every_row(fields: dict[str, Any], ok: bool) -> None:
    assert all_succeeded(fields) is ok


# status and list


def test_the_status_table_says_why_a_batch_paused_and_its_guard() -> None:
    document = batch(
        status="paused", paused_reason="3 rows failed: max_failures 3", max_failures=3, sample=10
    )

    text = text_of(status_table(BATCH_ID, document, NOW))

    assert "paused because  3 rows failed: max_failures 3" in text
    assert "command         greet '{name}' --from '{city}'" in text
    assert "pauses at       3 failures" in text
    assert "rows            200 (sample of 10)" in text
    assert "eta" not in text.split("status")[1].split("\n")[0]


def test_the_list_shows_each_batch_on_one_line() -> None:
    documents = [
        {"id": BATCH_ID, **batch(name="greetings", created_at=NOW)},
        {"id": "f" * 32, **batch(status="completed", template={"prompt": "Summarize {name}"})},
    ]

    lines = text_of(batches_table(documents), width=200).splitlines()

    assert lines[0].split() == ["BATCH", "STATUS", "CREATED", "DONE", "SUCCESS", "NAME", "COMMAND"]
    assert lines[1].split()[:2] == [BATCH_ID, "running"] and "37/200" in lines[1] and "greetings" in lines[1]
    assert lines[2].split()[:2] == ["f" * 32, "completed"] and "Summarize {name}" in lines[2]


# the plain lines of a pipe


def plain_display() -> tuple[BatchDisplay, io.StringIO]:
    sink = io.StringIO()
    return BatchDisplay(Console(file=sink, width=300, color_system=None), interactive=False), sink


def test_a_pipe_gets_a_line_per_ended_row_and_progress_lines_at_most_every_two_seconds() -> None:
    display, sink = plain_display()
    state = BatchState(BATCH_ID, batch())

    display.show(state, NOW, clock=0.0)
    state.batch = batch(counts={**batch()["counts"], "succeeded": 36, "running": 4})
    state.ended.append(row(4, "succeeded", duration_s=1.0))
    display.show(state, NOW, clock=1.0)  # the row's line now; its progress line waits
    display.show(state, NOW, clock=2.5)  # now the progress line
    display.show(state, NOW, clock=9.0)  # nothing changed: nothing written

    lines = sink.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f"batch {BATCH_ID}: running, 37/200 done")
    assert lines[1] == "row 4 succeeded in 1.0 s (name=n4 city=paris)"
    assert lines[2].startswith(f"batch {BATCH_ID}: running, 38/200 done")


def test_a_change_of_status_is_written_at_once_and_the_end_is_always_written() -> None:
    display, sink = plain_display()
    state = BatchState(BATCH_ID, batch())
    display.show(state, NOW, clock=0.0)

    state.batch = batch(status="paused")
    display.show(state, NOW, clock=0.5)
    state.batch = batch(status="paused", counts={**batch()["counts"], "running": 0, "succeeded": 40})
    display.show(state, NOW, clock=0.7)  # too soon for a progress line…
    display.flush(state, NOW)  # …but the last word is written

    lines = sink.getvalue().splitlines()
    assert [line.split(": ")[1].split(",")[0] for line in lines] == ["running", "paused", "paused"]
    assert "42/200 done" in lines[2]


def test_no_rate_and_no_eta_before_anything_can_be_said() -> None:
    counts = {"total": 3, "queued": 1, "running": 2}
    early = batch(counts=counts, success_rate=None, eta_s=0.0, avg_duration_s=None, rows_per_minute=0.0)

    assert progress_line(BATCH_ID, early, NOW) == (
        f"batch {BATCH_ID}: running, 0/3 done (0%): 0 succeeded, 2 running, 1 queued; success —; ETA —"
    )


def test_counts_that_add_up_are_final_only_when_recomputed_after_the_batch_ended() -> None:
    """A retried batch completes again while its document still holds the counts from before the retry (its rows
    counted as failed), which add up too: the watch waits for counts recomputed after the new end."""
    from tailrun.cli.batches import settled

    ended = datetime(2026, 12, 4, 4, 47, 38, tzinfo=UTC)
    done = {"status": "completed", "stats_final": False, "ended_at": ended}
    done["counts"] = {"total": 3, "queued": 0, "running": 0, "succeeded": 1, "failed": 2}
    stale = BatchState("b", batch={**done, "stats_at": ended - timedelta(seconds=1)})
    fresh = BatchState("b", batch={**done, "stats_at": ended + timedelta(milliseconds=5)})
    final = BatchState("b", batch={**done, "stats_at": ended - timedelta(seconds=1), "stats_final": True})
    assert not settled(stale)
    assert settled(fresh)
    assert settled(final)
