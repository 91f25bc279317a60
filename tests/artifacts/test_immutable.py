"""Artifacts are immutable once finalized: the signed PUT creates only, finalize pins the object's generation,
download serves that generation only. And any name downloads, non-ASCII included (RFC 6266 / RFC 5987).

The storage here is gcp-storage-emulator through ``strict_storage.py``, which holds the generation preconditions
Cloud Storage holds (the bare emulator ignores them; see that module)."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest
import requests
from google.cloud import firestore, storage  # type: ignore[attr-defined]

from .conftest import Api, RunnerIdentity
from .test_upload_flow import artifact_docs, promise, put


def finalize(api: Api, runner: RunnerIdentity, artifact_id: str) -> Any:
    return api.post("finalize_artifact", runner.body(artifact_id=artifact_id), runner.headers())


def download(api: Api, runner: RunnerIdentity, artifact_id: str) -> Any:
    return api.as_user("alice", "download_artifact", {"job_id": runner.job_id, "artifact_id": artifact_id})


def test_the_upload_answer_tells_the_client_to_send_the_create_only_precondition(
    api: Api, runner_job: RunnerIdentity, bucket: storage.Bucket
) -> None:
    upload = promise(api, runner_job, "a.txt", b"original\n")["upload"]

    assert upload["headers"]["x-goog-if-generation-match"] == "0"
    assert "x-goog-if-generation-match" in upload["url"], "the header is signed into the URL"


def test_a_second_put_to_the_same_url_fails_and_downloads_keep_the_original_bytes(
    api: Api, runner_job: RunnerIdentity, bucket: storage.Bucket, firestore_client: firestore.Client
) -> None:
    original, forged = b"original\n", b"forged!!\n"  # same length, so only the precondition stops it
    answer = promise(api, runner_job, "report.txt", original)
    assert put(answer["upload"], original).status_code == 200
    assert put(answer["upload"], forged).status_code == 412, "before finalize, an object once there stays"
    done = finalize(api, runner_job, answer["artifact_id"])
    assert done.status == 200, done.body

    again = put(answer["upload"], forged)
    got = download(api, runner_job, answer["artifact_id"])

    assert again.status_code == 412, "after finalize too (the incoming path keeps an empty placeholder)"
    assert got.status == 200, got.body
    assert requests.get(got.body["url"], timeout=10).content == original
    [doc] = artifact_docs(firestore_client, runner_job.job_id)
    assert doc["generation"] == bucket.get_blob(doc["path"]).generation
    assert finalize(api, runner_job, answer["artifact_id"]).status == 200, "finalizing again is still fine"


def test_a_replaced_object_is_neither_finalized_again_nor_served(
    api: Api, runner_job: RunnerIdentity, bucket: storage.Bucket
) -> None:
    """Something with direct write access to the bucket (not a signed URL: none reaches the final path) replaces
    the finalized object: finalize refuses it as not accepted, download refuses to sign it."""
    answer = promise(api, runner_job, "report.txt", b"original\n")
    put(answer["upload"], b"original\n")
    artifact = finalize(api, runner_job, answer["artifact_id"]).body["artifact"]
    bucket.blob(artifact["path"]).upload_from_string(b"replaced\n", content_type="text/plain")

    refinalized = finalize(api, runner_job, answer["artifact_id"])
    got = download(api, runner_job, answer["artifact_id"])

    assert (refinalized.status, refinalized.code) == (409, "object_not_accepted"), refinalized.body
    assert (got.status, got.code) == (409, "object_not_accepted"), got.body


def test_a_url_signed_for_the_finalized_generation_never_serves_a_replacement(
    api: Api, runner_job: RunnerIdentity, bucket: storage.Bucket
) -> None:
    answer = promise(api, runner_job, "report.txt", b"original\n")
    put(answer["upload"], b"original\n")
    finalize(api, runner_job, answer["artifact_id"])
    url = download(api, runner_job, answer["artifact_id"]).body["url"]
    path = finalize(api, runner_job, answer["artifact_id"]).body["artifact"]["path"]

    bucket.blob(path).upload_from_string(b"replaced\n", content_type="text/plain")

    assert requests.get(url, timeout=10).status_code == 404


def test_an_object_changed_between_the_checks_and_the_copy_is_refused(
    api: Api, runner_job: RunnerIdentity, bucket: storage.Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PUT that races finalize (the emulator copies the live object whatever generation was checked): the copy
    is compared with what was checked, refused (409) and deleted, and so is the upload."""
    from tailrun_functions import storage as tailrun_storage

    answer = promise(api, runner_job, "report.txt", b"original\n")
    put(answer["upload"], b"original\n")
    real_head = tailrun_storage.Bucket.head

    def head_then_replace(self: tailrun_storage.Bucket, source: tailrun_storage.StoredObject) -> bytes:
        head = real_head(self, source)
        bucket.blob(source.path).upload_from_string(b"swapped!!", content_type="text/plain")
        return head

    monkeypatch.setattr(tailrun_storage.Bucket, "head", head_then_replace)
    reply = finalize(api, runner_job, answer["artifact_id"])

    assert (reply.status, reply.code) == (409, "object_not_accepted"), reply.body
    assert not [b.name for b in bucket.client.list_blobs(bucket.name) if b.name.startswith("jobs/")]
    assert finalize(api, runner_job, answer["artifact_id"]).status == 404, "the upload was refused for good"


@pytest.mark.parametrize("name", ["résumé 😀.txt", "données/rapport été.csv", "日本語.md"])
def test_a_non_ascii_name_downloads_with_both_filename_forms(
    name: str, api: Api, runner_job: RunnerIdentity, bucket: storage.Bucket
) -> None:
    data = b"a,b\n1,2\n"
    content_type = "text/csv" if name.endswith(".csv") else "text/plain"
    answer = promise(api, runner_job, name, data, content_type)
    assert put(answer["upload"], data).status_code == 200
    assert finalize(api, runner_job, answer["artifact_id"]).status == 200

    got = download(api, runner_job, answer["artifact_id"])
    response = requests.get(got.body["url"], timeout=10)

    assert response.status_code == 200 and response.content == data
    disposition = response.headers["Content-Disposition"]
    basename = name.rsplit("/", 1)[-1]
    assert disposition.startswith('attachment; filename="') and disposition.isascii()
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert urllib.parse.unquote(encoded) == basename
