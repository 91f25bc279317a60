"""Claim mode (``TAILRUN_CLAIM=google``): the runner gets its token, argv, env and artifact patterns from the
callback, after proving itself with an ID token from the metadata server, and nothing secret is in its env.

The metadata server is a Google Cloud API that cannot run here: ``MetadataServer`` below is a local stand-in that
answers the identity request as the real one does (the JWT as the body, for the ``Metadata-Flavor: Google`` header
only). The claim is answered by the tests' recording receiver.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from runner_harness import CallbackServer, Reply, job

CLAIMED_TOKEN = "claimed-token-fedcba9876543210"
ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.fake-identity.signature"


class MetadataServer:
    """A stand-in for the metadata server's identity endpoint; records each request's path and headers.

    ``failures`` first answers are 503 (the real server has transient errors too)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.failures = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers)))
                path = urlsplit(self.path).path
                if server.failures > 0:
                    server.failures -= 1
                    status, body = 503, b"try again"
                elif self.headers.get("Metadata-Flavor") != "Google":
                    status, body = 403, b"Missing Metadata-Flavor:Google header."
                elif path == "/computeMetadata/v1/instance/service-accounts/default/identity":
                    status, body = 200, ID_TOKEN.encode()
                else:
                    status, body = 404, b"not found"
                self.send_response(status)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    @property
    def host(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{host!s}:{port}"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def metadata() -> Iterator[MetadataServer]:
    server = MetadataServer()
    yield server
    server.close()


@pytest.fixture
def start_claiming(start_runner, metadata):  # type: ignore[no-untyped-def]
    """Start the runner as the cloud launcher will: no token, argv or env, only the claim's variables."""

    def start(**env: str | None):  # type: ignore[no-untyped-def]
        return start_runner(
            ["unused"],
            TAILRUN_TOKEN=None,
            TAILRUN_ARGV=None,
            TAILRUN_CLAIM="google",
            GCE_METADATA_HOST=metadata.host,
            CLOUD_RUN_EXECUTION="runner-abc12",
            **env,
        )

    return start


def answering_claims(answer: Reply, *, failures: int = 0, status: int = 503):  # type: ignore[no-untyped-def]
    """A policy that answers claims with ``answer`` (after ``failures`` answers of ``status``) and acks the rest."""
    left = [failures]

    def policy(message: dict[str, Any]) -> Reply:
        if message.get("type") != "claim":
            return Reply()
        if left[0] > 0:
            left[0] -= 1
            return Reply(status=status, record=False, headers={"Retry-After": "0"})
        return answer

    return policy


def claim_answer(argv: list[str], **fields: Any) -> Reply:
    return Reply(record=False, body={"token": CLAIMED_TOKEN, "argv": argv, **fields})


def claims(callback_server: CallbackServer) -> list[Any]:
    return [
        request for request in callback_server.received().requests if request.message.get("type") == "claim"
    ]


def test_the_runner_claims_its_job_with_an_identity_token_and_runs_it(
    start_claiming, callback_server, metadata
):
    callback_server.token = CLAIMED_TOKEN  # every message after the claim must carry the claimed token
    callback_server.answer = answering_claims(claim_answer(job("environment"), env={"GREETING": "claimed"}))
    runner = start_claiming()

    assert runner.wait() == 0
    ((path, headers),) = metadata.requests
    query = parse_qs(urlsplit(path).query)
    assert query == {"audience": [callback_server.url], "format": ["full"]}
    assert headers["Metadata-Flavor"] == "Google"
    (claim,) = claims(callback_server)
    assert claim.authorization == f"Bearer {ID_TOKEN}"
    assert claim.message == {"type": "claim", "job_id": "job-1", "attempt": 1, "execution": "runner-abc12"}
    received = callback_server.received()
    received.check_seqs()
    assert all(request.authorization == f"Bearer {CLAIMED_TOKEN}" for request in received.requests[1:])
    lines = received.text("stdout").splitlines()
    # The claimed env reached the job, and its value is masked in what the job printed (invariant 8).
    assert "GREETING=***" in lines and "TAILRUN_TOKEN=-" in lines
    assert b"claimed" not in b"".join(request.raw for request in received.requests[1:])
    assert received.completed()["exit_code"] == 0


def test_claimed_artifact_patterns_are_used_with_the_claimed_token(start_claiming, callback_server, tmp_path):
    writes_file = [sys.executable, "-c", "open('out.txt', 'w').write('x')"]
    callback_server.answer = answering_claims(claim_answer(writes_file, artifacts=["*.txt"]))
    runner = start_claiming(TAILRUN_CWD=str(tmp_path))

    assert runner.wait() == 0
    received = callback_server.received()
    uploads = [request for request in received.requests if request.message.get("name") == "out.txt"]
    assert uploads and all(request.authorization == f"Bearer {CLAIMED_TOKEN}" for request in uploads)
    (artifact,) = received.of_type("artifact")
    assert artifact["name"] == "out.txt"  # reported (as an error: this receiver is no upload function)


def test_a_claim_answered_503_is_retried(start_claiming, callback_server):
    callback_server.answer = answering_claims(claim_answer(job("environment")), failures=2)
    runner = start_claiming()

    assert runner.wait() == 0
    assert [claim.reply.status for claim in claims(callback_server)] == [503, 503, 200]
    assert callback_server.received().completed()["exit_code"] == 0


def test_a_metadata_server_answering_503_is_retried(start_claiming, callback_server, metadata):
    metadata.failures = 2
    callback_server.answer = answering_claims(claim_answer(job("environment")))
    runner = start_claiming()

    assert runner.wait() == 0
    assert len(metadata.requests) == 3 and len(claims(callback_server)) == 1


@pytest.mark.parametrize("status", [401, 403, 409, 410])
def test_a_refused_claim_ends_the_runner_without_running_anything(
    start_claiming, callback_server, status, tmp_path
):
    marker = tmp_path / "ran"
    writes_marker = [sys.executable, "-c", f"open({str(marker)!r}, 'w')"]
    callback_server.answer = answering_claims(claim_answer(writes_marker), failures=1, status=status)
    runner = start_claiming()

    assert runner.wait() == 3
    assert [claim.reply.status for claim in claims(callback_server)] == [status]
    assert callback_server.received().messages == []  # not even ``started``
    assert not marker.exists()
    record = json.loads(runner.logs().strip().splitlines()[-1])
    assert (
        record["severity"] == "ERROR"
        and "claim refused" in record["message"]
        and str(status) in record["message"]
    )


@pytest.mark.parametrize(
    "body",
    [
        {"argv": ["true"]},
        {"token": CLAIMED_TOKEN, "argv": []},
        {"token": CLAIMED_TOKEN, "argv": ["x"], "env": [1]},
    ],
)
def test_an_unusable_claim_answer_ends_the_runner_without_running_anything(
    start_claiming, callback_server, body
):
    callback_server.answer = answering_claims(Reply(record=False, body=body))
    runner = start_claiming()

    assert runner.wait() == 3
    assert callback_server.received().messages == []
    assert CLAIMED_TOKEN not in runner.logs()


def test_an_unknown_claim_mode_is_a_configuration_error(start_runner, callback_server):
    runner = start_runner(job("environment"), TAILRUN_CLAIM="aws")

    assert runner.wait() == 2
    assert "TAILRUN_CLAIM" in runner.logs() and callback_server.received().requests == []


def test_sigterm_while_the_claim_is_retried_ends_the_runner_at_once(
    start_claiming, callback_server, metadata
):
    metadata.failures = 1_000_000  # the metadata server never recovers
    runner = start_claiming(TAILRUN_RETRY_BASE_S="2", TAILRUN_RETRY_CAP_S="2", TAILRUN_RETRY_MAX_S="60")
    deadline = time.monotonic() + 10
    while not metadata.requests:  # the runner is in its claim loop
        assert time.monotonic() < deadline, "the runner never asked the metadata server"
        time.sleep(0.01)

    runner.terminate()
    assert runner.wait(timeout=5) == 1
    assert "before the attempt was claimed" in runner.logs() and callback_server.received().requests == []
