"""What users ask for: create a job, cancel it, retry it (a new job linked to its parent)."""

from __future__ import annotations

import logging
import os
import uuid
from typing import Any

from google.cloud import firestore

from tailrun_functions import attempts, clock, defaults, schema, store
from tailrun_functions.batches import endings as batch_endings
from tailrun_functions.documents import TokenState
from tailrun_functions.errors import Conflict, Forbidden, InvalidRequest, NotFound
from tailrun_functions.launcher import LaunchRequest
from tailrun_functions.models import CreateJobRequest
from tailrun_functions.services import Services
from tailrun_functions.states import JobStatus, check_transition
from tailrun_functions.workspaces import access
from tailrun_functions.workspaces.model import Role, can_act_on, personal_id, workspace_of

logger = logging.getLogger(__name__)

RETRYABLE = frozenset({JobStatus.FAILED, JobStatus.CANCELED, JobStatus.TIMED_OUT})


def resolve_argv(request: CreateJobRequest, svc: Services) -> list[str]:
    """The command the runner runs: the argv, or the agent's command with the prompt as its last argument."""
    if request.argv is not None:
        return list(request.argv)
    agent = request.agent or defaults.AGENT
    prefix = svc.settings.agent_argv(agent)
    if prefix is None:
        known = ", ".join(name for name, _ in svc.settings.agents)
        raise InvalidRequest(f"unknown agent {agent!r}; known agents: {known}", code="unknown_agent")
    return [*prefix, request.prompt or ""]


def check_cwd(request: CreateJobRequest, svc: Services) -> None:
    """A spec's ``cwd`` must be an absolute path of an existing directory, and only the local stack has one: a Cloud
    Run execution starts from its image's filesystem, where no directory of the user's exists."""
    if request.cwd is None:
        return
    if svc.settings.launcher == "cloudrun":
        raise InvalidRequest(
            "cwd is for the local stack only: a job in the cloud runs in a fresh container's directory",
            code="cwd_not_supported",
        )
    if not os.path.isabs(request.cwd):
        raise InvalidRequest(f"cwd must be an absolute path, got {request.cwd!r}", code="cwd_invalid")
    if not os.path.isdir(request.cwd):
        raise InvalidRequest(f"cwd must be an existing directory, got {request.cwd!r}", code="cwd_invalid")


def label_pairs(labels: dict[str, str]) -> list[str]:
    """The labels as sorted ``k=v`` texts: a client filters jobs by one with ``array_contains`` (keys hold no ``=``,
    so each text names one label)."""
    return sorted(f"{key}={value}" for key, value in labels.items())


def spec_fields(request: CreateJobRequest) -> dict[str, Any]:
    """The client-readable spec: everything but env values (kept in job_secrets) and the idempotency key."""
    spec = request.model_dump(exclude={"env", "idempotency_key", "workspace_id"}, exclude_none=True)
    spec["idle_timeout_s"] = request.idle_timeout_s or min(request.timeout_s, defaults.IDLE_TIMEOUT_S)
    spec["env_keys"] = sorted(request.env)
    return spec


def watch_paths(job_id: str) -> dict[str, str]:
    return {"job": f"{schema.JOBS}/{job_id}", "chunks": f"{schema.JOBS}/{job_id}/{schema.CHUNKS}"}


