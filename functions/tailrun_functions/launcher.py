"""The sandbox port: start one attempt's runner, and stop it (invariant 7).

``LocalLauncher`` runs the runner as a local child process (the local stack and tests); ``CloudRunLauncher``
runs an execution of the deployed Cloud Run job with per-execution env overrides, and cancels it through the
executions API. Both return a small JSON-able ``launch`` record that is stored on the attempt document, so any
instance of the functions (not only the one that launched) can cancel the sandbox later.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, TypedDict

from tailrun_functions import defaults
from tailrun_functions.errors import LaunchError
from tailrun_functions.sandboxes import Sandboxes
from tailrun_functions.settings import Settings

logger = logging.getLogger(__name__)


class LaunchInfo(TypedDict, total=False):
    """An attempt's ``launch`` record (stored on its attempt document, read back to cancel or check it):
    ``{kind: "local", pid, start_time, job_id, attempt, cwd}`` or ``{kind: "cloudrun", execution}``."""

    kind: Literal["local", "cloudrun"]
    pid: int
    start_time: int | None  # clock ticks after boot (field 22 of /proc/<pid>/stat): with the pid, one process
    job_id: str
    attempt: int
    execution: str  # the Cloud Run execution's full name
    cwd: str  # a local attempt's working directory (its sandbox, or the directory its spec asked for)


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
    idle_timeout_s: int | None = None  # the spec's idle timeout: the runner ends a job silent for this long
    tty: bool = False  # run the job on a pseudo-terminal
    cwd: str | None = None  # the directory the spec asked for (local only); None: a fresh sandbox
    agent_stream: str | None = None  # a prompt job's agent whose JSON stream the runner reads (claude, codex)

    def runner_env(self) -> dict[str, str]:
        """The local runner's contract: its whole job, secrets included, in environment variables.

        Only for a child process of this machine (whose environment only its own user can read, and which the
        runner scrubs by re-executing itself); a Cloud Run execution gets ``claim_env`` instead."""
        variables = self.claim_env()
        del variables["TAILRUN_CLAIM"]
        variables["TAILRUN_TOKEN"] = self.token
        variables["TAILRUN_ARGV"] = json.dumps(list(self.argv), ensure_ascii=False)
        if self.env:
            variables["TAILRUN_ENV"] = json.dumps(self.env, ensure_ascii=False)
        if self.artifacts:
            variables["TAILRUN_ARTIFACTS"] = json.dumps(list(self.artifacts), ensure_ascii=False)
        return variables

    def claim_env(self) -> dict[str, str]:
        """The cloud runner's contract: where to claim its job, and nothing secret.

        Cloud Run's execution overrides are readable by anyone with ``run.executions.get``, so the token, argv,
        env and artifact patterns travel only in the answer to the runner's ``claim`` (see ``claim.py``)."""
        return {
            "TAILRUN_JOB_ID": self.job_id,
            "TAILRUN_ATTEMPT": str(self.attempt),
            "TAILRUN_CALLBACK_URL": self.callback_url,
            "TAILRUN_CLAIM": "google",
            **self.limits_env(),
        }

    def limits_env(self) -> dict[str, str]:
        """The job's limits and terminal, which the runner enforces itself (none is secret, so Cloud Run's
        overrides may carry them): ``TAILRUN_TIMEOUT_S``, ``TAILRUN_IDLE_TIMEOUT_S``, ``TAILRUN_TTY=1``, and
        ``TAILRUN_AGENT_STREAM`` (``claude`` or ``codex``: the job's stdout is that agent's JSON stream, which the
        runner turns into events)."""
        variables = {"TAILRUN_TIMEOUT_S": str(self.timeout_s)}
        if self.idle_timeout_s is not None:
            variables["TAILRUN_IDLE_TIMEOUT_S"] = str(self.idle_timeout_s)
        if self.tty:
            variables["TAILRUN_TTY"] = "1"
        if self.agent_stream is not None:
            variables["TAILRUN_AGENT_STREAM"] = self.agent_stream
        return variables


