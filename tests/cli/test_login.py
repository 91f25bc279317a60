"""`tailrun login|logout|whoami` against a real `tailrun dev --auth-emulator` (firebase-tools' Auth emulator).

People are created with the emulator's REST API (``accounts:signUp``), as a sign-up page would, then sign in with
the CLI. Each person is a CLI with a configuration directory of their own (``XDG_CONFIG_HOME``).

**A real expiry.** The emulator's ID tokens live an hour, and freezegun cannot move the clock of other processes.
So the stack's Auth emulator runs with its clock moved back (``auth_clock.cjs``, preloaded through ``NODE_OPTIONS``)
by an hour less ``TOKEN_LIFE_S``: every token it issues expires ``TOKEN_LIFE_S`` real seconds after it is issued,
for the functions (which refuse it then) as for the CLI (which refreshes it halfway through that life: its margin is
5 minutes or half the life it saw the token start with, whichever is shorter). A follow longer than two lives has
to cross expiries.
"""

from __future__ import annotations

import base64
import json
import os
import re
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tailrun.local import auth_emulator
from tailrun.local.dev import DevProcess

from .stack import TAILRUN, cli_env, start_dev

TOKEN_LIFE_S = 16  # real seconds an ID token of this module's Auth emulator lives
CLOCK = Path(__file__).with_name("auth_clock.cjs")
PROJECT = "tailrun-local"
PASSWORD = "correct horse battery"
JOB_ID = re.compile(r"\b[0-9a-f]{32}\b")

pytestmark = [
    pytest.mark.skipif(
        auth_emulator.unavailable_reason() is not None,
        reason=f"the Firebase Auth emulator cannot run here: {auth_emulator.unavailable_reason()}",
    ),
    # the Auth emulator's start (Node, ~20 s of CPU) counts in the first test's time; a loaded machine triples it
    pytest.mark.timeout(600),
]


@pytest.fixture(scope="module")
def auth_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevProcess]:
    env = {
        "NODE_OPTIONS": f"--require {CLOCK}",
        "AUTH_EMULATOR_CLOCK_SHIFT_S": str(-(3600 - TOKEN_LIFE_S)),
    }
    stack = start_dev(tmp_path_factory.mktemp("auth") / "state", "--auth-emulator", env=env)
    try:
        yield stack
    finally:
        if stack.process.poll() is None:
            stack.stop()


def published(stack: DevProcess) -> dict[str, Any]:
    return dict(json.loads((stack.state_dir / "dev.json").read_text()))


def sign_up(stack: DevProcess, email: str) -> str:
    """A new account on the stack's Auth emulator (its REST API); the uid."""
    info = published(stack)
    answer = requests.post(
        f"http://{info['auth_emulator']}/identitytoolkit.googleapis.com/v1/accounts:signUp",
        params={"key": info["api_key"]},
        json={"email": email, "password": PASSWORD, "returnSecureToken": True},
        timeout=30,
    )
    assert answer.ok, answer.text
    return str(answer.json()["localId"])


@dataclass
class Person:
    """One user's `tailrun`, with a configuration directory of their own."""

    url: str
    home: Path
    email: str = ""
    uid: str = ""

    @property
    def env(self) -> dict[str, str]:
        return {**cli_env(self.url), "XDG_CONFIG_HOME": str(self.home)}

    @property
    def credentials(self) -> Path:
        return self.home / "tailrun" / "credentials.json"

    def __call__(
        self, *args: str, stdin: str | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*TAILRUN, *args], input=stdin, capture_output=True, text=True, timeout=timeout, env=self.env
        )

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*TAILRUN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env
        )

    def login(self) -> subprocess.CompletedProcess[str]:
        return self("login", "--email", self.email, "--password-stdin", stdin=PASSWORD + "\n")

    def stored(self) -> dict[str, Any]:
        return dict(json.loads(self.credentials.read_text())["logins"][self.url])

    def store(self, **changes: Any) -> None:
        data = json.loads(self.credentials.read_text())
        data["logins"][self.url].update(changes)
        self.credentials.write_text(json.dumps(data))


def person(stack: DevProcess, tmp_path: Path, name: str) -> Person:
    email = f"{name}-{time.monotonic_ns()}@example.com"
    return Person(stack.url, tmp_path / name, email, sign_up(stack, email))


