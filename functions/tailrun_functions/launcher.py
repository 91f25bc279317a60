"""The sandbox port: start one attempt's runner, and stop it (invariant 7).

``LocalLauncher`` runs the runner as a local child process (the local stack and tests); ``CloudRunLauncher``
runs an execution of the deployed Cloud Run job with per-execution env overrides, and cancels it through the
executions API. Both return a small JSON-able ``launch`` record that is stored on the attempt document, so any
instance of the functions (not only the one that launched) can cancel the sandbox later.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import threading
from dataclasses import dataclass
from typing import Any, Protocol

from tailrun_functions.errors import LaunchError
from tailrun_functions.settings import Settings

logger = logging.getLogger(__name__)

LaunchInfo = dict[str, Any]
STOP_GRACE_S = 30.0  # seconds a locally stopped runner gets to drain before it is killed
CLOUD_TIMEOUT_MARGIN_S = (
    300  # seconds the Cloud Run execution outlives the job's timeout (the reaper ends it first)
)
# A local runner inherits the functions' environment (PATH, the virtualenv, ...) except every variable with this
# prefix: those are the functions' own settings (the dev token among them) or another job's runner variables.
PRIVATE_PREFIX = "TAILRUN_"


@dataclass(frozen=True)
class LaunchRequest:
    """Everything a sandbox needs to run one attempt; ``token`` is the attempt's plain callback token."""

    job_id: str
    attempt: int
    token: str
    argv: tuple[str, ...]
    env: dict[str, str]
    timeout_s: int
    callback_url: str
    artifacts: tuple[str, ...] = ()  # the spec's glob patterns of files to keep

    def runner_env(self) -> dict[str, str]:
        """The runner's contract: its job in environment variables."""
        variables = {
            "TAILRUN_JOB_ID": self.job_id,
            "TAILRUN_ATTEMPT": str(self.attempt),
            "TAILRUN_CALLBACK_URL": self.callback_url,
            "TAILRUN_TOKEN": self.token,
            "TAILRUN_ARGV": json.dumps(list(self.argv), ensure_ascii=False),
        }
        if self.env:
            variables["TAILRUN_ENV"] = json.dumps(self.env, ensure_ascii=False)
        if self.artifacts:
            variables["TAILRUN_ARTIFACTS"] = json.dumps(list(self.artifacts), ensure_ascii=False)
        return variables


class Launcher(Protocol):
    def launch(self, request: LaunchRequest) -> LaunchInfo:
        """Start the sandbox; raise LaunchError when it cannot be started."""
        ...

    def cancel(self, launch: LaunchInfo) -> None:
        """Ask the sandbox to stop (SIGTERM: the runner stops its child and delivers what it printed)."""
        ...


