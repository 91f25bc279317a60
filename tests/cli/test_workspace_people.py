"""Issue 14's acceptance: three people signed in on a real `tailrun dev --auth-emulator`, each role's allowed and
refused actions over HTTP with their real ID tokens, and through the stack's Listen front (the WebChannel protocol
the Firebase JS SDK speaks, over real HTTP), where the Firestore emulator's rules judge each person's token.

Ann owns a team workspace; she adds Bob as a member by his email (looked up in the Auth emulator) and Cy as a
viewer by uid. Dan, signed in too, is in none of her workspaces: the stranger. Everyone signs in with `tailrun
login` (each with a configuration directory of their own) and the test calls the functions with the ID token the
CLI stored. The stack's ID tokens live their full hour here (no clock shift, unlike test_login.py's stack).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import pytest
import requests
from flask.testing import FlaskClient

from tailrun.local import auth_emulator
from tailrun.local.dev import DevProcess

from .stack import start_dev
from .test_listen_rules import TARGET, allowed, document_target, in_workspace, query_target
from .test_login import PROJECT, Person, person
from .webchannel_client import BrowserChannel, current, removed_with_cause

pytestmark = [
    pytest.mark.skipif(
        auth_emulator.unavailable_reason() is not None,
        reason=f"the Firebase Auth emulator cannot run here: {auth_emulator.unavailable_reason()}",
    ),
    pytest.mark.timeout(600),  # the Auth emulator's start (~20 s of CPU) counts in the first test's time
]

LONG_JOB = ["sh", "-c", "echo ready; sleep 600"]  # runs until it is cancelled
ON_GOOGLE = os.environ.get("TAILRUN_TEST_FIRESTORE") == "google"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevProcess]:
    started = start_dev(tmp_path_factory.mktemp("people") / "state", "--auth-emulator")
    try:
        yield started
    finally:
        if started.process.poll() is None:
            started.stop()


@dataclass
class Caller:
    """One signed-in person calling the stack's functions with the ID token `tailrun login` stored."""

    who: Person

    @property
    def token(self) -> str:
        return str(self.who.stored()["id_token"])

    @property
    def uid(self) -> str:
        return self.who.uid

    def post(self, function: str, **body: Any) -> requests.Response:
        return requests.post(
            f"{self.who.url}/{function}",
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=60,
        )

    def get(self, function: str, **args: str) -> requests.Response:
        """A GET; a stream (``events``) is answered with its status and headers, then closed."""
        with requests.get(
            f"{self.who.url}/{function}",
            params=args,
            headers={"Authorization": f"Bearer {self.token}"},
            stream=True,
            timeout=60,
        ) as answer:
            if not answer.headers.get("Content-Type", "").startswith("text/event-stream"):
                answer.content  # noqa: B018  # read the JSON answer whole before the connection closes
            return answer

    def job(self, *argv: str, **fields: Any) -> str:
        created = self.post("create_job", argv=list(argv), **fields)
        assert created.status_code == 201, created.text
        return str(created.json()["job_id"])

    def channel(self) -> BrowserChannel:
        """A Listen channel of this person to the stack's WebChannel front, over real HTTP."""
        return BrowserChannel(cast(FlaskClient, OverHttp(self.who.url)), PROJECT, self.token)


@dataclass
class Answer:
    """A ``requests`` answer as ``BrowserChannel`` reads a Flask test client's."""

    response: requests.Response

    @property
    def status_code(self) -> int:
        return self.response.status_code

    @property
    def headers(self) -> Any:
        return self.response.headers

    def get_data(self, as_text: bool = True) -> str:
        return self.response.text


class OverHttp:
    """What ``BrowserChannel`` calls of its client (written for Flask's test client), over real HTTP to a stack."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.trust_env = False  # never through an HTTP(S)_PROXY

    def post(self, path: str, data: dict[str, str]) -> Answer:
        return Answer(self.session.post(f"{self.url}{path}", data=data, timeout=60))

    def get(self, path: str) -> Answer:
        return Answer(self.session.get(f"{self.url}{path}", timeout=60))


def error_code(answer: requests.Response) -> str:
    return str(answer.json()["error"]["code"])


def as_missing(answer: requests.Response, job_id: str) -> None:
    """``answer`` is exactly what a job that does not exist gets: 404 ``job_not_found`` naming the id asked for."""
    assert answer.status_code == 404, answer.text
    assert answer.json() == {"error": {"code": "job_not_found", "message": f"no job {job_id!r}"}}


def in_target(job_id: str) -> Any:
    """A predicate: the message brings job ``job_id`` into the target (its document, with its status)."""

    def predicate(message: dict[str, Any]) -> bool:
        change = message.get("documentChange", {})
        return bool(
            str(change.get("document", {}).get("name", "")).endswith(f"/jobs/{job_id}")
            and TARGET in change.get("targetIds", [])
        )

    return predicate


@pytest.fixture(scope="module")
def people(stack: DevProcess, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Caller]:
    """Ann, Bob, Cy and Dan, each signed up on the Auth emulator and signed in with `tailrun login`."""
    home = tmp_path_factory.mktemp("homes")
    signed_in = {}
    for name in ("ann", "bob", "cy", "dan"):
        someone = person(stack, home, name)
        login = someone.login()
        assert login.returncode == 0, login.stderr
        signed_in[name] = Caller(someone)
    return signed_in


@pytest.fixture(scope="module")
def team(people: dict[str, Caller]) -> str:
    """Ann's workspace, made with the CLI: Bob added as a member by his email, Cy as a viewer by her uid."""
    ann, bob, cy = people["ann"].who, people["bob"].who, people["cy"].who
    created = ann("workspace", "create", "the team")
    assert created.returncode == 0, created.stderr
    workspace_id = created.stdout.strip()
    for who, role in ((bob.email, "member"), (cy.uid, "viewer")):
        added = ann("workspace", "add", who, "--role", role, "--workspace", workspace_id)
        assert added.returncode == 0, added.stderr
    return workspace_id


