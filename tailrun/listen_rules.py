"""Which Listen targets a caller may add through the local WebChannel front: a mirror of ``infra/firestore.rules``.

The emulator behind ``tailrun dev`` applies no security rules (the functions use it as an admin), so the front
applies them itself before a target reaches the emulator. This module says what the rules say, for reads; it
must change with ``infra/firestore.rules`` (and ``tests/cli/test_listen_rules.py`` with it):

- ``jobs/{jobId}``: a document the caller owns (``resource.data.owner == uid``; a missing job is refused, as
  ``resource`` is null); a query on ``jobs`` only if it filters ``owner == uid`` (rules are not filters: a query
  that could return another user's job is refused as a whole);
- ``jobs/{jobId}/chunks|attempts|artifacts``: documents and queries, if the caller owns the job (its document is
  read, as the rules' ``get()`` does);
- ``users/{uid}/artifacts``: documents and queries of the caller's own uid;
- everything else — ``job_secrets``, ``attempt_tokens``, ``idempotency``, ``artifact_uploads``, any collection
  added later, and every collection-group query (only ``match /{document=**}`` could grant one, and it is false) —
  is refused.

A refused target is answered as Firestore answers it: a ``TargetChange`` REMOVE with cause ``PERMISSION_DENIED``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.cloud.firestore_v1.types import query as query_types

PERMISSION_DENIED = 7  # google.rpc.Code
DENIED_MESSAGE = "Missing or insufficient permissions."
JOB_CHILDREN = frozenset({"chunks", "attempts", "artifacts"})

OwnerOf = Callable[[str], "str | None"]  # a job id → its owner's uid, None if there is no such job

_EQUAL = int(query_types.StructuredQuery.FieldFilter.Operator.EQUAL)
_AND = int(query_types.StructuredQuery.CompositeFilter.Operator.AND)
_OR = int(query_types.StructuredQuery.CompositeFilter.Operator.OR)


def denied(target_id: int) -> dict[str, Any]:
    """The ListenResponse (proto3 JSON) that refuses a target."""
    return {"targetChange": {"targetChangeType": "REMOVE", "targetIds": [target_id],
                             "cause": {"code": PERMISSION_DENIED, "message": DENIED_MESSAGE}}}


def _relative(name: str, database: str) -> list[str] | None:
    """A document or parent resource name as path segments under ``database`` (``[]`` for the root)."""
    root = f"{database}/documents"
    if name == root:
        return []
    if not name.startswith(root + "/"):
        return None
    segments = name[len(root) + 1:].split("/")
    return None if any(segment == "" for segment in segments) else segments


def _owns_job(job_id: str, uid: str, owner_of: OwnerOf) -> bool:
    return owner_of(job_id) == uid


def may_get(segments: list[str], uid: str, owner_of: OwnerOf) -> bool:
    """May the caller read the document at ``segments``?"""
    match segments:
        case ["jobs", job_id]:
            return _owns_job(job_id, uid, owner_of)
        case ["jobs", job_id, child, _] if child in JOB_CHILDREN:
            return _owns_job(job_id, uid, owner_of)
        case ["users", owner, "artifacts", _]:
            return owner == uid
    return False


def _filters_owner(where: Any, uid: str) -> bool:
    """Does this filter (a ``StructuredQuery.Filter`` proto) let through only documents with ``owner == uid``?"""
    kind = where.WhichOneof("filter_type")
    if kind == "field_filter":
        condition = where.field_filter
        return (condition.field.field_path == "owner" and condition.op == _EQUAL
                and condition.value.WhichOneof("value_type") == "string_value" and condition.value.string_value == uid)
    if kind == "composite_filter":
        parts = list(where.composite_filter.filters)
        if where.composite_filter.op == _AND:
            return any(_filters_owner(part, uid) for part in parts)
        if where.composite_filter.op == _OR:
            return bool(parts) and all(_filters_owner(part, uid) for part in parts)
    return False


def may_list(parent: list[str], query: Any, uid: str, owner_of: OwnerOf) -> bool:
    """May the caller run ``query`` (a ``StructuredQuery`` proto) under the document at ``parent``?"""
    selectors = list(query.from_) if hasattr(query, "from_") else list(getattr(query, "from"))
    if len(selectors) != 1 or selectors[0].all_descendants:
        return False
    match [*parent, selectors[0].collection_id]:
        case ["jobs"]:
            return query.HasField("where") and _filters_owner(query.where, uid)
        case ["jobs", job_id, child] if child in JOB_CHILDREN:
            return _owns_job(job_id, uid, owner_of)
        case ["users", owner, "artifacts"]:
            return owner == uid
    return False


def may_listen(target: Any, *, database: str, uid: str, owner_of: OwnerOf) -> bool:
    """May the caller add ``target`` (a ``Target`` proto of a ListenRequest) in ``database``?"""
    kind = target.WhichOneof("target_type")
    if kind == "documents":
        names = list(target.documents.documents)
        paths = [_relative(name, database) for name in names]
        return bool(names) and all(path is not None and may_get(path, uid, owner_of) for path in paths)
    if kind == "query":
        parent = _relative(target.query.parent, database)
        if parent is None or len(parent) % 2 or not target.query.HasField("structured_query"):
            return False
        return may_list(parent, target.query.structured_query, uid, owner_of)
    return False