def create_job(
    svc: Services, owner: str, request: CreateJobRequest, parent_job_id: str | None = None
) -> dict[str, Any]:
    """Write the job and its first attempt in one commit, then launch it (unless the key was seen before).

    The job goes into ``request.workspace_id`` (absent: the caller's personal workspace), where the caller must be
    a member, an admin or the owner (a viewer: 403; a non-member: 404 ``workspace_not_found``); past the
    workspace's quota of running jobs it is a 429 ``quota_exceeded`` and nothing is written.

    Without an idempotency key nothing is read, so the documents are created by one batch (one RPC; creates are
    atomic and fail if a document exists) rather than a read-write transaction (three), and the launch is
    recorded by one commit conditioned on the documents being as written (``attempts.launch``'s ``written_at``).
    """
    argv = resolve_argv(request, svc)
    check_cwd(request, svc)
    workspace_id = request.workspace_id or personal_id(owner)
    access.require(svc, owner, workspace_id, Role.MEMBER)
    access.check_running_jobs(svc, workspace_id)
    db, job_id = svc.db, uuid.uuid4().hex

    def write_new(w: firestore.Transaction | firestore.WriteBatch) -> LaunchRequest:
        return write_job(w, svc, owner, request, job_id, argv, parent_job_id)

    @firestore.transactional
    def write(t: firestore.Transaction, key: str) -> tuple[str, LaunchRequest | None]:
        key_ref = store.idempotency_ref(db, owner, key)
        seen = store.data(key_ref.get(transaction=t))
        if seen:
            if seen["fingerprint"] != request.fingerprint():
                raise Conflict(
                    "this idempotency key was used for a different job", code="idempotency_conflict"
                )
            return seen["job_id"], None
        t.create(
            key_ref,
            {
                "job_id": job_id,
                "owner": owner,
                "fingerprint": request.fingerprint(),
                "created_at": clock.now(),
            },
        )
        return job_id, write_new(t)

    written_at = None
    if request.idempotency_key is None:
        batch = db.batch()
        created_id, launch = job_id, write_new(batch)
        batch.commit()
        written_at = batch.commit_time  # every document a commit creates has its commit time as update time
    else:
        created_id, launch = write(db.transaction(), request.idempotency_key)
    if launch is None:
        logger.info("idempotency key of %s matched job %s; nothing launched", owner, created_id)
        status = store.data(store.job_ref(db, created_id).get()).get("status", JobStatus.QUEUED.value)
        return {"job_id": created_id, "status": status, "created": False, "watch": watch_paths(created_id)}
    status = attempts.launch(svc, launch, written_at=written_at)
    return {
        "job_id": created_id,
        "status": status.value,
        "attempt": launch.attempt,
        "created": True,
        "watch": watch_paths(created_id),
    }


def write_job(
    w: firestore.Transaction | firestore.WriteBatch,
    svc: Services,
    owner: str,
    request: CreateJobRequest,
    job_id: str,
    argv: list[str],
    parent_job_id: str | None,
    extra: dict[str, Any] | None = None,
) -> LaunchRequest:
    """Create a job's documents (the job, its secrets, its first attempt and token) in ``w``; returns what its
    launch needs. ``extra``: more fields of the job document (a batch's job: ``batch_id``, ``row``, ``batch_slot``).
    create_job and the batch scheduler (``batches.scheduler``) both create jobs through it."""
    db = svc.db
    workspace = {"workspace_id": request.workspace_id or personal_id(owner)}
    job = {**_job_document(owner, request, argv, parent_job_id), **workspace, **(extra or {})}
    w.create(store.job_ref(db, job_id), job)
    w.create(store.secrets_ref(db, job_id), {"owner": owner, "env": dict(request.env)})
    token = attempts.attempt_docs(
        w, db, job_id, 1, owner=owner, timeout_s=request.timeout_s, settings=svc.settings
    )
    return attempts.launch_request(job_id, 1, token, job, dict(request.env), svc)


def _job_document(
    owner: str, request: CreateJobRequest, argv: list[str], parent_job_id: str | None
) -> dict[str, Any]:
    now = clock.now()
    return {
        "owner": owner,
        "status": JobStatus.QUEUED.value,
        "spec": spec_fields(request),
        "argv": argv,
        "created_at": now,
        "updated_at": now,
        "started_at": None,
        "ended_at": None,
        "error": None,
        "parent_job_id": parent_job_id,
        "retried_by": [],
        "label_pairs": label_pairs(request.labels),
        "idempotency_key": request.idempotency_key,
        **attempts.fresh_attempt_fields(1),
    }


def readable_job(
    svc: Services, uid: str, job_id: str, t: firestore.Transaction | None = None
) -> tuple[dict[str, Any], Role]:
    """The job document and the caller's role in its workspace; a job of a workspace the caller is no member of
    answers exactly as a missing one (404 ``job_not_found``)."""
    job = store.data(store.job_ref(svc.db, job_id).get(transaction=t))
    role = access.readable(svc, uid, job, NotFound(f"no job {job_id!r}", code="job_not_found"), t)
    return job, role


