"""`tailrun batch …` (issue 15): the pieces of ``tailrun.cli.batches`` alone, then the commands run as a user runs
them against a real `tailrun dev`: a batch in a pipe and on a terminal, its controls, retry, the failure guard, the
export, and the errors as sentences.

The tests through the stack need the functions' batches (``create_batch`` and the controls, branch i-batch)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tailrun.cli.batch_render import BatchState
from tailrun.cli.batches import (
    BatchOptions,
    apply,
    check_batch_id,
    create_body,
    finished,
    read_rows_file,
    rows_caught_up,
)
from tailrun.cli.commands import _ends_with_job_code
from tailrun.errors import TailrunError
from tailrun.local.dev import DevProcess

from .stack import TAILRUN, Cli, Terminal
from .test_cli import eventually
from .test_cli_events import agent_stack as agent_stack  # the stack with a stand-in `claude`

PY = sys.executable
UNKNOWN = "0123456789abcdef0123456789abcdef"
RESULT_COLUMNS = ["status", "exit_code", "duration_s", "attempts", "error", "result"]


# --- the pieces alone ---


def rows_snapshot(*rows: tuple[int, str], first: bool = False) -> tuple[list[dict[str, Any]], bool]:
    return [{"row": number, "status": status} for number, status in rows], first


def test_a_row_that_ends_while_watched_is_added_to_the_ended_rows_once() -> None:
    state = BatchState(UNKNOWN)

    apply(state, "rows", rows_snapshot((0, "succeeded"), (1, "running"), (2, "queued"), first=True))
    apply(state, "rows", rows_snapshot((1, "failed")))
    apply(state, "rows", rows_snapshot((1, "failed")))  # the same row again (a later write): not twice
    apply(state, "rows", rows_snapshot((2, "succeeded")))

    assert [(row["row"], row["status"]) for row in state.ended] == [(1, "failed"), (2, "succeeded")]
    assert state.rows[0]["status"] == "succeeded"  # ended before the watch began: known, not announced


def test_a_batch_this_view_created_announces_rows_that_ended_before_its_first_snapshot() -> None:
    state = BatchState(
        UNKNOWN, new_batch=True
    )  # `batch run`: a fast row can end before the rows' listener starts

    apply(state, "rows", rows_snapshot((0, "running"), (1, "failed"), first=True))
    apply(state, "rows", rows_snapshot((0, "succeeded")))

    assert [(row["row"], row["status"]) for row in state.ended] == [(1, "failed"), (0, "succeeded")]


def test_a_retried_row_ends_again() -> None:
    state = BatchState(UNKNOWN)
    apply(state, "rows", rows_snapshot((0, "failed"), first=True))

    apply(state, "rows", rows_snapshot((0, "queued")))
    apply(state, "rows", rows_snapshot((0, "succeeded")))

    assert [row["status"] for row in state.ended] == ["succeeded"]


def test_a_followed_jobs_document_is_kept_until_it_goes() -> None:
    state = BatchState(UNKNOWN)

    apply(state, "job", ("j1", {"status": "running", "current_step": "x"}))
    assert state.jobs["j1"]["current_step"] == "x"
    apply(state, "job", ("j1", None))
    assert "j1" not in state.jobs


@pytest.mark.parametrize(
    ("batch", "done"),
    [
        ({"status": "completed"}, True),
        ({"status": "stopped"}, True),
        ({"status": "stopping", "counts": {"running": 2}}, False),
        ({"status": "running"}, False),
        ({"status": "paused", "paused_reason": None, "counts": {"running": 0}}, False),  # a person paused it
        ({"status": "paused", "paused_reason": "3 rows failed", "counts": {"running": 1}}, False),
        ({"status": "paused", "paused_reason": "3 rows failed", "counts": {"running": 0}}, True),
    ],
)
def test_watching_ends_once_nothing_more_will_run(batch: dict[str, Any], done: bool) -> None:
    assert finished(BatchState(UNKNOWN, batch)) is done


def test_a_finished_batch_waits_for_its_rows_listener_to_catch_up() -> None:
    state = BatchState(UNKNOWN, {"status": "completed"})
    state.rows = {0: {"status": "succeeded"}, 1: {"status": "running"}}
    assert not rows_caught_up(state)
    state.rows[1] = {"status": "failed"}
    assert rows_caught_up(state)
    paused = BatchState(
        UNKNOWN, {"status": "paused"}, rows={0: {"status": "failed"}, 1: {"status": "queued"}}
    )
    assert rows_caught_up(paused)


def test_the_rows_file_is_utf8_without_its_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes("\ufeffname\nzoë\n".encode())

    assert read_rows_file(path) == "name\nzoë\n"
    assert read_rows_file(Path("-"), io.BytesIO(b"name\nx\n")) == "name\nx\n"


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"name\nok\n\xff\xfe\n", "is not UTF-8 text (byte 8, line 3): save it as CSV UTF-8"),
        (b"  \n", "is empty: it needs a header row and a row per job"),
    ],
)
def test_a_rows_file_that_is_not_csv_text_is_refused_with_a_sentence(
    tmp_path: Path, data: bytes, said: str
) -> None:
    path = tmp_path / "rows.csv"
    path.write_bytes(data)

    with pytest.raises(TailrunError, match=re.escape(said)):
        read_rows_file(path)


def test_a_missing_rows_file_is_said(tmp_path: Path) -> None:
    with pytest.raises(TailrunError, match=r"Cannot read the rows file .*No such file"):
        read_rows_file(tmp_path / "nope.csv")


@pytest.mark.parametrize(
    ("options", "said"),
    [
        ({"concurrency": 0}, "--concurrency must be at least 1, got 0"),
        ({"sample": -1}, "--sample must be at least 1"),
        ({"max_failure_rate": 1.5}, "--max-failure-rate is a fraction"),
        ({"max_failure_rate": 0}, "--max-failure-rate is a fraction"),
    ],
)
def test_bad_batch_options_are_refused_before_anything_is_sent(options: dict[str, Any], said: str) -> None:
    with pytest.raises(TailrunError, match=re.escape(said)):
        BatchOptions(**options)


def test_create_batchs_body_is_the_csv_the_template_and_the_options_given() -> None:
    body = create_body(
        "name\na\n", {"argv": ["echo", "{name}"], "timeout_s": 5}, BatchOptions(concurrency=3, name="n")
    )

    assert body == {
        "csv": "name\na\n",
        "argv": ["echo", "{name}"],
        "timeout_s": 5,
        "concurrency": 3,
        "name": "n",
    }


def test_a_batch_id_is_32_hex_characters() -> None:
    assert check_batch_id(UNKNOWN) == UNKNOWN
    with pytest.raises(TailrunError, match="'nope' is not a batch id"):
        check_batch_id("nope")


@pytest.mark.parametrize(
    ("argv", "ends_with_batch_code"),
    [
        (["batch", "run", "rows.csv", "--", "echo"], True),
        (["-v", "batch", "watch", UNKNOWN], True),
        (["batch", "retry", UNKNOWN, "--watch"], True),
        (["batch", "retry", UNKNOWN], False),
        (["batch", "list"], False),
        (["run", "--", "true"], True),
    ],
)
def test_a_firestore_failure_while_watching_ends_with_125(
    argv: list[str], ends_with_batch_code: bool
) -> None:
    assert _ends_with_job_code(argv) is ends_with_batch_code


# --- the commands against a real stack ---


def write_rows(tmp_path: Path, header: list[str], *rows: list[str]) -> Path:
    path = tmp_path / "rows.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# a row's job: says hello to its name, reports a result and exits with its code (braces doubled: not placeholders)
HELLO = (
    "import json, sys\n"
    "print('hello', sys.argv[1], flush=True)\n"
    "print('::result ' + json.dumps({{'name': sys.argv[1]}}), flush=True)\n"
    "sys.exit(int(sys.argv[2]))\n"
)


def waiting_job(go: Path) -> str:
    """A row's job that shows a step naming its row, then waits for the test to create ``go``."""
    return (
        "import pathlib, sys, time\n"
        "print('::step waiting ' + sys.argv[1], flush=True)\n"
        "deadline = time.monotonic() + 60\n"
        f"while not pathlib.Path({str(go)!r}).exists() and time.monotonic() < deadline: time.sleep(0.05)\n"
    )


