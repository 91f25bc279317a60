"""Where everything lives in Firestore: document references by id, and small typed readers.

The collection names are ``schema.py``'s; ``functions/DATA_MODEL.md`` has the fields and who may read them, and
``documents.py`` their types. Client-readable: ``jobs/{job_id}`` and its ``chunks``, ``attempts`` and
``artifacts`` subcollections. Server-only: ``job_secrets``, ``attempt_tokens``, ``idempotency``, uploads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, cast

from google.cloud import firestore

from tailrun_functions.documents import JobDoc, TokenDoc
from tailrun_functions.schema import ATTEMPT_TOKENS, ATTEMPTS, CHUNKS, IDEMPOTENCY, JOB_SECRETS, JOBS

DocRef = firestore.DocumentReference
Snapshot = firestore.DocumentSnapshot[Any]


def job_ref(db: firestore.Client, job_id: str) -> DocRef:
    return db.collection(JOBS).document(job_id)


def chunk_id(attempt: int, seq: int) -> str:
    """Chunk ids sort by (attempt, seq) as strings, so clients can order by ``__name__``."""
    return f"{attempt:04d}-{seq:08d}"


def chunk_ref(db: firestore.Client, job_id: str, attempt: int, seq: int) -> DocRef:
    ref: DocRef = job_ref(db, job_id).collection(CHUNKS).document(chunk_id(attempt, seq))
    return ref


def attempt_ref(db: firestore.Client, job_id: str, attempt: int) -> DocRef:
    ref: DocRef = job_ref(db, job_id).collection(ATTEMPTS).document(f"{attempt:04d}")
    return ref


def secrets_ref(db: firestore.Client, job_id: str) -> DocRef:
    return db.collection(JOB_SECRETS).document(job_id)


def token_ref(db: firestore.Client, job_id: str, attempt: int) -> DocRef:
    return db.collection(ATTEMPT_TOKENS).document(f"{job_id}-{attempt:04d}")


def idempotency_ref(db: firestore.Client, owner: str, key: str) -> DocRef:
    """One document per (owner, key); hashed because uids and keys may hold characters ids cannot."""
    digest = hashlib.sha256(f"{owner}\x00{key}".encode()).hexdigest()
    return db.collection(IDEMPOTENCY).document(digest)


def data(snapshot: Snapshot) -> dict[str, Any]:
    """A snapshot's fields ({} for a missing document)."""
    if not snapshot.exists:
        return {}
    return snapshot.to_dict() or {}


def job_doc(snapshot: Snapshot) -> JobDoc:
    """A job's document ({} when it does not exist)."""
    return cast(JobDoc, data(snapshot))


def token_doc(snapshot: Snapshot) -> TokenDoc:
    """An attempt's token document ({} when it does not exist)."""
    return cast(TokenDoc, data(snapshot))


def read_all(reader: firestore.Transaction | firestore.Client, refs: list[DocRef]) -> list[dict[str, Any]]:
    """The fields of several documents in one BatchGet, in the order of ``refs`` ({} for missing ones)."""
    snapshots = {snapshot.reference.path: snapshot for snapshot in reader.get_all(refs)}
    return [data(snapshots[ref.path]) for ref in refs]


def when(value: Any) -> dt.datetime | None:
    """A stored timestamp as an aware datetime (Firestore returns DatetimeWithNanoseconds, already aware)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None
