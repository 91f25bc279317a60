"""Turn an agent's own JSON stream into tailrun events and plain lines (issue 12, design §2).

A prompt job runs its agent in the agent's JSON stream mode (``claude -p --output-format stream-json --verbose``,
``codex exec --json``); the runner is told which one by ``TAILRUN_AGENT_STREAM`` and feeds every stdout line of
the job to the ``AgentStream`` that ``stream_for`` returns. The stream answers, in order, what to store: a
``TextLine`` (an ordinary output line: the agent's text, one line per line of it, or a line that was not a JSON
object, unchanged) or an ``AgentEvent`` (a kind and its fields; the runner numbers it, gives it ``at_line`` and
``ts``, masks it and cuts it at the event cap). This module is pure: no I/O, no clock, standard library only, and
it never raises, whatever the line.

Rules both streams follow:

- A line that is not a JSON object (not JSON, ``NaN``/``Infinity``, a number, a string, a list) is a ``TextLine``,
  unchanged. A JSON object is never stored as a line.
- An object of a type this module does not know, or a known envelope around something unknown (a content block, a
  system subtype, an item type), is kept as ``agent_event`` with ``type`` (the stream's own ``type``) and ``data``
  (the whole object): never dropped.
- Streamed fragments that the complete object follows (Claude's ``stream_event`` deltas with
  ``--include-partial-messages``, Codex's ``item.updated`` and ``item.plan.delta``) are not events: they are held
  and superseded by the complete object. Only what is still held when the stream ends is sent, at ``finish``
  (an unfinished message is a ``message`` marked ``"partial": true``), so nothing the agent said is lost.
- ``usage`` is the attempt's cumulative totals: ``input_tokens`` counts every input token the model read,
  cached or not (Claude's ``input_tokens`` + ``cache_creation_input_tokens`` + ``cache_read_input_tokens``; Codex's
  ``input_tokens``, which already includes ``cached_input_tokens``), so the number means the same for both agents;
  ``output_tokens``; ``cost_usd`` only where the agent reports a cost (Claude's ``result``). A ``usage`` event is
  sent only when the totals changed.
- Strings are made safe to store: a lone UTF-16 surrogate (which JSON may escape but UTF-8 cannot carry) becomes
  U+FFFD; an integer beyond Firestore's 64 bits becomes a float; a value nested deeper than ``MAX_DEPTH`` becomes
  its JSON text (Firestore allows 20 levels, and an event sits three levels down in its chunk); a map key
  Firestore refuses (empty, reserved ``__x__``, over 1,500 bytes) is renamed (``(empty)``, ``(reserved)__x__``) or
  cut.

Claude Code (shapes from claude-agent-sdk-python ``_internal/message_parser.py``):

- ``system``/``init`` → ``agent_started`` (agent, model, tools, session_id, cwd, permission_mode, version); other
  system subtypes → ``agent_event``.
- ``assistant``: a ``text`` block → ``message`` and its lines; ``thinking`` → ``thinking``; ``tool_use`` (and
  ``server_tool_use``) → ``tool_call`` with a one-line ``summary`` (``Bash: npm test``, ``Read: src/a.py``);
  ``TodoWrite`` also → ``todo``. Its ``message.usage`` updates a running total, sent as ``usage`` at most once per
  model call (Claude Code repeats one call's usage on every content block of it; the total is sent when a new call
  starts), so a long run shows its tokens climbing without an event per block.
- ``user`` ``tool_result`` blocks → ``tool_result`` (text from a string or from the text blocks of a list).
- ``result`` → ``usage`` (its cumulative ``usage`` and ``total_cost_usd``), then on success ``result`` (``value``:
  ``structured_output`` when given, else the ``result`` text) and ``agent_completed``; on failure (``is_error`` or
  an ``error_*`` subtype) ``agent_failed``.
- Events of a sub-agent (a ``Task``; ``parent_tool_use_id`` set) carry ``parent_id``.

Codex (shapes from openai/codex ``codex-rs/exec/src/exec_events.rs``; items are ``{"id", "type", …}`` with the
details flattened in; the ``item_type``/``assistant_message`` spelling of versions before 0.44 is read too):

- ``thread.started`` → ``agent_started`` (session_id: the thread id). ``turn.started`` → nothing (it carries no
  field). ``turn.completed`` → ``usage`` (Codex reports the thread's running totals: they replace, never add).
  ``turn.failed`` → ``agent_failed``. ``error`` → ``error`` (Codex also sends it for retries; a fatal error ends
  the turn with ``turn.failed``).
- Items: ``agent_message`` → ``message`` and its lines at completion; ``reasoning`` → ``thinking``;
  ``command_execution`` → ``tool_call`` (``$ <command>``) when it starts and ``tool_result`` (with ``exit_code``)
  when it completes; ``file_change`` → ``tool_call`` (``edit: a.py, b.py``) and ``tool_result``;
  ``mcp_tool_call`` → ``tool_call`` (``server.tool``) and ``tool_result``; ``web_search`` → ``tool_call``
  (``web_search: <query>``) and ``tool_result``; ``todo_list`` → ``todo`` whenever its items change;
  ``error`` → ``error``.
- At ``finish``, after a completed turn, the last agent message becomes ``result`` and ``agent_completed`` follows.

Either stream ending after the agent started but before it finished (no ``result``; no ``turn.completed`` or
``turn.failed``) ends with ``agent_failed``, so a killed agent is told apart from one that finished.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

MAX_DEPTH = (
    12  # levels of nested objects and lists kept inside an event's field; deeper values become JSON text
)
SUMMARY_CHARS = 200  # a tool call's summary is one line of at most this many characters (and "…")
PARTIAL_CHARS = 65_536  # text held from streamed deltas, at most: the rest waits for the complete message
MAX_KEY_BYTES = 1500  # Firestore's limit on a map key
FILES_NAMED = 5  # a file change's summary names at most this many files, then "+N more"


class Agent(StrEnum):
    """The agents whose JSON stream the runner reads (``TAILRUN_AGENT_STREAM``)."""

    CLAUDE = "claude"
    CODEX = "codex"


class Kind(StrEnum):
    """The kinds of event an agent's stream becomes (design §2)."""

    AGENT_STARTED = "agent_started"
    MESSAGE = "message"
    THINKING = "thinking"
    TOOL_CALL = "tool_call"
    TOOL_RESULT = "tool_result"
    USAGE = "usage"
    RESULT = "result"
    AGENT_COMPLETED = "agent_completed"
    AGENT_FAILED = "agent_failed"
    ERROR = "error"
    TODO = "todo"
    AGENT_EVENT = "agent_event"


