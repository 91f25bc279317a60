"""A real `tailrun dev` answers only its own names and pages (issue 19: DNS rebinding, cross-site requests), keeps
its token off HTTP, requires it on the Listen front, and does not let a slow client hold a thread."""

from __future__ import annotations

import ast
import json
import socket
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import requests
from google.cloud import firestore
from tailrun_functions import clients
from tailrun_functions.schema import LOCAL_PROJECT

from firestore_emulator.webchannel import LISTEN_PATH
from tailrun import settings
from tailrun.local.dev import DevProcess

from .stack import Cli
from .test_cli import detach
from .webchannel_client import frames

MAIN = Path(__file__).resolve().parents[2] / "functions" / "main.py"
FUNCTIONS = sorted(
    node.name
    for node in ast.parse(MAIN.read_text()).body
    if isinstance(node, ast.FunctionDef)
    and any(ast.unparse(decorator) == "functions_framework.http" for decorator in node.decorator_list)
)
DATABASE = f"projects/{LOCAL_PROJECT}/databases/(default)"
LISTEN = f"{LISTEN_PATH}?VER=8&database={quote(DATABASE)}"
ROUTES = [("POST", f"/{name}") for name in FUNCTIONS] + [
    ("GET", settings.CONFIG_PATH),
    ("GET", "/web/"),
    ("GET", "/web/bundle/viewer.js"),
    ("GET", "/web/index.html"),
    ("POST", f"{LISTEN}&RID=1&CVER=22"),
    ("GET", f"{LISTEN}&SID=x&RID=rpc&AID=0&TYPE=xmlhttp&CI=1"),
    ("OPTIONS", "/create_job"),
    ("GET", "/no_such_route"),
]


def token_of(stack: DevProcess) -> str:
    return (stack.state_dir / settings.DEV_TOKEN_FILE).read_text().strip()


def port_of(stack: DevProcess) -> int:
    port = urlsplit(stack.url).port
    assert port is not None
    return port


def job_body(marker: str) -> dict[str, Any]:
    return {"argv": [sys.executable, "-c", f"print({marker!r})"], "labels": {"marker": marker}}


def jobs_with(db: firestore.Client, marker: str) -> list[Any]:
    return [job for job in db.collection("jobs").stream() if marker in json.dumps(job.to_dict(), default=str)]


@pytest.fixture
def stack_firestore(dev_stack: DevProcess) -> Iterator[firestore.Client]:
    """A client on the stack's own emulator (as its configuration names it)."""
    config = requests.get(dev_stack.url + settings.CONFIG_PATH, timeout=10).json()
    db = clients.firestore_client(LOCAL_PROJECT, config["firestore_emulator_host"])
    yield db
    db.close()


def test_the_functions_are_all_routed() -> None:
    assert "create_job" in FUNCTIONS and "job_callback" in FUNCTIONS and len(FUNCTIONS) >= 9


@pytest.mark.parametrize(
    "host",
    [
        "rebind.attacker.example:{port}",
        "rebind.attacker.example",
        "127.0.0.1:1",
        "localhost.attacker.example:{port}",
        "127.0.0.2:{port}",
        "",
    ],
)
@pytest.mark.parametrize("method, path", ROUTES)
def test_a_forged_host_gets_nothing_from_any_route(
    dev_stack: DevProcess, method: str, path: str, host: str
) -> None:
    token = token_of(dev_stack)
    answer = requests.request(
        method,
        dev_stack.url + path,
        headers={
            "Host": host.format(port=port_of(dev_stack)),
            "Authorization": f"Bearer {token}",
        },
        data=f"headers={quote(f'Authorization:Bearer {token}')}&count=0&ofs=0" if "Listen" in path else None,
        timeout=10,
    )

    assert answer.status_code == 421
    assert answer.json()["error"]["code"] == "misdirected_request"
    assert token not in answer.text and LOCAL_PROJECT not in answer.text and "firestore" not in answer.text
    assert not [name for name in answer.headers if name.lower().startswith("access-control-")]


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
def test_the_stacks_own_names_are_answered(dev_stack: DevProcess, name: str) -> None:
    answer = requests.get(
        f"http://127.0.0.1:{port_of(dev_stack)}{settings.CONFIG_PATH}",
        headers={"Host": f"{name}:{port_of(dev_stack)}"},
        timeout=10,
    )
    assert answer.status_code == 200 and answer.json()["project"] == LOCAL_PROJECT


