"""The WebChannel front relays a browser's Listen channel to the emulator's gRPC Listen, as the Firebase SDK uses it.

These tests speak the protocol as Closure's WebChannel client does (handshake POST, back-channel GETs, forward
POSTs, terminate; ``webchannel_client``), to pin its details, with the front set up as `tailrun dev` sets it up
(``conftest.py``: the development token, acting as `dev`, in front of an emulator enforcing ``infra/firestore.rules``);
``test_listen_rules.py`` goes through each rule, ``tests/emulator/test_webchannel.py`` pins what the front asks its
access check and forwards to the emulator, and ``test_viewer_browser.py`` runs the real SDK in headless Chromium.
"""

from __future__ import annotations

import json
from typing import Any

import flask
import pytest
from google.cloud import firestore

from firestore_emulator.webchannel import ListenBridge

from .webchannel_client import RULES_PROJECT, TOKEN, BrowserChannel, current, removed_with_cause


def document_target(channel: BrowserChannel, path: str, target_id: int = 2) -> dict[str, Any]:
    return {
        "database": channel.database,
        "addTarget": {
            "documents": {"documents": [f"{channel.database}/documents/{path}"]},
            "targetId": target_id,
        },
    }


def changed_status(message: dict[str, Any]) -> str | None:
    fields = message.get("documentChange", {}).get("document", {}).get("fields", {})
    return fields.get("status", {}).get("stringValue")


def test_a_listen_channel_sees_a_document_and_its_changes(
    channel: BrowserChannel, owner_client: firestore.Client, unique_id: str
) -> None:
    job = owner_client.document(f"jobs/{unique_id}")
    job.set({"status": "running", "owner": "dev"})
    handshake = channel.open(document_target(channel, f"jobs/{unique_id}"))
    assert handshake == [[[0, ["c", channel.sid, "", 8, 0, 10000]]]]
    first = channel.receive_until(lambda message: changed_status(message) == "running")
    assert first[0]["targetChange"]["targetChangeType"] == "ADD"
    job.update({"status": "succeeded"})
    channel.receive_until(lambda message: changed_status(message) == "succeeded")


def test_a_forward_message_removes_a_target(
    channel: BrowserChannel, owner_client: firestore.Client, unique_id: str
) -> None:
    owner_client.document(f"jobs/{unique_id}").set({"status": "running", "owner": "dev"})
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
    credential = channel.form(headers=True)["headers"]
    answer = channel.client.post(
        channel.url(RID=1),
        data={"headers": credential, "count": "1", "ofs": "0", "req0___data__": "{not json"},
    )
    assert answer.status_code == 400
    answer = channel.client.post(
        channel.url(RID=1),
        data={
            "headers": credential,
            "count": "1",
            "ofs": "0",
            "req0___data__": json.dumps({"addTarget": "nonsense"}),
        },
    )
    assert answer.status_code == 400


# The credential: a handshake without the token opens nothing.


def no_stream_opened(bridge: ListenBridge) -> bool:
    import threading

    return not bridge._channels and not any(t.name.startswith("webchannel-") for t in threading.enumerate())


def test_a_handshake_without_a_credential_is_refused_and_opens_no_stream(
    bridge: ListenBridge, owner_client: firestore.Client, unique_id: str
) -> None:
    owner_client.document(f"jobs/{unique_id}").set({"status": "running", "owner": "dev"})
    app = flask.Flask("webchannel-test")
    bridge.register(app)
    anonymous = BrowserChannel(app.test_client(), RULES_PROJECT, token=None)
    answer = anonymous.client.post(
        anonymous.url(RID=1, CVER=22),
        data=anonymous.form(document_target(anonymous, f"jobs/{unique_id}"), headers=True),
    )
    assert answer.status_code == 401
    assert "X-HTTP-Session-Id" not in answer.headers and "running" not in answer.get_data(as_text=True)
    wrong = BrowserChannel(app.test_client(), RULES_PROJECT, token="not-the-token")
    answer = wrong.client.post(
        wrong.url(RID=1, CVER=22), data=wrong.form(document_target(wrong, f"jobs/{unique_id}"), headers=True)
    )
    assert answer.status_code == 403
    assert no_stream_opened(bridge)


