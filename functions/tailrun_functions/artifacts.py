"""Artifacts: files that jobs produce or users bring, stored in Cloud Storage and reviewed by people.

The flow (every step an HTTP function; ``functions/main.py`` routes to the ``handle_*`` functions at the bottom):

1. ``upload``: the caller names the file, its content type, its exact size (and optionally its MD5). A runner
   authenticates with its attempt's callback token (``job_id`` + ``attempt`` in the body), a user with their ID
   token (or the local development token). Checked before anything is written: the name (see ``clean_name``), the
   type (an allow-list), the size (a cap); a refused request gets a 4xx and no URL. The answer is a V4 signed URL
   for one PUT to ``incoming/{artifact_id}/{name}``, bound to the type, the exact length and the MD5, plus the
   headers the PUT must carry. A pending record ``artifact_uploads/{artifact_id}`` (no client access) remembers
   what was promised. Small files (``data``, base64) may be posted directly instead of PUT.
2. ``finalize_artifact``: the same caller says the PUT is done. The stored object's *real* size, type, MD5 and first
   bytes are checked against the promise; an object that breaks it is deleted and the caller gets a 4xx. A good one
   is copied to ``jobs/{job_id}/{artifact_id}/{name}`` (or ``users/{uid}/...``) and its document created:
   ``jobs/{job_id}/artifacts/{artifact_id}`` (the job's owner reads it, so a listener on the job sees it appear)
   with review state ``pending``. Finalizing twice returns the same artifact.
3. ``review_artifact``: ``pending → approved | rejected``, both final, in one transaction; a second review is a
   409. Who may review: the job's owner, and the uids listed in ``TAILRUN_REVIEWERS``.
4. ``download_artifact``: a short-lived signed GET URL for whoever may read the job (its owner, the reviewers).
"""

from __future__ import annotations

import base64
import codecs
import datetime as dt
import hashlib
import logging
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from google.api_core import exceptions as google_exceptions
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from pydantic import AfterValidator, BaseModel, Field, model_validator

from tailrun_functions import auth, clock, store, tokens
from tailrun_functions.edge import parse
from tailrun_functions.errors import (
    Conflict,
    Forbidden,
    Gone,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
)
from tailrun_functions.models import RESERVED, STRICT, ArtifactId, JobId, Md5, Text
from tailrun_functions.services import Services
from tailrun_functions.storage import (
    INLINE_CEILING_BYTES,
    SNIFF_BYTES,
    Bucket,
    StorageSettings,
    StoredObject,
    bucket_for,
)

logger = logging.getLogger(__name__)

ARTIFACTS = "artifacts"  # subcollection of jobs/{job_id} and users/{uid}
USERS = "users"
UPLOADS = "artifact_uploads"  # server-only: uploads promised and not yet finalized
RUNNER = "runner"  # `uploaded_by` of what a job's runner uploads

MAX_NAME_BYTES = 200  # bytes of UTF-8 of an artifact's name (its path relative to the job's directory)
MAX_NAME_DEPTH = 16  # path segments of a name
MAX_NOTE_CHARS = 2000  # characters of a review note
FINALIZE_GRACE_S = 3600  # seconds after its URL expired that an upload can still be finalized
NAME_LOOKUP_LIMIT = 100  # artifacts of one name a download by name considers (the newest wins)
# Unicode categories refused in names: controls, format characters (bidi overrides spoof names), surrogates,
# private use, unassigned, line and paragraph separators.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "application/zip": (b"PK\x03\x04", b"PK\x05\x06"),
    "application/gzip": (b"\x1f\x8b",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}
TEXT_TYPES = frozenset({"application/json", "application/x-ndjson"})
USER_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


# --- names, types and content: pure checks ---


