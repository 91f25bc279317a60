"""Workflow commands: the lines a job prints to tell tailrun something besides its output.

The syntax is GitHub Actions' where GitHub has the command, so a job written for Actions speaks to tailrun too:

- ``::group::TITLE`` and ``::endgroup::``: a section that viewers fold.
- ``::error PROPS::MESSAGE``, ``::warning PROPS::MESSAGE``, ``::notice PROPS::MESSAGE`` (``PROPS`` optional, as
  ``::error::MESSAGE``): an annotation. ``PROPS`` are ``key=value`` pairs separated by commas: ``file``, ``line``,
  ``end_line`` (``endLine``), ``col``, ``end_column`` (``endColumn``), ``title``; the numbers are non-negative
  integers. Unknown keys are ignored, as GitHub ignores them.
- ``::add-mask::VALUE``: mask VALUE from now on (see ``masking``); no event, and the line itself is not stored.
- ``::step TEXT``, ``::url URL``, ``::result JSON`` (also ``::step::TEXT`` and so on): tailrun's own commands,
  written like ``::progress`` (which ``capture`` parses, with ``::artifact``: both are not commands here).

GitHub's escapes are decoded: ``%25`` ``%0D`` ``%0A`` in the data (after the last ``::``), and also ``%3A``
``%2C`` in property values; the command's name is read case-insensitively and leading blanks are skipped, as
GitHub does. A line that is not a command this module knows (``::debug::x``, ``::set-output …``), or a command
that is malformed (a ``line=`` that is not a number, a property without ``=``, no ``::`` after the properties,
``::result`` whose JSON does not parse, an empty ``::step``, ``::url`` or ``::add-mask::``), is None: the line
stays an ordinary line and nothing else happens.

Pure: no state, no I/O; ``parse`` is called on every line that starts with ``::`` (after blanks), so it is cheap
for the lines that are not commands.
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass
from typing import Any

from tailrun_runner.defaults import RESULT_MAX_BYTES


class Kind(enum.StrEnum):
    """The ``kind`` of the events that workflow commands make."""

    GROUP = "group"
    ENDGROUP = "endgroup"
    ANNOTATION = "annotation"
    STEP = "step"
    URL = "url"
    RESULT = "result"


class Level(enum.StrEnum):
    """An annotation's ``level``; also the keys of the state's ``annotations`` counts."""

    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"


@dataclass(frozen=True, slots=True)
class Event:
    """A command that becomes an event: its ``kind`` and fields (without ``event``, ``at_line``, ``ts``)."""

    kind: str
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AddMask:
    """``::add-mask::VALUE``: the value to mask from now on (escapes decoded, possibly several lines)."""

    value: str


Command = Event | AddMask

# ``::name`` then the rest of the line; the name as GitHub's (letters, digits, ``-``, ``_``).
_HEAD = re.compile(r"::([A-Za-z][A-Za-z0-9_-]*)(.*)", re.DOTALL)
_DATA_ESCAPES = {"%25": "%", "%0D": "\r", "%0A": "\n"}
_PROPERTY_ESCAPES = {**_DATA_ESCAPES, "%3A": ":", "%2C": ","}
_DATA_ESCAPE = re.compile("|".join(map(re.escape, _DATA_ESCAPES)))
_PROPERTY_ESCAPE = re.compile("|".join(map(re.escape, _PROPERTY_ESCAPES)))
_NUMBER = re.compile(r"\d{1,9}")
# Property names as GitHub spells them (and as the event spells them), to the event's field.
_NUMBER_PROPERTIES = {
    "line": "line",
    "end_line": "end_line",
    "endLine": "end_line",
    "col": "col",
    "end_column": "end_column",
    "endColumn": "end_column",
}
_TEXT_PROPERTIES = {"file": "file", "title": "title"}
_ANNOTATIONS = frozenset(Level)
_BLANKS = " \t"


def unescape_data(text: str) -> str:
    """GitHub's escapes of a command's data decoded (one pass: ``%250A`` is ``%0A``, not a newline)."""
    if "%" not in text:
        return text
    return _DATA_ESCAPE.sub(lambda match: _DATA_ESCAPES[match.group()], text)


def unescape_property(text: str) -> str:
    """GitHub's escapes of a property value decoded (those of the data, and ``%3A`` ``%2C``)."""
    if "%" not in text:
        return text
    return _PROPERTY_ESCAPE.sub(lambda match: _PROPERTY_ESCAPES[match.group()], text)


def parse(line: bytes | str) -> Command | None:
    """The workflow command ``line`` (one output line, without its newline) is, or None if it is none."""
    text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
    if text[:1] in (" ", "\t"):
        text = text.lstrip(_BLANKS)
    if not text.startswith("::"):
        return None
    head = _HEAD.fullmatch(text)
    if head is None:
        return None
    name, rest = head.group(1).lower(), head.group(2)
    if name in _ANNOTATIONS:
        return _annotation(Level(name), rest)
    if name in ("group", "endgroup", "add-mask"):
        return _github(name, rest)
    if name in ("step", "url", "result"):
        return _own(name, rest)
    return None


def _split(rest: str) -> tuple[str, str] | None:
    """GitHub's ``[ PROPS]::DATA`` after a command's name: (props, data), or None when malformed."""
    if rest.startswith("::"):
        return "", rest[2:]
    if rest[:1] not in (" ", "\t"):
        return None
    props, separator, data = rest[1:].partition("::")
    return (props, data) if separator else None


def _github(name: str, rest: str) -> Command | None:
    """``group``, ``endgroup`` and ``add-mask``: GitHub's syntax, properties (if any) ignored as GitHub does."""
    split = _split(rest)
    if split is None:
        return None
    data = unescape_data(split[1])
    if name == "group":
        return Event(Kind.GROUP, {"title": data})
    if name == "endgroup":
        return Event(Kind.ENDGROUP, {})
    return AddMask(data) if data.strip() else None


def _annotation(level: Level, rest: str) -> Event | None:
    split = _split(rest)
    if split is None:
        return None
    props, data = split
    fields: dict[str, Any] = {"level": level, "message": unescape_data(data)}
    for pair in props.split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, separator, value = pair.partition("=")
        if not separator:
            return None
        key = key.strip()
        if key in _NUMBER_PROPERTIES:
            value = value.strip()
            if _NUMBER.fullmatch(value) is None:
                return None
            fields[_NUMBER_PROPERTIES[key]] = int(value)
        elif key in _TEXT_PROPERTIES:
            fields[_TEXT_PROPERTIES[key]] = unescape_property(value)
    return Event(Kind.ANNOTATION, fields)


def _own(name: str, rest: str) -> Event | None:
    """``step``, ``url``, ``result``: ``::name TEXT`` (like ``::progress``) or ``::name::TEXT``."""
    if rest.startswith("::"):
        data = rest[2:]
    elif rest[:1] in (" ", "\t"):
        data = rest[1:]
    else:
        return None
    data = unescape_data(data).strip()
    if not data:
        return None
    if name == "step":
        return Event(Kind.STEP, {"text": data})
    if name == "url":
        return None if any(c.isspace() for c in data) else Event(Kind.URL, {"url": data})
    return _result(data)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _result(data: str) -> Event | None:
    """``::result JSON``: the parsed value, or a cut event when it is over ``RESULT_MAX_BYTES``; None for JSON
    that does not parse (``NaN`` and ``Infinity`` included: they are not JSON)."""
    try:
        value = json.loads(data, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None
    size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
    if size > RESULT_MAX_BYTES:
        return Event(Kind.RESULT, {"cut": True, "bytes": size})
    return Event(Kind.RESULT, {"value": value})
