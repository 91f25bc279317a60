"""Who calls an artifact entrypoint (a user, or the runner of one attempt) and where their artifacts live."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from google.cloud import firestore

from tailrun_functions import admission, auth, defaults, schema, store
from tailrun_functions.documents import ScopeKind
from tailrun_functions.errors import Forbidden, NotFound
from tailrun_functions.models import RESERVED
from tailrun_functions.services import Services
from tailrun_functions.workspaces import access
from tailrun_functions.workspaces.model import Role, can_act_on

RUNNER = "runner"  # `uploaded_by` of what a job's runner uploads
Need = Literal["read", "upload", "review"]  # what a user does with a job's artifacts
USER_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: a user (``uid``) or the runner of one attempt of a job."""

    uid: str | None = None
    job_id: str | None = None
    attempt: int | None = None

    @property
    def uploaded_by(self) -> str:
        return self.uid if self.uid is not None else RUNNER


@dataclass(frozen=True)
class Scope:
    """Where a caller's artifacts live: a job's (``jobs/{id}``) or a user's own (``users/{uid}``)."""

    kind: ScopeKind
    key: str  # the job id or the uid
    owner: str

    @property
    def parent(self) -> str:
        """The collection of the scope's owner document, and the first folder of its objects."""
        return schema.JOBS if self.kind == "job" else schema.USERS

    def collection(self, db: firestore.Client) -> firestore.CollectionReference:
        collection: firestore.CollectionReference = (
            db.collection(self.parent).document(self.key).collection(schema.ARTIFACTS)
        )
        return collection

    def object_path(self, artifact_id: str, name: str) -> str:
        return f"{self.parent}/{self.key}/{artifact_id}/{name}"


def authenticate(
    svc: Services, headers: Mapping[str, str], job_id: str | None, attempt: int | None
) -> Caller:
    """A runner when the body names an attempt (its token is checked as for callbacks: ``admission.admit``), else
    a user (ID or development token)."""
    if attempt is not None and job_id is not None:
        token = admission.runner_token(headers)
        admission.admit(store.token_doc(store.token_ref(svc.db, job_id, attempt).get()), token, attempt)
        return Caller(job_id=job_id, attempt=attempt)
    return Caller(uid=auth.authenticate_user(headers, svc.settings, svc.user_verifier))


def _job_for(
    svc: Services, job_id: str, uid: str, need: Need, reviewers: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The job if ``uid`` may read it (a member of its workspace, or one of ``TAILRUN_REVIEWERS``); anyone else
    learns only that there is no such job. ``need``: ``read`` (download), ``upload`` (an admin, the owner, or the
    member who created the job), ``review`` (an admin or the owner, or a reviewer): 403 for other readers."""
    job = store.data(store.job_ref(svc.db, job_id).get())
    if job and uid in reviewers and need != "upload":
        return job  # a global reviewer reads and reviews every workspace's artifacts (TAILRUN_REVIEWERS)
    role = access.readable(svc, uid, job, NotFound(f"no job {job_id!r}", code="job_not_found"))
    if need == "upload" and not can_act_on(role, uid, job.get("owner")):
        raise Forbidden(
            f"you are {role.value} here: only admins, the owner and the job's creator add artifacts"
        )
    if need == "review" and not role.at_least(Role.ADMIN):
        raise Forbidden(f"you are {role.value} here: only admins and the owner review artifacts")
    return job


def user_scope(uid: str) -> Scope:
    """A user's own scope (``users/{uid}``), for uids that can be a document id and a folder name."""
    if not uid or len(uid) > defaults.MAX_UID_CHARS or not set(uid) <= USER_KEY_CHARS or RESERVED.match(uid):
        raise Forbidden("this account cannot hold its own uploads; upload to a job instead", code="bad_uid")
    return Scope("user", uid, uid)


def scope_of(
    svc: Services,
    caller: Caller,
    job_id: str | None,
    reviewers: tuple[str, ...] = (),
    need: Need = "upload",
) -> Scope:
    """The scope a caller works in: the runner's job, a job the user may read (``need`` says for what), or the
    user's own uploads."""
    if caller.uid is None:
        assert caller.job_id is not None
        job = store.data(store.job_ref(svc.db, caller.job_id).get())
        return Scope("job", caller.job_id, str(job.get("owner", "")))
    if job_id is None:
        return user_scope(caller.uid)
    job = _job_for(svc, job_id, caller.uid, need, reviewers)
    return Scope("job", job_id, str(job["owner"]))
