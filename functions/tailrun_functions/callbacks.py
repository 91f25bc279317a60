"""job_callback: the runner's messages become chunk documents and job updates (invariants 1–4).

Every message is handled in one transaction that reads the attempt's token document first and checks the token
(``admission.admit``) before it reads anything else (the job, the attempt, a chunk): a bad, superseded or finished
attempt writes nothing, and no document under ``jobs/`` is read for an unauthenticated message (a job id Firestore
reserves, ``__x__``, never reaches a read). The transaction begins with that read (``fastwrite.run_transaction``),
so an output or a heartbeat costs two RPCs: the token's read and the commit. A ``claim`` (a cloud runner asking
for its job, see ``claim.py``) is verified by its Google ID token instead. Output is stored once per
``(attempt, seq)``: the chunk is created with Firestore's ``exists: false`` precondition, so a redelivered batch
fails that commit whole (``ALREADY_EXISTS``: nothing written) and is acknowledged; no read of the chunk is needed.
The job document is rewritten at most about once per ``job_write_interval_s`` by output, heartbeats and progress
(what waits is written with the next flush: progress kept in the token document, output read from its newest
chunk); ``started`` and ``completed`` always write. A batch that waits writes only its chunk: the token document
notes the ``seq`` of each flush (``flushed_seq``), so the next flush knows whether a message came in between and
only then reads the newest chunk. A flush looks for the newest state among the chunks only when the newest chunk
has none and the job document already shows a state (the runner sends the state with every batch after the
attempt's first event, so for it that query never runs; it is for a runner that does not); ``completed`` always
looks.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

from google.api_core import exceptions
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from tailrun_functions import attempts, claim, clock, defaults, events, fastwrite, reaper, schema, store
from tailrun_functions.admission import Admission, admit
from tailrun_functions.batches import endings as batch_endings
from tailrun_functions.documents import TailLine, TokenDoc, TokenState
from tailrun_functions.models import (
    Artifact,
    CallbackMessage,
    Claim,
    Completed,
    Heartbeat,
    Line,
    Output,
    Progress,
    Started,
    dump,
)
from tailrun_functions.services import Services
from tailrun_functions.states import JobStatus, check_transition

logger = logging.getLogger(__name__)

# The numbered messages (every type but ``claim``): what ``admit`` checks against the attempt's token.
Numbered = Started | Output | Heartbeat | Progress | Completed | Artifact


def handle(svc: Services, token: str, message: CallbackMessage) -> dict[str, Any]:
    """Apply one message; answers ``{"ack": seq}`` (duplicates too) or raises the 4xx of invariant 3.

    When the message left something waiting for the job document (output counters, progress: see ``_flush``),
    the answer adds ``flush_in_ms``: a message sent after that long writes it. The runner then sends a heartbeat
    at that time if nothing else goes, so what waits reaches watchers within about the write interval instead
    of at the next regular heartbeat. A claim answers the attempt's job instead (``claim.handle``)."""
    if isinstance(message, Claim):
        return claim.handle(svc, token, message)
    handler = _HANDLERS[type(message)]
    waiting_s = handler(svc, token, message)
    if waiting_s is None:
        return {"ack": message.seq}
    return {"ack": message.seq, "flush_in_ms": max(math.ceil(waiting_s * 1000), defaults.MIN_FLUSH_IN_MS)}


def _refs(svc: Services, message: Numbered) -> tuple[store.DocRef, store.DocRef, store.DocRef]:
    db = svc.db
    return (
        store.token_ref(db, message.job_id, message.attempt),
        store.job_ref(db, message.job_id),
        store.attempt_ref(db, message.job_id, message.attempt),
    )


def _due(token_doc: TokenDoc, svc: Services) -> bool:
    """Whether the job document may be rewritten now (coalescing to about one write per interval).

    A wait shorter than the shortest flush hint (``MIN_FLUSH_IN_MS``) is not worth a message of its own: the job
    document is written now. So a runner spacing its batches by the interval (``TAILRUN_BATCH_HEAVY_INTERVAL_MS``)
    has each of them written at once despite a few milliseconds of jitter, instead of every other one waiting for
    a heartbeat 50 ms later."""
    return _wait_s(token_doc, svc) * 1000 < defaults.MIN_FLUSH_IN_MS


