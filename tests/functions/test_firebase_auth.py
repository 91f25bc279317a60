"""The functions' user authentication with ID tokens that a real Firebase Auth emulator issued (firebase-tools).

The emulator runs alone here (``tailrun.local.auth_emulator``, as `tailrun dev --auth-emulator` starts it); the
functions' check, ``auth.authenticate_user``, is called with its tokens under settings that do or do not name it,
and the functions' clock is moved with freezegun to cross the token's real ``exp``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from freezegun import freeze_time
from tailrun_functions import auth
from tailrun_functions.errors import Unauthorized
from tailrun_functions.settings import Settings

from tailrun.local import auth_emulator
from tailrun.local.access import DevAccess
from tailrun.local.dev import free_port, wait_for_port

PROJECT = "tailrun-local"
BASE = {"TAILRUN_DEV_TOKEN": "the-dev-token", "TAILRUN_CALLBACK_URL": "http://x/job_callback"}

pytestmark = [
    pytest.mark.skipif(
        auth_emulator.unavailable_reason() is not None,
        reason=f"the Firebase Auth emulator cannot run here: {auth_emulator.unavailable_reason()}",
    ),
    pytest.mark.timeout(600),  # the emulator's start counts in the first test's time (Node: ~20 s of CPU)
]


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[auth_emulator.AuthEmulator]:
    running = auth_emulator.AuthEmulator(
        "127.0.0.1", free_port("127.0.0.1"), PROJECT, Path(tmp_path_factory.mktemp("auth"))
    )
    running.start(free_port, wait_for_port)
    try:
        yield running
    finally:
        running.stop()


def signed_up(emulator: auth_emulator.AuthEmulator, email: str) -> dict[str, Any]:
    answer = requests.post(
        f"http://{emulator.address}/identitytoolkit.googleapis.com/v1/accounts:signUp",
        params={"key": auth_emulator.API_KEY},
        json={"email": email, "password": "secret-password", "returnSecureToken": True},
        timeout=30,
    )
    assert answer.ok, answer.text
    return dict(answer.json())


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def settings(mode: str, emulator: auth_emulator.AuthEmulator | None) -> Settings:
    env = {**BASE, "TAILRUN_AUTH": mode, "GOOGLE_CLOUD_PROJECT": PROJECT}
    if emulator is not None:
        env["FIREBASE_AUTH_EMULATOR_HOST"] = emulator.address
    return Settings.from_env(env)


def never(_token: str, _audience: str) -> dict[str, Any]:
    raise AssertionError("an Auth emulator token must not reach Google's verifier")


@pytest.mark.parametrize("mode", ["dev", "firebase"])
def test_an_emulator_id_token_names_its_user_only_when_the_functions_know_the_emulator(
    emulator: auth_emulator.AuthEmulator, mode: str
) -> None:
    account = signed_up(emulator, f"ann-{mode}@example.com")
    headers = {"authorization": f"Bearer {account['idToken']}"}
    assert auth.authenticate_user(headers, settings(mode, emulator), never) == account["localId"]
    with pytest.raises(Unauthorized, match="FIREBASE_AUTH_EMULATOR_HOST"):
        auth.authenticate_user(headers, settings(mode, None), never)
    if mode == "dev":  # the development token keeps working beside the emulator's users
        dev = {"authorization": "Bearer the-dev-token"}
        assert auth.authenticate_user(dev, settings(mode, emulator), never) == "dev"


def test_an_emulator_id_token_expires_by_the_functions_clock(emulator: auth_emulator.AuthEmulator) -> None:
    account = signed_up(emulator, "bob@example.com")
    token = account["idToken"]
    exp = dt.datetime.fromtimestamp(claims(token)["exp"], dt.UTC)
    headers = {"authorization": f"Bearer {token}"}
    with freeze_time(exp - dt.timedelta(seconds=1)):
        assert auth.authenticate_user(headers, settings("firebase", emulator), never) == account["localId"]
    with freeze_time(exp), pytest.raises(Unauthorized) as refused:
        auth.authenticate_user(headers, settings("firebase", emulator), never)
    assert refused.value.code == "token_expired"


def test_a_refreshed_token_names_the_same_user(emulator: auth_emulator.AuthEmulator) -> None:
    account = signed_up(emulator, "cy@example.com")
    answer = requests.post(
        f"http://{emulator.address}/securetoken.googleapis.com/v1/token",
        params={"key": auth_emulator.API_KEY},
        data={"grant_type": "refresh_token", "refresh_token": account["refreshToken"]},
        timeout=30,
    )
    assert answer.ok, answer.text
    fresh = answer.json()["id_token"]
    headers = {"authorization": f"Bearer {fresh}"}
    assert auth.authenticate_user(headers, settings("firebase", emulator), never) == account["localId"]


def test_another_projects_emulator_token_is_refused(emulator: auth_emulator.AuthEmulator) -> None:
    account = signed_up(emulator, "dee@example.com")
    other = Settings.from_env(
        {**BASE, "GOOGLE_CLOUD_PROJECT": "another", "FIREBASE_AUTH_EMULATOR_HOST": emulator.address}
    )
    with pytest.raises(Unauthorized, match="not for the project"):
        auth.authenticate_user({"authorization": f"Bearer {account['idToken']}"}, other, never)


def test_the_listen_front_admits_an_emulator_token_as_its_user(emulator: auth_emulator.AuthEmulator) -> None:
    account = signed_up(emulator, "eve@example.com")
    with_emulator = DevAccess("the-dev-token", auth_emulator_project=PROJECT)
    assert with_emulator.admit([account["idToken"]]) == account["localId"]
    assert with_emulator.admit(["junk", account["idToken"]]) == account["localId"]
    assert with_emulator.admit(["the-dev-token"]) == "dev"
    assert DevAccess("the-dev-token").admit([account["idToken"]]) is None  # a stack without the emulator
    assert DevAccess("the-dev-token", auth_emulator_project="another").admit([account["idToken"]]) is None
