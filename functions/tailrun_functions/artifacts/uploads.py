"""The upload flow: promise an upload (a signed create-only PUT URL, or inline data), then finalize it into an
artifact once the stored object is checked against the promise."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import logging
import secrets
from typing import Any, cast

from google.api_core import exceptions as google_exceptions
from google.cloud import firestore

from tailrun_functions import clock, defaults, schema, store
from tailrun_functions.artifacts.callers import Caller, Scope, scope_of, user_scope
from tailrun_functions.artifacts.checks import check_size, check_type, content_matches
from tailrun_functions.artifacts.models import FinalizeRequest, UploadRequest
from tailrun_functions.documents import ArtifactDoc, ReviewState, UploadRecord
from tailrun_functions.errors import (
    Conflict,
    Gone,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from tailrun_functions.services import Services
from tailrun_functions.storage import Bucket, StoredObject

logger = logging.getLogger(__name__)


def upload_ref(svc: Services, artifact_id: str) -> store.DocRef:
    return svc.db.collection(schema.UPLOADS).document(artifact_id)


def _decode_inline(request: UploadRequest, limit: int) -> bytes:
    """The bytes of an inline upload, checked against the declared size, checksum, type and limit."""
    assert request.data is not None
    if request.size > limit:
        raise PayloadTooLarge(
            f"files over {limit} bytes must be uploaded with the signed URL", code="too_large"
        )
    try:
        data = base64.b64decode(request.data, validate=True)
    except ValueError:  # binascii.Error, or non-ASCII text (the model's pattern refuses both first)
        raise InvalidRequest("data must be base64", code="invalid_body") from None
    if len(data) != request.size:
        raise InvalidRequest(f"data is {len(data)} bytes, size says {request.size}", code="size_mismatch")
    if request.md5 is not None and base64.b64encode(hashlib.md5(data).digest()).decode() != request.md5:
        raise InvalidRequest("data does not match md5", code="checksum_mismatch")
    if not content_matches(
        request.content_type, data[: defaults.SNIFF_BYTES], len(data) <= defaults.SNIFF_BYTES
    ):
        raise UnsupportedMediaType(f"the content is not {request.content_type}", code="content_mismatch")
    return data


def request_upload(svc: Services, bucket: Bucket, caller: Caller, request: UploadRequest) -> dict[str, Any]:
    """Check an upload and promise it: a signed PUT URL (or, for inline data, the finalized artifact)."""
    settings = svc.settings
    scope = scope_of(svc, caller, request.job_id)
    check_type(request.content_type, settings.content_types)
    check_size(request.size, settings.max_artifact_bytes)
    inline = _decode_inline(request, settings.inline_max_bytes) if request.data is not None else None
    artifact_id = secrets.token_hex(16)
    expires_at = clock.after(settings.upload_ttl_s)
    incoming = f"incoming/{artifact_id}/{request.name}"
    record: UploadRecord = {
        "scope": scope.kind,
        "key": scope.key,
        "owner": scope.owner,
        "uploaded_by": caller.uploaded_by,
        "attempt": caller.attempt,
        "name": request.name,
        "content_type": request.content_type,
        "size": request.size,
        "md5": request.md5,
        "incoming": incoming,
        "path": scope.object_path(artifact_id, request.name),
        # inline: no PUT URL was handed out, so finalize leaves nothing at `incoming` (no placeholder needed)
        "inline": inline is not None,
        "created_at": clock.now(),
        "expires_at": expires_at,
        # Firestore's TTL policy on this field (infra/artifacts.tf) deletes promises never finalized.
        "purge_at": expires_at + dt.timedelta(seconds=defaults.FINALIZE_GRACE_S),
    }
    if inline is not None:
        bucket.write(incoming, inline, request.content_type)
        upload_ref(svc, artifact_id).create(dict(record))
        return finalize(svc, bucket, caller, FinalizeRequest(artifact_id=artifact_id, job_id=request.job_id))
    url, headers = bucket.sign_put(
        incoming, request.content_type, request.size, request.md5, settings.upload_ttl_s
    )
    upload_ref(svc, artifact_id).create(dict(record))
    logger.info("upload %s of %r promised to %s (%d bytes)", artifact_id, request.name, scope, request.size)
    return {
        "artifact_id": artifact_id,
        "upload": {"method": "PUT", "url": url, "headers": headers, "expires_at": expires_at.isoformat()},
    }


def _same_caller(record: UploadRecord, caller: Caller, job_id: str | None) -> bool:
    if record.get("uploaded_by") != caller.uploaded_by:
        return False
    if caller.uid is None:
        return record.get("key") == caller.job_id and record.get("attempt") == caller.attempt
    return record.get("scope") == ("job" if job_id else "user") and (
        job_id is None or record["key"] == job_id
    )


def violation(record: UploadRecord, stored: StoredObject, head: bytes) -> str | None:
    """Why the stored object breaks what its upload promised (None when it keeps it)."""
    if stored.size != record["size"]:
        return f"the object is {stored.size} bytes; the upload was for {record['size']}"
    if stored.content_type != record["content_type"]:
        return f"the object is {stored.content_type!r}; the upload was for {record['content_type']!r}"
    if record.get("md5") and stored.md5 != record["md5"]:
        return "the object's MD5 is not the one the upload named"
    if not content_matches(record["content_type"], head, stored.size <= len(head)):
        return f"the object's content is not {record['content_type']}"
    return None


def artifact_document(artifact_id: str, record: UploadRecord, stored: StoredObject) -> ArtifactDoc:
    """The artifact's document: facts from the bucket, provenance from the upload, review pending."""
    return {
        "artifact_id": artifact_id,
        "name": record["name"],
        "path": record["path"],
        "size": stored.size,
        "content_type": stored.content_type,
        "md5": stored.md5,
        "crc32c": stored.crc32c,
        # The generation of the final object: download serves this one only, so the bytes once finalized (and
        # reviewed) are the bytes every download gets, even if the object were replaced.
        "generation": stored.generation,
        "uploaded_by": record["uploaded_by"],
        "attempt": record.get("attempt"),
        "job_id": record["key"] if record["scope"] == "job" else None,
        "owner": record["owner"],
        "created_at": clock.now(),
        "review": {"state": ReviewState.PENDING, "reviewer": None, "note": None, "at": None},
    }