class LocalLauncher:
    """Runs ``tailrun-runner`` as a child process in its own session; stop = SIGTERM, then SIGKILL after a grace.

    Runner tuning variables (``TAILRUN_HEARTBEAT_S`` ...) come from ``TAILRUN_RUNNER_ENV`` (``extra_env``)."""

    _children: dict[int, subprocess.Popen[bytes]] = {}
    _lock = threading.Lock()

    def __init__(
        self, command: tuple[str, ...], extra_env: dict[str, str], stop_grace_s: float = STOP_GRACE_S
    ):
        self.command = command
        self.extra_env = extra_env
        self.stop_grace_s = stop_grace_s

    def launch(self, request: LaunchRequest) -> LaunchInfo:
        env = {k: v for k, v in os.environ.items() if not k.startswith(PRIVATE_PREFIX)}
        env.update(self.extra_env)
        env.update(request.runner_env())
        try:
            child = subprocess.Popen(
                list(self.command), env=env, stdin=subprocess.DEVNULL, start_new_session=True
            )
        except OSError as exc:
            raise LaunchError(f"could not start {self.command[0]!r}: {exc}") from exc
        with self._lock:
            self._children[child.pid] = child
        threading.Thread(target=self._reap, args=(child,), daemon=True, name=f"runner-{child.pid}").start()
        logger.info(
            "launched runner pid %d for job %s attempt %d", child.pid, request.job_id, request.attempt
        )
        return {"kind": "local", "pid": child.pid, "job_id": request.job_id, "attempt": request.attempt}

    def cancel(self, launch: LaunchInfo) -> None:
        pid = launch.get("pid")
        if launch.get("kind") != "local" or not isinstance(pid, int):
            logger.warning("cannot cancel a non-local launch %r", launch)
            return
        with self._lock:
            child = self._children.get(pid)
        if child is None:
            self._signal_foreign(pid, str(launch.get("job_id")), str(launch.get("attempt")))
            return
        child.send_signal(signal.SIGTERM)
        timer = threading.Timer(self.stop_grace_s, self._kill_if_alive, args=(child,))
        timer.daemon = True
        timer.start()

    @classmethod
    def stop_all(cls) -> None:
        """Kill every runner this process started that still runs (the local stack's shutdown, tests)."""
        with cls._lock:
            children = list(cls._children.values())
        for child in children:
            if child.poll() is None:
                try:
                    os.killpg(child.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            child.wait()

    def _reap(self, child: subprocess.Popen[bytes]) -> None:
        """Wait for the runner so it never lingers as a zombie, then forget it."""
        code = child.wait()
        logger.info("runner pid %d exited with %s", child.pid, code)
        with self._lock:
            self._children.pop(child.pid, None)

    @staticmethod
    def _kill_if_alive(child: subprocess.Popen[bytes]) -> None:
        if child.poll() is None:
            logger.warning("runner pid %d ignored SIGTERM; killing its process group", child.pid)
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    @staticmethod
    def _signal_foreign(pid: int, job_id: str, attempt: str) -> None:
        """A runner another process of the local stack started: SIGTERM it by pid, but only if that pid is still
        this attempt's runner (its environment says so), never a process that reused the pid."""
        expected = {f"TAILRUN_JOB_ID={job_id}".encode(), f"TAILRUN_ATTEMPT={attempt}".encode()}
        try:
            with open(f"/proc/{pid}/environ", "rb") as environ:
                variables = set(environ.read().split(b"\0"))
        except OSError:
            logger.info("runner pid %d is gone (or cannot be checked); nothing to stop", pid)
            return
        if not expected <= variables:
            logger.info(
                "pid %d is no longer the runner of job %s attempt %s; nothing to stop", pid, job_id, attempt
            )
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            logger.info("runner pid %d already gone", pid)


class CloudRunLauncher:
    """Runs one execution of the runner's Cloud Run job per attempt; clients are injectable for tests."""

    def __init__(self, settings: Settings, jobs_client: Any = None, executions_client: Any = None) -> None:
        self.settings = settings
        self._jobs_client = jobs_client
        self._executions_client = executions_client

    @property
    def job_name(self) -> str:
        s = self.settings
        return f"projects/{s.project}/locations/{s.region}/jobs/{s.runner_job}"

    def build_run_request(self, request: LaunchRequest) -> Any:
        """The RunJobRequest for one attempt: one task, the job's timeout, its variables as env overrides."""
        from google.cloud import run_v2
        from google.protobuf import duration_pb2

        overrides = run_v2.RunJobRequest.Overrides
        env = [run_v2.EnvVar(name=name, value=value) for name, value in request.runner_env().items()]
        container = overrides.ContainerOverride(name=self.settings.runner_container, env=env)
        return run_v2.RunJobRequest(
            name=self.job_name,
            overrides=overrides(
                container_overrides=[container],
                task_count=1,
                timeout=duration_pb2.Duration(seconds=request.timeout_s + CLOUD_TIMEOUT_MARGIN_S),
            ),
        )

    def launch(self, request: LaunchRequest) -> LaunchInfo:
        from google.api_core import exceptions

        run_request = self.build_run_request(request)
        try:
            operation = self._jobs().run_job(request=run_request)
            execution = operation.metadata.name if operation.metadata is not None else ""
        except exceptions.GoogleAPICallError as exc:
            raise LaunchError(f"Cloud Run refused to run {self.job_name}: {exc.message}") from exc
        if not execution:
            raise LaunchError(f"Cloud Run did not name the execution of {self.job_name}")
        logger.info("launched execution %s for job %s attempt %d", execution, request.job_id, request.attempt)
        return {"kind": "cloudrun", "execution": execution}

    def build_cancel_request(self, launch: LaunchInfo) -> Any:
        from google.cloud import run_v2

        return run_v2.CancelExecutionRequest(name=launch["execution"])

    def cancel(self, launch: LaunchInfo) -> None:
        from google.api_core import exceptions

        if launch.get("kind") != "cloudrun" or not launch.get("execution"):
            logger.warning("cannot cancel a non-Cloud Run launch %r", launch)
            return
        try:
            self._executions().cancel_execution(request=self.build_cancel_request(launch))
        except (exceptions.NotFound, exceptions.FailedPrecondition) as exc:
            logger.info("execution %s already over: %s", launch["execution"], exc.message)

    def _jobs(self) -> Any:
        if self._jobs_client is None:
            from google.cloud import run_v2

            self._jobs_client = run_v2.JobsClient()
        return self._jobs_client

    def _executions(self) -> Any:
        if self._executions_client is None:
            from google.cloud import run_v2

            self._executions_client = run_v2.ExecutionsClient()
        return self._executions_client


def make_launcher(settings: Settings) -> Launcher:
    """The launcher the settings ask for."""
    if settings.launcher == "cloudrun":
        return CloudRunLauncher(settings)
    return LocalLauncher(settings.runner_command, dict(settings.runner_env))
