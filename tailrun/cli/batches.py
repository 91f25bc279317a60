"""What the CLI does with batches: create one from a CSV file, read, list, control and export them, and watch one
live, on a connected ``Stack``.

Creating and controlling are calls to the functions (``create_batch``, ``pause_batch``, ``resume_batch``,
``stop_batch``, ``set_batch_concurrency``, ``retry_batch``); the export is their ``GET /export_batch``, streamed to a
file or to stdout. Reading is Firestore: ``batches/{batch_id}`` and its ``rows`` (its workspace's members read them), and,
while a batch is watched on a terminal, the documents of the jobs its shown rows run (their current step).

Watching (``watch``): listeners on the batch document, on its rows (in row order) and on the running rows' jobs put
their snapshots on one queue; the thread that reads the queue keeps the ``BatchState`` and draws it, so the display
needs no locks (as ``tailrun.cli.follow`` does for one job). It ends when the batch has stopped or completed, or
has paused itself (its failure guard) with nothing left running: there is nothing more to watch until someone
resumes it.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

import requests

from tailrun import settings
from tailrun.cli.batch_render import (
    ENDED_ROW,
    FINISHED,
    RUNNING_ROW,
    RUNNING_SHOWN,
    BatchState,
    all_succeeded,
    counts_of,
    ended_count,
    running_rows,
)
from tailrun.cli.client import Stack
from tailrun.errors import RequestRefused, StackNotRunning, TailrunError

if TYPE_CHECKING:
    from tailrun.cli.batch_render import BatchDisplay

logger = logging.getLogger(__name__)

# the collections of ``tailrun_functions.batches`` (BATCHES, ROWS), spelled here too so that the CLI's commands that
# only call the functions never import the functions' package
BATCHES: Final = "batches"  # batches/{batch_id}
ROWS: Final = "rows"  # batches/{batch_id}/rows/{row:06d}
JOBS: Final = "jobs"
BATCH_ID = re.compile(r"^[0-9a-f]{32}$")  # what create_batch names a batch (uuid4().hex)
BATCHES_LIMIT = 20  # batches listed by `tailrun batch list` by default
EXPORT_CHUNK_BYTES = 64 * 1024  # bytes of an export written at a time
END_GRACE_S = (
    5.0  # seconds a finished batch waits for its final stats and its rows' listener (the last rows' lines)
)
POLL_S = 0.25  # seconds between two redraws of the live view when nothing changes (its clocks tick)


class ExportFormat(StrEnum):
    """What `tailrun batch export` writes: CSV (the input columns, then the results') or JSON lines."""

    CSV = "csv"
    JSONL = "jsonl"


class BatchNotFound(TailrunError):
    """The id names no batch the user can see (someone else's batch is not found either)."""

    def __init__(self, batch_id: str) -> None:
        super().__init__(f"There is no batch {batch_id!r}. List your batches with `tailrun batch list`.")


def check_batch_id(batch_id: str) -> str:
    """A batch id as create_batch makes them (32 hex characters), or an error that says so."""
    if not BATCH_ID.match(batch_id):
        raise TailrunError(
            f"{batch_id!r} is not a batch id (32 hex characters). List your batches with `tailrun batch list`."
        )
    return batch_id


def read_rows_file(path: Path, stdin: IO[bytes] | None = None) -> str:
    """The text of a CSV file (``-``: standard input) as create_batch takes it: UTF-8, a byte-order mark dropped
    (spreadsheets write one; it would become part of the first column's name)."""
    try:
        data = (stdin or sys.stdin.buffer).read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        raise TailrunError(f"Cannot read the rows file {str(path)!r}: {exc.strerror or exc}.") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TailrunError(
            f"The rows file {str(path)!r} is not UTF-8 text (byte {exc.start}, line {line}): save it as CSV UTF-8."
        ) from None
    if not text.strip():
        raise TailrunError(f"The rows file {str(path)!r} is empty: it needs a header row and a row per job.")
    return text


@dataclass(frozen=True)
class BatchOptions:
    """What `tailrun batch run` sets beside the rows and the command: the batch's own options."""

    concurrency: int | None = None
    sample: int | None = None
    max_failures: int | None = None
    max_failure_rate: float | None = None
    name: str | None = None
    idempotency_key: str | None = None

    def __post_init__(self) -> None:
        for option, value in (
            ("--concurrency", self.concurrency),
            ("--sample", self.sample),
            ("--max-failures", self.max_failures),
        ):
            if value is not None and value < 1:
                raise TailrunError(f"{option} must be at least 1, got {value}.")
        rate = self.max_failure_rate
        if rate is not None and not 0 < rate <= 1:
            raise TailrunError(
                f"--max-failure-rate is a fraction of the rows that ended, above 0 and at most 1 (0.2 pauses "
                f"the batch once a fifth of its rows failed), got {rate}."
            )

    def fields(self) -> dict[str, Any]:
        """The options given, as create_batch's fields."""
        return {key: value for key, value in vars(self).items() if value is not None}


def create_body(rows_text: str, job: dict[str, Any], options: BatchOptions) -> dict[str, Any]:
    """create_batch's body: the CSV text, the job template (create_job's fields, ``argv`` or ``prompt`` with
    ``{column}`` placeholders) and the batch's options."""
    return {"csv": rows_text, **job, **options.fields()}


@dataclass(frozen=True)
class Created:
    """What create_batch answered: the batch's id and how many rows it runs."""

    batch_id: str
    total: int


def create(stack: Stack, body: dict[str, Any]) -> Created:
    """Create a batch through ``create_batch``."""
    answer = stack.call("create_batch", body)
    batch_id, total = answer.get("batch_id"), answer.get("total")
    if not isinstance(batch_id, str) or not isinstance(total, int):
        raise TailrunError(
            "The stack accepted the batch but did not say its id; see `tailrun batch list`.",
            detail=f"create_batch answered {answer!r}",
        )
    return Created(batch_id, total)


def _batch_call(stack: Stack, function: str, batch_id: str, **fields: Any) -> dict[str, Any]:
    """Call one of the batch controls; its answer (``{"batch": …}``), a refusal as a sentence."""
    try:
        return stack.call(function, {"batch_id": check_batch_id(batch_id), **fields})
    except RequestRefused as refused:
        if refused.code == "batch_not_found":
            raise BatchNotFound(batch_id) from None
        if refused.code == "batch_stopped":
            raise TailrunError(
                f"Batch {batch_id} is stopped: a stopped batch cannot run again. Run its failed rows again with "
                f"`tailrun batch retry {batch_id}`, or start a new batch.",
                detail=refused.detail,
            ) from None
        raise


def _answered_batch(answer: dict[str, Any], function: str) -> dict[str, Any]:
    batch = answer.get("batch")
    if not isinstance(batch, dict):
        raise TailrunError(
            "The stack did the change but did not answer with the batch; see `tailrun batch status`.",
            detail=f"{function} answered {answer!r}",
        )
    return batch


def pause(stack: Stack, batch_id: str) -> dict[str, Any]:
    """Pause a batch (no new row starts; running jobs finish); the batch as the function answers it."""
    return _answered_batch(_batch_call(stack, "pause_batch", batch_id), "pause_batch")


def resume(stack: Stack, batch_id: str) -> dict[str, Any]:
    """Resume a paused batch; the batch."""
    return _answered_batch(_batch_call(stack, "resume_batch", batch_id), "resume_batch")


def stop(stack: Stack, batch_id: str, *, reason: str | None, cancel_running: bool) -> dict[str, Any]:
    """Stop a batch: its queued rows are canceled, and its running jobs too unless ``cancel_running`` is false."""
    fields: dict[str, Any] = {"cancel_running": cancel_running}
    if reason is not None:
        fields["reason"] = reason
    return _answered_batch(_batch_call(stack, "stop_batch", batch_id, **fields), "stop_batch")


def set_concurrency(stack: Stack, batch_id: str, concurrency: int) -> dict[str, Any]:
    """Change how many of the batch's rows run at once, now; the batch."""
    if concurrency < 1:
        raise TailrunError(f"The concurrency must be at least 1, got {concurrency}.")
    answer = _batch_call(stack, "set_batch_concurrency", batch_id, concurrency=concurrency)
    return _answered_batch(answer, "set_batch_concurrency")


def retry(stack: Stack, batch_id: str) -> tuple[dict[str, Any], int]:
    """Run the batch's failed, timed-out and canceled rows again, as new jobs; the batch and how many rows."""
    answer = _batch_call(stack, "retry_batch", batch_id)
    retried = answer.get("retried")
    return _answered_batch(answer, "retry_batch"), retried if isinstance(retried, int) else 0


def get_batch(stack: Stack, batch_id: str) -> dict[str, Any]:
    """The batch document (with its ``id``), or ``BatchNotFound``."""
    from google.api_core import exceptions as google_exceptions

    try:
        snapshot = stack.firestore.collection(BATCHES).document(check_batch_id(batch_id)).get()
    except google_exceptions.PermissionDenied:
        raise BatchNotFound(batch_id) from None
    if not snapshot.exists:
        raise BatchNotFound(batch_id)
    return {"id": snapshot.id, **(snapshot.to_dict() or {})}


def list_batches(
    stack: Stack, *, limit: int = BATCHES_LIMIT, workspace_id: str | None = None
) -> list[dict[str, Any]]:
    """Up to ``limit`` of the workspace's batches (``workspace_id``, else the current one), newest first (one
    bounded query: ``workspace_id``, the constraint the security rules need, ``created_at`` desc)."""
    from google.cloud.firestore import Query
    from google.cloud.firestore_v1.base_query import FieldFilter

    from tailrun.cli import workspaces

    if limit < 1:
        raise TailrunError(f"--limit must be at least 1, got {limit}.")
    query = (
        stack.firestore.collection(BATCHES)
        .where(filter=FieldFilter("workspace_id", "==", workspaces.current(stack, workspace_id)))
        .order_by("created_at", direction=Query.DESCENDING)
        .limit(limit)
    )
    return [{"id": snapshot.id, **(snapshot.to_dict() or {})} for snapshot in query.stream()]


def export(stack: Stack, batch_id: str, fmt: ExportFormat, output: Path | None) -> Path | None:
    """Stream ``GET /export_batch`` to ``output`` (written through a temporary file beside it, so a failed export
    leaves no partial file) or, without one, to stdout; the path written."""
    check_batch_id(batch_id)
    if output is not None and not output.absolute().parent.is_dir():
        raise TailrunError(f"Cannot write {output}: the folder {output.absolute().parent} does not exist.")
    with _Stream(stack, "export_batch", {"batch_id": batch_id, "format": fmt.value}) as chunks:
        if output is None:
            for chunk in chunks:
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            return None
        _write_through_temporary(output, chunks)
    return output


def _write_through_temporary(target: Path, chunks: Iterator[bytes]) -> None:
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.absolute().parent)
    try:
        with os.fdopen(descriptor, "wb") as sink:
            for chunk in chunks:
                sink.write(chunk)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class _Stream:
    """A streamed GET of one of the stack's functions: its body's chunks, or its refusal as a sentence."""

    def __init__(self, stack: Stack, function: str, params: dict[str, str]) -> None:
        self.stack, self.function, self.params = stack, function, params
        self.response: requests.Response | None = None

    def __enter__(self) -> Iterator[bytes]:
        url = f"{self.stack.config.url}/{self.function}"
        try:
            self.response = requests.get(
                url,
                params=self.params,
                headers={"Authorization": f"Bearer {self.stack.config.bearer()}"},
                stream=True,
                timeout=settings.HTTP_TIMEOUT_S,
            )
        except requests.RequestException as exc:
            raise StackNotRunning(self.stack.config.url, "no answer", detail=f"GET {url}: {exc}") from None
        if self.response.status_code != 200:
            self._refused(self.response)
        return self._chunks(self.response)

    def _chunks(self, response: requests.Response) -> Iterator[bytes]:
        try:
            yield from response.iter_content(EXPORT_CHUNK_BYTES)
        except requests.RequestException as exc:
            raise TailrunError(
                f"The {self.function.replace('_', ' ')} was cut off; try again.", detail=str(exc)
            ) from None

    def _refused(self, response: requests.Response) -> None:
        try:
            payload = response.json()
        except ValueError:
            payload = None
        error = payload.get("error") if isinstance(payload, dict) else None
        if not isinstance(error, dict):
            raise TailrunError(
                f"The stack at {self.stack.config.url} gave an answer tailrun cannot read: check that TAILRUN_URL "
                "points at a tailrun stack of this version.",
                detail=f"{self.function} answered HTTP {response.status_code}: {response.text[:200]!r}",
            )
        code = str(error.get("code", "unknown"))
        if response.status_code == 404 and code == "batch_not_found":
            raise BatchNotFound(self.params.get("batch_id", ""))
        raise RequestRefused(self.function, response.status_code, code, str(error.get("message", "")))

    def __exit__(self, *_exc: object) -> None:
        if self.response is not None:
            self.response.close()


