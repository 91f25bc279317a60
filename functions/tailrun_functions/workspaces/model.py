"""Roles, what each may do, and the workspace document with its public view.

``owner`` (everything: members, rename, delete, transfer), ``admin`` (members except the owner; cancel and retry
anyone's jobs, control anyone's batches, review artifacts), ``member`` (create jobs and batches; cancel, retry and
control their own; read everything), ``viewer`` (read). A workspace has exactly one owner: ``set_member_role``
never makes one, ``transfer_workspace`` moves the role (the old owner becomes an admin).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Final

from tailrun_functions.errors import Forbidden

PERSONAL_PREFIX: Final = "personal-"  # the personal workspace of uid U is personal-U
NAME_MAX_CHARS: Final = 100
UID_PATTERN: Final = re.compile(r"^[^/\x00-\x1f]{1,128}$")  # a uid that can be part of a document id


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


_RANKS = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}
GRANTABLE = frozenset({Role.ADMIN, Role.MEMBER, Role.VIEWER})  # what add_member and set_member_role may give


def personal_id(uid: str) -> str:
    """The id of ``uid``'s personal workspace; 403 ``bad_uid`` for a uid no document id can hold."""
    if not UID_PATTERN.match(uid):
        raise Forbidden("this account's uid cannot name a workspace", code="bad_uid")
    return f"{PERSONAL_PREFIX}{uid}"


def workspace_of(document: dict[str, Any]) -> str:
    """The workspace of a job, batch or artifact: its ``workspace_id``, else (written before workspaces) its
    owner's personal workspace."""
    workspace_id = document.get("workspace_id")
    if isinstance(workspace_id, str) and workspace_id:
        return workspace_id
    return f"{PERSONAL_PREFIX}{document.get('owner', '')}"


def role_in(workspace: dict[str, Any], uid: str) -> Role | None:
    """``uid``'s role in a workspace document (None: not a member, or no such workspace)."""
    roles = workspace.get("roles") or {}
    raw = roles.get(uid) if isinstance(roles, dict) else None
    try:
        return Role(raw) if raw is not None and uid in (workspace.get("member_uids") or []) else None
    except ValueError:
        return None


def can_act_on(role: Role, uid: str, owner: str | None) -> bool:
    """Whether ``role`` may cancel, retry or control a job or batch that ``owner`` created: admins and owners
    anything, members their own."""
    return role.at_least(Role.ADMIN) or (role is Role.MEMBER and owner == uid)


def new_document(name: str, owner: str, email: str | None, *, personal: bool, now: Any) -> dict[str, Any]:
    return {
        "name": name,
        "owner": owner,
        "roles": {owner: Role.OWNER.value},
        "member_uids": [owner],
        "emails": {owner: email},
        "personal": personal,
        "created_at": now,
        "updated_at": now,
    }


def public(workspace_id: str, workspace: dict[str, Any], uid: str) -> dict[str, Any]:
    """What the workspace functions answer: ``{workspace_id, name, owner, personal, members, your_role}``,
    members ordered by role (owner first) then uid."""
    roles: dict[str, str] = dict(workspace.get("roles") or {})
    emails: dict[str, Any] = dict(workspace.get("emails") or {})
    members = sorted(
        ({"uid": member, "email": emails.get(member), "role": role} for member, role in roles.items()),
        key=lambda m: (-Role(str(m["role"])).rank, str(m["uid"])),
    )
    mine = role_in(workspace, uid)
    return {
        "workspace_id": workspace_id,
        "name": workspace.get("name"),
        "owner": workspace.get("owner"),
        "personal": bool(workspace.get("personal")),
        "members": members,
        "your_role": mine.value if mine else None,
    }
