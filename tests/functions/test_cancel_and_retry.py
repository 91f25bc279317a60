"""cancel_job and retry_job: who may, from which states, and callbacks racing a cancel."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from freezegun import freeze_time
from google.cloud import firestore
from tailrun_functions import services

from .conftest import Api
from .helpers import PlayedRunner, chunks, job, launched
from .shared import dump_all


@pytest.fixture
def runner(api: Api, captured: Path) -> PlayedRunner:
    played = PlayedRunner(
        api, launched(captured, api.create(argv=["work"], env={"KEY": "v"}, labels={"kind": "test"}))
    )
    played.started()
    return played


def test_cancel_a_queued_job_that_waits_for_its_next_attempt(
    api: Api, captured: Path, configure, firestore_client: firestore.Client
) -> None:
    configure(
        TAILRUN_RETRY_BACKOFF_S="600", TAILRUN_INLINE_BACKOFF_MAX_S="0"
    )  # the next attempt waits for the reaper
    played = PlayedRunner(api, launched(captured, api.create(argv=["x"], max_attempts=3)))
    played.started()
    played.completed(1)
    assert job(firestore_client, played.job_id)["status"] == "queued"

    assert api.post("cancel_job", {"job_id": played.job_id}).status == 200

    document = job(firestore_client, played.job_id)
    assert document["status"] == "canceled" and document["next_attempt_at"] is None


def test_cancel_of_an_unknown_or_someone_elses_job_is_not_found(
    runner: PlayedRunner,
    api: Api,
    configure,
    firestore_client: firestore.Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert api.post("cancel_job", {"job_id": "nope"}).status == 404
    configure(TAILRUN_AUTH="firebase")
    monkeypatch.setattr(services.current(), "user_verifier", lambda token, audience: {"sub": "mallory"})
    before = dump_all(firestore_client)

    assert api.post("cancel_job", {"job_id": runner.job_id}, token="mallory-id-token").status == 404
    assert api.post("retry_job", {"job_id": runner.job_id}, token="mallory-id-token").status == 404
    assert dump_all(firestore_client) == before


def test_callbacks_racing_a_cancel_either_land_whole_or_are_refused(
    runner: PlayedRunner, api: Api, configure, firestore_client: firestore.Client
) -> None:
    configure(TAILRUN_CANCEL_DRAIN_S="0")  # after the cancel the attempt accepts nothing
    messages = [runner.message("output", lines=runner.lines(f"line {i}")) for i in range(12)]

    with ThreadPoolExecutor(max_workers=6) as pool:
        sent = [pool.submit(runner.send, message) for message in messages[:6]]
        cancel = pool.submit(api.post, "cancel_job", {"job_id": runner.job_id})
        sent += [pool.submit(runner.send, message) for message in messages[6:]]
        replies = [future.result() for future in sent]
    assert cancel.result().status == 200

    stored = {chunk["seq"] for chunk in chunks(firestore_client, runner.job_id)}
    for message, reply in zip(messages, replies, strict=True):
        accepted = reply.status == 200
        if reply.status == 503:  # too contended (Google's emulator's 2 s lock waits): nothing was written
            assert reply.body["error"]["code"] == "unavailable" and "Retry-After" in reply.headers
            assert message["seq"] not in stored
            reply = runner.send(message)  # the runner retries it, now after the cancel
        assert accepted or (reply.status, reply.body["error"]["code"]) == (410, "job_ended"), reply.body
        assert (message["seq"] in stored) == accepted
    assert job(firestore_client, runner.job_id)["status"] == "canceled"
    before = dump_all(firestore_client)
    for reply in (runner.started(), runner.completed(0)):
        assert (reply.status, reply.body["error"]["code"]) == (410, "job_ended")
    assert dump_all(firestore_client) == before


def test_after_a_cancel_the_runner_may_deliver_its_last_lines_until_the_drain_ends(
    runner: PlayedRunner, api: Api, firestore_client: firestore.Client
) -> None:
    api.post("cancel_job", {"job_id": runner.job_id})

    assert runner.output("last words").status == 200
    assert runner.completed(None, signal="SIGTERM", reason="stopped").status == 200

    document = job(firestore_client, runner.job_id)
    assert document["status"] == "canceled"
    assert document["signal"] == "SIGTERM"
    assert [line["text"] for line in document["tail"]] == ["last words"]
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)):
        late = runner.heartbeat()
    assert (late.status, late.body["error"]["code"]) == (410, "attempt_ended"), "it completed"


def test_the_drain_window_closes(runner: PlayedRunner, api: Api, firestore_client: firestore.Client) -> None:
    api.post("cancel_job", {"job_id": runner.job_id})
    before = dump_all(firestore_client)
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)):
        reply = runner.output("too late")
    assert reply.status == 410 and reply.body["error"]["code"] == "job_ended"
    assert dump_all(firestore_client) == before


def test_retry_makes_a_new_job_linked_to_its_parent(
    runner: PlayedRunner, api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    assert api.post("retry_job", {"job_id": runner.job_id}).status == 409  # still running
    runner.completed(2)

    reply = api.post("retry_job", {"job_id": runner.job_id})

    assert reply.status == 201
    child = reply.body["job_id"]
    assert child != runner.job_id and reply.body["parent_job_id"] == runner.job_id
    document = job(firestore_client, child)
    assert document["parent_job_id"] == runner.job_id
    assert document["spec"] == job(firestore_client, runner.job_id)["spec"]
    assert launched(captured, child)["TAILRUN_ENV"] == '{"KEY": "v"}'


def test_a_succeeded_job_cannot_be_retried(runner: PlayedRunner, api: Api) -> None:
    runner.completed(0)
    reply = api.post("retry_job", {"job_id": runner.job_id})
    assert reply.status == 409 and reply.body["error"]["code"] == "not_retryable"
    assert api.post("retry_job", {"job_id": "missing"}).status == 404


def drive(state: str, api: Api, captured: Path, configure) -> str:
    """A job brought to ``state`` through the real entrypoints (the test plays its runner); its id."""
    if state == "queued":  # a failed first attempt whose second waits out a long backoff
        configure(TAILRUN_RETRY_BACKOFF_S="600", TAILRUN_INLINE_BACKOFF_MAX_S="0")
    played = PlayedRunner(
        api, launched(captured, api.create(argv=["x"], max_attempts=2 if state == "queued" else 1))
    )
    if state == "booting":
        return played.job_id
    played.started()
    if state in ("queued", "failed"):
        played.completed(1)
    elif state == "succeeded":
        played.completed(0)
    elif state == "canceled":
        assert api.post("cancel_job", {"job_id": played.job_id}).status == 200
    elif state == "timed_out":
        with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)):
            assert api.post("reap_sandboxes", {}).status == 200
    return played.job_id


@pytest.mark.parametrize("state", ["queued", "booting", "running", "succeeded"])
def test_a_job_that_is_not_over_or_succeeded_cannot_be_retried(
    state: str, api: Api, captured: Path, configure, firestore_client: firestore.Client
) -> None:
    job_id = drive(state, api, captured, configure)
    assert job(firestore_client, job_id)["status"] == state
    before = dump_all(firestore_client)

    reply = api.post("retry_job", {"job_id": job_id})

    assert reply.status == 409 and reply.body["error"]["code"] == "not_retryable", reply.body
    assert dump_all(firestore_client) == before


@pytest.mark.parametrize("state", ["failed", "canceled", "timed_out"])
def test_an_ended_job_that_did_not_succeed_is_retried_as_a_new_linked_job(
    state: str, api: Api, captured: Path, configure, firestore_client: firestore.Client
) -> None:
    job_id = drive(state, api, captured, configure)
    assert job(firestore_client, job_id)["status"] == state
    parent_before = job(firestore_client, job_id)

    reply = api.post("retry_job", {"job_id": job_id})

    assert reply.status == 201, reply.body
    child = reply.body["job_id"]
    assert child != job_id and reply.body["parent_job_id"] == job_id
    variables = launched(captured, child)
    assert variables["TAILRUN_ATTEMPT"] == "1"
    document = job(firestore_client, child)
    assert document["parent_job_id"] == job_id and document["attempt"] == 1
    parent = job(firestore_client, job_id)
    assert parent.pop("retried_by") == [child], "the parent lists its retry"
    assert parent == {k: v for k, v in parent_before.items() if k != "retried_by"}, (
        "and is otherwise unchanged"
    )
