"""Fixtures shared by every test area: the embedded Firestore emulator, started once per session.

The emulator runs as a child process (``Emulator`` from ``firestore_emulator``), so a test that freezes time with
freezegun freezes only the code under test, never the server, and tests talk to it over a real gRPC connection.
Each test starts on an empty database: ``firestore_project`` clears the project before the test runs.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from firestore_emulator import Emulator

TEST_PROJECT = "tailrun-test"


@pytest.fixture(scope="session")
def firestore_emulator() -> Iterator[Emulator]:
    """One emulator (in memory) for the whole session; FIRESTORE_EMULATOR_HOST points the clients at it."""
    with Emulator(host="127.0.0.1", port=0) as emulator:
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
def firestore_project(firestore_emulator: Emulator) -> str:
    """The project id of a test, cleared of every document before the test starts."""
    firestore_emulator.reset(TEST_PROJECT)
    return TEST_PROJECT


@pytest.fixture
def firestore_client(firestore_project: str):  # type: ignore[no-untyped-def]
    """A real ``google.cloud.firestore.Client`` talking to the emulator over gRPC."""
    from google.cloud import firestore

    client = firestore.Client(project=firestore_project)
    yield client
    client.close()


@pytest.fixture
def unique_id() -> str:
    """A short random id for documents and collections that must not collide across tests."""
    return uuid.uuid4().hex[:12]
