"""The job's working directory (``TAILRUN_CWD``) roots its artifacts, not the runner's own directory."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from runner_harness import Reply, job


def inline_uploads_accepted(message: dict[str, Any]) -> Reply:
    """Answer an inline ``upload`` (a file's bytes in the request) as the function does; acknowledge the rest."""
    if "data" in message:
        return Reply(body={"artifact": {"artifact_id": f"a-{message['name']}", "md5": message["md5"]}})
    return Reply()


def test_artifacts_are_found_in_the_jobs_directory_not_the_runners(start_runner, callback_server, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    decoy = Path.cwd() / "out"  # the runner's own directory has no out/: nothing may be taken from there
    assert not decoy.exists()
    callback_server.answer = inline_uploads_accepted
    runner = start_runner(
        job("writes_files"), TAILRUN_CWD=str(work), TAILRUN_ARTIFACTS=json.dumps(["out/*.png"])
    )

    assert runner.wait() == 0
    assert Path(os.getcwd()) != work and not decoy.exists()  # the job wrote into its own directory only
    received = callback_server.received()
    reports = {m["name"]: m for m in received.of_type("artifact")}
    assert sorted(reports) == ["early.txt", "out/plot.png"]  # the marked file, then the pattern's match
    assert all("artifact_id" in report and "error" not in report for report in reports.values())
    assert reports["out/plot.png"]["size"] == (work / "out" / "plot.png").stat().st_size
    assert received.completed()["reason"] == "exited"


def test_a_timed_out_job_has_its_end_of_job_patterns_left_uncollected(
    start_runner, callback_server, tmp_path
):
    # As after any stop: ``completed`` follows the limit within the grace, not after the uploads.
    callback_server.answer = inline_uploads_accepted
    runner = start_runner(
        ["sh", "-c", "echo data > report.txt; echo written; exec sleep 30"],
        TAILRUN_CWD=str(tmp_path),
        TAILRUN_ARTIFACTS=json.dumps(["*.txt"]),
        TAILRUN_TIMEOUT_S="1",
    )

    assert runner.wait() == 0
    received = callback_server.received()
    assert (tmp_path / "report.txt").exists()
    assert received.of_type("artifact") == []
    assert received.completed()["reason"] == "timeout"
