"""create_job: the job and its first attempt in one transaction, launched once, idempotent, refusing bad input."""

from __future__ import annotations

import hashlib
from pathlib import Path

from google.cloud import firestore

from .conftest import Api
from .helpers import dump_all, job, launched


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
    second = api.post("create_job", {"argv": ["true"], "idempotency_key": "k-1"})

    assert second.status == 201
    assert second.body["job_id"] == first.body["job_id"]
    assert second.body["created"] is False
    assert len(list(captured.glob("*.json"))) == 1
    assert len(list(firestore_client.collection("jobs").stream())) == 1


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
    api: Api, configure, firestore_client: firestore.Client
) -> None:
    configure(TAILRUN_RUNNER_COMMAND='["/nonexistent/tailrun-runner"]')

    reply = api.post("create_job", {"argv": ["true"], "max_attempts": 3})

    assert reply.status == 201
    assert reply.body["status"] == "failed"
    document = job(firestore_client, reply.body["job_id"])
    assert document["status"] == "failed"
    assert document["attempt"] == 3
    assert document["error"]["code"] == "launch_failed"
    assert "/nonexistent/tailrun-runner" in document["error"]["message"]
    attempts = (
        firestore_client.collection("jobs").document(reply.body["job_id"]).collection("attempts").stream()
    )
    assert [a.to_dict()["status"] for a in attempts] == ["failed", "failed", "failed"]
