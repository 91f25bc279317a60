"""How the runner's ``completed`` ends a job, one sentence per ending; and the limits the runner gets with its attempt.

The test plays the runner (``captured``: the launcher records the variables it was given) and posts ``completed``
with each reason to ``job_callback`` over real HTTP; the job document says how the job ended, each reason once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud import firestore
from tailrun_functions.launcher import LaunchRequest

from .conftest import Api
from .helpers import PlayedRunner, job, launched


def played_job(api: Api, captured: Path, **spec: Any) -> PlayedRunner:
    played = PlayedRunner(api, launched(captured, api.create(argv=["job"], **spec)))
    assert played.started().status == 200
    return played


@pytest.mark.parametrize(
    ("exit_code", "signal", "reason", "status", "error"),
    [
        (0, None, "exited", "succeeded", None),
        (3, None, "exited", "failed", {"code": "exit_code", "message": "exited with code 3"}),
        (None, "SIGKILL", "exited", "failed", {"code": "signal", "message": "killed by SIGKILL"}),
        (
            None,
            "SIGTERM",
            "timeout",
            "timed_out",
            {"code": "timeout", "message": "the job ran longer than its timeout of 30 s"},
        ),
        (
            None,
            "SIGKILL",
            "idle_timeout",
            "timed_out",
            {"code": "idle_timeout", "message": "the job printed nothing for its idle timeout of 20 s"},
        ),
        (
            0,
            None,
            "stopped",
            "failed",
            {
                "code": "stopped",
                "message": "the sandbox was shut down while the job ran; it exited with code 0",
            },
        ),
        (
            None,
            "SIGTERM",
            "stopped",
            "failed",
            {
                "code": "stopped",
                "message": "the sandbox was shut down while the job ran; it was killed by SIGTERM",
            },
        ),
    ],
    ids=["exit-0", "exit-3", "sigkill", "timeout", "idle-timeout", "stopped-exit-0", "stopped-sigterm"],
)
def test_each_completed_reason_ends_the_job_in_one_sentence(
    api: Api,
    captured: Path,
    firestore_client: firestore.Client,
    exit_code: int | None,
    signal: str | None,
    reason: str,
    status: str,
    error: dict[str, str] | None,
) -> None:
    played = played_job(api, captured, timeout_s=30, idle_timeout_s=20)

    assert played.completed(exit_code, signal=signal, reason=reason).status == 200

    document = job(firestore_client, played.job_id)
    assert document["status"] == status
    assert document["error"] == error
    assert (document["exit_code"], document["signal"]) == (exit_code, signal), "the job's own ending is kept"
    attempt = firestore_client.document(f"jobs/{played.job_id}/attempts/0001").get().to_dict() or {}
    assert attempt["reason"] == reason and attempt["error"] == error


def test_a_job_the_runner_timed_out_is_not_retried(
    api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    played = played_job(api, captured, timeout_s=30, max_attempts=3)

    played.completed(None, signal="SIGTERM", reason="timeout")

    document = job(firestore_client, played.job_id)
    assert (document["status"], document["attempt"]) == ("timed_out", 1)


def test_a_stopped_attempt_is_retried_when_the_spec_allows_it(
    api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    """In the cloud, Cloud Run stopping the task is a failure of the sandbox, not of the job: another attempt."""
    played = played_job(api, captured, max_attempts=2)

    played.completed(0, reason="stopped")

    second = launched(captured, played.job_id, attempt=2)
    assert second["TAILRUN_ATTEMPT"] == "2"
    assert job(firestore_client, played.job_id)["attempt"] == 2


def test_the_runner_gets_the_limits_terminal_and_directory_of_its_attempt(
    api: Api, captured: Path, sandbox_root: Path
) -> None:
    job_id = api.create(argv=["job"], timeout_s=90, idle_timeout_s=45, tty=True)

    variables = launched(captured, job_id)

    assert variables["TAILRUN_TIMEOUT_S"] == "90"
    assert variables["TAILRUN_IDLE_TIMEOUT_S"] == "45"
    assert variables["TAILRUN_TTY"] == "1"
    assert variables["TAILRUN_CWD"] == str(sandbox_root / f"{job_id}-1")


def test_without_tty_or_idle_timeout_the_runner_gets_the_defaults(api: Api, captured: Path) -> None:
    job_id = api.create(argv=["job"], timeout_s=90)

    variables = launched(captured, job_id)

    assert variables["TAILRUN_TIMEOUT_S"] == "90"
    assert variables["TAILRUN_IDLE_TIMEOUT_S"] == "90", "the spec's resolved idle timeout: min(timeout, 600)"
    assert "TAILRUN_TTY" not in variables


def test_runner_env_and_claim_env_carry_the_limits_and_only_runner_env_the_secrets() -> None:
    request = LaunchRequest(
        job_id="j1",
        attempt=1,
        token="secret-token",
        argv=("echo",),
        env={"A": "b"},
        timeout_s=60,
        callback_url="http://x/job_callback",
        idle_timeout_s=30,
        tty=True,
    )
    limits = {"TAILRUN_TIMEOUT_S": "60", "TAILRUN_IDLE_TIMEOUT_S": "30", "TAILRUN_TTY": "1"}

    claim, runner = request.claim_env(), request.runner_env()

    assert limits.items() <= claim.items() and limits.items() <= runner.items()
    assert "TAILRUN_TOKEN" not in claim and "TAILRUN_ENV" not in claim
    assert runner["TAILRUN_TOKEN"] == "secret-token"


def test_tty_and_cwd_are_client_readable_spec_fields(
    api: Api, captured: Path, firestore_client: firestore.Client, tmp_path: Path
) -> None:
    plain = api.create(argv=["job"])
    chosen = api.create(argv=["job"], tty=True, cwd=str(tmp_path))

    assert job(firestore_client, plain)["spec"]["tty"] is False
    assert "cwd" not in job(firestore_client, plain)["spec"]
    spec = job(firestore_client, chosen)["spec"]
    assert (spec["tty"], spec["cwd"]) == (True, str(tmp_path))
    assert launched(captured, chosen)["TAILRUN_CWD"] == str(tmp_path)
