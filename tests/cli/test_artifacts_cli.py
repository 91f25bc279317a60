"""`tailrun artifacts`, `tailrun download` and `tailrun run --artifact` against a real `tailrun dev`.

The artifacts are put there the way a job's owner brings a file to a job: ``upload`` → PUT to the signed URL (the
stack's gcp-storage-emulator) → ``finalize_artifact``, over HTTP with the stack's development token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import requests

from tailrun.cli.client import StackConfig

from .stack import Cli, job_with_files
from .test_cli import detach, job_status, wait_for_status

PY = sys.executable


def call(cli: Cli, function: str, body: dict[str, Any]) -> dict[str, Any]:
    token = StackConfig.discover({"TAILRUN_URL": cli.url}).token  # as the CLI finds it: <state_dir>/dev_token
    answer = requests.post(
        f"{cli.url}/{function}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert answer.ok, (function, answer.status_code, answer.text)
    return dict(answer.json())


def bring(cli: Cli, job_id: str, name: str, data: bytes, content_type: str = "text/plain") -> dict[str, Any]:
    """Upload ``data`` to the job as its owner, through the signed-URL flow; the finalized artifact."""
    md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
    body = {"job_id": job_id, "name": name, "content_type": content_type, "size": len(data), "md5": md5}
    promise = call(cli, "upload", body)
    put = requests.put(promise["upload"]["url"], data=data, headers=promise["upload"]["headers"], timeout=10)
    assert put.status_code == 200, put.text
    return dict(
        call(cli, "finalize_artifact", {"job_id": job_id, "artifact_id": promise["artifact_id"]})["artifact"]
    )


def finished_job(cli: Cli) -> str:
    job_id = detach(cli, PY, "-c", "print('done')")
    assert wait_for_status(cli, job_id, {"succeeded", "failed"})["status"] == "succeeded"
    return job_id


def test_artifacts_lists_a_jobs_files_with_their_review_state(cli: Cli) -> None:
    job_id = finished_job(cli)
    assert "has no artifacts" in cli("artifacts", job_id).stderr
    table = bring(cli, job_id, "out/table.csv", b"a,b\n1,2\n" * 300, "text/csv")
    bring(cli, job_id, "notes.md", b"# Notes\n", "text/markdown")
    call(
        cli, "review_artifact", {"job_id": job_id, "artifact_id": table["artifact_id"], "decision": "approve"}
    )

    listing = cli("artifacts", job_id)
    as_json = cli("artifacts", job_id, "--json")

    assert listing.returncode == 0, listing.stderr
    rows = {line.split()[0]: line for line in listing.stdout.splitlines()[1:]}
    assert set(rows) == {"out/table.csv", "notes.md"}
    assert "2.3 KiB" in rows["out/table.csv"] and "approved by dev" in rows["out/table.csv"]
    assert "pending" in rows["notes.md"] and "text/markdown" in rows["notes.md"]
    documents = {doc["name"]: doc for doc in json.loads(as_json.stdout)}
    assert documents["out/table.csv"]["size"] == 2400 and documents["out/table.csv"]["md5"] == table["md5"]
    assert documents["out/table.csv"]["review"]["reviewer"] == "dev"


def test_download_writes_the_newest_file_of_that_name(cli: Cli, tmp_path: Path) -> None:
    job_id = finished_job(cli)
    bring(cli, job_id, "out/report.txt", b"first\n")
    newest = b"second, longer\n" * 1000
    bring(cli, job_id, "out/report.txt", newest)

    to_file = cli("download", job_id, "out/report.txt", "-o", str(tmp_path / "mine.txt"))
    to_folder = cli("download", job_id, "out/report.txt", "--output", str(tmp_path))

    assert to_file.returncode == 0 and to_folder.returncode == 0, (to_file.stderr, to_folder.stderr)
    assert (tmp_path / "mine.txt").read_bytes() == newest
    assert (tmp_path / "report.txt").read_bytes() == newest
    assert f"Downloaded out/report.txt ({len(newest)} bytes)" in to_file.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["mine.txt", "report.txt"], "no temporary left"


def test_unknown_artifacts_and_jobs_are_sentences(cli: Cli, tmp_path: Path) -> None:
    job_id = finished_job(cli)

    no_artifact = cli("download", job_id, "missing.txt", "-o", str(tmp_path / "x"))
    no_job = cli("download", "no-such-job", "a.txt")
    no_job_listing = cli("artifacts", "no-such-job")
    no_folder = cli("download", job_id, "a.txt", "-o", str(tmp_path / "nowhere" / "a.txt"))

    assert no_artifact.returncode == 1 and f"Job {job_id} has no artifact 'missing.txt'" in no_artifact.stderr
    assert no_job.returncode == 1 and "There is no job 'no-such-job'" in no_job.stderr
    assert no_job_listing.returncode == 1 and "There is no job 'no-such-job'" in no_job_listing.stderr
    assert no_folder.returncode == 1
    for answer in (no_artifact, no_job, no_job_listing, no_folder):
        assert "Traceback" not in answer.stderr
    assert list(tmp_path.iterdir()) == []


def test_run_artifact_puts_the_patterns_in_the_job_spec(cli: Cli) -> None:
    answer = cli("run", "--detach", "--artifact", "out/*.csv", "-a", "**/*.png", "--", PY, "-c", "print(1)")
    assert answer.returncode == 0, answer.stderr
    job_id = answer.stdout.strip()

    assert job_status(cli, job_id)["spec"]["artifacts"] == ["out/*.csv", "**/*.png"]


def test_a_job_run_with_artifact_patterns_keeps_its_files_and_says_which_it_could_not(cli: Cli) -> None:
    files = {"rows.csv": "a,b\n1,2\n", "page.html": "<p>x</p>"}
    with job_with_files(cli, files, ["*.csv", "*.html"]) as (job_id, folder):
        assert wait_for_status(cli, job_id, {"succeeded", "failed"})["status"] == "succeeded"

        listing = cli("artifacts", job_id)

    assert listing.returncode == 0, listing.stderr
    assert [line.split()[0] for line in listing.stdout.splitlines()[1:]] == [f"{folder}/rows.csv"]
    assert f"Not uploaded: {folder}/page.html (attempt 1): " in listing.stderr
    assert "'text/html' is not allowed" in listing.stderr
