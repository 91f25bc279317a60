"""Settings of the functions: one frozen value, built once (``Settings.from_env``) and passed down explicitly.

Deployed functions are configured through environment variables, which ``from_env`` reads (the names are in it);
the local stack and the tests build the settings from a mapping and hand them to ``services.configure`` instead
of writing ``os.environ``. Nothing below reads the environment on its own.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from tailrun_functions import defaults, schema

LauncherKind = Literal["local", "cloudrun"]
AuthMode = Literal["dev", "firebase"]

GCS_ENDPOINT = "https://storage.googleapis.com"  # Cloud Storage's API, and the base of its signed URLs


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the environment variable."""


@dataclass(frozen=True)
class Settings:
    """Everything the functions are configured with. Hashable, so services can be cached per settings."""

    project: str = schema.LOCAL_PROJECT
    firestore_emulator_host: str | None = (
        None  # HOST:PORT of a Firestore emulator (plain gRPC), else Google's
    )
    launcher: LauncherKind = "local"
    callback_url: str = ""
    auth: AuthMode = "dev"
    dev_token: str | None = None
    # HOST:PORT of a Firebase Auth emulator: its unsigned ID tokens are then accepted (never set it deployed)
    auth_emulator_host: str | None = None
    region: str = defaults.REGION
    runner_job: str = defaults.RUNNER_JOB
    runner_container: str = defaults.RUNNER_CONTAINER
    reaper_audience: str | None = None
    scheduler_service_account: str | None = None
    runner_service_account: str | None = None  # whose Google ID token may claim a cloud attempt
    runner_command: tuple[str, ...] = defaults.RUNNER_COMMAND
    runner_env: tuple[tuple[str, str], ...] = ()
    agents: tuple[tuple[str, tuple[str, ...]], ...] = field(default=tuple(defaults.AGENTS.items()))
    retry_backoff_s: float = defaults.RETRY_BACKOFF_S
    retry_backoff_max_s: float = defaults.RETRY_BACKOFF_MAX_S
    inline_backoff_max_s: float = defaults.INLINE_BACKOFF_MAX_S
    heartbeat_timeout_s: float = defaults.HEARTBEAT_TIMEOUT_S
    boot_timeout_s: float = defaults.BOOT_TIMEOUT_S
    queued_timeout_s: float = defaults.QUEUED_TIMEOUT_S
    drain_s: float = defaults.DRAIN_S
    job_write_interval_s: float = defaults.JOB_WRITE_INTERVAL_S
    reap_limit_margin_s: float = defaults.REAP_LIMIT_MARGIN_S
    # --- the local launcher's sandboxes ---
    sandbox_root: str | None = None  # each local attempt's directory goes here (None: a temporary directory)
    sandbox_max_age_s: float = defaults.SANDBOX_MAX_AGE_S
    # --- artifacts ---
    bucket: str = ""  # "" when no bucket is configured: the artifact entrypoints then answer "misconfigured"
    storage_emulator_host: str | None = None  # URL (or HOST:PORT) of gcp-storage-emulator, else Cloud Storage
    signer_email: str | None = (
        None  # the service account that signs URLs through IAM (default: the function's)
    )
    upload_ttl_s: int = defaults.UPLOAD_URL_TTL_S
    download_ttl_s: int = defaults.DOWNLOAD_URL_TTL_S
    max_artifact_bytes: int = defaults.MAX_ARTIFACT_BYTES
    inline_max_bytes: int = defaults.INLINE_MAX_BYTES
    content_types: tuple[str, ...] = defaults.CONTENT_TYPES
    reviewers: tuple[str, ...] = ()  # uids that may review and download every job's artifacts
    # --- live events (`events`) ---
    sse_heartbeat_s: float = defaults.SSE_HEARTBEAT_S
    sse_max_streams_per_user: int = defaults.SSE_MAX_STREAMS_PER_USER  # per functions instance
    sse_max_duration_s: float = defaults.SSE_MAX_DURATION_S
    # --- batches ---
    batch_max_concurrency: int = defaults.BATCH_MAX_CONCURRENCY
    # --- workspaces (issue 14): their defaults are in workspaces/model.py ---
    workspace_max_members: int = defaults.WORKSPACE_MAX_MEMBERS
    workspace_max_running_jobs: int = defaults.WORKSPACE_MAX_RUNNING_JOBS
    workspace_max_running_batches: int = defaults.WORKSPACE_MAX_RUNNING_BATCHES
    workspace_max_streams: int = defaults.WORKSPACE_MAX_STREAMS  # per functions instance, as the per-user cap
    workspace_quota_retry_after_s: int = defaults.WORKSPACE_QUOTA_RETRY_AFTER_S

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build the settings from ``env`` (default ``os.environ``); a bad value raises naming its variable."""
        env = os.environ if env is None else env
        storage_emulator = env.get("STORAGE_EMULATOR_HOST") or None
        settings = cls(
            project=env.get("GOOGLE_CLOUD_PROJECT") or env.get("GCLOUD_PROJECT") or schema.LOCAL_PROJECT,
            firestore_emulator_host=env.get("FIRESTORE_EMULATOR_HOST") or None,
            launcher=_choice(env, "TAILRUN_LAUNCHER", defaults.LAUNCHER, ("local", "cloudrun")),  # type: ignore[arg-type]
            callback_url=env.get("TAILRUN_CALLBACK_URL", ""),
            auth=_choice(env, "TAILRUN_AUTH", defaults.AUTH_MODE, ("dev", "firebase")),  # type: ignore[arg-type]
            dev_token=env.get("TAILRUN_DEV_TOKEN") or None,
            auth_emulator_host=env.get("FIREBASE_AUTH_EMULATOR_HOST") or None,
            region=env.get("TAILRUN_REGION", defaults.REGION),
            runner_job=env.get("TAILRUN_RUNNER_JOB", defaults.RUNNER_JOB),
            runner_container=env.get("TAILRUN_RUNNER_CONTAINER", defaults.RUNNER_CONTAINER),
            reaper_audience=env.get("TAILRUN_REAPER_AUDIENCE") or None,
            scheduler_service_account=env.get("TAILRUN_SCHEDULER_SERVICE_ACCOUNT") or None,
            runner_service_account=env.get("TAILRUN_RUNNER_SERVICE_ACCOUNT") or None,
            runner_command=_json_argv(env, "TAILRUN_RUNNER_COMMAND", defaults.RUNNER_COMMAND),
            runner_env=tuple(sorted(_json_object(env, "TAILRUN_RUNNER_ENV").items())),
            agents=tuple(sorted(_agents(env).items())),
            retry_backoff_s=_seconds(env, "TAILRUN_RETRY_BACKOFF_S", defaults.RETRY_BACKOFF_S),
            retry_backoff_max_s=_seconds(env, "TAILRUN_RETRY_BACKOFF_MAX_S", defaults.RETRY_BACKOFF_MAX_S),
            inline_backoff_max_s=_seconds(env, "TAILRUN_INLINE_BACKOFF_MAX_S", defaults.INLINE_BACKOFF_MAX_S),
            heartbeat_timeout_s=_seconds(env, "TAILRUN_HEARTBEAT_TIMEOUT_S", defaults.HEARTBEAT_TIMEOUT_S),
            boot_timeout_s=_seconds(env, "TAILRUN_BOOT_TIMEOUT_S", defaults.BOOT_TIMEOUT_S),
            queued_timeout_s=_seconds(env, "TAILRUN_QUEUED_TIMEOUT_S", defaults.QUEUED_TIMEOUT_S),
            drain_s=_seconds(env, "TAILRUN_CANCEL_DRAIN_S", defaults.DRAIN_S),
            job_write_interval_s=_seconds(env, "TAILRUN_JOB_WRITE_INTERVAL_S", defaults.JOB_WRITE_INTERVAL_S),
            reap_limit_margin_s=_seconds(env, "TAILRUN_REAP_LIMIT_MARGIN_S", defaults.REAP_LIMIT_MARGIN_S),
            sandbox_root=_absolute(env, "TAILRUN_SANDBOX_ROOT"),
            sandbox_max_age_s=_seconds(env, "TAILRUN_SANDBOX_MAX_AGE_S", defaults.SANDBOX_MAX_AGE_S),
            bucket=env.get("TAILRUN_BUCKET") or (schema.LOCAL_BUCKET if storage_emulator else ""),
            storage_emulator_host=storage_emulator,
            signer_email=env.get("TAILRUN_SIGNER_EMAIL") or None,
            upload_ttl_s=_int(
                env, "TAILRUN_UPLOAD_URL_TTL_S", defaults.UPLOAD_URL_TTL_S, 1, defaults.MAX_URL_TTL_S
            ),
            download_ttl_s=_int(
                env, "TAILRUN_DOWNLOAD_URL_TTL_S", defaults.DOWNLOAD_URL_TTL_S, 1, defaults.MAX_URL_TTL_S
            ),
            max_artifact_bytes=_int(
                env,
                "TAILRUN_ARTIFACT_MAX_BYTES",
                defaults.MAX_ARTIFACT_BYTES,
                1,
                defaults.MAX_MAX_ARTIFACT_BYTES,
            ),
            inline_max_bytes=_int(
                env,
                "TAILRUN_ARTIFACT_INLINE_MAX_BYTES",
                defaults.INLINE_MAX_BYTES,
                0,
                defaults.INLINE_CEILING_BYTES,
            ),
            content_types=_list(env, "TAILRUN_ARTIFACT_TYPES") or defaults.CONTENT_TYPES,
            reviewers=_list(env, "TAILRUN_REVIEWERS"),
            sse_heartbeat_s=_seconds(env, "TAILRUN_SSE_HEARTBEAT_S", defaults.SSE_HEARTBEAT_S),
            sse_max_streams_per_user=_int(
                env, "TAILRUN_SSE_MAX_STREAMS_PER_USER", defaults.SSE_MAX_STREAMS_PER_USER, 1, 10_000
            ),
            sse_max_duration_s=_seconds(env, "TAILRUN_SSE_MAX_DURATION_S", defaults.SSE_MAX_DURATION_S),
            batch_max_concurrency=_int(
                env,
                "TAILRUN_BATCH_MAX_CONCURRENCY",
                defaults.BATCH_MAX_CONCURRENCY,
                1,
                defaults.BATCH_MAX_CONCURRENCY_CEILING,
            ),
            workspace_max_members=_int(
                env, "TAILRUN_WORKSPACE_MAX_MEMBERS", defaults.WORKSPACE_MAX_MEMBERS, 1, 1000
            ),
            workspace_max_running_jobs=_int(
                env, "TAILRUN_WORKSPACE_MAX_RUNNING_JOBS", defaults.WORKSPACE_MAX_RUNNING_JOBS, 1, 100_000
            ),
            workspace_max_running_batches=_int(
                env,
                "TAILRUN_WORKSPACE_MAX_RUNNING_BATCHES",
                defaults.WORKSPACE_MAX_RUNNING_BATCHES,
                1,
                10_000,
            ),
            workspace_max_streams=_int(
                env, "TAILRUN_WORKSPACE_MAX_STREAMS", defaults.WORKSPACE_MAX_STREAMS, 1, 100_000
            ),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse combinations that cannot work, naming the variable to set."""
        if self.sse_heartbeat_s <= 0 or self.sse_max_duration_s <= 0:
            raise SettingsError("TAILRUN_SSE_HEARTBEAT_S and TAILRUN_SSE_MAX_DURATION_S must be more than 0")
        if self.auth == "dev" and not self.dev_token:
            raise SettingsError("TAILRUN_DEV_TOKEN must be set when TAILRUN_AUTH=dev")
        if not self.callback_url:
            raise SettingsError("TAILRUN_CALLBACK_URL must be set (the URL runners post their callbacks to)")
        if self.launcher == "cloudrun" and not self.runner_job:
            raise SettingsError(
                "TAILRUN_RUNNER_JOB must name the Cloud Run job when TAILRUN_LAUNCHER=cloudrun"
            )
        if self.launcher == "cloudrun" and not self.runner_service_account:
            raise SettingsError(
                "TAILRUN_RUNNER_SERVICE_ACCOUNT must name the runner's service account when "
                "TAILRUN_LAUNCHER=cloudrun (its ID token is how a runner claims its job)"
            )

    @property
    def storage_endpoint(self) -> str:
        """The base URL of the storage API and of signed URLs: the emulator locally, Cloud Storage otherwise."""
        if self.storage_emulator_host is None:
            return GCS_ENDPOINT
        host = self.storage_emulator_host.rstrip("/")
        return host if "://" in host else f"http://{host}"

    def require_bucket(self) -> str:
        """The artifacts bucket; the artifact entrypoints need one, the others do not."""
        if not self.bucket:
            raise SettingsError("TAILRUN_BUCKET must name the artifacts bucket")
        return self.bucket

    def agent_argv(self, agent: str) -> tuple[str, ...] | None:
        """The argv prefix of an agent command (the prompt is appended), or None for an unknown agent."""
        return dict(self.agents).get(agent)


