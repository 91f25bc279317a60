"""Security rules through the real gRPC server: clients with unsigned JWTs (as the JS SDK's ``mockUserToken`` and
rules-unit-testing send them) against the owner (what server libraries send), with tailrun's own
``infra/firestore.rules`` loaded over REST as rules-unit-testing loads them, and with ``Emulator(rules=…)``."""

from __future__ import annotations

import datetime
import json
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.api_core import exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from firestore_emulator import Emulator
from firestore_emulator.rules import unsigned_jwt

RULES = (Path(__file__).parents[2] / "infra" / "firestore.rules").read_text()
WATCH_TIMEOUT_SECONDS = 10.0


class ClientAs(firestore.Client):  # type: ignore[misc]
    """A real client that sends a chosen bearer token (None: no authorization at all) instead of ``owner``, to
    the emulator at ``host`` (default: ``FIRESTORE_EMULATOR_HOST``)."""

    def __init__(self, project: str, token: str | None, host: str | None = None) -> None:
        super().__init__(project=project, credentials=AnonymousCredentials())
        self._token = token
        if host is not None:
            self._emulator_host = host  # read only when the first call opens the channel

    @property
    def _rpc_metadata(self) -> list[tuple[str, str]]:
        metadata = [(k, v) for k, v in super()._rpc_metadata if k != "authorization"]
        return metadata if self._token is None else [*metadata, ("authorization", f"Bearer {self._token}")]


