"""``GET /export_batch?batch_id=…&format=csv|jsonl``: the batch's rows in row order, the input columns then the
results (``status``, ``exit_code``, ``duration_s``, ``attempts``, ``error``, ``result``), streamed page by page.

CSV (RFC 4180, ``\\r\\n`` line ends, a header row): ``error`` is the error's message, ``result`` its compact JSON
(empty when null). JSON lines: one object per row, the input columns then the result fields (``error`` the
``{code, message}`` map, ``result`` the value as stored). Like the other GET functions (``streams.endpoints``) it
authenticates with ``Authorization: Bearer`` or ``?access_token=`` and never imports Flask: the answer is
``(iterator of bytes, status, headers)``.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

from tailrun_functions import auth, defaults, services
from tailrun_functions.batches.controls import readable
from tailrun_functions.batches.refs import rows_of
from tailrun_functions.errors import InvalidRequest, MethodNotAllowed, TailrunError
from tailrun_functions.services import Services

logger = logging.getLogger(__name__)

RESULT_COLUMNS = ("status", "exit_code", "duration_s", "attempts", "error", "result")
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
BATCH_ID = re.compile(r"^[0-9a-f]{32}$")
Response = tuple[Any, int, dict[str, str]]


def _error(status: int, code: str, message: str) -> Response:
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False)
    return body, status, {"Content-Type": "application/json", "Cache-Control": "no-store"}


def serve(request: Any) -> Response:
    """The entrypoint: checks, then the streamed rows; every refusal is its JSON answer, never a 500 for bad
    input."""
    try:
        if request.method not in ("GET", "HEAD"):
            raise MethodNotAllowed(f"use GET, not {request.method}")
        svc = services.current()
        args = {str(k): str(v) for k, v in request.args.items()}
        headers = {str(k).lower(): str(v) for k, v in request.headers.items()}
        if auth.bearer(headers) is None and args.get("access_token"):
            headers["authorization"] = f"Bearer {args['access_token']}"
        owner = auth.authenticate_user(headers, svc.settings, svc.user_verifier)
        batch_id = args.get("batch_id", "")
        if not BATCH_ID.match(batch_id):
            raise InvalidRequest("give ?batch_id= (32 hexadecimal characters)", code="invalid_batch_id")
        kind = args.get("format", "csv")
        if kind not in FORMATS:
            raise InvalidRequest(f"format must be csv or jsonl, got {kind[:20]!r}", code="invalid_format")
        batch, _role = readable(svc, owner, batch_id)  # every member reads: viewers export too
        headers_out = {
            "Content-Type": FORMATS[kind],
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="batch-{batch_id}.{kind}"',
        }
        return stream(svc, batch_id, list(batch.get("columns") or []), kind), 200, headers_out
    except TailrunError as exc:
        return _error(exc.status, exc.code, exc.message)
    except Exception:
        logger.exception("unexpected error")
        return _error(500, "internal", "internal error")


def rows(svc: Services, batch_id: str) -> Iterator[dict[str, Any]]:
    """Every row document in row order (ids are the row number, six digits), a page at a time."""
    query = rows_of(svc.db, batch_id).order_by("__name__").limit(defaults.BATCH_EXPORT_PAGE)
    last = None
    while True:
        page = list((query.start_after(last) if last is not None else query).stream())
        for snapshot in page:
            yield snapshot.to_dict() or {}
        if len(page) < defaults.BATCH_EXPORT_PAGE:
            return
        last = page[-1]


def record(row: dict[str, Any], columns: list[str]) -> dict[str, Any]:
    values = row.get("values") or {}
    return {
        **{name: values.get(name, "") for name in columns},
        "status": row.get("status"),
        "exit_code": row.get("exit_code"),
        "duration_s": row.get("duration_s"),
        "attempts": row.get("attempts"),
        "error": row.get("error"),
        "result": row.get("result"),
    }


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def csv_line(fields: list[Any]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow(fields)
    return out.getvalue().encode("utf-8")


def stream(svc: Services, batch_id: str, columns: list[str], kind: str) -> Iterator[bytes]:
    if kind == "csv":
        yield csv_line([*columns, *RESULT_COLUMNS])
    for row in rows(svc, batch_id):
        if kind == "jsonl":
            yield (json.dumps(record(row, columns), ensure_ascii=False, default=str) + "\n").encode("utf-8")
            continue
        values = row.get("values") or {}
        error = row.get("error") or {}
        result = row.get("result")
        yield csv_line(
            [
                *(values.get(name, "") for name in columns),
                _cell(row.get("status")),
                _cell(row.get("exit_code")),
                _cell(row.get("duration_s")),
                _cell(row.get("attempts")),
                _cell(error.get("message") if isinstance(error, dict) else error),
                ""
                if result is None
                else json.dumps(result, separators=(",", ":"), ensure_ascii=False, default=str),
            ]
        )
