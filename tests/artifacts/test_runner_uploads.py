"""The runner's side: which files it takes, and uploads through the real functions, storage emulator and Firestore."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from google.cloud import firestore, storage  # type: ignore[attr-defined]
from tailrun_runner.artifacts import (
    Artifacts,
    ArtifactSettings,
    Uploader,
    collect,
    content_type_of,
    marked_path,
    sibling_url,
)
from tailrun_runner.retry import Answer, GaveUp, Retrier, RetryPolicy

from .conftest import Api, RunnerIdentity, object_names
from .test_upload_flow import md5_of


def write(base: Path, name: str, data: bytes) -> Path:
    path = base / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_patterns_take_regular_files_inside_the_working_directory_only(tmp_path: Path) -> None:
    work, outside = tmp_path / "work", tmp_path / "secret"
    write(work, "out/a.csv", b"a")
    write(work, "out/deep/b.csv", b"b")
    write(work, "notes.txt", b"n")
    write(outside, "token.txt", b"s3cret")
    (work / "out" / "leak.csv").symlink_to(outside / "token.txt")
    (work / "out" / "dir.csv").mkdir()
    (work / "out" / "inner.csv").symlink_to(work / "notes.txt")

    found = collect(work, ["out/**/*.csv", "../secret/*", str(outside / "*"), "out/a.csv"])

    assert [p.relative_to(work).as_posix() for p in found] == ["out/a.csv", "out/deep/b.csv", "out/inner.csv"]


def test_a_marker_names_a_file_inside_the_working_directory(tmp_path: Path) -> None:
    write(tmp_path, "w/report.md", b"# r")
    write(tmp_path, "elsewhere.txt", b"x")
    work = tmp_path / "w"

    assert marked_path(work, "::artifact report.md") == work / "report.md"
    assert marked_path(work, "::artifact   report.md  ") == work / "report.md"
    assert marked_path(work, "::artifact ../elsewhere.txt") is None
    assert marked_path(work, f"::artifact {tmp_path / 'elsewhere.txt'}") is None
    assert marked_path(work, "::artifact missing.txt") is None
    assert marked_path(work, "::artifactreport.md") is None
    assert marked_path(work, "report.md") is None


def test_content_types_and_function_urls() -> None:
    assert content_type_of(Path("a/B.CSV")) == "text/csv"
    assert content_type_of(Path("x.jsonl")) == "application/x-ndjson"
    assert content_type_of(Path("x.tar.gz")) == "application/gzip"
    assert content_type_of(Path("x.unknownext")) == "application/octet-stream"
    assert sibling_url("http://127.0.0.1:8790/job_callback", "upload") == "http://127.0.0.1:8790/upload"
    assert sibling_url("https://r-p.cloudfunctions.net/job_callback/", "finalize_artifact").endswith(
        ".net/finalize_artifact"
    )


def test_retries_network_errors_and_5xx_with_backoff_then_gives_up(tmp_path: Path) -> None:
    answers: list[Any] = [OSError("refused"), Answer(503, b"", "2"), Answer(200, b"{}")]
    slept: list[float] = []

    def attempt() -> Answer:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    retrier = Retrier(RetryPolicy(base_s=0.25, cap_s=8.0, budget_s=30), sleep=slept.append, rng=lambda: 1.0)
    assert retrier.run("upload", attempt).status == 200
    assert retrier.requests == 3 and slept == [0.25, 2.0], "full-jitter backoff, Retry-After honoured"

    clock = iter(range(0, 1000, 10))
    policy = RetryPolicy(base_s=0.25, cap_s=8.0, budget_s=25)
    stubborn = Retrier(policy, sleep=lambda _: None, monotonic=lambda: float(next(clock)))
    with pytest.raises(GaveUp) as failed:
        stubborn.run("upload", lambda: Answer(500, b""))
    assert failed.value.tries == 3 and stubborn.requests == 3


def settings_for(runner: RunnerIdentity, functions_url: str, base: Path, *patterns: str) -> ArtifactSettings:
    return ArtifactSettings(
        job_id=runner.job_id,
        attempt=runner.attempt,
        token=runner.token,
        base_dir=base,
        patterns=patterns,
        upload_url=f"{functions_url}/upload",
        finalize_url=f"{functions_url}/finalize_artifact",
        retry_max_s=5,
    )


def artifacts_of(db: firestore.Client, job_id: str) -> dict[str, dict[str, Any]]:
    docs = db.collection("jobs").document(job_id).collection("artifacts").stream()
    return {doc.get("name"): doc.to_dict() or {} for doc in docs}


def test_a_runner_uploads_its_files_and_reports_each(
    api: Api,
    runner_job: RunnerIdentity,
    functions_url: str,
    bucket: storage.Bucket,
    firestore_client: firestore.Client,
    configure: Any,
    tmp_path: Path,
) -> None:
    configure(TAILRUN_ARTIFACT_MAX_BYTES="100000")
    work = tmp_path / "work"
    csv = write(work, "out/table.csv", b"a,b\n" * 20_000)  # over the inline limit: the signed-URL PUT
    png = write(work, "out/plot.png", b"\x89PNG\r\n\x1a\n" + os.urandom(5000))
    write(work, "out/page.html", b"<html></html>")
    write(work, "out/huge.txt", b"x" * 100_001)
    write(work, "out/empty.txt", b"")
    settings = settings_for(runner_job, functions_url, work)
    uploader = Uploader(settings, Retrier(settings.policy))

    reports = {r["name"]: r for r in (uploader.upload(p) for p in collect(work, ["out/*"]))}

    assert reports["out/table.csv"]["artifact_id"] and reports["out/plot.png"]["md5"] == md5_of(
        png.read_bytes()
    )
    assert reports["out/page.html"]["error"]["code"] == "type_not_allowed"
    assert reports["out/huge.txt"]["error"]["code"] == "too_large"
    stored = artifacts_of(firestore_client, runner_job.job_id)
    assert sorted(stored) == ["out/empty.txt", "out/plot.png", "out/table.csv"]
    assert stored["out/empty.txt"]["size"] == 0
    assert stored["out/table.csv"]["size"] == csv.stat().st_size
    blob = bucket.blob(stored["out/table.csv"]["path"])
    assert hashlib.sha256(blob.download_as_bytes()).digest() == hashlib.sha256(csv.read_bytes()).digest()
    assert len(object_names(bucket)) == 3


def test_marked_files_upload_at_once_and_again_at_the_end_only_if_changed(
    api: Api,
    runner_job: RunnerIdentity,
    functions_url: str,
    bucket: storage.Bucket,
    firestore_client: firestore.Client,
    tmp_path: Path,
) -> None:
    write(tmp_path, "early.txt", b"step 1 done\n")
    write(tmp_path, "rewritten.txt", b"v1\n")
    settings = settings_for(runner_job, functions_url, tmp_path, "*.txt")
    artifacts = Artifacts(Uploader(settings, Retrier(settings.policy)))

    artifacts.mark("::artifact early.txt")
    artifacts.mark("::artifact rewritten.txt")
    artifacts.mark("just a line")
    artifacts.finish()  # waits for the marked uploads first
    first = [artifacts.pop_report(), artifacts.pop_report()]
    assert [r["name"] for r in first if r] == [
        "early.txt",
        "rewritten.txt",
    ] and artifacts.pop_report() is None

    write(tmp_path, "rewritten.txt", b"v2, longer\n")
    write(tmp_path, "late.txt", b"late\n")
    artifacts.finish()

    later = [artifacts.pop_report(), artifacts.pop_report(), artifacts.pop_report()]
    assert [r["name"] for r in later if r] == ["late.txt", "rewritten.txt"]
    names = sorted(doc["name"] for doc in artifacts_of_all(firestore_client, runner_job.job_id))
    assert names == ["early.txt", "late.txt", "rewritten.txt", "rewritten.txt"]


def artifacts_of_all(db: firestore.Client, job_id: str) -> list[dict[str, Any]]:
    return [
        d.to_dict() or {} for d in db.collection("jobs").document(job_id).collection("artifacts").stream()
    ]


def test_a_foreign_token_uploads_nothing(
    api: Api, runner_job: RunnerIdentity, functions_url: str, bucket: storage.Bucket, tmp_path: Path
) -> None:
    write(tmp_path, "a.txt", b"a\n")
    forged = RunnerIdentity(runner_job.job_id, runner_job.attempt, "forged-token")
    settings = settings_for(forged, functions_url, tmp_path)
    uploader = Uploader(settings, Retrier(settings.policy))

    report = uploader.upload(tmp_path / "a.txt")

    assert report["error"]["code"] == "bad_token" and object_names(bucket) == []
