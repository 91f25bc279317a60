"""The remaining RPCs through the real client: ListDocuments, ListCollectionIds, BatchWrite (BulkWriter),
BatchGetDocuments, the document CRUD RPCs, and the answers to unsupported or malformed requests."""

from __future__ import annotations

import os

import grpc
import pytest
from google.api_core import exceptions
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.bulk_writer import BulkWriteFailure, BulkWriter

pytestmark = pytest.mark.usefixtures("firestore_project")


def test_list_documents_with_show_missing(firestore_client: firestore.Client, unique_id: str) -> None:
    root = firestore_client.collection(f"tree-{unique_id}")
    root.document("a").set({"n": 1})
    root.document("ghost").collection("sub").document("x").set({"n": 2})
    root.document("gone").set({"n": 3})
    root.document("gone").delete()
    listed = sorted(ref.id for ref in root.list_documents())  # the client asks for show_missing
    assert listed == ["a", "ghost"]
    api = firestore_client._firestore_api
    response = api.list_documents(
        request={"parent": f"{firestore_client._database_string}/documents", "collection_id": root.id}
    )
    assert [d.name.rsplit("/", 1)[1] for d in response.documents] == ["a"]


def test_list_documents_pages(firestore_client: firestore.Client, unique_id: str) -> None:
    collection = firestore_client.collection(f"paged-{unique_id}")
    for index in range(7):
        collection.document(f"d{index}").set({"i": index})
    assert sorted(ref.id for ref in collection.list_documents(page_size=3)) == [f"d{i}" for i in range(7)]


def test_list_collection_ids(firestore_client: firestore.Client, unique_id: str) -> None:
    doc = firestore_client.collection(f"top-{unique_id}").document("d")
    doc.set({})
    doc.collection("one").document("x").set({})
    doc.collection("two").document("y").collection("deeper").document("z").set({})
    doc.collection("three").document("w").set({})
    doc.collection("three").document("w").delete()
    assert sorted(c.id for c in doc.collections()) == ["one", "two"]
    assert f"top-{unique_id}" in [c.id for c in firestore_client.collections()]
    assert sorted(c.id for c in doc.collections(page_size=1)) == ["one", "two"]


def test_bulk_writer(firestore_client: firestore.Client, unique_id: str) -> None:
    collection = firestore_client.collection(f"bulk-{unique_id}")
    collection.document("exists").set({"n": 0})
    failures: list[str] = []

    def give_up(failure: BulkWriteFailure, _: BulkWriter) -> bool:
        failures.append(failure.operation.reference.id)  # type: ignore[attr-defined]  # every write has one
        return False

    writer = firestore_client.bulk_writer()
    writer.on_write_error(give_up)
    for index in range(30):
        writer.create(collection.document(f"d{index}"), {"i": index})
    writer.create(collection.document("exists"), {"n": 1})
    writer.update(collection.document("exists"), {"n": firestore.Increment(5)})
    writer.close()
    assert collection.count().get()[0][0].value == 31
    assert failures == ["exists"]
    assert collection.document("exists").get().get("n") == 5


def test_batch_write_reports_each_write(firestore_client: firestore.Client, unique_id: str) -> None:
    api = firestore_client._firestore_api
    base = f"{firestore_client._database_string}/documents/bw-{unique_id}"
    writes = [
        {"update": {"name": f"{base}/ok", "fields": {}}},
        {"update": {"name": f"{base}/missing", "fields": {}}, "current_document": {"exists": True}},
    ]
    response = api.batch_write(request={"database": firestore_client._database_string, "writes": writes})
    assert [s.code for s in response.status] == [0, grpc.StatusCode.NOT_FOUND.value[0]]
    assert firestore_client.document(f"bw-{unique_id}/ok").get().exists
    duplicate = [writes[0], writes[0]]
    with pytest.raises(exceptions.InvalidArgument):
        api.batch_write(request={"database": firestore_client._database_string, "writes": duplicate})


def test_get_all_reports_missing_documents(firestore_client: firestore.Client, unique_id: str) -> None:
    present = firestore_client.collection("things").document(f"{unique_id}-here")
    absent = firestore_client.collection("things").document(f"{unique_id}-not")
    present.set({"a": 1, "b": {"c": 2, "d": 3}})
    found = {s.id: s for s in firestore_client.get_all([present, absent], field_paths=["b.c"])}
    assert found[present.id].to_dict() == {"b": {"c": 2}}
    assert not found[absent.id].exists


