"""The WebChannel front (``firestore_emulator.webchannel``) asks its access check who opens a channel, and lets the
emulator's security rules decide each target, as the principal the check named.

It asks ``admit`` about the handshake's bearer credentials, then opens the channel's gRPC Listen with that principal
as the caller (an unsigned JWT, as the JS SDK's ``mockUserToken``) and the database prefix, so the emulator's rules
judge every target; it imports nothing of the application. ``tests/cli/test_webchannel.py`` pins the protocol with
the local stack's own access check and ``infra/firestore.rules``.
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
from cli.webchannel_client import BrowserChannel, current, load_rules, removed_with_cause
from google.cloud import firestore

from firestore_emulator.webchannel import ListenBridge

TOKEN = "emulator-front-token"
PRINCIPAL = "reader"
PROJECT = "webchannel-front"  # the session emulator's project with this file's rules
RULES = """rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /things/{id} {
      allow get, list: if request.auth != null && request.auth.uid == resource.data.reader;
    }
  }
}
"""


class OneToken:
    """A ``ListenAccess`` for these tests: ``TOKEN`` stands for ``PRINCIPAL``. It records what it was offered."""

    def __init__(self) -> None:
        self.offered: list[list[str]] = []

    def admit(self, bearer_tokens: Sequence[str]) -> str | None:
        self.offered.append(list(bearer_tokens))
        return PRINCIPAL if TOKEN in bearer_tokens else None


@pytest.fixture
def access() -> OneToken:
    return OneToken()


@pytest.fixture
def owner(firestore_emulator: Any) -> Iterator[firestore.Client]:
    """A server client of ``PROJECT`` (it bypasses rules), emptied, with ``RULES`` loaded for the project."""
    firestore_emulator.reset(PROJECT)
    load_rules(firestore_emulator.http_address, PROJECT, RULES)
    client = firestore.Client(project=PROJECT)
    yield client
    client.close()  # type: ignore[no-untyped-call]  # google-cloud-firestore: untyped


@pytest.fixture
def bridge(firestore_emulator: Any, owner: firestore.Client, access: OneToken) -> Iterator[ListenBridge]:
    bridge = ListenBridge(firestore_emulator.address, access=access, project=PROJECT)
    yield bridge
    bridge.close()


@pytest.fixture
def channel(bridge: ListenBridge) -> BrowserChannel:
    app = flask.Flask("webchannel-front-test")
    bridge.register(app)
    return BrowserChannel(app.test_client(), PROJECT, token=TOKEN)


def document_target(channel: BrowserChannel, name: str, target_id: int) -> dict[str, Any]:
    documents = {"documents": [name]}
    return {"database": channel.database, "addTarget": {"documents": documents, "targetId": target_id}}


def thing(channel: BrowserChannel, thing_id: str, target_id: int) -> dict[str, Any]:
    return document_target(channel, f"{channel.database}/documents/things/{thing_id}", target_id)


def test_the_rules_judge_each_target_as_the_principal_the_access_check_admitted(
    channel: BrowserChannel, access: OneToken, owner: firestore.Client, unique_id: str
) -> None:
    owner.document(f"things/{unique_id}-mine").set({"reader": PRINCIPAL, "say": "allowed"})
    owner.document(f"things/{unique_id}-theirs").set({"reader": "someone-else", "say": "refused-value"})

    channel.open(thing(channel, f"{unique_id}-mine", 2), thing(channel, f"{unique_id}-theirs", 4))
    seen = channel.receive_all(
        lambda message: "allowed" in json.dumps(message), current(2), removed_with_cause(4)
    )

    assert access.offered == [[TOKEN]]
    assert not any(removed_with_cause(2)(message) for message in seen)
    assert "refused-value" not in json.dumps(seen)


def test_a_target_outside_the_channels_database_is_refused_without_reaching_the_emulator(
    channel: BrowserChannel, firestore_emulator: Any, unique_id: str
) -> None:
    other = firestore.Client(project="webchannel-elsewhere")  # no rules there: the emulator would serve it
    other.document(f"things/{unique_id}").set({"reader": PRINCIPAL, "say": "elsewhere-value"})
    other.close()  # type: ignore[no-untyped-call]  # google-cloud-firestore: untyped
    name = f"projects/webchannel-elsewhere/databases/(default)/documents/things/{unique_id}"

    channel.open(document_target(channel, name, 2))
    seen = channel.receive_until(removed_with_cause(2))

    refusal = next(message for message in seen if removed_with_cause(2)(message))
    # the front's own words: the emulator, which words a denial by the rules it evaluated, never saw the target
    assert refusal["targetChange"]["cause"] == {"code": 7, "message": "Missing or insufficient permissions."}
    assert "elsewhere-value" not in json.dumps(seen)
    firestore_emulator.reset("webchannel-elsewhere")


def test_no_credential_is_a_401_and_a_refused_one_a_403_and_neither_opens_a_stream(
    bridge: ListenBridge, access: OneToken
) -> None:
    app = flask.Flask("webchannel-front-test")
    bridge.register(app)
    for token, status in ((None, 401), ("another-token", 403)):
        client = BrowserChannel(app.test_client(), PROJECT, token=token)
        answer = client.client.post(client.url(RID=1, CVER=22), data=client.form(headers=True))
        assert answer.status_code == status, answer.get_data(as_text=True)
        assert "X-HTTP-Session-Id" not in answer.headers
    assert access.offered == [["another-token"]]  # no credential: nothing to ask about
    assert not any(thread.name.startswith("webchannel-") for thread in threading.enumerate())


def test_a_handshake_without_a_database_is_a_400(firestore_emulator: Any, access: OneToken) -> None:
    bridge = ListenBridge(
        firestore_emulator.address, access=access
    )  # no project: the client names the database
    app = flask.Flask("webchannel-front-test")
    bridge.register(app)
    try:
        client = BrowserChannel(app.test_client(), PROJECT, token=TOKEN)
        for database in ("", "projects/p", "nonsense"):
            answer = client.client.post(
                client.url(RID=1, CVER=22, database=database), data=client.form(headers=True)
            )
            assert answer.status_code == 400 and "database=" in answer.get_data(as_text=True)
            assert "X-HTTP-Session-Id" not in answer.headers
    finally:
        bridge.close()


def test_the_front_imports_nothing_of_the_application() -> None:
    probe = "import sys, firestore_emulator.webchannel\nprint(sorted(m for m in sys.modules if m.startswith('tailrun')))"
    answer = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)

    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == "[]"


def test_a_document_change_is_encoded_as_message_to_dict_encodes_it() -> None:
    """A pure unit test of the front's fast encoder: every Value kind, nested, and the other responses unchanged."""
    from google.cloud.firestore_v1.types import firestore as firestore_types
    from google.protobuf import json_format

    from firestore_emulator.webchannel import response_json

    response = firestore_types.ListenResponse.pb()()
    change = response.document_change
    change.target_ids.extend([2, 4])
    change.removed_target_ids.append(6)
    document = change.document
    document.name = "projects/p/databases/(default)/documents/batches/b/rows/000001"
    document.create_time.FromJsonString("2026-12-03T17:00:00.123456Z")
    document.update_time.FromJsonString("2026-12-03T17:00:01Z")
    fields = document.fields
    fields["s"].string_value = "ünï \x1b[31m"
    fields["i"].integer_value = -(2**62)
    fields["d"].double_value = 1.25
    fields["nan"].double_value = float("nan")
    fields["inf"].double_value = float("-inf")
    fields["b"].boolean_value = False
    fields["n"].null_value = 0
    fields["t"].timestamp_value.FromJsonString("2026-01-02T03:04:05.5Z")
    fields["r"].reference_value = "projects/p/databases/(default)/documents/jobs/j"
    fields["y"].bytes_value = b"\x00\xff"
    fields["g"].geo_point_value.latitude = 1.5
    fields["em"].map_value.SetInParent()
    fields["ea"].array_value.SetInParent()
    nested = fields["m"].map_value.fields
    nested["x"].array_value.values.add().integer_value = 3
    nested["x"].array_value.values.add().map_value.fields["deep"].string_value = "yes"
    assert response_json(response) == json_format.MessageToDict(response)

    target = firestore_types.ListenResponse.pb()()
    target.target_change.target_change_type = 2  # CURRENT
    target.target_change.target_ids.append(2)
    assert response_json(target) == json_format.MessageToDict(target)
