"""Upload → PUT to the signed URL → finalize, through the real HTTP functions, the storage emulator and Firestore."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import google_crc32c
import requests
from google.cloud import firestore, storage  # type: ignore[attr-defined]

from .conftest import Api, RunnerIdentity, launched_runner, object_names


def md5_of(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def crc32c_of(data: bytes) -> str:
    return base64.b64encode(google_crc32c.Checksum(data).digest()).decode()


def put(upload: dict[str, Any], data: bytes, **header_overrides: str) -> requests.Response:
    """PUT the bytes to the signed URL with the headers the function said the PUT must carry."""
    headers = {**upload["headers"], **header_overrides}
    return requests.put(upload["url"], data=data, headers=headers, timeout=10)


def artifact_docs(db: firestore.Client, job_id: str) -> list[dict[str, Any]]:
    collection = db.collection("jobs").document(job_id).collection("artifacts")
    return [snapshot.to_dict() or {} for snapshot in collection.stream()]


def promise(
    api: Api, runner: RunnerIdentity, name: str, data: bytes, content_type: str = "text/plain"
) -> dict[str, Any]:
    """Ask for an upload as the runner; the answer (signed PUT URL, headers, artifact id)."""
    reply = api.post(
        "upload",
        runner.body(name=name, content_type=content_type, size=len(data), md5=md5_of(data)),
        runner.headers(),
    )
    assert reply.status == 201, reply.body
    return dict(reply.body)


def upload_as_runner(
    api: Api, runner: RunnerIdentity, name: str, data: bytes, content_type: str
) -> dict[str, Any]:
    promised = promise(api, runner, name, data, content_type)
    assert put(promised["upload"], data).status_code == 200
    done = api.post("finalize_artifact", runner.body(artifact_id=promised["artifact_id"]), runner.headers())
    assert done.status == 200, done.body
    return dict(done.body["artifact"])


def test_a_runner_upload_becomes_a_pending_artifact_with_its_real_size_and_checksums(
    api: Api, runner_job: RunnerIdentity, bucket: storage.Bucket, firestore_client: firestore.Client
) -> None:
    data = b"name,score\nada,3\nlinus,5\n" * 100

    artifact = upload_as_runner(api, runner_job, "results/scores.csv", data, "text/csv")

    assert artifact["size"] == len(data)
    assert artifact["md5"] == md5_of(data) and artifact["crc32c"] == crc32c_of(data)
    assert artifact["uploaded_by"] == "runner" and artifact["attempt"] == 1
    assert artifact["review"]["state"] == "pending"
    path = f"jobs/{runner_job.job_id}/{artifact['artifact_id']}/results/scores.csv"
    assert artifact["path"] == path
    assert object_names(bucket) == [path], "the incoming bytes are gone once the artifact is recorded"
    [placeholder] = [b for b in bucket.client.list_blobs(bucket.name) if b.name.startswith("incoming/")]
    assert placeholder.size == 0, "an empty placeholder keeps the create-only PUT URL from landing again"
    assert bucket.blob(path).download_as_bytes() == data
    [stored] = artifact_docs(firestore_client, runner_job.job_id)
    assert (
        stored["name"] == "results/scores.csv" and stored["size"] == len(data) and stored["owner"] == "alice"
    )
    assert not list(firestore_client.collection("artifact_uploads").stream()), "the promise is consumed"


def test_finalizing_twice_returns_the_same_artifact(
    api: Api, runner_job: RunnerIdentity, bucket: storage.Bucket
) -> None:
    artifact = upload_as_runner(api, runner_job, "report.txt", b"all good\n", "text/plain")

    again = api.post(
        "finalize_artifact", runner_job.body(artifact_id=artifact["artifact_id"]), runner_job.headers()
    )

    assert again.status == 200 and again.body["artifact"] == artifact


def test_the_owner_uploads_an_input_to_a_job_and_a_user_uploads_one_of_their_own(
    api: Api, runner_job: RunnerIdentity, bucket: storage.Bucket, firestore_client: firestore.Client
) -> None:
    data = b"id,url\n1,https://example.com\n"
    to_job = api.as_user(
        "alice",
        "upload",
        {"job_id": runner_job.job_id, "name": "in.csv", "content_type": "text/csv", "size": len(data)},
    )
    mine = api.as_user("bob", "upload", {"name": "batch.csv", "content_type": "text/csv", "size": len(data)})
    for reply, body in ((to_job, {"job_id": runner_job.job_id}), (mine, {})):
        assert reply.status == 201, reply.body
        assert put(reply.body["upload"], data).status_code == 200
        user = "alice" if body else "bob"
        done = api.as_user(user, "finalize_artifact", {"artifact_id": reply.body["artifact_id"], **body})
        assert done.status == 200, done.body
        assert done.body["artifact"]["uploaded_by"] == user

    assert [doc["name"] for doc in artifact_docs(firestore_client, runner_job.job_id)] == ["in.csv"]
    bobs = firestore_client.collection("users").document("bob").collection("artifacts").stream()
    assert [doc.get("path") for doc in bobs] == [f"users/bob/{mine.body['artifact_id']}/batch.csv"]


def test_a_small_file_posted_inline_is_recorded_at_once(
    api: Api, runner_job: RunnerIdentity, bucket: storage.Bucket
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    body = runner_job.body(
        name="plot.png", content_type="image/png", size=len(png), data=base64.b64encode(png).decode()
    )

    reply = api.post("upload", body, runner_job.headers())

    assert reply.status == 201, reply.body
    artifact = reply.body["artifact"]
    assert artifact["size"] == len(png) and artifact["md5"] == md5_of(png)
    assert object_names(bucket) == [artifact["path"]]


def test_a_finalize_before_the_put_is_a_409_and_the_upload_can_still_complete(
    api: Api, runner_job: RunnerIdentity, bucket: storage.Bucket
) -> None:
    data = b"late\n"
    reply = api.post(
        "upload", runner_job.body(name="late.txt", content_type="text/plain", size=5), runner_job.headers()
    )
    finalize = runner_job.body(artifact_id=reply.body["artifact_id"])

    early = api.post("finalize_artifact", finalize, runner_job.headers())
    assert early.status == 409 and early.code == "not_uploaded"

    assert put(reply.body["upload"], data).status_code == 200
    assert api.post("finalize_artifact", finalize, runner_job.headers()).status == 200


def test_another_attempt_or_user_cannot_finalize_an_upload(
    api: Api, runner_job: RunnerIdentity, bucket: storage.Bucket, tmp_path: Path
) -> None:
    reply = api.post(
        "upload", runner_job.body(name="a.txt", content_type="text/plain", size=2), runner_job.headers()
    )
    assert put(reply.body["upload"], b"a\n").status_code == 200
    other = launched_runner(tmp_path, api.create_job("alice"))

    by_other_runner = api.post(
        "finalize_artifact", other.body(artifact_id=reply.body["artifact_id"]), other.headers()
    )
    by_owner = api.as_user(
        "alice", "finalize_artifact", {"artifact_id": reply.body["artifact_id"], "job_id": runner_job.job_id}
    )

    assert by_other_runner.status == 404 and by_owner.status == 404
    assert object_names(bucket) == [f"incoming/{reply.body['artifact_id']}/a.txt"]
