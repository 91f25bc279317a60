"""Settings from the environment: required variables, tuning values, and what the job's environment keeps."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from runner_harness import RUNNER
from tailrun_runner import defaults
from tailrun_runner.artifacts import ArtifactSettings
from tailrun_runner.settings import (
    ARTIFACT_VARIABLES,
    RUNNER_VARIABLES,
    ConfigError,
    Settings,
    child_environment,
)

REQUIRED = {
    "TAILRUN_JOB_ID": "job-1",
    "TAILRUN_ATTEMPT": "2",
    "TAILRUN_CALLBACK_URL": "https://example.test/job_callback",
    "TAILRUN_TOKEN": "secret",
    "TAILRUN_ARGV": '["echo", "hi"]',
}


def test_the_required_variables_make_settings_with_documented_defaults():
    settings = Settings.from_env(REQUIRED)
    assert (settings.job_id, settings.attempt, settings.argv, settings.env) == (
        "job-1",
        2,
        ["echo", "hi"],
        {},
    )
    assert settings.batch_max_age_s == defaults.BATCH_MAX_AGE_MS / 1000
    assert settings.max_buffer_bytes == defaults.MAX_BUFFER_BYTES


def test_tuning_variables_override_the_defaults():
    settings = Settings.from_env(
        {
            **REQUIRED,
            "TAILRUN_BATCH_MAX_AGE_MS": "40",
            "TAILRUN_HEARTBEAT_S": "0.5",
            "TAILRUN_MAX_LINE_BYTES": "99",
        }
    )
    assert (settings.batch_max_age_s, settings.heartbeat_s, settings.max_line_bytes) == (0.04, 0.5, 99)


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_a_missing_required_variable_is_named(name):
    environ = {key: value for key, value in REQUIRED.items() if key != name}
    with pytest.raises(ConfigError, match=name):
        Settings.from_env(environ)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TAILRUN_ATTEMPT", "one"),
        ("TAILRUN_CALLBACK_URL", "ftp://example.test/"),
        ("TAILRUN_ARGV", "echo hi"),
        ("TAILRUN_ARGV", "[]"),
        ("TAILRUN_ARGV", '["echo", 1]'),
        ("TAILRUN_ENV", '["A=1"]'),
        ("TAILRUN_BATCH_MAX_LINES", "0"),
        ("TAILRUN_RETRY_MAX_S", "-1"),
        ("TAILRUN_HEARTBEAT_S", "often"),
    ],
)
def test_a_malformed_variable_is_named(name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({**REQUIRED, name: value})


def test_the_job_does_not_see_the_runners_own_variables():
    environ = {**REQUIRED, "PATH": "/bin", "TAILRUN_URL": "http://stack", "TAILRUN_HEARTBEAT_S": "1"}
    env = child_environment(environ, {"PATH": "/opt/bin", "EXTRA": "1"})
    assert env == {
        "TAILRUN_JOB_ID": "job-1",
        "TAILRUN_ATTEMPT": "2",
        "TAILRUN_URL": "http://stack",
        "PATH": "/opt/bin",
        "EXTRA": "1",
        "PYTHONUNBUFFERED": "1",  # the runner's line-buffering default (defaults.LINE_BUFFERING_ENV)
    }


def test_the_runner_process_exits_2_naming_a_missing_variable():
    environ = {key: value for key, value in REQUIRED.items() if key != "TAILRUN_TOKEN"}
    done = subprocess.run([str(RUNNER)], env=environ, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    record = json.loads(done.stderr.strip().splitlines()[-1])
    assert record["severity"] == "ERROR" and "TAILRUN_TOKEN is required" in record["message"]


def documented_tuning_variables() -> list[str]:
    """The variables ``defaults.py`` documents (``# TAILRUN_X: ...`` above each default)."""
    source = Path(defaults.__file__).read_text()
    return re.findall(r"^# (TAILRUN_[A-Z_]+):", source, flags=re.MULTILINE)


def test_every_documented_tuning_variable_is_read_and_hidden_from_the_job():
    names = [name for name in documented_tuning_variables() if name not in ARTIFACT_VARIABLES]
    job_variables = {"TAILRUN_CALLBACK_URL", "TAILRUN_TOKEN", "TAILRUN_ARGV", "TAILRUN_ENV", "TAILRUN_CWD"}
    job_variables |= {"TAILRUN_JOB_USER", "TAILRUN_CLAIM", "TAILRUN_SECRETS_FD"}  # start-up, not tuning
    job_variables |= {"TAILRUN_AGENT_STREAM"}  # what the job is, not tuning
    assert set(names) == RUNNER_VARIABLES - job_variables - ARTIFACT_VARIABLES
    base = Settings.from_env(REQUIRED)
    for name in names:
        value = "1" if name == "TAILRUN_TTY" else "7"  # a flag, not a number
        assert Settings.from_env({**REQUIRED, name: value}) != base, f"{name} is not read"


def test_every_artifact_variable_is_read_and_hidden_from_the_job() -> None:
    values = {
        "TAILRUN_ARTIFACTS": '["out/*.csv"]',
        "TAILRUN_UPLOAD_URL": "http://elsewhere/up",
        "TAILRUN_FINALIZE_URL": "http://elsewhere/fin",
        "TAILRUN_ARTIFACT_MAX_FILES": "7",
        "TAILRUN_ARTIFACT_RETRY_MAX_S": "7",
    }
    assert set(values) == ARTIFACT_VARIABLES
    documented = set(documented_tuning_variables()) & ARTIFACT_VARIABLES
    assert documented == {"TAILRUN_ARTIFACT_MAX_FILES", "TAILRUN_ARTIFACT_RETRY_MAX_S"}  # the tunable ones
    base = ArtifactSettings.from_env(REQUIRED)
    for name, value in values.items():
        assert ArtifactSettings.from_env({**REQUIRED, name: value}) != base, f"{name} is not read"
    assert not ARTIFACT_VARIABLES & child_environment({**REQUIRED, **values}, {}).keys()


def test_a_malformed_artifact_number_stops_the_runner_naming_it() -> None:
    with pytest.raises(ConfigError, match="TAILRUN_ARTIFACT_MAX_FILES"):
        ArtifactSettings.from_env({**REQUIRED, "TAILRUN_ARTIFACT_MAX_FILES": "many"})
