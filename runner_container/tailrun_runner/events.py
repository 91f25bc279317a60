"""Events on the wire: how one is numbered, capped and encoded, and the attempt's state that the events make.

An event is a JSON object ``{"event", "at_line", "ts", "kind", …fields}`` (see the runner's README, "Events"):
``event`` numbers the events of an attempt from 0 with no gap, ``at_line`` is how many output lines had been
emitted before it, ``ts`` when it was read (ms since the epoch). Events travel in ``output`` messages with the
lines, and once the attempt has had an event every output message carries ``state``: the attempt's latest state
after it, cumulative (``State``), so the callback stores it as it is and a redelivery changes nothing.

Caps (``defaults``): an event's JSON is at most ``EVENT_MAX_BYTES``; a longer one has its strings cut, longest
first, until it fits, and is marked ``"cut": true`` (a structure too big even so has its largest fields replaced by
their JSON text, cut). A ``result`` value is at most ``RESULT_MAX_BYTES`` of compact JSON: a larger one becomes
``{"kind": "result", "cut": true, "bytes": N}`` (no value, the state's result unchanged), except an agent's result
text, which is cut to the cap. Events are masked (``masking``) before they are capped, so a cut never leaves the
start of a secret behind.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tailrun_runner.commands import Kind, Level
from tailrun_runner.defaults import EVENT_MAX_BYTES, RESULT_MAX_BYTES

# What the callback takes as a kind.
KIND = re.compile(r"[a-z][a-z0-9_]{0,31}")
# The event's own fields, which a command's or an agent's fields never replace.
RESERVED = frozenset({"event", "at_line", "ts", "kind"})
# What any other kind's event is turned into when its kind is not of the callback's form.
UNKNOWN_KIND = "agent_event"
# The agents' kinds that change the state (the rest of the vocabulary is ``agents``').
TOOL_CALL = "tool_call"
USAGE = "usage"
USAGE_KEYS = ("input_tokens", "output_tokens", "cost_usd")
# Room for the envelope and small fields of a ``result`` event beside its value. Unit: bytes of JSON.
RESULT_ENVELOPE_BYTES = 2048


def encode(value: Any) -> bytes:
    """Compact JSON in UTF-8, as every message is encoded; non-finite numbers become null (they are not JSON)."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)
    except ValueError:
        text = json.dumps(_finite(value), ensure_ascii=False, separators=(",", ":"), default=str)
    return text.encode("utf-8", "replace")  # a lone surrogate (from an agent's JSON escapes) becomes "?"


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


@dataclass(frozen=True, slots=True)
class State:
    """The attempt's latest state after some events; immutable, so a snapshot is shared, never copied."""

    events: int = 0
    current_step: str | None = None
    current_url: str | None = None
    annotations: Mapping[str, int] = field(default_factory=lambda: dict.fromkeys(Level, 0))
    usage: Mapping[str, Any] | None = None
    result: Any = None

    def to_json(self) -> dict[str, Any]:
        """The ``state`` of an output message."""
        return {
            "events": self.events,
            "current_step": self.current_step,
            "current_url": self.current_url,
            "annotations": {str(level): self.annotations.get(level, 0) for level in Level},
            "usage": None if self.usage is None else dict(self.usage),
            "result": self.result,
        }


def advance(state: State, event: Mapping[str, Any]) -> State:
    """The state after ``event`` (masked and capped already): one more event, and what its kind changes."""
    kind = event["kind"]
    changes: dict[str, Any] = {"events": state.events + 1}
    if kind == Kind.STEP and isinstance(event.get("text"), str):
        changes["current_step"] = event["text"]
    elif kind == TOOL_CALL and isinstance(event.get("summary"), str):
        changes["current_step"] = event["summary"]
    elif kind == Kind.URL and isinstance(event.get("url"), str):
        changes["current_url"] = event["url"]
    elif kind == Kind.ANNOTATION and event.get("level") in state.annotations:
        counts = dict(state.annotations)
        counts[event["level"]] += 1
        changes["annotations"] = counts
    elif kind == USAGE:
        reported = {
            key: event[key]
            for key in USAGE_KEYS
            if isinstance(event.get(key), int | float) and not isinstance(event.get(key), bool)
        }
        if reported:
            changes["usage"] = {**(state.usage or {}), **reported}
    elif kind == Kind.RESULT and "value" in event:
        changes["result"] = event["value"]
    return replace(state, **changes)