def batch_status(cli: Cli, batch_id: str) -> dict[str, Any]:
    answer = cli("batch", "status", batch_id, "--json")
    assert answer.returncode == 0, answer.stderr
    return dict(json.loads(answer.stdout))


def wait_for_batch(cli: Cli, batch_id: str, wanted: Any, timeout_s: float = 60) -> dict[str, Any]:
    batch = eventually(lambda: batch_status(cli, batch_id), wanted, timeout_s)
    assert wanted(batch), batch
    return batch


def detached_batch(cli: Cli, rows: Path, *args: str) -> str:
    answer = cli("batch", "run", str(rows), "--detach", *args)
    assert answer.returncode == 0, answer.stderr
    return answer.stdout.strip()


def test_run_in_a_pipe_writes_a_line_per_row_and_exits_1_when_a_row_failed(cli: Cli, tmp_path: Path) -> None:
    rows = write_rows(tmp_path, ["name", "code"], ["ann", "0"], ["bob", "3"], ["cy", "0"])

    answer = cli("batch", "run", str(rows), "--concurrency", "2", "--", PY, "-c", HELLO, "{name}", "{code}")

    assert answer.returncode == 1, answer.stderr
    ended = sorted(line for line in answer.stdout.splitlines() if line.startswith("row "))
    assert len(ended) == 3, answer.stdout
    assert ended[0].startswith("row 0 succeeded in ") and ended[0].endswith(
        '→ {"name":"ann"} (name=ann code=0)'
    )
    assert ended[1].startswith("row 1 failed (exit code 3) in ")
    assert "completed, 3/3 done (100%): 2 succeeded, 1 failed" in answer.stdout.splitlines()[-1]
    assert "completed: 2 of 3 rows succeeded, 1 failed (success 67%)" in answer.stderr
    assert "tailrun batch retry" in answer.stderr


