"""Settings reach the entrypoints once: ``services.configure`` (the local stack, the tests) or, when nothing was
configured, the environment (deployed functions), parsed once per distinct environment; ``services.shutdown``
stops every local runner in one place."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tailrun_functions import services
from tailrun_functions.launcher import LaunchRequest, LocalLauncher, ProcStat
from tailrun_functions.settings import Settings

from .conftest import SCENARIOS
from .shared import wait_for

ENV = {
    "FIRESTORE_EMULATOR_HOST": "127.0.0.1:9",  # never contacted: these tests make no request
    "TAILRUN_AUTH": "dev",
    "TAILRUN_DEV_TOKEN": "d",
    "TAILRUN_CALLBACK_URL": "http://127.0.0.1:9/job_callback",
}


@pytest.fixture(autouse=True)
def nothing_configured(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts and ends with no services: none configured, none built from the environment."""
    services.shutdown()
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    yield
    services.shutdown()


def test_without_configure_the_environment_is_read_once_per_distinct_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = services.current()

    assert services.current() is first, "the same environment: the same settings and services"
    assert first.settings.dev_token == "d"
    monkeypatch.setenv("TAILRUN_DEV_TOKEN", "e")
    assert services.current().settings.dev_token == "e"


def test_configured_settings_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings.from_env({**ENV, "TAILRUN_DEV_TOKEN": "configured", "GOOGLE_CLOUD_PROJECT": "p"})

    configured = services.configure(settings)
    monkeypatch.setenv("TAILRUN_DEV_TOKEN", "from-the-environment")

    assert services.current() is configured
    assert (configured.settings.dev_token, configured.settings.project) == ("configured", "p")
    services.shutdown()
    assert services.current().settings.dev_token == "from-the-environment", (
        "shutdown forgets the configuration"
    )


def test_shutdown_stops_the_runners_of_every_services(tmp_path: Path) -> None:
    command = json.dumps([sys.executable, str(SCENARIOS / "pid_then_wait.py")])
    configured = services.configure(Settings.from_env({**ENV, "TAILRUN_RUNNER_COMMAND": command}))
    assert isinstance(configured.launcher, LocalLauncher)
    request = LaunchRequest(
        job_id="job-1", attempt=1, token="t", argv=("x",), env={}, timeout_s=60, callback_url="http://x"
    )
    launch = configured.launcher.launch(request)
    pid = launch["pid"]
    assert ProcStat.read(pid) is not None

    services.shutdown()

    assert configured.launcher._children == {}
    wait_for(lambda: ProcStat.read(pid) is None, what="the runner to be gone")
