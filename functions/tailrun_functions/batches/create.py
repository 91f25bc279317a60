"""create_batch: check everything, write the rows, then the batch document, then start the first rows.

Nothing is written before the whole request is checked (``rows.parse``: the CSV, the columns, the templates,
every row's job), so a bad request is a 400 that writes nothing. The rows are written first, in commits of at most
500 creates; the batch document (with its secrets and its idempotency key) is written last, in one commit. So a
batch never runs half-written: the scheduler starts rows only of a batch document that exists, and a client
cannot read rows whose batch document is missing (the rules read it). A create that dies before its last commit
leaves rows under no batch: nobody can read or run them.

Idempotency: ``idempotency/{sha256(owner, "\\0batch\\0", key)}`` (job keys are printable ASCII, so they never
meet a batch's) names the batch. A repeated key with the same request answers 200 with the same batch; with a
different request 409 ``idempotency_conflict``. Two creates racing on one key: the one whose last commit loses
(the key document exists) deletes its rows and answers as the repeat.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from google.api_core import exceptions as google_exceptions

from tailrun_functions import clock, defaults, jobs, store
from tailrun_functions.batches import BatchStatus, RowStatus, rows, scheduler
from tailrun_functions.batches.refs import batch_ref, row_ref, secrets_ref
from tailrun_functions.errors import Conflict, InvalidRequest
from tailrun_functions.models import CreateBatchRequest
from tailrun_functions.services import Services
from tailrun_functions.workspaces import access
from tailrun_functions.workspaces.model import Role, personal_id

logger = logging.getLogger(__name__)


def key_ref(svc: Services, owner: str, key: str) -> store.DocRef:
    return store.idempotency_ref(svc.db, owner, f"\x00batch\x00{key}")


def _seen(svc: Services, owner: str, request: CreateBatchRequest) -> dict[str, Any] | None:
    """The answer of an earlier create with this idempotency key, or None."""
    if request.idempotency_key is None:
        return None
    seen = store.data(key_ref(svc, owner, request.idempotency_key).get())
    if not seen:
        return None
    if seen.get("fingerprint") != request.fingerprint():
        raise Conflict("this idempotency key was used for a different batch", code="idempotency_conflict")
    batch = store.data(batch_ref(svc.db, seen["batch_id"]).get())
    return {"batch_id": seen["batch_id"], "total": batch.get("total"), "created": False}


def batch_document(
    owner: str, request: CreateBatchRequest, parsed: rows.Parsed, concurrency: int, workspace_id: str
) -> dict[str, Any]:
    now = clock.now()
    template = {k: v for k, v in parsed.template.items() if k != "env"}
    template["env_keys"] = sorted(request.env)
    total = len(parsed.rows)
    return {
        "owner": owner,
        "workspace_id": workspace_id,
        "name": request.name,
        "status": BatchStatus.RUNNING.value,
        "concurrency": concurrency,
        "slot_count": concurrency,
        "total": total,
        "counts": {
            "total": total,
            "queued": total,
            "running": 0,
            "succeeded": 0,
            "failed": 0,
            "canceled": 0,
            "timed_out": 0,
        },
        "success_rate": None,
        "started_at": now,
        "ended_at": None,
        "avg_duration_s": None,
        "eta_s": None,
        "rows_per_minute": 0.0,
        "paused_reason": None,
        "stopped_reason": None,
        "template": template,
        "columns": parsed.columns,
        "sample": request.sample,
        "max_failures": request.max_failures,
        "max_failure_rate": request.max_failure_rate,
        "idempotency_key": request.idempotency_key,
        "created_at": now,
        "updated_at": now,
        "stats_at": None,
        "stats_final": False,
        "failures_offset": 0,
        "finished_offset": 0,
    }


def row_document(row: int, values: dict[str, str]) -> dict[str, Any]:
    return {
        "row": row,
        "values": values,
        "status": RowStatus.QUEUED.value,
        "job_id": None,
        "exit_code": None,
        "duration_s": None,
        "attempts": 0,
        "error": None,
        "result": None,
        "retry_of": None,
        "started_at": None,
        "ended_at": None,
        "updated_at": clock.now(),
    }


def create_batch(svc: Services, owner: str, request: CreateBatchRequest) -> tuple[int, dict[str, Any]]:
    """201 ``{"batch_id", "total"}`` (200 for a repeated idempotency key).

    The batch goes into ``request.workspace_id`` (absent: the caller's personal workspace), where the caller must
    be a member or more (a viewer: 403; a non-member: 404 ``workspace_not_found``); past the workspace's quota of
    batches not ended it is a 429 ``quota_exceeded`` and nothing is written. Its jobs belong to it too."""
    ceiling = svc.settings.batch_max_concurrency
    if request.concurrency > ceiling:
        raise InvalidRequest(
            f"concurrency must be between 1 and {ceiling}, got {request.concurrency}",
            code="invalid_concurrency",
        )
    parsed = rows.parse(request)
    first = parsed.job_request(parsed.rows[0])
    jobs.resolve_argv(first, svc)  # an unknown agent is refused here, before anything is written
    jobs.check_cwd(first, svc)
    workspace_id = request.workspace_id or personal_id(owner)
    access.require(svc, owner, workspace_id, Role.MEMBER)
    seen = _seen(svc, owner, request)
    if seen is not None:
        return 200, seen
    access.check_running_batches(svc, workspace_id)
    db, batch_id = svc.db, uuid.uuid4().hex
    step = defaults.BATCH_WRITES_PER_COMMIT
    for begin in range(0, len(parsed.rows), step):
        commit = db.batch()
        for index in range(begin, min(begin + step, len(parsed.rows))):
            commit.create(row_ref(db, batch_id, index), row_document(index, parsed.rows[index]))
        commit.commit()
    last = db.batch()
    last.create(
        batch_ref(db, batch_id), batch_document(owner, request, parsed, request.concurrency, workspace_id)
    )
    last.create(secrets_ref(db, batch_id), {"owner": owner, "env": dict(request.env)})
    if request.idempotency_key is not None:
        last.create(
            key_ref(svc, owner, request.idempotency_key),
            {
                "batch_id": batch_id,
                "owner": owner,
                "fingerprint": request.fingerprint(),
                "created_at": clock.now(),
            },
        )
    try:
        last.commit()
    except google_exceptions.AlreadyExists:  # a create with the same key won the race: ours never existed
        _delete_rows(svc, batch_id, len(parsed.rows))
        seen = _seen(svc, owner, request)
        if seen is None:
            raise
        return 200, seen
    logger.info(
        "batch %s created by %s: %d rows, concurrency %d",
        batch_id,
        owner,
        len(parsed.rows),
        request.concurrency,
    )
    scheduler.fill(svc, batch_id)
    return 201, {"batch_id": batch_id, "total": len(parsed.rows), "created": True}


def _delete_rows(svc: Services, batch_id: str, total: int) -> None:
    db, step = svc.db, defaults.BATCH_WRITES_PER_COMMIT
    for begin in range(0, total, step):
        commit = db.batch()
        for index in range(begin, min(begin + step, total)):
            commit.delete(row_ref(db, batch_id, index))
        commit.commit()
