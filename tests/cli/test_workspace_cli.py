"""`tailrun workspace …` and `--workspace` (issue 14), run as a user runs them against a real `tailrun dev`.

The local stack has one person (the development token's `dev`); the other members are uids that never call
(several signed-in people over HTTP are tests/functions/test_workspaces.py). Each test has its own config directory
(``XDG_CONFIG_HOME``), where the CLI remembers the current workspace.
"""

from __future__ import annotations

import json
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from .stack import TAILRUN, cli_env


@dataclass
class User:
    """`tailrun …` with its own config directory."""

    url: str
    config_home: Path

    def __call__(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        env = {**cli_env(self.url), "XDG_CONFIG_HOME": str(self.config_home)}
        return subprocess.run([*TAILRUN, *args], capture_output=True, text=True, timeout=timeout, env=env)

    def ok(self, *args: str) -> str:
        done = self(*args)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout


@pytest.fixture
def user(dev_stack: object, tmp_path: Path) -> User:
    return User(dev_stack.url, tmp_path / "config")  # type: ignore[attr-defined]


def test_create_use_and_work_in_a_workspace(user: User) -> None:
    workspace_id = user.ok("workspace", "create", "cli team").strip()
    assert len(workspace_id) == 32

    listed = user.ok("workspace", "list")
    assert "personal-dev" in listed and workspace_id in listed and "cli team" in listed
    assert "*" in next(line for line in listed.splitlines() if "personal-dev" in line), "personal is current"

    user.ok("workspace", "use", "cli team")
    config = user.config_home / "tailrun" / "config.json"
    assert json.loads(config.read_text())["current_workspace"][user.url] == workspace_id
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.parent.stat().st_mode) == 0o700
    assert "*" in next(line for line in user.ok("workspace", "list").splitlines() if workspace_id in line)

    job_id = user.ok("run", "--detach", "--", "echo", "in the team").strip()
    assert job_id in user.ok("jobs")
    assert job_id not in user.ok("jobs", "--workspace", "personal-dev")
    elsewhere = user.ok("run", "--detach", "--workspace", "personal-dev", "--", "echo", "mine").strip()
    assert elsewhere not in user.ok("jobs")
    assert elsewhere in user.ok("jobs", "--workspace", "personal-dev")


def test_members_and_roles(user: User) -> None:
    workspace_id = user.ok("workspace", "create", "members", "--use").strip()

    added = user.ok("workspace", "add", "bob", "--role", "viewer")
    assert "bob" in added and "viewer" in added
    changed = user.ok("workspace", "role", "bob", "member")
    assert "member" in next(line for line in changed.splitlines() if "bob" in line)
    members = user.ok("workspace", "members", workspace_id)
    assert [line.split()[0] for line in members.splitlines()[1:]] == ["dev", "bob"]

    user.ok("workspace", "rename", "renamed")
    assert "renamed" in user.ok("workspace", "list")
    removed = user.ok("workspace", "remove", "bob")
    assert "bob" not in removed

    owner_leaves = user("workspace", "leave")
    assert owner_leaves.returncode != 0 and "transfer" in owner_leaves.stderr
    wrong_role = user("workspace", "add", "cy", "--role", "owner")
    assert wrong_role.returncode != 0 and "--role must be one of" in wrong_role.stderr


def test_a_workspace_that_is_not_yours_is_told_as_a_sentence(user: User) -> None:
    refused = user("run", "--detach", "--workspace", "0" * 32, "--", "true")
    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr and "workspace" in refused.stderr.lower()
    unknown = user("workspace", "use", "no such workspace")
    assert unknown.returncode != 0 and "No workspace 'no such workspace'" in unknown.stderr


def test_transfer_then_the_old_owner_may_leave_but_not_delete(user: User) -> None:
    workspace_id = user.ok("workspace", "create", "handed over", "--use").strip()
    user.ok("workspace", "add", "bob", "--role", "member")

    moved = user.ok("workspace", "transfer", "bob")
    roles = {line.split()[0]: line.split()[-1] for line in moved.splitlines()[1:]}
    assert roles == {"dev": "admin", "bob": "owner"}
    refused = user("workspace", "delete", workspace_id, "--yes")
    assert (
        refused.returncode != 0
        and "Only the owner may delete" in refused.stderr
        and "Traceback" not in refused.stderr
    )
    user.ok("workspace", "leave")
    assert workspace_id not in user.ok("workspace", "list")


def test_delete_asks_for_yes_and_forgets_the_current_workspace(user: User) -> None:
    workspace_id = user.ok("workspace", "create", "short lived", "--use").strip()

    unconfirmed = user("workspace", "delete", "short lived")  # stdin is no terminal: nothing to ask on
    assert unconfirmed.returncode != 0 and "--yes" in unconfirmed.stderr
    assert workspace_id in user.ok("workspace", "list")

    user.ok("workspace", "delete", "short lived", "--yes")
    listed = user.ok("workspace", "list")
    assert workspace_id not in listed
    assert "*" in next(line for line in listed.splitlines() if "personal-dev" in line), "back to personal"
    personal = user("workspace", "delete", "personal-dev", "--yes")
    assert personal.returncode != 0 and "ersonal workspace cannot be deleted" in personal.stderr
