"""What is refused: bad names, types, sizes and tokens get a 4xx and leave nothing behind; objects that break their
upload's promise after the PUT are deleted by finalize."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from functions.shared import dump_all
from google.cloud import firestore, storage  # type: ignore[attr-defined]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import Api, RunnerIdentity, launched_runner, object_names
from .test_upload_flow import md5_of, put


@pytest.fixture
def unchanged(firestore_client: firestore.Client, bucket: storage.Bucket) -> Iterator[None]:
    """Asserts, after the test, that no document and no object was written."""
    before = dump_all(firestore_client)
    yield
    assert dump_all(firestore_client) == before
    assert object_names(bucket) == []


BAD_NAMES = [
    "../escape.txt",
    "a/../../b.txt",
    "/etc/passwd",
    "a\\b.txt",
    "..",
    "./x.txt",
    "a//b.txt",
    "dir/",
    "",
    "x" * 201,
    "é" * 101,
    "line\nbreak.txt",
    "nul\x00.txt",
    "bell\x07.txt",
    "evil\u202etxt.exe",
    "zero\u200bwidth.txt",
    "/".join(["d"] * 17),
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_unsafe_names_are_refused(api: Api, runner_job: RunnerIdentity, unchanged: None, name: str) -> None:
    reply = api.post(
        "upload", runner_job.body(name=name, content_type="text/plain", size=3), runner_job.headers()
    )

    assert reply.status == 400, reply.body
    assert "url" not in str(reply.body)


@pytest.mark.parametrize(
    "content_type",
    ["text/html", "image/svg+xml", "application/octet-stream", "text/plain; charset=utf-8", "TEXT/PLAIN"],
)
def test_types_off_the_allow_list_are_refused(
    api: Api, runner_job: RunnerIdentity, unchanged: None, content_type: str
) -> None:
    reply = api.post(
        "upload", runner_job.body(name="a.txt", content_type=content_type, size=3), runner_job.headers()
    )

    assert reply.status == 415 and reply.code == "type_not_allowed"


def test_oversized_files_are_refused(
    api: Api, runner_job: RunnerIdentity, configure: Any, unchanged: None
) -> None:
    configure(TAILRUN_ARTIFACT_MAX_BYTES="1000")

    reply = api.post(
        "upload", runner_job.body(name="big.txt", content_type="text/plain", size=1001), runner_job.headers()
    )
    inline = api.post(
        "upload",
        runner_job.body(
            name="big.txt", content_type="text/plain", size=1001, data=base64.b64encode(b"x" * 1001).decode()
        ),
        runner_job.headers(),
    )

    assert reply.status == 413 and inline.status == 413


@pytest.mark.parametrize(
    ("data", "fields", "status", "code"),
    [
        (b"hello", {"size": 4}, 400, "size_mismatch"),
        (b"hello", {"md5": md5_of(b"other")}, 400, "checksum_mismatch"),
        (b"not a png at all", {"content_type": "image/png"}, 415, "content_mismatch"),
        (b"\xff\xfe binary", {}, 415, "content_mismatch"),
    ],
)
def test_inline_data_that_does_not_match_its_claims_is_refused(
    api: Api,
    runner_job: RunnerIdentity,
    unchanged: None,
    data: bytes,
    fields: dict[str, Any],
    status: int,
    code: str,
) -> None:
    body = {
        "name": "a.txt",
        "content_type": "text/plain",
        "size": len(data),
        "data": base64.b64encode(data).decode(),
    }

    reply = api.post("upload", runner_job.body(**{**body, **fields}), runner_job.headers())

    assert (reply.status, reply.code) == (status, code), reply.body


def test_tokens_that_are_not_this_attempts_are_refused(
    api: Api,
    runner_job: RunnerIdentity,
    tmp_path: Path,
    firestore_client: firestore.Client,
    bucket: storage.Bucket,
) -> None:
    other = launched_runner(tmp_path, api.create_job("bob"))
    before = dump_all(firestore_client)
    body = {"name": "a.txt", "content_type": "text/plain", "size": 3}
    attempts = [
        (runner_job.body(**body), other.headers(), 401),  # another job's token
        (runner_job.body(**body, attempt=2), runner_job.headers(), 401),  # an attempt that does not exist
        (runner_job.body(**body), {}, 401),  # no token
        (runner_job.body(**body), {"Authorization": "Bearer forged"}, 401),
        (
            runner_job.body(**body),
            {"Authorization": "Bearer user-alice"},
            401,
        ),  # a user's token as a runner's
        ({**body, "job_id": runner_job.job_id}, runner_job.headers(), 401),  # a runner's token as a user's
        ({**body, "job_id": runner_job.job_id}, {"Authorization": "Bearer user-bob"}, 404),  # not bob's job
    ]
    for payload, headers, status in attempts:
        reply = api.post("upload", payload, headers)
        assert reply.status == status, (payload, headers, reply.body)

    assert dump_all(firestore_client) == before
    assert object_names(bucket) == []


def test_an_attempt_that_completed_cannot_upload(
    api: Api, runner_job: RunnerIdentity, firestore_client: firestore.Client, bucket: storage.Bucket
) -> None:
    completed = runner_job.body(type="completed", seq=1, exit_code=0, duration_ms=5, lines=0)
    assert (
        api.post("job_callback", runner_job.body(type="started", seq=0), runner_job.headers()).status == 200
    )
    assert api.post("job_callback", completed, runner_job.headers()).status == 200

    reply = api.post(
        "upload", runner_job.body(name="a.txt", content_type="text/plain", size=3), runner_job.headers()
    )

    assert reply.status == 410 and reply.code == "attempt_ended"
    assert not list(firestore_client.collection("artifact_uploads").stream())
    assert object_names(bucket) == []


@pytest.mark.parametrize(
    ("claimed", "sent", "headers"),
    [
        ({"size": 10}, b"0123456789" * 100, {}),  # more bytes than promised (the cloud refuses the length)
        ({"size": 11}, b"hello world", {"Content-Type": "text/csv"}),  # another type than promised
        ({"size": 8, "content_type": "image/png"}, b"GIF89a..", {}),  # the bytes are not a PNG
        ({"size": 11, "md5": md5_of(b"hello world")}, b"hello earth", {}),  # not the promised bytes
    ],
)
def test_an_object_that_breaks_its_promise_is_deleted_by_finalize(
    api: Api,
    runner_job: RunnerIdentity,
    bucket: storage.Bucket,
    firestore_client: firestore.Client,
    claimed: dict[str, Any],
    sent: bytes,
    headers: dict[str, str],
) -> None:
    body = runner_job.body(**{"name": "out.txt", "content_type": "text/plain", **claimed})
    reply = api.post("upload", body, runner_job.headers())
    assert reply.status == 201, reply.body
    assert put(reply.body["upload"], sent, **headers).status_code == 200
    assert object_names(bucket) == [f"incoming/{reply.body['artifact_id']}/out.txt"]

    done = api.post(
        "finalize_artifact", runner_job.body(artifact_id=reply.body["artifact_id"]), runner_job.headers()
    )

    assert done.status == 400 and done.code == "object_rejected", done.body
    assert object_names(bucket) == []
    assert not list(firestore_client.collection("artifact_uploads").stream())
    job_artifacts = firestore_client.collection("jobs").document(runner_job.job_id).collection("artifacts")
    assert not list(job_artifacts.stream())
    again = api.post(
        "finalize_artifact", runner_job.body(artifact_id=reply.body["artifact_id"]), runner_job.headers()
    )
    assert again.status == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "a.txt", "content_type": "text/plain"},
        {"name": "a.txt", "content_type": "text/plain", "size": -1},
        {"name": "a.txt", "content_type": "text/plain", "size": "3"},
        {"name": "a.txt", "content_type": "text/plain", "size": 3, "extra": 1},
        {"name": "a.txt", "content_type": "text/plain", "size": 3, "md5": "nope"},
        {"name": "a.txt", "content_type": "text/plain", "size": 3, "attempt": 1},
        {"name": "a.txt", "content_type": "text/plain", "size": 3, "data": "!!not base64!!"},
        {"name": ["a"], "content_type": "text/plain", "size": 3},
        [1, 2],
    ],
)
def test_malformed_bodies_are_400(api: Api, unchanged: None, body: Any) -> None:
    reply = api.as_user("alice", "upload", body)

    assert reply.status == 400, reply.body
    assert set(reply.body["error"]) == {"code", "message"}


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=12,
)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(max_size=40) | JSON,
        "content_type": st.sampled_from(["text/plain", "text/html", ""]) | JSON,
        "size": st.integers(min_value=-5, max_value=2**60) | JSON,
        "md5": st.text(max_size=30) | JSON,
        "attempt": st.integers(min_value=-1, max_value=3) | JSON,
        "data": st.text(max_size=20) | JSON,
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=FIELDS | JSON)
def test_generated_bodies_get_a_4xx_json_error_and_write_nothing(
    api: Api,
    runner_job: RunnerIdentity,
    firestore_client: firestore.Client,
    bucket: storage.Bucket,
    body: Any,
) -> None:
    before, objects = dump_all(firestore_client), object_names(bucket)
    if isinstance(body, dict) and "job_id" not in body:
        body = {**body, "job_id": runner_job.job_id}

    reply = api.post("upload", body, runner_job.headers())

    if reply.status == 201:  # a valid request was generated: it must have been a real promise
        assert "upload" in reply.body or "artifact" in reply.body
        return
    assert 400 <= reply.status < 500 and set(reply.body["error"]) == {"code", "message"}, reply.body
    assert dump_all(firestore_client) == before
    assert object_names(bucket) == objects


def test_a_job_that_ended_and_whose_drain_is_over_cannot_upload(
    api: Api,
    runner_job: RunnerIdentity,
    configure: Any,
    firestore_client: firestore.Client,
    bucket: storage.Bucket,
) -> None:
    configure(TAILRUN_CANCEL_DRAIN_S="0")  # the drain closes as the job is canceled
    assert api.as_user("alice", "cancel_job", {"job_id": runner_job.job_id}).status == 200

    reply = api.post(
        "upload", runner_job.body(name="a.txt", content_type="text/plain", size=3), runner_job.headers()
    )

    assert (reply.status, reply.code) == (410, "job_ended"), "the answer job_callback gives, too"
    assert not list(firestore_client.collection("artifact_uploads").stream())
    assert object_names(bucket) == []
