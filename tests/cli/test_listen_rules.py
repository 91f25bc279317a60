"""``tailrun.local.listen_rules`` says what ``infra/firestore.rules`` says about reads; this pins each rule in a table, so
that a change to the rules file has a place here to be mirrored (the protocol tests are in test_webchannel.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format

from firestore_emulator.webchannel import ListenRequest
from tailrun.local.listen_rules import may_listen

DATABASE = "projects/p/databases/(default)"
OWNERS = {"mine": "dev", "theirs": "alice"}
RULES = Path(__file__).resolve().parents[2] / "infra" / "firestore.rules"


def target(**add_target: Any) -> Any:
    return json_format.ParseDict({"addTarget": {"targetId": 2, **add_target}}, ListenRequest()).add_target


def documents(*paths: str) -> Any:
    return target(documents={"documents": [f"{DATABASE}/documents/{path}" for path in paths]})


def query(parent: str, collection: str, where: dict[str, Any] | None = None, *, group: bool = False) -> Any:
    structured: dict[str, Any] = {"from": [{"collectionId": collection, "allDescendants": group}]}
    if where is not None:
        structured["where"] = where
    root = f"{DATABASE}/documents"
    return target(query={"parent": f"{root}/{parent}" if parent else root, "structuredQuery": structured})


def owner_is(uid: str, op: str = "EQUAL") -> dict[str, Any]:
    return {"fieldFilter": {"field": {"fieldPath": "owner"}, "op": op, "value": {"stringValue": uid}}}


def status_is(value: str) -> dict[str, Any]:
    return {"fieldFilter": {"field": {"fieldPath": "status"}, "op": "EQUAL", "value": {"stringValue": value}}}


def allowed(listen_target: Any) -> bool:
    return may_listen(listen_target, database=DATABASE, uid="dev", owner_of=OWNERS.get)


@pytest.mark.parametrize(
    "listen_target, expected",
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
        (target(documents={"documents": ["projects/other/databases/(default)/documents/jobs/mine"]}), False),
        (query("", "jobs", owner_is("dev")), True),
        (
            query(
                "",
                "jobs",
                {"compositeFilter": {"op": "AND", "filters": [status_is("running"), owner_is("dev")]}},
            ),
            True,
        ),
        (
            query(
                "", "jobs", {"compositeFilter": {"op": "OR", "filters": [owner_is("dev"), owner_is("dev")]}}
            ),
            True,
        ),
        (
            query(
                "",
                "jobs",
                {"compositeFilter": {"op": "OR", "filters": [status_is("running"), owner_is("dev")]}},
            ),
            False,
        ),
        (query("", "jobs"), False),  # rules are not filters
        (query("", "jobs", owner_is("alice")), False),
        (query("", "jobs", owner_is("dev", "NOT_EQUAL")), False),
        (query("", "jobs", status_is("running")), False),
        (query("jobs/mine", "chunks"), True),
        (query("jobs/mine", "attempts"), True),
        (query("jobs/mine", "artifacts"), True),
        (query("jobs/theirs", "chunks"), False),
        (query("users/dev", "artifacts"), True),
        (query("users/alice", "artifacts"), False),
        (query("", "chunks", group=True), False),
        (query("", "jobs", owner_is("dev"), group=True), False),
        (query("", "job_secrets"), False),
        (query("", "attempt_tokens"), False),
        (query("", "idempotency"), False),
        (query("", "artifact_uploads"), False),
        (query("", "anything_new"), False),
    ],
)
def test_each_target_is_allowed_as_the_rules_say(listen_target: Any, expected: bool) -> None:
    assert allowed(listen_target) is expected


def test_the_rules_file_still_has_the_shape_this_mirror_knows() -> None:
    """If this fails, infra/firestore.rules changed: change tailrun/local/listen_rules.py (and the table above) with it."""
    rules = RULES.read_text()
    matches = [line.strip() for line in rules.splitlines() if line.strip().startswith("match ")]
    assert matches == [
        "match /databases/{database}/documents {",
        "match /jobs/{jobId} {",
        "match /chunks/{chunkId} {",
        "match /attempts/{attemptId} {",
        "match /artifacts/{artifactId} {",
        "match /users/{uid}/artifacts/{artifactId} {",
        "match /{document=**} {",
    ]
    assert rules.count("allow get, list:") == 5 and "allow read, write: if false;" in rules