def test_run_exits_0_when_every_row_succeeded_and_the_export_is_the_input_plus_results(
    cli: Cli, tmp_path: Path
) -> None:
    names = ["ann", "bob, jr", 'cy "c"', "dee"]
    rows = write_rows(tmp_path, ["name", "code"], *[[name, "0"] for name in names])

    answer = cli("batch", "run", str(rows), "--name", "hellos", "--", PY, "-c", HELLO, "{name}", "{code}")
    assert answer.returncode == 0, answer.stderr
    batch_id = answer.stderr.split("Batch ")[1].split()[0]
    exported = cli("batch", "export", batch_id, "-o", str(tmp_path / "out.csv"))
    lines = cli("batch", "export", batch_id, "--format", "jsonl")

    assert exported.returncode == 0 and f"to {tmp_path / 'out.csv'}" in exported.stderr, exported.stderr
    table = list(csv.DictReader((tmp_path / "out.csv").open(newline="", encoding="utf-8")))
    assert list(table[0]) == ["name", "code", *RESULT_COLUMNS]
    assert [row["name"] for row in table] == names
    assert {row["status"] for row in table} == {"succeeded"}
    assert [json.loads(row["result"]) for row in table] == [{"name": name} for name in names]
    assert lines.returncode == 0, lines.stderr
    objects = [json.loads(line) for line in lines.stdout.splitlines()]
    assert [item["name"] for item in objects] == names and objects[0]["status"] == "succeeded"


def test_the_controls_pause_resume_resize_and_stop_a_batch(cli: Cli, tmp_path: Path) -> None:
    go = tmp_path / "go"
    rows = write_rows(tmp_path, ["name"], *[[f"r{n}"] for n in range(6)])
    batch_id = detached_batch(cli, rows, "--concurrency", "1", "--", PY, "-c", waiting_job(go), "{name}")
    wait_for_batch(cli, batch_id, lambda batch: batch["counts"]["running"] == 1)

    paused = cli("batch", "pause", batch_id)
    again = cli("batch", "pause", batch_id)
    assert paused.returncode == 0 and f"Batch {batch_id} is paused" in paused.stdout, paused.stderr
    assert again.returncode == 0 and batch_status(cli, batch_id)["status"] == "paused"

    resized = cli("batch", "concurrency", batch_id, "3")
    resumed = cli("batch", "resume", batch_id)
    assert resized.returncode == 0 and "now runs up to 3 rows at once" in resized.stdout, resized.stderr
    assert resumed.returncode == 0 and f"Batch {batch_id} is running." in resumed.stdout, resumed.stderr
    wait_for_batch(cli, batch_id, lambda batch: batch["counts"]["running"] == 3)

    stopped = cli("batch", "stop", batch_id, "--reason", "enough for today", "--keep-running")
    assert stopped.returncode == 0 and "its running jobs finish" in stopped.stdout, stopped.stderr
    go.touch()
    # the status turns first; the counts are exact once the stats are final (recomputed at most once a second)
    batch = wait_for_batch(
        cli, batch_id, lambda batch: batch["status"] == "stopped" and batch.get("stats_final")
    )
    assert batch["stopped_reason"] == "enough for today"
    assert batch["counts"]["succeeded"] == 3 and batch["counts"]["canceled"] == 3, batch["counts"]

    refused = cli("batch", "resume", batch_id)
    assert refused.returncode == 1 and refused.stderr.startswith("Error: "), refused.stderr
    assert "a stopped batch cannot run again" in refused.stderr and "HTTP" not in refused.stderr
    listed = cli("batch", "list")
    assert listed.returncode == 0 and any(
        line.split()[:2] == [batch_id, "stopped"] for line in listed.stdout.splitlines()
    ), listed.stdout