def test_document_crud_rpcs(firestore_client: firestore.Client, unique_id: str) -> None:
    api = firestore_client._firestore_api
    parent = f"{firestore_client._database_string}/documents"
    created = api.create_document(
        request={"parent": parent, "collection_id": f"crud-{unique_id}", "document": {"fields": {"a": {"integer_value": 1}}}}
    )
    assert len(created.name.rsplit("/", 1)[1]) == 20
    with pytest.raises(exceptions.AlreadyExists):
        api.create_document(
            request={
                "parent": parent,
                "collection_id": f"crud-{unique_id}",
                "document_id": created.name.rsplit("/", 1)[1],
                "document": {},
            }
        )
    updated = api.update_document(
        request={
            "document": {"name": created.name, "fields": {"b": {"string_value": "x"}}},
            "update_mask": {"field_paths": ["b"]},
        }
    )
    assert set(updated.fields) == {"a", "b"}
    fetched = api.get_document(request={"name": created.name, "mask": {"field_paths": ["b"]}})
    assert set(fetched.fields) == {"b"}
    api.delete_document(request={"name": created.name})
    with pytest.raises(exceptions.NotFound):
        api.get_document(request={"name": created.name})


def test_collection_group_query(firestore_client: firestore.Client, unique_id: str) -> None:
    group = f"group-{unique_id}"
    firestore_client.document(f"a/1/{group}/x").set({"n": 1})
    firestore_client.document(f"b/2/c/3/{group}/y").set({"n": 2})
    firestore_client.document(f"{group}/z").set({"n": 3})
    firestore_client.document("a/1/other/w").set({"n": 4})
    query = firestore_client.collection_group(group).where(filter=FieldFilter("n", ">=", 2))
    assert sorted(d.id for d in query.stream()) == ["y", "z"]


def test_query_explain(firestore_client: firestore.Client, unique_id: str) -> None:
    from google.cloud.firestore_v1.query_profile import ExplainOptions

    collection = firestore_client.collection(f"explain-{unique_id}")
    collection.document("a").set({"n": 1})
    results = collection.get(explain_options=ExplainOptions(analyze=True))
    assert [d.id for d in results] == ["a"]
    assert results.get_explain_metrics().execution_stats.results_returned == 1


@pytest.mark.parametrize("method", ["PartitionQuery", "ExecutePipeline"])
def test_unsupported_rpcs_answer_unimplemented(method: str) -> None:
    with grpc.insecure_channel(os.environ["FIRESTORE_EMULATOR_HOST"]) as channel:
        call = channel.unary_unary(f"/google.firestore.v1.Firestore/{method}")
        if method == "ExecutePipeline":
            call = channel.unary_stream(f"/google.firestore.v1.Firestore/{method}")  # type: ignore[assignment]
        with pytest.raises(grpc.RpcError) as raised:
            result = call(b"", timeout=10)
            list(result) if method == "ExecutePipeline" else None  # type: ignore[call-overload]
        assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED


@pytest.mark.parametrize(
    "name",
    [
        "projects/p/databases/(default)/documents/odd",
        "projects/p/databases/(default)/documents/c//d",
        "projects/p/documents/c/d",
        "projects/p/databases/(default)/documents/c/__reserved__",
    ],
)
def test_malformed_document_names_are_invalid(firestore_client: firestore.Client, name: str) -> None:
    with pytest.raises(exceptions.InvalidArgument):
        firestore_client._firestore_api.get_document(request={"name": name})


def test_collection_ids_with_a_slash_are_invalid(firestore_client: firestore.Client) -> None:
    api = firestore_client._firestore_api
    parent = f"{firestore_client._database_string}/documents"
    with pytest.raises(exceptions.InvalidArgument):
        api.create_document(request={"parent": parent, "collection_id": "a/b", "document_id": "c", "document": {}})
    with pytest.raises(exceptions.InvalidArgument):
        api.list_documents(request={"parent": parent, "collection_id": "a/b"})