def roles_in(caller: Caller, workspace_id: str) -> dict[str, tuple[str, str | None]]:
    """The workspace's members as ``caller`` lists them: uid → (role, email)."""
    listed = caller.post("list_workspaces")
    assert listed.status_code == 200, listed.text
    (workspace,) = (w for w in listed.json()["workspaces"] if w["workspace_id"] == workspace_id)
    return {m["uid"]: (m["role"], m["email"]) for m in workspace["members"]}


def test_a_member_added_by_email_is_the_account_that_signs_in_with_it(
    people: dict[str, Caller], team: str
) -> None:
    ann, bob, cy = people["ann"], people["bob"], people["cy"]
    assert roles_in(bob, team) == {
        ann.uid: ("owner", None),
        bob.uid: ("member", bob.who.email),
        cy.uid: ("viewer", None),
    }
    nobody = ann.post("add_member", workspace_id=team, email="nobody-signs-in-so@example.com")
    assert nobody.status_code == 404 and error_code(nobody) == "user_not_found", nobody.text
    assert set(roles_in(ann, team)) == {ann.uid, bob.uid, cy.uid}  # the refused add wrote nothing


def test_each_role_acts_as_it_may_over_http_with_real_id_tokens(people: dict[str, Caller], team: str) -> None:
    ann, bob, cy = people["ann"], people["bob"], people["cy"]
    job_id = bob.job(*LONG_JOB, workspace_id=team)

    refused = cy.post("create_job", argv=["echo", "a viewer's"], workspace_id=team)
    assert refused.status_code == 403 and error_code(refused) == "forbidden", refused.text
    for function in ("events", "job_output"):
        read = cy.get(function, job_id=job_id)
        assert read.status_code == 200, (function, read.text)
    refused = cy.post("cancel_job", job_id=job_id)
    assert refused.status_code == 403 and error_code(refused) == "forbidden", refused.text
    refused = bob.post("remove_member", workspace_id=team, uid=cy.uid)
    assert refused.status_code == 403 and error_code(refused) == "forbidden", refused.text
    assert cy.uid in roles_in(ann, team)  # the refused removal wrote nothing

    cancelled = bob.post("cancel_job", job_id=job_id)
    assert cancelled.status_code == 200, cancelled.text

    # Ann's personal workspace is none of Bob's: her job there is, to him, a job that does not exist
    personal_job = ann.job("echo", "ann's own")
    missing = "0" * 32
    for function in ("events", "job_output"):
        as_missing(bob.get(function, job_id=personal_job), personal_job)
        as_missing(bob.get(function, job_id=missing), missing)
    as_missing(bob.post("cancel_job", job_id=personal_job), personal_job)
    assert ann.get("job_output", job_id=personal_job).status_code == 200


def test_listeners_follow_the_rules_and_a_removed_member_is_cut_off(people: dict[str, Caller]) -> None:
    """Through the Listen front with each person's emulator token: the rules admit the workspace's viewer and
    refuse a stranger and other workspaces; ann's removal of cy cuts cy's open listener (REMOVE with
    PERMISSION_DENIED) and cy's next read over HTTP is a 404. The embedded emulator cuts at the removal's commit;
    Google's once a document the target holds changes (docs/ARCHITECTURE.md, "Workspaces"), here bob's cancel."""
    ann, bob, cy, dan = people["ann"], people["bob"], people["cy"], people["dan"]
    created = ann.post("create_workspace", name="listened")
    assert created.status_code == 201, created.text
    workspace_id = str(created.json()["workspace_id"])
    for uid, role in ((bob.uid, "member"), (cy.uid, "viewer")):
        added = ann.post("add_member", workspace_id=workspace_id, uid=uid, role=role)
        assert added.status_code == 200, added.text
    job_id = bob.job(*LONG_JOB, workspace_id=workspace_id)
    personal_job = ann.job("echo", "ann's own")

    listener = cy.channel()
    listener.open(query_target(listener, "", "jobs", in_workspace(workspace_id)))
    listener.receive_all(in_target(job_id), current(TARGET))

    stranger = dan.channel()
    assert not allowed(stranger, query_target(stranger, "", "jobs", in_workspace(workspace_id)))
    assert not allowed(stranger, document_target(stranger, f"jobs/{job_id}"))
    other = bob.channel()  # a member of the team, not of ann's personal workspace
    assert not allowed(other, query_target(other, "", "jobs", in_workspace(f"personal-{ann.uid}")))
    assert not allowed(other, document_target(other, f"jobs/{personal_job}"))
    assert allowed(other, document_target(other, f"jobs/{job_id}"))

    removed = ann.post("remove_member", workspace_id=workspace_id, uid=cy.uid)
    assert removed.status_code == 200, removed.text
    assert cy.uid not in {m["uid"] for m in removed.json()["members"]}
    if not ON_GOOGLE:
        listener.receive_until(removed_with_cause(TARGET))
    cancelled = bob.post("cancel_job", job_id=job_id)
    assert cancelled.status_code == 200, cancelled.text
    if ON_GOOGLE:
        listener.receive_until(removed_with_cause(TARGET))

    for function in ("events", "job_output"):
        as_missing(cy.get(function, job_id=job_id), job_id)
    again = cy.channel()
    assert not allowed(again, query_target(again, "", "jobs", in_workspace(workspace_id)))
    assert not allowed(again, document_target(again, f"jobs/{job_id}"))
