"""Pure units: the state machine, settings from the environment, tokens, user authentication, chunk writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from google.cloud.firestore_v1 import _helpers
from tailrun_functions import auth, fastwrite, tokens
from tailrun_functions.errors import Conflict, Unauthorized
from tailrun_functions.settings import Settings, SettingsError
from tailrun_functions.states import TERMINAL, JobStatus, can_transition, check_transition

BASE = {"TAILRUN_DEV_TOKEN": "d", "TAILRUN_CALLBACK_URL": "http://x/job_callback"}


def test_the_forward_path_and_retries_are_allowed() -> None:
    path = [JobStatus.QUEUED, JobStatus.BOOTING, JobStatus.RUNNING, JobStatus.SUCCEEDED]
    for current, new in zip(path, path[1:], strict=False):
        check_transition(current, new)
    assert can_transition(JobStatus.RUNNING, JobStatus.QUEUED)
    assert not can_transition(JobStatus.QUEUED, JobStatus.RUNNING)
    assert not can_transition(JobStatus.BOOTING, JobStatus.SUCCEEDED)


@pytest.mark.parametrize("terminal", sorted(TERMINAL))
def test_terminal_states_are_final(terminal: JobStatus) -> None:
    for new in JobStatus:
        with pytest.raises(Conflict):
            check_transition(terminal, new)


def test_settings_defaults_and_errors_name_the_variable() -> None:
    settings = Settings.from_env(BASE)
    assert settings.project == "tailrun-local" and settings.launcher == "local" and settings.auth == "dev"
    with pytest.raises(SettingsError, match="TAILRUN_DEV_TOKEN"):
        Settings.from_env({"TAILRUN_CALLBACK_URL": "http://x"})
    with pytest.raises(SettingsError, match="TAILRUN_CALLBACK_URL"):
        Settings.from_env({"TAILRUN_DEV_TOKEN": "d"})
    with pytest.raises(SettingsError, match="TAILRUN_LAUNCHER"):
        Settings.from_env({**BASE, "TAILRUN_LAUNCHER": "docker"})
    with pytest.raises(SettingsError, match="TAILRUN_BOOT_TIMEOUT_S"):
        Settings.from_env({**BASE, "TAILRUN_BOOT_TIMEOUT_S": "soon"})
    with pytest.raises(SettingsError, match="TAILRUN_RUNNER_COMMAND"):
        Settings.from_env({**BASE, "TAILRUN_RUNNER_COMMAND": "tailrun-runner"})


def test_the_cloud_launcher_needs_the_runners_service_account() -> None:
    with pytest.raises(SettingsError, match="TAILRUN_RUNNER_SERVICE_ACCOUNT"):
        Settings.from_env({**BASE, "TAILRUN_LAUNCHER": "cloudrun"})
    sa = "tailrun-runner@p.iam.gserviceaccount.com"
    cloud = Settings.from_env({**BASE, "TAILRUN_LAUNCHER": "cloudrun", "TAILRUN_RUNNER_SERVICE_ACCOUNT": sa})
    assert cloud.runner_service_account == sa


def test_tokens_are_long_random_and_only_their_hash_matches() -> None:
    token = tokens.new_token()
    assert len(token) >= 32 and token != tokens.new_token()
    stored = tokens.hash_token(token)
    assert token not in stored
    assert tokens.token_matches(token, stored)
    assert not tokens.token_matches(token + "x", stored)


def firebase() -> Settings:
    return Settings.from_env({**BASE, "TAILRUN_AUTH": "firebase", "GOOGLE_CLOUD_PROJECT": "proj"})


def test_a_firebase_id_token_names_the_user() -> None:
    calls: list[tuple[str, str]] = []

    def verify(token: str, audience: str) -> dict[str, Any]:
        calls.append((token, audience))
        return {"sub": "uid-1"}

    assert auth.authenticate_user({"authorization": "Bearer id-token"}, firebase(), verify) == "uid-1"
    assert calls == [("id-token", "proj")]


@pytest.mark.parametrize(
    ("headers", "claims"),
    [
        ({}, {"sub": "u"}),
        ({"authorization": "Basic abc"}, {"sub": "u"}),
        ({"authorization": "Bearer t"}, ValueError("Token expired")),
        ({"authorization": "Bearer t"}, {"iss": "x"}),
        ({"authorization": "Bearer d"}, ValueError("not a JWT")),  # the dev token means nothing in the cloud
    ],
)
def test_firebase_rejections(headers: dict[str, str], claims: Any) -> None:
    def verify(token: str, audience: str) -> dict[str, Any]:
        if isinstance(claims, Exception):
            raise claims
        return claims

    with pytest.raises(Unauthorized):
        auth.authenticate_user(headers, firebase(), verify)


def test_the_fast_chunk_write_is_the_clients_own_create() -> None:
    client = firestore.Client(project="p", credentials=AnonymousCredentials())
    ref = client.document("jobs/j/chunks/0001-00000002")
    data = {
        "attempt": 1,
        "seq": 2,
        "lines": [
            {"line": 0, "stream": "stdout", "ts": 1763726400123, "text": "héllo ✓ \x00 \U0001f600"},
            {"line": 1, "stream": "stderr", "ts": 1, "text": "", "cut": True, "partial": False},
        ],
        "ratio": 0.5,
        "none": None,
        "created_at": dt.datetime(2026, 11, 21, 14, 0, 0, 123456, tzinfo=dt.UTC),
    }

    (expected,) = _helpers.pbs_for_create(ref._document_path, data)
    assert fastwrite.create_write(ref, data) == expected
