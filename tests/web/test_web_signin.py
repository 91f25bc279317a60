"""The web app's sign-in and workspace switcher in a real browser, against a real `tailrun dev --auth-emulator`
(firebase-tools' Auth emulator): headless Chromium opens /web/ with no development token, gets the email and
password form, signs in with an account made on the emulator's REST API (``accounts:signUp``, as a sign-up page
would), and sees the jobs of the user's personal workspace; a second workspace created while the page is open
makes the switcher appear, and choosing it lists that workspace's jobs only. Another user's job never shows.

The scenario is in web_signin.mjs (launched as web_pages.mjs launches the browser); when it fails it saves a
screenshot (`signin.png` in TAILRUN_WEB_SHOTS, else the test's temporary folder) and prints its path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cli.stack import start_dev

from tailrun.local import auth_emulator
from tailrun.local.dev import DevProcess
from web.test_web_app import PY, chromium

DRIVER = Path(__file__).resolve().with_name("web_signin.mjs")
PASSWORD = "correct horse battery"

pytestmark = [
    pytest.mark.skipif(
        auth_emulator.unavailable_reason() is not None,
        reason=f"the Firebase Auth emulator cannot run here: {auth_emulator.unavailable_reason()}",
    ),
    # the Auth emulator's start (Node, ~20 s of CPU) counts in the test's time; a loaded machine triples it
    pytest.mark.timeout(600),
]


@pytest.fixture(scope="module")
def auth_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevProcess]:
    stack = start_dev(tmp_path_factory.mktemp("websign") / "state", "--auth-emulator")
    try:
        yield stack
    finally:
        if stack.process.poll() is None:
            stack.stop()


def sign_up(stack: DevProcess, email: str) -> dict[str, Any]:
    """A new account on the stack's Auth emulator (its REST API): ``{localId, idToken, …}``."""
    info = json.loads((stack.state_dir / "dev.json").read_text())
    answer = requests.post(
        f"http://{info['auth_emulator']}/identitytoolkit.googleapis.com/v1/accounts:signUp",
        params={"key": info["api_key"]},
        json={"email": email, "password": PASSWORD, "returnSecureToken": True},
        timeout=30,
    )
    assert answer.ok, answer.text
    return dict(answer.json())


def create_job(stack: DevProcess, id_token: str, marker: str) -> str:
    """A job made over HTTP with the user's ID token, in their personal workspace; its id."""
    answer = requests.post(
        f"{stack.url}/create_job",
        json={"argv": [PY, "-c", f"print({marker!r})"]},
        headers={"Authorization": f"Bearer {id_token}"},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["job_id"])


def test_sign_in_and_the_workspace_switcher_in_the_page(auth_stack: DevProcess, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:8]
    ann = sign_up(auth_stack, f"ann-{tag}@example.com")
    bob = sign_up(auth_stack, f"bob-{tag}@example.com")
    markers = {"mine": f"ann-personal-{tag}", "team": f"ann-team-{tag}", "other": f"bob-personal-{tag}"}
    create_job(auth_stack, ann["idToken"], markers["mine"])
    create_job(auth_stack, bob["idToken"], markers["other"])
    shots = Path(os.environ.get("TAILRUN_WEB_SHOTS") or tmp_path)
    args = {
        "base": auth_stack.url,
        "email": ann["email"],
        "password": PASSWORD,
        "id_token": ann["idToken"],
        "python": PY,
        **markers,
    }
    answer = subprocess.run(
        [shutil.which("node") or "node", str(DRIVER), json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "TAILRUN_CHROMIUM": chromium(), "TAILRUN_WEB_SHOTS": str(shots)},
    )
    assert answer.returncode == 0, (
        f"{answer.stdout}\nscreenshot: {shots / 'signin.png'}\n{answer.stderr[-3000:]}"
    )
    assert "OK choosing it shows its job and not the others" in answer.stdout
    assert "OK back to the personal workspace" in answer.stdout