def clean_name(raw: str) -> str:
    """The name normalised (Unicode NFC) if it is safe as a relative object path; ValueError says why not.

    Refused: empty, over ``MAX_NAME_BYTES`` bytes, control or invisible format characters, backslashes, a leading
    ``/``, empty, ``.`` or ``..`` segments (so no traversal and no ``a//b``), more than ``MAX_NAME_DEPTH`` segments."""
    try:
        name = unicodedata.normalize("NFC", raw)
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        raise ValueError("the name must be valid UTF-8 text") from None
    if not name or size > MAX_NAME_BYTES:
        raise ValueError(f"the name must be 1 to {MAX_NAME_BYTES} bytes of UTF-8, got {size}")
    bad = next((ch for ch in name if unicodedata.category(ch) in REFUSED_CATEGORIES), None)
    if bad is not None:
        raise ValueError(f"the name contains the control or format character U+{ord(bad):04X}")
    if "\\" in name:
        raise ValueError(f"the name must use / between folders, not backslashes: {name!r}")
    if name.startswith("/"):
        raise ValueError(f"the name must be relative, got {name!r}")
    segments = name.split("/")
    if any(segment in ("", ".", "..") for segment in segments):
        raise ValueError(f"the name must not have empty, '.' or '..' segments: {name!r}")
    if len(segments) > MAX_NAME_DEPTH:
        raise ValueError(f"the name is more than {MAX_NAME_DEPTH} folders deep")
    return name


def check_type(content_type: str, allowed: tuple[str, ...]) -> None:
    """Refuse (415) a content type that is not on the allow-list; parameters such as charset are refused too."""
    if content_type not in allowed:
        raise UnsupportedMediaType(
            f"content type {content_type!r} is not allowed; use one of {', '.join(allowed)}",
            code="type_not_allowed",
        )


def check_size(size: int, limit: int) -> None:
    if size > limit:
        raise PayloadTooLarge(f"the file is {size} bytes; the limit is {limit}", code="too_large")


def content_matches(content_type: str, head: bytes, complete: bool) -> bool:
    """Whether the first bytes of a file are plausible for its type: the magic number of binary formats; for text,
    UTF-8 without NUL bytes (``complete`` says whether ``head`` is the whole file, so a character cut at the end
    of a partial head is not held against it)."""
    if content_type in MAGIC:
        return head.startswith(MAGIC[content_type])
    if content_type == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if content_type.startswith("text/") or content_type in TEXT_TYPES:
        if not head:
            return complete  # an empty text file is fine, as long as it really is empty
        try:
            text = codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        except UnicodeDecodeError:
            return False
        return "\x00" not in text
    return False


# --- request bodies ---

Name = Annotated[str, Field(min_length=1, max_length=4 * MAX_NAME_BYTES), AfterValidator(clean_name)]
MAX_SIZE = 2**53
# Standard base64 (RFC 4648 section 4, padded): checked here so that a decode error is a 400 at parse time.
Base64 = Annotated[
    str,
    Field(
        max_length=4 * INLINE_CEILING_BYTES // 3 + 4,
        pattern=r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$",
    ),
]


class UploadRequest(BaseModel):
    """The body of ``upload``. A runner sends ``job_id`` and ``attempt``; a user sends ``job_id`` or nothing."""

    model_config = STRICT

    name: Name
    content_type: Annotated[Text, Field(min_length=1, max_length=128)]
    size: int = Field(ge=0, le=MAX_SIZE)
    md5: Md5 | None = None
    job_id: JobId | None = None
    attempt: int | None = Field(default=None, ge=1, le=1000)
    data: Base64 | None = None  # the file itself, inline

    @model_validator(mode="after")
    def _runner_names_its_job(self) -> UploadRequest:
        if self.attempt is not None and self.job_id is None:
            raise ValueError("attempt goes with job_id")
        return self


class FinalizeRequest(BaseModel):
    """The body of ``finalize_artifact``: the same caller as the upload, and its artifact id."""

    model_config = STRICT

    artifact_id: ArtifactId
    job_id: JobId | None = None
    attempt: int | None = Field(default=None, ge=1, le=1000)


class ReviewRequest(BaseModel):
    """The body of ``review_artifact``."""

    model_config = STRICT

    job_id: JobId | None = None
    artifact_id: ArtifactId
    decision: Literal["approve", "reject"]
    note: Annotated[Text, Field(max_length=MAX_NOTE_CHARS)] = ""


class DownloadRequest(BaseModel):
    """The body of ``download_artifact``: an artifact by id, or by name (the newest of that name)."""

    model_config = STRICT

    job_id: JobId | None = None
    artifact_id: ArtifactId | None = None
    name: Name | None = None

    @model_validator(mode="after")
    def _one_key(self) -> DownloadRequest:
        if (self.artifact_id is None) == (self.name is None):
            raise ValueError("give exactly one of artifact_id or name")
        return self