@dataclass(frozen=True, slots=True)
class TextLine:
    """An ordinary stdout line to store: a line of the agent's text, or a line that was not a JSON object."""

    text: str


@dataclass(frozen=True, slots=True)
class AgentEvent:
    """One tailrun event: its kind and fields (design §2), without ``event``, ``at_line`` and ``ts``."""

    kind: str
    fields: dict[str, Any]


Output = list[TextLine | AgentEvent]


class AgentStream(Protocol):
    """What the runner feeds an agent's stdout to, one line at a time."""

    def feed(self, line: str) -> Output:
        """One stdout line, without its newline: what it becomes, in order."""
        ...

    def finish(self) -> Output:
        """The stream ended: what was still held, and how the run ended if the stream never said."""
        ...


def stream_for(name: str) -> AgentStream | None:
    """A fresh stream reader for agent ``name`` (``claude``, ``codex``), or None for any other name."""
    if name == Agent.CLAUDE:
        return ClaudeStream()
    if name == Agent.CODEX:
        return CodexStream()
    return None


# ---------------------------------------------------------------------------------------------------------------
# Reading a line


class _NotJson(ValueError):
    """A constant JSON does not allow (``NaN``, ``Infinity``) or a number no store can hold."""


def _reject_constant(name: str) -> Any:
    raise _NotJson(name)


def _parse_int(text: str) -> int | float:
    value = int(text)  # ValueError past Python's digit limit: the line is not read as JSON
    if -(2**63) <= value < 2**63:
        return value
    as_float = float(text)
    if as_float in (float("inf"), float("-inf")):
        raise _NotJson(text)
    return as_float


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _parse_object(line: str) -> dict[str, Any] | None:
    """The JSON object ``line`` holds, made safe to store; None if it holds anything else."""
    text = line.strip()
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict):
        return None
    safe = _safe(value, 0, bool(_SURROGATE_ESCAPE.search(text)))
    assert isinstance(safe, dict)
    return safe