def build(number: int, at_line: int, ts_ms: int, kind: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The event numbered ``number``, capped. A kind the callback would refuse becomes ``agent_event`` with the
    kind as ``type`` and the fields as ``data`` (kept, never dropped)."""
    body = {key: value for key, value in fields.items() if key not in RESERVED}
    if KIND.fullmatch(kind) is None:
        kind, body = UNKNOWN_KIND, {"type": kind, "data": body}
    event: dict[str, Any] = {"event": number, "at_line": at_line, "ts": ts_ms, "kind": kind, **body}
    if kind == Kind.RESULT:
        return _cap(_cap_result(event), RESULT_MAX_BYTES + RESULT_ENVELOPE_BYTES)
    return _cap(event, EVENT_MAX_BYTES)


def _cap_result(event: dict[str, Any]) -> dict[str, Any]:
    """A result whose value is over ``RESULT_MAX_BYTES``: a text cut to it, any other value left out."""
    if "value" not in event:
        return event
    value = event["value"]
    size = len(encode(value))
    if size <= RESULT_MAX_BYTES:
        return event
    if isinstance(value, str):
        return {**event, "value": _cut_to(value, RESULT_MAX_BYTES - 2), "cut": True}  # 2: the quotes
    rest = {key: item for key, item in event.items() if key != "value"}
    return {**rest, "cut": True, "bytes": size}


def _cut_to(text: str, limit: int) -> str:
    """``text`` cut so that its JSON string (quotes excluded) is at most ``limit`` bytes."""
    lo, hi = 0, min(len(text), limit)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(encode(text[:mid])) - 2 <= limit:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]


def _cap(event: dict[str, Any], limit: int) -> dict[str, Any]:
    """``event`` whose JSON fits ``limit``: strings cut, longest first (one bound for all); then its largest
    fields replaced by their JSON text, cut, if the structure alone is too big."""
    if len(encode(event)) <= limit:
        return event
    fixed = {key: event[key] for key in RESERVED if key in event}
    body = {key: value for key, value in event.items() if key not in RESERVED}
    longest = min(_longest_string(body), limit)
    lo, hi = 0, longest
    while lo < hi:  # the longest bound on every string's length that makes the event fit
        mid = (lo + hi + 1) // 2
        if len(encode({**fixed, **_truncate(body, mid), "cut": True})) <= limit:
            lo = mid
        else:
            hi = mid - 1
    cut = {**fixed, **_truncate(body, lo), "cut": True}
    if len(encode(cut)) <= limit:
        return cut
    return _flatten(fixed, body, limit)


def _flatten(fixed: dict[str, Any], body: dict[str, Any], limit: int) -> dict[str, Any]:
    """Too many fields even with every string cut: the largest fields become their JSON text, cut to share what
    room is left (each at least a little of it), until the event fits."""
    out = {**fixed, **body, "cut": True}
    for key in sorted(body, key=lambda name: -len(encode(body[name]))):
        room = limit - len(encode({**out, key: ""}))
        if room <= 2:
            out.pop(key)
        else:
            out[key] = _cut_to(encode(body[key]).decode(), room - 2)
        if len(encode(out)) <= limit:
            return out
    return {**fixed, "cut": True}


def _longest_string(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return max((_longest_string(item) for item in value.values()), default=0)
    if isinstance(value, list | tuple):
        return max((_longest_string(item) for item in value), default=0)
    return 0


def _truncate(value: Any, chars: int) -> Any:
    """``value`` with every string inside it cut to ``chars`` characters."""
    if isinstance(value, str):
        return value if len(value) <= chars else value[:chars]
    if isinstance(value, dict):
        return {key: _truncate(item, chars) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_truncate(item, chars) for item in value]
    return value


@dataclass(frozen=True, slots=True)
class QueuedEvent:
    """An event in the outbox: its JSON entry and the attempt's state right after it."""

    entry: bytes
    state: State