# --- who calls, and where their artifacts live ---


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

    kind: Literal["job", "user"]
    key: str  # the job id or the uid
    owner: str

    @property
    def parent(self) -> str:
        """The collection of the scope's owner document, and the first folder of its objects."""
        return store.JOBS if self.kind == "job" else USERS

    def collection(self, db: firestore.Client) -> firestore.CollectionReference:
        return db.collection(self.parent).document(self.key).collection(ARTIFACTS)

    def object_path(self, artifact_id: str, name: str) -> str:
        return f"{self.parent}/{self.key}/{artifact_id}/{name}"


def _runner_token(headers: Mapping[str, str]) -> str:
    token = auth.bearer(headers) or (headers.get("x-job-token") or "").strip()
    if not token:
        raise Unauthorized("send Authorization: Bearer <attempt token>", code="missing_token")
    return token


def _check_runner(svc: Services, headers: Mapping[str, str], job_id: str, attempt: int) -> None:
    """The attempt's callback token, valid while the attempt may still deliver (as for callbacks, invariant 3)."""
    token = _runner_token(headers)
    doc = store.data(store.token_ref(svc.db, job_id, attempt).get())
    if not doc or not tokens.token_matches(token, doc["token_hash"]):
        raise Unauthorized("the token is not valid for this job and attempt", code="bad_token")
    if clock.now() > store.when(doc["expires_at"]):  # type: ignore[operator]
        raise Unauthorized("the token has expired", code="token_expired")
    state = doc["state"]
    if state == "superseded":
        raise Conflict(f"attempt {attempt} was superseded by a newer attempt", code="superseded")
    accept_until = store.when(doc.get("accept_until"))
    if state == "completed" or (state == "ended" and accept_until is not None and clock.now() > accept_until):
        raise Gone(f"attempt {attempt} has ended", code="attempt_ended")


def authenticate(
    svc: Services, headers: Mapping[str, str], job_id: str | None, attempt: int | None
) -> Caller:
    """A runner when the body names an attempt (its token is checked), else a user (ID or development token)."""
    if attempt is not None and job_id is not None:
        _check_runner(svc, headers, job_id, attempt)
        return Caller(job_id=job_id, attempt=attempt)
    return Caller(uid=auth.authenticate_user(headers, svc.settings, svc.user_verifier))


def _owned_job(svc: Services, job_id: str, uid: str, reviewers: tuple[str, ...] = ()) -> dict[str, Any]:
    """The job if ``uid`` owns it (or is a reviewer); anyone else learns only that there is no such job."""
    job = store.data(store.job_ref(svc.db, job_id).get())
    if not job or (job.get("owner") != uid and uid not in reviewers):
        raise NotFound(f"no job {job_id!r}", code="job_not_found")
    return job


def _user_scope(uid: str) -> Scope:
    if not uid or len(uid) > 128 or not set(uid) <= USER_KEY_CHARS or RESERVED.match(uid):
        raise Forbidden("this account cannot hold its own uploads; upload to a job instead", code="bad_uid")
    return Scope("user", uid, uid)


def scope_of(svc: Services, caller: Caller, job_id: str | None, reviewers: tuple[str, ...] = ()) -> Scope:
    """The scope a caller works in: the runner's job, a job the user may read, or the user's own uploads."""
    if caller.uid is None:
        assert caller.job_id is not None
        job = store.data(store.job_ref(svc.db, caller.job_id).get())
        return Scope("job", caller.job_id, str(job.get("owner", "")))
    if job_id is None:
        return _user_scope(caller.uid)
    job = _owned_job(svc, job_id, caller.uid, reviewers)
    return Scope("job", job_id, str(job["owner"]))


# --- the operations ---


def upload_ref(svc: Services, artifact_id: str) -> store.DocRef:
    return svc.db.collection(UPLOADS).document(artifact_id)


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
    if not content_matches(request.content_type, data[:SNIFF_BYTES], len(data) <= SNIFF_BYTES):
        raise UnsupportedMediaType(f"the content is not {request.content_type}", code="content_mismatch")
    return data


