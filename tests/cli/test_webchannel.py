"""The WebChannel front relays a browser's Listen channel to the emulator's gRPC Listen, as the Firebase SDK uses it.

These tests speak the protocol as Closure's WebChannel client does (handshake POST, back-channel GETs, forward
POSTs, terminate), to pin its details; ``test_viewer_browser.py`` runs the real SDK in headless Chromium.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import flask
import pytest
from flask.testing import FlaskClient
from google.cloud import firestore

from tailrun.webchannel import LISTEN_PATH, ListenBridge


def frames(body: str) -> list[Any]:
    """Decode a body of length-prefixed chunks."""
    decoded, position = [], 0
    while position < len(body):
        newline = body.index("\n", position)
        size = int(body[position:newline])
        decoded.append(json.loads(body[newline + 1:newline + 1 + size]))
        position = newline + 1 + size
    return decoded


class BrowserChannel:
    """One channel, driven like the Firebase JS SDK drives it."""

    def __init__(self, client: FlaskClient, project: str) -> None:
        self.client = client
        self.database = f"projects/{project}/databases/(default)"
        self.sid = ""
        self.last_array = 0
        self.rid = 1

    def url(self, **params: Any) -> str:
        query = "&".join(f"{key}={value}" for key, value in {"VER": 8, "database": self.database, **params}.items())
        return f"{LISTEN_PATH}?{query}"

    def form(self, *messages: dict[str, Any]) -> dict[str, str]:
        body = {"count": str(len(messages)), "ofs": "0"}
        body.update({f"req{index}___data__": json.dumps(message) for index, message in enumerate(messages)})
        return body

    def open(self, *messages: dict[str, Any]) -> list[Any]:
        answer = self.client.post(self.url(RID=self.rid, CVER=22), data=self.form(*messages))
        assert answer.status_code == 200
        self.sid = answer.headers["X-HTTP-Session-Id"]
        return frames(answer.get_data(as_text=True))

    def send(self, *messages: dict[str, Any]) -> Any:
        self.rid += 1
        answer = self.client.post(self.url(SID=self.sid, RID=self.rid, AID=self.last_array), data=self.form(*messages))
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return frames(answer.get_data(as_text=True))[0]

    def receive(self) -> list[dict[str, Any]]:
        """One back-channel request in buffered mode (CI=1): the arrays it brings."""
        answer = self.client.get(self.url(SID=self.sid, RID="rpc", AID=self.last_array, TYPE="xmlhttp", CI=1))
        assert answer.status_code == 200
        messages = []
        for chunk in frames(answer.get_data(as_text=True)):
            for array_id, payload in chunk:
                self.last_array = array_id
                if payload != ["noop"]:
                    messages.append(payload[0])
        return messages

    def receive_until(self, predicate: Any, attempts: int = 20) -> list[dict[str, Any]]:
        seen: list[dict[str, Any]] = []
        for _ in range(attempts):
            seen.extend(self.receive())
            if any(predicate(message) for message in seen):
                return seen
        raise AssertionError(f"never received the expected message; got {seen}")


@pytest.fixture
def bridge(firestore_emulator: Any) -> Iterator[ListenBridge]:
    bridge = ListenBridge(firestore_emulator.address)
    yield bridge
    bridge.close()


@pytest.fixture
def channel(bridge: ListenBridge, firestore_project: str) -> BrowserChannel:
    app = flask.Flask("webchannel-test")
    bridge.register(app)
    return BrowserChannel(app.test_client(), firestore_project)


def document_target(channel: BrowserChannel, path: str, target_id: int = 2) -> dict[str, Any]:
    return {"database": channel.database,
            "addTarget": {"documents": {"documents": [f"{channel.database}/documents/{path}"]}, "targetId": target_id}}


def changed_status(message: dict[str, Any]) -> str | None:
    fields = message.get("documentChange", {}).get("document", {}).get("fields", {})
    return fields.get("status", {}).get("stringValue")


def test_a_listen_channel_sees_a_document_and_its_changes(
    channel: BrowserChannel, firestore_client: firestore.Client, unique_id: str
) -> None:
    job = firestore_client.document(f"jobs/{unique_id}")
    job.set({"status": "running"})
    handshake = channel.open(document_target(channel, f"jobs/{unique_id}"))
    assert handshake == [[[0, ["c", channel.sid, "", 8, 0, 10000]]]]
    first = channel.receive_until(lambda message: changed_status(message) == "running")
    assert first[0]["targetChange"]["targetChangeType"] == "ADD"
    job.update({"status": "succeeded"})
    channel.receive_until(lambda message: changed_status(message) == "succeeded")


def test_a_forward_message_removes_a_target(channel: BrowserChannel, unique_id: str) -> None:
    channel.open(document_target(channel, f"jobs/{unique_id}"))
    channel.receive_until(lambda message: "CURRENT" in json.dumps(message))
    acknowledged = channel.send({"database": channel.database, "removeTarget": 2})
    assert acknowledged[0] == 1 and acknowledged[2] == 0
    channel.receive_until(lambda message: message.get("targetChange", {}).get("targetChangeType") == "REMOVE")


def test_a_terminated_channel_is_unknown_afterwards(channel: BrowserChannel, unique_id: str) -> None:
    channel.open(document_target(channel, f"jobs/{unique_id}"))
    assert channel.client.get(channel.url(SID=channel.sid, TYPE="terminate")).status_code == 200
    gone = channel.client.get(channel.url(SID=channel.sid, RID="rpc", AID=0, TYPE="xmlhttp", CI=1))
    assert gone.status_code == 400 and gone.get_data(as_text=True) == "Unknown SID"


def test_a_malformed_message_is_refused(channel: BrowserChannel) -> None:
    answer = channel.client.post(channel.url(RID=1), data={"count": "1", "ofs": "0", "req0___data__": "{not json"})
    assert answer.status_code == 400
    answer = channel.client.post(channel.url(RID=1), data={"count": "1", "ofs": "0",
                                                           "req0___data__": json.dumps({"addTarget": "nonsense"})})
    assert answer.status_code == 400
