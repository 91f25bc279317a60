"""The harness for Google's Firestore emulator (``tests/google_firestore.py``), against the real JVM.

What the rules tests and the ``TAILRUN_TEST_FIRESTORE=google`` switch rely on: stopping ends the JVM itself, a
port that is taken fails start-up with the emulator's own words, rules that do not compile are refused with the
compiler's message, and ``reset`` leaves the project empty.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.cloud import firestore
from google.cloud.firestore_v1.types import document as document_types
from google.cloud.firestore_v1.types import firestore as firestore_types
from google_firestore import GoogleEmulator, unavailable_reason

GetDocumentRequest = firestore_types.GetDocumentRequest.pb()
Document = document_types.Document.pb()
CLOSED_RULES = """rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /{document=**} {
      allow read, write: if false;
    }
  }
}
"""


@pytest.fixture
def own_emulator() -> Iterator[GoogleEmulator]:
    """An emulator of the test's own (not the session's), for tests that stop or crowd it."""
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"Google's Firestore emulator cannot run here: {reason}")
    emulator = GoogleEmulator().start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def client_of(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Makes ``firestore.Client``s against a given emulator; closes them at the end."""
    clients: list[Any] = []

    def make(emulator: GoogleEmulator, project: str) -> Any:
        monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", emulator.address)
        client: Any = firestore.Client(project=project)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def test_stop_ends_the_jvm_itself(own_emulator: GoogleEmulator) -> None:
    assert own_emulator.process is not None
    pid = own_emulator.process.pid
    host, port = own_emulator.address.rsplit(":", 1)
    own_emulator.stop()
    assert not os.path.exists(f"/proc/{pid}")
    with pytest.raises(ConnectionRefusedError), socket.create_connection((host, int(port)), timeout=5):
        pass


def test_a_taken_port_fails_start_up_with_the_emulators_words(google_firestore: GoogleEmulator) -> None:
    port = int(google_firestore.address.rsplit(":", 1)[1])
    crowded = GoogleEmulator(port=port)
    with pytest.raises(RuntimeError, match="exited during start-up") as failure:
        crowded.start()
    assert "Address already in use" in str(failure.value)
    assert crowded.process is None


def test_rules_that_do_not_compile_are_refused_with_the_compilers_message(
    google_firestore: GoogleEmulator,
) -> None:
    with pytest.raises(RuntimeError, match=r"answered 400: .*Error compiling rules"):
        google_firestore.set_rules(
            "service cloud.firestore { match /x { allow read: if tru e; } }", "harness"
        )


def test_rules_set_for_a_project_refuse_its_clients_but_not_the_owner_token(
    google_firestore: GoogleEmulator, client_of: Any
) -> None:
    google_firestore.set_rules(CLOSED_RULES, "harness-rules")
    admin = client_of(
        google_firestore, "harness-rules"
    )  # server libraries send the owner token: rules bypassed
    admin.document("c/d").set({"n": 1})
    name = f"{admin._database_string}/documents/c/d"
    with grpc.insecure_channel(google_firestore.address) as channel:
        get = channel.unary_unary(
            "/google.firestore.v1.Firestore/GetDocument",
            request_serializer=GetDocumentRequest.SerializeToString,
            response_deserializer=Document.FromString,
        )
        with pytest.raises(grpc.RpcError) as refused:
            get(GetDocumentRequest(name=name))  # no token: evaluated, and the rules allow nothing
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
        owner = get(GetDocumentRequest(name=name), metadata=[("authorization", "Bearer owner")])
        assert owner.fields["n"].integer_value == 1


def test_reset_leaves_the_project_empty_and_others_alone(
    google_firestore: GoogleEmulator, client_of: Any
) -> None:
    cleared, kept = client_of(google_firestore, "harness-a"), client_of(google_firestore, "harness-b")
    cleared.document("c/d").set({"n": 1})
    kept.document("c/d").set({"n": 2})
    google_firestore.reset("harness-a")
    assert not cleared.document("c/d").get().exists
    assert kept.document("c/d").get().to_dict() == {"n": 2}