class BatchWatch:
    """Listeners on ``batches/{id}``, its ``rows`` (in row order) and the documents of the jobs it is asked to
    follow, whose snapshots land on one queue as ``("batch", doc|None)``, ``("rows", (docs, first))`` and
    ``("job", (job_id, doc|None))``."""

    def __init__(self, db: Any, batch_id: str) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._db = db
        self._batch_ref = db.collection(BATCHES).document(batch_id)
        self._watches: list[Any] = []
        self._jobs: dict[str, Any] = {}
        self._rows_seen = threading.Event()

    def start(self) -> None:
        """Open the batch's and its rows' listeners."""
        self._watches.append(self._batch_ref.on_snapshot(self._on_batch))
        rows = self._batch_ref.collection(ROWS).order_by("row")
        self._watches.append(rows.on_snapshot(self._on_rows))

    def follow_jobs(self, job_ids: set[str]) -> None:
        """Listen to exactly these jobs' documents (opening and closing listeners as the running rows change)."""
        for job_id in set(self._jobs) - job_ids:
            self._jobs.pop(job_id).unsubscribe()
        for job_id in job_ids - set(self._jobs):
            self._jobs[job_id] = self._db.collection(JOBS).document(job_id).on_snapshot(self._on_job(job_id))

    def stop(self) -> None:
        """Close every listener."""
        for watch in [*self._watches, *self._jobs.values()]:
            watch.unsubscribe()
        self._watches.clear()
        self._jobs.clear()

    def _on_batch(self, docs: list[Any], _changes: Any, _read_time: Any) -> None:
        for doc in docs:
            self.events.put(("batch", doc.to_dict() if doc.exists else None))

    def _on_rows(self, _docs: Any, changes: list[Any], _read_time: Any) -> None:
        first = not self._rows_seen.is_set()
        self._rows_seen.set()
        found = [
            change.document.to_dict() or {} for change in changes if change.type.name in ("ADDED", "MODIFIED")
        ]
        self.events.put(("rows", (found, first)))

    def _on_job(self, job_id: str) -> Callable[[list[Any], Any, Any], None]:
        def on_snapshot(docs: list[Any], _changes: Any, _read_time: Any) -> None:
            for doc in docs:
                self.events.put(("job", (job_id, doc.to_dict() if doc.exists else None)))

        return on_snapshot


