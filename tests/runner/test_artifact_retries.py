"""Artifact uploads under the runner's one retry policy: a retried step, a spent budget and a stop, as reports.

The upload functions are replaced by a scripted ``send`` on a hand-driven clock (``tests/artifacts`` runs the
same uploader against the real functions and storage emulator); what is checked is the report each case yields.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from retry_clock import FakeClock
from tailrun_runner.artifacts import ArtifactSettings, ReportError, Uploader
from tailrun_runner.retry import Answer


class ScriptedFunctions:
    """Answers each request with the next scripted answer (the last one repeats); records what was asked."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[tuple[str, str]] = []

    def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | IO[bytes], timeout_s: float
    ) -> Answer:
        self.requests.append((method, url))
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


UPLOADED = Answer(200, b'{"artifact": {"artifact_id": "a-1", "md5": "xyz"}}')


def uploader(tmp_path: Path, functions: ScriptedFunctions, clock: FakeClock) -> Uploader:
    settings = ArtifactSettings(
        job_id="job-1",
        attempt=1,
        token="token",
        base_dir=tmp_path,
        upload_url="http://functions/upload",
        finalize_url="http://functions/finalize_artifact",
        retry_max_s=5.0,
    )
    return Uploader(settings, clock.retrier(settings.policy), send=functions.send)


def upload_one(tmp_path: Path, functions: ScriptedFunctions, clock: FakeClock) -> dict[str, Any]:
    (tmp_path / "out.txt").write_text("result\n")
    return uploader(tmp_path, functions, clock).upload(tmp_path / "out.txt")


def test_a_busy_upload_function_is_retried_honouring_an_http_date_retry_after(tmp_path: Path) -> None:
    functions, clock = (
        ScriptedFunctions(Answer(503, b"", "Sat, 21 Nov 2026 12:00:03 GMT"), UPLOADED),
        FakeClock(),
    )

    report = upload_one(tmp_path, functions, clock)

    assert report["artifact_id"] == "a-1" and "error" not in report
    assert len(functions.requests) == 2 and clock.sleeps == [3.0]


def test_an_upload_function_that_stays_down_yields_an_unreachable_report(tmp_path: Path) -> None:
    functions, clock = ScriptedFunctions(Answer(500, b"")), FakeClock()

    report = upload_one(tmp_path, functions, clock)

    assert report["error"]["code"] == ReportError.UNREACHABLE == "unreachable"
    assert "upload: gave up after" in report["error"]["message"] and clock.now_s == 5.0


def test_a_stopped_runner_uploads_nothing_more_and_reports_why(tmp_path: Path) -> None:
    functions, clock = ScriptedFunctions(Answer(503, b"")), FakeClock(stop_after=1)

    report = upload_one(tmp_path, functions, clock)

    assert report["error"]["code"] == "stopped" and len(functions.requests) == 1
    assert upload_one(tmp_path, functions, clock)["error"]["code"] == "stopped"
    assert len(functions.requests) == 1  # once stopped, not even a first try


def test_a_refusal_is_final_and_its_code_goes_into_the_report(tmp_path: Path) -> None:
    refusal = Answer(403, b'{"error": {"code": "type_not_allowed", "message": "no .exe"}}')
    functions, clock = ScriptedFunctions(refusal), FakeClock()

    report = upload_one(tmp_path, functions, clock)

    assert report["error"] == {"code": "type_not_allowed", "message": "upload: 403 no .exe"}
    assert len(functions.requests) == 1 and clock.sleeps == []
