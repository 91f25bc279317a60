"""What the CLI does with workspaces (issue 14): the workspace functions, and which workspace is current.

The current workspace is remembered per stack (its functions URL) in ``$XDG_CONFIG_HOME/tailrun/config.json``
(``~/.config`` without it), written owner-only: ``{"current_workspace": {"<url>": "<workspace id>"}}``. Without
one, the current workspace is the user's personal one (``personal-<uid>``), which the functions also use when a
request names none. ``--workspace`` on the commands that create or list overrides it for one command.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tailrun.cli.client import Stack
from tailrun.errors import RequestRefused, TailrunError

CONFIG_FILE = "config.json"
PERSONAL_PREFIX = "personal-"
ROLES = ("admin", "member", "viewer")  # what add and role may give (the owner's role moves by transfer only)


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/tailrun/config.json`` (``~/.config/tailrun/config.json`` without it)."""
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "tailrun" / CONFIG_FILE


def _read_config(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise TailrunError(f"{path} is not readable JSON: fix or remove it.", detail=str(exc)) from None
    return loaded if isinstance(loaded, dict) else {}


def _write_config(path: Path, config: dict[str, Any]) -> None:
    """Write the file owner-only (0600 in a 0700 directory), through a temporary file and a rename."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(config, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(temporary, path)


def personal(stack: Stack) -> str:
    return f"{PERSONAL_PREFIX}{stack.config.owner}"


def remembered(stack: Stack) -> str | None:
    """The workspace `tailrun workspace use` chose for this stack (None: none chosen)."""
    chosen = (_read_config(config_path()).get("current_workspace") or {}).get(stack.config.url)
    return chosen if isinstance(chosen, str) and chosen else None


def current(stack: Stack, given: str | None = None) -> str:
    """The workspace a command works in: ``--workspace`` if given, else the remembered one, else personal."""
    return given or remembered(stack) or personal(stack)


def remember(stack: Stack, workspace_id: str | None) -> None:
    path = config_path()
    config = _read_config(path)
    chosen = dict(config.get("current_workspace") or {})
    if workspace_id is None:
        chosen.pop(stack.config.url, None)
    else:
        chosen[stack.config.url] = workspace_id
    _write_config(path, {**config, "current_workspace": chosen})


def _call(stack: Stack, function: str, body: dict[str, Any]) -> dict[str, Any]:
    try:
        return stack.call(function, body)
    except RequestRefused as refused:
        if refused.status == 404 and refused.code == "workspace_not_found":
            raise TailrunError(
                f"No workspace {body.get('workspace_id')!r} of yours: see `tailrun workspace list`."
            ) from None
        raise


def listed(stack: Stack) -> list[dict[str, Any]]:
    answer = _call(stack, "list_workspaces", {})
    return list(answer.get("workspaces") or [])


def find(stack: Stack, name_or_id: str) -> dict[str, Any]:
    """The workspace of the caller's with this id, or else this name (which must be unique among theirs)."""
    mine = listed(stack)
    by_id = [w for w in mine if w["workspace_id"] == name_or_id]
    if by_id:
        return by_id[0]
    by_name = [w for w in mine if w.get("name") == name_or_id]
    if len(by_name) == 1:
        return by_name[0]
    if by_name:
        ids = ", ".join(w["workspace_id"] for w in by_name)
        raise TailrunError(f"{len(by_name)} of your workspaces are named {name_or_id!r}: give an id ({ids}).")
    raise TailrunError(f"No workspace {name_or_id!r} of yours: see `tailrun workspace list`.")


def create(stack: Stack, name: str) -> dict[str, Any]:
    return _call(stack, "create_workspace", {"name": name})


def rename(stack: Stack, workspace_id: str, name: str) -> dict[str, Any]:
    return _call(stack, "rename_workspace", {"workspace_id": workspace_id, "name": name})


def members(stack: Stack, workspace_id: str) -> dict[str, Any]:
    return find(stack, workspace_id)


def add(stack: Stack, workspace_id: str, who: str, role: str) -> dict[str, Any]:
    """Add a member by uid, or by email when ``who`` holds an ``@``."""
    key = "email" if "@" in who else "uid"
    return _call(stack, "add_member", {"workspace_id": workspace_id, key: who, "role": _role(role)})


def remove(stack: Stack, workspace_id: str, uid: str) -> dict[str, Any]:
    return _call(stack, "remove_member", {"workspace_id": workspace_id, "uid": uid})


def set_role(stack: Stack, workspace_id: str, uid: str, role: str) -> dict[str, Any]:
    return _call(stack, "set_member_role", {"workspace_id": workspace_id, "uid": uid, "role": _role(role)})


def transfer(stack: Stack, workspace_id: str, uid: str) -> dict[str, Any]:
    return _call(stack, "transfer_workspace", {"workspace_id": workspace_id, "uid": uid})


def delete(stack: Stack, workspace_id: str) -> dict[str, Any]:
    """Delete a workspace (its owner); the current one, if it was, goes back to the personal workspace."""
    answer = _call(stack, "delete_workspace", {"workspace_id": workspace_id})
    if remembered(stack) == workspace_id:
        remember(stack, None)
    return answer


def leave(stack: Stack, workspace_id: str) -> dict[str, Any]:
    answer = _call(stack, "leave_workspace", {"workspace_id": workspace_id})
    if remembered(stack) == workspace_id:
        remember(stack, None)
    return answer


def _role(role: str) -> str:
    if role not in ROLES:
        raise TailrunError(f"--role must be one of {', '.join(ROLES)}, got {role!r} (the owner transfers).")
    return role