def _may_have_waited(token_doc: TokenDoc, message: Numbered) -> bool:
    """Whether output may have been stored since the job document was last written: a message came between the
    last flush (``flushed_seq``) and this one. Before the attempt's first flush nothing can wait (every message is
    due until then); a token written before ``flushed_seq`` existed that has been flushed answers yes."""
    flushed = token_doc.get("flushed_seq")
    if flushed is None:
        return token_doc.get("job_written_at") is not None
    return message.seq > int(flushed) + 1 or bool(token_doc.get("output_pending"))


def _wait_s(token_doc: TokenDoc, svc: Services) -> float:
    """Seconds until the job document may be rewritten (0 or less: now)."""
    since = clock.seconds_since(store.when(token_doc.get("job_written_at")))
    return svc.settings.job_write_interval_s - since


def _flush(
    t: firestore.Transaction,
    svc: Services,
    message: Numbered,
    token_doc: TokenDoc,
    fields: dict[str, Any],
    token_fields: dict[str, Any] | None = None,
    lines: list[dict[str, Any]] | None = None,
) -> None:
    """Write the job document (with the progress and output counters that waited) and note when, in the token
    document. ``lines``: the stored lines of the output message that flushes (its tail follows what waited)."""
    token_ref, job_ref, _ = _refs(svc, message)
    now = clock.now()
    update: dict[str, Any] = {
        "updated_at": now,
        "last_heartbeat_at": now,
        "last_seq": firestore.Maximum(message.seq),
    }
    token_update: dict[str, Any] = {
        "job_written_at": now,
        "flushed_seq": firestore.Maximum(message.seq),  # a late message never moves it back
        "pending_progress": None,
        "output_pending": False,
    }
    if token_doc.get("pending_progress") is not None:
        update.update(progress=token_doc["pending_progress"], progress_at=now)
    # an output's own lines, tail and state are newer than anything that waited: then nothing is read (unless its
    # lines are too few for a whole tail and follow lines that waited)
    whole_tail = lines is not None and (
        len(lines) >= defaults.TAIL_LINES or _follows(token_doc.get("tail") or [], lines)
    )
    covered = (
        {"lines", "tail", "last_output_at"} <= fields.keys()
        and whole_tail
        and ("events" in fields or not _state_may_be_older(token_doc))
    )
    if _may_have_waited(token_doc, message) and not covered:
        waited = _waiting_output(svc, message, token_doc, need_state="events" not in fields)
        if lines and "tail" in waited:  # this batch's lines after those that waited
            tail = merge_tail(waited["tail"], lines)
            fields = {**fields, "tail": tail}
            token_fields = {**(token_fields or {}), "tail": tail}
        # this message's own output and state are newer than what waited: they win
        waited = {name: value for name, value in waited.items() if name not in fields}
        update.update(waited)
        if "tail" in waited:
            token_update["tail"] = waited["tail"]
    update.update(fields)
    if "events" in update:
        token_update["state_events"] = update["events"]
    t.update(job_ref, update)
    t.update(token_ref, {**token_update, **(token_fields or {})})


CHUNK_OUTPUT_FIELDS = [
    "seq",
    "lines",
    "first_line",
    "line_count",
    "created_at",
    "state",
]  # all but the events


def _state_fields(state: Mapping[str, Any] | None, token_doc: TokenDoc) -> dict[str, Any]:
    """The job fields of a stored chunk's ``state``; none when there is none, or when the job document already
    shows a later one (a batch delivered out of order never takes the state back)."""
    if not state or state["events"] < token_doc.get("state_events", -1):
        return {}
    return {name: state[name] for name in STATE_FIELDS}


STATE_FIELDS = ("events", "current_step", "current_url", "annotations", "usage", "result")


def _waiting_output(
    svc: Services, message: Numbered, token_doc: TokenDoc, *, need_state: bool = True
) -> dict[str, Any]:
    """The job fields of output stored since the job document was last written: the lines' counters and tail
    from the newest chunks, and the latest state from the newest chunk that has one (looked for only with
    ``need_state``). Nothing when the newest chunk is one the last flush wrote already."""
    newest = _newest_chunks(svc, message.job_id, message.attempt, 1, CHUNK_OUTPUT_FIELDS)
    if not newest:
        return {}
    chunk = newest[-1]
    flushed = token_doc.get("flushed_seq")
    fields: dict[str, Any] = {}
    if flushed is None or int(chunk.get("seq", -1)) > int(flushed):  # else the last flush wrote it already
        fields["last_output_at"] = chunk["created_at"]
        lines = chunk["lines"]
        end = _end_line(chunk)
        if end > 0:
            fields["lines"] = firestore.Maximum(end)
        if lines:
            fields["tail"] = merge_tail(token_doc.get("tail") or [], lines)
        elif end > 0:  # an events-only batch is the newest: the tail is in the chunks before it
            fields["tail"] = _recent_lines(svc, message.job_id, message.attempt)
    if need_state:
        state = chunk.get("state")
        if not state and _state_may_be_older(token_doc):
            state = _newest_state(svc, message.job_id, message.attempt)
        fields.update(_state_fields(state, token_doc))
    return fields


