"""Who may do what in a workspace: ``role_of``, ``require``, the caller's personal workspace (made on first use)
and the per-workspace quotas.

What a caller may not read answers exactly as what does not exist (404, invariant 10); what they may read but not
do answers 403 ``forbidden``. Each check reads the workspace document once (in the caller's transaction when there
is one, so a removal that commits first is seen).
"""

from __future__ import annotations

import logging
from typing import Any

from google.api_core import exceptions as google_exceptions
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from tailrun_functions import clock, schema, store
from tailrun_functions.errors import Forbidden, NotFound, TailrunError
from tailrun_functions.services import Services
from tailrun_functions.states import TERMINAL, JobStatus
from tailrun_functions.workspaces.model import Role, new_document, personal_id, role_in, workspace_of

logger = logging.getLogger(__name__)

ACTIVE_JOB_STATUSES = sorted(s.value for s in JobStatus if s not in TERMINAL)
ACTIVE_BATCH_STATUSES = ["paused", "running", "stopping"]  # batches.BatchStatus not ended (no import cycle)


class QuotaExceeded(TailrunError):
    """429 ``quota_exceeded`` with ``Retry-After``: the workspace holds as much as its quota allows."""

    status = 429
    code = "quota_exceeded"

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after_s)}


def workspace_ref(db: firestore.Client, workspace_id: str) -> store.DocRef:
    return db.collection(schema.WORKSPACES).document(workspace_id)


def ensure_personal(svc: Services, uid: str) -> dict[str, Any]:
    """``personal-<uid>``, created (uid its owner) when it does not exist yet: every user has one from their first
    call that touches it (``load`` does this for the caller's own personal workspace, at no extra read)."""
    return load(svc, personal_id(uid), uid=uid)


def _create_personal(svc: Services, uid: str) -> dict[str, Any]:
    workspace_id = personal_id(uid)
    ref = workspace_ref(svc.db, workspace_id)
    document = new_document("Personal", uid, None, personal=True, now=clock.now())
    try:
        ref.create(document)  # outside any transaction: a create precondition makes two first calls agree
        logger.info("personal workspace %s created", workspace_id)
        return document
    except google_exceptions.AlreadyExists:  # a concurrent first call made it
        return store.data(ref.get())


def load(
    svc: Services, workspace_id: str, t: firestore.Transaction | None = None, *, uid: str | None = None
) -> dict[str, Any]:
    """The workspace's fields ({} when it does not exist); the caller's (``uid``) own personal workspace is
    created when missing."""
    found = store.data(workspace_ref(svc.db, workspace_id).get(transaction=t))
    if not found and uid is not None and workspace_id == personal_id(uid):
        if t is not None:  # no write beside a transaction that read the document (it would wait on its lock)
            return new_document("Personal", uid, None, personal=True, now=clock.now())
        return _create_personal(svc, uid)
    return found


def role_of(
    svc: Services, uid: str, workspace_id: str, t: firestore.Transaction | None = None
) -> Role | None:
    """``uid``'s role in the workspace, or None when they are no member (or it does not exist)."""
    return role_in(load(svc, workspace_id, t, uid=uid), uid)


def require(
    svc: Services, uid: str, workspace_id: str, at_least: Role, t: firestore.Transaction | None = None
) -> tuple[dict[str, Any], Role]:
    """The workspace and ``uid``'s role in it, which must be at least ``at_least``: 404 ``workspace_not_found``
    for a non-member (as for a workspace that does not exist), 403 ``forbidden`` for a lower role."""
    workspace = load(svc, workspace_id, t, uid=uid)
    role = role_in(workspace, uid)
    if role is None:
        raise NotFound(f"no workspace {workspace_id!r}", code="workspace_not_found")
    if not role.at_least(at_least):
        raise Forbidden(
            f"you are {role.value} in workspace {workspace_id!r}; this needs {at_least.value} or more"
        )
    return workspace, role


def readable(
    svc: Services,
    uid: str,
    document: dict[str, Any],
    not_found: NotFound,
    t: firestore.Transaction | None = None,
) -> Role:
    """``uid``'s role in the workspace of a job or batch document; ``not_found`` (raised) when the document is
    missing or the caller is no member of its workspace: the two answer alike."""
    if not document:
        raise not_found
    role = role_of(svc, uid, workspace_of(document), t)
    if role is None:
        raise not_found
    return role


def check_running_jobs(svc: Services, workspace_id: str) -> None:
    """429 when the workspace has ``TAILRUN_WORKSPACE_MAX_RUNNING_JOBS`` jobs queued, booting or running.

    A count aggregation read before the create, not in its commit: creates racing at the limit can pass it
    together (by at most the number in flight), which a quota tolerates."""
    limit = svc.settings.workspace_max_running_jobs
    query = (
        svc.db.collection(schema.JOBS)
        .where(filter=FieldFilter("workspace_id", "==", workspace_id))
        .where(filter=FieldFilter("status", "in", ACTIVE_JOB_STATUSES))
    )
    if _count(query) >= limit:
        raise QuotaExceeded(
            f"workspace {workspace_id!r} has {limit} jobs queued or running, its quota; retry once one ends",
            retry_after_s=svc.settings.workspace_quota_retry_after_s,
        )


def check_running_batches(svc: Services, workspace_id: str) -> None:
    """429 when the workspace has ``TAILRUN_WORKSPACE_MAX_RUNNING_BATCHES`` batches running, paused or
    stopping (read before the create, as ``check_running_jobs``)."""
    limit = svc.settings.workspace_max_running_batches
    query = (
        svc.db.collection("batches")
        .where(filter=FieldFilter("workspace_id", "==", workspace_id))
        .where(filter=FieldFilter("status", "in", ACTIVE_BATCH_STATUSES))
    )
    if _count(query) >= limit:
        raise QuotaExceeded(
            f"workspace {workspace_id!r} has {limit} batches that have not ended, its quota; stop one or "
            "retry once one ends",
            retry_after_s=svc.settings.workspace_quota_retry_after_s,
        )


def _count(query: Any) -> int:
    result = query.count().get()
    return int(result[0][0].value)