def _safe(value: Any, depth: int, surrogates: bool) -> Any:
    """``value`` with lone surrogates replaced (when the line escaped one) and nesting cut at ``MAX_DEPTH``."""
    if isinstance(value, str):
        return _clean(value) if surrogates else value
    if not isinstance(value, dict | list):
        return value
    if depth >= MAX_DEPTH:
        try:
            return _safe(json.dumps(value, ensure_ascii=False), 0, surrogates)
        except (ValueError, RecursionError):
            return "…"
    if isinstance(value, list):
        return [_safe(item, depth + 1, surrogates) for item in value]
    return {
        _safe_key(_clean(k) if surrogates else k): _safe(v, depth + 1, surrogates) for k, v in value.items()
    }


def _safe_key(key: str) -> str:
    """A map key Firestore accepts: not empty, not reserved (``__x__``), at most 1,500 bytes of UTF-8."""
    if not key:
        return "(empty)"
    if len(key) >= 4 and key.startswith("__") and key.endswith("__"):
        return "(reserved)" + key
    if len(key) > MAX_KEY_BYTES // 4 and len(encoded := key.encode("utf-8")) > MAX_KEY_BYTES:
        return encoded[:MAX_KEY_BYTES].decode("utf-8", "ignore")
    return key


def _clean(text: str) -> str:
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


# ---------------------------------------------------------------------------------------------------------------
# Shared helpers


def _event(kind: Kind, **fields: Any) -> AgentEvent:
    """An event whose None fields are left out (absent keys stay absent)."""
    return AgentEvent(kind, {name: value for name, value in fields.items() if value is not None})


def _raw(obj: dict[str, Any]) -> AgentEvent:
    kind = obj.get("type")
    return AgentEvent(Kind.AGENT_EVENT, {"type": kind if isinstance(kind, str) else None, "data": obj})


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> int | float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text_lines(text: str) -> list[TextLine]:
    """The lines of an agent's text, as a terminal would show them (a last newline ends a line, adds none)."""
    pieces = text.split("\n")
    if pieces and pieces[-1] == "":
        pieces.pop()
    return [TextLine(piece.removesuffix("\r")) for piece in pieces]


def _message(text: str, **extra: Any) -> Output:
    """A ``message`` event followed by the text as lines; nothing for empty text."""
    if not text:
        return []
    return [_event(Kind.MESSAGE, role="assistant", text=text, **extra), *_text_lines(text)]


def _one_line(value: str) -> str:
    """The first non-blank line of ``value``, cut to ``SUMMARY_CHARS``; ``…`` says something was left out."""
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    if not lines:
        return ""
    first = lines[0]
    if len(first) > SUMMARY_CHARS:
        return first[:SUMMARY_CHARS] + "…"
    return first + " …" if len(lines) > 1 else first


def _labelled(label: str, value: Any, sep: str = ": ") -> str:
    text = _one_line(value) if isinstance(value, str) else ""
    return f"{label}{sep}{text}" if text else label


class _Usage:
    """The usage totals sent last, so a ``usage`` event goes out only when they change."""

    def __init__(self) -> None:
        self._sent: dict[str, Any] | None = None

    def event(self, **totals: int | float | None) -> Output:
        fields = {name: value for name, value in totals.items() if value is not None}
        if not fields or fields == self._sent:
            return []
        self._sent = fields
        return [AgentEvent(Kind.USAGE, fields)]


# ---------------------------------------------------------------------------------------------------------------
# Claude Code: claude -p --output-format stream-json --verbose

_CLAUDE_SUMMARY_KEYS = {  # tool name → the input field that says, on one line, what the call does
    "Bash": "command",
    "BashOutput": "bash_id",
    "Read": "file_path",
    "Edit": "file_path",
    "MultiEdit": "file_path",
    "Write": "file_path",
    "NotebookEdit": "notebook_path",
    "Grep": "pattern",
    "Glob": "pattern",
    "WebFetch": "url",
    "WebSearch": "query",
    "Task": "description",
    "Agent": "description",
    "Skill": "skill",
}
_CLAUDE_INIT_FIELDS = (  # system/init field → agent_started field
    ("model", "model"),
    ("tools", "tools"),
    ("session_id", "session_id"),
    ("cwd", "cwd"),
    ("permissionMode", "permission_mode"),
    ("claude_code_version", "version"),
)
_CLAUDE_TOKENS_IN = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