def _state_may_be_older(token_doc: TokenDoc) -> bool:
    """Whether a chunk before the newest (which has no state) may hold a state the job document lacks: only once
    the job document shows one (the runner sends the state with every batch after the attempt's first event, so
    a newest chunk without one then means a runner that does not), or for a token from before ``flushed_seq``.
    A runner that does not, and whose first events wait behind a batch of lines alone, has them written at
    ``completed`` (which always looks)."""
    return token_doc.get("state_events", -1) >= 0 or "flushed_seq" not in token_doc


def _end_line(chunk: Mapping[str, Any]) -> int:
    """How many lines of the attempt come up to the end of this chunk (an events-only chunk: before its events)."""
    return int(chunk.get("first_line", 0)) + int(chunk.get("line_count", 0))


def _newest_state(svc: Services, job_id: str, attempt: int) -> dict[str, Any] | None:
    """The ``state`` of the attempt's chunk with the most events, the latest (states are cumulative):
    ``where attempt == n order by state.events desc limit 1`` (composite index ``attempt ↑, state.events ↓``;
    chunks without a state have no ``state.events`` and are not in that order)."""
    query = (
        store.job_ref(svc.db, job_id)
        .collection(schema.CHUNKS)
        .where(filter=FieldFilter("attempt", "==", attempt))
        .order_by("state.events", direction=firestore.Query.DESCENDING)
        .select(["state"])
        .limit(1)
    )
    for snapshot in query.stream():
        state = (snapshot.to_dict() or {}).get("state")
        return dict(state) if state else None
    return None


def _capped(line: Line) -> dict[str, Any]:
    """A line as stored, its text cut to the cap (and marked) so a chunk stays well under 1 MiB."""
    stored = dump(line)
    if len(line.text) > defaults.MAX_LINE_CHARS:
        stored["text"] = line.text[: defaults.MAX_LINE_CHARS]
        stored["cut"] = True
    return stored


def _tail_text(line: Mapping[str, Any]) -> TailLine:
    return {"line": line["line"], "stream": line["stream"], "text": line["text"][: defaults.TAIL_LINE_CHARS]}


def _follows(previous: list[TailLine], lines: list[dict[str, Any]]) -> bool:
    """Whether ``lines`` come right after the tail ``previous`` (or are the attempt's first)."""
    first = int(lines[0]["line"]) if lines else 0
    return previous[-1]["line"] + 1 == first if previous else first == 0


def merge_tail(previous: list[TailLine], lines: list[dict[str, Any]]) -> list[TailLine]:
    """The last TAIL_LINES lines: the previous tail joins only if it ends right before these lines."""
    recent = [_tail_text(line) for line in lines[-defaults.TAIL_LINES :]]
    if previous and len(recent) < defaults.TAIL_LINES and previous[-1]["line"] + 1 == lines[0]["line"]:
        recent = [*previous, *recent]
    return recent[-defaults.TAIL_LINES :]


def _newest_chunks(
    svc: Services, job_id: str, attempt: int, limit: int, fields: list[str] | None = None
) -> list[dict[str, Any]]:
    """The attempt's ``limit`` newest chunks, oldest first (only ``fields`` of each, when given: the events of a
    chunk are never needed here, and an events-only chunk then costs next to nothing to read).

    ``where attempt == n order by seq desc`` (composite index ``attempt ↑, seq ↓``): Firestore refuses a
    descending scan of document names alone, so the chunk ids' order cannot be used backwards."""
    query = (
        store.job_ref(svc.db, job_id)
        .collection(schema.CHUNKS)
        .where(filter=FieldFilter("attempt", "==", attempt))
        .order_by("seq", direction=firestore.Query.DESCENDING)
    )
    if fields is not None:
        query = query.select(fields)
    return [snapshot.to_dict() or {} for snapshot in reversed(list(query.limit(limit).stream()))]