def test_run_query_marks_its_last_response_done(firestore_client: firestore.Client, unique_id: str) -> None:
    """As the official emulator: the last RunQueryResponse (a result, or the lone read_time) has done set."""
    api = firestore_client._firestore_api
    parent = f"{firestore_client._database_string}/documents"
    firestore_client.document(f"done-{unique_id}/a").set({"n": 1})
    firestore_client.document(f"done-{unique_id}/b").set({"n": 2})
    query = {"from_": [{"collection_id": f"done-{unique_id}"}]}
    responses = list(api.run_query(request={"parent": parent, "structured_query": query}))
    assert [bool(r.document.name) for r in responses] == [True, True]
    assert [r.done for r in responses] == [False, True]
    empty = {"from_": [{"collection_id": f"none-{unique_id}"}]}
    (only,) = api.run_query(request={"parent": parent, "structured_query": empty})
    assert only.done and not only.document.name and only.read_time


def test_queries_without_a_collection_id_read_every_child_collection(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    """A query with no selector, or an empty collection id, reads the parent's direct documents; the official
    emulator refuses a filter on a field there."""
    doc = firestore_client.document(f"kindless-{unique_id}/p")
    doc.collection("x").document("1").set({"n": 1})
    doc.collection("y").document("2").set({"n": 2})
    doc.collection("y").document("2").collection("z").document("3").set({"n": 3})
    api = firestore_client._firestore_api
    for query in ({}, {"from_": [{"collection_id": ""}]}):
        responses = api.run_query(request={"parent": doc._document_path, "structured_query": query})
        assert [r.document.name.rsplit("/", 2)[1:] for r in responses] == [["x", "1"], ["y", "2"]]
    filtered = {"where": {"field_filter": {"field": {"field_path": "n"}, "op": "EQUAL", "value": {"integer_value": 1}}}}
    with pytest.raises(exceptions.InvalidArgument, match="kind is required for filter: n"):
        list(api.run_query(request={"parent": doc._document_path, "structured_query": filtered}))


def test_a_collection_as_query_parent_gets_the_official_message(firestore_client: firestore.Client) -> None:
    api = firestore_client._firestore_api
    parent = f"{firestore_client._database_string}/documents/c"
    query = {"from_": [{"collection_id": "d"}]}
    with pytest.raises(exceptions.InvalidArgument) as raised:
        list(api.run_query(request={"parent": parent, "structured_query": query}))
    assert raised.value.message == f'Document parent name "{parent}" lacks "/" at index {len(parent)}.'


def test_batch_write_fails_whole_on_an_invalid_write(firestore_client: firestore.Client, unique_id: str) -> None:
    """An invalid write is INVALID_ARGUMENT for the request and nothing is written; a precondition failure is
    that write's status only (the official emulator)."""
    api = firestore_client._firestore_api
    base = f"{firestore_client._database_string}/documents/bwi-{unique_id}"
    writes = [
        {"update": {"name": f"{base}/r", "fields": {"__x__": {"integer_value": 1}}}},
        {"update": {"name": f"{base}/ok", "fields": {}}},
    ]
    with pytest.raises(exceptions.InvalidArgument, match="field name __x__ is reserved"):
        api.batch_write(request={"database": firestore_client._database_string, "writes": writes})
    assert not firestore_client.document(f"bwi-{unique_id}/ok").get().exists


def test_batch_write_to_a_locked_document_is_aborted_with_the_lock_timeout(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    api = firestore_client._firestore_api
    database = firestore_client._database_string
    doc = firestore_client.document(f"bwl-{unique_id}/locked")
    doc.set({"n": 1})
    transaction = api.begin_transaction(request={"database": database}).transaction
    list(api.batch_get_documents(request={"database": database, "documents": [doc._document_path], "transaction": transaction}))
    writes = [{"update": {"name": doc._document_path, "fields": {}}}, {"update": {"name": f"{doc._document_path}-free", "fields": {}}}]
    response = api.batch_write(request={"database": database, "writes": writes})
    assert [(s.code, s.message) for s in response.status] == [
        (grpc.StatusCode.ABORTED.value[0], "Transaction lock timeout."),
        (0, ""),
    ]
    api.rollback(request={"database": database, "transaction": transaction})
