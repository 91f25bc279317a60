"""The rows of a batch and its job template, parsed and checked before anything is written (pure functions).

CSV: RFC 4180 through the ``csv`` module (a quoted field may hold commas, quotes doubled, line breaks), the first
row the header; every row must have the header's number of fields. JSON rows: objects with the first object's
keys. A template's ``{column}`` names a column; ``{{`` and ``}}`` are literal braces. Every refusal is an
``InvalidRequest`` that names the row (counted from 0, the first after the header, as ``rows/{row:06d}``) or
the column.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pydantic

from tailrun_functions import defaults
from tailrun_functions.errors import InvalidRequest
from tailrun_functions.models import RESERVED, CreateBatchRequest, CreateJobRequest

Piece = tuple[bool, str]  # (is a placeholder, literal text or column name)


@dataclass(frozen=True)
class Template:
    """A text split into literal pieces and placeholders."""

    pieces: tuple[Piece, ...]

    @property
    def columns(self) -> set[str]:
        return {text for placeholder, text in self.pieces if placeholder}

    def fill(self, values: dict[str, str]) -> str:
        return "".join(values[text] if placeholder else text for placeholder, text in self.pieces)


def parse_template(text: str, where: str) -> Template:
    """``{column}`` placeholders, ``{{`` and ``}}`` escapes; a lone brace is a 400 naming ``where``."""
    pieces: list[Piece] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in "{}" and text[i : i + 2] in ("{{", "}}"):
            literal.append(char)
            i += 2
            continue
        if char == "}":
            raise InvalidRequest(
                f"{where}: a lone '}}' at character {i} (write '}}}}' for a brace)", code="invalid_template"
            )
        if char == "{":
            end = text.find("}", i + 1)
            name = text[i + 1 : end] if end >= 0 else ""
            if end < 0 or "{" in name:
                raise InvalidRequest(
                    f"{where}: '{{' at character {i} is not closed (write '{{{{' for a brace)",
                    code="invalid_template",
                )
            if not name:
                raise InvalidRequest(
                    f"{where}: an empty placeholder '{{}}' at character {i}", code="invalid_template"
                )
            if literal:
                pieces.append((False, "".join(literal)))
                literal = []
            pieces.append((True, name))
            i = end + 1
            continue
        literal.append(char)
        i += 1
    if literal:
        pieces.append((False, "".join(literal)))
    return Template(tuple(pieces))


@dataclass(frozen=True)
class Parsed:
    """A create_batch request, checked: its columns, its rows' values (strings) and its templates."""

    columns: list[str]
    rows: list[dict[str, str]]
    argv: list[Template] | None
    prompt: Template | None
    template: dict[str, Any]

    def job_request(self, values: dict[str, str]) -> CreateJobRequest:
        """The job of one row: the template with its placeholders filled (raises pydantic's error if too big)."""
        fields = dict(self.template)
        if self.argv is not None:
            fields["argv"] = [part.fill(values) for part in self.argv]
        if self.prompt is not None:
            fields["prompt"] = self.prompt.fill(values)
        return CreateJobRequest.model_validate(fields)


def row_id(row: int) -> str:
    return f"{row:06d}"


def _check_columns(columns: Sequence[str]) -> None:
    if not columns or columns == [""]:
        raise InvalidRequest(
            "the CSV has no header row (its first row names the columns)", code="invalid_csv"
        )
    if len(columns) > defaults.BATCH_MAX_COLUMNS:
        raise InvalidRequest(
            f"the rows have {len(columns)} columns; at most {defaults.BATCH_MAX_COLUMNS}", code="invalid_csv"
        )
    seen: set[str] = set()
    for index, name in enumerate(columns):
        if not name:
            raise InvalidRequest(f"column {index} of the header has no name", code="invalid_csv")
        if RESERVED.match(name) or len(name.encode("utf-8")) > 1500:
            raise InvalidRequest(
                f"column {name[:80]!r}: Firestore cannot store that name (__x__, or over 1,500 bytes)",
                code="invalid_csv",
            )
        if name in seen:
            raise InvalidRequest(f"column {name!r} appears twice in the header", code="invalid_csv")
        seen.add(name)


