"""The raw protobuf classes of ``google.firestore.v1`` and the emulator's time representation.

proto-plus generates the message classes at run time (``X.pb()`` is the raw class), so there are no static types:
``Pb`` (from values.py) stands for any raw message. The server works on raw messages only: they are several times
faster to build and serialise than the proto-plus wrappers, and grpc handlers take raw ``FromString``.

Times inside the emulator are integers of microseconds since the epoch: Firestore keeps no finer precision, and
integers compare, hash and persist exactly.
"""

from __future__ import annotations

import time

from google.cloud.firestore_v1.types import document as document_types
from google.cloud.firestore_v1.types import firestore as firestore_types
from google.cloud.firestore_v1.types import query_profile as profile_types
from google.cloud.firestore_v1.types import write as write_types
from google.protobuf import empty_pb2, timestamp_pb2
from google.rpc import status_pb2

from firestore_emulator.values import Pb

Document = document_types.Document.pb()
Write = write_types.Write.pb()
WriteResult = write_types.WriteResult.pb()
ExplainMetrics = profile_types.ExplainMetrics.pb()
Timestamp = timestamp_pb2.Timestamp
Empty = empty_pb2.Empty
Status = status_pb2.Status

F = firestore_types
GetDocumentRequest = F.GetDocumentRequest.pb()
ListDocumentsRequest = F.ListDocumentsRequest.pb()
ListDocumentsResponse = F.ListDocumentsResponse.pb()
CreateDocumentRequest = F.CreateDocumentRequest.pb()
UpdateDocumentRequest = F.UpdateDocumentRequest.pb()
DeleteDocumentRequest = F.DeleteDocumentRequest.pb()
BatchGetDocumentsRequest = F.BatchGetDocumentsRequest.pb()
BatchGetDocumentsResponse = F.BatchGetDocumentsResponse.pb()
BeginTransactionRequest = F.BeginTransactionRequest.pb()
BeginTransactionResponse = F.BeginTransactionResponse.pb()
CommitRequest = F.CommitRequest.pb()
CommitResponse = F.CommitResponse.pb()
RollbackRequest = F.RollbackRequest.pb()
RunQueryRequest = F.RunQueryRequest.pb()
RunQueryResponse = F.RunQueryResponse.pb()
RunAggregationQueryRequest = F.RunAggregationQueryRequest.pb()
RunAggregationQueryResponse = F.RunAggregationQueryResponse.pb()
ListenRequest = F.ListenRequest.pb()
ListenResponse = F.ListenResponse.pb()
TargetChange = F.TargetChange.pb()
ListCollectionIdsRequest = F.ListCollectionIdsRequest.pb()
ListCollectionIdsResponse = F.ListCollectionIdsResponse.pb()
BatchWriteRequest = F.BatchWriteRequest.pb()
BatchWriteResponse = F.BatchWriteResponse.pb()
WriteRequest = F.WriteRequest.pb()
WriteResponse = F.WriteResponse.pb()
ExecutePipelineRequest = F.ExecutePipelineRequest.pb()

__all__ = ["Pb"]


def now_micros() -> int:
    """The wall clock in microseconds since the epoch (the only place the emulator reads the clock)."""
    return time.time_ns() // 1000


def timestamp(micros: int) -> Pb:
    """A ``Timestamp`` message for a time in microseconds."""
    return Timestamp(seconds=micros // 1_000_000, nanos=(micros % 1_000_000) * 1000)


def micros(ts: Pb) -> int:
    """Microseconds since the epoch of a ``Timestamp`` message (sub-microsecond digits are dropped)."""
    return int(ts.seconds) * 1_000_000 + int(ts.nanos) // 1000
