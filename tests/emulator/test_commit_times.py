"""One commit, one time: what create_job relies on to record a launch without a transaction (issue 11).

create_job creates a job's documents in one batch and then records the launch in one commit conditioned on both
the job's and the attempt's documents still having the batch's commit time as their update time. Through the real
client: every document a commit creates has the commit's time as its update time; a commit conditioned on that
time applies to all of them; and once one of them has been written since, the conditioned commit fails as a
whole, writing nothing, so the caller can fall back to a transaction.
"""

from __future__ import annotations

import pytest
from google.api_core import exceptions
from google.cloud import firestore

pytestmark = pytest.mark.usefixtures("firestore_project")


def create_pair(
    db: firestore.Client, unique_id: str
) -> tuple[firestore.WriteBatch, list[firestore.DocumentReference]]:
    refs = [db.document(f"jobs/{unique_id}"), db.document(f"jobs/{unique_id}/attempts/0001")]
    batch = db.batch()
    for ref in refs:
        batch.create(ref, {"status": "queued"})
    batch.commit()
    return batch, refs


def test_every_document_a_commit_creates_has_its_commit_time(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    batch, refs = create_pair(firestore_client, unique_id)

    assert batch.commit_time is not None
    assert [result.update_time for result in batch.write_results] == [batch.commit_time] * len(refs)
    assert [ref.get().update_time for ref in refs] == [batch.commit_time] * len(refs)


def test_a_commit_conditioned_on_that_time_updates_them_all(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    created, refs = create_pair(firestore_client, unique_id)
    unchanged = firestore_client.write_option(last_update_time=created.commit_time)

    batch = firestore_client.batch()
    for ref in refs:
        batch.update(ref, {"status": "booting"}, option=unchanged)
    batch.commit()

    assert [(ref.get().to_dict() or {}).get("status") for ref in refs] == ["booting", "booting"]


def test_once_one_was_written_since_the_conditioned_commit_writes_nothing(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    created, refs = create_pair(firestore_client, unique_id)
    unchanged = firestore_client.write_option(last_update_time=created.commit_time)
    refs[1].update({"status": "running"})  # the runner reported first

    batch = firestore_client.batch()
    for ref in refs:
        batch.update(ref, {"status": "booting"}, option=unchanged)
    with pytest.raises(exceptions.FailedPrecondition):
        batch.commit()

    assert [(ref.get().to_dict() or {}).get("status") for ref in refs] == ["queued", "running"]