def request_upload(svc: Services, bucket: Bucket, caller: Caller, request: UploadRequest) -> dict[str, Any]:
    """Check an upload and promise it: a signed PUT URL (or, for inline data, the finalized artifact)."""
    settings = bucket.settings
    scope = scope_of(svc, caller, request.job_id)
    check_type(request.content_type, settings.content_types)
    check_size(request.size, settings.max_bytes)
    inline = _decode_inline(request, settings.inline_max_bytes) if request.data is not None else None
    artifact_id = secrets.token_hex(16)
    expires_at = clock.after(settings.upload_ttl_s)
    incoming = f"incoming/{artifact_id}/{request.name}"
    record: dict[str, Any] = {
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
        "purge_at": expires_at + dt.timedelta(seconds=FINALIZE_GRACE_S),
    }
    if inline is not None:
        bucket.write(incoming, inline, request.content_type)
        upload_ref(svc, artifact_id).create(record)
        return finalize(svc, bucket, caller, FinalizeRequest(artifact_id=artifact_id, job_id=request.job_id))
    url, headers = bucket.sign_put(
        incoming, request.content_type, request.size, request.md5, settings.upload_ttl_s
    )
    upload_ref(svc, artifact_id).create(record)
    logger.info("upload %s of %r promised to %s (%d bytes)", artifact_id, request.name, scope, request.size)
    return {
        "artifact_id": artifact_id,
        "upload": {"method": "PUT", "url": url, "headers": headers, "expires_at": expires_at.isoformat()},
    }


def _same_caller(record: dict[str, Any], caller: Caller, job_id: str | None) -> bool:
    if record.get("uploaded_by") != caller.uploaded_by:
        return False
    if caller.uid is None:
        return record.get("key") == caller.job_id and record.get("attempt") == caller.attempt
    return record.get("scope") == ("job" if job_id else "user") and (
        job_id is None or record["key"] == job_id
    )


def violation(record: dict[str, Any], stored: StoredObject, head: bytes) -> str | None:
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


def artifact_document(artifact_id: str, record: dict[str, Any], stored: StoredObject) -> dict[str, Any]:
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
        "review": {"state": "pending", "reviewer": None, "note": None, "at": None},
    }


def _record_scope(record: dict[str, Any]) -> Scope:
    return Scope(record["scope"], record["key"], record["owner"])


def _already_finalized(svc: Services, caller: Caller, request: FinalizeRequest) -> dict[str, Any]:
    """The artifact a repeated finalize refers to, or 404 (for the caller's own artifacts only)."""
    if caller.uid is None or request.job_id is not None:
        key = caller.job_id if caller.uid is None else request.job_id
        scope = Scope("job", str(key), "")
    else:
        scope = _user_scope(caller.uid)
    doc = store.data(scope.collection(svc.db).document(request.artifact_id).get())
    if not doc or doc.get("uploaded_by") != caller.uploaded_by:
        raise NotFound(f"no upload {request.artifact_id!r}", code="upload_not_found")
    return doc


def _reject(svc: Services, bucket: Bucket, artifact_id: str, record: dict[str, Any], why: str) -> None:
    """Delete what a refused upload left (its object, its promise); the caller must ask for a new URL."""
    bucket.delete(record["incoming"])
    upload_ref(svc, artifact_id).delete()
    logger.warning("upload %s of %r refused and deleted: %s", artifact_id, record["name"], why)


def _check_stored(svc: Services, bucket: Bucket, artifact_id: str, record: dict[str, Any]) -> StoredObject:
    """The uploaded object if it exists and keeps its promise; otherwise it is deleted and the caller told."""
    expired = clock.seconds_since(store.when(record["expires_at"])) > FINALIZE_GRACE_S
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
    try:
        bucket.write(stored.path, b"", stored.content_type, if_generation_match=stored.generation or 0)
    except (google_exceptions.PreconditionFailed, google_exceptions.NotFound):
        pass  # already replaced or gone: nothing of the checked bytes is left there either way


def finalize(svc: Services, bucket: Bucket, caller: Caller, request: FinalizeRequest) -> dict[str, Any]:
    """Turn an uploaded object into an artifact (idempotent), or delete it if it breaks its upload's promise.

    The artifact records its object's generation; finalizing again refuses (409) if the object is no longer that
    generation, and download serves that generation only."""
    ref = upload_ref(svc, request.artifact_id)
    record = store.data(ref.get())
    if not record:
        existing = _already_finalized(svc, caller, request)
        _check_generation(bucket, existing)
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
    def record_artifact(t: firestore.Transaction) -> dict[str, Any]:
        existing = store.data(artifact_ref.get(transaction=t))
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


def _check_generation(bucket: Bucket, artifact: dict[str, Any]) -> int | None:
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