def _claude_tokens(usage: Any) -> tuple[int, int] | None:
    """(input tokens incl. cache, output tokens) of a Claude usage object; None if it reports neither."""
    if not isinstance(usage, dict):
        return None
    ins = [n for key in _CLAUDE_TOKENS_IN if (n := _int(usage.get(key))) is not None]
    out = _int(usage.get("output_tokens"))
    if not ins and out is None:
        return None
    return sum(ins), out or 0


def _claude_summary(name: str, tool_input: Any) -> str:
    if name == "TodoWrite":
        todos = _claude_todos(tool_input)
        if todos is not None:
            return f"TodoWrite: {sum(item['completed'] for item in todos)}/{len(todos)} done"
    key = _CLAUDE_SUMMARY_KEYS.get(name)
    if key is None or not isinstance(tool_input, dict):
        return name
    return _labelled(name, tool_input.get(key))


def _claude_todos(tool_input: Any) -> list[dict[str, Any]] | None:
    """TodoWrite's ``todos`` (``content``, ``status``) as todo items, or None if the input has none."""
    todos = tool_input.get("todos") if isinstance(tool_input, dict) else None
    if not isinstance(todos, list):
        return None
    return [
        {"text": _str(todo.get("content")) or "", "completed": todo.get("status") == "completed"}
        for todo in todos
        if isinstance(todo, dict)
    ]


