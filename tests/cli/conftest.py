"""Fixtures for the CLI tests: one `tailrun dev` for the session, a `tailrun` runner bound to it, and the Listen
front as `tailrun dev` sets it up, in front of the session's emulator with ``infra/firestore.rules`` loaded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import flask
import pytest
from google.cloud import firestore

from firestore_emulator.webchannel import ListenBridge
from tailrun.local.access import DevAccess
from tailrun.local.dev import RULES_FILE, DevProcess

from .stack import Cli, start_dev
from .webchannel_client import RULES_PROJECT, TOKEN, BrowserChannel, load_rules


@pytest.fixture(scope="session")
def dev_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevProcess]:
    stack = start_dev(tmp_path_factory.mktemp("dev") / "state", "--reap-interval", "1")
    try:
        yield stack
    finally:
        if stack.process.poll() is None:
            stack.stop()


@pytest.fixture
def cli(dev_stack: DevProcess) -> Cli:
    return Cli(dev_stack.url)


@pytest.fixture
def owner_client(firestore_emulator: Any) -> Iterator[firestore.Client]:
    """A server client (the owner: it bypasses rules) of ``RULES_PROJECT``, emptied, with ``infra/firestore.rules``
    loaded for the project, as `tailrun dev` loads them, and `dev`'s personal workspace as the functions make it."""
    firestore_emulator.reset(RULES_PROJECT)
    load_rules(firestore_emulator.http_address, RULES_PROJECT, RULES_FILE.read_text())
    client = firestore.Client(project=RULES_PROJECT)
    client.document("workspaces/personal-dev").set({"member_uids": ["dev"], "roles": {"dev": "owner"}})
    yield client
    client.close()  # type: ignore[no-untyped-call]  # google-cloud-firestore: untyped


@pytest.fixture
def bridge(firestore_emulator: Any, owner_client: firestore.Client) -> Iterator[ListenBridge]:
    """The front as `tailrun dev` sets it up: the development token acts as `dev`; the rules decide each target."""
    bridge = ListenBridge(firestore_emulator.address, access=DevAccess(TOKEN), project=RULES_PROJECT)
    yield bridge
    bridge.close()


@pytest.fixture
def channel(bridge: ListenBridge) -> BrowserChannel:
    app = flask.Flask("webchannel-test")
    bridge.register(app)
    return BrowserChannel(app.test_client(), RULES_PROJECT)
