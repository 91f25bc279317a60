"""The WebChannel front (``firestore_emulator.webchannel``) leaves who may listen to the access check it is given.

It asks ``admit`` about the handshake's bearer credentials and ``may_listen`` about each target, with the principal
that ``admit`` named, and it imports nothing of the application. ``tests/cli/test_webchannel.py`` pins the protocol
with the local stack's own access check (the development token and the rules).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import flask
import pytest
from cli.webchannel_client import BrowserChannel
from google.cloud import firestore

from firestore_emulator.webchannel import ListenBridge

TOKEN = "emulator-front-token"
PRINCIPAL = "reader"


class OneToken:
    """A ``ListenAccess`` for these tests: ``TOKEN`` stands for ``PRINCIPAL``; the targets ``refused`` are refused.

    It records what it was asked, so a test can see that the bridge asks about every target, with the principal."""

    def __init__(self, refused: frozenset[int] = frozenset()) -> None:
        self.refused = refused
        self.offered: list[list[str]] = []
        self.asked: list[tuple[str, str, int]] = []

    def admit(self, bearer_tokens: Sequence[str]) -> str | None:
        self.offered.append(list(bearer_tokens))
        return PRINCIPAL if TOKEN in bearer_tokens else None

    def may_listen(self, principal: str, database: str, target: Any) -> bool:
        self.asked.append((principal, database, int(target.target_id)))
        return int(target.target_id) not in self.refused


@pytest.fixture
def access() -> OneToken:
    return OneToken(refused=frozenset({4}))


@pytest.fixture
def channel(firestore_emulator: Any, firestore_project: str, access: OneToken) -> Iterator[BrowserChannel]:
    bridge = ListenBridge(firestore_emulator.address, access=access, project=firestore_project)
    app = flask.Flask("webchannel-front-test")
    bridge.register(app)
    yield BrowserChannel(app.test_client(), firestore_project, token=TOKEN)
    bridge.close()


def document_target(channel: BrowserChannel, path: str, target_id: int) -> dict[str, Any]:
    documents = {"documents": [f"{channel.database}/documents/{path}"]}
    return {"database": channel.database, "addTarget": {"documents": documents, "targetId": target_id}}


def test_each_target_is_put_to_the_access_check_with_the_principal_it_admitted(
    channel: BrowserChannel, access: OneToken, firestore_client: firestore.Client, unique_id: str
) -> None:
    firestore_client.document(f"things/{unique_id}").set({"say": "allowed"})
    firestore_client.document(f"secrets/{unique_id}").set({"say": "refused-value"})

    channel.open(
        document_target(channel, f"things/{unique_id}", 2),
        document_target(channel, f"secrets/{unique_id}", 4),
    )
    seen = channel.receive_until(lambda message: "allowed" in json.dumps(message))  # the refusal comes first

    assert access.offered == [[TOKEN]]
    assert access.asked == [(PRINCIPAL, channel.database, 2), (PRINCIPAL, channel.database, 4)]
    refusal = next(message for message in seen if message.get("targetChange", {}).get("cause"))
    assert refusal["targetChange"] == {
        "targetChangeType": "REMOVE",
        "targetIds": [4],
        "cause": {"code": 7, "message": "Missing or insufficient permissions."},
    }
    assert "refused-value" not in json.dumps(seen)


def test_no_credential_is_a_401_and_a_refused_one_a_403_and_neither_opens_a_stream(
    firestore_emulator: Any, firestore_project: str, access: OneToken
) -> None:
    bridge = ListenBridge(firestore_emulator.address, access=access, project=firestore_project)
    app = flask.Flask("webchannel-front-test")
    bridge.register(app)
    try:
        for token, status in ((None, 401), ("another-token", 403)):
            client = BrowserChannel(app.test_client(), firestore_project, token=token)
            answer = client.client.post(client.url(RID=1, CVER=22), data=client.form(headers=True))
            assert answer.status_code == status, answer.get_data(as_text=True)
            assert "X-HTTP-Session-Id" not in answer.headers
        assert access.offered == [["another-token"]]  # no credential: nothing to ask about
        assert not any(thread.name.startswith("webchannel-") for thread in threading.enumerate())
    finally:
        bridge.close()


def test_the_front_imports_nothing_of_the_application() -> None:
    probe = "import sys, firestore_emulator.webchannel\nprint(sorted(m for m in sys.modules if m.startswith('tailrun')))"
    answer = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)

    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == "[]"
