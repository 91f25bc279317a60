"""Fixtures shared by every test area: a Firestore emulator, started once per session.

By default that is the embedded emulator (``Emulator`` from ``firestore_emulator``), run as a child process, so a
test that freezes time with freezegun freezes only the code under test, never the server, and tests talk to it over
a real gRPC connection. ``TAILRUN_TEST_FIRESTORE=google`` makes it Google's own emulator instead (the Java one,
``firestore_emulator.google``): the same tests then show where tailrun relies on something the embedded emulator
does and production does not. Each test starts on an empty database: ``firestore_project`` clears the project
before the test runs.

``google_firestore`` is Google's emulator for the tests that need it whatever the switch says (security rules);
it skips them, saying what to install, where it cannot run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from firestore_emulator import Emulator
from firestore_emulator.google import GoogleEmulator, unavailable_reason

TEST_PROJECT = "tailrun-test"
SWITCH = "TAILRUN_TEST_FIRESTORE"  # "embedded" (the default) or "google"
EMULATOR_KINDS = ("embedded", "google")


def _emulator_kind() -> str:
    kind = os.environ.get(SWITCH, "embedded") or "embedded"
    if kind not in EMULATOR_KINDS:
        raise pytest.UsageError(f"{SWITCH} must be one of {', '.join(EMULATOR_KINDS)}, got {kind!r}")
    return kind


def pytest_configure(config: pytest.Config) -> None:
    """Refuses a misspelt switch before any test runs, rather than quietly using the embedded emulator."""
    _emulator_kind()


@pytest.fixture(scope="session", autouse=True)
def own_config_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The CLI's configuration directory (logins, the current workspace) is the session's own, empty one: a login
    or workspace of the person running the tests never reaches them. Tests of several people set their own."""
    saved = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config-home"))
    yield
    if saved is None:
        os.environ.pop("XDG_CONFIG_HOME", None)
    else:
        os.environ["XDG_CONFIG_HOME"] = saved


def pytest_report_header() -> str:
    """Says on the first lines of a run which Firestore emulator the suite runs against."""
    return f"firestore emulator: {_emulator_kind()} ({SWITCH})"


@pytest.fixture(scope="session")
def google_firestore() -> Iterator[GoogleEmulator]:
    """Google's Firestore emulator for the session, with no rules loaded (tests load theirs per project)."""
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"Google's Firestore emulator cannot run here: {reason}")
    with GoogleEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="session")
def firestore_emulator(request: pytest.FixtureRequest) -> Iterator[Emulator | GoogleEmulator]:
    """One emulator (in memory) for the whole session; FIRESTORE_EMULATOR_HOST points the clients at it.

    Both kinds offer what the tests use: ``address`` (gRPC), ``http_address`` (the REST admin calls) and
    ``reset(project)``. With the switch at ``google`` and Google's emulator unavailable, every test that needs the
    emulator errors with the reason: the run asked for Google's emulator, so running it on another is no answer.
    """
    if _emulator_kind() == "google":
        reason = unavailable_reason()
        if reason is not None:
            pytest.fail(f"{SWITCH}=google, but Google's Firestore emulator cannot run here: {reason}")
        emulator: Emulator | GoogleEmulator = request.getfixturevalue("google_firestore")
        yield from _pointed_at(emulator)
    else:
        with Emulator(host="127.0.0.1", port=0) as embedded:
            yield from _pointed_at(embedded)


def _pointed_at(emulator: Emulator | GoogleEmulator) -> Iterator[Emulator | GoogleEmulator]:
    """Yield the emulator with FIRESTORE_EMULATOR_HOST (and a default project) set to it, restored afterwards."""
    previous = os.environ.get("FIRESTORE_EMULATOR_HOST")
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.address
    os.environ.setdefault("GOOGLE_CLOUD_PROJECT", TEST_PROJECT)
    try:
        yield emulator
    finally:
        if previous is None:
            os.environ.pop("FIRESTORE_EMULATOR_HOST", None)
        else:
            os.environ["FIRESTORE_EMULATOR_HOST"] = previous


@pytest.fixture
def firestore_project(firestore_emulator: Emulator | GoogleEmulator) -> str:
    """The project id of a test, cleared of every document before the test starts."""
    firestore_emulator.reset(TEST_PROJECT)
    return TEST_PROJECT


@pytest.fixture
def firestore_client(firestore_project: str) -> Iterator[Any]:
    """A real ``google.cloud.firestore.Client`` talking to the emulator over gRPC."""
    from google.cloud import firestore

    client: Any = firestore.Client(project=firestore_project)
    yield client
    client.close()


@pytest.fixture
def unique_id() -> str:
    """A short random id for documents and collections that must not collide across tests."""
    return uuid.uuid4().hex[:12]