def put_rules(address: str, project: str, body: object) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"http://{address}/emulator/v1/projects/{project}:securityRules",
        data=json.dumps(body).encode(),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with direct.open(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def ruleset_body(source: str) -> dict[str, Any]:
    return {"rules": {"files": [{"content": source, "name": "firestore.rules"}]}}


@pytest.fixture
def project(firestore_emulator: Emulator) -> Iterator[str]:
    """A project of its own under tailrun's rules (the shared test project keeps no rules)."""
    name = f"rules-{uuid.uuid4().hex[:10]}"
    assert put_rules(firestore_emulator.http_address, name, ruleset_body(RULES)) == (200, {})
    yield name
    firestore_emulator.reset(name)


@pytest.fixture
def admin(project: str) -> Iterator[firestore.Client]:
    client = firestore.Client(project=project)
    yield client
    client.close()


@pytest.fixture
def alice(project: str) -> Iterator[firestore.Client]:
    client = ClientAs(project, unsigned_jwt({"sub": "alice", "email": "alice@example.com"}))
    yield client
    client.close()


@pytest.fixture
def signed_out(project: str) -> Iterator[firestore.Client]:
    client = ClientAs(project, None)
    yield client
    client.close()


MINE = {"owner": "alice", "workspace_id": "personal-alice", "state": "running"}
MY_JOBS = FieldFilter("workspace_id", "==", "personal-alice")  # the constraint lists of jobs carry (issue 14)


@pytest.fixture
def jobs(admin: firestore.Client) -> None:
    """alice's job (with a chunk) in her personal workspace, bob's job, and a server-only secret; written by the
    owner, past the rules."""
    admin.document("workspaces/personal-alice").set({"member_uids": ["alice"]})
    admin.document("jobs/mine").set(MINE)
    admin.document("jobs/mine/chunks/c1").set({"text": "hello"})
    admin.document("jobs/theirs").set({"owner": "bob"})
    admin.document("jobs/theirs/chunks/c1").set({"text": "secret"})
    admin.document("job_secrets/mine").set({"value": "s3cret"})


def denied(call: Any) -> str:
    with pytest.raises(exceptions.PermissionDenied) as caught:
        call()
    return str(caught.value.message)


@pytest.mark.usefixtures("jobs")
def test_a_user_reads_her_own_job_and_its_chunks(alice: firestore.Client) -> None:
    assert alice.document("jobs/mine").get().to_dict() == MINE
    assert alice.document("jobs/mine/chunks/c1").get().to_dict() == {"text": "hello"}  # via get() in ownsJob


@pytest.mark.usefixtures("jobs")
def test_another_users_job_and_server_only_documents_are_refused(alice: firestore.Client) -> None:
    assert "false for 'get'" in denied(alice.document("jobs/theirs").get)
    denied(alice.document("jobs/theirs/chunks/c1").get)
    denied(alice.document("job_secrets/mine").get)
    assert "Null value error." in denied(alice.document("jobs/nothing-here").get)  # missing: no resource.data


@pytest.mark.usefixtures("jobs")
def test_signed_out_clients_read_nothing(signed_out: firestore.Client) -> None:
    denied(signed_out.document("jobs/mine").get)
    denied(lambda: list(signed_out.collection("jobs").where(filter=MY_JOBS).stream()))


@pytest.mark.usefixtures("jobs")
def test_a_list_needs_the_owner_constraint_whatever_it_returns(
    admin: firestore.Client, alice: firestore.Client
) -> None:
    mine = alice.collection("jobs").where(filter=MY_JOBS)
    assert [d.id for d in mine.stream()] == ["mine"]
    admin.document("jobs/theirs").delete()  # now every job is alice's, and still the bare list is refused
    assert "Property workspace_id is undefined on object." in denied(
        lambda: list(alice.collection("jobs").stream())
    )


def test_a_workspace_query_that_returns_nothing_is_allowed(
    admin: firestore.Client, alice: firestore.Client
) -> None:
    admin.document("workspaces/personal-alice").set({"member_uids": ["alice"]})  # a member, of no job yet
    assert list(alice.collection("jobs").where(filter=MY_JOBS).stream()) == []
    denied(
        lambda: list(
            alice.collection("jobs").where(filter=FieldFilter("workspace_id", "==", "personal-bob")).stream()
        )
    )


@pytest.mark.usefixtures("jobs")
def test_subcollection_lists_aggregations_and_list_documents(alice: firestore.Client) -> None:
    assert [d.id for d in alice.collection("jobs/mine/chunks").stream()] == ["c1"]
    denied(lambda: list(alice.collection("jobs/theirs/chunks").stream()))
    mine = alice.collection("jobs").where(filter=MY_JOBS)
    assert mine.count().get()[0][0].value == 1
    denied(lambda: alice.collection("jobs").count().get())
    denied(lambda: list(alice.collection("jobs").list_documents()))


@pytest.mark.usefixtures("jobs")
def test_batch_get_is_refused_when_any_document_is(alice: firestore.Client) -> None:
    assert [s.id for s in alice.get_all([alice.document("jobs/mine")])] == ["mine"]
    denied(lambda: list(alice.get_all([alice.document("jobs/mine"), alice.document("jobs/theirs")])))


@pytest.mark.usefixtures("jobs")
def test_clients_write_nothing_and_the_owner_bypasses_the_rules(
    admin: firestore.Client, alice: firestore.Client
) -> None:
    assert "false for 'update'" in denied(lambda: alice.document("jobs/mine").update({"state": "hacked"}))
    denied(lambda: alice.document("jobs/new").set({"owner": "alice"}))
    denied(alice.document("jobs/mine").delete)
    batch = alice.batch()
    batch.set(alice.document("jobs/a"), {"owner": "alice"})
    denied(batch.commit)
    assert admin.document("jobs/mine").get().to_dict() == MINE
    assert not admin.document("jobs/new").get().exists and not admin.document("jobs/a").get().exists
    admin.document("job_secrets/mine").update({"value": "rotated"})  # the owner: no rules


@pytest.mark.usefixtures("jobs")
def test_reads_inside_a_transaction_are_decided_too(alice: firestore.Client) -> None:
    @firestore.transactional  # type: ignore[misc]
    def read(transaction: firestore.Transaction, name: str) -> Any:
        return alice.document(name).get(transaction=transaction).to_dict()

    assert read(alice.transaction(), "jobs/mine") == MINE
    denied(lambda: read(alice.transaction(), "jobs/theirs"))


@pytest.mark.usefixtures("jobs")
def test_listeners_on_refused_targets_fail_and_allowed_ones_see_changes(
    admin: firestore.Client, alice: firestore.Client
) -> None:
    snapshots: list[Any] = []
    changed = threading.Event()

    def on_snapshot(docs: list[Any], changes: Any, read_time: Any) -> None:
        snapshots.append([d.to_dict() for d in docs])
        if any(d and d.get("state") == "done" for d in snapshots[-1]):
            changed.set()

    watch = alice.collection("jobs").where(filter=MY_JOBS).on_snapshot(on_snapshot)
    try:
        admin.document("jobs/mine").update({"state": "done"})
        assert changed.wait(WATCH_TIMEOUT_SECONDS), snapshots
    finally:
        watch.unsubscribe()
    channel = grpc.insecure_channel(alice._emulator_host)
    listen = channel.stream_stream(
        "/google.firestore.v1.Firestore/Listen",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=lambda b: b,
    )
    from firestore_emulator import protos as P

    request = P.ListenRequest(database=alice._database_string)
    request.add_target.target_id = 1
    request.add_target.documents.documents.append(f"{alice._database_string}/documents/jobs/theirs")
    from google.cloud.firestore_v1.types import firestore as types

    call = listen(
        iter([request]), metadata=[("authorization", f"Bearer {alice._token}")], timeout=WATCH_TIMEOUT_SECONDS
    )
    added, removed = (
        types.ListenResponse.deserialize(next(call)) for _ in range(2)
    )  # as Google's emulator answers
    assert added.target_change.target_change_type == types.TargetChange.TargetChangeType.ADD
    assert removed.target_change.target_change_type == types.TargetChange.TargetChangeType.REMOVE
    assert removed.target_change.cause.code == grpc.StatusCode.PERMISSION_DENIED.value[0]
    assert "false for 'get'" in removed.target_change.cause.message
    call.cancel()
    channel.close()


def test_a_bad_ruleset_is_a_400_with_the_compile_error_and_the_rules_stay(
    firestore_emulator: Emulator, project: str, alice: firestore.Client
) -> None:
    status, body = put_rules(
        firestore_emulator.http_address, project, ruleset_body("service cloud.firestore { match")
    )
    assert status == 400
    assert body["error"]["status"] == "INVALID_ARGUMENT"
    assert body["error"]["message"].startswith("Error compiling rules:\nL1:")
    assert put_rules(firestore_emulator.http_address, project, {"rules": {}})[0] == 400
    denied(alice.document("job_secrets/x").get)  # tailrun's rules are still in force


@pytest.mark.parametrize("token", [unsigned_jwt({"sub": "anyone"}), "not-a-jwt", None])
def test_without_rules_every_client_is_allowed(firestore_emulator: Emulator, token: str | None) -> None:
    client = ClientAs(f"open-{uuid.uuid4().hex[:10]}", token)
    client.document("jobs/x").set({"owner": "someone else"})
    assert client.document("jobs/x").get().exists
    client.close()


def test_batch_write_is_for_the_owner_only_under_rules(
    admin: firestore.Client, alice: firestore.Client
) -> None:
    writes = [{"update": {"name": f"{alice._database_string}/documents/jobs/b", "fields": {}}}]
    request = {"database": alice._database_string, "writes": writes}
    with pytest.raises(exceptions.PermissionDenied, match=r"Batch writes require admin authentication\."):
        alice._firestore_api.batch_write(request=request, metadata=alice._rpc_metadata)
    assert not admin.document("jobs/b").get().exists
    response = admin._firestore_api.batch_write(request=request, metadata=admin._rpc_metadata)
    assert [status.code for status in response.status] == [0]


def test_a_token_that_is_not_a_jwt_is_invalid(project: str) -> None:
    client = ClientAs(project, "garbage")
    with pytest.raises(exceptions.InvalidArgument, match="invalid jwt"):
        client.document("jobs/x").get()
    client.close()


def test_rules_given_to_the_emulator_apply_to_every_project_and_see_writes_after() -> None:
    source = """rules_version = '2';
service cloud.firestore {
  match /databases/{db}/documents {
    match /posts/{post} {
      allow read: if true;
      allow create: if request.auth.token.email.matches('.*@example[.]com')
        && getAfter(/databases/$(db)/documents/counts/$(post)).data.n == 1;
    }
    match /counts/{post} {
      allow create: if existsAfter(/databases/$(db)/documents/posts/$(post));
    }
  }
}"""
    with Emulator(rules=source) as emulator, pytest.MonkeyPatch.context() as patch:
        patch.setenv("FIRESTORE_EMULATOR_HOST", emulator.address)
        client = ClientAs("any-project", unsigned_jwt({"user_id": "u", "email": "u@example.com"}))
        denied(lambda: client.document("posts/p1").set({"title": "alone"}))  # no count written with it
        batch = client.batch()
        batch.set(client.document("posts/p1"), {"title": "with its count"})
        batch.set(client.document("counts/p1"), {"n": 1})
        batch.commit()
        assert client.document("posts/p1").get().to_dict() == {"title": "with its count"}
        other = ClientAs("any-project", unsigned_jwt({"sub": "v", "email": "v@elsewhere.org"}))
        batch = other.batch()
        batch.set(other.document("posts/p2"), {"title": "x"})
        batch.set(other.document("counts/p2"), {"n": 1})
        assert "false for 'create'" in denied(batch.commit)
        client.close()
        other.close()


def test_an_emulator_given_rules_that_do_not_compile_does_not_start() -> None:
    from firestore_emulator.rules import RulesSyntaxError

    with pytest.raises(RulesSyntaxError), Emulator(rules="service cloud.firestore { oops }"):
        pass


def test_a_listen_stream_without_targets_ends_when_the_client_half_closes(alice: firestore.Client) -> None:
    """The JS SDK half-closes at terminate() and waits for the end (rules-unit-testing's cleanup does so)."""
    from firestore_emulator import protos as P

    added = P.ListenRequest(database=alice._database_string)
    added.add_target.target_id = 1
    added.add_target.documents.documents.append(f"{alice._database_string}/documents/jobs/mine")
    removed = P.ListenRequest(database=alice._database_string, remove_target=1)
    sent = threading.Event()

    def requests() -> Iterator[Any]:
        yield added
        assert sent.wait(WATCH_TIMEOUT_SECONDS)
        yield removed  # then the iterator ends: the client half-closes with no target left

    with grpc.insecure_channel(alice._emulator_host) as channel:
        listen = channel.stream_stream(
            "/google.firestore.v1.Firestore/Listen",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=P.ListenResponse.FromString,
        )
        call = listen(requests(), metadata=[("authorization", "Bearer owner")], timeout=WATCH_TIMEOUT_SECONDS)
        kinds = []
        for response in call:  # ends by itself: a stream still open would end in DEADLINE_EXCEEDED instead
            kinds.append(response.target_change.target_change_type)
            if response.target_change.target_change_type == P.TargetChange.TargetChangeType.CURRENT:
                sent.set()
        assert call.code() == grpc.StatusCode.OK
        assert kinds[-1] == P.TargetChange.TargetChangeType.REMOVE


def test_a_server_timestamp_equals_request_time(firestore_emulator: Emulator) -> None:
    project = f"stamps-{uuid.uuid4().hex[:10]}"
    source = (
        "rules_version = '2';\nservice cloud.firestore { match /databases/{d}/documents {\n"
        "  match /notes/{id} { allow create: if request.resource.data.at == request.time; }\n} }"
    )
    assert put_rules(firestore_emulator.http_address, project, ruleset_body(source)) == (200, {})
    client = ClientAs(project, unsigned_jwt({"sub": "u"}))
    client.document("notes/now").set({"at": firestore.SERVER_TIMESTAMP})
    denied(
        lambda: client.document("notes/then").set({"at": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)})
    )
    client.close()


