"""How the CLI finds a stack: a local one through its configuration endpoint, a deployed one from the environment."""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask
import pytest

from tailrun.cli.client import Stack, StackConfig
from tailrun.errors import ConfigurationError, JobNotFound, RequestRefused, StackNotRunning
from tailrun.local.dev import StateDir, free_port
from tailrun.local.functions_server import create_app, serve

CONFIG = {
    "project": "tailrun-local",
    "owner": "dev",
    "firestore_emulator_host": "127.0.0.1:1",
    "storage_emulator_host": "http://127.0.0.1:2",
}


def fake_cancel_job(request: flask.Request) -> Any:
    """Answers like the real function: the dev token is required, an unknown job is a 404."""
    if request.headers.get("Authorization") != "Bearer tok":
        return {"error": {"code": "unauthorized", "message": "bad token"}}, 401
    if request.get_json()["job_id"] == "missing":
        return {"error": {"code": "not_found", "message": "no such job"}}, 404
    return {"error": {"code": "conflict", "message": "job already ended"}}, 409


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    """A state directory as `tailrun dev` leaves it: the token ("tok") in its owner-only file."""
    path = tmp_path / "state"
    path.mkdir()
    fd = os.open(path / "dev_token", os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"tok\n")
    os.close(fd)
    return path


@pytest.fixture
def local_url(state_dir: Path) -> Iterator[str]:
    app = create_app(
        {"cancel_job": fake_cancel_job},
        config={**CONFIG, "state_dir": str(state_dir)},
        config_path="/_tailrun/config",
    )
    server = serve(app, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.server_port}"
    StateDir(state_dir).publish({"pid": os.getpid(), "url": url})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join()


def jwt(claims: dict[str, Any]) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"e30.{payload}.sig"


def test_a_local_stack_is_found_from_its_url_alone(local_url: str) -> None:
    config = StackConfig.discover({"TAILRUN_URL": local_url + "/"})
    assert config == StackConfig(
        url=local_url,
        project="tailrun-local",
        token="tok",
        owner="dev",
        firestore_emulator_host="127.0.0.1:1",
        storage_emulator_host="http://127.0.0.1:2",
    )


def test_the_token_is_read_from_the_state_directory_not_over_http(local_url: str, state_dir: Path) -> None:
    import requests

    (state_dir / "dev_token").write_text("rotated-6f1c2a")
    assert StackConfig.discover({"TAILRUN_URL": local_url}).token == "rotated-6f1c2a"
    assert "rotated-6f1c2a" not in requests.get(local_url + "/_tailrun/config", timeout=10).text


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_a_token_file_others_can_read_is_refused(local_url: str, state_dir: Path, mode: int) -> None:
    os.chmod(state_dir / "dev_token", mode)
    with pytest.raises(
        ConfigurationError, match=r"must be owned by you and readable by you only \(its mode is 6"
    ):
        StackConfig.discover({"TAILRUN_URL": local_url})


def test_a_missing_token_file_is_a_sentence(local_url: str, state_dir: Path) -> None:
    (state_dir / "dev_token").unlink()
    with pytest.raises(ConfigurationError, match=r"Cannot read the development token at .*dev_token"):
        StackConfig.discover({"TAILRUN_URL": local_url})
    (state_dir / "dev_token").symlink_to(state_dir / "dev.json")
    with pytest.raises(ConfigurationError, match="Cannot read the development token"):
        StackConfig.discover({"TAILRUN_URL": local_url})


def test_a_state_directory_of_another_stack_is_refused(local_url: str, state_dir: Path) -> None:
    StateDir(state_dir).publish({"pid": 1, "url": f"http://127.0.0.1:{free_port('127.0.0.1')}"})
    with pytest.raises(ConfigurationError, match="whose stack is not the one on that port"):
        StackConfig.discover({"TAILRUN_URL": local_url})


def test_no_stack_is_a_sentence_that_says_to_start_one() -> None:
    url = f"http://127.0.0.1:{free_port('127.0.0.1')}"
    with pytest.raises(StackNotRunning, match="Start one with `tailrun dev`"):
        StackConfig.discover({"TAILRUN_URL": url})


def test_a_url_that_is_not_http_is_refused_by_name() -> None:
    with pytest.raises(ConfigurationError, match="TAILRUN_URL must be an http"):
        StackConfig.discover({"TAILRUN_URL": "localhost:8790"})


def test_a_deployed_stack_needs_a_token_and_a_project() -> None:
    token = jwt({"user_id": "alice", "sub": "alice"})
    config = StackConfig.discover(
        {
            "TAILRUN_URL": "https://r-p.cloudfunctions.net",
            "TAILRUN_ID_TOKEN": token,
            "GOOGLE_CLOUD_PROJECT": "p",
        }
    )
    assert (config.owner, config.project, config.firestore_emulator_host) == ("alice", "p", None)
    with pytest.raises(ConfigurationError, match="GOOGLE_CLOUD_PROJECT is not set"):
        StackConfig.discover({"TAILRUN_ID_TOKEN": token})
    with pytest.raises(ConfigurationError, match="not a Firebase ID token"):
        StackConfig.discover({"TAILRUN_ID_TOKEN": "garbage", "GOOGLE_CLOUD_PROJECT": "p"})


def test_function_errors_become_sentences(local_url: str) -> None:
    stack = Stack(StackConfig.discover({"TAILRUN_URL": local_url}))
    with pytest.raises(JobNotFound, match="There is no job 'missing'"):
        stack.call("cancel_job", {"job_id": "missing"})
    with pytest.raises(RequestRefused) as refused:
        stack.call("cancel_job", {"job_id": "done"})
    assert str(refused.value) == "Job already ended."  # a sentence: no function name, no HTTP status
    assert (refused.value.function, refused.value.status, refused.value.code) == (
        "cancel_job",
        409,
        "conflict",
    )
    assert refused.value.detail == "cancel_job answered HTTP 409 with error code 'conflict'"  # for --verbose
    with pytest.raises(RequestRefused) as unknown:
        stack.call("no_such_function", {})
    assert unknown.value.code == "not_found" and "HTTP" not in str(unknown.value)
    stack.close()