def _tool_result_text(content: Any) -> str:
    """A tool result's text: the string, or the text blocks of a list (other blocks named in brackets)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return json.dumps(content, ensure_ascii=False)
    parts: list[str] = []
    for block in content:
        if isinstance(block, dict) and isinstance(block.get("text"), str):
            parts.append(block["text"])
        elif isinstance(block, dict) and isinstance(block.get("type"), str):
            parts.append(f"[{block['type']}]")
        else:
            parts.append(json.dumps(block, ensure_ascii=False))
    return "\n".join(parts)


class ClaudeStream:
    """Claude Code's ``stream-json`` (``--verbose``; ``--include-partial-messages`` allowed) as tailrun output."""

    def __init__(self) -> None:
        self._usage = _Usage()
        self._calls: dict[str, tuple[int, int]] = {}  # model call (message id) → its latest token counts
        self._usage_call: str | None = None  # the model call the last running total was sent during
        self._partial: list[str] = []  # text deltas of the message being streamed, until it arrives whole
        self._partial_chars = 0
        self._started = False
        self._ended = False  # a result arrived

    def feed(self, line: str) -> Output:
        obj = _parse_object(line)
        if obj is None:
            return [TextLine(line)]
        try:
            return self._handle(obj)
        except Exception:  # a shape no handler expected: keep it raw rather than lose it or stop the job
            return [_raw(obj)]

    def finish(self) -> Output:
        out: Output = []
        if self._partial:
            out.extend(_message("".join(self._partial), partial=True))
            self._partial.clear()
        if self._started and not self._ended:
            out.append(_event(Kind.AGENT_FAILED, message="the agent's stream ended without a result"))
        return out

    def _handle(self, obj: dict[str, Any]) -> Output:
        handlers: dict[Any, Callable[[dict[str, Any]], Output]] = {
            "system": self._system,
            "assistant": self._assistant,
            "user": self._user,
            "result": self._result,
            "stream_event": self._stream_event,
        }
        handler = handlers.get(obj.get("type"))
        if handler is None:
            return [_raw(obj)]
        self._started = True
        return handler(obj)

    def _system(self, obj: dict[str, Any]) -> Output:
        if obj.get("subtype") != "init":
            return [_raw(obj)]
        fields = {out: obj[key] for key, out in _CLAUDE_INIT_FIELDS if obj.get(key) is not None}
        return [AgentEvent(Kind.AGENT_STARTED, {"agent": Agent.CLAUDE.value, **fields})]

    def _assistant(self, obj: dict[str, Any]) -> Output:
        message = obj.get("message")
        if not isinstance(message, dict):
            return [_raw(obj)]
        self._partial.clear()  # the message arrived whole: its deltas are superseded
        self._partial_chars = 0
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        if not isinstance(blocks, list):
            return [_raw(obj)]
        parent = _str(obj.get("parent_tool_use_id"))
        out: Output = []
        unknown = False
        for block in blocks:
            events = self._assistant_block(block, parent)
            unknown = unknown or events is None
            out.extend(events or [])
        if unknown:
            out.append(_raw(obj))
        return out + self._running_usage(message)

    def _assistant_block(self, block: Any, parent: str | None) -> Output | None:
        """What one content block becomes; None for a block this module does not know."""
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text" and isinstance(block.get("text"), str):
            return _message(block["text"], parent_id=parent)
        if kind == "thinking" and isinstance(block.get("thinking"), str):
            return [_event(Kind.THINKING, text=block["thinking"], parent_id=parent)]
        if kind in ("tool_use", "server_tool_use") and isinstance(block, dict):
            return self._tool_use(block, parent)
        return None

    def _tool_use(self, block: dict[str, Any], parent: str | None) -> Output:
        name = _str(block.get("name")) or "tool"
        tool_input = block.get("input")
        out: Output = [
            _event(
                Kind.TOOL_CALL,
                id=block.get("id"),
                name=name,
                input=tool_input,
                summary=_claude_summary(name, tool_input),
                parent_id=parent,
            )
        ]
        todos = _claude_todos(tool_input) if name == "TodoWrite" else None
        if todos is not None:
            out.append(_event(Kind.TODO, items=todos, parent_id=parent))
        return out

    def _running_usage(self, message: dict[str, Any]) -> Output:
        counts = _claude_tokens(message.get("usage"))
        if counts is None:
            return []
        call = _str(message.get("id")) or f"#{len(self._calls)}"
        self._calls[call] = counts
        if call == self._usage_call:  # the same model call as the last total: its final counts go later
            return []
        self._usage_call = call
        return self._usage.event(
            input_tokens=sum(n for n, _ in self._calls.values()),
            output_tokens=sum(n for _, n in self._calls.values()),
        )

    def _user(self, obj: dict[str, Any]) -> Output:
        message = obj.get("message")
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list):
            return [_raw(obj)]  # the prompt, replayed or given to a sub-agent
        parent = _str(obj.get("parent_tool_use_id"))
        out: Output = []
        unknown = False
        for block in content:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                out.append(
                    _event(
                        Kind.TOOL_RESULT,
                        id=block.get("tool_use_id"),
                        is_error=block.get("is_error") is True,
                        text=_tool_result_text(block.get("content")),
                        parent_id=parent,
                    )
                )
            else:
                unknown = True
        return [*out, _raw(obj)] if unknown else out

    def _result(self, obj: dict[str, Any]) -> Output:
        self._ended = True
        self._partial.clear()
        subtype = _str(obj.get("subtype"))
        failed = obj.get("is_error") is True or (subtype or "").startswith("error")
        cost = _number(obj.get("total_cost_usd"))
        tokens = _claude_tokens(obj.get("usage"))
        if tokens is None and self._calls:
            tokens = (sum(n for n, _ in self._calls.values()), sum(n for _, n in self._calls.values()))
        out = self._usage.event(
            input_tokens=tokens[0] if tokens else None,
            output_tokens=tokens[1] if tokens else None,
            cost_usd=cost,
        )
        stats = {
            "subtype": subtype,
            "duration_ms": _number(obj.get("duration_ms")),
            "num_turns": _int(obj.get("num_turns")),
            "cost_usd": cost,
        }
        if failed:
            return [*out, _event(Kind.AGENT_FAILED, message=_claude_failure(obj, subtype), **stats)]
        value = obj["structured_output"] if obj.get("structured_output") is not None else obj.get("result")
        if value is not None:
            out.append(AgentEvent(Kind.RESULT, {"value": value}))
        return [*out, _event(Kind.AGENT_COMPLETED, **stats, is_error=False)]

    def _stream_event(self, obj: dict[str, Any]) -> Output:
        """A partial delta: held (text only, bounded) until the whole message arrives; never an event of its own."""
        event = obj.get("event")
        if not isinstance(event, dict):
            return []
        if event.get("type") == "message_start":
            self._partial.clear()
            self._partial_chars = 0
        delta = event.get("delta")
        if event.get("type") == "content_block_delta" and isinstance(delta, dict):
            text = delta.get("text") if delta.get("type") == "text_delta" else None
            if isinstance(text, str) and self._partial_chars < PARTIAL_CHARS:
                piece = text[: PARTIAL_CHARS - self._partial_chars]
                self._partial.append(piece)
                self._partial_chars += len(piece)
        return []