# How many of an attempt's newest chunks are read, at most, for its last lines: events-only batches (an agent's
# stream) can follow its last line, and their chunks are read without their events.
TAIL_CHUNK_LIMITS = (1, defaults.TAIL_LINES, 100)


def _recent_chunks(svc: Services, job_id: str, attempt: int) -> list[dict[str, Any]]:
    """The attempt's newest chunks (without events), as few as hold its last ``TAIL_LINES`` lines."""
    chunks: list[dict[str, Any]] = []
    for limit in TAIL_CHUNK_LIMITS:
        chunks = _newest_chunks(svc, job_id, attempt, limit, CHUNK_OUTPUT_FIELDS)
        if len(chunks) < limit or sum(len(chunk["lines"]) for chunk in chunks) >= defaults.TAIL_LINES:
            break
    return chunks


def _recent_lines(svc: Services, job_id: str, attempt: int) -> list[TailLine]:
    lines = [line for chunk in _recent_chunks(svc, job_id, attempt) for line in chunk["lines"]]
    return [_tail_text(line) for line in lines[-defaults.TAIL_LINES :]]


def exact_tail_and_time(svc: Services, job_id: str, attempt: int) -> tuple[list[TailLine], Any]:
    """The attempt's last lines and when its newest chunk was stored (None without output): at completion, so
    that ``last_output_at`` is set for a job whose output all waited for the job document's write interval."""
    chunks = _recent_chunks(svc, job_id, attempt)
    newest_at = chunks[-1].get("created_at") if chunks else None
    lines = [line for chunk in chunks for line in chunk["lines"]]
    return [_tail_text(line) for line in lines[-defaults.TAIL_LINES :]], newest_at


def chunk_document(message: Output, now: Any) -> dict[str, Any]:
    """The chunk of one output message: its lines (cut to the cap), its events and the state after them (design
    §4; the event fields are set, empty, for a batch of lines only). The events are cut to markers, largest first,
    should their storage size not fit the document beside the lines (``events.fit``)."""
    lines = [_capped(line) for line in message.lines]
    state = message.state.job_fields() if message.state is not None else None
    budget = events.chunk_budget(events.storage_size(lines) + events.storage_size(state))
    stored = events.fit(message.stored_events(), budget)
    first_line = lines[0]["line"] if lines else message.events[0].at_line
    return {
        "attempt": message.attempt,
        "seq": message.seq,
        "first_line": first_line,
        "line_count": len(lines),
        "lines": lines,
        # a batch of lines alone says how many events came before it when it carries the state (the runner sends
        # it in every batch once the attempt has had an event): readers then hold its lines for a late batch of
        # events
        "first_event": stored[0]["event"] if stored else (message.state.events if message.state else 0),
        "event_count": len(stored),
        "events": stored,
        "state": state,
        "created_at": now,
    }


def _output(svc: Services, token: str, message: Output) -> float | None:
    token_ref = store.token_ref(svc.db, message.job_id, message.attempt)
    chunk_ref = store.chunk_ref(svc.db, message.job_id, message.attempt, message.seq)

    def store_batch(t: firestore.Transaction, token_snapshot: store.Snapshot) -> float | None:
        token_doc = store.token_doc(token_snapshot)
        if admit(token_doc, token, message.attempt, message.seq) is Admission.DUPLICATE:
            return None
        now = clock.now()
        chunk = chunk_document(message, now)
        fastwrite.create(t, chunk_ref, chunk)
        if _due(token_doc, svc):
            fields: dict[str, Any] = {"last_output_at": now}
            token_fields: dict[str, Any] = {}
            if chunk["lines"]:
                tail = merge_tail(token_doc.get("tail") or [], chunk["lines"])
                fields.update(lines=firestore.Maximum(_end_line(chunk)), tail=tail)
                token_fields["tail"] = tail
            fields.update(_state_fields(chunk["state"], token_doc))
            _flush(t, svc, message, token_doc, fields, token_fields, chunk["lines"])
            return None
        return _wait_s(
            token_doc, svc
        )  # the chunk alone: the next flush sees the gap in seq, reads the newest chunk

    try:
        waiting: float | None = fastwrite.run_transaction(svc.db, token_ref, store_batch)
    except exceptions.AlreadyExists:  # a redelivery: its chunk was stored (and acknowledged) before
        return None
    return waiting


