"""Fixtures for artifacts: gcp-storage-emulator as a child process, the functions on a real HTTP server, users.

``storage_emulator`` starts ``gcp-storage-emulator`` once per session on a free port (in memory, with the bucket)
and ``configure`` points the functions at it (``STORAGE_EMULATOR_HOST``, ``services.configure``); ``bucket`` wipes it before each test and gives a real
``google.cloud.storage`` bucket. ``functions_url`` serves the functions at ``POST /<name>`` on a real threaded
server; ``api`` calls them over HTTP as users (``Bearer user-<uid>``: a verifier injected in firebase mode maps
the token to the uid, so tests have several users) or as a runner (its attempt token). ``runner_job`` creates a
job through ``create_job`` with a launcher that only records the runner's variables, so the test holds a real
attempt token.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from functions.shared import create_apps, serve, wait_for
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage  # type: ignore[attr-defined]
from tailrun_functions import services
from tailrun_functions.settings import Settings

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
BUCKET = "tailrun-test-artifacts"
TARGETS = (
    "create_job",
    "job_callback",
    "cancel_job",
    "upload",
    "finalize_artifact",
    "review_artifact",
    "download_artifact",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        return requests.get(url + "/", timeout=0.5).ok
    except requests.RequestException:
        return False


@pytest.fixture(scope="session")
def storage_emulator() -> Iterator[str]:
    """The URL of gcp-storage-emulator (a child process for the session) holding the artifacts bucket; it runs
    through ``strict_storage.py``, which adds the generation preconditions Cloud Storage enforces."""
    port = free_port()
    command = [
        sys.executable,
        str(Path(__file__).with_name("strict_storage.py")),  # the emulator, with generation preconditions
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    command += ["--in-memory", "--default-bucket", BUCKET]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(url) or child.poll() is not None, what="gcp-storage-emulator")
        assert child.poll() is None, "gcp-storage-emulator exited at start"
        yield url
    finally:
        child.terminate()
        child.wait(10)


@pytest.fixture
def bucket(storage_emulator: str) -> storage.Bucket:
    """The artifacts bucket, emptied before the test (a real google-cloud-storage client)."""
    requests.get(f"{storage_emulator}/wipe?keep-buckets=true", timeout=5).raise_for_status()
    client = storage.Client(
        project="tailrun-test",
        credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        client_options={"api_endpoint": storage_emulator},
    )
    return client.bucket(BUCKET)


def object_names(bucket: storage.Bucket) -> list[str]:
    """The bucket's objects, without the empty placeholders finalize leaves at ``incoming/`` (they keep a PUT
    URL create-only until it expires: see ``artifacts.uploads._tombstone``)."""
    return sorted(
        blob.name
        for blob in bucket.client.list_blobs(bucket.name)
        if not (blob.name.startswith("incoming/") and blob.size == 0)
    )


@pytest.fixture(scope="session")
def functions_url() -> Iterator[str]:
    """A real threaded HTTP server with every entrypoint of functions/main.py at ``POST /<name>``."""
    with serve(create_apps(TARGETS)) as url:
        yield url


def verify_test_token(token: str, audience: str) -> dict[str, Any]:
    """The injected Firebase verifier: ``user-<uid>`` is user ``uid``; anything else is refused."""
    if not token.startswith("user-"):
        raise ValueError("not a test user token")
    return {"sub": token.removeprefix("user-")}


@pytest.fixture
def configure(
    firestore_project: str, functions_url: str, storage_emulator: str, tmp_path: Path
) -> Iterator[Callable[..., dict[str, str]]]:
    """Configure the functions for this test (firebase auth with the test verifier); call again to change it."""
    launches = tmp_path / "launches"
    launches.mkdir()
    current: dict[str, str] = {}

    def apply(**overrides: str) -> dict[str, str]:
        current.update(overrides)
        env = {
            "GOOGLE_CLOUD_PROJECT": firestore_project,
            "FIRESTORE_EMULATOR_HOST": os.environ["FIRESTORE_EMULATOR_HOST"],  # the session's emulator
            "TAILRUN_LAUNCHER": "local",
            "TAILRUN_AUTH": "firebase",
            "TAILRUN_CALLBACK_URL": f"{functions_url}/job_callback",
            "TAILRUN_RUNNER_COMMAND": json.dumps(
                [sys.executable, str(SCENARIOS / "capture_env.py"), str(launches)]
            ),
            "TAILRUN_RETRY_BACKOFF_S": "0",
            "STORAGE_EMULATOR_HOST": storage_emulator,
            "TAILRUN_BUCKET": BUCKET,
            "TAILRUN_SANDBOX_ROOT": str(tmp_path / "sandboxes"),
            **current,
        }
        services.configure(Settings.from_env(env)).user_verifier = verify_test_token
        return env

    apply()
    yield apply
    services.shutdown()


@dataclass
class Reply:
    status: int
    body: dict[str, Any]

    @property
    def code(self) -> str:
        return str(self.body.get("error", {}).get("code"))


class Api:
    """Calls the functions over real HTTP, as a user (``as_user``) or with any headers."""

    def __init__(self, url: str) -> None:
        self.url = url

    def post(self, target: str, body: Any, headers: dict[str, str] | None = None) -> Reply:
        response = requests.post(f"{self.url}/{target}", json=body, headers=headers or {}, timeout=30)
        payload = response.json()
        assert isinstance(payload, dict), f"{target} answered {response.status_code}: {response.text[:200]}"
        return Reply(response.status_code, payload)

    def as_user(self, uid: str, target: str, body: Any) -> Reply:
        return self.post(target, body, {"Authorization": f"Bearer user-{uid}"})

    def create_job(self, uid: str = "alice", **spec: Any) -> str:
        reply = self.as_user(uid, "create_job", {"argv": ["true"], **spec})
        assert reply.status == 201, reply.body
        return str(reply.body["job_id"])


@pytest.fixture
def api(configure: Callable[..., dict[str, str]], functions_url: str) -> Api:
    return Api(functions_url)


@dataclass
class RunnerIdentity:
    """What a launched runner holds: its job, attempt and token (the test acts as the runner)."""

    job_id: str
    attempt: int
    token: str

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def body(self, **fields: Any) -> dict[str, Any]:
        return {"job_id": self.job_id, "attempt": self.attempt, **fields}


def launched_runner(tmp_path: Path, job_id: str, attempt: int = 1) -> RunnerIdentity:
    path = tmp_path / "launches" / f"{job_id}-{attempt}.json"
    wait_for(path.exists, what=f"the launch of {job_id}")
    variables = json.loads(path.read_text())
    return RunnerIdentity(job_id, attempt, variables["TAILRUN_TOKEN"])


@pytest.fixture
def runner_job(api: Api, tmp_path: Path) -> RunnerIdentity:
    """A job of alice's, launched, with the test holding its runner's token."""
    return launched_runner(tmp_path, api.create_job("alice"))