def test_a_forged_host_creates_no_job(dev_stack: DevProcess, stack_firestore: firestore.Client) -> None:
    marker = uuid.uuid4().hex
    answer = requests.post(
        f"{dev_stack.url}/create_job",
        json=job_body(marker),
        timeout=10,
        headers={
            "Host": f"rebind.attacker.example:{port_of(dev_stack)}",
            "Authorization": f"Bearer {token_of(dev_stack)}",
        },
    )
    assert answer.status_code == 421
    assert jobs_with(stack_firestore, marker) == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://rebind.attacker.example:{port}"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:1"},
        {"Origin": "https://127.0.0.1:{port}"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_a_cross_site_post_is_refused_and_writes_nothing(
    dev_stack: DevProcess, stack_firestore: firestore.Client, headers: dict[str, str]
) -> None:
    marker = uuid.uuid4().hex
    sent = {name: value.format(port=port_of(dev_stack)) for name, value in headers.items()}
    answer = requests.post(
        f"{dev_stack.url}/create_job",
        json=job_body(marker),
        timeout=10,
        headers={**sent, "Authorization": f"Bearer {token_of(dev_stack)}"},
    )

    assert answer.status_code == 403 and answer.json()["error"]["code"] == "cross_origin"
    assert not [name for name in answer.headers if name.lower().startswith("access-control-")]
    assert jobs_with(stack_firestore, marker) == []


def test_a_cross_site_listen_handshake_is_refused(dev_stack: DevProcess) -> None:
    token = token_of(dev_stack)
    answer = requests.post(
        f"{dev_stack.url}{LISTEN}&RID=1&CVER=22",
        data={"count": "0", "ofs": "0"},
        timeout=10,
        headers={"Origin": "http://evil.example", "Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 403 and "X-HTTP-Session-Id" not in answer.headers


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
def test_the_stacks_own_pages_may_post(
    dev_stack: DevProcess, stack_firestore: firestore.Client, name: str
) -> None:
    marker = uuid.uuid4().hex
    answer = requests.post(
        f"{dev_stack.url}/create_job",
        json=job_body(marker),
        timeout=10,
        headers={
            "Origin": f"http://{name}:{port_of(dev_stack)}",
            "Sec-Fetch-Site": "same-origin",
            "Authorization": f"Bearer {token_of(dev_stack)}",
        },
    )
    assert answer.status_code == 201, answer.text
    assert len(jobs_with(stack_firestore, marker)) == 1


@pytest.mark.parametrize("method, path", ROUTES)
def test_no_route_sends_cors_headers(dev_stack: DevProcess, method: str, path: str) -> None:
    for origin in (None, "http://evil.example", f"http://127.0.0.1:{port_of(dev_stack)}"):
        headers = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
        if origin:
            headers["Origin"] = origin
        answer = requests.request(method, dev_stack.url + path, headers=headers, timeout=10)
        assert not [name for name in answer.headers if name.lower().startswith("access-control-")], (
            answer.headers
        )


def test_the_configuration_holds_nothing_secret(dev_stack: DevProcess) -> None:
    answer = requests.get(dev_stack.url + settings.CONFIG_PATH, timeout=10)
    config = answer.json()

    assert token_of(dev_stack) not in answer.text
    assert set(config) == {
        "project",
        "owner",
        "firestore_emulator_host",
        "storage_emulator_host",
        "bucket",
        "functions",
        "state_dir",
    }
    assert config["state_dir"] == str(dev_stack.state_dir.resolve())
    assert set(config["functions"]) == set(FUNCTIONS)


def test_a_listen_handshake_without_the_token_is_refused(dev_stack: DevProcess) -> None:
    target = {
        "database": DATABASE,
        "addTarget": {"targetId": 2, "documents": {"documents": [f"{DATABASE}/documents/jobs/anything"]}},
    }
    body = {"count": "1", "ofs": "0", "req0___data__": json.dumps(target)}
    anonymous = requests.post(f"{dev_stack.url}{LISTEN}&RID=1&CVER=22", data=body, timeout=10)
    wrong = requests.post(
        f"{dev_stack.url}{LISTEN}&RID=1&CVER=22",
        timeout=10,
        data={"headers": "Authorization:Bearer nope\r\n", **body},
    )
    assert anonymous.status_code == 401 and wrong.status_code == 403
    assert "X-HTTP-Session-Id" not in anonymous.headers and "X-HTTP-Session-Id" not in wrong.headers


class HttpChannel:
    """A WebChannel client over real HTTP, with the token where the Firebase SDK puts it (the handshake body)."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token, self.sid, self.last = url, token, "", 0

    def open(self, *messages: dict[str, Any]) -> None:
        body = {"headers": f"Authorization:Bearer {self.token}\r\n", "count": str(len(messages)), "ofs": "0"}
        body.update({f"req{index}___data__": json.dumps(message) for index, message in enumerate(messages)})
        answer = requests.post(f"{self.url}{LISTEN}&RID=1&CVER=22", data=body, timeout=10)
        assert answer.status_code == 200, answer.text
        self.sid = answer.headers["X-HTTP-Session-Id"]

    def receive_until(self, predicate: Any, attempts: int = 20) -> list[dict[str, Any]]:
        seen: list[dict[str, Any]] = []
        for _ in range(attempts):
            answer = requests.get(
                f"{self.url}{LISTEN}&SID={self.sid}&RID=rpc&AID={self.last}&TYPE=xmlhttp&CI=1", timeout=40
            )
            assert answer.status_code == 200
            for chunk in frames(answer.text):
                for array_id, payload in chunk:
                    self.last = array_id
                    if payload != ["noop"]:
                        seen.append(payload[0])
            if any(predicate(message) for message in seen):
                return seen
        raise AssertionError(f"never received the expected message; got {seen}")


def document(path: str, target_id: int) -> dict[str, Any]:
    return {
        "database": DATABASE,
        "addTarget": {"targetId": target_id, "documents": {"documents": [f"{DATABASE}/documents/{path}"]}},
    }


def removed(target_id: int) -> Any:
    return lambda message: (
        message.get("targetChange", {}).get("targetChangeType") == "REMOVE"
        and message["targetChange"].get("targetIds") == [target_id]
        and message["targetChange"].get("cause", {}).get("code") == 7
    )


def test_a_jobs_secrets_are_refused_to_a_listener_while_the_owner_sees_the_job(
    dev_stack: DevProcess, cli: Cli
) -> None:
    """Before issue 19, one handshake on job_secrets/<id> returned the job's API_KEY."""
    api_key = f"sk-{uuid.uuid4().hex}"
    submitted = cli(
        "run", "--detach", "-e", f"API_KEY={api_key}", "--", sys.executable, "-c", "print('the job ran')"
    )
    assert submitted.returncode == 0, submitted.stderr
    job_id = submitted.stdout.strip()
    channel = HttpChannel(dev_stack.url, token_of(dev_stack))
    chunks = {
        "database": DATABASE,
        "addTarget": {
            "targetId": 8,
            "query": {
                "parent": f"{DATABASE}/documents/jobs/{job_id}",
                "structuredQuery": {"from": [{"collectionId": "chunks"}]},
            },
        },
    }

    channel.open(
        document(f"job_secrets/{job_id}", 2),
        document(f"attempt_tokens/{job_id}_1", 4),
        document(f"jobs/{job_id}", 6),
        chunks,
    )
    seen = channel.receive_until(
        lambda message: "the job ran" in json.dumps(message)
    )  # the refusals came first

    assert any(removed(2)(message) for message in seen) and any(removed(4)(message) for message in seen)
    assert api_key not in json.dumps(seen)
    assert any(
        message.get("documentChange", {}).get("document", {}).get("name", "").endswith(f"jobs/{job_id}")
        for message in seen
    )


def test_a_half_sent_body_is_closed_within_the_read_timeout(dev_stack: DevProcess) -> None:
    port = port_of(dev_stack)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(
            f"POST /create_job HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f'Content-Length: 100\r\n\r\n{{"argv": ['.encode()
        )
        started = time.monotonic()
        received = b""
        while chunk := connection.recv(65536):  # until the server closes the connection
            received += chunk
        elapsed = time.monotonic() - started
    assert elapsed < settings.READ_TIMEOUT_S + 5, f"the connection was held {elapsed:.1f} s"
    assert not received.startswith(b"HTTP/1.1 200")


def test_an_idle_request_line_is_closed_within_the_read_timeout(dev_stack: DevProcess) -> None:
    with socket.create_connection(("127.0.0.1", port_of(dev_stack)), timeout=30) as connection:
        connection.sendall(b"GET /_tailrun/con")
        started = time.monotonic()
        while connection.recv(65536):
            pass
        assert time.monotonic() - started < settings.READ_TIMEOUT_S + 5


def test_a_streaming_back_channel_outlives_the_read_timeout(dev_stack: DevProcess, cli: Cli) -> None:
    """The long poll waits longer than READ_TIMEOUT_S between two writes (the keepalive noop) and still delivers."""
    job_id = detach(cli, sys.executable, "-c", "print('x')")
    channel = HttpChannel(dev_stack.url, token_of(dev_stack))
    channel.open(document(f"jobs/{job_id}", 2))
    channel.receive_until(
        lambda message: message.get("targetChange", {}).get("targetChangeType") == "CURRENT"
    )
    with requests.get(
        f"{dev_stack.url}{LISTEN}&SID={channel.sid}&RID=rpc&AID={channel.last}&TYPE=xmlhttp",
        stream=True,
        timeout=40,
    ) as answer:
        assert answer.status_code == 200
        previous, longest = time.monotonic(), 0.0
        for chunk in answer.iter_content(chunk_size=None):  # the backlog, then silence, then a keepalive noop
            silent, previous = time.monotonic() - previous, time.monotonic()
            if silent > settings.READ_TIMEOUT_S:
                longest = silent
                assert b"noop" in chunk or b"documentChange" in chunk
                break
    assert longest > settings.READ_TIMEOUT_S, "the stream ended before a silence longer than the read timeout"
