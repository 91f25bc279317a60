"""Review (pending → approved | rejected, final, by the job's owner or a listed reviewer), what a Firestore
listener sees, and downloads through short-lived signed GET URLs."""

from __future__ import annotations

import json
import queue
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from freezegun import freeze_time
from functions.shared import until_not_busy
from google.cloud import firestore, storage  # type: ignore[attr-defined]

from .conftest import Api, RunnerIdentity
from .test_upload_flow import upload_as_runner


@pytest.fixture
def artifact(api: Api, runner_job: RunnerIdentity, bucket: storage.Bucket) -> dict[str, Any]:
    """A pending artifact of alice's job, uploaded by its runner."""
    return upload_as_runner(api, runner_job, "out/report.md", b"# Report\n\nAll green.\n", "text/markdown")


def review(api: Api, uid: str, artifact: dict[str, Any], decision: str, note: str = "") -> Any:
    body = {
        "job_id": artifact["job_id"],
        "artifact_id": artifact["artifact_id"],
        "decision": decision,
        "note": note,
    }
    return api.as_user(uid, "review_artifact", body)


def stored_review(db: firestore.Client, artifact: dict[str, Any]) -> dict[str, Any]:
    ref = (
        db.collection("jobs")
        .document(artifact["job_id"])
        .collection("artifacts")
        .document(artifact["artifact_id"])
    )
    return dict(ref.get().get("review"))


def test_the_owner_approves_with_a_note_and_the_time_is_recorded(
    api: Api, artifact: dict[str, Any], firestore_client: firestore.Client
) -> None:
    with freeze_time("2026-05-04 03:02:01", ignore=["google", "grpc", "requests", "urllib3"]):
        reply = review(api, "alice", artifact, "approve", "looks right")

    assert reply.status == 200, reply.body
    decision = stored_review(firestore_client, artifact)
    assert (
        decision["state"] == "approved"
        and decision["reviewer"] == "alice"
        and decision["note"] == "looks right"
    )
    assert decision["at"].isoformat() == "2026-05-04T03:02:01+00:00"


@pytest.mark.parametrize(
    ("first", "then"), [("approve", "reject"), ("reject", "approve"), ("approve", "approve")]
)
def test_reviews_are_final(
    api: Api, artifact: dict[str, Any], firestore_client: firestore.Client, first: str, then: str
) -> None:
    assert review(api, "alice", artifact, first).status == 200
    decided = stored_review(firestore_client, artifact)

    second = review(api, "alice", artifact, then, "changed my mind")

    assert second.status == 409 and second.code == "already_reviewed"
    assert stored_review(firestore_client, artifact) == decided


