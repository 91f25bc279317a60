"""Fields a client reads to list and follow jobs: ``label_pairs`` (filter by a label under the rules), a job's
retries (``retried_by``), and ``last_output_at`` for every job that printed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from .conftest import Api
from .helpers import PlayedRunner, job, launched


def test_every_job_gets_its_labels_as_sorted_pairs_and_can_be_found_by_one(
    api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    tagged = api.create(argv=["job"], labels={"team": "infra", "env": "ci"})
    other = api.create(argv=["job"], labels={"team": "web"})
    plain = api.create(argv=["job"])

    assert job(firestore_client, tagged)["label_pairs"] == ["env=ci", "team=infra"]
    assert job(firestore_client, plain)["label_pairs"] == []
    query = (
        firestore_client.collection("jobs")
        .where(filter=FieldFilter("owner", "==", "dev"))
        .where(filter=FieldFilter("label_pairs", "array_contains", "team=infra"))
    )
    assert [snapshot.id for snapshot in query.stream()] == [tagged]
    assert other not in {snapshot.id for snapshot in query.stream()}


def test_a_retried_job_lists_its_retries_in_order(
    api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    parent = PlayedRunner(api, launched(captured, api.create(argv=["job"])))
    parent.started()
    parent.completed(2)
    assert job(firestore_client, parent.job_id)["retried_by"] == []

    first = api.post("retry_job", {"job_id": parent.job_id}).body["job_id"]
    second = api.post("retry_job", {"job_id": parent.job_id}).body["job_id"]

    assert job(firestore_client, parent.job_id)["retried_by"] == [first, second]
    assert job(firestore_client, first)["retried_by"] == []
    assert job(firestore_client, first)["parent_job_id"] == parent.job_id


def test_a_job_that_printed_within_the_write_interval_has_its_last_output_time_once_completed(
    api: Api, captured: Path, configure: Callable[..., dict[str, str]], firestore_client: firestore.Client
) -> None:
    """All of a quick job's output waits for the job document's write interval (``started`` just wrote it):
    ``completed`` writes ``last_output_at`` from the newest chunk."""
    configure(TAILRUN_JOB_WRITE_INTERVAL_S="3600")
    played = PlayedRunner(api, launched(captured, api.create(argv=["job"])))
    played.started()
    played.output("hello")
    assert job(firestore_client, played.job_id)["last_output_at"] is None, "held back by the write interval"

    played.completed(0)

    document = job(firestore_client, played.job_id)
    chunk = firestore_client.document(f"jobs/{played.job_id}/chunks/0001-00000001").get().to_dict() or {}
    assert document["last_output_at"] == chunk["created_at"]
    assert document["lines"] == 1


def test_a_job_that_printed_nothing_has_no_last_output_time(
    api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    played = PlayedRunner(api, launched(captured, api.create(argv=["job"])))
    played.started()

    played.completed(0)

    assert job(firestore_client, played.job_id)["last_output_at"] is None