_CLAUDE_FAILURES = {  # result subtype → what it means, for people
    "error_max_turns": "the agent reached its maximum number of turns",
    "error_max_budget_usd": "the agent reached its budget",
    "error_during_execution": "the agent failed while running",
    "error_max_structured_output_retries": "the agent could not produce the structured output asked for",
}


def _claude_failure(obj: dict[str, Any], subtype: str | None) -> str:
    """Why a Claude run failed: its ``errors``, else its ``result`` text, else what its subtype means."""
    errors = obj.get("errors")
    if isinstance(errors, list) and errors:
        return "; ".join(e if isinstance(e, str) else json.dumps(e, ensure_ascii=False) for e in errors)
    result = obj.get("result")
    if isinstance(result, str) and result:
        return result
    return _CLAUDE_FAILURES.get(subtype or "", subtype or "the agent failed")


# ---------------------------------------------------------------------------------------------------------------
# Codex: codex exec --json

_TOOL_ITEMS = ("command_execution", "file_change", "mcp_tool_call", "web_search")
_HELD_ITEMS = ("agent_message", "reasoning", "error")  # sent at completion only; held while started/updated
_ITEM_ALIASES = {"assistant_message": "agent_message"}  # the item names of codex before 0.44


class _Turn(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


def _codex_item(obj: dict[str, Any]) -> tuple[str, str, dict[str, Any]] | None:
    """(item id, item type, item) of an ``item.*`` event, whatever version's spelling; None if it has none."""
    item = obj.get("item")
    if not isinstance(item, dict):
        return None
    details = item.get("details")
    if isinstance(details, dict) and "type" not in item and "item_type" not in item:
        item = {**details, **item}
    kind = _str(item.get("type")) or _str(item.get("item_type"))
    if kind is None:
        return None
    item_id = item.get("id")
    return (item_id if isinstance(item_id, str) else f"#{id(item)}"), _ITEM_ALIASES.get(kind, kind), item


def _codex_tool_call(kind: str, item_id: str, item: dict[str, Any]) -> AgentEvent:
    if kind == "command_execution":
        command = item.get("command")
        summary = _labelled("$", _shell_script(command), sep=" ")
        return _event(Kind.TOOL_CALL, id=item_id, name=kind, input={"command": command}, summary=summary)
    if kind == "file_change":
        changes = _list(item.get("changes"))
        paths = [c["path"] for c in changes if isinstance(c, dict) and isinstance(c.get("path"), str)]
        named = ", ".join(paths[:FILES_NAMED]) + (
            f" +{len(paths) - FILES_NAMED} more" if len(paths) > FILES_NAMED else ""
        )
        return _event(
            Kind.TOOL_CALL,
            id=item_id,
            name=kind,
            input={"changes": changes},
            summary=_labelled("edit", named),
        )
    if kind == "mcp_tool_call":
        name = f"{_str(item.get('server')) or '?'}.{_str(item.get('tool')) or '?'}"
        arguments = item.get("arguments")
        return _event(
            Kind.TOOL_CALL,
            id=item_id,
            name=name,
            input=arguments if arguments is not None else {},
            summary=name,
        )
    query = item.get("query")
    search = {"query": query, **({"action": item["action"]} if "action" in item else {})}
    return _event(Kind.TOOL_CALL, id=item_id, name=kind, input=search, summary=_labelled("web_search", query))


_SHELLS = ("bash", "sh", "zsh")


def _shell_script(command: Any) -> str | None:
    """The command as people read it: Codex runs ``bash -lc '<script>'``; the summary shows the script."""
    argv: list[str]
    if isinstance(command, list) and all(isinstance(arg, str) for arg in command):
        argv = [str(arg) for arg in command]
    elif isinstance(command, str):
        try:
            argv = shlex.split(command)
        except ValueError:
            return command
    else:
        return None
    if len(argv) == 3 and argv[0].rsplit("/", 1)[-1] in _SHELLS and argv[1] in ("-c", "-lc"):
        return argv[2]
    return command if isinstance(command, str) else shlex.join(argv)


def _codex_tool_result(kind: str, item_id: str, item: dict[str, Any]) -> AgentEvent:
    status = item.get("status")
    if kind == "command_execution":
        exit_code = _int(item.get("exit_code"))
        failed = status in ("failed", "declined") or (exit_code is not None and exit_code != 0)
        text = _str(item.get("aggregated_output")) or ""
        return _event(Kind.TOOL_RESULT, id=item_id, is_error=failed, text=text, exit_code=exit_code)
    if kind == "file_change":
        changes = _list(item.get("changes"))
        text = "\n".join(
            f"{_str(c.get('kind')) or 'change'} {c.get('path')}" for c in changes if isinstance(c, dict)
        )
        return _event(Kind.TOOL_RESULT, id=item_id, is_error=status == "failed", text=text)
    if kind == "mcp_tool_call":
        error = item.get("error")
        if isinstance(error, dict):
            return _event(Kind.TOOL_RESULT, id=item_id, is_error=True, text=_str(error.get("message")) or "")
        return _event(
            Kind.TOOL_RESULT, id=item_id, is_error=status == "failed", text=_mcp_text(item.get("result"))
        )
    return _event(Kind.TOOL_RESULT, id=item_id, is_error=status == "failed", text="")


def _mcp_text(result: Any) -> str:
    if not isinstance(result, dict):
        return ""
    content = result.get("content")
    if isinstance(content, list) and content:
        return _tool_result_text(content)
    structured = result.get("structured_content")
    return "" if structured is None else json.dumps(structured, ensure_ascii=False)


def _codex_todos(item: dict[str, Any]) -> list[dict[str, Any]]:
    items = _list(item.get("items"))
    return [
        {"text": _str(todo.get("text")) or "", "completed": todo.get("completed") is True}
        for todo in items
        if isinstance(todo, dict)
    ]


class CodexStream:
    """``codex exec --json`` (JSONL thread events) as tailrun output."""

    def __init__(self) -> None:
        self._usage = _Usage()
        self._called: set[str] = set()  # tool-like items whose tool_call was sent
        self._held: dict[str, tuple[str, dict[str, Any]]] = {}  # started/updated items, until they complete
        self._todos: dict[str, list[dict[str, Any]]] = {}  # the items last sent for each todo list
        self._plan_deltas: dict[str, list[str]] = {}  # item.plan.delta text, until the plan item completes
        self._last_message: str | None = None
        self._started = False
        self._turn: _Turn | None = None
        self._turns = 0

    def feed(self, line: str) -> Output:
        obj = _parse_object(line)
        if obj is None:
            return [TextLine(line)]
        try:
            return self._handle(obj)
        except Exception:  # a shape no handler expected: keep it raw rather than lose it or stop the job
            return [_raw(obj)]

    def finish(self) -> Output:
        out: Output = []
        for kind, held in self._held.values():
            out.extend(self._held_item(kind, held, partial=True) if kind in _HELD_ITEMS else [_raw(held)])
        self._held.clear()
        for item_id, deltas in self._plan_deltas.items():
            data = {"type": "item.plan.delta", "item_id": item_id, "delta": "".join(deltas)}
            out.append(AgentEvent(Kind.AGENT_EVENT, {"type": "item.plan.delta", "data": data}))
        self._plan_deltas.clear()
        if self._turn == _Turn.COMPLETED:
            if self._last_message is not None:
                out.append(AgentEvent(Kind.RESULT, {"value": self._last_message}))
            out.append(_event(Kind.AGENT_COMPLETED, num_turns=self._turns, is_error=False))
        elif self._started and self._turn != _Turn.FAILED:
            out.append(
                _event(Kind.AGENT_FAILED, message="the agent's stream ended before its turn completed")
            )
        return out

    def _handle(self, obj: dict[str, Any]) -> Output:
        kind = obj.get("type")
        if kind in ("item.started", "item.updated", "item.completed"):
            found = _codex_item(obj)
            if found is None:
                return [_raw(obj)]
            self._started = True
            return self._item(kind.removeprefix("item."), *found, obj)
        handlers: dict[Any, Callable[[dict[str, Any]], Output]] = {
            "thread.started": self._thread_started,
            "turn.started": self._turn_started,
            "turn.completed": self._turn_completed,
            "turn.failed": self._turn_failed,
            "error": self._error,
            "item.plan.delta": self._plan_delta,
        }
        handler = handlers.get(kind)
        if handler is None:
            return [_raw(obj)]
        self._started = True
        return handler(obj)

    def _thread_started(self, obj: dict[str, Any]) -> Output:
        return [_event(Kind.AGENT_STARTED, agent=Agent.CODEX.value, session_id=_str(obj.get("thread_id")))]

    def _turn_started(self, obj: dict[str, Any]) -> Output:
        self._turn = _Turn.RUNNING
        return []

    def _turn_completed(self, obj: dict[str, Any]) -> Output:
        self._turn = _Turn.COMPLETED
        self._turns += 1
        usage = _dict(obj.get("usage"))
        return self._usage.event(
            input_tokens=_int(usage.get("input_tokens")), output_tokens=_int(usage.get("output_tokens"))
        )

    def _turn_failed(self, obj: dict[str, Any]) -> Output:
        self._turn = _Turn.FAILED
        error = obj.get("error")
        message = _str(error.get("message")) if isinstance(error, dict) else None
        return [_event(Kind.AGENT_FAILED, message=message or "the turn failed")]

    def _error(self, obj: dict[str, Any]) -> Output:
        return [_event(Kind.ERROR, message=_str(obj.get("message")) or json.dumps(obj, ensure_ascii=False))]

    def _plan_delta(self, obj: dict[str, Any]) -> Output:
        item_id, delta = obj.get("item_id"), obj.get("delta")
        if not isinstance(item_id, str) or not isinstance(delta, str):
            return [_raw(obj)]
        self._plan_deltas.setdefault(item_id, []).append(delta)
        return []

    def _item(self, phase: str, item_id: str, kind: str, item: dict[str, Any], obj: dict[str, Any]) -> Output:
        if kind in _TOOL_ITEMS:
            return self._tool_item(phase, item_id, kind, item)
        if kind == "todo_list":
            return self._todo_item(phase, item_id, item)
        if kind in _HELD_ITEMS:
            if phase != "completed":  # held: the completed item supersedes it
                self._held[item_id] = (kind, item)
                return []
            self._held.pop(item_id, None)
            return self._held_item(kind, item, partial=False)
        # an item type this module does not know: kept raw when it starts and completes; updates are held
        if phase == "updated":
            self._held[item_id] = (kind, obj)
            return []
        self._held.pop(item_id, None)
        if kind == "plan" and phase == "completed":
            self._plan_deltas.clear()  # the plan arrived whole
        return [_raw(obj)]

    def _held_item(self, kind: str, item: dict[str, Any], *, partial: bool) -> Output:
        """An agent message, reasoning or error item: complete, or (``partial``) unfinished as the stream ends."""
        mark = True if partial else None
        if kind == "agent_message":
            text = _str(item.get("text")) or ""
            if text and not partial:
                self._last_message = text
            return _message(text, partial=mark)
        if kind == "reasoning":
            text = _str(item.get("text")) or ""
            return [_event(Kind.THINKING, text=text, partial=mark)] if text else []
        return [_event(Kind.ERROR, message=_str(item.get("message")) or "", partial=mark)]

    def _tool_item(self, phase: str, item_id: str, kind: str, item: dict[str, Any]) -> Output:
        out: Output = []
        if item_id not in self._called:
            self._called.add(item_id)
            out.append(_codex_tool_call(kind, item_id, item))
        if phase == "completed":
            self._called.discard(item_id)
            out.append(_codex_tool_result(kind, item_id, item))
        return out

    def _todo_item(self, phase: str, item_id: str, item: dict[str, Any]) -> Output:
        items = _codex_todos(item)
        changed = self._todos.get(item_id) != items
        if phase == "completed":
            self._todos.pop(item_id, None)
        else:
            self._todos[item_id] = items
        return [AgentEvent(Kind.TODO, {"items": items})] if changed else []