def unsigned(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def claims_of(id_token: str) -> dict[str, Any]:
    payload = id_token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def job_id_of(result: subprocess.CompletedProcess[str]) -> str:
    """The job id `tailrun run --detach` prints."""
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().split()[-1]


def test_three_people_sign_in_and_each_sees_only_their_own_jobs(
    auth_stack: DevProcess, tmp_path: Path
) -> None:
    people = [person(auth_stack, tmp_path, name) for name in ("ann", "bob", "cy")]
    jobs: dict[str, str] = {}
    for someone in people:
        signed_in = someone.login()
        assert signed_in.returncode == 0, signed_in.stderr
        assert f"as {someone.email} (uid {someone.uid})" in signed_in.stderr
        jobs[someone.uid] = job_id_of(someone("run", "--detach", "--", "echo", f"hello from {someone.email}"))
    for someone in people:
        listed = someone("jobs", "--all")
        assert listed.returncode == 0, listed.stderr
        assert set(JOB_ID.findall(listed.stdout)) == {jobs[someone.uid]}, (someone.email, listed.stdout)
    dev_jobs = subprocess.run(
        [*TAILRUN, "jobs", "--all"], capture_output=True, text=True, env=cli_env(auth_stack.url)
    )
    assert dev_jobs.returncode == 0, dev_jobs.stderr
    assert not set(JOB_ID.findall(dev_jobs.stdout)) & set(
        jobs.values()
    )  # the development user's jobs are apart


def test_whoami_shows_the_login_and_logout_removes_the_owner_only_file(
    auth_stack: DevProcess, tmp_path: Path
) -> None:
    ann = person(auth_stack, tmp_path, "ann")
    before = ann("whoami")
    assert before.returncode == 0 and "development token" in before.stdout and "dev" in before.stdout
    assert ann.login().returncode == 0
    assert stat.S_IMODE(ann.credentials.stat().st_mode) == 0o600
    assert stat.S_IMODE(ann.credentials.parent.stat().st_mode) == 0o700
    stored = ann.stored()
    assert (
        stored["uid"] == ann.uid and stored["refresh_token"] and PASSWORD not in ann.credentials.read_text()
    )
    who = ann("whoami")
    assert who.returncode == 0, who.stderr
    assert ann.uid in who.stdout and ann.email in who.stdout and "login" in who.stdout
    assert published(auth_stack)["auth_emulator"] in who.stdout
    out = ann("logout")
    assert out.returncode == 0 and "Logged out" in out.stderr
    assert not ann.credentials.exists()
    assert "development token" in ann("whoami").stdout
    assert "No login" in ann("logout").stderr


def test_a_wrong_password_is_refused_and_stores_nothing(auth_stack: DevProcess, tmp_path: Path) -> None:
    ann = person(auth_stack, tmp_path, "ann")
    refused = ann("login", "--email", ann.email, "--password-stdin", stdin="not it\n")
    assert refused.returncode == 1
    assert "Wrong email or password" in refused.stderr
    assert not ann.credentials.exists()


def test_an_id_token_refused_with_401_is_refreshed_once_and_the_call_goes_through(
    auth_stack: DevProcess, tmp_path: Path
) -> None:
    ann = person(auth_stack, tmp_path, "ann")
    assert ann.login().returncode == 0
    # a token the CLI believes good for an hour, which the functions refuse (another project's)
    bad = unsigned(
        {
            "aud": "another-project",
            "iss": "https://securetoken.google.com/another-project",
            "sub": ann.uid,
            "exp": int(time.time()) + 3600,
        }
    )
    ann.store(id_token=bad, received_at=time.time())
    result = ann("run", "--", "echo", "after a 401")
    assert result.returncode == 0, result.stderr
    assert "after a 401" in result.stdout
    assert ann.stored()["id_token"] != bad  # the refreshed token was kept


def test_a_refresh_that_firebase_refuses_says_to_log_in_again(auth_stack: DevProcess, tmp_path: Path) -> None:
    ann = person(auth_stack, tmp_path, "ann")
    assert ann.login().returncode == 0
    info = published(auth_stack)
    deleted = requests.post(  # the Admin API's delete, as an administrator would (the emulator takes "owner")
        f"http://{info['auth_emulator']}/identitytoolkit.googleapis.com/v1/projects/{PROJECT}/accounts:delete",
        json={"localId": ann.uid},
        headers={"Authorization": "Bearer owner"},
        timeout=30,
    )
    assert deleted.ok, deleted.text
    ann.store(id_token=unsigned({"sub": ann.uid, "exp": int(time.time()) - 1}))  # due: the CLI must refresh
    result = ann("jobs")
    assert result.returncode == 1
    assert "can no longer be refreshed" in result.stderr and "run `tailrun login` again" in result.stderr
    assert (
        ann("run", "--detach", "--", "echo", "never").returncode == 125
    )  # `run`'s code for tailrun's own failure


def test_logs_follow_goes_on_across_expired_id_tokens(auth_stack: DevProcess, tmp_path: Path) -> None:
    ann = person(auth_stack, tmp_path, "ann")
    assert ann.login().returncode == 0
    first_token = ann.stored()["id_token"]
    lines = 3 * TOKEN_LIFE_S  # one a second: the follow outlives about three ID tokens
    script = f"for i in $(seq 1 {lines}); do echo line $i; sleep 1; done"
    job_id = job_id_of(ann("run", "--detach", "--", "sh", "-c", script))
    follow = ann.popen("logs", "-f", job_id)
    seen_tokens = {first_token}
    deadline = time.monotonic() + lines + 90
    while follow.poll() is None and time.monotonic() < deadline:
        # the follow itself refreshes (its listeners reopen when their token is due), so the stored token changes
        with_token = ann.stored()["id_token"]
        seen_tokens.add(with_token)
        time.sleep(0.5)
    if follow.poll() is None:
        follow.kill()
    stdout, stderr = follow.communicate(timeout=30)
    assert follow.returncode == 0, stderr
    assert [line for line in stdout.splitlines() if line.startswith("line ")] == [
        f"line {n}" for n in range(1, lines + 1)
    ]
    assert len(seen_tokens) >= 3, "the follow did not refresh its ID token across the expiries"
    # the first token really expired meanwhile: the functions refuse it now, and take the current one
    assert claims_of(first_token)["exp"] < time.time()
    for token, status in ((first_token, 401), (ann.stored()["id_token"], 404)):
        answer = requests.post(
            f"{auth_stack.url}/cancel_job",
            json={"job_id": "0" * 32},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert answer.status_code == status, answer.text


def test_the_listen_front_admits_emulator_tokens_as_their_user_and_nothing_forged(
    auth_stack: DevProcess, tmp_path: Path
) -> None:
    ann = person(auth_stack, tmp_path, "ann")
    assert ann.login().returncode == 0
    database = f"projects/{PROJECT}/databases/(default)"
    url = f"{auth_stack.url}/google.firestore.v1.Firestore/Listen/channel"

    def handshake(token: str) -> int:
        answer = requests.post(
            url,
            params={"VER": "8", "RID": "1", "database": database},
            data={"count": "0", "ofs": "0"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        if answer.status_code == 200:
            sid = answer.headers["X-HTTP-Session-Id"]
            requests.get(url, params={"VER": "8", "SID": sid, "TYPE": "terminate", "RID": "2"}, timeout=30)
        return answer.status_code

    now = int(time.time())
    project = {"aud": PROJECT, "iss": f"https://securetoken.google.com/{PROJECT}", "exp": now + 3600}
    assert handshake(ann.stored()["id_token"]) == 200
    assert (
        handshake(unsigned({**project, "sub": "dev"})) == 403
    )  # forged: the dev user is the dev token's only
    assert handshake(unsigned({**project, "sub": ann.uid, "exp": now - 1})) == 403  # expired
    other = {"aud": "other", "iss": "https://securetoken.google.com/other", "exp": now + 3600}
    assert handshake(unsigned({**other, "sub": ann.uid})) == 403


def test_the_stack_publishes_its_auth_emulator_and_stops_it(tmp_path: Path) -> None:
    stack = start_dev(tmp_path / "state", "--auth-emulator")
    try:
        info = published(stack)
        host, _, port = str(info["auth_emulator"]).rpartition(":")
        assert info["api_key"] and host == "127.0.0.1"
        config = requests.get(f"{stack.url}/_tailrun/config", timeout=30).json()
        assert config["auth_emulator"] == info["auth_emulator"]
        assert requests.get(f"http://{info['auth_emulator']}/", timeout=30).ok
    finally:
        assert stack.stop() == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://{host}:{port}/", timeout=5)
    assert not os.path.exists(stack.state_dir / "dev.json")