@pytest.mark.parametrize(
    ("rule", "outcome"),
    [
        ("allow update: if false;", exceptions.PermissionDenied),
        ("allow update: if true;", exceptions.NotFound),
    ],
)
def test_rules_come_before_preconditions(
    firestore_emulator: Emulator, rule: str, outcome: type[Exception]
) -> None:
    project = f"order-{uuid.uuid4().hex[:10]}"
    source = f"rules_version = '2';\nservice cloud.firestore {{ match /databases/{{d}}/documents {{\n  match /x/{{id}} {{ {rule} }}\n}} }}"
    assert put_rules(firestore_emulator.http_address, project, ruleset_body(source)) == (200, {})
    client = ClientAs(project, unsigned_jwt({"sub": "u"}))
    with pytest.raises(outcome):
        client.document("x/missing").update({"a": 1})  # an update of a missing document: exists=true
    client.close()


def test_rules_loaded_after_a_listen_stream_opened_apply_to_its_later_targets(
    firestore_emulator: Emulator,
) -> None:
    import queue

    from firestore_emulator import protos as P

    project = f"late-{uuid.uuid4().hex[:10]}"
    database = f"projects/{project}/databases/(default)"
    outgoing: queue.Queue[Any] = queue.Queue()

    def target(target_id: int) -> Any:
        request = P.ListenRequest(database=database)
        request.add_target.target_id = target_id
        request.add_target.documents.documents.append(f"{database}/documents/jobs/x")
        return request

    with grpc.insecure_channel(firestore_emulator.address) as channel:
        listen = channel.stream_stream(
            "/google.firestore.v1.Firestore/Listen",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=P.ListenResponse.FromString,
        )
        token = unsigned_jwt({"sub": "alice"})
        call = listen(
            iter(outgoing.get, None),
            metadata=[("authorization", f"Bearer {token}")],
            timeout=WATCH_TIMEOUT_SECONDS,
        )
        outgoing.put(target(1))
        changes = (r.target_change for r in call if r.WhichOneof("response_type") == "target_change")
        assert next(c for c in changes if c.target_change_type == P.TargetChange.TargetChangeType.CURRENT)
        assert put_rules(firestore_emulator.http_address, project, ruleset_body(RULES)) == (200, {})
        outgoing.put(target(2))
        removed = next(c for c in changes if c.target_change_type == P.TargetChange.TargetChangeType.REMOVE)
        assert list(removed.target_ids) == [2]
        assert removed.cause.code == grpc.StatusCode.PERMISSION_DENIED.value[0]
        outgoing.put(None)
        call.cancel()
