"""Fixtures for the functions: every entrypoint of functions/main.py, through functions-framework, on the emulator.

``functions_apps`` builds one functions-framework app per target (``create_app(target, source=main.py)``), and
``functions_server`` serves them all on one real HTTP server at ``POST /<name>`` (the runner, a real child
process, posts its callbacks there). ``api`` calls them through the apps' test clients. Each test hands its
settings to the functions with ``configure`` (``services.configure``, as the local stack does); the services it
built, and the runners they launched, are closed when it ends (``services.shutdown``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import google.auth.transport.requests
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt, jwt
from tailrun_functions import services
from tailrun_functions.settings import Settings
from werkzeug.test import Client

from tailrun.local import functions_server as local_server

from .cloud_fakes import RUNNER_SA, RecordingExecutionsClient, RecordingJobsClient, RecordingLauncher
from .shared import create_apps, serve

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
TARGETS = ("create_job", "job_callback", "cancel_job", "retry_job", "reap_sandboxes")
DEV_TOKEN = "dev-" + secrets.token_hex(16)
FIREBASE_CERTS = "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"
OAUTH2_CERTS = "https://www.googleapis.com/oauth2/v1/certs"
FAST_RUNNER = {
    "TAILRUN_HEARTBEAT_S": "0.5",
    "TAILRUN_KILL_GRACE_S": "2",
    "TAILRUN_RETRY_MAX_S": "20",
    "TAILRUN_DRAIN_S": "0.5",
}


@pytest.fixture(scope="session")
def functions_apps() -> dict[str, Any]:
    return create_apps(TARGETS)


@pytest.fixture(scope="session")
def functions_server(functions_apps: dict[str, Any]) -> Iterator[str]:
    """The URL of a real threaded HTTP server serving every function at ``/<name>``."""
    with serve(functions_apps) as url:
        yield url


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class Api:
    """Calls the functions like a client does: JSON bodies, the dev token, through the functions-framework apps."""

    def __init__(self, apps: dict[str, Any]) -> None:
        self.clients = {name: Client(app) for name, app in apps.items()}

    def post(
        self,
        target: str,
        body: Any = None,
        *,
        token: str | None = DEV_TOKEN,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        method: str = "POST",
    ) -> Reply:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else json.dumps(body).encode()
        response = self.clients[target].open("/", method=method, data=data, headers=all_headers)
        payload = response.get_json(silent=True)
        assert isinstance(payload, dict), (
            f"{target} answered non-JSON {response.status}: {response.data[:200]!r}"
        )
        return Reply(response.status_code, payload, dict(response.headers))

    def create(self, **spec: Any) -> str:
        reply = self.post("create_job", spec)
        assert reply.status == 201, reply.body
        return str(reply.body["job_id"])


# --- Google-signed tokens (Firebase ID tokens, OIDC ID tokens), made with a key of the test ---


@dataclass
class Key:
    kid: str
    private_pem: bytes
    certificate_pem: bytes

    @classmethod
    def new(cls, kid: str) -> Key:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, kid)])
        now = dt.datetime.now(dt.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(private.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .sign(private, hashes.SHA256())
        )
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return cls(kid, pem, certificate.public_bytes(serialization.Encoding.PEM))

    def sign(self, **claims: Any) -> str:
        now = int(time.time())
        payload = {"iat": now - 10, "exp": now + 3600, **claims}
        signer = crypt.RSASigner.from_string(self.private_pem, key_id=self.kid)
        return jwt.encode(signer, payload).decode()


@pytest.fixture(scope="module")
def google_key() -> Key:
    return Key.new("google-1")


@pytest.fixture(scope="module")
def stranger_key() -> Key:
    return Key.new("google-1")  # the same key id, another key: a forged signature


@pytest.fixture
def certificate_urls(google_key: Key, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """google-auth's transport, answering Google's certificate URLs with the test key's certificate."""
    asked: list[str] = []

    @dataclass
    class Response:
        status: int
        data: bytes
        headers: dict[str, str]

    class Transport:
        def __call__(self, url: str, method: str = "GET", **kwargs: Any) -> Response:
            asked.append(url)
            if url not in (FIREBASE_CERTS, OAUTH2_CERTS):
                return Response(404, b"", {})
            body = json.dumps({google_key.kid: google_key.certificate_pem.decode()}).encode()
            return Response(200, body, {"content-type": "application/json"})

    monkeypatch.setattr(google.auth.transport.requests, "Request", Transport)
    yield asked


