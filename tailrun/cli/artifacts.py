"""What the CLI does with a job's artifacts: list them (from Firestore) and download one (a signed GET URL).

The artifacts of a job are the documents ``jobs/{job_id}/artifacts/{artifact_id}`` (``finalize_artifact`` writes
them; a job's owner may read them). A download asks ``download_artifact`` for a short-lived signed URL of the newest
artifact of that name, fetches it into a temporary file beside the destination, checks its size and MD5 against the
artifact document, and only then renames it into place, so a failed download never leaves a partial file.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import requests
from tailrun_functions.schema import ARTIFACTS, ATTEMPTS, JOBS

from tailrun import settings
from tailrun.cli import jobs
from tailrun.cli.client import Stack
from tailrun.errors import ArtifactNotFound, TailrunError

logger = logging.getLogger(__name__)

DOWNLOAD_CHUNK_BYTES = 1024 * 1024  # bytes written at a time while downloading
ARTIFACT_ID = re.compile(
    r"^[0-9a-f]{32}$"
)  # what finalize_artifact names an artifact (secrets.token_hex(16))


def list_artifacts(stack: Stack, job_id: str) -> list[dict[str, Any]]:
    """The job's artifacts (with their ``artifact_id``), oldest first; ``JobNotFound`` for an unknown job."""
    jobs.get_job(stack, job_id)
    collection = stack.firestore.collection(JOBS).document(job_id).collection(ARTIFACTS)
    found = [{"artifact_id": snapshot.id, **(snapshot.to_dict() or {})} for snapshot in collection.stream()]
    return sorted(
        found, key=lambda artifact: (str(artifact.get("created_at", "")), str(artifact.get("name", "")))
    )


def failed_uploads(stack: Stack, job_id: str) -> list[dict[str, Any]]:
    """The files the job's runners could not upload (``artifact_errors`` of each attempt), with their attempt."""
    attempts = stack.firestore.collection(JOBS).document(job_id).collection(ATTEMPTS).stream()
    return [
        {"attempt": snapshot.get("attempt"), **error}
        for snapshot in attempts
        for error in (snapshot.to_dict() or {}).get("artifact_errors") or []
    ]


def find_by_name(stack: Stack, job_id: str, name: str) -> dict[str, Any]:
    """The one artifact of the job that ``name`` names: by its full name, else by its file name alone.

    No match is ``ArtifactNotFound``; several (two attempts kept the same file, or two folders hold files of that
    name) is an error that lists them, so the user can give the full name or the artifact's id.
    """
    found = list_artifacts(stack, job_id)
    matches = [artifact for artifact in found if artifact.get("name") == name]
    if not matches:
        matches = [artifact for artifact in found if str(artifact.get("name", "")).rsplit("/", 1)[-1] == name]
    if not matches:
        raise ArtifactNotFound(job_id, name)
    if len(matches) > 1:
        listed = "; ".join(
            f"{artifact.get('name')} (attempt {artifact.get('attempt')}, id {artifact['artifact_id']}, "
            f"{(artifact.get('review') or {}).get('state')})"
            for artifact in matches
        )
        raise TailrunError(
            f"{len(matches)} artifacts of job {job_id} are called {name!r}: {listed}. Give the one you mean by "
            "its full name or its id."
        )
    return matches[0]


def review(stack: Stack, job_id: str, name: str, decision: str, note: str = "") -> dict[str, Any]:
    """Approve or reject the artifact ``name`` (a name, a file name, or an artifact id) of a job; the artifact as
    ``review_artifact`` answers it. An id goes straight to the function, without reading Firestore."""
    jobs.check_job_id(job_id)
    artifact_id = name if ARTIFACT_ID.match(name) else str(find_by_name(stack, job_id, name)["artifact_id"])
    body = {"job_id": job_id, "artifact_id": artifact_id, "decision": decision, "note": note}
    answer = stack.call("review_artifact", body)
    artifact = answer.get("artifact")
    if not isinstance(artifact, dict):
        raise TailrunError(
            "The stack recorded the review but did not answer with the artifact; see `tailrun artifacts`.",
            detail=f"review_artifact answered {answer!r}",
        )
    return artifact


def destination_for(name: str, output: Path | None) -> Path:
    """Where ``tailrun download`` writes the artifact ``name``: ``output`` (inside it, if it is a directory), else
    the artifact's file name in the current directory."""
    filename = name.rsplit("/", 1)[-1]
    if output is None:
        return Path.cwd() / filename
    if output.is_dir():
        return output / filename
    return output


def download(stack: Stack, job_id: str, name: str, output: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Download the newest artifact called ``name`` of the job; the path written and the artifact."""
    jobs.check_job_id(job_id)
    answer = stack.call("download_artifact", {"job_id": job_id, "name": name})
    artifact = answer.get("artifact")
    url = answer.get("url")
    if not isinstance(artifact, dict) or not isinstance(url, str):
        raise TailrunError(
            f"The stack did not give a link to download {name!r}; try again.",
            detail=f"download_artifact answered {answer!r}",
        )
    target = destination_for(name, output)
    if not target.parent.is_dir():
        raise TailrunError(f"Cannot write {target}: the folder {target.parent} does not exist.")
    _fetch(url, target, artifact)
    return target, artifact


def _fetch(url: str, target: Path, artifact: dict[str, Any]) -> None:
    """GET ``url`` into ``target`` through a temporary file, checked against the artifact's size and MD5."""
    digest = hashlib.md5()
    size = 0
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as sink:
            try:
                with requests.get(url, stream=True, timeout=settings.HTTP_TIMEOUT_S) as response:
                    if response.status_code != 200:
                        raise TailrunError(
                            f"The storage refused the download of {artifact.get('name')!r}; try again (the "
                            "download link lives only a few minutes).",
                            detail=f"GET {url}: HTTP {response.status_code}",
                        )
                    for chunk in response.iter_content(DOWNLOAD_CHUNK_BYTES):
                        sink.write(chunk)
                        digest.update(chunk)
                        size += len(chunk)
            except requests.RequestException as exc:
                raise TailrunError(
                    f"The download of {artifact.get('name')!r} was cut off; try again.", detail=str(exc)
                ) from None
        _check(artifact, size, base64.b64encode(digest.digest()).decode("ascii"))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _check(artifact: dict[str, Any], size: int, md5: str) -> None:
    expected_size, expected_md5 = artifact.get("size"), artifact.get("md5")
    if expected_size is not None and size != expected_size:
        raise TailrunError(
            f"The download of {artifact.get('name')!r} has {size} bytes, not {expected_size}; nothing was written."
        )
    if expected_md5 and md5 != expected_md5:
        raise TailrunError(
            f"The download of {artifact.get('name')!r} does not match its MD5 checksum; nothing was written."
        )