def _heartbeat(svc: Services, token: str, message: Heartbeat) -> float | None:
    token_ref = store.token_ref(svc.db, message.job_id, message.attempt)

    def beat(t: firestore.Transaction, token_snapshot: store.Snapshot) -> float | None:
        token_doc = store.token_doc(token_snapshot)
        if admit(token_doc, token, message.attempt, message.seq) is Admission.DUPLICATE:
            return None
        if _due(token_doc, svc):
            _flush(t, svc, message, token_doc, {})
            return None
        waiting = _may_have_waited(token_doc, message) or token_doc.get("pending_progress") is not None
        return _wait_s(token_doc, svc) if waiting else None

    waiting: float | None = fastwrite.run_transaction(svc.db, token_ref, beat)
    return waiting


def _progress(svc: Services, token: str, message: Progress) -> float | None:
    token_ref = store.token_ref(svc.db, message.job_id, message.attempt)
    progress = {"percent": message.percent, "step": message.step}

    def record(t: firestore.Transaction, token_snapshot: store.Snapshot) -> float | None:
        token_doc = store.token_doc(token_snapshot)
        if (
            admit(token_doc, token, message.attempt, message.seq) is Admission.DUPLICATE
            or message.seq <= token_doc["progress_seq"]
        ):
            return None
        if _due(token_doc, svc):
            fields = {"progress": progress, "progress_at": clock.now()}
            _flush(t, svc, message, token_doc, fields, {"progress_seq": message.seq})
            return None
        t.update(token_ref, {"pending_progress": progress, "progress_seq": message.seq})
        return _wait_s(token_doc, svc)

    waiting: float | None = fastwrite.run_transaction(svc.db, token_ref, record)
    return waiting


def _to_running(job: dict[str, Any]) -> bool:
    """Walk the job to running through the machine (a fast runner may report before the launch is recorded).

    Returns False when the job is not waiting for this attempt to run (already running, or ended)."""
    status = JobStatus(job["status"])
    if status is JobStatus.QUEUED:
        check_transition(status, JobStatus.BOOTING)
        status = JobStatus.BOOTING
    if status is not JobStatus.BOOTING:
        return False
    check_transition(status, JobStatus.RUNNING)
    return True


def _started(svc: Services, token: str, message: Started) -> None:
    token_ref, job_ref, attempt_ref = _refs(svc, message)

    def start(t: firestore.Transaction, token_snapshot: store.Snapshot) -> None:
        token_doc = store.token_doc(token_snapshot)
        if admit(token_doc, token, message.attempt, message.seq) is Admission.DUPLICATE:
            return
        job, attempt_doc = store.read_all(t, [job_ref, attempt_ref])
        if "sandbox" in attempt_doc:
            return
        now = clock.now()
        attempt_fields: dict[str, Any] = {"sandbox": message.sandbox, "started_at": now}
        running = token_doc["state"] == TokenState.LIVE and _to_running(job)
        if running:
            attempt_fields["status"] = JobStatus.RUNNING.value
        t.update(attempt_ref, attempt_fields)
        if running:
            fields = {
                "status": JobStatus.RUNNING.value,
                "attempt_started_at": now,
                "started_at": job.get("started_at") or now,
            }
            _flush(t, svc, message, token_doc, fields)
            batch_endings.job_running(t, svc.db, job)

    fastwrite.run_transaction(svc.db, token_ref, start)


def _how_it_exited(message: Completed) -> str:
    """``exited with code 3``, ``was killed by SIGKILL``, or ``ended`` when the runner could not tell."""
    if message.signal:
        return f"was killed by {message.signal}"
    if message.exit_code is not None:
        return f"exited with code {message.exit_code}"
    return "ended"


def _ending_of(message: Completed, spec: Mapping[str, Any]) -> attempts.Ending:
    """How the runner's ``completed`` ends the attempt, each reason said once in one sentence:

    - ``timeout`` / ``idle_timeout``: the runner ended the job at its limit → timed_out, in the reaper's words;
    - ``stopped``: the runner was told to stop (the local stack shutting down; Cloud Run stopping the task) →
      failed whatever the job's exit code, since the job did not finish on its own;
    - ``canceled``: → canceled (the cancel usually ended the attempt first, and this changes nothing);
    - ``exited``: succeeded for 0, else failed by its exit code or its signal.
    """
    how = _how_it_exited(message)
    if message.reason in ("timeout", "idle_timeout"):
        kind = reaper.VerdictKind.OVERDUE if message.reason == "timeout" else reaper.VerdictKind.IDLE
        status, code, template = reaper.ENDINGS[kind]
        return attempts.Ending(status, code, f"the job {template.format(**spec)}")
    if message.reason == "stopped":
        return attempts.Ending(
            JobStatus.FAILED, "stopped", f"the sandbox was shut down while the job ran; it {how}"
        )
    if message.reason == "canceled":
        return attempts.Ending(JobStatus.CANCELED, "canceled", f"the job was canceled; it {how}")
    if message.exit_code == 0 and not message.signal:
        return attempts.Ending(JobStatus.SUCCEEDED, "none", how)
    if message.signal:
        return attempts.Ending(JobStatus.FAILED, "signal", f"killed by {message.signal}")
    return attempts.Ending(JobStatus.FAILED, "exit_code", how)


