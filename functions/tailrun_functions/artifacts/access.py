"""What people do with finalized artifacts: review them (once) and download them (a short-lived signed URL)."""

from __future__ import annotations

import logging
from typing import Any, cast

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from tailrun_functions import clock, defaults, store
from tailrun_functions.artifacts.callers import Caller, Scope, scope_of
from tailrun_functions.artifacts.models import DownloadRequest, ReviewRequest
from tailrun_functions.artifacts.uploads import check_generation, public
from tailrun_functions.documents import ArtifactDoc, Review, ReviewState
from tailrun_functions.errors import Conflict, NotFound
from tailrun_functions.services import Services
from tailrun_functions.storage import Bucket

logger = logging.getLogger(__name__)


def review(svc: Services, uid: str, request: ReviewRequest) -> dict[str, Any]:
    """Approve or reject a pending artifact, once; the reviewer and the time are recorded."""
    scope = scope_of(svc, Caller(uid=uid), request.job_id, svc.settings.reviewers, need="review")
    ref = scope.collection(svc.db).document(request.artifact_id)
    state = ReviewState.APPROVED if request.decision == "approve" else ReviewState.REJECTED

    @firestore.transactional
    def decide(t: firestore.Transaction) -> ArtifactDoc:
        artifact = cast(ArtifactDoc, store.data(ref.get(transaction=t)))
        if not artifact:
            raise NotFound(f"no artifact {request.artifact_id!r}", code="artifact_not_found")
        current = ReviewState(artifact["review"]["state"])
        if current is not ReviewState.PENDING:
            raise Conflict(f"the artifact was already {current}; reviews are final", code="already_reviewed")
        decision = Review(state=state, reviewer=uid, note=request.note, at=clock.now())
        t.update(ref, {"review": {**decision, "state": state.value}})
        return {**artifact, "review": decision}

    result = decide(svc.db.transaction())
    logger.info("artifact %s %s by %s", request.artifact_id, state, uid)
    return {"artifact": public(result)}


def _find(svc: Services, scope: Scope, request: DownloadRequest) -> ArtifactDoc:
    collection = scope.collection(svc.db)
    if request.artifact_id is not None:
        found = store.data(collection.document(request.artifact_id).get())
    else:
        query = collection.where(filter=FieldFilter("name", "==", request.name)).limit(
            defaults.NAME_LOOKUP_LIMIT
        )
        docs = [store.data(snapshot) for snapshot in query.stream()]
        found = max(docs, key=lambda doc: doc["created_at"], default={})
    if not found:
        raise NotFound(f"no artifact {request.artifact_id or request.name!r}", code="artifact_not_found")
    return cast(ArtifactDoc, found)


def download(svc: Services, bucket: Bucket, uid: str, request: DownloadRequest) -> dict[str, Any]:
    """A short-lived signed GET URL for an artifact the user may read, bound to the generation finalize recorded
    (Cloud Storage enforces that in the URL; ``check_generation`` also holds against the emulator, which
    ignores the ``generation`` parameter)."""
    settings = svc.settings
    scope = scope_of(svc, Caller(uid=uid), request.job_id, settings.reviewers, need="read")
    artifact = _find(svc, scope, request)
    expires_at = clock.after(settings.download_ttl_s)
    generation = check_generation(bucket, artifact)
    filename = artifact["name"].rsplit("/", 1)[-1]
    url = bucket.sign_get(artifact["path"], filename, settings.download_ttl_s, generation)
    return {"url": url, "expires_at": expires_at.isoformat(), "artifact": public(artifact)}
