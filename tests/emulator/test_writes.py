"""Writes through the real client: set, merge, update masks, deletes, preconditions, transforms, limits."""

from __future__ import annotations

import datetime

import pytest
from google.api_core import exceptions
from google.cloud import firestore
from google.cloud.firestore_v1.field_path import FieldPath
from google.cloud.firestore_v1.types import write as write_types

pytestmark = pytest.mark.usefixtures("firestore_project")


def test_set_replaces_the_whole_document(firestore_client: firestore.Client, unique_id: str) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    doc.set({"a": 1, "nested": {"x": 1, "y": 2}})
    doc.set({"b": 2})
    assert doc.get().to_dict() == {"b": 2}


def test_set_with_merge_only_touches_the_given_fields(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    doc.set({"a": 1, "nested": {"x": 1, "y": 2}})
    doc.set({"nested": {"y": 3, "z": 4}}, merge=True)
    assert doc.get().to_dict() == {"a": 1, "nested": {"x": 1, "y": 3, "z": 4}}


def test_update_with_nested_and_quoted_field_paths(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    doc.set({"nested": {"x": 1, "y": 2}, "odd.key": 1, "keep": True})
    doc.update({"nested.y": 20, "nested.deep.z": 3, FieldPath("odd.key").to_api_repr(): 2})
    assert doc.get().to_dict() == {"nested": {"x": 1, "y": 20, "deep": {"z": 3}}, "odd.key": 2, "keep": True}


def test_update_can_delete_a_field(firestore_client: firestore.Client, unique_id: str) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    doc.set({"a": 1, "nested": {"x": 1, "y": 2}})
    doc.update({"nested.x": firestore.DELETE_FIELD, "a": firestore.DELETE_FIELD})
    assert doc.get().to_dict() == {"nested": {"y": 2}}


def test_update_of_a_missing_document_is_not_found(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    with pytest.raises(exceptions.NotFound):
        firestore_client.collection("things").document(unique_id).update({"a": 1})
    assert not firestore_client.collection("things").document(unique_id).get().exists


def test_create_of_an_existing_document_already_exists(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    doc.create({"a": 1})
    with pytest.raises(exceptions.AlreadyExists):
        doc.create({"a": 2})
    assert doc.get().to_dict() == {"a": 1}


def test_create_and_update_times(firestore_client: firestore.Client, unique_id: str) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    created = doc.set({"a": 1})
    updated = doc.update({"a": 2})
    snapshot = doc.get()
    assert snapshot.create_time == created.update_time
    assert snapshot.update_time == updated.update_time > created.update_time


def test_a_write_that_changes_nothing_keeps_the_update_time(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    first = doc.set({"a": 1})
    again = doc.set({"a": 1})
    assert again.update_time == first.update_time


def test_delete_then_recreate_resets_create_time(firestore_client: firestore.Client, unique_id: str) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    first = doc.set({"a": 1})
    doc.delete()
    assert not doc.get().exists
    doc.set({"a": 1})
    assert doc.get().create_time > first.update_time


def test_update_time_precondition(firestore_client: firestore.Client, unique_id: str) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    written = doc.set({"a": 1})
    doc.update({"a": 2}, option=firestore_client.write_option(last_update_time=written.update_time))
    with pytest.raises(exceptions.FailedPrecondition):
        doc.update({"a": 3}, option=firestore_client.write_option(last_update_time=written.update_time))
    with pytest.raises(exceptions.FailedPrecondition):
        doc.delete(option=firestore_client.write_option(last_update_time=written.update_time))
    assert doc.get().to_dict() == {"a": 2}


def test_update_time_precondition_in_the_future_is_invalid(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    written = doc.set({"a": 1})
    future = written.update_time + datetime.timedelta(hours=1)
    with pytest.raises(exceptions.InvalidArgument):
        doc.delete(option=firestore_client.write_option(last_update_time=future))
    assert doc.get().exists


def test_delete_with_exists_precondition(firestore_client: firestore.Client, unique_id: str) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    with pytest.raises(exceptions.NotFound):
        doc.delete(option=firestore_client.write_option(exists=True))
    doc.delete()  # deleting a missing document without a precondition succeeds


def test_server_timestamps_in_one_commit_equal_the_commit_time(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    batch = firestore_client.batch()
    first = firestore_client.collection("things").document(f"{unique_id}-1")
    second = firestore_client.collection("things").document(f"{unique_id}-2")
    batch.set(first, {"at": firestore.SERVER_TIMESTAMP, "nested": {"at": firestore.SERVER_TIMESTAMP}})
    batch.set(second, {"at": firestore.SERVER_TIMESTAMP})
    results = batch.commit()
    one, two = first.get(), second.get()
    assert one.get("at") == one.get("nested.at") == two.get("at") == one.update_time == results[0].update_time


def test_numeric_transforms(firestore_client: firestore.Client, unique_id: str) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    doc.set({"i": 1, "d": 1.5, "m": 5, "s": "text"})
    doc.update(
        {
            "i": firestore.Increment(2),
            "d": firestore.Increment(1),
            "s": firestore.Increment(3),  # a non-number is replaced by the operand
            "missing": firestore.Increment(4),
            "m": firestore.Maximum(7),
            "low": firestore.Minimum(-1),
        }
    )
    assert doc.get().to_dict() == {"i": 3, "d": 2.5, "s": 3, "missing": 4, "m": 7, "low": -1}


def test_array_transforms(firestore_client: firestore.Client, unique_id: str) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    doc.set({"tags": ["a", "b", "a"], "other": "x"})
    doc.update({"tags": firestore.ArrayUnion(["b", "c"]), "other": firestore.ArrayUnion([1])})
    assert doc.get().to_dict() == {"tags": ["a", "b", "a", "c"], "other": [1]}
    doc.update({"tags": firestore.ArrayRemove(["a"])})
    assert doc.get().get("tags") == ["b", "c"]


def test_transform_results_are_returned(firestore_client: firestore.Client, unique_id: str) -> None:
    ref = firestore_client.collection("things").document(unique_id)
    ref.set({"n": 10})
    write = write_types.Write(
        update={"name": ref._document_path, "fields": {}},
        update_mask={"field_paths": []},
        update_transforms=[
            {"field_path": "n", "increment": {"integer_value": 5}},
            {"field_path": "tags", "append_missing_elements": {"values": [{"string_value": "x"}]}},
            {"field_path": "at", "set_to_server_value": "REQUEST_TIME"},
        ],
    )
    response = firestore_client._firestore_api.commit(
        request={"database": firestore_client._database_string, "writes": [write]}
    )
    results = response.write_results[0].transform_results
    assert results[0].integer_value == 15
    assert "null_value" in results[1]
    assert results[2].timestamp_value == response.commit_time


def test_a_batch_is_atomic(firestore_client: firestore.Client, unique_id: str) -> None:
    batch = firestore_client.batch()
    batch.set(firestore_client.collection("things").document(f"{unique_id}-ok"), {"a": 1})
    batch.update(firestore_client.collection("things").document(f"{unique_id}-missing"), {"a": 1})
    with pytest.raises(exceptions.NotFound):
        batch.commit()
    assert not firestore_client.collection("things").document(f"{unique_id}-ok").get().exists


def test_two_writes_to_one_document_in_a_batch_apply_in_order(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    batch = firestore_client.batch()
    batch.set(doc, {"a": 1, "b": 1})
    batch.update(doc, {"b": firestore.Increment(1)})
    batch.commit()
    assert doc.get().to_dict() == {"a": 1, "b": 2}


def test_more_than_500_writes_in_a_commit_is_invalid(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    batch = firestore_client.batch()
    for index in range(501):
        batch.set(firestore_client.collection("many").document(f"{unique_id}-{index}"), {"i": index})
    with pytest.raises(exceptions.InvalidArgument, match="500"):
        batch.commit()
    assert not list(firestore_client.collection("many").limit(1).stream())


def test_exactly_500_writes_in_a_commit_succeed(firestore_client: firestore.Client, unique_id: str) -> None:
    batch = firestore_client.batch()
    for index in range(500):
        batch.set(firestore_client.collection("many").document(f"{unique_id}-{index}"), {"i": index})
    batch.commit()
    assert firestore_client.collection("many").count().get()[0][0].value == 500


def test_documents_over_one_mebibyte_are_rejected(firestore_client: firestore.Client, unique_id: str) -> None:
    doc = firestore_client.collection("big").document(unique_id)
    with pytest.raises(exceptions.InvalidArgument, match=r"^400 maximum entity size is 1048576 bytes$"):
        doc.set({"a": b"x" * 600_000, "b": b"x" * 600_000})
    doc.set({"blob": b"x" * 1_000_000})
    assert len(doc.get().get("blob")) == 1_000_000


def test_reserved_field_names_are_rejected(firestore_client: firestore.Client, unique_id: str) -> None:
    with pytest.raises(exceptions.InvalidArgument):
        firestore_client.collection("things").document(unique_id).set({"__reserved__": 1})


def test_invalid_document_names_are_rejected(firestore_client: firestore.Client) -> None:
    write = write_types.Write(update={"name": "projects/x/databases/(default)/documents/odd", "fields": {}})
    with pytest.raises(exceptions.InvalidArgument):
        firestore_client._firestore_api.commit(
            request={"database": firestore_client._database_string, "writes": [write]}
        )


def test_every_value_type_round_trips(firestore_client: firestore.Client, unique_id: str) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    when = datetime.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.UTC)
    data = {
        "null": None,
        "bool": True,
        "int": -(2**63),
        "float": 1.5,
        "time": when,
        "text": "héllo",
        "bytes": b"\x00\xff",
        "ref": firestore_client.document("other/doc"),
        "geo": firestore.GeoPoint(1.5, -2.5),
        "array": [1, "a", {"k": [True]}],
        "map": {"deep": {"deeper": 1}},
    }
    doc.set(data)
    stored = doc.get().to_dict()
    assert stored is not None
    assert stored["ref"].path == "other/doc"
    assert {k: v for k, v in stored.items() if k != "ref"} == {k: v for k, v in data.items() if k != "ref"}


async def test_async_client_writes_and_reads(firestore_project: str, unique_id: str) -> None:
    client = firestore.AsyncClient(project=firestore_project)
    doc = client.collection("things").document(unique_id)
    await doc.set({"a": 1})
    await doc.update({"a": firestore.Increment(1)})
    with pytest.raises(exceptions.AlreadyExists):
        await doc.create({"a": 0})
    assert (await doc.get()).to_dict() == {"a": 2}
    await doc.delete()
    assert not (await doc.get()).exists


async def test_async_client_preconditions_transforms_and_batches(
    firestore_project: str, unique_id: str
) -> None:
    client = firestore.AsyncClient(project=firestore_project)
    doc = client.collection("things").document(unique_id)
    written = await doc.set({"n": 1, "tags": ["a"]})
    await doc.update(
        {"n": firestore.Increment(2), "tags": firestore.ArrayUnion(["b"]), "at": firestore.SERVER_TIMESTAMP},
        option=client.write_option(last_update_time=written.update_time),
    )
    with pytest.raises(exceptions.FailedPrecondition):
        await doc.update({"n": 0}, option=client.write_option(last_update_time=written.update_time))
    with pytest.raises(exceptions.NotFound):
        await client.collection("things").document(f"{unique_id}-missing").update({"n": 1})
    updated = await doc.get()
    assert (updated.get("n"), updated.get("tags"), updated.get("at")) == (3, ["a", "b"], updated.update_time)
    batch = client.batch()
    batch.set(client.collection("things").document(f"{unique_id}-2"), {"n": 10})
    batch.delete(doc)
    results = await batch.commit()
    assert results[0]._pb.HasField("update_time") and not results[1]._pb.HasField("update_time")
    snapshots = {
        s.id: s async for s in client.get_all([doc, client.collection("things").document(f"{unique_id}-2")])
    }
    assert not snapshots[unique_id].exists
    assert snapshots[f"{unique_id}-2"].get("n") == 10


def test_precondition_failures_use_the_official_emulators_words(
    firestore_client: firestore.Client, firestore_project: str, unique_id: str
) -> None:
    """NOT_FOUND and ALREADY_EXISTS carry the official emulator's Datastore-style messages."""
    doc = firestore_client.collection("things").document(unique_id)
    with pytest.raises(exceptions.NotFound) as missing:
        doc.update({"a": 1})
    assert missing.value.message == (
        f'no entity to update: app: "dev~{firestore_project}"\npath <\n  Element {{\n    type: "things"\n'
        f'    name: "{unique_id}"\n  }}\n>\n'
    )
    doc.create({"a": 1})
    with pytest.raises(exceptions.AlreadyExists) as exists:
        doc.create({"a": 2})
    assert exists.value.message == (
        f"entity already exists: EntityRef[partitionRef=dev~{firestore_project}, path=/things/{unique_id}]"
    )
    api = firestore_client._firestore_api
    absent = f"{doc._document_path}-absent"
    with pytest.raises(exceptions.NotFound) as not_found:
        api.get_document(request={"name": absent})
    assert not_found.value.message == f"Document ({absent}) not found."


def test_an_empty_commit_answers_an_empty_response(firestore_client: firestore.Client) -> None:
    api = firestore_client._firestore_api
    response = api.commit(request={"database": firestore_client._database_string, "writes": []})
    assert not response.write_results and "commit_time" not in response


def test_document_limits_through_the_client_use_the_official_words(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("limits").document(unique_id)
    doc.set({"s": "x" * 1_048_487})  # the limit is on the value's bytes
    with pytest.raises(
        exceptions.InvalidArgument, match=r'^400 The value of property "s" is longer than 1048487'
    ):
        doc.set({"s": "x" * 1_048_488})
    with pytest.raises(exceptions.InvalidArgument, match=r"^400 field name '__x__' is reserved.$"):
        doc.set({"m": {"__x__": 1}})
    bad_id = firestore_client.collection("limits").document("__id1x__")
    with pytest.raises(exceptions.InvalidArgument, match="A long document ID string must be formatted like"):
        bad_id.set({"a": 1})