def review(svc: Services, settings: StorageSettings, uid: str, request: ReviewRequest) -> dict[str, Any]:
    """Approve or reject a pending artifact, once; the reviewer and the time are recorded."""
    scope = scope_of(svc, Caller(uid=uid), request.job_id, settings.reviewers)
    ref = scope.collection(svc.db).document(request.artifact_id)
    state = "approved" if request.decision == "approve" else "rejected"

    @firestore.transactional
    def decide(t: firestore.Transaction) -> dict[str, Any]:
        artifact = store.data(ref.get(transaction=t))
        if not artifact:
            raise NotFound(f"no artifact {request.artifact_id!r}", code="artifact_not_found")
        current = artifact["review"]["state"]
        if current != "pending":
            raise Conflict(f"the artifact was already {current}; reviews are final", code="already_reviewed")
        decision = {"state": state, "reviewer": uid, "note": request.note, "at": clock.now()}
        t.update(ref, {"review": decision})
        return {**artifact, "review": decision}

    result = decide(svc.db.transaction())
    logger.info("artifact %s %s by %s", request.artifact_id, state, uid)
    return {"artifact": public(result)}


def _find(svc: Services, scope: Scope, request: DownloadRequest) -> dict[str, Any]:
    collection = scope.collection(svc.db)
    if request.artifact_id is not None:
        found = store.data(collection.document(request.artifact_id).get())
    else:
        query = collection.where(filter=FieldFilter("name", "==", request.name)).limit(NAME_LOOKUP_LIMIT)
        docs = [store.data(snapshot) for snapshot in query.stream()]
        found = max(docs, key=lambda doc: doc["created_at"], default={})
    if not found:
        raise NotFound(f"no artifact {request.artifact_id or request.name!r}", code="artifact_not_found")
    return found


def download(svc: Services, bucket: Bucket, uid: str, request: DownloadRequest) -> dict[str, Any]:
    """A short-lived signed GET URL for an artifact the user may read, bound to the generation finalize recorded
    (Cloud Storage enforces that in the URL; the live check above also holds against the emulator, which
    ignores the ``generation`` parameter)."""
    scope = scope_of(svc, Caller(uid=uid), request.job_id, bucket.settings.reviewers)
    artifact = _find(svc, scope, request)
    expires_at = clock.after(bucket.settings.download_ttl_s)
    generation = _check_generation(bucket, artifact)
    filename = artifact["name"].rsplit("/", 1)[-1]
    url = bucket.sign_get(artifact["path"], filename, bucket.settings.download_ttl_s, generation)
    return {"url": url, "expires_at": expires_at.isoformat(), "artifact": public(artifact)}


def public(document: dict[str, Any]) -> dict[str, Any]:
    """An artifact document as JSON-able data (timestamps as ISO 8601)."""
    out = dict(document)
    out["created_at"] = out["created_at"].isoformat()
    review_at = out["review"].get("at")
    out["review"] = {**out["review"], "at": review_at.isoformat() if review_at else None}
    return out


# --- the HTTP handlers: (services, lowercased headers, body) → (status, payload), served by edge.serve ---


def _bucket() -> Bucket:
    return bucket_for(StorageSettings.from_env())


def handle_upload(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    request = parse(UploadRequest, body)
    caller = authenticate(svc, headers, request.job_id, request.attempt)
    try:
        return 201, request_upload(svc, _bucket(), caller, request)
    except google_exceptions.PreconditionFailed:
        raise Conflict("that upload exists already", code="upload_exists") from None


def handle_finalize(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    request = parse(FinalizeRequest, body)
    caller = authenticate(svc, headers, request.job_id, request.attempt)
    try:
        return 200, finalize(svc, _bucket(), caller, request)
    except (
        google_exceptions.NotFound
    ):  # the object vanished between the check and the copy (a concurrent finalize)
        raise Conflict("the file is gone; finalize again to see the artifact", code="not_uploaded") from None


def handle_review(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    uid = auth.authenticate_user(headers, svc.settings, svc.user_verifier)
    request = parse(ReviewRequest, body)
    return 200, review(svc, StorageSettings.from_env(), uid, request)


def handle_download(svc: Services, headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
    uid = auth.authenticate_user(headers, svc.settings, svc.user_verifier)
    request = parse(DownloadRequest, body)
    return 200, download(svc, _bucket(), uid, request)
