"""The runner's settings, read once from the environment (as Cloud Run passes per-execution overrides).

Required: ``TAILRUN_JOB_ID``, ``TAILRUN_ATTEMPT`` (int), ``TAILRUN_CALLBACK_URL`` (http or https),
``TAILRUN_TOKEN``, ``TAILRUN_ARGV`` (JSON list of strings). Optional: ``TAILRUN_ENV`` (JSON object of strings,
merged into the job's environment), ``TAILRUN_CWD`` (the job's working directory; its artifacts are rooted there),
``TAILRUN_JOB_USER`` (run the job as this user: a name or a uid; needs a root runner), the job's limits
``TAILRUN_TIMEOUT_S`` and ``TAILRUN_IDLE_TIMEOUT_S`` (positive seconds), ``TAILRUN_TTY`` (run it on a
pseudo-terminal), ``TAILRUN_AGENT_STREAM`` (``claude`` or ``codex``: the job is that agent in its JSON stream mode,
and its stdout is read as that stream; see ``agent_hook``) and the tuning variables, all documented in
``defaults``.

The secret ones (the token, argv, env, artifact patterns) do not stay in the environment: ``handoff`` moves them
to memory before the settings are read, and with ``TAILRUN_CLAIM=google`` they come from the callback
(``claim``). ``from_env`` is given the runner's environment merged with them, never ``os.environ`` alone.
"""

from __future__ import annotations

import json
import os
import pwd
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from tailrun_runner import defaults

