"""Stand-ins for google-cloud-run's clients: Cloud Run cannot run here (no network, no project).

They record the real request protos the launcher builds and answer with real ``run_v2`` messages, so everything
but the API call itself is the real launcher's code."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from google.cloud import run_v2
from tailrun_functions.launcher import CloudRunLauncher, LaunchRequest

EXECUTION = "projects/p/locations/europe-west1/jobs/runner/executions/runner-abc12"
RUNNER_SA = "tailrun-runner@tailrun.iam.gserviceaccount.com"


class RecordingJobsClient:
    def __init__(self, fail: Exception | None = None, times: int | None = None) -> None:
        self.requests: list[Any] = []
        self.fail = fail
        self.times = times  # how many calls fail (None: all)

    def run_job(self, request: run_v2.RunJobRequest) -> Any:
        self.requests.append(request)
        if self.fail and (self.times is None or len(self.requests) <= self.times):
            raise self.fail
        return SimpleNamespace(metadata=run_v2.Execution(name=EXECUTION))


class RecordingExecutionsClient:
    """A fake ExecutionsClient: records cancels, and answers get_execution with ``self.execution`` (a running
    execution until a test sets ``completion_time``), or raises ``self.get_fails``."""

    def __init__(self) -> None:
        self.requests: list[Any] = []
        self.execution = run_v2.Execution(name=EXECUTION)
        self.get_fails: Exception | None = None

    def cancel_execution(self, request: run_v2.CancelExecutionRequest) -> None:
        self.requests.append(request)

    def get_execution(self, request: run_v2.GetExecutionRequest) -> run_v2.Execution:
        self.requests.append(request)
        if self.get_fails:
            raise self.get_fails
        return self.execution


class RecordingLauncher(CloudRunLauncher):
    """The real Cloud Run launcher, keeping each LaunchRequest so a test can play the runner with its token."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.launched: list[LaunchRequest] = []

    def launch(self, request: LaunchRequest) -> dict[str, Any]:
        self.launched.append(request)
        return super().launch(request)