def test_the_credential_may_come_as_a_header_or_in_the_headers_overwrite_parameter(
    bridge: ListenBridge,
) -> None:
    from urllib.parse import quote

    app = flask.Flask("webchannel-test")
    bridge.register(app)
    channel = BrowserChannel(app.test_client(), RULES_PROJECT, token=None)
    as_header = channel.client.post(
        channel.url(RID=1, CVER=22), data=channel.form(), headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert as_header.status_code == 200 and as_header.headers["X-HTTP-Session-Id"]
    overwrite = quote(f"Authorization:Bearer {TOKEN}\r\n", safe="")
    as_param = channel.client.post(
        channel.url(RID=1, CVER=22, **{"$httpHeaders": overwrite}), data=channel.form()
    )
    assert as_param.status_code == 200 and as_param.headers["X-HTTP-Session-Id"]
    other_project = channel.client.post(
        channel.url(RID=1, database="projects/other/databases/(default)"),
        data=channel.form(),
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert other_project.status_code == 403


# The rules (infra/firestore.rules, enforced by the emulator for the user the front forwards), over the protocol.


def query_target(
    channel: BrowserChannel,
    parent: str,
    collection: str,
    target_id: int,
    *,
    owner: str | None = None,
    all_descendants: bool = False,
) -> dict[str, Any]:
    structured: dict[str, Any] = {"from": [{"collectionId": collection, "allDescendants": all_descendants}]}
    if owner is not None:
        structured["where"] = {
            "fieldFilter": {
                "field": {"fieldPath": "workspace_id"},  # the owner's personal workspace's jobs (issue 14)
                "op": "EQUAL",
                "value": {"stringValue": f"personal-{owner}"},
            }
        }
    root = f"{channel.database}/documents"
    return {
        "database": channel.database,
        "addTarget": {
            "query": {"parent": f"{root}/{parent}" if parent else root, "structuredQuery": structured},
            "targetId": target_id,
        },
    }


@pytest.mark.parametrize(
    "path",
    [
        "job_secrets/{id}",
        "attempt_tokens/{id}_1",
        "idempotency/{id}",
        "artifact_uploads/{id}",
        "jobs/{id}-alice",
        "jobs/{id}-missing",
        "jobs/{id}-alice/chunks/c1",
        "users/alice/artifacts/a1",
        "unknown/{id}",
    ],
)
def test_a_document_the_rules_refuse_is_removed_with_permission_denied(
    channel: BrowserChannel, owner_client: firestore.Client, unique_id: str, path: str
) -> None:
    owner_client.document(f"job_secrets/{unique_id}").set({"env": {"API_KEY": "sk-secret-value"}})
    owner_client.document(f"attempt_tokens/{unique_id}_1").set({"hash": "sk-secret-value"})
    owner_client.document(f"jobs/{unique_id}-alice").set({"owner": "alice", "status": "sk-secret-value"})
    owner_client.document(f"jobs/{unique_id}-alice/chunks/c1").set({"lines": [{"text": "sk-secret-value"}]})
    owner_client.document("users/alice/artifacts/a1").set({"name": "sk-secret-value"})

    channel.open(document_target(channel, path.format(id=unique_id), target_id=4))
    seen = channel.receive_until(removed_with_cause(4))

    assert "sk-secret-value" not in json.dumps(seen)


@pytest.mark.parametrize(
    "parent, collection, owner, all_descendants",
    [
        ("", "jobs", None, False),  # rules are not filters: a query that could return another user's job
        ("", "jobs", "alice", False),
        ("", "chunks", None, True),  # collection-group queries
        ("", "job_secrets", None, True),
        ("", "job_secrets", None, False),
        ("", "attempt_tokens", None, False),
        ("jobs/{id}-alice", "chunks", None, False),
        ("jobs/{id}-alice", "attempts", None, False),
        ("users/alice", "artifacts", None, False),
    ],
)
def test_a_query_the_rules_refuse_is_removed_with_permission_denied(
    channel: BrowserChannel,
    owner_client: firestore.Client,
    unique_id: str,
    parent: str,
    collection: str,
    owner: str | None,
    all_descendants: bool,
) -> None:
    owner_client.document(f"job_secrets/{unique_id}").set({"env": {"API_KEY": "sk-secret-value"}})
    owner_client.document(f"jobs/{unique_id}-alice").set({"owner": "alice", "status": "sk-secret-value"})
    owner_client.document(f"jobs/{unique_id}-alice/chunks/c1").set({"lines": [{"text": "sk-secret-value"}]})

    channel.open(
        query_target(
            channel, parent.format(id=unique_id), collection, 6, owner=owner, all_descendants=all_descendants
        )
    )
    seen = channel.receive_until(removed_with_cause(6))

    assert "sk-secret-value" not in json.dumps(seen)


def test_the_owner_listens_to_the_job_its_output_and_its_jobs_beside_a_refused_target(
    channel: BrowserChannel, owner_client: firestore.Client, unique_id: str
) -> None:
    job = owner_client.document(f"jobs/{unique_id}")
    job.set({"owner": "dev", "workspace_id": "personal-dev", "status": "running"})
    job.collection("chunks").document("c1").set({"lines": [{"line": 0, "text": "owner's line"}]})
    owner_client.document(f"job_secrets/{unique_id}").set({"env": {"API_KEY": "sk-secret-value"}})

    channel.open(
        document_target(channel, f"job_secrets/{unique_id}", target_id=2),
        document_target(channel, f"jobs/{unique_id}", target_id=4),
        query_target(channel, f"jobs/{unique_id}", "chunks", 6),
        query_target(channel, "", "jobs", 8, owner="dev"),
        query_target(channel, "users/dev", "artifacts", 10),
    )
    seen = channel.receive_all(lambda message: "owner's line" in json.dumps(message), current(10))

    assert any(removed_with_cause(2)(message) for message in seen)
    assert not any(removed_with_cause(target)(message) for message in seen for target in (4, 6, 8, 10))
    changed = [message["documentChange"] for message in seen if "documentChange" in message]
    assert {
        target
        for change in changed
        if change["document"]["name"].endswith(unique_id)
        for target in change["targetIds"]
    } == {4, 8}
    assert "sk-secret-value" not in json.dumps(seen)
    channel.send({"database": channel.database, "removeTarget": 2})  # a refused target: nothing to forward
    job.update({"status": "succeeded"})
    channel.receive_until(lambda message: changed_status(message) == "succeeded")