def _record_scope(record: UploadRecord) -> Scope:
    return Scope(record["scope"], record["key"], record["owner"])


def _already_finalized(svc: Services, caller: Caller, request: FinalizeRequest) -> ArtifactDoc:
    """The artifact a repeated finalize refers to, or 404 (for the caller's own artifacts only)."""
    if caller.uid is None or request.job_id is not None:
        key = caller.job_id if caller.uid is None else request.job_id
        scope = Scope("job", str(key), "")
    else:
        scope = user_scope(caller.uid)
    doc = cast(ArtifactDoc, store.data(scope.collection(svc.db).document(request.artifact_id).get()))
    if not doc or doc.get("uploaded_by") != caller.uploaded_by:
        raise NotFound(f"no upload {request.artifact_id!r}", code="upload_not_found")
    return doc


def _reject(svc: Services, bucket: Bucket, artifact_id: str, record: UploadRecord, why: str) -> None:
    """Delete what a refused upload left (its object, its promise); the caller must ask for a new URL."""
    bucket.delete(record["incoming"])
    upload_ref(svc, artifact_id).delete()
    logger.warning("upload %s of %r refused and deleted: %s", artifact_id, record["name"], why)


def _check_stored(svc: Services, bucket: Bucket, artifact_id: str, record: UploadRecord) -> StoredObject:
    """The uploaded object if it exists and keeps its promise; otherwise it is deleted and the caller told."""
    expired = clock.seconds_since(store.when(record["expires_at"])) > defaults.FINALIZE_GRACE_S
    stored = bucket.stat(record["incoming"])
    if stored is None:
        if expired:
            _reject(svc, bucket, artifact_id, record, "never uploaded")
            raise Gone("the upload expired before the file arrived", code="upload_expired")
        raise Conflict("the file has not arrived: PUT it to the signed URL first", code="not_uploaded")
    if expired:
        _reject(svc, bucket, artifact_id, record, "finalized too late")
        raise Gone("the upload expired; ask for a new one", code="upload_expired")
    why = violation(record, stored, bucket.head(stored))
    if why is not None:
        _reject(svc, bucket, artifact_id, record, why)
        raise InvalidRequest(f"{why}; it was deleted", code="object_rejected")
    return stored


def _not_accepted(why: str) -> Conflict:
    return Conflict(f"{why}; the object is not accepted", code="object_not_accepted")


def _same_bytes(a: StoredObject, b: StoredObject) -> bool:
    return (a.size, a.md5, a.crc32c, a.content_type) == (b.size, b.md5, b.crc32c, b.content_type)