def _completed(svc: Services, token: str, message: Completed) -> None:
    token_ref, job_ref, attempt_ref = _refs(svc, message)
    result = {"exit_code": message.exit_code, "signal": message.signal}
    attempt_fields = {
        **result,
        "duration_ms": message.duration_ms,
        "lines": message.lines,
        "reason": message.reason,
    }

    def complete(t: firestore.Transaction, token_snapshot: store.Snapshot) -> attempts.Outcome | None:
        token_doc = store.token_doc(token_snapshot)
        if admit(token_doc, token, message.attempt, message.seq) is Admission.DUPLICATE:
            return None
        job = store.data(job_ref.get(transaction=t))
        now = clock.now()
        # only once the token is checked: it reads chunks
        tail, last_output_at = exact_tail_and_time(svc, message.job_id, message.attempt)
        job_fields: dict[str, Any] = {
            **result,
            "lines": message.lines,
            "tail": tail,
            "last_seq": firestore.Maximum(message.seq),
        }
        if (
            last_output_at is not None
        ):  # output that waited for the write interval is dated here at the latest
            job_fields["last_output_at"] = last_output_at
        job_fields.update(_state_fields(_newest_state(svc, message.job_id, message.attempt), {}))
        job_fields.update({"updated_at": now, "last_heartbeat_at": now})
        if token_doc.get("pending_progress") is not None:
            job_fields.update(progress=token_doc["pending_progress"], progress_at=now)
        outcome = None
        if token_doc["state"] == TokenState.LIVE and not JobStatus(job["status"]).terminal:
            if _to_running(job):
                job = {**job, "status": JobStatus.RUNNING.value}
            ending = _ending_of(message, job["spec"])
            outcome = attempts.apply_ending(t, svc, message.job_id, job, ending, job_fields, attempt_fields)
        else:
            t.update(job_ref, job_fields)
            t.update(attempt_ref, attempt_fields)
        t.update(
            token_ref,
            {
                "state": TokenState.COMPLETED.value,
                "completed_seq": message.seq,
                "job_written_at": now,
                "pending_progress": None,
            },
        )
        return outcome

    outcome = fastwrite.run_transaction(svc.db, token_ref, complete)
    attempts.continue_after(svc, message.job_id, message.attempt, outcome)


def _artifact(svc: Services, token: str, message: Artifact) -> None:
    """An uploaded file is already recorded (by ``finalize_artifact``); a failed one is noted on its attempt,
    in ``artifact_errors``, so the user learns why a file is missing. Idempotent: a resend adds nothing."""
    token_ref, _, attempt_ref = _refs(svc, message)
    if message.error is None:
        admit(store.token_doc(token_ref.get()), token, message.attempt, message.seq)
        return
    entry = {"seq": message.seq, "name": message.name, **message.error.model_dump()}

    def note(t: firestore.Transaction, token_snapshot: store.Snapshot) -> None:
        token_doc = store.token_doc(token_snapshot)
        if admit(token_doc, token, message.attempt, message.seq) is Admission.DUPLICATE:
            return
        attempt = store.data(attempt_ref.get(transaction=t))
        noted = attempt.get("artifact_errors") or []
        if entry in noted or len(noted) >= defaults.MAX_ARTIFACT_ERRORS:
            return
        t.update(attempt_ref, {"artifact_errors": firestore.ArrayUnion([entry])})

    fastwrite.run_transaction(svc.db, token_ref, note)
    logger.warning(
        "job %s attempt %d: artifact %r not uploaded: %s",
        message.job_id,
        message.attempt,
        message.name,
        message.error.message,
    )


_HANDLERS: dict[type, Any] = {
    Output: _output,
    Heartbeat: _heartbeat,
    Progress: _progress,
    Started: _started,
    Completed: _completed,
    Artifact: _artifact,
}
