"""The Cloud Run launcher, tested on the requests it builds (google-cloud-run clients injected)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2
from tailrun_functions.errors import LaunchError
from tailrun_functions.launcher import CloudRunLauncher, LaunchRequest, make_launcher
from tailrun_functions.settings import Settings

EXECUTION = "projects/p/locations/europe-west1/jobs/runner/executions/runner-abc12"


class RecordingJobsClient:
    def __init__(self, fail: Exception | None = None) -> None:
        self.requests: list[Any] = []
        self.fail = fail

    def run_job(self, request: run_v2.RunJobRequest) -> Any:
        self.requests.append(request)
        if self.fail:
            raise self.fail
        return SimpleNamespace(metadata=run_v2.Execution(name=EXECUTION))


class RecordingExecutionsClient:
    def __init__(self) -> None:
        self.requests: list[Any] = []

    def cancel_execution(self, request: run_v2.CancelExecutionRequest) -> None:
        self.requests.append(request)


def settings() -> Settings:
    return Settings(
        project="p",
        launcher="cloudrun",
        callback_url="https://fn/job_callback",
        auth="firebase",
        region="europe-west1",
        runner_job="runner",
        runner_container="runner",
    )


REQUEST = LaunchRequest(
    job_id="j1",
    attempt=2,
    token="tok",
    argv=("echo", "ünï"),
    env={"A": "1"},
    timeout_s=600,
    callback_url="https://fn/job_callback",
)


def test_a_launch_runs_one_execution_with_the_attempt_in_env_overrides() -> None:
    jobs = RecordingJobsClient()
    launcher = CloudRunLauncher(settings(), jobs_client=jobs)

    assert launcher.launch(REQUEST) == {"kind": "cloudrun", "execution": EXECUTION}

    (request,) = jobs.requests
    assert request.name == "projects/p/locations/europe-west1/jobs/runner"
    assert request.overrides.task_count == 1
    assert request.overrides.timeout.seconds == 600 + 300
    (container,) = request.overrides.container_overrides
    assert container.name == "runner"
    env = {var.name: var.value for var in container.env}
    assert env == {
        "TAILRUN_JOB_ID": "j1",
        "TAILRUN_ATTEMPT": "2",
        "TAILRUN_CALLBACK_URL": "https://fn/job_callback",
        "TAILRUN_TOKEN": "tok",
        "TAILRUN_ARGV": json.dumps(["echo", "ünï"], ensure_ascii=False),
        "TAILRUN_ENV": '{"A": "1"}',
    }


def test_a_refused_run_is_a_launch_error() -> None:
    launcher = CloudRunLauncher(
        settings(), jobs_client=RecordingJobsClient(exceptions.PermissionDenied("no run.jobs.run"))
    )
    with pytest.raises(LaunchError, match="no run.jobs.run"):
        launcher.launch(REQUEST)


def test_cancel_cancels_the_execution() -> None:
    executions = RecordingExecutionsClient()
    launcher = CloudRunLauncher(settings(), executions_client=executions)

    launcher.cancel({"kind": "cloudrun", "execution": EXECUTION})

    assert executions.requests == [run_v2.CancelExecutionRequest(name=EXECUTION)]


def test_the_settings_choose_the_launcher() -> None:
    assert isinstance(make_launcher(settings()), CloudRunLauncher)