def apply(state: BatchState, kind: str, payload: Any) -> None:
    """Take one snapshot into the state: the batch document, rows (a row that ends after the first snapshot of
    the rows is added to ``state.ended``), or a followed job's document."""
    if kind == "batch":
        if payload is not None:
            state.batch = payload
        return
    if kind == "job":
        job_id, job = payload
        if job is None:
            state.jobs.pop(job_id, None)
        else:
            state.jobs[job_id] = job
        return
    rows, first = payload
    for row in rows:
        number = row.get("row")
        if not isinstance(number, int):
            continue
        before = state.rows.get(number, {}).get("status")
        state.rows[number] = row
        if (not first or state.new_batch) and row.get("status") in ENDED_ROW and before not in ENDED_ROW:
            state.ended.append(row)


def watched_jobs(state: BatchState) -> set[str]:
    """The jobs whose documents the live view needs: those of the running rows it shows."""
    return {str(row["job_id"]) for row in running_rows(state.rows)[:RUNNING_SHOWN] if row.get("job_id")}


def finished(state: BatchState) -> bool:
    """Whether there is nothing more to watch: the batch stopped or completed, or paused itself (its failure
    guard: ``paused_reason``) with no row left running."""
    batch = state.batch or {}
    status = batch.get("status")
    if status in FINISHED:
        return True
    return status == "paused" and bool(batch.get("paused_reason")) and counts_of(batch)["running"] == 0


