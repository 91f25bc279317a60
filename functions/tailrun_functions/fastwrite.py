"""The callbacks' Firestore fast paths: a chunk's create without the client's per-value encoding cost (measured:
17x faster for big batches), and a transaction begun by its first read (one RPC fewer per callback).

``google-cloud-firestore`` turns every Python value into a proto-plus ``Value`` one object at a time: for a batch
of 3,500 lines that is ~290 ms of CPU per callback, which made a busy job's callbacks slow (bench/functions_bench.py).
Here the same ``Write`` is built on the raw protobuf classes (~17 ms) and added to the transaction the way the
client's own ``create`` does (``_add_write_pbs`` with a ``exists: false`` precondition). Two private names of the
client are used (``DocumentReference._document_path``, ``Transaction._add_write_pbs``; both stable across 2.x);
when either is missing this falls back to the public ``Transaction.create``. tests/functions/test_units.py checks
that both paths produce the identical Write.

``run_transaction`` is ``@firestore.transactional`` without its ``BeginTransaction``: the client always sends one
before the first read, so a callback (begin, read the token, commit) was three round trips to the emulator; here
the first read is a ``BatchGetDocuments`` with ``new_transaction`` (the API's own way to begin a read-write
transaction with a read, which both emulators and Firestore serve), and the id it answers is the transaction's.
Everything else is the client's: later reads (``t.get_all``) and writes go through the same ``Transaction``
object, a commit answered ABORTED is retried (``retry_transaction``: the transaction keeps its place in line), and
any error before the commit rolls back (releasing the lock on the first document at once instead of at the
transaction's timeout). A commit that fails otherwise (a create whose document exists: ``ALREADY_EXISTS``) raises
as the client would, the transaction ended by that failure.

The two RPCs of a callback are also built and read on the raw protobufs (issue 18: CPU per callback): the
``BatchGetDocuments`` request and the ``Commit`` request (the transaction's writes, as it holds them) are raw
messages wrapped, not converted, as the client's request types, and sent through the same client methods
(``db._firestore_api.batch_get_documents`` / ``commit``, with the client's retry, timeout and metadata), so a test
that observes those methods sees every RPC; the token's snapshot is decoded from the raw answer with the client's
own ``decode_dict``, as ``_parse_batch_get`` does. Proto-plus's conversions of the dict requests the client
builds (and of the answer) were ~12% of the functions server's samples under load (py-spy). Private names used:
``Client._firestore_api``, ``_database_string``, ``_rpc_metadata``, ``Transaction._id``, ``_write_pbs``,
``_clean_up`` (all stable across 2.x); when one is missing this falls back to ``@firestore.transactional``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from google.api_core import exceptions
from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud import firestore
from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1.types import common, write
from google.cloud.firestore_v1.types import firestore as requests
from google.protobuf import timestamp_pb2

logger = logging.getLogger(__name__)


def _set(value: Any, python: Any) -> None:
    """Fill the raw ``Value`` message ``value`` from a plain Python value (the types chunks contain)."""
    if python is None:
        value.null_value = 0
    elif isinstance(python, bool):
        value.boolean_value = python
    elif isinstance(python, int):
        value.integer_value = python
    elif isinstance(python, float):
        value.double_value = python
    elif isinstance(python, str):
        value.string_value = python
    elif isinstance(python, dt.datetime):
        stamp = timestamp_pb2.Timestamp()
        stamp.FromDatetime(python)
        value.timestamp_value.CopyFrom(stamp)
    elif isinstance(python, list):
        array = value.array_value
        array.SetInParent()
        for item in python:
            _set(array.values.add(), item)
    elif isinstance(python, dict):
        fields = value.map_value
        fields.SetInParent()
        for key, item in python.items():
            _set(fields.fields[key], item)
    else:
        raise TypeError(f"cannot store {type(python).__name__} in a chunk")


# The raw protobuf classes under the client's proto-plus types: messages built on them skip proto-plus's
# per-field conversions (measured: about a third of a callback's CPU in the client went to them).
_WRITE = write.Write.pb()
_PRECONDITION_ABSENT = common.Precondition.pb()(exists=False)
_BATCH_GET = requests.BatchGetDocumentsRequest.pb()
_COMMIT = requests.CommitRequest.pb()


def create_write(ref: firestore.DocumentReference, data: dict[str, Any]) -> write.Write:
    """The Write of ``ref.create(data)``, built on raw protobufs (wrapped, not copied, as the client's type)."""
    created = _WRITE(current_document=_PRECONDITION_ABSENT)
    created.update.name = ref._document_path
    fields = created.update.fields
    for key, item in data.items():
        _set(fields[key], item)
    wrapped: write.Write = write.Write.wrap(created)
    return wrapped


def create(t: firestore.Transaction, ref: firestore.DocumentReference, data: dict[str, Any]) -> None:
    """``t.create(ref, data)``, fast; falls back to the public call if the client's internals ever change."""
    add = getattr(t, "_add_write_pbs", None)
    if add is None or not hasattr(ref, "_document_path"):
        t.create(ref, data)
        return
    add([create_write(ref, data)])


T = TypeVar("T")
# As the client's transactions: a commit answered ABORTED is tried this many times in all.
MAX_ATTEMPTS = 5


def _inline_supported(db: firestore.Client, transaction: firestore.Transaction) -> bool:
    return all(hasattr(db, name) for name in ("_firestore_api", "_database_string", "_rpc_metadata")) and all(
        hasattr(transaction, name) for name in ("_id", "_write_pbs", "_clean_up")
    )


def _begin_with_read(
    db: firestore.Client, ref: firestore.DocumentReference, retry_of: bytes | None
) -> tuple[bytes, firestore.DocumentSnapshot[Any]]:
    """Begin a read-write transaction by reading ``ref``: the new transaction's id and the snapshot.

    Google's emulator answers the id in a response of its own before the document; the embedded one and Firestore
    in the first response with it: both are read. The request is built, and the answer read, on the raw protobufs
    (the same RPC through the same client method as the client's own reads)."""
    request = _BATCH_GET(database=db._database_string, documents=[ref._document_path])
    request.new_transaction.read_write.SetInParent()
    request.new_transaction.read_write.retry_transaction = retry_of or b""
    responses = db._firestore_api.batch_get_documents(
        request=requests.BatchGetDocumentsRequest.wrap(request), metadata=db._rpc_metadata
    )
    transaction_id, snapshot = b"", None
    for response in responses:
        pb = response._pb
        transaction_id = transaction_id or pb.transaction
        if pb.WhichOneof("result") is not None:
            snapshot = _snapshot(db, ref, pb)
    if not transaction_id or snapshot is None:
        raise RuntimeError("BatchGetDocuments began no transaction or returned no document")
    return transaction_id, snapshot


def _snapshot(
    db: firestore.Client, ref: firestore.DocumentReference, pb: Any
) -> firestore.DocumentSnapshot[Any]:
    """The snapshot of ``ref`` in a raw ``BatchGetDocumentsResponse``, as the client's ``_parse_batch_get`` makes
    it (the same decoding of the fields, the same timestamps)."""
    read_time = _time(pb.read_time)
    if pb.WhichOneof("result") == "missing":
        return firestore.DocumentSnapshot(
            ref, None, exists=False, read_time=read_time, create_time=None, update_time=None
        )
    found = pb.found
    return firestore.DocumentSnapshot(
        ref,
        _helpers.decode_dict(found.fields, db),
        exists=True,
        read_time=read_time,
        create_time=_time(found.create_time),
        update_time=_time(found.update_time),
    )


def _time(stamp: timestamp_pb2.Timestamp) -> dt.datetime:
    """A timestamp as the client's proto-plus types read it."""
    time: dt.datetime = DatetimeWithNanoseconds.from_timestamp_pb(stamp)  # type: ignore[no-untyped-call]
    return time


def _commit(db: firestore.Client, transaction: firestore.Transaction) -> None:
    """``transaction._commit()`` with its request built on the raw protobufs: the same Commit RPC through the
    same client method, the writes as the transaction holds them; the transaction ends as the client's does."""
    request = _COMMIT(database=db._database_string, transaction=transaction._id)
    request.writes.extend(getattr(pb, "_pb", pb) for pb in transaction._write_pbs)
    db._firestore_api.commit(request=requests.CommitRequest.wrap(request), metadata=db._rpc_metadata)
    transaction._clean_up()


def run_transaction(
    db: firestore.Client,
    first: firestore.DocumentReference,
    body: Callable[[firestore.Transaction, firestore.DocumentSnapshot[Any]], T],
) -> T:
    """Run ``body(transaction, snapshot of first)`` in a read-write transaction begun by reading ``first``, and
    commit what it wrote (see the module docstring): two RPCs for a read and a commit instead of three."""
    transaction = db.transaction()
    if not _inline_supported(db, transaction):

        @firestore.transactional
        def public(t: firestore.Transaction) -> T:
            return body(t, first.get(transaction=t))

        result: T = public(transaction)
        return result
    retry_of: bytes | None = None
    last: exceptions.Aborted | None = None
    for _ in range(MAX_ATTEMPTS):
        transaction = db.transaction()
        transaction_id, snapshot = _begin_with_read(db, first, retry_of)
        transaction._id = transaction_id  # type: ignore[assignment]
        try:
            result = body(transaction, snapshot)
        except BaseException:
            _rollback(db, transaction_id)
            transaction._clean_up()
            raise
        try:
            _commit(db, transaction)
        except exceptions.Aborted as exc:  # contention: again, keeping the transaction's place in line
            transaction._clean_up()
            retry_of, last = transaction_id, exc
            continue
        except BaseException:
            transaction._clean_up()  # the failed commit ended the transaction
            raise
        return result
    raise ValueError(f"Failed to commit transaction in {MAX_ATTEMPTS} attempts.") from last


def _rollback(db: firestore.Client, transaction_id: bytes) -> None:
    """Release the transaction's locks now; a failure to roll back is logged, never raised over the cause."""
    try:
        db._firestore_api.rollback(
            request={"database": db._database_string, "transaction": transaction_id},
            metadata=db._rpc_metadata,
        )
    except exceptions.GoogleAPICallError as exc:
        logger.warning("rollback of a callback's transaction failed: %s", exc)
