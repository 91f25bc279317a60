"""Create a chunk document without the client's per-value encoding cost (measured: 17x faster for big batches).

``google-cloud-firestore`` turns every Python value into a proto-plus ``Value`` one object at a time: for a batch
of 3,500 lines that is ~290 ms of CPU per callback, which made a busy job's callbacks slow (bench/functions_bench.py).
Here the same ``Write`` is built on the raw protobuf classes (~17 ms) and added to the transaction the way the
client's own ``create`` does (``_add_write_pbs`` with a ``exists: false`` precondition). Two private names of the
client are used (``DocumentReference._document_path``, ``Transaction._add_write_pbs``; both stable across 2.x);
when either is missing this falls back to the public ``Transaction.create``. tests/functions/test_units.py checks
that both paths produce the identical Write.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.types import common, document, write
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


def create_write(ref: firestore.DocumentReference, data: dict[str, Any]) -> write.Write:
    """The Write of ``ref.create(data)``, built on raw protobufs."""
    created = write.Write(
        update=document.Document(name=ref._document_path),
        current_document=common.Precondition(exists=False),
    )
    fields = write.Write.pb(created).update.fields
    for key, item in data.items():
        _set(fields[key], item)
    return created


def create(t: firestore.Transaction, ref: firestore.DocumentReference, data: dict[str, Any]) -> None:
    """``t.create(ref, data)``, fast; falls back to the public call if the client's internals ever change."""
    add = getattr(t, "_add_write_pbs", None)
    if add is None or not hasattr(ref, "_document_path"):
        t.create(ref, data)
        return
    add([create_write(ref, data)])
