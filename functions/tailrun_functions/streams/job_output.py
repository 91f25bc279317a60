"""One page of a job's output, for clients that poll (the fallback while a stream is down) or page through a log.

``after_line=N`` returns the lines numbered N, N+1, … (N itself included: it is the ``next_line`` of the page before,
as the stream's ``Last-Event-ID`` is), at most ``limit`` of them, contiguous: a page stops before the first line not
stored yet, so two pages never leave a hole between them. ``next_line`` is where the next page starts; ``complete``
is true once the job has ended and ``next_line`` is the attempt's line count.
"""

from __future__ import annotations

from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from tailrun_functions.schema import ATTEMPTS, CHUNKS, JOBS
from tailrun_functions.states import TERMINAL
from tailrun_functions.streams.ordering import LineAssembler, OutputLine


def page(
    db: Any, job_id: str, job: dict[str, Any], attempt: int, after_line: int, limit: int
) -> dict[str, Any]:
    """Lines ``after_line`` … of ``attempt``, at most ``limit``, with ``next_line`` and ``complete``."""
    assembler = LineAssembler(next_line=after_line)
    lines: list[dict[str, Any]] = []
    chunks = (
        db.collection(JOBS)
        .document(job_id)
        .collection(CHUNKS)
        .where(filter=FieldFilter("attempt", "==", attempt))
        .order_by("seq")
    )
    for snapshot in chunks.stream():
        chunk = snapshot.to_dict() or {}
        first, count = chunk.get("first_line") or 0, chunk.get("line_count") or 0
        if first + count <= after_line:
            continue
        assembler.add(OutputLine.from_dict(raw) for raw in chunk.get("lines") or [])
        for item in assembler.ready():
            lines.append(item.raw)
        if len(lines) >= limit:
            break
    lines = lines[:limit]
    next_line = after_line + len(lines)
    total = _line_count(db, job_id, job, attempt)
    ended = job.get("status") in TERMINAL or attempt < int(job.get("attempt") or 1)
    return {
        "attempt": attempt,
        "lines": lines,
        "next_line": next_line,
        "complete": bool(ended and total is not None and next_line >= total),
    }


def _line_count(db: Any, job_id: str, job: dict[str, Any], attempt: int) -> int | None:
    """The attempt's stored line count: the job document's for the current attempt, its attempt document's else."""
    if attempt == int(job.get("attempt") or 1):
        document = job
    else:
        document = db.collection(JOBS).document(job_id).collection(ATTEMPTS).document(f"{attempt:04d}").get()
        document = document.to_dict() or {}
    value = document.get("lines")
    return value if isinstance(value, int) and not isinstance(value, bool) else None
