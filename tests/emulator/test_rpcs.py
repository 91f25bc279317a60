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
    owner = firestore_client._rpc_metadata  # Google's emulator takes BatchWrite only with the owner token
    response = api.batch_write(
        request={"database": firestore_client._database_string, "writes": writes}, metadata=owner
    )
    assert [s.code for s in response.status] == [0, grpc.StatusCode.NOT_FOUND.value[0]]
    assert firestore_client.document(f"bw-{unique_id}/ok").get().exists
    duplicate = [writes[0], writes[0]]
    with pytest.raises(exceptions.InvalidArgument):
        api.batch_write(
            request={"database": firestore_client._database_string, "writes": duplicate}, metadata=owner
        )


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
        request={
            "parent": parent,
            "collection_id": f"crud-{unique_id}",
            "document": {"fields": {"a": {"integer_value": 1}}},
        }
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


def test_query_explain_options_are_ignored(firestore_client: firestore.Client, unique_id: str) -> None:
    """As the official emulator: the query runs (even without analyze) and no explain metrics come back."""
    api = firestore_client._firestore_api
    collection = firestore_client.collection(f"explain-{unique_id}")
    collection.document("a").set({"n": 1})
    parent = f"{firestore_client._database_string}/documents"
    query = {"from_": [{"collection_id": collection.id}]}
    for options in ({}, {"analyze": True}):
        request = {"parent": parent, "structured_query": query, "explain_options": options}
        responses = list(api.run_query(request=request))
        assert [r.document.name.rsplit("/", 1)[1] for r in responses] == ["a"]
        assert not any("explain_metrics" in r for r in responses)
    aggregation = {"structured_query": query, "aggregations": [{"alias": "n", "count": {}}]}
    request = {"parent": parent, "structured_aggregation_query": aggregation, "explain_options": {}}
    (response,) = api.run_aggregation_query(request=request)
    assert response.result.aggregate_fields["n"].integer_value == 1 and "explain_metrics" not in response


def test_unsupported_rpcs_answer_as_the_official_emulator() -> None:
    from google.cloud.firestore_v1.types import firestore as firestore_types

    with grpc.insecure_channel(os.environ["FIRESTORE_EMULATOR_HOST"]) as channel:
        partition = channel.unary_unary("/google.firestore.v1.Firestore/PartitionQuery")
        with pytest.raises(grpc.RpcError) as raised:
            partition(b"", timeout=10)
        assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED
        assert (
            raised.value.details() == "Method google.firestore.v1.Firestore/PartitionQuery is unimplemented"
        )
        pipeline = channel.unary_stream("/google.firestore.v1.Firestore/ExecutePipeline")
        request = firestore_types.ExecutePipelineRequest(database="projects/p/databases/(default)")
        with pytest.raises(grpc.RpcError) as raised:
            list(pipeline(firestore_types.ExecutePipelineRequest.serialize(request), timeout=10))
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert raised.value.details() == "ExecutePipeline requires the Database Edition to be `enterprise`."
        request = firestore_types.ExecutePipelineRequest(database="projects/unsupported")
        with pytest.raises(grpc.RpcError) as raised:
            list(pipeline(firestore_types.ExecutePipelineRequest.serialize(request), timeout=10))
        assert raised.value.details() == 'Database name "projects/unsupported" lacks "/" at index 20.'


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
        api.create_document(
            request={"parent": parent, "collection_id": "a/b", "document_id": "c", "document": {}}
        )
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
    filtered = {
        "where": {
            "field_filter": {"field": {"field_path": "n"}, "op": "EQUAL", "value": {"integer_value": 1}}
        }
    }
    with pytest.raises(exceptions.InvalidArgument, match="kind is required for filter: n"):
        list(api.run_query(request={"parent": doc._document_path, "structured_query": filtered}))


