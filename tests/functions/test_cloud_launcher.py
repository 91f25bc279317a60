"""The Cloud Run launcher, tested on the requests it builds (google-cloud-run clients injected)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import firestore, run_v2
from tailrun_functions.errors import LaunchError
from tailrun_functions.launcher import CloudRunLauncher, LaunchRequest, make_launcher
from tailrun_functions.services import for_settings
from tailrun_functions.settings import Settings

from .conftest import Api

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


@pytest.fixture
def cloud_run(
    configure: Callable[..., dict[str, str]], api: Api, monkeypatch: pytest.MonkeyPatch
) -> tuple[RecordingJobsClient, RecordingExecutionsClient]:
    """The functions with TAILRUN_LAUNCHER=cloudrun, their google-cloud-run clients recording the requests."""
    configure(TAILRUN_LAUNCHER="cloudrun", TAILRUN_REGION="europe-west1", TAILRUN_RUNNER_JOB="runner")
    services = for_settings(Settings.from_env())
    jobs, executions = RecordingJobsClient(), RecordingExecutionsClient()
    launcher = CloudRunLauncher(services.settings, jobs_client=jobs, executions_client=executions)
    monkeypatch.setattr(services, "launcher", launcher)
    return jobs, executions


def test_create_and_cancel_go_through_cloud_run(
    cloud_run: tuple[RecordingJobsClient, RecordingExecutionsClient],
    api: Api,
    firestore_client: firestore.Client,
) -> None:
    jobs, executions = cloud_run

    job_id = api.create(argv=["echo", "hi"], env={"A": "1"}, timeout_s=60)

    (run,) = jobs.requests
    assert run.name == f"projects/{firestore_client.project}/locations/europe-west1/jobs/runner"
    env = {var.name: var.value for var in run.overrides.container_overrides[0].env}
    assert env["TAILRUN_JOB_ID"] == job_id and env["TAILRUN_ATTEMPT"] == "1"
    assert env["TAILRUN_ARGV"] == '["echo", "hi"]' and env["TAILRUN_ENV"] == '{"A": "1"}'
    token = firestore_client.document(f"attempt_tokens/{job_id}-0001").get().to_dict() or {}
    assert token["token_hash"] == hashlib.sha256(env["TAILRUN_TOKEN"].encode()).hexdigest()
    attempt = firestore_client.document(f"jobs/{job_id}/attempts/0001").get().to_dict() or {}
    assert attempt["launch"] == {"kind": "cloudrun", "execution": EXECUTION}

    assert api.post("cancel_job", {"job_id": job_id}).status == 200

    assert executions.requests == [run_v2.CancelExecutionRequest(name=EXECUTION)]


def test_a_run_cloud_run_refuses_fails_the_job_with_the_reason(
    cloud_run: tuple[RecordingJobsClient, RecordingExecutionsClient],
    api: Api,
    firestore_client: firestore.Client,
) -> None:
    jobs, _ = cloud_run
    jobs.fail = exceptions.PermissionDenied("Permission 'run.jobs.run' denied")

    reply = api.post("create_job", {"argv": ["true"], "max_attempts": 2})

    assert reply.status == 201 and reply.body["status"] == "failed"
    assert len(jobs.requests) == 2
    document = firestore_client.document(f"jobs/{reply.body['job_id']}").get().to_dict() or {}
    assert document["error"]["code"] == "launch_failed"
    assert "run.jobs.run" in document["error"]["message"]