def test_retry_runs_the_failed_rows_again_and_watch_follows_them(cli: Cli, tmp_path: Path) -> None:
    script = (  # fails the first time it runs for a row, succeeds the next
        "import pathlib, sys\n"
        f"marker = pathlib.Path({str(tmp_path)!r}) / ('tried-' + sys.argv[1])\n"
        "if sys.argv[2] == 'flaky' and not marker.exists(): marker.touch(); sys.exit(1)\n"
    )
    rows = write_rows(tmp_path, ["name", "kind"], ["a", "ok"], ["b", "flaky"], ["c", "flaky"])

    first = cli("batch", "run", str(rows), "--", PY, "-c", script, "{name}", "{kind}")
    assert first.returncode == 1, first.stderr
    batch_id = first.stderr.split("Batch ")[1].split()[0]
    retried = cli("batch", "retry", batch_id, "--watch")

    assert retried.returncode == 0, retried.stderr
    assert f"Running 2 rows of batch {batch_id} again." in retried.stdout
    assert "completed: 3 of 3 rows succeeded" in retried.stderr
    nothing = cli("batch", "retry", batch_id)
    assert nothing.returncode == 0 and "has no failed, timed-out or canceled rows" in nothing.stdout


def test_a_batch_that_pauses_itself_ends_the_watch_saying_why(cli: Cli, tmp_path: Path) -> None:
    rows = write_rows(tmp_path, ["name"], *[[f"r{n}"] for n in range(6)])

    answer = cli(
        "batch",
        "run",
        str(rows),
        "--concurrency",
        "1",
        "--max-failures",
        "2",
        "--",
        PY,
        "-c",
        "raise SystemExit(2)",
    )

    assert answer.returncode == 1, answer.stderr
    assert " paused: 0 of 6 rows succeeded, 2 failed" in answer.stderr, answer.stderr
    assert "Resume it with `tailrun batch resume " in answer.stderr


def test_on_a_terminal_the_live_view_shows_the_running_rows_and_ctrl_c_detaches(
    cli: Cli, tmp_path: Path
) -> None:
    go = tmp_path / "go"
    rows = write_rows(tmp_path, ["name"], ["alpha"], ["beta"], ["gamma"])
    terminal = Terminal.spawn(
        cli, "batch", "run", str(rows), "--concurrency", "2", "--", PY, "-c", waiting_job(go), "{name}"
    )

    terminal.read_until("waiting alpha")
    terminal.read_until("waiting beta")
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal.output)
    assert "0 succeeded · 2 running · 1 queued" in shown and "0/3 done (0%)" in shown
    assert re.search(r"ROW +STATUS +FOR +STEP +VALUES", shown), shown
    assert re.search(r"0 +running +[0-9.]+ s +waiting alpha +name=alpha", shown), shown
    terminal.write(b"\x03")
    code = terminal.wait()

    assert code == 130, terminal.output
    assert "Detached; batch " in terminal.output and "keeps running" in terminal.output
    batch_id = terminal.output.split("Detached; batch ")[1].split()[0]
    assert f"tailrun batch watch {batch_id}" in terminal.output
    go.touch()
    watched = cli("batch", "watch", batch_id)
    assert watched.returncode == 0, watched.stderr
    assert "completed: 3 of 3 rows succeeded" in watched.stderr


