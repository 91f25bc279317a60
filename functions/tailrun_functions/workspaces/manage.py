"""The workspace functions: create, list, rename, delete; add, remove and re-role members; transfer; leave.

Each change is one transaction on the workspace document (read, check, write), so two admins changing members at
once never lose a change, and a removal is in force from its commit: the next call of the removed member reads it
(and the security rules read the same ``member_uids``). Each answers the workspace's public view
(``model.public``). Who may do what (``model``): the owner everything; admins rename and manage members other than
the owner (never making one); nobody else changes anything. A non-member learns only that there is no such
workspace (404 ``workspace_not_found``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from tailrun_functions import clock, defaults, schema, store
from tailrun_functions.errors import Conflict, Forbidden, InvalidRequest, NotFound
from tailrun_functions.models import AddMemberRequest, SetRoleRequest
from tailrun_functions.services import Services
from tailrun_functions.workspaces import directory
from tailrun_functions.workspaces.access import (
    ACTIVE_BATCH_STATUSES,
    ACTIVE_JOB_STATUSES,
    ensure_personal,
    load,
    workspace_ref,
)
from tailrun_functions.workspaces.model import Role, new_document, personal_id, public, role_in

logger = logging.getLogger(__name__)

Change = Callable[
    [dict[str, Any], Role], dict[str, Any] | None
]  # (workspace, caller's role) → fields, or None


def _not_found(workspace_id: str) -> NotFound:
    return NotFound(f"no workspace {workspace_id!r}", code="workspace_not_found")


def create(svc: Services, uid: str, name: str) -> dict[str, Any]:
    """A new workspace, the caller its owner."""
    personal_id(uid)  # a uid that cannot own a workspace is refused before anything is written
    workspace_id = uuid.uuid4().hex
    document = new_document(name, uid, None, personal=False, now=clock.now())
    workspace_ref(svc.db, workspace_id).create(document)
    logger.info("workspace %s created by %s", workspace_id, uid)
    return public(workspace_id, document, uid)


def list_mine(svc: Services, uid: str) -> dict[str, Any]:
    """Every workspace the caller is a member of (the personal one first, made now if it is not yet), by name."""
    ensure_personal(svc, uid)
    query = svc.db.collection(schema.WORKSPACES).where(
        filter=FieldFilter("member_uids", "array_contains", uid)
    )
    found = [public(snapshot.id, store.data(snapshot), uid) for snapshot in query.stream()]
    found.sort(key=lambda w: (not w["personal"], str(w["name"]).lower(), w["workspace_id"]))
    return {"workspaces": found}


def _change(svc: Services, uid: str, workspace_id: str, change: Change) -> dict[str, Any]:
    """One transaction: the caller's role is read with the workspace, ``change`` answers the fields to write."""
    ref = workspace_ref(svc.db, workspace_id)

    @firestore.transactional
    def run(t: firestore.Transaction) -> dict[str, Any]:
        snapshot = ref.get(transaction=t)
        workspace = store.data(snapshot)
        if not workspace and workspace_id == personal_id(uid):  # read before it existed: made by this commit
            workspace = new_document("Personal", uid, None, personal=True, now=clock.now())
        role = role_in(workspace, uid)
        if role is None:
            raise _not_found(workspace_id)
        fields = change(workspace, role)
        if not fields:
            return workspace
        fields = {**fields, "updated_at": clock.now()}
        if snapshot.exists:
            t.update(ref, fields)
        else:
            t.create(ref, {**workspace, **fields})
        return {**workspace, **fields}

    result = run(svc.db.transaction(max_attempts=defaults.CANCEL_TRANSACTION_ATTEMPTS))
    return public(workspace_id, result, uid)


def _need(role: Role, at_least: Role, what: str) -> None:
    if not role.at_least(at_least):
        raise Forbidden(f"only an {at_least.value} or the owner may {what}; you are {role.value}")


def rename(svc: Services, uid: str, workspace_id: str, name: str) -> dict[str, Any]:
    def change(workspace: dict[str, Any], role: Role) -> dict[str, Any] | None:
        _need(role, Role.ADMIN, "rename the workspace")
        return {"name": name} if workspace.get("name") != name else None

    return _change(svc, uid, workspace_id, change)


def delete(svc: Services, uid: str, workspace_id: str) -> dict[str, Any]:
    """Delete a workspace (its owner only; never a personal one); 409 ``workspace_busy`` while a job of it is
    queued or running or a batch of it has not ended. Its jobs, batches and artifacts stay stored and become
    readable by nobody (their workspace is gone)."""
    ref = workspace_ref(svc.db, workspace_id)
    workspace = load(svc, workspace_id, uid=uid)
    role = role_in(workspace, uid)
    if role is None:
        raise _not_found(workspace_id)
    if role is not Role.OWNER:
        raise Forbidden("only the owner may delete the workspace")
    if workspace.get("personal"):
        raise Conflict("a personal workspace cannot be deleted", code="personal_workspace")
    if _any(svc, schema.JOBS, workspace_id, ACTIVE_JOB_STATUSES) or _any(
        svc, "batches", workspace_id, ACTIVE_BATCH_STATUSES
    ):
        raise Conflict(
            "the workspace has jobs running or batches not ended; cancel or stop them first",
            code="workspace_busy",
        )
    ref.delete(option=svc.db.write_option(last_update_time=ref.get().update_time))
    logger.info("workspace %s deleted by %s", workspace_id, uid)
    return {**public(workspace_id, workspace, uid), "deleted": True}


