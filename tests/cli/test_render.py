"""What `tailrun run` exits with and how it words a job's end."""

from __future__ import annotations

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
    assert describe_end(job) == "job ab12 failed (exit code 2; exited with 2) in 10.2 s"


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
