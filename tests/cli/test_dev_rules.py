"""A real `tailrun dev` runs under ``infra/firestore.rules``, whichever Firestore emulator it uses: the embedded one
(``Emulator(rules=…)``), one already running (``--firestore-emulator HOST:PORT``: rules loaded over REST) or Google's
(``--firestore-emulator google``); `tailrun emulator --rules FILE` enforces them too. The development identity
(`dev`) sees its jobs through the Listen front, and another user's job, written by the server for `bob`, is refused:
by the emulator itself, not only by the front."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import requests
from google.cloud import firestore
from google.cloud.firestore_v1.types import document as document_types
from google.cloud.firestore_v1.types import firestore as firestore_types
from tailrun_functions import clients
from tailrun_functions.schema import DEV_USER, LOCAL_PROJECT

from firestore_emulator.google import JAR_ENV, unavailable_reason
from firestore_emulator.webchannel import listen_metadata
from tailrun import settings
from tailrun.errors import TailrunError
from tailrun.local.dev import RULES_FILE, DevProcess, spawn

from .stack import TAILRUN, Cli, cli_env, default_sigint, start_dev
from .test_cli import detach
from .test_local_only import DATABASE, HttpChannel, document, removed, token_of

GET_DOCUMENT = "/google.firestore.v1.Firestore/GetDocument"


def read_as(address: str, uid: str, path: str) -> grpc.StatusCode:
    """GetDocument of ``path`` on the stack's emulator as the signed-in user ``uid`` (a client, not the server)."""
    request = firestore_types.GetDocumentRequest(name=f"{DATABASE}/documents/{path}")
    with grpc.insecure_channel(address) as channel:
        get = channel.unary_unary(
            GET_DOCUMENT,
            request_serializer=firestore_types.GetDocumentRequest.serialize,
            response_deserializer=document_types.Document.deserialize,
        )
        try:
            get(request, metadata=listen_metadata(uid, DATABASE), timeout=30)
        except grpc.RpcError as error:
            return error.code()
    return grpc.StatusCode.OK


def firestore_of(stack: DevProcess) -> str:
    """The stack's Firestore emulator, as its configuration names it."""
    config = requests.get(stack.url + settings.CONFIG_PATH, timeout=10).json()
    return str(config["firestore_emulator_host"])


@pytest.fixture
def bobs_job(dev_stack: DevProcess) -> Iterator[str]:
    """A job of another user, `bob`, written with the server's (owner) client into the stack's emulator."""
    db = clients.firestore_client(LOCAL_PROJECT, firestore_of(dev_stack))
    job_id = f"bob-{uuid.uuid4().hex[:8]}"
    db.document(f"jobs/{job_id}").set({"owner": "bob", "status": "running", "argv": ["bob-secret-argv"]})
    db.document(f"jobs/{job_id}/chunks/c1").set({"lines": [{"line": 0, "text": "bob-secret-line"}]})
    yield job_id
    db.close()


def changed(job_id: str, target_id: int) -> Any:
    """A predicate: the message brings the job's document to ``target_id``."""

    def predicate(message: dict[str, Any]) -> bool:
        change = message.get("documentChange", {})
        name = change.get("document", {}).get("name", "")
        return name.endswith(f"/jobs/{job_id}") and target_id in change.get("targetIds", [])

    return predicate


def receive_all(channel: HttpChannel, *predicates: Any) -> list[dict[str, Any]]:
    """The messages received until each predicate has matched one of them (in any order)."""
    seen: list[dict[str, Any]] = []
    for predicate in predicates:
        if not any(predicate(message) for message in seen):
            seen += channel.receive_until(predicate)
    return seen


def assert_dev_sees_its_job_and_not_bobs(url: str, token: str, job_id: str, bobs: str) -> None:
    """Through the stack's Listen front: `dev`'s job, its workspace's jobs query and chunks are served; bob's job
    is refused."""
    channel = HttpChannel(url, token)
    personal = {
        "stringValue": f"personal-{DEV_USER}"
    }  # dev's jobs are in dev's personal workspace (issue 14)
    owned = {"field": {"fieldPath": "workspace_id"}, "op": "EQUAL", "value": personal}
    structured = {"from": [{"collectionId": "jobs"}], "where": {"fieldFilter": owned}}
    mine = {"parent": f"{DATABASE}/documents", "structuredQuery": structured}
    channel.open(
        document(f"jobs/{bobs}", 2),
        document(f"jobs/{bobs}/chunks/c1", 4),
        document(f"jobs/{job_id}", 6),
        {"database": DATABASE, "addTarget": {"targetId": 8, "query": mine}},
    )
    seen = receive_all(channel, removed(2), removed(4), changed(job_id, 6), changed(job_id, 8))
    assert not any(removed(target)(message) for message in seen for target in (6, 8))
    assert "bob-secret" not in json.dumps(seen)


