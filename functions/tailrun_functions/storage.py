"""The files port: artifact settings, limits, and the bucket (``google-cloud-storage``) that holds the objects.

One code path: in the cloud the client talks to the bucket and signs through IAM; locally the same client talks to
gcp-storage-emulator (``STORAGE_EMULATOR_HOST``) and signs with a generated key.

Object layout (``infra/artifacts.tf`` has the lifecycle rules that go with it):

- ``incoming/{artifact_id}/{name}``: where a signed PUT lands. Nothing there is trusted; ``finalize`` checks it,
  copies that generation to its final place and leaves an empty placeholder, so the create-only PUT URL cannot
  land a second object there before it expires. The lifecycle rule (1 day) deletes what is left.
- ``jobs/{job_id}/{artifact_id}/{name}``: a job's artifacts (outputs from its runner, inputs from its owner).
  Written once by finalize (a create-only copy); no signed URL can write there. The artifact's document records
  the object's generation, and downloads are signed for that generation.

What holds where (immutability once finalized):

- Cloud Storage enforces the signed PUT's headers (``x-goog-if-generation-match: 0``: 412 over an existing
  object), the copy's ``sourceGeneration`` and ``ifGenerationMatch=0``, and a signed GET's ``generation``
  (404 once the live object is another generation).
- gcp-storage-emulator enforces none of these. The tests run it through ``tests/artifacts/strict_storage.py``,
  which adds the PUT and upload/copy ``ifGenerationMatch`` preconditions and the GET ``generation``; ``tailrun
  dev`` runs it bare, where a second PUT to the incoming path succeeds but lands nowhere that is read.
- The functions hold everywhere, emulator or not: finalize compares the copy's size, MD5, CRC32C and type with
  what it checked (refused with 409 if a PUT raced the checks), and finalize-again and download compare the live
  generation of the final object with the recorded one (409 ``object_not_accepted`` if it was replaced).
- ``users/{uid}/{artifact_id}/{name}``: a user's own uploads that belong to no job (inputs for later jobs).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import google.auth.credentials
from google.api_core import exceptions as google_exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage  # type: ignore[attr-defined]

from tailrun_functions import signing
from tailrun_functions.settings import SettingsError

logger = logging.getLogger(__name__)

# --- defaults, each overridable through the environment variable named beside it ---
LOCAL_BUCKET = "tailrun-local-artifacts"  # TAILRUN_BUCKET when the storage emulator is used
UPLOAD_URL_TTL_S = 900  # TAILRUN_UPLOAD_URL_TTL_S: seconds a signed PUT URL (and its upload) stays valid
DOWNLOAD_URL_TTL_S = 600  # TAILRUN_DOWNLOAD_URL_TTL_S: seconds a signed GET URL stays valid
MAX_ARTIFACT_BYTES = 100 * 1024 * 1024  # TAILRUN_ARTIFACT_MAX_BYTES: bytes of one artifact
# TAILRUN_ARTIFACT_INLINE_MAX_BYTES: bytes of a file a client may post to `upload` directly, base64 in the JSON body;
# at most INLINE_CEILING_BYTES, so the body stays under the functions' 256 KiB request limit.
INLINE_MAX_BYTES = 128 * 1024
INLINE_CEILING_BYTES = 180 * 1024
CONTENT_TYPES = (  # TAILRUN_ARTIFACT_TYPES (comma-separated): the allow-list; no HTML, SVG or octet-stream
    "text/plain",
    "text/csv",
    "text/markdown",
    "text/x-diff",
    "application/json",
    "application/x-ndjson",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
)
SNIFF_BYTES = 512  # bytes of a stored object finalize reads to check that its content matches its type
GCS_ENDPOINT = "https://storage.googleapis.com"
IF_GENERATION_MATCH = "x-goog-if-generation-match"  # the XML API's precondition header (signed into PUT URLs)
CREATE_ONLY = "0"  # its value for "only if no live object exists"


@dataclass(frozen=True)
class StorageSettings:
    """Where artifacts go and how they are limited; read from the environment once per request."""

    project: str
    bucket: str
    emulator_host: str | None = None
    signer_email: str | None = None
    upload_ttl_s: int = UPLOAD_URL_TTL_S
    download_ttl_s: int = DOWNLOAD_URL_TTL_S
    max_bytes: int = MAX_ARTIFACT_BYTES
    inline_max_bytes: int = INLINE_MAX_BYTES
    content_types: tuple[str, ...] = CONTENT_TYPES
    reviewers: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> StorageSettings:
        """Build from ``env`` (default ``os.environ``); a bad value raises ``SettingsError`` naming its variable."""
        env = os.environ if env is None else env
        emulator = env.get("STORAGE_EMULATOR_HOST") or None
        bucket = env.get("TAILRUN_BUCKET") or (LOCAL_BUCKET if emulator else "")
        if not bucket:
            raise SettingsError("TAILRUN_BUCKET must name the artifacts bucket")
        return cls(
            project=env.get("GOOGLE_CLOUD_PROJECT") or env.get("GCLOUD_PROJECT") or "tailrun-local",
            bucket=bucket,
            emulator_host=emulator,
            signer_email=env.get("TAILRUN_SIGNER_EMAIL") or None,
            upload_ttl_s=_int(env, "TAILRUN_UPLOAD_URL_TTL_S", UPLOAD_URL_TTL_S, 1, 7 * 24 * 3600),
            download_ttl_s=_int(env, "TAILRUN_DOWNLOAD_URL_TTL_S", DOWNLOAD_URL_TTL_S, 1, 7 * 24 * 3600),
            max_bytes=_int(env, "TAILRUN_ARTIFACT_MAX_BYTES", MAX_ARTIFACT_BYTES, 1, 5 * 1024**4),
            inline_max_bytes=_int(
                env, "TAILRUN_ARTIFACT_INLINE_MAX_BYTES", INLINE_MAX_BYTES, 0, INLINE_CEILING_BYTES
            ),
            content_types=_list(env, "TAILRUN_ARTIFACT_TYPES") or CONTENT_TYPES,
            reviewers=_list(env, "TAILRUN_REVIEWERS"),
        )

    @property
    def endpoint(self) -> str:
        """The base URL of signed URLs: the emulator locally, Cloud Storage otherwise."""
        if self.emulator_host is None:
            return GCS_ENDPOINT
        host = self.emulator_host.rstrip("/")
        return host if "://" in host else f"http://{host}"


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in (env.get(name) or "").split(",") if item.strip())


@dataclass(frozen=True)
class StoredObject:
    """What the bucket says about an object: the facts finalize trusts (never the uploader's claims)."""

    path: str
    size: int
    content_type: str
    md5: str | None  # base64, as Cloud Storage reports it
    crc32c: str | None  # base64
    generation: int | None


def _stored(path: str, blob: Any) -> StoredObject:
    return StoredObject(
        path=path,
        size=int(blob.size or 0),
        content_type=blob.content_type or "",
        md5=blob.md5_hash,
        crc32c=blob.crc32c,
        generation=int(blob.generation) if blob.generation is not None else None,
    )


def content_disposition(filename: str) -> str:
    """``attachment`` with the name as RFC 6266 wants it: ``filename="..."`` alone for a plain ASCII name; for any
    other, an ASCII fallback there (other characters, quotes, backslashes and controls become ``_``) for old
    clients, plus ``filename*=UTF-8''...`` (RFC 5987 percent-encoding) with the real name. The header is pure
    ASCII either way, so every server can send it (the storage emulator's ``http.server`` cannot send a header
    outside Latin-1, and Cloud Storage wants the value in the signed URL's query, which is ASCII)."""
    fallback = "".join(ch if " " <= ch <= "~" and ch not in '"\\' else "_" for ch in filename)
    if fallback == filename:
        return f'attachment; filename="{filename}"'
    encoded = urllib.parse.quote(filename, safe="!#$&+-.^_`|~")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


class Bucket:
    """The artifacts bucket: sign URLs, inspect, copy, write and delete objects."""

    def __init__(
        self,
        settings: StorageSettings,
        client: storage.Client,
        signer: google.auth.credentials.Signing,
    ) -> None:
        self.settings = settings
        self._bucket = client.bucket(settings.bucket)
        self._signer = signer

    def sign_put(
        self, path: str, content_type: str, size: int, md5: str | None, ttl_s: int
    ) -> tuple[str, dict[str, str]]:
        """A V4 signed URL, valid ``ttl_s`` seconds, for one PUT that *creates* ``path``: exactly ``size`` bytes of
        ``content_type`` (and ``md5``, if given), and only while no object is there.

        Returns the URL and the headers the PUT must carry. They are signed, so Cloud Storage refuses a PUT with
        another type, length or checksum, or without ``x-goog-if-generation-match: 0`` (a PUT over an existing
        object fails with 412): an object, once there, is never replaced through this URL. gcp-storage-emulator
        checks none of it (see ``tests/artifacts/strict_storage.py`` for the local precondition), which is why
        finalize checks the object's facts and pins its generation."""
        headers = {"x-goog-content-length-range": f"{size},{size}", IF_GENERATION_MATCH: CREATE_ONLY}
        url = self._bucket.blob(path).generate_signed_url(
            version="v4",
            method="PUT",
            expiration=dt.timedelta(seconds=ttl_s),
            content_type=content_type,
            content_md5=md5,
            headers=headers,
            credentials=self._signer,
            api_access_endpoint=self.settings.endpoint,
        )
        required = {"Content-Type": content_type, **headers}
        if md5:
            required["Content-MD5"] = md5
        return url, required

    def sign_get(self, path: str, filename: str, ttl_s: int, generation: int | None) -> str:
        """A V4 signed URL to download ``path`` as an attachment named ``filename``; with ``generation``, the URL
        serves that generation only (Cloud Storage answers 404 once the live object is another one)."""
        return self._bucket.blob(path, generation=generation).generate_signed_url(  # type: ignore[no-any-return]
            version="v4",
            method="GET",
            expiration=dt.timedelta(seconds=ttl_s),
            response_disposition=content_disposition(filename),
            generation=generation,
            credentials=self._signer,
            api_access_endpoint=self.settings.endpoint,
        )

    def stat(self, path: str) -> StoredObject | None:
        """The object's metadata, or None when it does not exist."""
        blob = self._bucket.get_blob(path)
        return None if blob is None else _stored(path, blob)

    def head(self, source: StoredObject) -> bytes:
        """The first ``SNIFF_BYTES`` bytes of the checked generation of an object (one ranged read)."""
        if source.size == 0:
            return b""
        end = min(source.size, SNIFF_BYTES) - 1
        blob = self._bucket.blob(source.path, generation=source.generation)
        return blob.download_as_bytes(start=0, end=end, checksum=None)  # type: ignore[no-any-return]

    def copy(self, source: StoredObject, destination: str) -> StoredObject:
        """Copy the checked generation of an object to ``destination``, which must not exist yet; returns what the
        bucket says about the copy (its own generation). Raises ``PreconditionFailed`` if ``destination`` exists."""
        blob = self._bucket.blob(source.path)
        copied = self._bucket.copy_blob(
            blob, self._bucket, destination, source_generation=source.generation, if_generation_match=0
        )
        return _stored(destination, copied)

    def write(self, path: str, data: bytes, content_type: str, if_generation_match: int = 0) -> None:
        """Write a small object in one request, only over generation ``if_generation_match`` (0: nothing there)."""
        self._bucket.blob(path).upload_from_string(
            data, content_type=content_type, if_generation_match=if_generation_match
        )

    def delete(self, path: str) -> None:
        """Delete an object; one that is already gone is fine."""
        try:
            self._bucket.blob(path).delete()
        except google_exceptions.NotFound:
            pass


def make_bucket(settings: StorageSettings) -> Bucket:
    """The bucket of these settings with the right client and signer (emulator: anonymous + local key)."""
    if settings.emulator_host is not None:
        client = storage.Client(
            project=settings.project,
            credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
            client_options={"api_endpoint": settings.endpoint},
        )
        signer: Any = signing.local_signer()
    else:
        client = storage.Client(project=settings.project)
        signer = signing.default_iam_signer(settings.signer_email)
    return Bucket(settings, client, signer)


@functools.lru_cache(maxsize=8)
def bucket_for(settings: StorageSettings) -> Bucket:
    """The bucket of these settings, created lazily on first use and reused (never at import time)."""
    return make_bucket(settings)
