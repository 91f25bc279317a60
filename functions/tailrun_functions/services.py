"""The clients one request works with, built from Settings once per distinct settings and passed down."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from google.cloud import firestore

from tailrun_functions import auth
from tailrun_functions.launcher import Launcher, make_launcher
from tailrun_functions.settings import Settings


@dataclass
class Services:
    """Settings plus the Firestore client, the launcher, the token verifiers and the sleep the backoff uses."""

    settings: Settings
    db: firestore.Client
    launcher: Launcher
    user_verifier: auth.Verifier = auth.google_firebase_verifier
    scheduler_verifier: auth.Verifier = auth.google_oidc_verifier
    runner_verifier: auth.Verifier = auth.google_oidc_verifier
    sleep: Callable[[float], None] = field(default=time.sleep)

    @classmethod
    def build(cls, settings: Settings) -> Services:
        """The services of ``settings``; a local launcher reports runners that die to ``runner_exited``."""
        holder: list[Services] = []

        def runner_exited(job_id: str, attempt: int, returncode: int) -> None:
            from tailrun_functions import attempts  # attempts imports this module

            attempts.runner_exited(holder[0], job_id, attempt, returncode)

        services = cls(
            settings=settings,
            db=firestore.Client(project=settings.project),
            launcher=make_launcher(settings, on_runner_exit=runner_exited),
        )
        holder.append(services)
        return services


_cache: dict[Settings, Services] = {}
_cache_lock = threading.Lock()


def for_settings(settings: Settings) -> Services:
    """The services of these settings, created lazily on first use (never at import time)."""
    with _cache_lock:
        services = _cache.get(settings)
        if services is None:
            services = _cache[settings] = Services.build(settings)
        return services