def settled(state: BatchState) -> bool:
    """Whether a finished batch's document has its final stats: the functions say so (``stats_final``), or its
    counts add up (no row queued or running; every row counted as ended). Its status can turn before its stats,
    which are recomputed at most about once a second and exact once the batch has been quiet 2 s."""
    batch = state.batch or {}
    if batch.get("stats_final") is True:
        return True
    counts = counts_of(batch)
    if batch.get("status") == "paused":
        return counts["running"] == 0
    # Counts that add up are current only if recomputed after the batch ended: a retried batch's counts from
    # before the retry add up too (its rows counted as failed) until the next recomputation.
    stats_at, ended_at = batch.get("stats_at"), batch.get("ended_at")
    current = not isinstance(stats_at, datetime) or not isinstance(ended_at, datetime) or stats_at >= ended_at
    return (
        current
        and counts["queued"] == 0
        and counts["running"] == 0
        and ended_count(counts) == counts["total"]
    )


def rows_caught_up(state: BatchState) -> bool:
    """Whether the rows' listener has caught up with a finished batch: no row it holds is queued or running
    (a stopped or completed batch has none; one that paused itself, none running)."""
    status = (state.batch or {}).get("status")
    waiting = RUNNING_ROW if status == "paused" else RUNNING_ROW | {"queued"}
    return bool(state.rows) and not any(row.get("status") in waiting for row in state.rows.values())


