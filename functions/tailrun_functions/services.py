"""The clients the entrypoints work with, built from ``Settings`` once and passed down to the domain.

Two ways in, one object out (``Services``):

- ``configure(settings)``: a process that plays the functions' host (the local stack, the tests) hands over its
  settings; from then on every entrypoint of ``functions/main.py`` in this process serves with them.
- Otherwise (deployed functions) the settings come from the environment, parsed once per distinct environment
  and cached with their services (``current``).

``shutdown()`` closes every ``Services`` of the process (``Services.close``: the local launcher's runners, then
the clients): the one place local runners are stopped.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from google.cloud import firestore

from tailrun_functions import auth, clients, storage
from tailrun_functions.launcher import Launcher, make_launcher
from tailrun_functions.settings import Settings

# The variables ``Settings.from_env`` reads besides those starting with ``TAILRUN_``.
_ENV_NAMES = frozenset(
    {"GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "FIRESTORE_EMULATOR_HOST", "STORAGE_EMULATOR_HOST"}
)


@dataclass
class Services:
    """Settings plus the Firestore client, the launcher, the token verifiers, the sleep the backoff uses, and the
    artifacts bucket (built on first use: only the artifact entrypoints need one)."""

    settings: Settings
    db: firestore.Client
    launcher: Launcher
    user_verifier: auth.Verifier = auth.google_firebase_verifier
    scheduler_verifier: auth.Verifier = auth.google_oidc_verifier
    runner_verifier: auth.Verifier = auth.google_oidc_verifier
    sleep: Callable[[float], None] = field(default=time.sleep)
    _bucket: storage.Bucket | None = field(default=None, init=False, repr=False)
    _bucket_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def build(cls, settings: Settings) -> Services:
        """The services of ``settings``; a local launcher reports runners that die to ``runner_exited``."""
        holder: list[Services] = []

        def runner_exited(job_id: str, attempt: int, returncode: int) -> None:
            from tailrun_functions import attempts  # attempts imports this module

            attempts.runner_exited(holder[0], job_id, attempt, returncode)

        services = cls(
            settings=settings,
            db=clients.firestore_client(settings.project, settings.firestore_emulator_host),
            launcher=make_launcher(settings, on_runner_exit=runner_exited),
        )
        holder.append(services)
        return services

    @property
    def bucket(self) -> storage.Bucket:
        """The artifacts bucket; ``SettingsError`` (an answer of 500 ``misconfigured``) when none is configured."""
        with self._bucket_lock:
            if self._bucket is None:
                self._bucket = storage.make_bucket(self.settings)
            return self._bucket

    def close(self, grace_s: float = 0.0) -> None:
        """Stop what these services own: every runner their launcher started (and its job; with ``grace_s``, SIGTERM
        first so that each delivers what its job printed), then the client."""
        self.launcher.stop_all(grace_s)
        self.db.close()  # type: ignore[no-untyped-call]


_lock = threading.Lock()
_configured: Services | None = None
_built: dict[Settings, Services] = {}  # every Services of the process, so that shutdown reaches them all


def _services_of(settings: Settings) -> Services:
    with _lock:
        services = _built.get(settings)
        if services is None:
            services = _built[settings] = Services.build(settings)
        return services


def configure(settings: Settings) -> Services:
    """Serve every entrypoint of this process with ``settings`` (and their services) instead of the environment."""
    global _configured
    services = _services_of(settings)
    with _lock:
        _configured = services
    return services


@functools.lru_cache(maxsize=8)
def _settings_of_environment(variables: tuple[tuple[str, str], ...]) -> Settings:
    return Settings.from_env(dict(variables))


def current() -> Services:
    """The services an entrypoint serves with: the configured ones, else those of the environment's settings
    (parsed once per distinct environment; a bad variable raises ``SettingsError`` naming it)."""
    with _lock:
        configured = _configured
    if configured is not None:
        return configured
    variables = tuple(
        sorted((k, v) for k, v in os.environ.items() if k.startswith("TAILRUN_") or k in _ENV_NAMES)
    )
    return _services_of(_settings_of_environment(variables))


def shutdown(grace_s: float = 0.0) -> None:
    """Close every Services of the process (``Services.close``: their local runners stopped, with ``grace_s``
    seconds to deliver their last messages) and forget them and the configuration.

    They are closed before they are forgotten: while the runners drain, the entrypoints still serve with them."""
    global _configured
    with _lock:
        every = list(_built.values())
    for services in every:
        services.close(grace_s)
    closed = {id(services) for services in every}
    with _lock:
        for settings in [settings for settings, services in _built.items() if id(services) in closed]:
            del _built[settings]
        if id(_configured) in closed:
            _configured = None
