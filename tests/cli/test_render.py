"""What `tailrun run` exits with and how it words a job's end."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tailrun.cli.render import describe_end, exit_code_for


@pytest.mark.parametrize(
    ("job", "code"),
    [
        ({"status": "succeeded", "exit_code": 0}, 0),
        ({"status": "failed", "exit_code": 3}, 3),
        ({"status": "failed", "exit_code": None, "signal": "SIGKILL"}, 137),
        ({"status": "timed_out", "exit_code": None}, 124),
        ({"status": "canceled", "exit_code": None, "signal": "SIGTERM"}, 130),
        ({"status": "failed", "exit_code": None, "error": {"code": "lost", "message": "no heartbeat"}}, 1),
        ({"status": "timed_out", "exit_code": 143, "signal": None, "error": {"code": "timeout"}}, 124),
        ({"status": "timed_out", "exit_code": 0, "error": {"code": "idle_timeout"}}, 124),
        ({"status": "canceled", "exit_code": 0}, 130),
        ({"status": "canceled", "exit_code": 1}, 130),
        (
            {
                "status": "failed",
                "exit_code": 0,
                "error": {"code": "stopped", "message": "the stack stopped"},
            },
            143,
        ),
        ({"status": "failed", "exit_code": 0, "error": {"code": "runner_exited"}}, 1),
        ({"status": "failed", "exit_code": 7, "error": {"code": "stopped"}}, 7),
    ],
)
def test_the_exit_code_is_the_jobs_own_or_a_conventional_one(job: dict[str, object], code: int) -> None:
    assert exit_code_for(job) == code


def test_the_end_of_a_job_reads_as_a_sentence() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    job = {
        "id": "ab12",
        "status": "failed",
        "exit_code": 2,
        "error": {"code": "exit", "message": "exited with 2"},
        "started_at": start,
        "ended_at": start + timedelta(seconds=10.25),
    }
    assert describe_end(job) == "job ab12 failed (exit code 2) in 10.2 s"


@pytest.mark.parametrize(
    ("job", "said"),
    [
        # what main's functions write: the message restates the exit code or signal (and the reason in brackets)
        (
            {
                "status": "failed",
                "signal": "SIGTERM",
                "error": {"code": "signal", "message": "killed by SIGTERM (stopped)"},
            },
            "failed (signal SIGTERM)",
        ),
        (
            {
                "status": "failed",
                "exit_code": 3,
                "error": {"code": "exit_code", "message": "exited with code 3 (exited)"},
            },
            "failed (exit code 3)",
        ),
        # a message that says the code itself: the code is not said again
        (
            {
                "status": "failed",
                "exit_code": 0,
                "error": {"code": "stopped", "message": "stopped by the stack, exit code 0"},
            },
            "failed (stopped by the stack, exit code 0)",
        ),
        (
            {
                "status": "timed_out",
                "signal": "SIGTERM",
                "error": {"code": "timeout", "message": "ran past its timeout of 2 s; stopped with SIGTERM."},
            },
            "timed_out (ran past its timeout of 2 s; stopped with SIGTERM)",
        ),
        ({"status": "succeeded", "exit_code": 0}, "succeeded (exit code 0)"),
    ],
)
def test_each_end_reason_is_said_once(job: dict[str, object], said: str) -> None:
    assert describe_end({"id": "j", **job}) == f"job j {said}"


def test_failed_uploads_are_said_in_the_summary() -> None:
    job = {"id": "j", "status": "succeeded", "exit_code": 0}
    assert describe_end(job, 2) == "job j succeeded (exit code 0; 2 artifacts not uploaded)"


def test_the_status_json_is_the_same_bytes_for_the_same_document_in_any_order() -> None:
    from tailrun.cli.render import stable_json, status_document

    start = datetime(2026, 1, 1, tzinfo=UTC)
    job = {"id": "j", "status": "failed", "created_at": start, "spec": {"labels": {"b": "2", "a": "1"}}}
    attempts = [
        {
            "attempt": 1,
            "status": "failed",
            "exit_code": 3,
            "duration_ms": 1500,
            "artifact_errors": [{"seq": 4, "name": "x.html", "code": "type", "message": "no html"}],
        }
    ]
    artifacts = [{"artifact_id": "a1", "name": "out/r.csv", "attempt": 1, "review": {"state": "pending"}}]
    one = stable_json(status_document(job, attempts, artifacts))
    two = stable_json(status_document(dict(reversed(job.items())), attempts, artifacts))
    assert one == two
    document = json.loads(one)
    assert document["created_at"] == "2026-01-01T00:00:00+00:00"
    assert document["attempts"] == [
        {
            "attempt": 1,
            "status": "failed",
            "exit_code": 3,
            "signal": None,
            "reason": None,
            "error": None,
            "started_at": None,
            "ended_at": None,
            "duration_s": 1.5,
            "failed_uploads": [{"attempt": 1, "name": "x.html", "code": "type", "message": "no html"}],
        }
    ]
    assert document["artifacts"]["count"] == 1 and document["artifacts"]["review_states"] == {"pending": 1}
    assert document["failed_uploads"]["count"] == 1


def test_tables_show_a_jobs_strings_as_plain_text() -> None:
    from rich.console import Console

    from tailrun.cli.render import artifacts_table, status_table

    screen = Console(record=True, width=200, force_terminal=True)
    screen.print(
        status_table(
            {
                "id": "j1",
                "status": "failed",
                "error": {"code": "x", "message": "\x1b]52;c;eA==\x07[red]no[/] :smile:"},
            }
        )
    )
    screen.print(
        artifacts_table(
            [{"name": "\x1b]0;title\x07out[bold].txt", "size": 3, "review": {"state": "pending"}}]
        )
    )
    shown = screen.export_text(styles=True)
    assert "\x1b]" not in shown
    assert "[red]no[/] :smile:" in shown and "out[bold].txt" in shown