def test_two_reviews_at_once_decide_once(
    api: Api, artifact: dict[str, Any], firestore_client: firestore.Client
) -> None:
    results: queue.Queue[int] = queue.Queue()
    decisions = ["approve", "reject"] * 3
    threads = [
        threading.Thread(
            target=lambda d=d: results.put(until_not_busy(lambda: review(api, "alice", artifact, d)).status)
        )
        for d in decisions
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(results.get() for _ in threads)
    assert statuses == [200, 409, 409, 409, 409, 409]


def test_who_may_review(
    api: Api, artifact: dict[str, Any], configure: Any, firestore_client: firestore.Client
) -> None:
    stranger = review(api, "mallory", artifact, "approve")
    assert stranger.status == 404 and stored_review(firestore_client, artifact)["state"] == "pending"

    configure(TAILRUN_REVIEWERS="carol, dave")
    listed = review(api, "carol", artifact, "reject", "wrong numbers")

    assert listed.status == 200 and stored_review(firestore_client, artifact)["reviewer"] == "carol"


@pytest.mark.parametrize(
    "body",
    [
        {"decision": "approve", "artifact_id": None},
        {"decision": "maybe"},
        {"decision": "approve", "note": "x" * 2001},
        {"decision": "approve", "artifact_id": "../../etc"},
    ],
)
def test_malformed_reviews_are_400(api: Api, artifact: dict[str, Any], body: dict[str, Any]) -> None:
    full = {"job_id": artifact["job_id"], "artifact_id": artifact["artifact_id"], **body}

    assert api.as_user("alice", "review_artifact", full).status == 400


def test_a_review_needs_a_user(api: Api, artifact: dict[str, Any], runner_job: RunnerIdentity) -> None:
    body = {"job_id": artifact["job_id"], "artifact_id": artifact["artifact_id"], "decision": "approve"}

    assert api.post("review_artifact", body, runner_job.headers()).status == 401
    assert api.post("review_artifact", body).status == 401


def test_a_listener_sees_the_artifact_appear_and_its_review_change(
    api: Api, runner_job: RunnerIdentity, bucket: storage.Bucket, firestore_client: firestore.Client
) -> None:
    seen: queue.Queue[list[dict[str, Any]]] = queue.Queue()
    collection = firestore_client.collection("jobs").document(runner_job.job_id).collection("artifacts")
    watch = collection.on_snapshot(
        lambda docs, changes, read_time: seen.put([d.to_dict() or {} for d in docs])
    )
    try:
        assert seen.get(timeout=10) == []

        artifact = upload_as_runner(api, runner_job, "table.csv", b"a,b\n1,2\n", "text/csv")
        appeared = seen.get(timeout=10)
        assert [(doc["name"], doc["review"]["state"]) for doc in appeared] == [("table.csv", "pending")]

        assert review(api, "alice", artifact, "reject", "empty table").status == 200
        changed = seen.get(timeout=10)
        assert [(doc["name"], doc["review"]["state"], doc["review"]["note"]) for doc in changed] == [
            ("table.csv", "rejected", "empty table")
        ]
    finally:
        watch.unsubscribe()


def test_the_owner_downloads_by_id_and_by_name_the_newest_of_that_name(
    api: Api, runner_job: RunnerIdentity, bucket: storage.Bucket
) -> None:
    first = upload_as_runner(api, runner_job, "out/log.txt", b"first run\n", "text/plain")
    second = upload_as_runner(api, runner_job, "out/log.txt", b"second run\n", "text/plain")

    by_id = api.as_user(
        "alice", "download_artifact", {"job_id": runner_job.job_id, "artifact_id": first["artifact_id"]}
    )
    by_name = api.as_user("alice", "download_artifact", {"job_id": runner_job.job_id, "name": "out/log.txt"})

    assert by_id.status == 200 and by_name.status == 200, (by_id.body, by_name.body)
    assert by_name.body["artifact"]["artifact_id"] == second["artifact_id"]
    got = requests.get(by_id.body["url"], timeout=10)
    assert got.content == b"first run\n"
    assert got.headers["Content-Disposition"] == 'attachment; filename="log.txt"'
    query = parse_qs(urlsplit(by_name.body["url"]).query)
    assert query["X-Goog-Expires"] == ["600"] and query["X-Goog-Signature"]
    assert requests.get(by_name.body["url"], timeout=10).content == b"second run\n"


def test_only_those_who_may_read_the_job_get_a_download(
    api: Api, artifact: dict[str, Any], runner_job: RunnerIdentity
) -> None:
    body = {"job_id": artifact["job_id"], "artifact_id": artifact["artifact_id"]}

    assert api.as_user("mallory", "download_artifact", body).status == 404
    assert api.post("download_artifact", body, runner_job.headers()).status == 401
    assert api.as_user("alice", "download_artifact", {**body, "artifact_id": "0" * 32}).status == 404
    assert api.as_user("alice", "download_artifact", {"job_id": artifact["job_id"]}).status == 400


def test_a_note_that_is_not_text_is_refused_without_a_write(
    api: Api, artifact: dict[str, Any], firestore_client: firestore.Client
) -> None:
    body = {"job_id": artifact["job_id"], "artifact_id": artifact["artifact_id"], "decision": "approve"}
    raw = json.dumps({**body, "note": "\ud800"})  # JSON can carry a lone surrogate; Firestore text cannot
    assert "\\ud800" in raw

    reply = requests.post(
        f"{api.url}/review_artifact", data=raw, headers={"Authorization": "Bearer user-alice"}, timeout=10
    )

    assert reply.status_code == 400 and stored_review(firestore_client, artifact)["state"] == "pending"