def _choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = env.get(name) or default
    if value not in allowed:
        raise SettingsError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in (env.get(name) or "").split(",") if item.strip())


def _absolute(env: Mapping[str, str], name: str) -> str | None:
    """An absolute path, or None when the variable is unset or empty."""
    raw = env.get(name) or None
    if raw is not None and not os.path.isabs(raw):
        raise SettingsError(f"{name} must be an absolute path, got {raw!r}")
    return raw


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, got {raw!r}") from None
    if value < 0:
        raise SettingsError(f"{name} must not be negative, got {raw!r}")
    return value


def _json(env: Mapping[str, str], name: str) -> object:
    try:
        return json.loads(env[name])
    except ValueError as exc:
        raise SettingsError(f"{name} must be JSON: {exc}") from None


def _json_argv(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    if not env.get(name):
        return default
    value = _json(env, name)
    if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
        raise SettingsError(f"{name} must be a non-empty JSON list of strings, got {env[name]!r}")
    return tuple(value)


def _json_object(env: Mapping[str, str], name: str) -> dict[str, str]:
    if not env.get(name):
        return {}
    value = _json(env, name)
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise SettingsError(f"{name} must be a JSON object of strings, got {env[name]!r}")
    return value


def _agents(env: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    if not env.get("TAILRUN_AGENTS"):
        return dict(defaults.AGENTS)
    value = _json(env, "TAILRUN_AGENTS")
    if not isinstance(value, dict) or not all(
        isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv) for argv in value.values()
    ):
        raise SettingsError("TAILRUN_AGENTS must be a JSON object of agent name → argv prefix list")
    return {name: tuple(argv) for name, argv in value.items()}
