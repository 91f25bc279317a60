"""Batches (issue 15): one job per row of a CSV or a list of objects, under a concurrency limit, with live controls,
coalesced stats and an export.

- ``rows``: the CSV and the templates, parsed and checked before anything is written (pure functions);
- ``create``: ``create_batch`` (rows first, in commits of at most 500, the batch document last);
- ``scheduler``: which row starts when (slot documents, one transaction per start), and what a job's ending writes;
- ``controls``: pause, resume, stop, concurrency, retry;
- ``stats``: the batch document's counts, rates and ETA, recomputed from the rows, coalesced;
- ``export``: ``GET /export_batch`` (CSV or JSON lines, streamed).

Documents (``functions/DATA_MODEL.md``): ``batches/{batch_id}`` and ``batches/{batch_id}/rows/{row:06d}``
(their owner reads), ``batch_secrets/{batch_id}`` and ``batch_slots/{batch_id}-{k}`` (server-only).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

BATCHES: Final = "batches"  # batches/{batch_id}
ROWS: Final = "rows"  # batches/{batch_id}/rows/{row:06d}
BATCH_SECRETS: Final = "batch_secrets"  # batch_secrets/{batch_id}: the template's env values
BATCH_SLOTS: Final = "batch_slots"  # batch_slots/{batch_id}-{k}: which job holds slot k


class BatchStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    STOPPING = "stopping"  # stopped, waiting for its running jobs to end
    STOPPED = "stopped"
    COMPLETED = "completed"

    @property
    def ended(self) -> bool:
        return self in (BatchStatus.STOPPED, BatchStatus.COMPLETED)


class RowStatus(StrEnum):
    """A row's ``status``: ``queued`` until it starts, then its job's status (``booting`` from the start
    transaction on); ``canceled`` too for a row a stop canceled before it started."""

    QUEUED = "queued"
    BOOTING = "booting"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"
    TIMED_OUT = "timed_out"


RETRYABLE_ROWS = frozenset({RowStatus.FAILED, RowStatus.TIMED_OUT, RowStatus.CANCELED})
FAILED_ROWS = frozenset(
    {RowStatus.FAILED, RowStatus.TIMED_OUT}
)  # what max_failures and max_failure_rate count