def _too_many(count: int) -> InvalidRequest:
    return InvalidRequest(
        f"the batch has {count} or more rows; at most {defaults.BATCH_MAX_ROWS}", code="too_many_rows"
    )


def csv_rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows of CSV text (RFC 4180), each row a mapping column → value."""
    size = len(text.encode("utf-8"))
    if size > defaults.BATCH_MAX_CSV_BYTES:
        raise InvalidRequest(
            f"the CSV is {size} bytes; at most {defaults.BATCH_MAX_CSV_BYTES}", code="csv_too_large"
        )
    if text.startswith("\ufeff"):  # a byte-order mark some spreadsheets write
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[dict[str, str]] = []
    try:
        columns = next(reader, None)
        if columns is None:
            raise InvalidRequest("the CSV is empty: it needs a header row", code="invalid_csv")
        _check_columns(columns)
        for fields in reader:
            if not fields:  # a blank line (a trailing one most often) is not a row
                continue
            if len(fields) != len(columns):
                raise InvalidRequest(
                    f"row {len(rows)} (line {reader.line_num} of the CSV) has {len(fields)} fields; the header "
                    f"has {len(columns)}",
                    code="invalid_csv",
                )
            if len(rows) >= defaults.BATCH_MAX_ROWS:
                raise _too_many(len(rows) + 1)
            rows.append(dict(zip(columns, fields, strict=True)))
    except csv.Error as exc:
        raise InvalidRequest(
            f"row {len(rows)} (line {reader.line_num} of the CSV): {exc}",
            code="invalid_csv",
        ) from None
    return columns, rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value)


def json_rows(objects: list[dict[str, Any]]) -> tuple[list[str], list[dict[str, str]]]:
    """The columns (the first object's keys, in order) and the rows of ``rows``; every object has the same keys."""
    if not objects:
        raise InvalidRequest("rows is empty: a batch needs at least one row", code="invalid_rows")
    if len(objects) > defaults.BATCH_MAX_ROWS:
        raise _too_many(len(objects))
    columns = list(objects[0])
    _check_columns(columns)
    expected = set(columns)
    rows = []
    for index, item in enumerate(objects):
        if set(item) != expected:
            missing, extra = sorted(expected - set(item)), sorted(set(item) - expected)
            what = (
                f"has no column {missing[0]!r}"
                if missing
                else f"has a column {extra[0]!r} the first row has not"
            )
            raise InvalidRequest(f"row {index} {what}", code="invalid_rows")
        rows.append({name: _cell(item[name]) for name in columns})
    return columns, rows


def parse(request: CreateBatchRequest) -> Parsed:
    """Check everything a batch needs before anything is written: rows, columns, templates, each row's job."""
    if request.csv is not None:
        columns, rows = csv_rows(request.csv)
    else:
        columns, rows = json_rows(request.rows or [])
    if not rows:
        raise InvalidRequest("the CSV has a header and no rows", code="invalid_csv")
    if request.sample is not None:
        rows = rows[: request.sample]
    argv = [parse_template(part, f"argv[{i}]") for i, part in enumerate(request.argv or [])] or None
    prompt = parse_template(request.prompt, "prompt") if request.prompt is not None else None
    named = set(columns)
    templates = [(f"argv[{i}]", t) for i, t in enumerate(argv or [])] + (
        [("prompt", prompt)] if prompt else []
    )
    for where, template in templates:
        unknown = sorted(template.columns - named)
        if unknown:
            raise InvalidRequest(
                f"{where}: the placeholder {{{unknown[0]}}} names no column; the columns are "
                + ", ".join(columns[:20])
                + (" …" if len(columns) > 20 else ""),
                code="unknown_column",
            )
    parsed = Parsed(columns, rows, argv, prompt, request.template())
    for index, values in enumerate(rows):
        size = sum(len(k.encode("utf-8")) + len(v.encode("utf-8")) for k, v in values.items())
        if size > defaults.BATCH_MAX_ROW_BYTES:
            raise InvalidRequest(
                f"row {index} is {size} bytes; at most {defaults.BATCH_MAX_ROW_BYTES}", code="row_too_large"
            )
        try:
            parsed.job_request(values)
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "job"
            raise InvalidRequest(
                f"row {index}: its job is refused: {where}: {first['msg']}", code="invalid_row"
            ) from None
    return parsed
