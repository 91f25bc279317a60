"""Fixtures for the web app's browser tests: one `tailrun dev` for the session (the real local stack: emulators,
functions, runners, the WebChannel front that the page's Firebase JS SDK listens through)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cli.stack import Cli, start_dev

from tailrun.local.dev import DevProcess


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevProcess]:
    stack = start_dev(tmp_path_factory.mktemp("web") / "state", "--reap-interval", "1")
    try:
        yield stack
    finally:
        if stack.process.poll() is None:
            stack.stop()


@pytest.fixture
def web_cli(web_stack: DevProcess) -> Cli:
    return Cli(web_stack.url)