# The runner's secret variables (``tailrun_runner.handoff.SECRET_VARIABLES``): a local runner gets them on an
# inherited fd named by ``TAILRUN_SECRETS_FD``, never in its environment, so it has no secret to scrub by
# re-executing itself (one interpreter start per runner instead of two) and no other job can read one from
# ``/proc/<pid>/environ``. (The functions cannot import the runner's package: they are deployed apart.)
SECRET_VARIABLES = ("TAILRUN_TOKEN", "TAILRUN_ARGV", "TAILRUN_ENV", "TAILRUN_ARTIFACTS")
SECRETS_FD_VARIABLE = "TAILRUN_SECRETS_FD"


def _secrets_fd(data: bytes) -> int:
    """An anonymous memory file holding ``data``, at its start (the runner reads it once and closes it)."""
    fd = os.memfd_create(
        "tailrun-secrets", os.MFD_CLOEXEC
    )  # Popen's pass_fds makes it inheritable in the child
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.lseek(fd, 0, os.SEEK_SET)
    except OSError:
        os.close(fd)
        raise
    return fd


class Launcher(Protocol):
    def launch(self, request: LaunchRequest) -> LaunchInfo:
        """Start the sandbox; raise LaunchError when it cannot be started."""
        ...

    def cancel(self, launch: LaunchInfo) -> None:
        """Ask the sandbox to stop (SIGTERM: the runner stops its child and delivers what it printed)."""
        ...

    def ended(self, launch: LaunchInfo) -> str | None:
        """A sentence saying how the sandbox ended if it is over (the reaper asks about silent attempts), else
        None: still running, or not known."""
        ...

    def stop_all(self, grace_s: float = 0.0) -> None:
        """Stop every sandbox this launcher owns in this process (the services' shutdown), giving each up to
        ``grace_s`` seconds to deliver what its job printed. Once called, ``closing`` is true for good."""
        ...

    @property
    def closing(self) -> bool:
        """Whether the launcher is going away with its host (the local stack shutting down): no new attempt is
        started then; a job that waits for one stays queued for the reaper of the next stack."""
        ...


RunnerExit = Callable[[str, int, int], None]  # (job_id, attempt, returncode) of a runner that exited


@dataclass(frozen=True)
class ProcStat:
    """The fields of ``/proc/<pid>/stat`` the launcher uses (readable even for a non-dumpable process)."""

    pid: int
    session: int
    start_time: int  # clock ticks after boot: with the pid, it names one process for the machine's uptime
    state: str = "R"  # field 3: "Z" (zombie) and "X" (dead) no longer run

    @property
    def running(self) -> bool:
        return self.state not in ("Z", "X")

    @classmethod
    def read(cls, pid: int) -> ProcStat | None:
        """The process's stat, or None when it is gone (or /proc cannot say)."""
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                text = stat.read()
        except OSError:
            return None
        # The command name (field 2) is in parentheses and may hold anything, spaces and ")" included.
        fields = text[text.rindex(b")") + 2 :].split()
        try:  # fields[0] is field 3 (state): field n is fields[n - 3]
            return cls(
                pid=pid,
                session=int(fields[3]),
                start_time=int(fields[19]),
                state=fields[0].decode("ascii", "replace"),
            )
        except (IndexError, ValueError):
            return None


