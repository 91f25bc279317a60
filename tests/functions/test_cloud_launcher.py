"""The Cloud Run launcher, tested on the requests it builds (google-cloud-run clients injected).

Cloud Run cannot run here: ``RecordingJobsClient`` and ``RecordingExecutionsClient`` stand in for
google-cloud-run's ``JobsClient`` and ``ExecutionsClient``, recording the real request protos the launcher builds
and answering with real ``run_v2`` messages."""

from __future__ import annotations

import hashlib
import json

import pytest
from google.api_core import exceptions
from google.cloud import firestore, run_v2
from google.protobuf import timestamp_pb2
from tailrun_functions import defaults
from tailrun_functions.errors import LaunchError
from tailrun_functions.launcher import CloudRunLauncher, LaunchRequest, make_launcher
from tailrun_functions.settings import Settings

from .cloud_fakes import EXECUTION, RecordingExecutionsClient, RecordingJobsClient, RecordingLauncher
from .conftest import Api


def settings() -> Settings:
    return Settings(
        project="p",
        launcher="cloudrun",
        callback_url="https://fn/job_callback",
        auth="firebase",
        region="europe-west1",
        runner_job="runner",
        runner_container="runner",
        runner_service_account="runner@p.iam.gserviceaccount.com",
    )


TOKEN = "tok-" + "7" * 40
SENTINEL = "sentinel-env-value-5f3a"
REQUEST = LaunchRequest(
    job_id="j1",
    attempt=2,
    token=TOKEN,
    argv=("echo", "ünï-argv-only"),
    env={"A": SENTINEL},
    timeout_s=600,
    callback_url="https://fn/job_callback",
    artifacts=("out/secret-pattern-*.txt",),
    idle_timeout_s=120,
    tty=True,
)


def test_a_launch_runs_one_execution_naming_only_the_attempt_in_env_overrides() -> None:
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
        "TAILRUN_CLAIM": "google",
        # the limits and the terminal, which the runner enforces: not secret, so in the overrides
        "TAILRUN_TIMEOUT_S": "600",
        "TAILRUN_IDLE_TIMEOUT_S": "120",
        "TAILRUN_TTY": "1",
    }


def test_the_run_request_holds_no_secret_anywhere_in_the_proto() -> None:
    """Overrides are execution metadata (run.executions.get): the whole request, serialized, holds no token, no
    env value, no argv and no artifact pattern; the runner claims those (claim.py)."""
    request = CloudRunLauncher(settings()).build_run_request(REQUEST)

    serialized = run_v2.RunJobRequest.serialize(request)
    text = str(request)
    for secret in (
        TOKEN,
        SENTINEL,
        "argv-only",
        "secret-pattern",
        hashlib.sha256(TOKEN.encode()).hexdigest(),
    ):
        assert secret.encode() not in serialized, secret
        assert secret not in text, secret
    assert "TAILRUN_TOKEN" not in text and "TAILRUN_ENV" not in text and "TAILRUN_ARGV" not in text


def test_the_local_runner_still_gets_its_job_in_its_environment() -> None:
    variables = REQUEST.runner_env()
    assert variables["TAILRUN_TOKEN"] == TOKEN and "TAILRUN_CLAIM" not in variables
    assert json.loads(variables["TAILRUN_ARGV"]) == list(REQUEST.argv)
    assert json.loads(variables["TAILRUN_ENV"]) == {"A": SENTINEL}
    assert json.loads(variables["TAILRUN_ARTIFACTS"]) == list(REQUEST.artifacts)


def test_a_refused_run_is_a_launch_error() -> None:
    launcher = CloudRunLauncher(
        settings(), jobs_client=RecordingJobsClient(exceptions.PermissionDenied("no run.jobs.run"))
    )
    with pytest.raises(LaunchError, match=r"no run\.jobs\.run"):
        launcher.launch(REQUEST)


def test_a_launch_backs_off_while_the_api_quota_answers_429() -> None:
    waits: list[float] = []
    jobs = RecordingJobsClient(exceptions.TooManyRequests("Quota exceeded: run requests per minute"), times=3)
    launcher = CloudRunLauncher(settings(), jobs_client=jobs, sleep=waits.append)

    assert launcher.launch(REQUEST) == {"kind": "cloudrun", "execution": EXECUTION}

    assert len(jobs.requests) == 4 and len(waits) == 3
    ceilings = [
        min(defaults.LAUNCH_QUOTA_BACKOFF_MAX_S, defaults.LAUNCH_QUOTA_BACKOFF_S * 2**n) for n in range(3)
    ]
    assert all(c / 2 <= wait <= c for wait, c in zip(waits, ceilings, strict=True))