def test_a_collection_as_query_parent_gets_the_official_message(firestore_client: firestore.Client) -> None:
    api = firestore_client._firestore_api
    parent = f"{firestore_client._database_string}/documents/c"
    query = {"from_": [{"collection_id": "d"}]}
    with pytest.raises(exceptions.InvalidArgument) as raised:
        list(api.run_query(request={"parent": parent, "structured_query": query}))
    assert raised.value.message == f'Document parent name "{parent}" lacks "/" at index {len(parent)}.'


def test_batch_write_fails_whole_on_an_invalid_write(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    """An invalid write is INVALID_ARGUMENT for the request and nothing is written; a precondition failure is
    that write's status only (the official emulator)."""
    api = firestore_client._firestore_api
    base = f"{firestore_client._database_string}/documents/bwi-{unique_id}"
    writes = [
        {"update": {"name": f"{base}/r", "fields": {"__x__": {"integer_value": 1}}}},
        {"update": {"name": f"{base}/ok", "fields": {}}},
    ]
    with pytest.raises(exceptions.InvalidArgument, match="field name __x__ is reserved"):
        api.batch_write(
            request={"database": firestore_client._database_string, "writes": writes},
            metadata=firestore_client._rpc_metadata,
        )
    assert not firestore_client.document(f"bwi-{unique_id}/ok").get().exists


def test_batch_write_to_a_locked_document_is_aborted_with_the_lock_timeout(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    api = firestore_client._firestore_api
    database = firestore_client._database_string
    doc = firestore_client.document(f"bwl-{unique_id}/locked")
    doc.set({"n": 1})
    transaction = api.begin_transaction(request={"database": database}).transaction
    list(
        api.batch_get_documents(
            request={"database": database, "documents": [doc._document_path], "transaction": transaction}
        )
    )
    writes = [
        {"update": {"name": doc._document_path, "fields": {}}},
        {"update": {"name": f"{doc._document_path}-free", "fields": {}}},
    ]
    response = api.batch_write(
        request={"database": database, "writes": writes}, metadata=firestore_client._rpc_metadata
    )
    assert [(s.code, s.message) for s in response.status] == [
        (grpc.StatusCode.ABORTED.value[0], "Transaction lock timeout."),
        (0, ""),
    ]
    api.rollback(request={"database": database, "transaction": transaction})


def _write_stream(requests: list[dict[str, object]]) -> tuple[list[object], grpc.RpcError | None]:
    """Send Write requests on one stream (then half-close); the responses and the error that ended it, if any."""
    from google.cloud.firestore_v1.types import firestore as firestore_types

    Request, Response = firestore_types.WriteRequest, firestore_types.WriteResponse
    with grpc.insecure_channel(os.environ["FIRESTORE_EMULATOR_HOST"]) as channel:
        call = channel.stream_stream(
            "/google.firestore.v1.Firestore/Write",
            request_serializer=Request.serialize,
            response_deserializer=Response.deserialize,
        )
        responses: list[object] = []
        try:
            for response in call(iter([Request(**r) for r in requests]), timeout=10):  # type: ignore[arg-type]
                responses.append(response)
        except grpc.RpcError as error:
            return responses, error
        return responses, None


def test_the_write_stream_commits_each_request_in_order(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    """Handshake (token "0"), one response per request with the next token, an empty request ends it."""
    database = firestore_client._database_string
    base = f"{database}/documents/ws-{unique_id}"
    write = lambda doc: {"update": {"name": f"{base}/{doc}", "fields": {"n": {"integer_value": 1}}}}  # noqa: E731
    responses, error = _write_stream(
        [
            {"database": database},
            {"writes": [write("a")]},
            {"database": database, "writes": [write("b"), write("c")], "stream_token": b"bogus"},
            {"writes": []},
            {"writes": [write("never")]},
        ]
    )
    assert error is None
    handshake, first, second, last = responses  # type: ignore[misc]
    assert handshake.stream_id and handshake.stream_token == b"0" and not handshake.write_results
    assert (first.stream_token, len(first.write_results), bool(first.commit_time)) == (b"1", 1, True)
    assert (second.stream_token, len(second.write_results)) == (b"2", 2)
    assert last.stream_token == b"3" and not last.write_results and "commit_time" not in last
    assert sorted(d.id for d in firestore_client.collection(f"ws-{unique_id}").stream()) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("first", "message"),
    [
        ({}, "'database' must be set on an initial write request."),
        (
            {"stream_id": "1", "stream_token": b"1"},
            "Resuming streams is not supported, do not set stream ID.",
        ),
        (
            {"stream_token": b"5"},
            "Resuming streams is not supported, 'stream_token' must not be set on an initial write request.",
        ),
        (
            {"writes": [{"delete": "{database}/documents/c/d"}]},
            "'writes' must not be set on an initial write request.",
        ),
    ],
)
def test_the_write_stream_refuses_a_bad_first_request(
    firestore_client: firestore.Client, first: dict[str, object], message: str
) -> None:
    database = firestore_client._database_string
    request: dict[str, object] = {"database": database} if first else {}
    for key, value in first.items():
        if key == "writes":
            value = [{"delete": str(w["delete"]).format(database=database)} for w in value]  # type: ignore[attr-defined]
        request[key] = value
    if first:
        request["database"] = database
    responses, error = _write_stream([request])
    assert not responses and error is not None
    assert (error.code(), error.details()) == (grpc.StatusCode.INVALID_ARGUMENT, message)  # type: ignore[attr-defined]


def test_the_write_stream_ends_on_a_failed_write(firestore_client: firestore.Client, unique_id: str) -> None:
    database = firestore_client._database_string
    missing = {
        "update": {"name": f"{database}/documents/ws-{unique_id}/m", "fields": {}},
        "current_document": {"exists": True},
    }
    responses, error = _write_stream([{"database": database}, {"writes": [missing]}])
    assert len(responses) == 1 and error is not None and error.code() == grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]
    other = "projects/other/databases/(default)"
    responses, error = _write_stream([{"database": database}, {"database": other, "writes": []}])
    assert error is not None and error.details() == (  # type: ignore[attr-defined]
        f"Request specified a database ({other}) that did not match the expected database ({database})"
    )


def test_list_documents_as_the_official_emulator(firestore_client: firestore.Client, unique_id: str) -> None:
    """A full page always carries a token; no collection id lists every child collection; a descending name
    order is FAILED_PRECONDITION; page sizes and show_missing are checked in its words."""
    api = firestore_client._firestore_api
    doc = firestore_client.document(f"ld-{unique_id}/p")
    doc.collection("x").document("1").set({})
    doc.collection("y").document("2").set({})
    parent = doc._document_path
    first = api.list_documents(request={"parent": parent, "collection_id": "", "page_size": 2})
    assert [d.name.rsplit("/", 2)[1:] for d in first.documents] == [["x", "1"], ["y", "2"]]
    assert first.next_page_token
    second = api.list_documents(
        request={"parent": parent, "collection_id": "", "page_size": 2, "page_token": first.next_page_token}
    )
    assert not second.documents and not second.next_page_token
    with pytest.raises(
        exceptions.FailedPrecondition, match="Firestore does not support descending key scans"
    ):
        api.list_documents(request={"parent": parent, "collection_id": "x", "order_by": "__name__ desc"})
    with pytest.raises(exceptions.InvalidArgument, match=r"^400 Page size must be nonnegative.$"):
        api.list_documents(request={"parent": parent, "collection_id": "x", "page_size": -1})
    with pytest.raises(
        exceptions.InvalidArgument, match=r"^400 collection id must be set when show_missing is true$"
    ):
        api.list_documents(request={"parent": parent, "collection_id": "", "show_missing": True})


def test_a_collection_query_ordered_by_name_descending_alone_is_a_descending_key_scan(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    """As the official emulator (hidane's find_nearest.json records it for a collection query, its parity table
    for every query): ordering by the name descending alone, with no filter on another field, is refused; a
    filter on another field, or another order first, makes it an ordinary query."""
    collection = firestore_client.collection(f"desc-{unique_id}")
    collection.document("a").set({"n": 1})
    collection.document("b").set({"n": 2})
    by_name_desc = collection.order_by("__name__", direction="DESCENDING")
    with pytest.raises(
        exceptions.FailedPrecondition, match=r"^400 Firestore does not support descending key scans$"
    ):
        list(by_name_desc.stream())
    with pytest.raises(exceptions.FailedPrecondition):
        list(
            by_name_desc.where(
                filter=firestore.FieldFilter("__name__", ">", collection.document("a"))
            ).stream()
        )
    with pytest.raises(exceptions.FailedPrecondition):
        list(
            firestore_client.collection_group(f"desc-{unique_id}")
            .order_by("__name__", direction="DESCENDING")
            .stream()
        )
    assert [d.id for d in by_name_desc.where(filter=firestore.FieldFilter("n", "in", [1, 2])).stream()] == [
        "b",
        "a",
    ]
    ordered = collection.order_by("n", direction="DESCENDING").order_by("__name__", direction="DESCENDING")
    assert [d.id for d in ordered.stream()] == ["b", "a"]


def test_read_time_reads_committed_versions_at_the_rpc_level(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    """GetDocument, BatchGetDocuments, RunQuery, RunAggregationQuery, ListDocuments and ListCollectionIds read
    the versions committed at ``read_time`` (the document was deleted since); a time before the document existed
    is NOT_FOUND, even hours back (as the official emulator answers); a sub-microsecond or future time is
    INVALID_ARGUMENT."""
    from google.protobuf.timestamp_pb2 import Timestamp

    api = firestore_client._firestore_api
    database = firestore_client._database_string
    doc = firestore_client.document(f"runs/{unique_id}/hist/doc")
    first = doc.set({"value": "first"}).update_time
    second = doc.update({"value": "second"}).update_time
    doc.delete()
    name, parent = doc._document_path, f"{database}/documents/runs/{unique_id}"
    assert (
        api.get_document(request={"name": name, "read_time": first}).fields["value"].string_value == "first"
    )
    assert (
        api.get_document(request={"name": name, "read_time": second}).fields["value"].string_value == "second"
    )
    [got] = api.batch_get_documents(request={"database": database, "documents": [name], "read_time": first})
    assert got.found.fields["value"].string_value == "first" and got.read_time == first
    query = {"from_": [{"collection_id": "hist"}]}
    responses = list(api.run_query(request={"parent": parent, "structured_query": query, "read_time": first}))
    assert [r.document.fields["value"].string_value for r in responses] == ["first"]
    assert all(r.read_time == first for r in responses)
    aggregation = {"structured_query": query, "aggregations": [{"alias": "total", "count": {}}]}
    [counted] = api.run_aggregation_query(
        request={"parent": parent, "structured_aggregation_query": aggregation, "read_time": first}
    )
    assert counted.result.aggregate_fields["total"].integer_value == 1 and counted.read_time == first
    listed = api.list_documents(request={"parent": parent, "collection_id": "hist", "read_time": first})
    assert [d.fields["value"].string_value for d in listed.documents] == ["first"]
    # Google's emulator answers ListCollectionIds (a "metadata operation") only with the owner token.
    owner = firestore_client._rpc_metadata
    assert list(
        api.list_collection_ids(request={"parent": parent, "read_time": first}, metadata=owner).collection_ids
    ) == ["hist"]
    with pytest.raises(exceptions.NotFound):
        api.get_document(request={"name": name})
    seconds = int(first.timestamp())
    with pytest.raises(exceptions.NotFound):
        api.get_document(request={"name": name, "read_time": Timestamp(seconds=seconds - 7200)})
    with pytest.raises(exceptions.InvalidArgument):
        api.get_document(request={"name": name, "read_time": Timestamp(seconds=seconds + 3600)})
    finer = Timestamp(seconds=seconds, nanos=first.microsecond * 1000 + 1)
    with pytest.raises(exceptions.InvalidArgument, match="whole number of microseconds"):
        api.get_document(request={"name": name, "read_time": finer})


def test_list_documents_orders_a_collection_by_fields(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    """As the official emulator (a conformance suite's recording of v1.22.0): in a collection, order_by orders as
    a query (documents lacking the field left out, ties by name in the last direction); the first page carries a
    token, but resuming with it while order_by is set is UNKNOWN; without a collection only the name ascending
    is allowed."""
    api = firestore_client._firestore_api
    parent = f"{firestore_client._database_string}/documents/runs/{unique_id}"
    for doc_id, rank in [("a", 2), ("b", 1), ("c", 1)]:
        firestore_client.document(f"runs/{unique_id}/ordered/{doc_id}").set({"rank": rank})
    firestore_client.document(f"runs/{unique_id}/ordered/missing").set({})
    firestore_client.document(f"runs/{unique_id}/other/x").set({"rank": 0})
    request = {"parent": parent, "collection_id": "ordered", "page_size": 2, "order_by": "rank"}
    first = api.list_documents(request=request)
    assert [d.name.rsplit("/", 1)[1] for d in first.documents] == ["b", "c"] and first.next_page_token
    with pytest.raises(exceptions.Unknown):
        api.list_documents(request={**request, "page_token": first.next_page_token})
    by_name = {"parent": parent, "collection_id": "ordered", "page_size": 1, "order_by": "__name__"}
    named = api.list_documents(request={**by_name, "mask": {"field_paths": ["rank"]}})
    assert [d.name.rsplit("/", 1)[1] for d in named.documents] == ["a"] and named.next_page_token
    with pytest.raises(exceptions.Unknown):
        api.list_documents(request={**by_name, "page_token": named.next_page_token})
    descending = api.list_documents(request={**request, "page_size": 10, "order_by": "rank desc"})
    assert [d.name.rsplit("/", 1)[1] for d in descending.documents] == ["a", "c", "b"]
    with pytest.raises(
        exceptions.InvalidArgument, match=r"^400 kind is required for all orders except __key__ ascending$"
    ):
        api.list_documents(request={"parent": parent, "page_size": 10, "order_by": "rank"})
    with pytest.raises(exceptions.InvalidArgument, match="Invalid order_by"):
        api.list_documents(request={**request, "order_by": "rank sideways"})


def test_list_pages_resume_after_the_last_item_listed(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    """Page tokens are opaque and name the last document (or collection id) listed, so a document added before
    it does not shift the next page; a full page always carries a token and the page after the end is empty
    without one (ListDocuments and ListCollectionIds alike, as the official emulator pages)."""
    api = firestore_client._firestore_api
    parent = f"{firestore_client._database_string}/documents/runs/{unique_id}"
    for doc_id in ["b", "c", "d"]:
        firestore_client.document(f"runs/{unique_id}/docs/{doc_id}").set({})
    request = {"parent": parent, "collection_id": "docs", "page_size": 2}
    first = api.list_documents(request=request)
    assert [d.name.rsplit("/", 1)[1] for d in first.documents] == ["b", "c"]
    assert not first.next_page_token.isdigit()
    firestore_client.document(f"runs/{unique_id}/docs/a").set({})
    second = api.list_documents(request={**request, "page_token": first.next_page_token})
    assert [d.name.rsplit("/", 1)[1] for d in second.documents] == ["d"] and not second.next_page_token
    with pytest.raises(exceptions.InvalidArgument, match="Invalid page_token"):
        api.list_documents(request={**request, "page_token": "not a token"})
    firestore_client.document(f"runs/{unique_id}/other/x").set({})
    ids_request = {"parent": parent, "page_size": 1}
    ids: list[str] = []
    tokens: list[str] = []
    response = api.list_collection_ids(request=ids_request)
    while True:
        ids.extend(response.collection_ids)
        tokens.append(response.next_page_token)
        if not response.next_page_token:
            break
        response = api.list_collection_ids(request={**ids_request, "page_token": response.next_page_token})
    assert ids == ["docs", "other"] and len(tokens) == 3 and not tokens[-1]
    with pytest.raises(exceptions.InvalidArgument, match=r"^400 Page size must be nonnegative.$"):
        api.list_collection_ids(request={"parent": parent, "page_size": -1})


def test_write_rpcs_field_by_field(firestore_client: firestore.Client, unique_id: str) -> None:
    """The write RPCs' less common fields through the GAPIC client, as firestore.proto documents them and the
    official emulator answers (hidane's document_writes.json): update_mask deletes masked fields the document
    lacks, mask trims the returned document, preconditions in its words, deletes of missing documents succeed,
    a delete's write result is empty, transform results follow the transforms' order at the commit time."""
    api = firestore_client._firestore_api
    database = firestore_client._database_string
    base = f"{database}/documents/w-{unique_id}"
    created = api.create_document(
        request={
            "parent": f"{database}/documents",
            "collection_id": f"w-{unique_id}",
            "document_id": "d",
            "document": {
                "fields": {
                    "a": {"integer_value": 1},
                    "m": {"map_value": {"fields": {"x": {"integer_value": 1}, "y": {"integer_value": 2}}}},
                }
            },
            "mask": {"field_paths": ["m.y"]},
        }
    )
    assert (
        created.name == f"{base}/d"
        and list(created.fields) == ["m"]
        and list(created.fields["m"].map_value.fields) == ["y"]
    )
    assert created.create_time == created.update_time
    with pytest.raises(
        exceptions.InvalidArgument, match=r'^400 Resource id "__x__" is invalid because it is reserved.$'
    ):
        api.create_document(
            request={
                "parent": f"{database}/documents",
                "collection_id": "c",
                "document_id": "__x__",
                "document": {},
            }
        )
    updated = api.update_document(
        request={
            "document": {"name": f"{base}/d", "fields": {"z": {"integer_value": 3}}},
            "update_mask": {"field_paths": ["z", "a", "m.x"]},
            "mask": {"field_paths": ["z", "a", "m"]},
        }
    )
    assert set(updated.fields) == {"z", "m"} and list(updated.fields["m"].map_value.fields) == ["y"]
    with pytest.raises(exceptions.AlreadyExists, match="entity already exists: EntityRef"):
        api.update_document(
            request={"document": {"name": f"{base}/d", "fields": {}}, "current_document": {"exists": False}}
        )
    with pytest.raises(exceptions.NotFound, match="no entity to update"):
        api.update_document(
            request={"document": {"name": f"{base}/new", "fields": {}}, "current_document": {"exists": True}}
        )
    stale = {"update_time": {"seconds": 5}}
    with pytest.raises(
        exceptions.FailedPrecondition, match=r"does not match the required base version \(5000000\)$"
    ):
        api.update_document(
            request={"document": {"name": f"{base}/d", "fields": {}}, "current_document": stale}
        )
    upserted = api.update_document(
        request={"document": {"name": f"{base}/new", "fields": {"n": {"integer_value": 1}}}}
    )
    assert upserted.fields["n"].integer_value == 1
    matching = {"update_time": upserted.update_time}
    api.update_document(
        request={"document": {"name": f"{base}/new", "fields": {}}, "current_document": matching}
    )
    api.delete_document(request={"name": f"{base}/missing"})
    with pytest.raises(exceptions.NotFound):
        api.delete_document(request={"name": f"{base}/missing", "current_document": {"exists": True}})
    with pytest.raises(exceptions.FailedPrecondition):
        api.delete_document(request={"name": f"{base}/d", "current_document": stale})
    response = api.commit(
        request={
            "database": database,
            "writes": [
                {
                    "update": {"name": f"{base}/t", "fields": {"a": {"integer_value": 1}}},
                    "update_transforms": [
                        {"field_path": "ts", "set_to_server_value": "REQUEST_TIME"},
                        {"field_path": "a", "increment": {"integer_value": 2}},
                    ],
                },
                {"delete": f"{base}/new"},
            ],
        }
    )
    first, deleted = response.write_results
    assert (
        first.update_time == response.commit_time
        and not deleted.update_time
        and not deleted.transform_results
    )
    assert first.transform_results[0].timestamp_value == response.commit_time
    assert first.transform_results[1].integer_value == 3


def test_read_rpcs_answer_shapes(firestore_client: firestore.Client, unique_id: str) -> None:
    """BatchGetDocuments answers each name in order (found or missing, duplicates too) with one read_time, the
    first response carrying a new transaction's id; RunQuery over nothing answers one response with read_time,
    done and no document; an aggregation over nothing counts and sums 0, averages null, under the aliases the
    request gives or field_1, field_2, … for unnamed ones."""
    api = firestore_client._firestore_api
    database = firestore_client._database_string
    collection = firestore_client.collection(f"r-{unique_id}")
    collection.document("a").set({"n": 1, "m": 2})
    names = [collection.document(i)._document_path for i in ("a", "zz", "a")]
    request = {
        "database": database,
        "documents": names,
        "mask": {"field_paths": ["n"]},
        "new_transaction": {"read_only": {}},
    }
    responses = list(api.batch_get_documents(request=request))
    assert [type(r).pb(r).WhichOneof("result") for r in responses] == ["found", "missing", "found"]
    assert responses[0].transaction and not responses[1].transaction
    assert set(responses[0].found.fields) == {"n"} and responses[1].missing == names[1]
    assert len({r.read_time for r in responses}) == 1
    parent = f"{database}/documents"
    [empty] = api.run_query(
        request={"parent": parent, "structured_query": {"from_": [{"collection_id": f"none-{unique_id}"}]}}
    )
    assert empty.done and empty.read_time and not empty.document.name and not empty.skipped_results
    aggregations = [
        {"count": {}},
        {"sum": {"field": {"field_path": "n"}}},
        {"avg": {"field": {"field_path": "n"}}, "alias": "mean"},
    ]
    query = {
        "structured_query": {"from_": [{"collection_id": f"none-{unique_id}"}]},
        "aggregations": aggregations,
    }
    [result] = api.run_aggregation_query(request={"parent": parent, "structured_aggregation_query": query})
    fields = result.result.aggregate_fields
    assert set(fields) == {"field_1", "field_2", "mean"} and result.read_time
    assert fields["field_1"].integer_value == 0 and fields["field_2"].integer_value == 0
    assert type(fields["mean"]).pb(fields["mean"]).WhichOneof("value_type") == "null_value"


def test_show_missing_pages_name_only_placeholders(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    """As the official emulator pages show_missing (a conformance suite's recording of v1.22.0): pages of one,
    the placeholder of a document that only has subcollections carries only its name, and a full last page is
    followed by an empty one without a token; show_missing with any order_by is INVALID_ARGUMENT."""
    api = firestore_client._firestore_api
    parent = f"{firestore_client._database_string}/documents/runs/{unique_id}"
    firestore_client.document(f"runs/{unique_id}/containers/existing").set({"state": "present"})
    firestore_client.document(f"runs/{unique_id}/containers/missing/children/leaf").set({"state": "child"})
    request = {"parent": parent, "collection_id": "containers", "page_size": 1, "show_missing": True}
    pages, token = [], ""
    while True:
        # show_missing is a "metadata operation": Google's emulator answers it only with the owner token.
        response = api.list_documents(
            request={**request, "page_token": token}, metadata=firestore_client._rpc_metadata
        )
        pages.append(
            [(d.name.rsplit("/", 1)[1], set(d.fields), bool(d.create_time)) for d in response.documents]
        )
        token = response.next_page_token
        if not token:
            break
    assert pages == [[("existing", {"state"}, True)], [("missing", set(), False)], []]
    with pytest.raises(exceptions.InvalidArgument):
        api.list_documents(request={**request, "page_size": 0, "order_by": "__name__"})