@pytest.fixture
def sandbox_root(tmp_path: Path) -> Path:
    """Where the test's local attempts get their directories (``TAILRUN_SANDBOX_ROOT``): made by the launcher."""
    return tmp_path / "sandboxes"


@pytest.fixture
def configure(
    firestore_project: str, functions_server: str, sandbox_root: Path
) -> Iterator[Callable[..., dict[str, str]]]:
    """Configure the functions for this test from these variables (the names deployed functions read); returns
    them. Call again to change some. Runners the test launched and left running are killed when it ends."""
    current: dict[str, str] = {}

    def apply(**overrides: str) -> dict[str, str]:
        current.update(overrides)
        env = {
            "GOOGLE_CLOUD_PROJECT": firestore_project,
            "FIRESTORE_EMULATOR_HOST": os.environ["FIRESTORE_EMULATOR_HOST"],  # the session's emulator
            "TAILRUN_LAUNCHER": "local",
            "TAILRUN_AUTH": "dev",
            "TAILRUN_DEV_TOKEN": DEV_TOKEN,
            "TAILRUN_CALLBACK_URL": f"{functions_server}/job_callback",
            "TAILRUN_RUNNER_ENV": json.dumps(FAST_RUNNER),
            "TAILRUN_RETRY_BACKOFF_S": "0",
            "TAILRUN_JOB_WRITE_INTERVAL_S": "1",
            "TAILRUN_SANDBOX_ROOT": str(sandbox_root),
            **current,
        }
        services.configure(Settings.from_env(env))
        return env

    yield apply
    services.shutdown()


@pytest.fixture
def api(configure: Callable[..., dict[str, str]], functions_apps: dict[str, Any]) -> Api:
    """The functions with the real runner as the launcher's command (the default settings)."""
    configure()
    return Api(functions_apps)


@dataclass
class Commit:
    """One Commit RPC of the functions' own Firestore client: the documents it writes."""

    documents: list[str]

    def writes(self, path: str) -> bool:
        return any(name.endswith(f"/documents/{path}") for name in self.documents)


@pytest.fixture
def cloud_run(
    configure: Callable[..., dict[str, str]], api: Api, monkeypatch: pytest.MonkeyPatch
) -> tuple[RecordingJobsClient, RecordingExecutionsClient, RecordingLauncher]:
    """The functions with TAILRUN_LAUNCHER=cloudrun: the real launcher with fake google-cloud-run clients
    (``cloud_fakes``: Cloud Run cannot run here), recording the requests and each attempt's LaunchRequest."""
    configure(
        TAILRUN_LAUNCHER="cloudrun",
        TAILRUN_REGION="europe-west1",
        TAILRUN_RUNNER_JOB="runner",
        TAILRUN_RUNNER_SERVICE_ACCOUNT=RUNNER_SA,
    )
    current = services.current()
    jobs, executions = RecordingJobsClient(), RecordingExecutionsClient()
    launcher = RecordingLauncher(current.settings, jobs_client=jobs, executions_client=executions)
    monkeypatch.setattr(current, "launcher", launcher)
    return jobs, executions, launcher


@pytest.fixture
def commits(api: Api, monkeypatch: pytest.MonkeyPatch) -> list[Commit]:
    """Every commit the functions make from now on (the real client's RPC, observed, not replaced).

    Observes the services of the settings at the time of the call; reconfiguring afterwards escapes it."""
    gapic = services.current().db._firestore_api
    seen: list[Commit] = []
    real = gapic.commit

    def commit(request: Any = None, **kwargs: Any) -> Any:
        writes = request["writes"] if isinstance(request, dict) else request.writes
        pbs = [getattr(w, "_pb", w) for w in writes]
        seen.append(Commit([pb.update.name if pb.HasField("update") else pb.delete for pb in pbs]))
        return real(request=request, **kwargs)

    monkeypatch.setattr(gapic, "commit", commit)
    return seen


@pytest.fixture
def captured(configure: Callable[..., dict[str, str]], tmp_path: Path) -> Path:
    """Launches record their runner variables instead of running: the test plays the runner."""
    directory = tmp_path / "launches"
    directory.mkdir()
    configure(
        TAILRUN_RUNNER_COMMAND=json.dumps([sys.executable, str(SCENARIOS / "capture_env.py"), str(directory)])
    )
    return directory


@pytest.fixture(scope="module")
def stack_url() -> Iterator[str]:
    """The local stack's HTTP server (functions_server.serve) with every function of functions/main.py."""
    app = local_server.create_app(
        local_server.load_http_functions(), config={}, config_path="/_tailrun/config"
    )
    server = local_server.serve(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