def test_a_launch_the_quota_keeps_refusing_is_a_launch_error_after_its_tries() -> None:
    waits: list[float] = []
    jobs = RecordingJobsClient(exceptions.TooManyRequests("Quota exceeded"))
    launcher = CloudRunLauncher(settings(), jobs_client=jobs, sleep=waits.append)

    with pytest.raises(LaunchError, match="API quota refused"):
        launcher.launch(REQUEST)

    assert len(jobs.requests) == defaults.LAUNCH_QUOTA_TRIES and len(waits) == defaults.LAUNCH_QUOTA_TRIES - 1


def test_cancel_cancels_the_execution() -> None:
    executions = RecordingExecutionsClient()
    launcher = CloudRunLauncher(settings(), executions_client=executions)

    launcher.cancel({"kind": "cloudrun", "execution": EXECUTION})

    assert executions.requests == [run_v2.CancelExecutionRequest(name=EXECUTION)]


def test_the_settings_choose_the_launcher() -> None:
    assert isinstance(make_launcher(settings()), CloudRunLauncher)


def test_an_execution_is_over_once_it_has_a_completion_time() -> None:
    executions = RecordingExecutionsClient()
    launcher = CloudRunLauncher(settings(), executions_client=executions)
    launch = {"kind": "cloudrun", "execution": EXECUTION}

    assert launcher.ended(launch) is None
    executions.execution = run_v2.Execution(
        name=EXECUTION, completion_time=timestamp_pb2.Timestamp(seconds=1_700_000_000), failed_count=1
    )
    said = launcher.ended(launch)
    executions.get_fails = exceptions.NotFound("deleted")
    gone = launcher.ended(launch)

    assert (
        said is not None and "runner-abc12 ended without reporting completion" in said and "1 failed" in said
    )
    assert gone is not None and "no longer exists" in gone
    assert executions.requests[0] == run_v2.GetExecutionRequest(name=EXECUTION)
    assert launcher.ended({"kind": "local", "pid": 1}) is None


def test_create_and_cancel_go_through_cloud_run(
    cloud_run: tuple[RecordingJobsClient, RecordingExecutionsClient, RecordingLauncher],
    api: Api,
    firestore_client: firestore.Client,
) -> None:
    jobs, executions, _ = cloud_run

    job_id = api.create(argv=["echo", "hi"], env={"A": "1"}, timeout_s=60)

    (run,) = jobs.requests
    assert run.name == f"projects/{firestore_client.project}/locations/europe-west1/jobs/runner"
    env = {var.name: var.value for var in run.overrides.container_overrides[0].env}
    assert env == {
        "TAILRUN_JOB_ID": job_id,
        "TAILRUN_ATTEMPT": "1",
        "TAILRUN_CALLBACK_URL": env["TAILRUN_CALLBACK_URL"],
        "TAILRUN_CLAIM": "google",
        "TAILRUN_TIMEOUT_S": "60",
        "TAILRUN_IDLE_TIMEOUT_S": "60",
    }
    attempt = firestore_client.document(f"jobs/{job_id}/attempts/0001").get().to_dict() or {}
    assert attempt["launch"] == {"kind": "cloudrun", "execution": EXECUTION}

    assert api.post("cancel_job", {"job_id": job_id}).status == 200

    assert executions.requests == [run_v2.CancelExecutionRequest(name=EXECUTION)]


def test_a_run_cloud_run_refuses_fails_the_job_with_the_reason(
    cloud_run: tuple[RecordingJobsClient, RecordingExecutionsClient, RecordingLauncher],
    api: Api,
    firestore_client: firestore.Client,
) -> None:
    jobs, _, _ = cloud_run
    jobs.fail = exceptions.PermissionDenied("Permission 'run.jobs.run' denied")

    reply = api.post("create_job", {"argv": ["true"], "max_attempts": 2})

    assert reply.status == 201 and reply.body["status"] == "failed"
    assert len(jobs.requests) == 2
    document = firestore_client.document(f"jobs/{reply.body['job_id']}").get().to_dict() or {}
    assert document["error"]["code"] == "launch_failed"
    assert "run.jobs.run" in document["error"]["message"]