def _actionable_job(
    svc: Services, uid: str, job_id: str, what: str, t: firestore.Transaction | None = None
) -> dict[str, Any]:
    """The job if the caller may cancel or retry it: an admin or the owner of its workspace, or a member who
    created it; 403 ``forbidden`` for other readers."""
    job, role = readable_job(svc, uid, job_id, t)
    if not can_act_on(role, uid, job.get("owner")):
        raise Forbidden(
            f"you are {role.value} in workspace {workspace_of(job)!r}: only admins, the owner, and the member who "
            f"created it may {what} this job"
        )
    return job


def cancel_job(svc: Services, owner: str, job_id: str) -> dict[str, Any]:
    """queued/booting/running → canceled in one transaction, then stop the sandbox (the runner drains and ends)."""
    db = svc.db

    batch_of: list[
        str
    ] = []  # the batch of the job, when it has one: its free slots are filled after the commit

    @firestore.transactional
    def cancel(t: firestore.Transaction) -> dict[str, Any] | None:
        job = _actionable_job(svc, owner, job_id, "cancel", t)
        status, attempt = JobStatus(job["status"]), int(job["attempt"])
        attempt_doc, token = store.read_all(
            t, [store.attempt_ref(db, job_id, attempt), store.token_ref(db, job_id, attempt)]
        )
        if status.terminal:
            raise Conflict(f"job {job_id} is already {status.value}", code="job_ended")
        check_transition(status, JobStatus.CANCELED)
        now = clock.now()
        error = {"code": "canceled", "message": f"canceled by {owner}"}
        t.update(
            store.job_ref(db, job_id),
            {
                "status": JobStatus.CANCELED.value,
                "ended_at": now,
                "updated_at": now,
                "error": error,
                "next_attempt_at": None,
            },
        )
        batch_of[:] = [
            batch_id
            for batch_id in [batch_endings.job_ended(t, db, job, JobStatus.CANCELED, error)]
            if batch_id is not None
        ]
        if token.get("state") == TokenState.LIVE:
            attempts.end_token(t, db, job_id, attempt, TokenState.ENDED, svc.settings.drain_s)
            t.update(
                store.attempt_ref(db, job_id, attempt),
                {"status": JobStatus.CANCELED.value, "ended_at": now, "error": error},
            )
        return attempt_doc.get("launch") if token.get("state") == TokenState.LIVE else None

    # A user's cancel must not lose to the job's own output: its transaction retries longer than the callbacks'.
    launch = cancel(db.transaction(max_attempts=defaults.CANCEL_TRANSACTION_ATTEMPTS))
    if launch:
        svc.launcher.cancel(launch)
    logger.info("job %s canceled by %s", job_id, owner)
    for batch_id in batch_of:
        from tailrun_functions.batches import scheduler  # the scheduler creates jobs: imported late

        scheduler.after_job_ended(svc, batch_id)
    return {"job_id": job_id, "status": JobStatus.CANCELED.value}


def retry_job(svc: Services, owner: str, job_id: str) -> dict[str, Any]:
    """A failed, canceled or timed-out job → a new job with the same spec, linked both ways: the new job's
    ``parent_job_id``, and the parent's ``retried_by`` (its retries' ids, oldest first).

    The parent's link is written right after the new job's transaction and before the answer, not inside it:
    the new job (with its ``parent_job_id``) is what must not be lost, and only an answered retry is acknowledged.
    Should this second write fail, the client gets an error, and the retry still exists and names its parent.

    The retry is created in the parent's workspace, owned by the caller (who must be allowed to act on the
    parent: an admin, the owner, or the member who created it), within the workspace's quota."""
    job = _actionable_job(svc, owner, job_id, "retry")
    status = JobStatus(job["status"])
    if status not in RETRYABLE:
        raise Conflict(
            f"job {job_id} is {status.value}; only failed, canceled or timed-out jobs can be retried",
            code="not_retryable",
        )
    env = store.data(store.secrets_ref(svc.db, job_id).get()).get("env") or {}
    spec = {k: v for k, v in job["spec"].items() if k != "env_keys"}
    request = CreateJobRequest.model_validate({**spec, "env": env, "workspace_id": workspace_of(job)})
    result = create_job(svc, owner, request, parent_job_id=job_id)
    store.job_ref(svc.db, job_id).update({"retried_by": firestore.ArrayUnion([result["job_id"]])})
    return {**result, "parent_job_id": job_id}
