"""A WebChannel client for tests, driving the Listen front as Closure's WebChannel client (the Firebase SDK) does."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient

from firestore_emulator.webchannel import LISTEN_PATH

TOKEN = "webchannel-test-token"


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
