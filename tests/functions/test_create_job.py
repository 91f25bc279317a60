"""create_job: the job and its first attempt in one transaction, launched once, idempotent, refusing bad input."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from freezegun import freeze_time
from google.cloud import firestore
from tailrun_functions import services

from .conftest import Api
from .helpers import job, launched
from .shared import dump_all, until_not_busy


def test_a_job_is_written_with_its_first_attempt_and_launched(
    api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    reply = api.post(
        "create_job", {"argv": ["echo", "hi"], "env": {"SECRET": "s3cret"}, "labels": {"team": "a"}}
    )

    assert reply.status == 201
    job_id = reply.body["job_id"]
    assert reply.body["watch"] == {"job": f"jobs/{job_id}", "chunks": f"jobs/{job_id}/chunks"}
    variables = launched(captured, job_id)
    assert variables["TAILRUN_ARGV"] == '["echo", "hi"]'
    assert variables["TAILRUN_ENV"] == '{"SECRET": "s3cret"}'
    assert "TAILRUN_DEV_TOKEN" not in variables
    document = job(firestore_client, job_id)
    assert document["owner"] == "dev"
    assert document["status"] == "booting"
    assert document["attempt"] == 1
    assert document["spec"]["env_keys"] == ["SECRET"]
    assert "s3cret" not in repr(document)
    token = firestore_client.collection("attempt_tokens").document(f"{job_id}-0001").get().to_dict() or {}
    assert token["token_hash"] == hashlib.sha256(variables["TAILRUN_TOKEN"].encode()).hexdigest()
    assert variables["TAILRUN_TOKEN"] not in repr(dump_all(firestore_client))
    assert len(variables["TAILRUN_TOKEN"]) >= 32


def test_the_same_idempotency_key_returns_the_same_job_and_launches_nothing(
    api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    first = api.post("create_job", {"argv": ["true"], "idempotency_key": "k-1"})
    launched(captured, first.body["job_id"])
    before = dump_all(firestore_client)

    second = api.post("create_job", {"argv": ["true"], "idempotency_key": "k-1"})

    assert second.status == 201
    assert second.body["job_id"] == first.body["job_id"]
    assert second.body["created"] is False
    # a launch writes its attempt and its launch record before create_job answers: nothing was written at all
    assert dump_all(firestore_client) == before
    assert len(list(captured.glob("*.json"))) == 1


def test_concurrent_requests_with_one_idempotency_key_make_one_job(
    api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        replies = list(
            pool.map(
                lambda _: until_not_busy(
                    lambda: api.post("create_job", {"argv": ["true"], "idempotency_key": "k-3"})
                ),
                range(4),
            )
        )

    assert {reply.status for reply in replies} == {201}, [reply.body for reply in replies]
    (job_id,) = {reply.body["job_id"] for reply in replies}
    assert sorted(reply.body["created"] for reply in replies) == [False, False, False, True]
    assert [snapshot.id for snapshot in firestore_client.collection("jobs").stream()] == [job_id]
    assert len(list(firestore_client.collection("attempt_tokens").stream())) == 1
    launched(captured, job_id)


def test_an_idempotency_key_reused_for_another_job_is_a_conflict(
    api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    api.create(argv=["true"], idempotency_key="k-2")
    before = dump_all(firestore_client)

    reply = api.post("create_job", {"argv": ["false"], "idempotency_key": "k-2"})

    assert reply.status == 409
    assert reply.body["error"]["code"] == "idempotency_conflict"
    assert dump_all(firestore_client) == before


def test_a_prompt_runs_the_agent_command(
    api: Api, captured: Path, configure, firestore_client: firestore.Client
) -> None:
    configure(TAILRUN_AGENTS='{"echo-agent": ["echo", "--"]}')
    job_id = api.create(prompt="write a poem", agent="echo-agent")

    assert launched(captured, job_id)["TAILRUN_ARGV"] == '["echo", "--", "write a poem"]'
    assert job(firestore_client, job_id)["spec"]["prompt"] == "write a poem"


def test_a_launch_that_keeps_failing_fails_the_job_after_its_attempts(
    api: Api, configure, firestore_client: firestore.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(
        TAILRUN_RUNNER_COMMAND='["/nonexistent/tailrun-runner"]',
        TAILRUN_RETRY_BACKOFF_S="2",
        TAILRUN_INLINE_BACKOFF_MAX_S="10",
    )
    waits: list[float] = []
    with freeze_time(dt.datetime.now(dt.UTC)) as frozen:

        def sleep(seconds: float) -> None:  # the backoff waits on the one clock
            waits.append(seconds)
            frozen.tick(seconds)

        monkeypatch.setattr(services.current(), "sleep", sleep)
        reply = api.post("create_job", {"argv": ["true"], "max_attempts": 3})

    # full-jitter backoff between the three launches: up to 2 s, then up to 4 s; none after the last
    assert len(waits) == 2 and all(0 < w <= 2 * 2**i for i, w in enumerate(waits)), waits

    assert reply.status == 201
    assert reply.body["status"] == "failed"
    document = job(firestore_client, reply.body["job_id"])
    assert document["status"] == "failed"
    assert document["attempt"] == 3
    assert document["error"]["code"] == "launch_failed"
    assert "/nonexistent/tailrun-runner" in document["error"]["message"]
    attempts = [
        snapshot.to_dict() or {}
        for snapshot in firestore_client.collection(f"jobs/{reply.body['job_id']}/attempts").stream()
    ]
    assert [a["status"] for a in attempts] == ["failed", "failed", "failed"]
    created = [a["created_at"] for a in attempts]
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(created)]
    assert gaps == pytest.approx(waits, abs=0.01), "each new attempt waited out its backoff"