def test_a_bad_csv_is_a_sentence_and_makes_no_batch(cli: Cli, tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("name,city\nann,paris\nbob\n")
    before = cli("batch", "list", "--limit", "100").stdout

    answer = cli("batch", "run", str(rows), "--", "echo", "{name}")

    assert answer.returncode == 125, answer.stderr
    assert (
        answer.stderr.startswith("Error: ")
        and "HTTP" not in answer.stderr
        and "Traceback" not in answer.stderr
    )
    assert "row" in answer.stderr.lower(), answer.stderr
    assert cli("batch", "list", "--limit", "100").stdout == before


def test_a_placeholder_that_names_no_column_is_a_sentence(cli: Cli, tmp_path: Path) -> None:
    rows = write_rows(tmp_path, ["name"], ["ann"])

    answer = cli("batch", "run", str(rows), "--", "echo", "{nmae}")

    assert answer.returncode == 125 and "nmae" in answer.stderr, answer.stderr


@pytest.mark.parametrize(
    "command",
    [["status", UNKNOWN], ["pause", UNKNOWN], ["stop", UNKNOWN], ["export", UNKNOWN], ["watch", UNKNOWN]],
)
def test_a_batch_that_does_not_exist_is_said_so(cli: Cli, command: list[str]) -> None:
    answer = cli("batch", *command)

    assert answer.returncode == (125 if command[0] == "watch" else 1), answer.stderr
    assert (
        f"Error: There is no batch '{UNKNOWN}'. List your batches with `tailrun batch list`." in answer.stderr
    )


def test_mistakes_on_the_command_line_are_sentences(cli: Cli, tmp_path: Path) -> None:
    rows = write_rows(tmp_path, ["name"], ["ann"])

    both = cli("batch", "run", str(rows), "--prompt", "hi {name}", "--", "echo")
    missing = cli("batch", "run", str(tmp_path / "nope.csv"), "--", "echo")
    not_an_id = cli("batch", "status", "nope")
    bad_format = cli("batch", "export", UNKNOWN, "--format", "xml")

    assert both.returncode == 125 and "not both" in both.stderr
    assert missing.returncode == 125 and "Cannot read the rows file" in missing.stderr
    assert not_an_id.returncode == 1 and "'nope' is not a batch id" in not_an_id.stderr
    assert bad_format.returncode == 1 and "--format is csv or jsonl, got 'xml'." in bad_format.stderr


def test_ctrl_c_in_a_pipe_detaches_and_the_batch_keeps_running(cli: Cli, tmp_path: Path) -> None:
    go = tmp_path / "go"
    rows = write_rows(tmp_path, ["name"], ["alpha"], ["beta"])
    process = cli.popen(
        "batch",
        "run",
        str(rows),
        "--",
        PY,
        "-c",
        waiting_job(go),
        "{name}",
        interruptible=True,
        stdin=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    assert first.startswith("batch "), first
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)

    assert process.returncode == 130 and "Detached; batch " in stderr, stderr
    batch_id = stderr.split("Detached; batch ")[1].split()[0]
    assert batch_status(cli, batch_id)["status"] == "running"
    go.touch()
    wait_for_batch(cli, batch_id, lambda batch: batch["status"] == "completed")


def test_a_sample_runs_only_the_first_rows(cli: Cli, tmp_path: Path) -> None:
    rows = write_rows(tmp_path, ["name"], *[[f"r{n}"] for n in range(5)])

    answer = cli("batch", "run", str(rows), "--sample", "2", "--detach", "--", PY, "-c", "pass")

    assert answer.returncode == 0 and "Batch of 2 rows." in answer.stderr, answer.stderr
    batch_id = answer.stdout.strip()
    watched = cli("batch", "watch", batch_id)
    assert watched.returncode == 0 and "completed: 2 of 2 rows succeeded" in watched.stderr, watched.stderr


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["run"],
        ["watch"],
        ["list"],
        ["status"],
        ["pause"],
        ["resume"],
        ["stop"],
        ["concurrency"],
        ["retry"],
        ["export"],
    ],
)
def test_batch_help_has_no_type_placeholders(command: list[str]) -> None:
    answer = subprocess.run(
        [*TAILRUN, "batch", *command, "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert answer.returncode == 0, answer.stderr
    assert not re.search(
        r"<[a-z\[\], |]+>|\bTEXT\b|\bINTEGER\b|\bFLOAT\b|\bPATH\b|\{[A-Z]+\}", answer.stdout
    ), answer.stdout


def test_a_prompt_batch_runs_the_agent_on_each_rows_prompt(agent_stack: DevProcess, tmp_path: Path) -> None:
    cli = Cli(agent_stack.url)
    rows = write_rows(tmp_path, ["name"], ["ann"], ["bob"])

    answer = cli("batch", "run", str(rows), "--prompt", "greet {name}")

    assert answer.returncode == 0, answer.stderr
    assert "completed: 2 of 2 rows succeeded" in answer.stderr
    assert "succeeded in" in answer.stdout and '→ "Done: greet ann"' in answer.stdout, answer.stdout
    batch_id = answer.stderr.split("Batch ")[1].split()[0]
    exported = cli("batch", "export", batch_id, "--format", "jsonl")
    assert [json.loads(line)["result"] for line in exported.stdout.splitlines()] == [
        "Done: greet ann",
        "Done: greet bob",
    ]
