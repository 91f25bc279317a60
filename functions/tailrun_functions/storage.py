"""The files port: the bucket (``google-cloud-storage``) that holds the artifacts' objects, and their layout.

One code path: in the cloud the client talks to the bucket and signs through IAM; locally the same client talks to
gcp-storage-emulator (``Settings.storage_emulator_host``) and signs with a generated key.

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

import contextlib
import datetime as dt
import logging
import urllib.parse
from dataclasses import dataclass
from typing import Any

import google.auth.credentials
from google.api_core import exceptions as google_exceptions
from google.cloud import storage  # type: ignore[attr-defined]

from tailrun_functions import clients, defaults, signing
from tailrun_functions.settings import Settings

logger = logging.getLogger(__name__)

IF_GENERATION_MATCH = "x-goog-if-generation-match"  # the XML API's precondition header (signed into PUT URLs)
CREATE_ONLY = "0"  # its value for "only if no live object exists"


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
        self, name: str, client: storage.Client, signer: google.auth.credentials.Signing, endpoint: str
    ) -> None:
        self._bucket = client.bucket(name)
        self._signer = signer
        self._endpoint = endpoint  # the base URL of signed URLs

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
            api_access_endpoint=self._endpoint,
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
            api_access_endpoint=self._endpoint,
        )

    def stat(self, path: str) -> StoredObject | None:
        """The object's metadata, or None when it does not exist."""
        blob = self._bucket.get_blob(path)
        return None if blob is None else _stored(path, blob)

    def head(self, source: StoredObject) -> bytes:
        """The first ``defaults.SNIFF_BYTES`` bytes of the checked generation of an object (one ranged read)."""
        if source.size == 0:
            return b""
        end = min(source.size, defaults.SNIFF_BYTES) - 1
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
        with contextlib.suppress(google_exceptions.NotFound):
            self._bucket.blob(path).delete()


def make_bucket(settings: Settings) -> Bucket:
    """The artifacts bucket of ``settings``, with its client and signer: against the storage emulator an anonymous
    client and an in-memory key; in the cloud the default credentials, signing through IAM.

    Raises ``SettingsError`` when no bucket is configured."""
    name = settings.require_bucket()
    if settings.storage_emulator_host is not None:
        client = clients.storage_client(settings.project, settings.storage_endpoint)
        signer: Any = signing.local_signer()
    else:
        client = clients.storage_client(settings.project)
        signer = signing.default_iam_signer(settings.signer_email)
    return Bucket(name, client, signer, settings.storage_endpoint)