def test_dev_sees_its_jobs_and_is_refused_another_users_under_the_rules(
    dev_stack: DevProcess, cli: Cli, bobs_job: str
) -> None:
    job_id = detach(cli, sys.executable, "-c", "print('dev ran this')")

    assert_dev_sees_its_job_and_not_bobs(dev_stack.url, token_of(dev_stack), job_id, bobs_job)
    address = firestore_of(dev_stack)
    assert read_as(address, DEV_USER, f"jobs/{job_id}") == grpc.StatusCode.OK
    assert read_as(address, DEV_USER, f"jobs/{bobs_job}") == grpc.StatusCode.PERMISSION_DENIED
    assert read_as(address, DEV_USER, f"job_secrets/{job_id}") == grpc.StatusCode.PERMISSION_DENIED


def test_dev_loads_the_rules_into_a_running_emulator(tmp_path: Path, firestore_emulator: Any) -> None:
    stack = start_dev(tmp_path / "state", "--firestore-emulator", firestore_emulator.address)
    try:
        job_id = detach(Cli(stack.url), sys.executable, "-c", "print('elsewhere')")
        db: firestore.Client = clients.firestore_client(LOCAL_PROJECT, firestore_emulator.address)
        db.document(f"jobs/{job_id}-bob").set({"owner": "bob", "status": "running"})
        db.close()  # type: ignore[no-untyped-call]  # google-cloud-firestore: untyped
        assert read_as(firestore_emulator.address, DEV_USER, f"jobs/{job_id}") == grpc.StatusCode.OK
        denied = read_as(firestore_emulator.address, DEV_USER, f"jobs/{job_id}-bob")
        assert denied == grpc.StatusCode.PERMISSION_DENIED
    finally:
        stack.stop()


def test_dev_on_googles_emulator_streams_a_job_under_the_rules(tmp_path: Path) -> None:
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"Google's Firestore emulator cannot run here: {reason}")
    stack = start_dev(tmp_path / "state", "--firestore-emulator", "google")
    try:
        cli = Cli(stack.url)
        answer = cli("run", "--", sys.executable, "-c", "print('on the JVM'); print('second line')")
        assert answer.returncode == 0 and answer.stdout == "on the JVM\nsecond line\n", answer.stderr
        job_id = cli("jobs").stdout.splitlines()[1].split()[0]
        address = firestore_of(stack)
        db = clients.firestore_client(LOCAL_PROJECT, address)
        db.document(f"jobs/{job_id}-bob").set({"owner": "bob", "status": "running", "argv": ["bob-secret"]})
        db.document(f"jobs/{job_id}-bob/chunks/c1").set({"lines": [{"line": 0, "text": "bob-secret-line"}]})
        db.close()

        assert_dev_sees_its_job_and_not_bobs(stack.url, token_of(stack), job_id, f"{job_id}-bob")
        assert read_as(address, DEV_USER, f"jobs/{job_id}-bob") == grpc.StatusCode.PERMISSION_DENIED
    finally:
        assert stack.stop() == 0
    host, _, port = address.rpartition(":")
    with pytest.raises(ConnectionRefusedError):  # the JVM ended with the stack
        socket.create_connection((host, int(port)), timeout=5).close()


def test_dev_without_googles_emulator_says_what_to_install(tmp_path: Path) -> None:
    env = {**cli_env("unused"), JAR_ENV: str(tmp_path / "no-such.jar")}
    with pytest.raises(TailrunError) as failure:
        spawn(tmp_path / "state", "--in-memory", "--firestore-emulator", "google", env=env)

    assert "google-cloud-cli-firestore-emulator" in str(failure.value) and "Java" in str(failure.value)


def test_dev_refuses_a_firestore_emulator_that_is_neither_google_nor_host_port(tmp_path: Path) -> None:
    with pytest.raises(TailrunError) as failure:
        start_dev(tmp_path / "state", "--firestore-emulator", "gogle")

    assert "HOST:PORT or 'google', got 'gogle'" in str(failure.value)


def test_the_emulator_command_enforces_the_rules_it_is_given(tmp_path: Path) -> None:
    """`tailrun emulator --rules FILE` hands the file to the embedded emulator: clients are judged by it, the
    server (the owner) is not."""
    process = subprocess.Popen(
        [*TAILRUN, "emulator", "--port", "0", "--rules", str(RULES_FILE)],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    try:
        assert process.stdout is not None
        address = process.stdout.readline().split("grpc=")[1].split()[0]
        db = clients.firestore_client(LOCAL_PROJECT, address)
        db.document(f"workspaces/personal-{DEV_USER}").set(
            {"member_uids": [DEV_USER]}
        )  # as the functions make it
        db.document("jobs/mine").set({"owner": DEV_USER, "status": "running"})
        db.document("jobs/theirs").set({"owner": "bob", "status": "running"})
        db.close()

        assert read_as(address, DEV_USER, "jobs/mine") == grpc.StatusCode.OK
        assert read_as(address, DEV_USER, "jobs/theirs") == grpc.StatusCode.PERMISSION_DENIED
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