@dataclass(frozen=True)
class Leftovers:
    """What is left of a dead runner's job: the processes of the runner's session, and — for a job that left it
    (its own ``setsid``, or a runner that starts the job in a new session) — the processes started after the
    runner (in a later clock tick) whose environment names the runner's job and attempt (``TAILRUN_JOB_ID``,
    ``TAILRUN_ATTEMPT``, which the runner passes on to the job). Only what this user may signal is found, never
    the runner itself. The environment is a hint a job can erase; the session is what holds."""

    runner_pid: int
    runner_start_time: int | None
    job_id: str
    attempt: int

    def pids(self) -> list[int]:
        """The pids that match now and still run (a zombie is only waiting for its parent)."""
        try:
            entries = os.listdir("/proc")
        except OSError:
            return []
        marks = {f"TAILRUN_JOB_ID={self.job_id}".encode(), f"TAILRUN_ATTEMPT={self.attempt}".encode()}
        found = []
        for name in entries:
            if not name.isdigit() or int(name) == self.runner_pid:
                continue
            stat = ProcStat.read(int(name))
            if stat is None or not stat.running:
                continue
            if stat.session == self.runner_pid or (
                self.runner_start_time is not None
                and stat.start_time > self.runner_start_time
                and _environ_has(stat.pid, marks)
            ):
                found.append(stat.pid)
        return found

    def kill(self) -> int:
        """SIGKILL them all (a few rounds, for processes that forked meanwhile) and wait, up to
        ``defaults.SWEEP_WAIT_S``, until none runs any more (a SIGKILL is delivered, not an exit: a process may still
        be dying when ``kill`` returns to us); returns how many processes were killed.

        A session outlives its leader: the job's processes keep the dead runner's session id, and while the runner
        is an unreaped zombie no new process can take that id."""
        killed: set[int] = set()
        deadline = time.monotonic() + defaults.SWEEP_WAIT_S
        rounds = 0
        while pids := self.pids():
            if rounds < defaults.SWEEP_ROUNDS:
                rounds += 1
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                        killed.add(pid)
                    except (ProcessLookupError, PermissionError):
                        pass
            elif time.monotonic() > deadline:
                logger.warning(
                    "processes of job %s attempt %d still run after SIGKILL: %s",
                    self.job_id,
                    self.attempt,
                    pids,
                )
                break
            else:
                time.sleep(defaults.SWEEP_POLL_S)
        return len(killed)


