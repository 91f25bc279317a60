"""What `dev` may listen to through the local stack's front is what ``infra/firestore.rules`` says, decided by the
emulator the front forwards `dev` to: each rule in a table, every target answered over the protocol by the real
emulator (the protocol's details are in test_webchannel.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import flask
import pytest
from google.cloud import firestore

from firestore_emulator.webchannel import ListenBridge
from tailrun.local.access import DevAccess

from .webchannel_client import TOKEN, BrowserChannel, current, removed_with_cause

TARGET = 2  # the target id of every case
# the jobs of every case, their owners and their workspaces ("old" was written before workspaces: none)
OWNERS = {"mine": "dev", "theirs": "alice", "team": "alice", "old": "dev"}
PLACES = {"mine": "personal-dev", "theirs": "personal-alice", "team": "team"}
WORKSPACES = {  # workspace id → members and roles: dev is a viewer of alice's "team"
    "personal-dev": {"dev": "owner"},
    "personal-alice": {"alice": "owner"},
    "team": {"alice": "owner", "dev": "viewer"},
}


@pytest.fixture
def jobs(owner_client: firestore.Client) -> firestore.Client:
    """``OWNERS``' jobs in their workspaces (``PLACES``; "old" was written before workspaces), each with a chunk, an
    attempt and an artifact, and each user's artifact, written as the server writes them."""
    for workspace_id, roles in WORKSPACES.items():
        owner_client.document(f"workspaces/{workspace_id}").set(
            {"roles": roles, "member_uids": sorted(roles)}
        )
    for job_id, owner in OWNERS.items():
        job = owner_client.document(f"jobs/{job_id}")
        placed = {"workspace_id": PLACES[job_id]} if job_id in PLACES else {}
        job.set({"owner": owner, "status": "running", **placed})
        for child in ("chunks/c1", "attempts/1", "artifacts/a"):
            job.collection(child.split("/")[0]).document(child.split("/")[1]).set({"job": job_id})
        owner_client.document(f"users/{owner}/artifacts/a").set({"job": job_id})
    return owner_client


def document_target(channel: BrowserChannel, *paths: str) -> dict[str, Any]:
    names = [f"{channel.database}/documents/{path}" for path in paths]
    return {
        "database": channel.database,
        "addTarget": {"targetId": TARGET, "documents": {"documents": names}},
    }


def query_target(
    channel: BrowserChannel,
    parent: str,
    collection: str,
    where: dict[str, Any] | None = None,
    *,
    group: bool = False,
) -> dict[str, Any]:
    structured: dict[str, Any] = {"from": [{"collectionId": collection, "allDescendants": group}]}
    if where is not None:
        structured["where"] = where
    root = f"{channel.database}/documents"
    query = {"parent": f"{root}/{parent}" if parent else root, "structuredQuery": structured}
    return {"database": channel.database, "addTarget": {"targetId": TARGET, "query": query}}


def owner_is(uid: str, op: str = "EQUAL") -> dict[str, Any]:
    return {"fieldFilter": {"field": {"fieldPath": "owner"}, "op": op, "value": {"stringValue": uid}}}


def in_workspace(workspace_id: str) -> dict[str, Any]:
    """``workspace_id == W``: the constraint every list of jobs carries (issue 14)."""
    return {
        "fieldFilter": {
            "field": {"fieldPath": "workspace_id"},
            "op": "EQUAL",
            "value": {"stringValue": workspace_id},
        }
    }


def member_is(uid: str) -> dict[str, Any]:
    return {
        "fieldFilter": {
            "field": {"fieldPath": "member_uids"},
            "op": "ARRAY_CONTAINS",
            "value": {"stringValue": uid},
        }
    }


def status_is(value: str) -> dict[str, Any]:
    return {"fieldFilter": {"field": {"fieldPath": "status"}, "op": "EQUAL", "value": {"stringValue": value}}}


def labelled(pair: str) -> dict[str, Any]:
    """``label_pairs array-contains pair``: `tailrun jobs --label` (issue 11)."""
    return {
        "fieldFilter": {
            "field": {"fieldPath": "label_pairs"},
            "op": "ARRAY_CONTAINS",
            "value": {"stringValue": pair},
        }
    }


def both(op: str, *filters: dict[str, Any]) -> dict[str, Any]:
    return {"compositeFilter": {"op": op, "filters": list(filters)}}


def allowed(channel: BrowserChannel, target: dict[str, Any]) -> bool:
    """Add ``target`` on a new channel: True once it is current, False once it is refused as Firestore refuses."""
    refused, served = removed_with_cause(TARGET), current(TARGET)
    channel.open(target)
    seen = channel.receive_until(lambda message: refused(message) or served(message))
    return not any(refused(message) for message in seen)


def documents(*paths: str) -> Any:
    return lambda channel: document_target(channel, *paths)


def query(parent: str, collection: str, where: dict[str, Any] | None = None, *, group: bool = False) -> Any:
    return lambda channel: query_target(channel, parent, collection, where, group=group)


def other_project(channel: BrowserChannel) -> dict[str, Any]:
    """A target in the channel's database whose document lies in another project's."""
    target = document_target(channel, "jobs/mine")
    target["addTarget"]["documents"]["documents"] = ["projects/other/databases/(default)/documents/jobs/mine"]
    return target


