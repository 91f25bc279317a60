"""The embedded emulator's rules verdicts held against Google's emulator, the oracle: hypothesis generates a rule
(one ``allow`` with a condition built from the language's operators, error cases included) and a request (get,
list with or without the owner constraint, create, update, delete, as alice, bob or signed out), and both
emulators must agree on allowed versus PERMISSION_DENIED. Skipped, with what to install, where Google's emulator
cannot run."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_rules_server import ClientAs, put_rules, ruleset_body

from firestore_emulator import Emulator
from firestore_emulator.rules import unsigned_jwt

pytestmark = pytest.mark.timeout(600)

SEED = {
    "jobs/j1": {"owner": "alice", "n": 1, "tags": ["a", "b"]},
    "jobs/j2": {"owner": "bob", "n": 5, "tags": []},
}
CALLERS = {
    "alice": unsigned_jwt({"sub": "alice", "email": "alice@example.com"}),
    "bob": unsigned_jwt({"sub": "bob"}),
    "signed out": None,
}
ATOMS = [
    "true", "false", "request.auth != null", "request.auth.uid == 'alice'", "resource.data.owner == request.auth.uid",
    "resource.data.n > 2", "resource.data.missing == 1", "request.resource.data.n == 3", "resource == null",
    "exists(/databases/$(database)/documents/jobs/j2)", "get(/databases/$(database)/documents/jobs/j1).data.owner == 'alice'",
    "jobId == 'j1'", "resource.data.n is int", "request.auth.uid in ['alice', 'carol']", "request.method == 'get'",
    "resource.data.owner.size() == 5", "int('x') == 1", "'a' in resource.data.tags", "resource.data.tags.size() > 0",
    "request.auth.token.email.matches('.*@example[.]com')", "request.resource.data.keys().hasOnly(['owner', 'n'])",
    "request.time > timestamp.date(2020, 1, 1)", "math.abs(resource.data.n - 3) <= 2", "string(resource.data.n) == '1'",
    "existsAfter(/databases/$(database)/documents/jobs/$(jobId))", "resource.data.get('missing', 0) == 0",
    "request.auth.token.email == 'alice@example.com'", "resource.data.tags.hasAny(['a'])", "resource.data.n < 3",
    "resource.data.keys().size() == 3", "request.query.limit == null",
]  # fmt: skip
METHODS = ["read", "write", "get", "list", "create", "update", "delete", "get, list", "create, update"]
REQUESTS = {  # each request and the allow method that covers it
    "get j1": "get", "get j2": "read", "get missing": "get", "list owner alice": "list", "list owner bob": "read",
    "list all": "list", "list in alice": "list", "list below 3": "list", "group owner alice": "list", "create new": "create", "update j1": "update", "delete j2": "delete", "merge j2": "write",
}  # fmt: skip

conditions = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda pair: f"({pair[0]} && {pair[1]})"),
        st.tuples(inner, inner).map(lambda pair: f"({pair[0]} || {pair[1]})"),
        inner.map(lambda expression: f"!({expression})"),
        st.tuples(inner, inner, inner).map(lambda three: f"({three[0]} ? {three[1]} : {three[2]})"),
    ),
    max_leaves=4,
)


def rules_source(methods: str, condition: str) -> str:
    return (
        "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n"
        f"    match /jobs/{{jobId}} {{\n      allow {methods}: if {condition};\n    }}\n  }}\n}}\n"
    )


@dataclass
class Side:
    """One emulator in the comparison: its REST address and the clients of one project on it."""

    address: str
    project: str
    owner: firestore.Client
    callers: dict[str, firestore.Client]

    def seed(self) -> None:
        for name, data in SEED.items():
            self.owner.document(name).set(data)
        self.owner.document("jobs/new").delete()

    def verdict(self, who: str, request: str) -> str:
        """ "allowed" or "denied" (any other outcome, such as NOT_FOUND, counts as allowed: rules let it through)."""
        try:
            _send(self.callers[who], request)
        except exceptions.PermissionDenied:
            return "denied"
        except exceptions.NotFound:
            return "allowed"
        return "allowed"


def _send(client: firestore.Client, request: str) -> None:
    jobs = client.collection("jobs")
    kind, _, what = request.partition(" ")
    if kind == "get":
        jobs.document(what).get()
    elif kind in ("list", "group"):
        list(_query(client.collection_group("jobs") if kind == "group" else jobs, what).stream())
    elif kind == "create":
        jobs.document(what).create({"owner": "alice", "n": 3})
    elif kind == "update":
        jobs.document(what).set({"owner": "alice", "n": 3})
    elif kind == "merge":
        jobs.document(what).set({"n": 3}, merge=True)
    else:
        jobs.document(what).delete()


def _query(collection: Any, what: str) -> Any:
    """``all`` (no filter), ``owner X`` (equality), ``in X`` (an in filter), ``below N`` (a range on n)."""
    kind, _, value = what.partition(" ")
    if kind == "owner":
        return collection.where(filter=FieldFilter("owner", "==", value))
    if kind == "in":
        return collection.where(filter=FieldFilter("owner", "in", [value]))
    if kind == "below":
        return collection.where(filter=FieldFilter("n", "<", int(value)))
    return collection


def _side(address: str, project: str) -> Side:
    owner = ClientAs(project, "owner", host=address)
    callers = {who: ClientAs(project, token, host=address) for who, token in CALLERS.items()}
    return Side(address, project, owner, callers)


@pytest.fixture(scope="module")
def sides(request: pytest.FixtureRequest) -> Iterator[tuple[Side, Side]]:
    """Google's emulator (the oracle: the session's ``google_firestore`` fixture, which skips with what to install
    where it cannot run) and a fresh embedded one, each with a project of its own."""
    try:
        google_firestore = request.getfixturevalue("google_firestore")
    except pytest.FixtureLookupError:
        pytest.skip("needs the google_firestore fixture (tests/conftest.py with tests/google_firestore.py)")
    project = f"differential-{uuid.uuid4().hex[:8]}"
    with Emulator() as embedded:
        pair = (_side(google_firestore.address, project), _side(embedded.address, project))
        yield pair
        for side in pair:
            for client in [side.owner, *side.callers.values()]:
                client.close()
        google_firestore.reset(project)


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str, str, str]:
    """(allow methods, condition, caller, request): mostly a method that covers the request, so that the
    condition decides, sometimes any method, so that "no matching allow" is compared too."""
    request = draw(st.sampled_from(list(REQUESTS)))
    methods = draw(
        st.one_of(st.just(REQUESTS[request]), st.just(REQUESTS[request]), st.sampled_from(METHODS))
    )
    return methods, draw(conditions), draw(st.sampled_from(list(CALLERS))), request


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases())
def test_both_emulators_agree(sides: tuple[Side, Side], case: tuple[str, str, str, str]) -> None:
    methods, condition, who, request = case
    source = rules_source(methods, condition)
    verdicts = []
    for side in sides:
        assert put_rules(side.address, side.project, ruleset_body(source)) == (200, {}), source
        side.seed()
        verdicts.append(side.verdict(who, request))
    google, embedded = verdicts
    assert embedded == google, f"{request} as {who}: Google {google}, embedded {embedded}, under\n{source}"