def _any(svc: Services, collection: str, workspace_id: str, statuses: list[str]) -> bool:
    query = (
        svc.db.collection(collection)
        .where(filter=FieldFilter("workspace_id", "==", workspace_id))
        .where(filter=FieldFilter("status", "in", statuses))
        .limit(1)
    )
    return any(True for _ in query.stream())


def _with_member(workspace: dict[str, Any], member: str, role: Role, email: str | None) -> dict[str, Any]:
    roles = {**(workspace.get("roles") or {}), member: role.value}
    uids = list(workspace.get("member_uids") or [])
    emails = dict(workspace.get("emails") or {})
    if member not in uids:
        uids.append(member)
    if email is not None or member not in emails:
        emails[member] = email
    return {"roles": roles, "member_uids": uids, "emails": emails}


def _without_member(workspace: dict[str, Any], member: str) -> dict[str, Any]:
    roles = {k: v for k, v in (workspace.get("roles") or {}).items() if k != member}
    emails = {k: v for k, v in (workspace.get("emails") or {}).items() if k != member}
    uids = [u for u in workspace.get("member_uids") or [] if u != member]
    return {"roles": roles, "member_uids": uids, "emails": emails}


def add_member(svc: Services, uid: str, request: AddMemberRequest) -> dict[str, Any]:
    """Add a member (by uid, or by email through Firebase Auth) with a role below owner; an existing member keeps
    their role (use set_member_role). Admins and the owner may; at most ``TAILRUN_WORKSPACE_MAX_MEMBERS``."""
    member, email = request.uid, request.email
    if member is None:
        assert email is not None
        member = directory.uid_for_email(svc.settings, email)
        if member is None:
            raise NotFound(f"no user signs in with {email!r}", code="user_not_found")
    personal_id(member)  # refuses a uid no document can name
    role = Role(request.role)
    limit = svc.settings.workspace_max_members

    def change(workspace: dict[str, Any], caller: Role) -> dict[str, Any] | None:
        _need(caller, Role.ADMIN, "add members")
        if member in (workspace.get("roles") or {}):
            return None
        if len(workspace.get("member_uids") or []) >= limit:
            raise Conflict(f"the workspace has {limit} members, its limit", code="too_many_members")
        return _with_member(workspace, member, role, email)

    result = _change(svc, uid, request.workspace_id, change)
    logger.info("workspace %s: %s added as %s by %s", request.workspace_id, member, role, uid)
    return result


def _target_role(workspace: dict[str, Any], member: str) -> Role:
    role = role_in(workspace, member)
    if role is None:
        raise NotFound(f"{member!r} is not a member of this workspace", code="member_not_found")
    return role


def remove_member(svc: Services, uid: str, workspace_id: str, member: str) -> dict[str, Any]:
    """Remove a member other than the owner (admins and the owner may; removing oneself is leave_workspace)."""
    if member == uid:
        return leave(svc, uid, workspace_id)

    def change(workspace: dict[str, Any], caller: Role) -> dict[str, Any] | None:
        _need(caller, Role.ADMIN, "remove members")
        if _target_role(workspace, member) is Role.OWNER:
            raise Forbidden("the owner cannot be removed; the owner may transfer the workspace")
        return _without_member(workspace, member)

    result = _change(svc, uid, workspace_id, change)
    logger.info("workspace %s: %s removed by %s", workspace_id, member, uid)
    return result


def set_role(svc: Services, uid: str, request: SetRoleRequest) -> dict[str, Any]:
    """Change a member's role (never to or from owner: transfer_workspace moves that)."""
    role = Role(request.role)

    def change(workspace: dict[str, Any], caller: Role) -> dict[str, Any] | None:
        _need(caller, Role.ADMIN, "change roles")
        current = _target_role(workspace, request.uid)
        if current is Role.OWNER:
            raise Forbidden("the owner's role changes only by transfer_workspace")
        if current is role:
            return None
        return _with_member(workspace, request.uid, role, None)

    result = _change(svc, uid, request.workspace_id, change)
    logger.info("workspace %s: %s is now %s (by %s)", request.workspace_id, request.uid, role, uid)
    return result


def transfer(svc: Services, uid: str, workspace_id: str, member: str) -> dict[str, Any]:
    """Make a member the owner; the old owner stays as an admin. The owner only; not a personal workspace."""

    def change(workspace: dict[str, Any], caller: Role) -> dict[str, Any] | None:
        if caller is not Role.OWNER:
            raise Forbidden("only the owner may transfer the workspace")
        if workspace.get("personal"):
            raise Conflict("a personal workspace cannot be transferred", code="personal_workspace")
        if member == uid:
            return None
        _target_role(workspace, member)
        fields = _with_member(_with_member(workspace, uid, Role.ADMIN, None), member, Role.OWNER, None)
        return {**fields, "owner": member}

    result = _change(svc, uid, workspace_id, change)
    logger.info("workspace %s transferred from %s to %s", workspace_id, uid, member)
    return result


def leave(svc: Services, uid: str, workspace_id: str) -> dict[str, Any]:
    """Leave a workspace; its owner cannot (409 ``owner_cannot_leave``: transfer it first, or delete it)."""

    def change(workspace: dict[str, Any], caller: Role) -> dict[str, Any] | None:
        if caller is Role.OWNER:
            raise Conflict(
                "the owner cannot leave the workspace; transfer it to another member first, or delete it",
                code="owner_cannot_leave",
            )
        return _without_member(workspace, uid)

    result = _change(svc, uid, workspace_id, change)
    logger.info("workspace %s: %s left", workspace_id, uid)
    return result


def check_name(name: str) -> str:
    if not name.strip():
        raise InvalidRequest("the name must not be blank", code="invalid_name")
    return name
