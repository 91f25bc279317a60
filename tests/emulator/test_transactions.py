"""Transactions through the real client: contention, aborts and retries, read-only snapshots, read_time."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import grpc
import pytest
from google.api_core import exceptions
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from firestore_emulator import Emulator
from firestore_emulator.transactions import TransactionManager

pytestmark = pytest.mark.usefixtures("firestore_project")

THREADS = 12
INCREMENTS_PER_THREAD = 5


def test_concurrent_increments_in_transactions_end_exact(firestore_project: str, unique_id: str) -> None:
    counter_path = f"counters/{unique_id}"
    firestore.Client(project=firestore_project).document(counter_path).set({"n": 0})
    errors: list[BaseException] = []

    def work() -> None:
        client = firestore.Client(project=firestore_project)
        counter = client.document(counter_path)

        @firestore.transactional
        def increment(transaction: firestore.Transaction) -> None:
            value = counter.get(transaction=transaction).get("n")
            transaction.update(counter, {"n": value + 1})

        try:
            for _ in range(INCREMENTS_PER_THREAD):
                increment(client.transaction())
        except BaseException as error:  # reported below: a thread's failure must fail the test
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    final = firestore.Client(project=firestore_project).document(counter_path).get().get("n")
    assert final == THREADS * INCREMENTS_PER_THREAD


def test_a_write_waits_for_the_transaction_that_read_the_document(
    monkeypatch: pytest.MonkeyPatch, unique_id: str
) -> None:
    # Its own emulator, in this process, so the test can see the moment the write starts waiting for the lock
    # (a spy on the lock manager's wait: it changes nothing) and only then lets the transaction commit.
    write_waits = threading.Event()
    wait_for_lock = TransactionManager._wait

    async def noticed_wait(manager: TransactionManager, transaction: Any, key: Any, mode: str) -> bool:
        if mode == "write":
            write_waits.set()  # before the wait itself, which is queued in the same step of the event loop
        return await wait_for_lock(manager, transaction, key, mode)

    monkeypatch.setattr(TransactionManager, "_wait", noticed_wait)
    with Emulator(in_process=True) as emulator:
        monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", emulator.address)
        path = f"accounts/{unique_id}"
        firestore.Client(project="locks").document(path).set({"balance": 10})
        transaction_read = threading.Event()
        attempts: list[int] = []
        written: list[Any] = []

        def write_meanwhile() -> None:
            transaction_read.wait(10)
            written.append(firestore.Client(project="locks").document(path).set({"balance": 100}))

        writer = threading.Thread(target=write_meanwhile)
        writer.start()
        client = firestore.Client(project="locks")

        @firestore.transactional
        def withdraw(transaction: firestore.Transaction) -> None:
            balance = client.document(path).get(transaction=transaction).get("balance")
            attempts.append(balance)
            transaction_read.set()
            assert write_waits.wait(10), "the other write never waited for the transaction's lock"
            transaction.update(client.document(path), {"balance": balance - 1})

        withdraw(client.transaction())
        writer.join(10)
        assert attempts == [10]  # the transaction was not disturbed: it held what it read
        assert client.document(path).get().get("balance") == 100  # the waiting write applied after it
        assert written[0].update_time > client.document(path).get().create_time


def test_a_commit_stuck_behind_an_open_transaction_is_aborted(
    monkeypatch: pytest.MonkeyPatch, unique_id: str
) -> None:
    with Emulator(lock_wait=0.2) as emulator:  # its own emulator: a short wait for locks
        monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", emulator.address)
        client = firestore.Client(project="locks")
        doc = client.document(f"accounts/{unique_id}")
        doc.set({"balance": 10})
        transaction = client.transaction()
        transaction._begin()
        assert doc.get(transaction=transaction).get("balance") == 10
        with pytest.raises(exceptions.Aborted, match="lock timeout"):
            doc.set({"balance": 100})  # the same thread holds the lock: the write gives up
        transaction.update(doc, {"balance": 9})
        transaction._commit()
        assert doc.get().get("balance") == 9


def test_first_committer_wins_and_the_retry_succeeds(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    api = firestore_client._firestore_api
    database = firestore_client._database_string
    name = f"{database}/documents/counters/{unique_id}"
    firestore_client.document(f"counters/{unique_id}").set({"n": 0})

    def begin(retry: bytes = b"") -> bytes:
        options = {"read_write": {"retry_transaction": retry}} if retry else {"read_write": {}}
        return api.begin_transaction(request={"database": database, "options": options}).transaction

    def read(transaction: bytes) -> int:
        request = {"database": database, "documents": [name], "transaction": transaction}
        return int(next(iter(api.batch_get_documents(request=request))).found.fields["n"].integer_value)

    def write(transaction: bytes, value: int) -> None:
        update = {"update": {"name": name, "fields": {"n": {"integer_value": value}}}}
        api.commit(request={"database": database, "transaction": transaction, "writes": [update]})

    first, second = begin(), begin()
    first_value, second_value = read(first), read(second)  # both read without waiting
    write(first, first_value + 1)
    with pytest.raises(exceptions.Aborted):
        write(second, second_value + 1)
    retry = begin(retry=second)
    write(retry, read(retry) + 1)
    assert firestore_client.document(f"counters/{unique_id}").get().get("n") == 2


def test_batch_write_to_a_document_a_transaction_holds_is_aborted_alone(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    api = firestore_client._firestore_api
    database = firestore_client._database_string
    locked, free = (f"{database}/documents/held-{unique_id}/{n}" for n in ("locked", "free"))
    firestore_client.document(f"held-{unique_id}/locked").set({"v": 1})
    transaction = api.begin_transaction(request={"database": database}).transaction
    list(
        api.batch_get_documents(
            request={"database": database, "documents": [locked], "transaction": transaction}
        )
    )
    writes = [{"update": {"name": n, "fields": {"v": {"integer_value": 2}}}} for n in (locked, free)]
    response = api.batch_write(
        request={"database": database, "writes": writes}, metadata=firestore_client._rpc_metadata
    )
    assert [s.code for s in response.status] == [grpc.StatusCode.ABORTED.value[0], 0]
    api.rollback(request={"database": database, "transaction": transaction})
    assert firestore_client.document(f"held-{unique_id}/locked").get().get("v") == 1
    assert firestore_client.document(f"held-{unique_id}/free").get().get("v") == 2


def test_a_query_read_by_a_transaction_is_rechecked_at_commit(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    jobs = firestore_client.collection(f"jobs-{unique_id}")
    jobs.document("a").set({"state": "queued"})
    counts: list[int] = []

    @firestore.transactional
    def count_queued(transaction: firestore.Transaction) -> None:
        queued = list(jobs.where(filter=FieldFilter("state", "==", "queued")).stream(transaction=transaction))
        counts.append(len(queued))
        if len(counts) == 1:
            jobs.document("b").set({"state": "queued"})  # a new match appears after the read
        transaction.set(firestore_client.document(f"summary/{unique_id}"), {"queued": len(queued)})

    count_queued(firestore_client.transaction())
    assert counts == [1, 2]
    assert firestore_client.document(f"summary/{unique_id}").get().get("queued") == 2


def test_failing_transaction_writes_nothing(firestore_client: firestore.Client, unique_id: str) -> None:
    doc = firestore_client.collection("things").document(unique_id)

    @firestore.transactional
    def broken(transaction: firestore.Transaction) -> None:
        doc.get(transaction=transaction)
        transaction.set(doc, {"a": 1})
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        broken(firestore_client.transaction())
    assert not doc.get().exists


def test_create_in_transaction_of_existing_document_fails_with_already_exists(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    doc.set({"a": 1})

    @firestore.transactional
    def create(transaction: firestore.Transaction) -> None:
        transaction.create(doc, {"a": 2})

    with pytest.raises(exceptions.AlreadyExists):
        create(firestore_client.transaction())
    assert doc.get().get("a") == 1


def test_read_only_transaction_reads_a_snapshot(firestore_client: firestore.Client, unique_id: str) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    doc.set({"v": 1})
    seen: list[int] = []

    @firestore.transactional
    def read_twice(transaction: firestore.Transaction) -> None:
        seen.append(doc.get(transaction=transaction).get("v"))
        doc.set({"v": 2})
        seen.append(doc.get(transaction=transaction).get("v"))

    read_twice(firestore_client.transaction(read_only=True))
    assert seen == [1, 1]
    assert doc.get().get("v") == 2


def test_read_only_transaction_cannot_write(firestore_client: firestore.Client, unique_id: str) -> None:
    transaction = firestore_client.transaction(read_only=True)
    with pytest.raises(ValueError):
        transaction.set(firestore_client.collection("things").document(unique_id), {"a": 1})


def test_reads_at_a_read_time_see_the_past(firestore_client: firestore.Client, unique_id: str) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    first = doc.set({"v": 1})
    doc.set({"v": 2})
    past = first.update_time
    assert doc.get(read_time=past).get("v") == 1
    assert doc.get().get("v") == 2
    before = past - datetime.timedelta(microseconds=1)
    assert not doc.get(read_time=before).exists
    query = firestore_client.collection("things").where(filter=FieldFilter("v", "==", 1))
    assert [d.id for d in query.stream(read_time=past)] == [unique_id]
    assert list(query.stream()) == []


def test_read_only_transaction_at_a_read_time(firestore_client: firestore.Client, unique_id: str) -> None:
    doc = firestore_client.collection("things").document(unique_id)
    first = doc.set({"v": 1})
    doc.set({"v": 2})
    api = firestore_client._firestore_api
    response = api.begin_transaction(
        request={
            "database": firestore_client._database_string,
            "options": {"read_only": {"read_time": first.update_time}},
        }
    )
    found = list(
        api.batch_get_documents(
            request={
                "database": firestore_client._database_string,
                "documents": [doc._document_path],
                "transaction": response.transaction,
            }
        )
    )
    assert found[0].found.fields["v"].integer_value == 1
    api.rollback(request={"database": firestore_client._database_string, "transaction": response.transaction})


def test_unknown_transaction_ids_are_invalid(firestore_client: firestore.Client, unique_id: str) -> None:
    api = firestore_client._firestore_api
    with pytest.raises(exceptions.InvalidArgument):
        api.commit(
            request={"database": firestore_client._database_string, "transaction": b"nope", "writes": []}
        )
    with pytest.raises(exceptions.InvalidArgument):
        api.rollback(request={"database": firestore_client._database_string, "transaction": b"nope"})


def test_a_committed_transaction_id_cannot_be_reused(firestore_client: firestore.Client) -> None:
    api = firestore_client._firestore_api
    database = firestore_client._database_string
    transaction = api.begin_transaction(request={"database": database}).transaction
    api.commit(request={"database": database, "transaction": transaction, "writes": []})
    with pytest.raises(
        exceptions.Aborted, match=r"The referenced transaction has expired or is no longer valid."
    ):
        api.commit(request={"database": database, "transaction": transaction, "writes": []})
    with pytest.raises(
        exceptions.Aborted, match=r"The referenced transaction has expired or is no longer valid."
    ):
        list(
            api.batch_get_documents(
                request={"database": database, "documents": [], "transaction": transaction}
            )
        )
    api.rollback(
        request={"database": database, "transaction": transaction}
    )  # rolling back an ended one is fine


def test_bytes_that_are_no_transaction_are_invalid(firestore_client: firestore.Client) -> None:
    """As the official emulator: garbage ids (and an empty one for Rollback) are 'Invalid transaction.'."""
    api = firestore_client._firestore_api
    database = firestore_client._database_string
    for garbage in (b"\x00\x00\x00", b""):
        with pytest.raises(exceptions.InvalidArgument, match=r"^400 Invalid transaction.$"):
            api.rollback(request={"database": database, "transaction": garbage})
    with pytest.raises(exceptions.InvalidArgument, match=r"^400 Invalid transaction.$"):
        api.commit(request={"database": database, "transaction": b"\x00\x00\x00", "writes": []})
    with pytest.raises(exceptions.InvalidArgument, match=r"^400 Invalid transaction.$"):
        api.begin_transaction(
            request={"database": database, "options": {"read_write": {"retry_transaction": b"x"}}}
        )


def test_a_failed_precondition_ends_the_transaction_but_an_invalid_write_does_not(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    api = firestore_client._firestore_api
    database = firestore_client._database_string
    doc = firestore_client.collection("things").document(unique_id)
    doc.set({"n": 1})
    transaction = api.begin_transaction(request={"database": database}).transaction
    reserved = {"update": {"name": doc._document_path, "fields": {"__x__": {"integer_value": 1}}}}
    with pytest.raises(exceptions.InvalidArgument, match="field name __x__ is reserved"):
        api.commit(request={"database": database, "transaction": transaction, "writes": [reserved]})
    read = {"database": database, "documents": [doc._document_path], "transaction": transaction}
    [still_open] = api.batch_get_documents(request=read)
    assert still_open.found.name == doc._document_path
    create = {"update": {"name": doc._document_path, "fields": {}}, "current_document": {"exists": False}}
    with pytest.raises(exceptions.AlreadyExists):
        api.commit(request={"database": database, "transaction": transaction, "writes": [create]})
    with pytest.raises(exceptions.Aborted, match="expired or is no longer valid"):
        list(api.batch_get_documents(request=read))
    doc.set({"n": 2})  # its lock is gone: no wait


def test_read_only_transactions_refuse_writes_and_stay_open(
    firestore_client: firestore.Client, unique_id: str
) -> None:
    api = firestore_client._firestore_api
    database = firestore_client._database_string
    doc = firestore_client.collection("things").document(unique_id)
    doc.set({"n": 1})
    transaction = api.begin_transaction(
        request={"database": database, "options": {"read_only": {}}}
    ).transaction
    write = {"update": {"name": doc._document_path, "fields": {}}}
    with pytest.raises(
        exceptions.InvalidArgument, match=r"^400 Cannot modify entities in a read-only transaction.$"
    ):
        api.commit(request={"database": database, "transaction": transaction, "writes": [write]})
    read = {"database": database, "documents": [doc._document_path], "transaction": transaction}
    [result] = api.batch_get_documents(request=read)
    assert result.found.fields["n"].integer_value == 1


def test_read_times_in_the_future_or_below_a_microsecond_are_refused(
    firestore_client: firestore.Client,
) -> None:
    """Future read times and ones finer than a microsecond are INVALID_ARGUMENT; an old one is a plain read, as
    the official emulator (which keeps every version) answers, where production would refuse it as too old."""
    import datetime

    api = firestore_client._firestore_api
    database = firestore_client._database_string
    now = datetime.datetime.now(tz=datetime.UTC)
    future = {"read_only": {"read_time": now + datetime.timedelta(days=1)}}
    with pytest.raises(
        exceptions.InvalidArgument, match=r"The requested 'read_time' cannot be in the future."
    ):
        api.begin_transaction(request={"database": database, "options": future})
    old = {"read_only": {"read_time": now - datetime.timedelta(days=1)}}
    assert api.begin_transaction(request={"database": database, "options": old}).transaction
    fine = {"read_only": {"read_time": {"seconds": int(now.timestamp()) - 5, "nanos": 1}}}
    with pytest.raises(exceptions.InvalidArgument, match="must be a whole number of microseconds"):
        api.begin_transaction(request={"database": database, "options": fine})


def test_new_transaction_on_first_read(firestore_client: firestore.Client, unique_id: str) -> None:
    api = firestore_client._firestore_api
    database = firestore_client._database_string
    doc = firestore_client.collection("things").document(unique_id)
    doc.set({"n": 1})
    responses = list(
        api.batch_get_documents(
            request={
                "database": database,
                "documents": [doc._document_path],
                "new_transaction": {"read_write": {}},
            }
        )
    )
    transaction = responses[0].transaction
    assert transaction
    write = {"update": {"name": doc._document_path, "fields": {"n": {"integer_value": 2}}}}
    api.commit(request={"database": database, "transaction": transaction, "writes": [write]})
    assert doc.get().get("n") == 2


async def test_async_transaction(firestore_project: str, unique_id: str) -> None:
    client = firestore.AsyncClient(project=firestore_project)
    doc = client.collection("things").document(unique_id)
    await doc.set({"n": 1})

    @firestore.async_transactional
    async def double(transaction: firestore.AsyncTransaction) -> None:
        snapshot = await doc.get(transaction=transaction)
        transaction.update(doc, {"n": snapshot.get("n") * 2})

    await double(client.transaction())
    assert (await doc.get()).get("n") == 2


def test_transactions_locking_in_opposite_orders_both_complete(
    firestore_project: str, unique_id: str
) -> None:
    setup = firestore.Client(project=firestore_project)
    first, second = setup.document(f"pair/{unique_id}-a"), setup.document(f"pair/{unique_id}-b")
    first.set({"n": 0})
    second.set({"n": 0})
    both_read_one = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def move(source_path: str, target_path: str, amount: int) -> None:
        client = firestore.Client(project=firestore_project)
        source, target = client.document(source_path), client.document(target_path)
        attempts = []

        @firestore.transactional
        def transfer(transaction: firestore.Transaction) -> None:
            attempts.append(1)
            a = source.get(transaction=transaction).get("n")
            if len(attempts) == 1:
                both_read_one.wait()  # each holds one lock and now asks for the other's: a deadlock
            b = target.get(transaction=transaction).get("n")
            transaction.update(source, {"n": a - amount})
            transaction.update(target, {"n": b + amount})

        try:
            transfer(client.transaction())
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=move, args=(first.path, second.path, 1)),
        threading.Thread(target=move, args=(second.path, first.path, 10)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert (first.get().get("n"), second.get().get("n")) == (9, -9)