@pytest.mark.parametrize(
    "make_target, expected",
    [
        (documents("jobs/mine"), True),
        (documents("jobs/theirs"), False),
        (documents("jobs/missing"), False),  # `resource` is null: the rule cannot hold
        (documents("jobs/mine", "jobs/theirs"), False),  # one refused document refuses the target
        (documents("jobs/mine/chunks/c1"), True),
        (documents("jobs/mine/attempts/1"), True),
        (documents("jobs/mine/artifacts/a"), True),
        (documents("jobs/theirs/chunks/c1"), False),
        (documents("jobs/mine/secrets/x"), False),  # a subcollection the rules do not name
        (documents("users/dev/artifacts/a"), True),
        (documents("users/alice/artifacts/a"), False),
        (documents("job_secrets/mine"), False),
        (documents("attempt_tokens/mine_1"), False),
        (documents("idempotency/k"), False),
        (documents("artifact_uploads/u"), False),
        (other_project, False),  # refused by the front: the channel serves one database
        (documents("jobs/team"), True),  # dev is a viewer of "team": viewers read
        (documents("jobs/team/chunks/c1"), True),
        (documents("jobs/old"), True),  # no workspace_id: its owner's personal workspace
        (documents("jobs/old/chunks/c1"), True),
        (documents("workspaces/team"), True),
        (documents("workspaces/personal-dev"), True),
        (documents("workspaces/personal-alice"), False),
        (query("", "workspaces", member_is("dev")), True),
        (query("", "workspaces", member_is("alice")), False),
        (query("", "workspaces"), False),
        (query("", "jobs", in_workspace("personal-dev")), True),
        (query("", "jobs", in_workspace("team")), True),
        (query("", "jobs", in_workspace("personal-alice")), False),
        (query("", "jobs", in_workspace("no-such-workspace")), False),
        (query("", "jobs", both("AND", status_is("running"), in_workspace("personal-dev"))), True),
        (query("", "jobs", both("AND", in_workspace("team"), labelled("team=cli"))), True),
        (
            query("", "jobs", both("AND", in_workspace("team"), status_is("failed"), labelled("team=cli"))),
            True,
        ),
        (query("", "jobs", owner_is("dev")), False),  # the owner is no workspace: rules are not filters
        (query("", "jobs", labelled("team=cli")), False),
        (query("", "jobs", both("OR", status_is("running"), in_workspace("personal-dev"))), False),
        (query("", "jobs"), False),  # rules are not filters
        (query("", "jobs", status_is("running")), False),
        (query("", "batches", in_workspace("team")), True),
        (query("", "batches", owner_is("dev")), False),
        (query("jobs/mine", "chunks"), True),
        (query("jobs/mine", "attempts"), True),
        (query("jobs/mine", "artifacts"), True),
        (query("jobs/theirs", "chunks"), False),
        (query("users/dev", "artifacts"), True),
        (query("users/alice", "artifacts"), False),
        (query("", "chunks", group=True), False),
        (query("", "jobs", in_workspace("personal-dev"), group=True), False),
        (query("jobs/team", "chunks"), True),
        (query("jobs/old", "attempts"), True),
        (query("", "job_secrets"), False),
        (query("", "attempt_tokens"), False),
        (query("", "idempotency"), False),
        (query("", "artifact_uploads"), False),
        (query("", "anything_new"), False),
    ],
)
def test_each_target_is_allowed_as_the_rules_say(
    channel: BrowserChannel, jobs: firestore.Client, make_target: Any, expected: bool
) -> None:
    assert allowed(channel, make_target(channel)) is expected


@pytest.fixture
def alice_channel(firestore_emulator: Any, jobs: firestore.Client) -> Iterator[BrowserChannel]:
    """The front admitting the token as user `alice`: what the emulator judges is the user the front names."""
    bridge = ListenBridge(
        firestore_emulator.address, access=DevAccess(TOKEN, uid="alice"), project=jobs.project
    )
    app = flask.Flask("webchannel-alice")
    bridge.register(app)
    yield BrowserChannel(app.test_client(), jobs.project)
    bridge.close()


def test_the_rules_see_the_user_the_front_admitted(alice_channel: BrowserChannel) -> None:
    assert allowed(alice_channel, document_target(alice_channel, "jobs/theirs"))
    assert allowed(alice_channel, query_target(alice_channel, "", "jobs", in_workspace("personal-alice")))
    assert not allowed(alice_channel, document_target(alice_channel, "jobs/mine"))
    assert not allowed(alice_channel, query_target(alice_channel, "", "jobs", in_workspace("personal-dev")))


@pytest.mark.parametrize(
    "make_target",
    [documents("jobs/team"), query("", "jobs", in_workspace("team")), query("jobs/team", "chunks")],
    ids=["job", "job list", "output"],
)
def test_a_removed_member_is_cut_off_at_once(
    channel: BrowserChannel, jobs: firestore.Client, make_target: Any
) -> None:
    """Removing dev from "team" removes dev's listener on its job, list and output (a REMOVE with
    PERMISSION_DENIED): the embedded emulator at the removal's commit, before any of the team's documents changes;
    Google's emulator once a document the target holds changes (ARCHITECTURE, known differences), so on it the
    job and its output change too."""
    assert allowed(channel, make_target(channel))

    jobs.document("workspaces/team").update({"member_uids": ["alice"], "roles": {"alice": "owner"}})
    if os.environ.get("TAILRUN_TEST_FIRESTORE") == "google":
        jobs.document("jobs/team").update({"status": "succeeded"})
        jobs.document("jobs/team/chunks/c1").update({"seq": 1})

    channel.receive_until(removed_with_cause(TARGET))
    assert not allowed(channel, make_target(channel)), "nor can dev listen again"
