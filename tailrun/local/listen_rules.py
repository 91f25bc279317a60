"""Who may listen through the local WebChannel front, and to what: the development token and a mirror of
``infra/firestore.rules``.

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

``DevAccess`` is what ``tailrun dev`` gives the front (``firestore_emulator.webchannel.ListenBridge``): it admits
a handshake that carries the development token, as ``schema.DEV_USER``, and checks each target against these rules
(the front answers a refused target as Firestore does, with a REMOVE whose cause is ``PERMISSION_DENIED``).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from typing import Any

from google.api_core import exceptions as google_exceptions
from google.cloud import firestore
from google.cloud.firestore_v1.types import query as query_types
from tailrun_functions import schema

OWNER_READ_TIMEOUT_S = 10.0  # seconds to read a job's owner from the emulator when a target is checked

OwnerOf = Callable[[str], "str | None"]  # a job id → its owner's uid, None if there is no such job

_EQUAL = int(query_types.StructuredQuery.FieldFilter.Operator.EQUAL)
_AND = int(query_types.StructuredQuery.CompositeFilter.Operator.AND)
_OR = int(query_types.StructuredQuery.CompositeFilter.Operator.OR)


def _relative(name: str, database: str) -> list[str] | None:
    """A document or parent resource name as path segments under ``database`` (``[]`` for the root)."""
    root = f"{database}/documents"
    if name == root:
        return []
    if not name.startswith(root + "/"):
        return None
    segments = name[len(root) + 1 :].split("/")
    return None if any(segment == "" for segment in segments) else segments


def _owns_job(job_id: str, uid: str, owner_of: OwnerOf) -> bool:
    return owner_of(job_id) == uid


def may_get(segments: list[str], uid: str, owner_of: OwnerOf) -> bool:
    """May the caller read the document at ``segments``?"""
    match segments:
        case [schema.JOBS, job_id]:
            return _owns_job(job_id, uid, owner_of)
        case [schema.JOBS, job_id, child, _] if child in schema.JOB_CHILDREN:
            return _owns_job(job_id, uid, owner_of)
        case ["users", owner, schema.ARTIFACTS, _]:
            return owner == uid
    return False


def _filters_owner(where: Any, uid: str) -> bool:
    """Does this filter (a ``StructuredQuery.Filter`` proto) let through only documents with ``owner == uid``?"""
    kind = where.WhichOneof("filter_type")
    if kind == "field_filter":
        condition = where.field_filter
        return bool(
            condition.field.field_path == "owner"
            and condition.op == _EQUAL
            and condition.value.WhichOneof("value_type") == "string_value"
            and condition.value.string_value == uid
        )
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
    match [*parent, str(selectors[0].collection_id)]:
        case [schema.JOBS]:
            return query.HasField("where") and _filters_owner(query.where, uid)
        case [schema.JOBS, job_id, child] if child in schema.JOB_CHILDREN:
            return _owns_job(job_id, uid, owner_of)
        case ["users", owner, schema.ARTIFACTS]:
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


def owners_in(db: firestore.Client) -> OwnerOf:
    """A job's owner as ``db`` has it (the rules' ``get()``); None if there is no such job, or no answer."""

    def owner_of(job_id: str) -> str | None:
        try:
            snapshot = (
                db.collection(schema.JOBS)
                .document(job_id)
                .get(field_paths=["owner"], timeout=OWNER_READ_TIMEOUT_S)
            )
        except (google_exceptions.GoogleAPIError, ValueError):
            return None
        owner = (snapshot.to_dict() or {}).get("owner") if snapshot.exists else None
        return owner if isinstance(owner, str) else None

    return owner_of


class DevAccess:
    """The local stack's ``ListenAccess``: the development token acts as ``uid``, each target as the rules say."""

    def __init__(self, token: str, owner_of: OwnerOf, *, uid: str = schema.DEV_USER) -> None:
        if not token:
            raise ValueError("the Listen front needs a token to require")
        self._token = token.encode()
        self._owner_of = owner_of
        self._uid = uid

    def admit(self, bearer_tokens: Sequence[str]) -> str | None:
        """``uid`` if one of the tokens is the development token (compared in constant time), else None."""
        if any(hmac.compare_digest(token.encode(), self._token) for token in bearer_tokens):
            return self._uid
        return None

    def may_listen(self, principal: str, database: str, target: Any) -> bool:
        """May ``principal`` add ``target`` in ``database`` (``may_listen``, with the jobs' owners read live)?"""
        return may_listen(target, database=database, uid=principal, owner_of=self._owner_of)
