"""A WebChannel client for tests, driving the Listen front as Closure's WebChannel client (the Firebase SDK) does."""

from __future__ import annotations

import json
from typing import Any

import requests
from flask.testing import FlaskClient

from firestore_emulator.webchannel import LISTEN_PATH

TOKEN = "webchannel-test-token"
RULES_PROJECT = "tailrun-cli-rules"  # the session emulator's project with production's rules in force
RULES_TIMEOUT_S = 30.0  # seconds to wait for an emulator to load rules


def load_rules(http_address: str, project: str, source: str) -> None:
    """Load security rules for one project with the REST call both emulators serve (rules-unit-testing's)."""
    body = {"rules": {"files": [{"name": "firestore.rules", "content": source}]}}
    with requests.Session() as session:
        session.trust_env = False  # never through an HTTP(S)_PROXY
        answer = session.put(
            f"http://{http_address}/emulator/v1/projects/{project}:securityRules",
            json=body,
            timeout=RULES_TIMEOUT_S,
        )
    assert answer.ok, answer.text


def removed_with_cause(target_id: int) -> Any:
    """A predicate: the message refuses ``target_id`` as Firestore does (REMOVE, cause PERMISSION_DENIED)."""

    def predicate(message: dict[str, Any]) -> bool:
        change = message.get("targetChange", {})
        return bool(
            change.get("targetChangeType") == "REMOVE"
            and change.get("targetIds") == [target_id]
            and change.get("cause", {}).get("code") == 7
        )

    return predicate


def current(target_id: int) -> Any:
    """A predicate: the message says ``target_id`` is current (its snapshot was sent whole)."""

    def predicate(message: dict[str, Any]) -> bool:
        change = message.get("targetChange", {})
        return bool(change.get("targetChangeType") == "CURRENT" and target_id in change.get("targetIds", []))

    return predicate


def frames(body: str) -> list[Any]:
    """Decode a body of length-prefixed chunks."""
    decoded, position = [], 0
    while position < len(body):
        newline = body.index("\n", position)
        size = int(body[position:newline])
        decoded.append(json.loads(body[newline + 1 : newline + 1 + size]))
        position = newline + 1 + size
    return decoded


class BrowserChannel:
    """One channel, driven like the Firebase JS SDK drives it."""

    def __init__(self, client: FlaskClient, project: str, token: str | None = TOKEN) -> None:
        self.client = client
        self.token = token
        self.database = f"projects/{project}/databases/(default)"
        self.sid = ""
        self.last_array = 0
        self.rid = 1

    def url(self, **params: Any) -> str:
        query = "&".join(
            f"{key}={value}" for key, value in {"VER": 8, "database": self.database, **params}.items()
        )
        return f"{LISTEN_PATH}?{query}"

    def form(self, *messages: dict[str, Any], headers: bool = False) -> dict[str, str]:
        """The body of a POST; on the handshake, with the credential in ``headers`` as the SDK encodes it."""
        body = (
            {"headers": f"Authorization:Bearer {self.token}\r\nX-Goog-Api-Client:gl-js/ fire/11\r\n"}
            if (headers and self.token is not None)
            else {}
        )
        body.update({"count": str(len(messages)), "ofs": "0"})
        body.update({f"req{index}___data__": json.dumps(message) for index, message in enumerate(messages)})
        return body

    def open(self, *messages: dict[str, Any]) -> list[Any]:
        """Handshake a new channel (the client's ids start over) with ``messages``; its first arrays."""
        self.sid, self.last_array, self.rid = "", 0, 1
        answer = self.client.post(self.url(RID=self.rid, CVER=22), data=self.form(*messages, headers=True))
        assert answer.status_code == 200, answer.get_data(as_text=True)
        self.sid = answer.headers["X-HTTP-Session-Id"]
        return frames(answer.get_data(as_text=True))

    def send(self, *messages: dict[str, Any]) -> Any:
        self.rid += 1
        answer = self.client.post(
            self.url(SID=self.sid, RID=self.rid, AID=self.last_array), data=self.form(*messages)
        )
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

    def receive_all(self, *predicates: Any) -> list[dict[str, Any]]:
        """The messages received until each predicate has matched one of them, in any order and in any back-channel
        request (two awaited messages often come in the same one)."""
        seen: list[dict[str, Any]] = []
        for predicate in predicates:
            if not any(predicate(message) for message in seen):
                seen += self.receive_until(predicate)
        return seen
