"""A real job: the real runner (``python -m tailrun_runner``, a child process) runs a real command that writes files,
and those files arrive as artifacts, through the real functions, gcp-storage-emulator and the Firestore emulator.

The runner is started with exactly the variables the launcher gave the attempt (recorded by ``capture_env.py``:
the job's artifact patterns among them, as ``TAILRUN_ARTIFACTS``), plus a working directory (``TAILRUN_CWD``).
It uploads what matches the patterns at the job's end, and the files the job names on ``::artifact`` lines while
it runs; a file the functions refuse is reported, and noted on its attempt.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from functions.shared import wait_for
from google.cloud import firestore, storage  # type: ignore[attr-defined]
from tailrun_functions.launcher import ProcStat

from .conftest import Api
from .test_upload_flow import md5_of

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def launch_variables(tmp_path: Path, db: firestore.Client, job_id: str) -> dict[str, str]:
    """The variables the stand-in runner was launched with, once the launcher has swept its session: the sweep
    kills what names the runner's job and attempt, as the real runner started with them here does."""
    path = tmp_path / "launches" / f"{job_id}-1.json"
    wait_for(path.exists, what=f"the launch of {job_id}")
    launch = wait_for(
        lambda: (db.document(f"jobs/{job_id}/attempts/0001").get().to_dict() or {}).get("launch"),
        what="the recorded launch",
    )
    wait_for(lambda: ProcStat.read(launch["pid"]) is None, what="the stand-in runner to be swept and reaped")
    variables = dict(json.loads(path.read_text()))
    variables.pop("pid")  # capture_env.py adds its own pid beside the variables
    return variables


def artifacts_of(db: firestore.Client, job_id: str) -> dict[str, dict[str, Any]]:
    docs = db.collection("jobs").document(job_id).collection("artifacts").stream()
    return {str(doc.get("name")): doc.to_dict() or {} for doc in docs}


def test_a_real_job_writes_files_that_arrive_as_artifacts_with_their_size_and_checksum(
    api: Api, bucket: storage.Bucket, firestore_client: firestore.Client, tmp_path: Path
) -> None:
    patterns = ["out/*.csv", "out/*.png", "out/*.html"]
    job_id = api.create_job(
        "alice", argv=[sys.executable, str(SCENARIOS / "writes_files.py")], artifacts=patterns
    )
    work = tmp_path / "work"
    work.mkdir()
    variables = launch_variables(tmp_path, firestore_client, job_id)
    env = {**os.environ, **variables, "TAILRUN_CWD": str(work)}

    runner = subprocess.run(
        [sys.executable, "-m", "tailrun_runner"], env=env, capture_output=True, timeout=60
    )

    assert runner.returncode == 0, runner.stderr.decode(errors="replace")[-2000:]
    job = firestore_client.collection("jobs").document(job_id).get().to_dict() or {}
    assert job["status"] == "succeeded", job
    stored = artifacts_of(firestore_client, job_id)
    assert sorted(stored) == ["early.txt", "out/plot.png", "out/table.csv"]
    for name, artifact in stored.items():
        data = (work / name).read_bytes()
        assert artifact["size"] == len(data) and artifact["md5"] == md5_of(data), name
        assert artifact["uploaded_by"] == "runner" and artifact["review"]["state"] == "pending"
        assert bucket.blob(artifact["path"]).download_as_bytes() == data
    attempt = firestore_client.document(f"jobs/{job_id}/attempts/0001").get().to_dict() or {}
    [refused] = attempt["artifact_errors"]  # HTML is not on the content-type allow-list
    assert refused["name"] == "out/skipped.html" and refused["code"] == "type_not_allowed"
    assert "text/html" in refused["message"]


def test_the_launcher_gives_the_runner_the_jobs_artifact_patterns(
    api: Api, firestore_client: firestore.Client, tmp_path: Path
) -> None:
    job_id = api.create_job("alice", artifacts=["out/*.csv", "**/*.png"])

    variables = launch_variables(tmp_path, firestore_client, job_id)

    assert json.loads(variables.get("TAILRUN_ARTIFACTS", "null")) == ["out/*.csv", "**/*.png"]


def test_a_launched_jobs_artifacts_are_rooted_in_its_own_sandbox_not_the_stacks_directory(
    api: Api, configure: Any, bucket: storage.Bucket, firestore_client: firestore.Client, tmp_path: Path
) -> None:
    """The local launcher runs the real runner in the attempt's own directory (``TAILRUN_CWD``): the job's files
    land there, its artifact patterns match there, and nothing is written where the functions run."""
    configure(
        TAILRUN_RUNNER_COMMAND=json.dumps([sys.executable, "-m", "tailrun_runner"]),
        TAILRUN_RUNNER_ENV=json.dumps({"TAILRUN_HEARTBEAT_S": "0.5", "TAILRUN_DRAIN_S": "0.5"}),
    )
    before = set(os.listdir(os.getcwd()))

    job_id = api.create_job(
        "alice", argv=[sys.executable, str(SCENARIOS / "writes_files.py")], artifacts=["out/*.csv"]
    )

    def ended() -> dict[str, Any] | None:
        job = firestore_client.collection("jobs").document(job_id).get().to_dict() or {}
        return job if job.get("status") in {"succeeded", "failed", "canceled", "timed_out"} else None

    assert wait_for(ended, timeout=60, what="the job to end")["status"] == "succeeded"
    sandbox = tmp_path / "sandboxes" / f"{job_id}-1"
    stored = artifacts_of(firestore_client, job_id)
    assert sorted(stored) == ["early.txt", "out/table.csv"]
    for name, artifact in stored.items():
        assert artifact["md5"] == md5_of((sandbox / name).read_bytes()), name
    assert set(os.listdir(os.getcwd())) == before, "no job writes into the directory the stack runs in"
