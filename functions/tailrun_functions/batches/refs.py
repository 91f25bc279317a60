"""Where a batch's documents live (the collection names are the package's)."""

from __future__ import annotations

from google.cloud import firestore

from tailrun_functions import store
from tailrun_functions.batches import BATCH_SECRETS, BATCH_SLOTS, BATCHES, ROWS


def batch_ref(db: firestore.Client, batch_id: str) -> store.DocRef:
    return db.collection(BATCHES).document(batch_id)


def rows_of(db: firestore.Client, batch_id: str) -> firestore.CollectionReference:
    rows: firestore.CollectionReference = batch_ref(db, batch_id).collection(ROWS)
    return rows


def row_ref(db: firestore.Client, batch_id: str, row: int) -> store.DocRef:
    """Row ids are the row's number with six digits, so ``__name__`` order is row order."""
    ref: store.DocRef = rows_of(db, batch_id).document(f"{row:06d}")
    return ref


def secrets_ref(db: firestore.Client, batch_id: str) -> store.DocRef:
    return db.collection(BATCH_SECRETS).document(batch_id)


def slot_ref(db: firestore.Client, batch_id: str, k: int) -> store.DocRef:
    return db.collection(BATCH_SLOTS).document(f"{batch_id}-{k}")
