"""Fixtures for the CLI tests: one `tailrun dev` for the session, and a `tailrun` runner bound to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tailrun.local.dev import DevProcess

from .stack import Cli, start_dev


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