def _environ_has(pid: int, marks: set[bytes]) -> bool:
    """Whether ``/proc/<pid>/environ`` holds every one of ``marks`` (False when it cannot be read)."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as environ:
            return marks <= set(environ.read().split(b"\0"))
    except OSError:
        return False


def _runs(pid: int, start_time: int | None) -> bool:
    """Whether ``pid`` is still the process that started at ``start_time`` (unknown start time: any process)."""
    stat = ProcStat.read(pid)
    return stat is not None and (start_time is None or stat.start_time == start_time)


def describe_exit(returncode: int) -> str:
    """``code 3``, or ``code -9 (SIGKILL)`` for a signal."""
    if returncode >= 0:
        return f"code {returncode}"
    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    return f"code {returncode} ({name})"


class LocalLauncher:
    """Runs ``tailrun-runner`` as a child process in its own session; stop = SIGTERM, then SIGKILL after a grace.

    Each runner is watched: when it exits, what is left of its job is killed (``Leftovers``), and when it
    exits without having delivered ``completed`` (any exit but 0), ``on_runner_exit`` is told so that the attempt
    ends at once instead of at the heartbeat timeout. Runner tuning variables (``TAILRUN_HEARTBEAT_S`` ...) come
    from ``TAILRUN_RUNNER_ENV`` (``extra_env``).

    Each attempt runs in a fresh directory of its own under ``sandbox_root`` (``sandboxes.py``), or in the
    directory its spec asked for, passed to the runner as ``TAILRUN_CWD``; old sandboxes are swept at a launch,
    at most every ``SANDBOX_SWEEP_INTERVAL_S``."""

    def __init__(
        self,
        command: tuple[str, ...],
        extra_env: dict[str, str],
        stop_grace_s: float = defaults.STOP_GRACE_S,
        on_runner_exit: RunnerExit | None = None,
        *,
        sandbox_root: str | None = None,
        sandbox_max_age_s: float = defaults.SANDBOX_MAX_AGE_S,
    ):
        self.command = command
        self.extra_env = extra_env
        self.stop_grace_s = stop_grace_s
        self.on_runner_exit = on_runner_exit
        self.sandboxes = Sandboxes(sandbox_root, sandbox_max_age_s, is_running=_runs)
        self._children: dict[int, subprocess.Popen[bytes]] = {}
        self._watchers: list[threading.Thread] = []
        self._stopping = False
        self._closed = False
        self._lock = threading.Lock()

    @property
    def closing(self) -> bool:
        with self._lock:
            return self._closed

    def launch(self, request: LaunchRequest) -> LaunchInfo:
        if self.closing:
            raise LaunchError("the local stack is shutting down")
        self.sandboxes.maybe_sweep()
        cwd = self._working_directory(request)
        env = {k: v for k, v in os.environ.items() if not k.startswith(PRIVATE_PREFIX)}
        env.update(self.extra_env)
        variables = request.runner_env()
        secrets = {name: variables.pop(name) for name in SECRET_VARIABLES if name in variables}
        env.update(variables)
        env["TAILRUN_CWD"] = str(cwd)
        try:
            fd = _secrets_fd(json.dumps(secrets).encode())
        except OSError as exc:
            self._release(cwd)
            raise LaunchError(f"could not hand the secrets of job {request.job_id} over: {exc}") from exc
        env[SECRETS_FD_VARIABLE] = str(fd)
        try:
            child = subprocess.Popen(
                list(self.command), env=env, stdin=subprocess.DEVNULL, start_new_session=True, pass_fds=(fd,)
            )
        except OSError as exc:
            self._release(cwd)
            raise LaunchError(f"could not start {self.command[0]!r}: {exc}") from exc
        finally:
            os.close(fd)
        stat = ProcStat.read(child.pid)  # unreaped until the watcher has swept: a zombie still has its stat
        start_time = stat.start_time if stat is not None else None
        if self.sandboxes.owns(cwd):
            with contextlib.suppress(OSError):  # without it only the age protects the directory
                self.sandboxes.record_runner(cwd, child.pid, start_time)
        watcher = threading.Thread(
            target=self._watch,
            args=(child, Leftovers(child.pid, start_time, request.job_id, request.attempt), cwd),
            daemon=True,
            name=f"runner-{child.pid}",
        )
        with self._lock:
            self._children[child.pid] = child
            self._watchers = [w for w in self._watchers if w.is_alive()] + [watcher]
        watcher.start()
        logger.info(
            "launched runner pid %d for job %s attempt %d", child.pid, request.job_id, request.attempt
        )
        return {
            "kind": "local",
            "pid": child.pid,
            "start_time": start_time,
            "job_id": request.job_id,
            "attempt": request.attempt,
            "cwd": str(cwd),
        }

    def _working_directory(self, request: LaunchRequest) -> Path:
        """The directory the spec asked for (``create_job`` checked it), else a fresh sandbox."""
        if request.cwd is not None:
            if not os.path.isdir(request.cwd):
                raise LaunchError(f"the job's directory {request.cwd!r} no longer exists")
            return Path(request.cwd)
        try:
            return self.sandboxes.create(request.job_id, request.attempt)
        except OSError as exc:
            raise LaunchError(
                f"could not make the attempt's directory under {self.sandboxes.root}: {exc}"
            ) from exc

    def _release(self, cwd: Path) -> None:
        """The runner of ``cwd`` is gone (or never started): its sandbox ages from now."""
        if self.sandboxes.owns(cwd):
            self.sandboxes.runner_exited(cwd)

    def cancel(self, launch: LaunchInfo) -> None:
        pid = launch.get("pid")
        if launch.get("kind") != "local" or not isinstance(pid, int):
            logger.warning("cannot cancel a non-local launch %r", launch)
            return
        with self._lock:
            child = self._children.get(pid)
        if child is None:
            self._signal_foreign(pid, launch.get("start_time"))
            return
        child.send_signal(signal.SIGTERM)
        timer = threading.Timer(self.stop_grace_s, self._kill_if_alive, args=(child,))
        timer.daemon = True
        timer.start()

    def ended(self, launch: LaunchInfo) -> str | None:
        """None: this launcher's own runners are watched (``on_runner_exit``), and a runner another process
        started is left to the heartbeat timeout."""
        return None

    def stop_all(self, grace_s: float = 0.0) -> None:
        """End every runner this launcher started that still runs, and their jobs (``Services.close``): with a
        grace, SIGTERM first (each runner stops its job and delivers what it printed) and SIGKILL to the process
        group of any runner still there after ``grace_s`` seconds; without one, SIGKILL at once.

        Runners ended here are not reported to ``on_runner_exit``: the stack is going away, not the attempt. From
        here on the launcher is ``closing``: it launches nothing more (an attempt that ends meanwhile, its job
        allowed another, leaves the job queued for the reaper of the next stack)."""
        with self._lock:
            self._stopping = True
            self._closed = True
            children = list(self._children.values())
            watchers = list(self._watchers)
        if grace_s > 0:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + grace_s
            for watcher in watchers:  # a watcher ends once its runner has exited and its session is swept
                watcher.join(timeout=max(0.0, deadline - time.monotonic()))
        for child in children:
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
        for watcher in watchers:
            watcher.join(timeout=defaults.STOP_JOIN_S)
        with self._lock:
            self._stopping = False

    def _watch(self, child: subprocess.Popen[bytes], leftovers: Leftovers, cwd: Path) -> None:
        """Wait for the runner to exit; kill what is left of its job; report an exit without ``completed``.

        ``waitid(WNOWAIT)`` leaves the runner a zombie while its session is swept, so its pid (the session id)
        cannot be reused meanwhile; only then is it reaped."""
        job_id, attempt = leftovers.job_id, leftovers.attempt
        with contextlib.suppress(ChildProcessError):  # another waiter (a poll()) reaped it first
            os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
        killed = leftovers.kill()
        code = child.wait()
        self._release(cwd)
        with self._lock:
            self._children.pop(child.pid, None)
            stopping = self._stopping
        logger.info(
            "runner pid %d of job %s attempt %d exited with %s; killed %d process(es) of its job left behind",
            child.pid,
            job_id,
            attempt,
            describe_exit(code),
            killed,
        )
        if code == 0 or stopping or self.on_runner_exit is None:
            return
        try:
            self.on_runner_exit(job_id, attempt, code)
        except Exception:  # a thread of its own: log, never die silently
            logger.exception("ending job %s attempt %d after its runner exited failed", job_id, attempt)

    @staticmethod
    def _kill_if_alive(child: subprocess.Popen[bytes]) -> None:
        if child.poll() is None:
            logger.warning("runner pid %d ignored SIGTERM; killing its process group", child.pid)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)

    @staticmethod
    def _signal_foreign(pid: int, start_time: object) -> None:
        """A runner another process of the local stack started: SIGTERM it by pid, but only if that pid is still
        this attempt's runner (the same start time), never a process that reused the pid.

        The start time, not the environment: a non-dumpable runner's ``/proc/<pid>/environ`` is unreadable."""
        stat = ProcStat.read(pid)
        if stat is None:
            logger.info("runner pid %d is gone; nothing to stop", pid)
            return
        if not isinstance(start_time, int) or stat.start_time != start_time:
            logger.info("pid %d is no longer the recorded runner (or unverifiable); nothing to stop", pid)
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            logger.info("runner pid %d already gone", pid)