def watch(
    stack: Stack,
    batch_id: str,
    display: BatchDisplay,
    interrupted: threading.Event | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    new_batch: bool = False,
) -> dict[str, Any]:
    """Show a batch live until there is nothing more to watch (``finished``); the last batch document.
    ``new_batch``: the batch was just created by this command, so every row that ended is news (see ``BatchState``).

    ``interrupted`` (set by a SIGINT handler) raises ``KeyboardInterrupt`` here, between two redraws.
    """
    get_batch(stack, batch_id)  # a clear "no such batch" before any listener
    state = BatchState(batch_id, new_batch=new_batch)
    listeners = BatchWatch(stack.firestore, batch_id)
    listeners.start()
    finished_at: float | None = None
    try:
        with display:
            while True:
                if interrupted is not None and interrupted.is_set():
                    interrupted.clear()
                    raise KeyboardInterrupt
                _take_events(listeners, state)
                if display.interactive:
                    listeners.follow_jobs(watched_jobs(state))
                display.show(state, datetime.now(UTC), clock())
                if finished(state):
                    finished_at = clock() if finished_at is None else finished_at
                    caught_up = settled(state) and rows_caught_up(state)
                    if caught_up or clock() - finished_at >= END_GRACE_S:
                        display.flush(state, datetime.now(UTC))
                        return {"id": batch_id, **(state.batch or {})}
                else:
                    finished_at = None
    finally:
        listeners.stop()


def _take_events(listeners: BatchWatch, state: BatchState) -> None:
    """Wait up to ``POLL_S`` for a snapshot, then take every one that is waiting."""
    try:
        kind, payload = listeners.events.get(timeout=POLL_S)
    except queue.Empty:
        return
    apply(state, kind, payload)
    while True:
        try:
            kind, payload = listeners.events.get_nowait()
        except queue.Empty:
            return
        apply(state, kind, payload)


def exit_code(batch: dict[str, Any]) -> int:
    """What `tailrun batch run` and `watch` end with: 0 when the batch completed with every row succeeded, else 1."""
    return 0 if all_succeeded(batch) else 1