def _copy_checked(bucket: Bucket, stored: StoredObject, destination: str) -> StoredObject:
    """Copy the checked incoming object to its final place (create-only) and make sure the copy holds the bytes
    that were checked: Cloud Storage copies exactly ``stored.generation``; gcp-storage-emulator ignores that and
    copies whatever is live, so a PUT that raced the checks would slip through without this comparison.

    A final object that exists already (a finalize that stopped between the copy and the record) is accepted
    only if it holds the same bytes."""
    try:
        copied = bucket.copy(stored, destination)
    except google_exceptions.PreconditionFailed:
        existing = bucket.stat(destination)
        if existing is None or not _same_bytes(existing, stored):
            raise _not_accepted("another object is already at the artifact's place") from None
        return existing
    if not _same_bytes(copied, stored):
        bucket.delete(destination)
        raise _not_accepted("the uploaded object changed while it was checked")
    return copied


def _tombstone(bucket: Bucket, stored: StoredObject) -> None:
    """Replace the checked incoming object with an empty one rather than delete it: its signed PUT URL (valid
    until it expires) carries ``x-goog-if-generation-match: 0``, so while *an* object is at that path a second PUT
    fails (412) instead of creating a new upload. The lifecycle rule on ``incoming/`` removes it later."""
    # Already replaced or gone: nothing of the checked bytes is left there either way.
    with contextlib.suppress(google_exceptions.PreconditionFailed, google_exceptions.NotFound):
        bucket.write(stored.path, b"", stored.content_type, if_generation_match=stored.generation or 0)


def finalize(svc: Services, bucket: Bucket, caller: Caller, request: FinalizeRequest) -> dict[str, Any]:
    """Turn an uploaded object into an artifact (idempotent), or delete it if it breaks its upload's promise.

    The artifact records its object's generation; finalizing again refuses (409) if the object is no longer that
    generation, and download serves that generation only."""
    ref = upload_ref(svc, request.artifact_id)
    record = cast(UploadRecord, store.data(ref.get()))
    if not record:
        existing = _already_finalized(svc, caller, request)
        check_generation(bucket, existing)
        return {"artifact": public(existing)}
    if not _same_caller(record, caller, request.job_id):
        raise NotFound(f"no upload {request.artifact_id!r}", code="upload_not_found")
    stored = _check_stored(svc, bucket, request.artifact_id, record)
    try:
        final = _copy_checked(bucket, stored, record["path"])
    except Conflict as exc:
        _reject(svc, bucket, request.artifact_id, record, exc.message)
        raise
    artifact_ref = _record_scope(record).collection(svc.db).document(request.artifact_id)
    document = artifact_document(request.artifact_id, record, final)

    @firestore.transactional
    def record_artifact(t: firestore.Transaction) -> ArtifactDoc:
        existing = cast(ArtifactDoc, store.data(artifact_ref.get(transaction=t)))
        if existing:
            if existing.get("generation") not in (None, final.generation):
                raise _not_accepted("the artifact's object is not the generation that was recorded")
            return existing
        t.create(artifact_ref, document)
        t.delete(ref)
        return document

    result = record_artifact(svc.db.transaction())
    if record.get("inline"):
        bucket.delete(stored.path)
    else:
        _tombstone(bucket, stored)
    logger.info(
        "artifact %s (%r, %d bytes, generation %s) recorded at %s",
        request.artifact_id,
        result["name"],
        final.size,
        final.generation,
        artifact_ref.path,
    )
    return {"artifact": public(result)}


def check_generation(bucket: Bucket, artifact: ArtifactDoc) -> int | None:
    """The live generation of an artifact's object if it is the recorded one; 409 if the object was replaced,
    404 if it is gone. (Artifacts recorded before generations were: the live one, pinned from now on in the URL.)"""
    live = bucket.stat(artifact["path"])
    if live is None:
        raise NotFound(f"the object of artifact {artifact['artifact_id']!r} is gone", code="object_missing")
    recorded = artifact.get("generation")
    if recorded is not None and live.generation != recorded:
        logger.warning(
            "artifact %s: object %r is generation %s, recorded %s; refused",
            artifact["artifact_id"],
            artifact["path"],
            live.generation,
            recorded,
        )
        raise _not_accepted("the artifact's object was replaced after it was finalized")
    return recorded if recorded is not None else live.generation


def public(document: ArtifactDoc) -> dict[str, Any]:
    """An artifact document as JSON-able data (timestamps as ISO 8601)."""
    review_at = document["review"]["at"]
    return {
        **document,
        "created_at": document["created_at"].isoformat(),
        "review": {**document["review"], "at": review_at.isoformat() if review_at else None},
    }