T = TypeVar("T", int, float)


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the environment variable."""


@dataclass(frozen=True, slots=True)
class JobUser:
    """The user the job runs as (``TAILRUN_JOB_USER``): its uid, primary gid, and no supplementary group."""

    uid: int
    gid: int


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What the runner needs to run one attempt of one job and deliver its output."""

    job_id: str
    attempt: int
    callback_url: str
    token: str
    argv: list[str]
    env: dict[str, str]
    cwd: str | None = None
    job_user: JobUser | None = None
    batch_max_lines: int = defaults.BATCH_MAX_LINES
    batch_max_bytes: int = defaults.BATCH_MAX_BYTES
    batch_max_age_s: float = defaults.BATCH_MAX_AGE_MS / 1000
    batch_interval_s: float = defaults.BATCH_INTERVAL_MS / 1000
    batch_heavy_interval_s: float = defaults.BATCH_HEAVY_INTERVAL_MS / 1000
    progress_interval_s: float = defaults.PROGRESS_INTERVAL_S
    heartbeat_s: float = defaults.HEARTBEAT_S
    max_line_bytes: int = defaults.MAX_LINE_BYTES
    cr_interval_s: float = defaults.CR_INTERVAL_S
    max_buffer_bytes: int = defaults.MAX_BUFFER_BYTES
    request_timeout_s: float = defaults.REQUEST_TIMEOUT_S
    retry_base_s: float = defaults.RETRY_BASE_S
    retry_cap_s: float = defaults.RETRY_CAP_S
    retry_max_s: float = defaults.RETRY_MAX_S
    kill_grace_s: float = defaults.KILL_GRACE_S
    drain_s: float = defaults.DRAIN_S
    timeout_s: float | None = defaults.TIMEOUT_S
    idle_timeout_s: float | None = defaults.IDLE_TIMEOUT_S
    tty: bool = defaults.TTY
    agent_stream: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Build the settings from ``environ``; raise ``ConfigError`` naming the first bad variable."""
        url = _required(environ, "TAILRUN_CALLBACK_URL")
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise ConfigError(f"TAILRUN_CALLBACK_URL must be an http(s) URL, got {url!r}")
        return cls(
            job_id=_required(environ, "TAILRUN_JOB_ID"),
            attempt=parse_number(environ, "TAILRUN_ATTEMPT", int, None, minimum=0),
            callback_url=url,
            token=_required(environ, "TAILRUN_TOKEN"),
            argv=_argv(environ),
            env=_env(environ),
            cwd=environ.get("TAILRUN_CWD") or None,
            job_user=job_user(environ),
            batch_max_lines=parse_number(environ, "TAILRUN_BATCH_MAX_LINES", int, defaults.BATCH_MAX_LINES),
            batch_max_bytes=parse_number(environ, "TAILRUN_BATCH_MAX_BYTES", int, defaults.BATCH_MAX_BYTES),
            batch_max_age_s=parse_number(
                environ, "TAILRUN_BATCH_MAX_AGE_MS", float, float(defaults.BATCH_MAX_AGE_MS), 0
            )
            / 1000,
            batch_interval_s=parse_number(
                environ, "TAILRUN_BATCH_INTERVAL_MS", float, float(defaults.BATCH_INTERVAL_MS), 0
            )
            / 1000,
            batch_heavy_interval_s=parse_number(
                environ, "TAILRUN_BATCH_HEAVY_INTERVAL_MS", float, float(defaults.BATCH_HEAVY_INTERVAL_MS), 0
            )
            / 1000,
            progress_interval_s=parse_number(
                environ, "TAILRUN_PROGRESS_INTERVAL_S", float, defaults.PROGRESS_INTERVAL_S, 0
            ),
            heartbeat_s=parse_number(environ, "TAILRUN_HEARTBEAT_S", float, defaults.HEARTBEAT_S),
            max_line_bytes=parse_number(environ, "TAILRUN_MAX_LINE_BYTES", int, defaults.MAX_LINE_BYTES),
            cr_interval_s=parse_number(environ, "TAILRUN_CR_INTERVAL_S", float, defaults.CR_INTERVAL_S, 0),
            max_buffer_bytes=parse_number(
                environ, "TAILRUN_MAX_BUFFER_BYTES", int, defaults.MAX_BUFFER_BYTES
            ),
            request_timeout_s=parse_number(
                environ, "TAILRUN_REQUEST_TIMEOUT_S", float, defaults.REQUEST_TIMEOUT_S
            ),
            retry_base_s=parse_number(environ, "TAILRUN_RETRY_BASE_S", float, defaults.RETRY_BASE_S),
            retry_cap_s=parse_number(environ, "TAILRUN_RETRY_CAP_S", float, defaults.RETRY_CAP_S),
            retry_max_s=parse_number(environ, "TAILRUN_RETRY_MAX_S", float, defaults.RETRY_MAX_S, 0),
            kill_grace_s=parse_number(environ, "TAILRUN_KILL_GRACE_S", float, defaults.KILL_GRACE_S, 0),
            drain_s=parse_number(environ, "TAILRUN_DRAIN_S", float, defaults.DRAIN_S, 0),
            timeout_s=_optional_seconds(environ, "TAILRUN_TIMEOUT_S"),
            idle_timeout_s=_optional_seconds(environ, "TAILRUN_IDLE_TIMEOUT_S"),
            tty=parse_flag(environ, "TAILRUN_TTY", defaults.TTY),
            agent_stream=environ.get("TAILRUN_AGENT_STREAM", "").strip().lower() or None,
        )


def _required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "")
    if not value:
        raise ConfigError(f"{name} is required but not set")
    return value


def parse_number(
    environ: Mapping[str, str],
    name: str,
    kind: Callable[[str], T],
    default: T | None,
    minimum: float | None = None,
) -> T:
    """Parse ``name`` as ``kind``; tuning values must be positive unless ``minimum`` says otherwise."""
    raw = environ.get(name, "")
    if not raw:
        if default is None:
            raise ConfigError(f"{name} is required but not set")
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if (minimum is None and value <= 0) or (minimum is not None and value < minimum):
        bound = "positive" if minimum is None else f">= {minimum}"
        raise ConfigError(f"{name} must be {bound}, got {raw!r}")
    return value


def _optional_seconds(environ: Mapping[str, str], name: str) -> float | None:
    """A positive number of seconds, or None when unset or empty (no limit)."""
    if not environ.get(name, "").strip():
        return None
    value = parse_number(environ, name, float, None)
    if value != value or value == float("inf"):  # NaN or infinity: not a limit anyone meant
        raise ConfigError(f"{name} must be a finite number of seconds, got {environ[name]!r}")
    return value


_TRUE = frozenset({"1", "true"})
_FALSE = frozenset({"", "0", "false"})


def parse_flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    """``1``/``true`` → True; ``0``/``false``/empty → False (either case); unset → ``default``; else ``ConfigError``."""
    if name not in environ:
        return default
    raw = environ[name].strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(f"{name} must be 1, true, 0 or false, got {environ[name]!r}")


def job_user(environ: Mapping[str, str], euid: int | None = None) -> JobUser | None:
    """``TAILRUN_JOB_USER`` (a user name, or a uid with or without a passwd entry) resolved, or None if unset.

    Only a root runner can start its job as another user: elsewhere naming any user but the runner's own is a
    ``ConfigError`` (the job would otherwise run with less isolation than asked for)."""
    raw = environ.get("TAILRUN_JOB_USER", "").strip()
    if not raw:
        return None
    try:
        entry = pwd.getpwuid(int(raw)) if raw.isdigit() else pwd.getpwnam(raw)
        user = JobUser(uid=entry.pw_uid, gid=entry.pw_gid)
    except KeyError:
        if not raw.isdigit():
            raise ConfigError(f"TAILRUN_JOB_USER names no user of this system, got {raw!r}") from None
        user = JobUser(
            uid=int(raw), gid=int(raw)
        )  # a uid without a passwd entry: the group of the same number
    euid = os.geteuid() if euid is None else euid
    if euid != 0 and user.uid != euid:
        raise ConfigError(f"TAILRUN_JOB_USER={raw!r} needs the runner to run as root (it runs as uid {euid})")
    return None if user.uid == euid else user  # the runner's own user: nothing to switch


def _argv(environ: Mapping[str, str]) -> list[str]:
    raw = _required(environ, "TAILRUN_ARGV")
    try:
        argv = json.loads(raw)
    except ValueError:
        raise ConfigError(f"TAILRUN_ARGV must be a JSON list of strings, got {raw!r}") from None
    if not isinstance(argv, list) or not argv or not all(isinstance(arg, str) for arg in argv):
        raise ConfigError(f"TAILRUN_ARGV must be a non-empty JSON list of strings, got {raw!r}")
    return argv


def _env(environ: Mapping[str, str]) -> dict[str, str]:
    raw = environ.get("TAILRUN_ENV", "")
    if not raw:
        return {}
    try:
        env = json.loads(raw)
    except ValueError:
        raise ConfigError("TAILRUN_ENV must be a JSON object of strings (its value is not shown)") from None
    if not isinstance(env, dict) or not all(isinstance(v, str) for v in env.values()):
        raise ConfigError("TAILRUN_ENV must be a JSON object of strings (its value is not shown)")
    return env


# The variables of artifact uploads (read by ``artifacts.ArtifactSettings``).
ARTIFACT_VARIABLES = frozenset(
    {
        "TAILRUN_ARTIFACTS",
        "TAILRUN_UPLOAD_URL",
        "TAILRUN_FINALIZE_URL",
        "TAILRUN_ARTIFACT_MAX_FILES",
        "TAILRUN_ARTIFACT_RETRY_MAX_S",
    }
)

# The runner's own variables: the job does not see them (above all not the callback token).
RUNNER_VARIABLES = (
    frozenset(
        {
            "TAILRUN_CALLBACK_URL",
            "TAILRUN_TOKEN",
            "TAILRUN_ARGV",
            "TAILRUN_ENV",
            "TAILRUN_CWD",
            "TAILRUN_JOB_USER",
            "TAILRUN_CLAIM",
            "TAILRUN_SECRETS_FD",
            "TAILRUN_BATCH_MAX_LINES",
            "TAILRUN_BATCH_MAX_BYTES",
            "TAILRUN_BATCH_MAX_AGE_MS",
            "TAILRUN_BATCH_INTERVAL_MS",
            "TAILRUN_BATCH_HEAVY_INTERVAL_MS",
            "TAILRUN_HEARTBEAT_S",
            "TAILRUN_PROGRESS_INTERVAL_S",
            "TAILRUN_MAX_LINE_BYTES",
            "TAILRUN_CR_INTERVAL_S",
            "TAILRUN_MAX_BUFFER_BYTES",
            "TAILRUN_REQUEST_TIMEOUT_S",
            "TAILRUN_RETRY_BASE_S",
            "TAILRUN_RETRY_CAP_S",
            "TAILRUN_RETRY_MAX_S",
            "TAILRUN_KILL_GRACE_S",
            "TAILRUN_DRAIN_S",
            "TAILRUN_TIMEOUT_S",
            "TAILRUN_IDLE_TIMEOUT_S",
            "TAILRUN_TTY",
            "TAILRUN_AGENT_STREAM",
        }
    )
    | ARTIFACT_VARIABLES
)


def child_environment(
    environ: Mapping[str, str], extra: Mapping[str, str], *, tty: bool = False
) -> dict[str, str]:
    """The job's environment: the runner's, minus the runner's own variables, plus the runner's defaults for the
    job (``defaults.LINE_BUFFERING_ENV``; on a pty also ``defaults.TTY_ENV``: ``TERM``, no pager), plus ``TAILRUN_ENV`` (``extra``), which wins:
    a variable the job's own environment sets, even to the empty string, is never overridden.

    ``TAILRUN_JOB_ID`` and ``TAILRUN_ATTEMPT`` stay visible: a job may use them to name what it writes.
    """
    env = {name: value for name, value in environ.items() if name not in RUNNER_VARIABLES}
    env.update(defaults.LINE_BUFFERING_ENV)
    if tty:
        env.update(defaults.TTY_ENV)
    env.update(extra)
    return env