def launch_backoff() -> Iterator[float]:
    """The waits between a launch's tries when Cloud Run's Admin API answers 429 (its per-minute request quota):
    exponential from ``LAUNCH_QUOTA_BACKOFF_S``, capped at ``LAUNCH_QUOTA_BACKOFF_MAX_S``, with full jitter so that
    launches refused together do not come back together; ``LAUNCH_QUOTA_TRIES`` tries in all, after which the
    attempt's launch fails and its job's retry policy applies. The filling request waits with it, so a batch's
    starts slow down to what the quota allows instead of failing their rows."""
    for n in range(defaults.LAUNCH_QUOTA_TRIES - 1):
        ceiling = min(defaults.LAUNCH_QUOTA_BACKOFF_MAX_S, defaults.LAUNCH_QUOTA_BACKOFF_S * 2**n)
        yield random.uniform(ceiling / 2, ceiling)


class CloudRunLauncher:
    """Runs one execution of the runner's Cloud Run job per attempt; clients are injectable for tests."""

    def __init__(
        self,
        settings: Settings,
        jobs_client: Any = None,
        executions_client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._jobs_client = jobs_client
        self._executions_client = executions_client
        self._sleep = sleep  # injectable: tests of the back-off do not wait

    @property
    def job_name(self) -> str:
        s = self.settings
        return f"projects/{s.project}/locations/{s.region}/jobs/{s.runner_job}"

    def build_run_request(self, request: LaunchRequest) -> Any:
        """The RunJobRequest for one attempt: one task, the job's timeout plus a margin (the runner ends the job at
        its timeout itself; the execution's own limit is the backstop), and as env overrides only where to claim
        the job and its limits (``claim_env``): overrides are execution metadata that project readers see."""
        from google.cloud import run_v2
        from google.protobuf import duration_pb2

        overrides = run_v2.RunJobRequest.Overrides
        env = [run_v2.EnvVar(name=name, value=value) for name, value in request.claim_env().items()]
        container = overrides.ContainerOverride(name=self.settings.runner_container, env=env)
        return run_v2.RunJobRequest(
            name=self.job_name,
            overrides=overrides(
                container_overrides=[container],
                task_count=1,
                timeout=duration_pb2.Duration(seconds=request.timeout_s + defaults.CLOUD_TIMEOUT_MARGIN_S),
            ),
        )

    def launch(self, request: LaunchRequest) -> LaunchInfo:
        from google.api_core import exceptions

        run_request = self.build_run_request(request)
        delays = launch_backoff()
        while True:
            try:
                operation = self._jobs().run_job(request=run_request)
                execution = operation.metadata.name if operation.metadata is not None else ""
                break
            except exceptions.TooManyRequests as exc:  # 429 RESOURCE_EXHAUSTED: the Admin API's quota
                delay = next(delays, None)
                if delay is None:
                    raise LaunchError(
                        f"Cloud Run's API quota refused to run {self.job_name} {defaults.LAUNCH_QUOTA_TRIES} "
                        f"times: {exc.message}"
                    ) from exc
                logger.warning(
                    "Cloud Run's API quota: retrying job %s's launch in %.1f s", request.job_id, delay
                )
                self._sleep(delay)
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

    def ended(self, launch: LaunchInfo) -> str | None:
        """Whether the attempt's execution has finished (``completion_time`` set), as a sentence for its error.

        The reaper asks this of attempts that went silent: an execution that ended without ``completed`` (the
        runner crashed, ran out of memory, or was never able to start) ends its attempt before the heartbeat
        timeout. An execution the API cannot find has ended too (deleted); other API errors propagate."""
        from google.api_core import exceptions
        from google.cloud import run_v2

        name = launch.get("execution")
        if launch.get("kind") != "cloudrun" or not isinstance(name, str) or not name:
            return None
        try:
            execution = self._executions().get_execution(request=run_v2.GetExecutionRequest(name=name))
        except exceptions.NotFound:
            return f"its Cloud Run execution {name.rsplit('/', 1)[-1]} no longer exists"
        if execution.completion_time is None:
            return None
        return (
            f"its Cloud Run execution {name.rsplit('/', 1)[-1]} ended without reporting completion "
            f"({execution.succeeded_count} task(s) succeeded, {execution.failed_count} failed, "
            f"{execution.cancelled_count} cancelled)"
        )

    def stop_all(self, grace_s: float = 0.0) -> None:
        """Nothing to stop: an execution outlives the process that launched it (cancel ends one, the reaper ends
        those that overrun)."""

    @property
    def closing(self) -> bool:
        """Never: executions run in Cloud Run, whatever becomes of the function instance that launched them."""
        return False

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


def make_launcher(settings: Settings, on_runner_exit: RunnerExit | None = None) -> Launcher:
    """The launcher the settings ask for; a local one reports runners that die to ``on_runner_exit``."""
    if settings.launcher == "cloudrun":
        return CloudRunLauncher(settings)
    return LocalLauncher(
        settings.runner_command,
        dict(settings.runner_env),
        on_runner_exit=on_runner_exit,
        sandbox_root=settings.sandbox_root,
        sandbox_max_age_s=settings.sandbox_max_age_s,
    )
