"""Agents' own JSON streams turned into tailrun events and lines (``tailrun_runner.agents``, issue 12).

The fixtures in ``tests/scenarios/agent_streams/`` are streams of our own making that follow the public sources:

- Claude Code (``claude -p --output-format stream-json --verbose``, ``--include-partial-messages``): the message
  shapes the claude-agent-sdk-python parser reads (``src/claude_agent_sdk/_internal/message_parser.py``:
  ``system``/``subtype``, ``assistant``/``message.content`` blocks ``text``/``thinking``/``tool_use``,
  ``message.usage``/``message.id``, ``user`` ``tool_result`` with ``tool_use_id``/``content``/``is_error``,
  ``result`` with ``subtype``, ``duration_ms``, ``num_turns``, ``total_cost_usd``, ``usage``, ``result``,
  ``stream_event`` with ``event``, ``rate_limit_event``), the usage fields of the Messages API
  (``cache_creation_input_tokens``, ``cache_read_input_tokens``) and its streaming events (``message_start``,
  ``content_block_delta`` with ``text_delta``).
- Codex (``codex exec --json``): ``codex-rs/exec/src/exec_events.rs`` (``ThreadEvent`` tagged by ``type``:
  ``thread.started``/``thread_id``, ``turn.*``, ``item.*``, ``error``, ``item.plan.delta``; ``ThreadItem`` is ``id``
  with its details flattened in, tagged by ``type``: ``agent_message``, ``reasoning``, ``command_execution``
  (``command``, ``aggregated_output``, ``exit_code``, ``status``), ``file_change`` (``changes``: ``path``,
  ``kind``), ``mcp_tool_call`` (``server``, ``tool``, ``arguments``, ``result``, ``error``), ``web_search``
  (``query``), ``todo_list`` (``items``: ``text``, ``completed``), ``error``, ``collab_tool_call``; ``Usage``:
  ``input_tokens``, ``cached_input_tokens``, ``output_tokens``), and ``event_processor_with_jsonl_output.rs``
  (``turn.completed`` reports the thread's running totals). The older spelling (``item_type``,
  ``assistant_message``) is the sample of openai/codex PR #4525 and issue #4776.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tailrun_runner.agents import (
    MAX_DEPTH,
    AgentEvent,
    AgentStream,
    ClaudeStream,
    CodexStream,
    TextLine,
    stream_for,
)

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
STREAMS = SCENARIOS / "agent_streams"
FIXTURES = {
    "claude": ["claude_success.jsonl", "claude_max_turns.jsonl", "claude_killed.jsonl"],
    "codex": ["codex_success.jsonl", "codex_turn_failed.jsonl"],
}

Output = list[TextLine | AgentEvent]


def fixture_lines(name: str) -> list[str]:
    return (STREAMS / name).read_text(encoding="utf-8").splitlines()


def play(agent: str, lines: list[str] | str) -> Output:
    """Feed every line (or a fixture's lines) to a fresh stream, then finish it."""
    stream = stream_for(agent)
    assert stream is not None
    if isinstance(lines, str):
        lines = fixture_lines(lines)
    out: Output = []
    for line in lines:
        out.extend(stream.feed(line))
    return out + stream.finish()


def kinds(out: Output) -> list[str]:
    return [item.kind if isinstance(item, AgentEvent) else "line" for item in out]


def of_kind(out: Output, kind: str) -> list[dict[str, Any]]:
    return [item.fields for item in out if isinstance(item, AgentEvent) and item.kind == kind]


def texts(out: Output) -> list[str]:
    return [item.text for item in out if isinstance(item, TextLine)]


def line(**obj: Any) -> str:
    return json.dumps(obj)


def storable(out: Output) -> None:
    """Every event encodes as strict JSON in UTF-8 (what the runner sends and Firestore stores)."""
    for item in out:
        assert isinstance(item, TextLine | AgentEvent)
        if isinstance(item, AgentEvent):
            assert isinstance(item.kind, str)
            json.dumps(item.fields, allow_nan=False, ensure_ascii=False).encode("utf-8")
        else:
            item.text.encode("utf-8")


# --- both streams ----------------------------------------------------------------------------------------------


def test_stream_for_knows_claude_and_codex_and_gives_a_fresh_reader_each_time():
    assert isinstance(stream_for("claude"), ClaudeStream)
    assert isinstance(stream_for("codex"), CodexStream)
    assert stream_for("claude") is not stream_for("claude")
    assert stream_for("aider") is None
    assert stream_for("") is None


@pytest.mark.parametrize("agent", ["claude", "codex"])
@pytest.mark.parametrize(
    "text",
    ["", "   ", "plain text", "{", "{not json}", "[1, 2]", "42", '"a string"', "null", "true", "NaN",
     '{"a": NaN}', '{"a": Infinity}', "{'single': 'quotes'}", '{"a": 1} trailing', "\x1b[31mred\x1b[0m",
     '{"a": 1' + "9" * 5000 + "}", "[" * 100_000],
)  # fmt: skip
def test_a_line_that_is_not_a_json_object_stays_a_line_unchanged(agent: str, text: str):
    stream = stream_for(agent)
    assert stream is not None
    assert stream.feed(text) == [TextLine(text)]


@pytest.mark.parametrize("agent", ["claude", "codex"])
def test_an_object_of_an_unknown_type_is_kept_whole_as_agent_event(agent: str):
    obj = {"type": "heartbeat", "n": 1, "nested": {"list": [1, "two", None]}}
    assert play(agent, [json.dumps(obj)]) == [AgentEvent("agent_event", {"type": "heartbeat", "data": obj})]
    untyped = {"no": "type"}
    assert play(agent, [json.dumps(untyped)]) == [AgentEvent("agent_event", {"type": None, "data": untyped})]


@pytest.mark.parametrize("agent", ["claude", "codex"])
def test_a_lone_surrogate_a_huge_int_and_deep_nesting_are_made_storable(agent: str):
    deep: Any = "bottom"
    for _ in range(MAX_DEPTH + 5):
        deep = {"d": deep}
    raw = '{"type": "x", "s": "a\\ud800b", "pair": "\\ud83d\\ude00", "big": 123456789012345678901234567890}'
    [event] = play(agent, [raw])
    assert isinstance(event, AgentEvent)
    assert event.fields["data"]["s"] == "a\ufffdb"
    assert event.fields["data"]["pair"] == "😀"
    assert event.fields["data"]["big"] == pytest.approx(1.2345678901234568e29)
    [event] = play(agent, [json.dumps({"type": "x", "deep": deep})])
    assert isinstance(event, AgentEvent)
    level, original = event.fields["data"]["deep"], deep
    for _ in range(
        MAX_DEPTH - 2
    ):  # the object is level 0, "deep" level 1: objects are kept to level MAX_DEPTH - 1
        level, original = level["d"], original["d"]
    assert isinstance(level["d"], str)  # the rest of the value, as JSON text
    assert json.loads(level["d"]) == original["d"]
    storable([event])


@pytest.mark.parametrize("agent", ["claude", "codex"])
def test_map_keys_firestore_refuses_are_renamed_or_cut(agent: str):
    long_key = "é" * 1000  # 2,000 bytes
    raw = {"type": "x", "": 1, "__name__": 2, "_ok_": 3, "____": 4, "__": 5, long_key: {"": 6}}
    [event] = play(agent, [json.dumps(raw)])
    assert isinstance(event, AgentEvent)
    assert event.fields["data"] == {
        "type": "x",
        "(empty)": 1,
        "(reserved)__name__": 2,
        "_ok_": 3,
        "(reserved)____": 4,
        "__": 5,
        "é" * 750: {"(empty)": 6},
    }


@pytest.mark.parametrize(("agent", "name"), [(a, n) for a, names in FIXTURES.items() for n in names])
def test_every_prefix_of_every_fixture_line_is_read_without_raising(agent: str, name: str):
    stream = stream_for(agent)
    assert stream is not None
    for text in fixture_lines(name):
        for cut in range(0, len(text) + 1, max(1, len(text) // 200)):
            out = stream.feed(text[:cut])
            storable(out)
            if cut < len(text) and text.startswith("{"):
                assert out == [TextLine(text[:cut])]  # a cut JSON object is not JSON: it stays a line
    storable(stream.finish())


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
TYPES = st.sampled_from(
    ["system", "assistant", "user", "result", "stream_event", "thread.started", "turn.started", "turn.completed",
     "turn.failed", "item.started", "item.updated", "item.completed", "item.plan.delta", "error", "other"]
)  # fmt: skip
FIELDS = st.sampled_from(
    ["message", "content", "usage", "item", "event", "subtype", "is_error", "result", "error", "text", "id",
     "type", "item_type", "changes", "items", "command", "status", "exit_code", "delta", "item_id", "todos"]
)  # fmt: skip


def shaped(depth: int = 2) -> st.SearchStrategy[Any]:
    """Objects with the streams' field names and random values, so handlers see near misses of real shapes."""
    leaf = JSON if depth == 0 else st.one_of(JSON, st.lists(shaped(depth - 1), max_size=3), shaped(depth - 1))
    return st.dictionaries(FIELDS, leaf, max_size=5)


@settings(max_examples=300, deadline=None)
@given(agent=st.sampled_from(["claude", "codex"]), kind=TYPES, body=shaped(), text=st.text())
def test_random_objects_and_random_text_never_raise_and_stay_storable(
    agent: str, kind: str, body: Any, text: str
):
    stream = stream_for(agent)
    assert stream is not None
    out = stream.feed(json.dumps({**body, "type": kind})) + stream.feed(text) + stream.finish()
    storable(out)
    assert TextLine(text) in out or text.strip().startswith("{")


@pytest.mark.parametrize(("agent", "name"), [(a, n) for a, names in FIXTURES.items() for n in names])
def test_every_json_object_of_a_fixture_becomes_events_never_a_line(agent: str, name: str):
    lines = fixture_lines(name)
    non_json = [text for text in lines if not text.startswith("{")]
    out = play(agent, lines)
    assert [text for text in texts(out) if text in non_json] == non_json
    assert not [text for text in texts(out) if text.startswith("{")]


# --- Claude Code ----------------------------------------------------------------------------------------------


def test_claude_init_becomes_agent_started_with_model_tools_and_session():
    [started] = of_kind(play("claude", "claude_success.jsonl"), "agent_started")
    assert started == {
        "agent": "claude",
        "model": "claude-sonnet-4-5-20250929",
        "tools": ["Task", "Bash", "Glob", "Grep", "Read", "Edit", "Write", "WebFetch", "TodoWrite", "WebSearch",
                  "mcp__github__create_issue"],
        "session_id": "5f0c2a9e-7d1b-4c8e-9a3f-2b6d8e1c4a70",
        "cwd": "/work/repo",
        "permission_mode": "acceptEdits",
        "version": "2.0.14",
    }  # fmt: skip


def test_claude_text_is_a_message_and_also_one_line_per_line_of_it():
    out = play("claude", "claude_success.jsonl")
    final = "Fixed `add()`: it subtracted.\n\nAll tests pass now.\n"
    at = out.index(AgentEvent("message", {"role": "assistant", "text": final}))
    assert out[at + 1 : at + 4] == [
        TextLine("Fixed `add()`: it subtracted."),
        TextLine(""),
        TextLine("All tests pass now."),
    ]
    assert texts(out) == [
        "I'll run the tests first.",
        "docs/api.md says add() returns the sum.",
        "npm notice a line that is not JSON",
        "Fixed `add()`: it subtracted.",
        "",
        "All tests pass now.",
    ]


def test_claude_thinking_and_tool_calls_with_a_summary_for_people():
    out = play("claude", "claude_success.jsonl")
    assert of_kind(out, "thinking") == [{"text": "The tests fail; run them to see how."}]
    calls = of_kind(out, "tool_call")
    assert [call["summary"] for call in calls] == [
        "Bash: npm test",
        "Read: /work/repo/src/a.js",
        "Edit: /work/repo/src/a.js",
        "TodoWrite: 1/2 done",
        "Grep: add\\(",
        "WebFetch: https://example.com/docs/add",
        "Task: Check the docs",
        "Glob: docs/**/*.md",
        "mcp__github__create_issue",
        "Bash: npm test \\ …",  # a multi-line command: its first line, and a mark that there is more
    ]
    assert calls[0] == {
        "id": "toolu_01",
        "name": "Bash",
        "input": {"command": "npm test", "description": "Run the tests"},
        "summary": "Bash: npm test",
    }


@pytest.mark.parametrize(
    ("name", "tool_input", "summary"),
    [
        ("Write", {"file_path": "notes.md", "content": "x"}, "Write: notes.md"),
        ("WebSearch", {"query": "firestore limits"}, "WebSearch: firestore limits"),
        ("Bash", {"command": "x" * 300}, "Bash: " + "x" * 200 + "…"),
        ("Bash", {"command": "   "}, "Bash"),
        ("Bash", {}, "Bash"),
        ("Read", "not an object", "Read"),
        ("SomethingNew", {"file_path": "a"}, "SomethingNew"),
    ],
)
def test_claude_tool_summaries_stay_one_short_line(name: str, tool_input: Any, summary: str):
    message = {"id": "m", "content": [{"type": "tool_use", "id": "t", "name": name, "input": tool_input}]}
    [call] = of_kind(play("claude", [line(type="assistant", message=message)]), "tool_call")
    assert call["summary"] == summary
    assert call["input"] == tool_input


def test_claude_tool_results_read_string_and_list_content():
    results = of_kind(play("claude", "claude_success.jsonl"), "tool_result")
    assert results[0] == {
        "id": "toolu_01",
        "is_error": True,
        "text": "Exit code 1\nFAIL src/a.test.js\n  add() adds: expected 3, got -1",
    }
    assert results[1]["text"] == "     1\texport function add(a, b) {\n     2\t  return a - b;\n     3\t}\n"
    assert [r["id"] for r in results] == [f"toolu_{n:02d}" for n in (1, 2, 3, 4, 5, 6, 8, 7, 9, 10)]
    assert [r["is_error"] for r in results].count(True) == 1
    blocks = [{"type": "text", "text": "a"}, {"type": "image", "source": {}}, {"type": "text", "text": "b"}]
    user = line(
        type="user", message={"content": [{"type": "tool_result", "tool_use_id": "t", "content": blocks}]}
    )
    assert of_kind(play("claude", [user]), "tool_result") == [
        {"id": "t", "is_error": False, "text": "a\n[image]\nb"}
    ]


def test_claude_todo_write_is_also_a_todo_list():
    assert of_kind(play("claude", "claude_success.jsonl"), "todo") == [
        {
            "items": [
                {"text": "Fix add()", "completed": True},
                {"text": "Run the tests again", "completed": False},
            ]
        }
    ]


def test_claude_success_ends_with_usage_result_and_agent_completed():
    out = play("claude", "claude_success.jsonl")
    assert out[-3:] == [
        AgentEvent("usage", {"input_tokens": 110_978, "output_tokens": 710, "cost_usd": 0.1234}),
        AgentEvent("result", {"value": "Fixed `add()`: it subtracted.\n\nAll tests pass now."}),
        AgentEvent(
            "agent_completed",
            {
                "subtype": "success",
                "duration_ms": 48210,
                "num_turns": 11,
                "cost_usd": 0.1234,
                "is_error": False,
            },
        ),
    ]
    assert not of_kind(out, "agent_failed")


def test_claude_usage_is_a_running_total_sent_at_most_once_per_model_call_incl_cache_tokens():
    lines = fixture_lines("claude_success.jsonl")
    calls = {json.loads(t)["message"]["id"] for t in lines if t.startswith('{"type":"assistant"')}
    usage = of_kind(play("claude", lines), "usage")
    assert len(usage) <= len(calls) + 1  # one per model call, and the result's
    # the first call: 4 input + 1,200 cache writes + 10,000 cache reads, 60 out
    assert usage[0] == {"input_tokens": 11_204, "output_tokens": 60}
    totals = [u["input_tokens"] for u in usage]
    assert totals == sorted(totals)  # cumulative
    # the second call's usage counts the first call's final numbers once, though it came with three blocks
    assert usage[1] == {"input_tokens": 11_204 + 11_506, "output_tokens": 60 + 45}


def test_claude_result_totals_replace_the_running_total_and_a_result_without_usage_keeps_it():
    assistant = line(
        type="assistant",
        message={"id": "m1", "content": [], "usage": {"input_tokens": 5, "output_tokens": 7}},
    )
    result = line(type="result", subtype="success", is_error=False, result="ok", total_cost_usd=0.5,
                  usage={"input_tokens": 100, "cache_read_input_tokens": 20, "output_tokens": 9})  # fmt: skip
    assert of_kind(play("claude", [assistant, result]), "usage") == [
        {"input_tokens": 5, "output_tokens": 7},
        {"input_tokens": 120, "output_tokens": 9, "cost_usd": 0.5},
    ]
    bare = line(type="result", subtype="success", is_error=False, result="ok", total_cost_usd=0.5)
    assert of_kind(play("claude", [assistant, bare]), "usage")[-1] == {
        "input_tokens": 5,
        "output_tokens": 7,
        "cost_usd": 0.5,
    }


def test_claude_max_turns_fails_the_agent_and_gives_no_result():
    out = play("claude", "claude_max_turns.jsonl")
    assert out[-2:] == [
        AgentEvent("usage", {"input_tokens": 1810, "output_tokens": 61, "cost_usd": 0.0071}),
        AgentEvent(
            "agent_failed",
            {"message": "the agent reached its maximum number of turns", "subtype": "error_max_turns",
             "duration_ms": 9120, "num_turns": 2, "cost_usd": 0.0071},
        ),
    ]  # fmt: skip
    assert not of_kind(out, "result")
    assert not of_kind(out, "agent_completed")


def test_claude_an_error_result_with_subtype_success_fails_with_its_text():
    result = line(
        type="result", subtype="success", is_error=True, result="API Error: 529 Overloaded", num_turns=1
    )
    out = play("claude", [result])
    assert of_kind(out, "agent_failed") == [
        {"message": "API Error: 529 Overloaded", "subtype": "success", "num_turns": 1}
    ]
    assert not of_kind(out, "result")
    errors = line(
        type="result", subtype="error_during_execution", is_error=True, errors=["tool crashed", "gave up"]
    )
    assert of_kind(play("claude", [errors]), "agent_failed")[0]["message"] == "tool crashed; gave up"


def test_claude_structured_output_is_the_result_value():
    result = line(
        type="result", subtype="success", is_error=False, result='{"n": 3}', structured_output={"n": 3}
    )
    assert of_kind(play("claude", [result]), "result") == [{"value": {"n": 3}}]


def test_claude_partial_deltas_are_not_events_the_whole_message_follows():
    lines = fixture_lines("claude_success.jsonl")
    deltas = [t for t in lines if t.startswith('{"type":"stream_event"')]
    assert len(deltas) == 10
    stream = ClaudeStream()
    assert [stream.feed(t) for t in deltas] == [[]] * len(deltas)
    out = play("claude", lines)
    assert texts(out).count("I'll run the tests first.") == 1
    assert len(of_kind(out, "thinking")) == 1


def test_claude_a_stream_cut_short_keeps_the_unfinished_text_and_says_the_agent_failed():
    out = play("claude", "claude_killed.jsonl")
    assert kinds(out) == ["agent_started", "message", "line", "line", "agent_failed"]
    assert of_kind(out, "message") == [
        {"role": "assistant", "text": "Half a sentence\nand a sec", "partial": True}
    ]
    assert texts(out) == ["Half a sentence", "and a sec"]
    assert of_kind(out, "agent_failed") == [{"message": "the agent's stream ended without a result"}]


def test_claude_held_delta_text_is_bounded():
    delta = line(
        type="stream_event",
        event={"type": "content_block_delta", "delta": {"type": "text_delta", "text": "x" * 1000}},
    )
    stream = ClaudeStream()
    for _ in range(200):
        stream.feed(delta)
    [message] = of_kind(stream.finish(), "message")
    assert len(message["text"]) == 65_536


def test_claude_unknown_types_subtypes_and_blocks_are_kept_raw():
    lines = fixture_lines("claude_success.jsonl")
    raw = of_kind(play("claude", lines), "agent_event")
    assert [event["type"] for event in raw] == ["rate_limit_event", "assistant", "user", "system"]
    by_type = {json.loads(t)["type"]: json.loads(t) for t in lines if '"rate_limit_event"' in t}
    assert raw[0]["data"] == by_type["rate_limit_event"]
    assert raw[1]["data"]["message"]["content"][0]["type"] == "redacted_thinking"
    assert raw[2]["data"]["message"]["content"] == [
        {"type": "text", "text": "Check that docs/ mention add() correctly."}
    ]
    assert raw[3]["data"]["subtype"] == "compact_boundary"


def test_claude_a_sub_agent_s_events_carry_its_parent_tool_call():
    out = play("claude", "claude_success.jsonl")
    inside = [item for item in out if isinstance(item, AgentEvent) and item.fields.get("parent_id")]
    assert [(e.kind, e.fields.get("summary") or e.fields["text"]) for e in inside] == [
        ("tool_call", "Glob: docs/**/*.md"),
        ("tool_result", "/work/repo/docs/api.md"),
        ("message", "docs/api.md says add() returns the sum."),
    ]
    assert {e.fields["parent_id"] for e in inside} == {"toolu_07"}
    assert "parent_id" not in of_kind(out, "tool_call")[0]


def test_claude_every_kind_of_the_success_stream_in_order():
    assert kinds(play("claude", "claude_success.jsonl")) == [
        "agent_started", "thinking", "usage", "message", "line", "tool_call", "tool_result", "agent_event",
        "agent_event", "usage", "tool_call", "tool_result", "tool_call", "usage", "tool_result", "tool_call", "todo",
        "usage", "tool_result", "tool_call", "tool_call", "usage", "tool_result", "tool_result", "tool_call", "usage",
        "agent_event", "tool_call", "usage", "tool_result", "message", "line", "usage", "tool_result", "agent_event",
        "tool_call", "usage", "tool_result", "tool_call", "usage", "tool_result", "line", "message", "line", "line",
        "line", "usage", "usage", "result", "agent_completed",
    ]  # fmt: skip


# --- Codex ----------------------------------------------------------------------------------------------------


def test_codex_every_kind_of_the_success_stream_in_order():
    assert kinds(play("codex", "codex_success.jsonl")) == [
        "agent_started", "error", "thinking", "tool_call", "tool_result", "todo", "tool_call", "tool_result", "todo",
        "tool_call", "tool_result", "tool_call", "tool_result", "error", "agent_event", "agent_event", "tool_call",
        "tool_result", "todo", "line", "agent_event", "message", "line", "line", "usage", "result",
        "agent_completed",
    ]  # fmt: skip


def test_codex_thread_started_is_agent_started_and_turn_started_says_nothing():
    assert play("codex", [line(type="thread.started", thread_id="t-1"), line(type="turn.started")])[:1] == [
        AgentEvent("agent_started", {"agent": "codex", "session_id": "t-1"})
    ]


def test_codex_a_command_is_a_tool_call_when_it_starts_and_a_result_with_its_exit_code_when_it_ends():
    out = play("codex", "codex_success.jsonl")
    calls = {c["id"]: c for c in of_kind(out, "tool_call")}
    results = {r["id"]: r for r in of_kind(out, "tool_result")}
    assert calls["item_1"] == {
        "id": "item_1",
        "name": "command_execution",
        "input": {"command": "bash -lc 'npm test'"},
        "summary": "$ npm test",
    }
    assert results["item_1"] == {
        "id": "item_1",
        "is_error": True,
        "text": "FAIL src/a.test.js\n  add() adds: expected 3, got -1\n",
        "exit_code": 1,
    }
    assert results["item_8"] == {
        "id": "item_8",
        "is_error": False,
        "text": "PASS src/a.test.js\n",
        "exit_code": 0,
    }
    started = out.index(AgentEvent("tool_call", calls["item_1"]))
    assert out[started + 1] == AgentEvent("tool_result", results["item_1"])


@pytest.mark.parametrize(
    ("command", "summary"),
    [
        ("bash -lc 'npm test'", "$ npm test"),
        ("/bin/zsh -c 'ls -la'", "$ ls -la"),
        (["bash", "-lc", "echo hi"], "$ echo hi"),
        (["git", "status"], "$ git status"),
        ("make test", "$ make test"),
        ("bash -lc 'unbalanced", "$ bash -lc 'unbalanced"),
        ("", "$"),
    ],
)
def test_codex_command_summaries_show_the_script(command: Any, summary: str):
    item = {"id": "c", "type": "command_execution", "command": command, "status": "in_progress"}
    [call] = of_kind(play("codex", [line(type="item.started", item=item)]), "tool_call")
    assert call["summary"] == summary


def test_codex_file_changes_name_their_files():
    out = play("codex", "codex_success.jsonl")
    [call] = [c for c in of_kind(out, "tool_call") if c["name"] == "file_change"]
    assert call["summary"] == "edit: src/a.js, src/b.js"
    assert [r for r in of_kind(out, "tool_result") if r["id"] == "item_3"] == [
        {"id": "item_3", "is_error": False, "text": "update src/a.js\nadd src/b.js"}
    ]
    many = {
        "id": "f",
        "type": "file_change",
        "changes": [{"path": f"{n}.py", "kind": "add"} for n in range(8)],
    }
    [call] = of_kind(
        play("codex", [line(type="item.completed", item={**many, "status": "failed"})]), "tool_call"
    )
    assert call["summary"] == "edit: 0.py, 1.py, 2.py, 3.py, 4.py +3 more"


def test_codex_mcp_calls_and_web_searches_are_tool_calls_with_results():
    out = play("codex", "codex_success.jsonl")
    calls = {c["id"]: c for c in of_kind(out, "tool_call")}
    results = {r["id"]: r for r in of_kind(out, "tool_result")}
    assert calls["item_4"] == {
        "id": "item_4",
        "name": "github.search_issues",
        "input": {"query": "add bug"},
        "summary": "github.search_issues",
    }
    assert results["item_4"] == {"id": "item_4", "is_error": False, "text": "#12 add() subtracts"}
    assert calls["item_5"]["summary"] == "web_search: javascript add function returns negative"
    failed = {
        "id": "m",
        "type": "mcp_tool_call",
        "server": "s",
        "tool": "t",
        "error": {"message": "boom"},
        "status": "failed",
    }
    assert of_kind(play("codex", [line(type="item.completed", item=failed)]), "tool_result") == [
        {"id": "m", "is_error": True, "text": "boom"}
    ]


def test_codex_todo_lists_are_sent_when_their_items_change_only():
    todos = of_kind(play("codex", "codex_success.jsonl"), "todo")
    assert [[item["completed"] for item in t["items"]] for t in todos] == [
        [False, False],
        [True, False],
        [True, True],
    ]
    assert todos[0]["items"][0] == {"text": "Fix add()", "completed": False}


def test_codex_errors_items_and_stream_errors_are_error_events():
    assert of_kind(play("codex", "codex_success.jsonl"), "error") == [
        {"message": "Reconnecting... 1/5"},
        {"message": "Failed to read .codexignore: not found"},
    ]


def test_codex_agent_messages_are_sent_at_completion_only_and_the_last_is_the_result():
    started = line(type="turn.started")
    updates = [
        line(type="item.updated", item={"id": "m", "type": "agent_message", "text": "Hel" + "l" * n})
        for n in range(50)
    ]
    first = line(type="item.completed", item={"id": "m0", "type": "agent_message", "text": "first"})
    last = line(type="item.completed", item={"id": "m", "type": "agent_message", "text": "Hello\nworld"})
    done = line(
        type="turn.completed", usage={"input_tokens": 10, "cached_input_tokens": 4, "output_tokens": 2}
    )
    out = play("codex", [started, first, *updates, last, done])
    assert out == [
        AgentEvent("message", {"role": "assistant", "text": "first"}),
        TextLine("first"),
        AgentEvent("message", {"role": "assistant", "text": "Hello\nworld"}),
        TextLine("Hello"),
        TextLine("world"),
        AgentEvent("usage", {"input_tokens": 10, "output_tokens": 2}),
        AgentEvent("result", {"value": "Hello\nworld"}),
        AgentEvent("agent_completed", {"num_turns": 1, "is_error": False}),
    ]


def test_codex_usage_is_the_thread_total_it_reports_replaced_never_added():
    turns = [
        line(
            type="turn.completed", usage={"input_tokens": 100, "cached_input_tokens": 0, "output_tokens": 10}
        ),
        line(
            type="turn.completed", usage={"input_tokens": 100, "cached_input_tokens": 0, "output_tokens": 10}
        ),
        line(
            type="turn.completed", usage={"input_tokens": 250, "cached_input_tokens": 90, "output_tokens": 30}
        ),
    ]
    assert of_kind(play("codex", turns), "usage") == [
        {"input_tokens": 100, "output_tokens": 10},
        {"input_tokens": 250, "output_tokens": 30},
    ]


def test_codex_a_failed_turn_fails_the_agent_and_gives_no_result():
    out = play("codex", "codex_turn_failed.jsonl")
    assert kinds(out) == ["agent_started", "thinking", "error", "agent_failed"]
    assert out[-1] == AgentEvent(
        "agent_failed", {"message": "stream disconnected before completion: error sending request"}
    )


def test_codex_a_stream_cut_mid_turn_keeps_what_was_held_and_says_the_agent_failed():
    lines = [
        line(type="thread.started", thread_id="t"),
        line(type="turn.started"),
        line(type="item.updated", item={"id": "m", "type": "agent_message", "text": "Half"}),
        line(type="item.started", item={"id": "c", "type": "command_execution", "command": "sleep 100", "status": "in_progress"}),
    ]  # fmt: skip
    out = play("codex", lines)
    assert kinds(out) == ["agent_started", "tool_call", "message", "line", "agent_failed"]
    assert of_kind(out, "message") == [{"role": "assistant", "text": "Half", "partial": True}]
    assert not of_kind(out, "result")
    assert of_kind(out, "agent_failed") == [{"message": "the agent's stream ended before its turn completed"}]


def test_codex_unknown_items_are_kept_when_they_start_and_complete_and_their_updates_are_coalesced():
    lines = fixture_lines("codex_success.jsonl")
    raw = of_kind(play("codex", lines), "agent_event")
    assert [(e["type"], e["data"].get("item", {}).get("type")) for e in raw] == [
        ("item.started", "collab_tool_call"),
        ("item.completed", "collab_tool_call"),
        ("some.future.event", None),
    ]
    assert raw[1]["data"] == json.loads(next(t for t in lines if '"item.completed"' in t and "collab" in t))
    item = {"id": "p", "type": "collab_tool_call", "status": "in_progress"}
    updates = [line(type="item.updated", item={**item, "n": n}) for n in range(20)]
    out = play("codex", [line(type="item.started", item=item), *updates])
    assert [e["data"] for e in of_kind(out, "agent_event")] == [
        {"type": "item.started", "item": item},
        {"type": "item.updated", "item": {**item, "n": 19}},  # the latest, at the end: nothing is lost
    ]


def test_codex_plan_deltas_are_coalesced_into_the_plan_item():
    deltas = [line(type="item.plan.delta", item_id="p", delta=d) for d in ("1. read", "\n2. fix")]
    plan = line(type="item.completed", item={"id": "p", "type": "plan", "text": "1. read\n2. fix"})
    out = play("codex", [*deltas, plan])
    assert [e["data"]["item"]["text"] for e in of_kind(out, "agent_event")] == ["1. read\n2. fix"]
    out = play("codex", deltas)
    assert of_kind(out, "agent_event") == [
        {
            "type": "item.plan.delta",
            "data": {"type": "item.plan.delta", "item_id": "p", "delta": "1. read\n2. fix"},
        }
    ]


def test_codex_the_item_type_spelling_of_versions_before_0_44_is_read_too():
    lines = [
        line(type="thread.started", thread_id="01999ce5"),
        line(type="turn.started"),
        line(type="item.completed", item={"id": "item_0", "item_type": "reasoning", "text": "**Planning**"}),
        line(type="item.started", item={"id": "item_1", "item_type": "mcp_tool_call", "server": "github", "tool": "search_issues", "status": "in_progress"}),
        line(type="item.completed", item={"id": "item_1", "item_type": "mcp_tool_call", "server": "github", "tool": "search_issues", "status": "completed"}),
        line(type="item.completed", item={"id": "item_3", "item_type": "assistant_message", "text": "**Assigned Issues**"}),
        line(type="turn.completed", usage={"input_tokens": 34, "cached_input_tokens": 0, "output_tokens": 5}),
    ]  # fmt: skip
    out = play("codex", lines)
    assert kinds(out) == [
        "agent_started", "thinking", "tool_call", "tool_result", "message", "line", "usage", "result", "agent_completed",
    ]  # fmt: skip
    assert of_kind(out, "result") == [{"value": "**Assigned Issues**"}]


# --- the scenario programs, as real child processes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("program", "agent", "fixture", "exit_code"),
    [
        ("fake_claude.py", "claude", "claude_success.jsonl", 0),
        ("fake_claude.py", "claude", "claude_max_turns.jsonl", 1),
        ("fake_codex.py", "codex", "codex_success.jsonl", 0),
        ("fake_codex.py", "codex", "codex_turn_failed.jsonl", 1),
    ],
)
def test_a_fake_agent_played_as_a_child_process_streams_into_the_same_events(
    program: str, agent: str, fixture: str, exit_code: int
):
    stream: AgentStream | None = stream_for(agent)
    assert stream is not None
    child = subprocess.Popen(
        [sys.executable, str(SCENARIOS / program), fixture, "0.001", str(exit_code)],
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert child.stdout is not None
    out: Output = []
    with child.stdout:
        for text in child.stdout:  # read as the runner does: a line at a time, as the child writes it
            out.extend(stream.feed(text.removesuffix("\n")))
    out.extend(stream.finish())
    assert child.wait(timeout=30) == exit_code
    assert out == play(agent, fixture)
    assert kinds(out)[-1] in ("agent_completed", "agent_failed")


def test_claude_usage_growing_within_one_model_call_waits_for_the_next_call():
    def block(call: str, out_tokens: int) -> str:
        usage = {"input_tokens": 10, "output_tokens": out_tokens}
        return line(
            type="assistant", message={"id": call, "content": [{"type": "text", "text": "t"}], "usage": usage}
        )

    out = play("claude", [block("m1", 1), block("m1", 5), block("m1", 9), block("m2", 2)])
    assert of_kind(out, "usage") == [
        {"input_tokens": 10, "output_tokens": 1},
        {"input_tokens": 20, "output_tokens": 11},  # m1's final 9, once, with m2's first 2
    ]


def test_claude_deltas_superseded_by_the_whole_message_are_not_sent_again_at_the_end():
    lines = fixture_lines("claude_success.jsonl")
    text_arrived = lines.index(
        next(t for t in lines if "I'll run the tests first." in t and '"assistant"' in t)
    )
    out = play("claude", lines[: text_arrived + 1])
    assert texts(out) == ["I'll run the tests first."]
    assert of_kind(out, "message") == [{"role": "assistant", "text": "I'll run the tests first."}]
