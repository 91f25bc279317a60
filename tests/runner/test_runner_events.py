"""Events through a real runner process: workflow commands a real job prints, delivered in the output messages
with the lines, numbered without gaps, placed by ``at_line``, with the attempt's state; a flood of them; and an
agent's stream read through the agent hook (with a test-only stand-in reader, ``agent_standin.py``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from runner_harness import job
from tailrun_runner.defaults import EVENT_MAX_BYTES

STANDIN = Path(__file__).resolve().parent / "agent_standin.py"


def encoded(event: dict) -> bytes:
    """An event's JSON as the runner encodes it (compact, UTF-8)."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def without_ts(events: list[dict]) -> list[dict]:
    assert all(isinstance(event["ts"], int) and event["ts"] > 1_700_000_000_000 for event in events)
    return [{key: value for key, value in event.items() if key != "ts"} for event in events]


def test_workflow_commands_become_events_in_order_with_the_lines_and_the_rest_stays_lines(
    start_runner, callback_server
):
    runner = start_runner(job("commands_showcase"))

    assert runner.wait() == 0
    received = callback_server.received()
    received.check_seqs()
    assert received.text("stdout") == "\n".join(
        [
            "before",
            "installing a",
            "::result {broken",
            "::debug::not a command tailrun knows",
            "::error line=x::a bad line number",
            "::grup::spelled wrong",
            "after",
            "last",
        ]
    )
    assert received.completed()["lines"] == 8
    events = without_ts(received.events())
    message = "m" * 40_000
    assert events[:10] == [
        {"event": 0, "at_line": 1, "kind": "group", "title": "Install"},
        {
            "event": 1,
            "at_line": 2,
            "kind": "annotation",
            "level": "error",
            "message": "it broke\nhere",
            "file": "src/a.py",
            "line": 3,
            "col": 7,
            "end_line": 4,
            "title": "Boom",
        },
        {"event": 2, "at_line": 2, "kind": "annotation", "level": "warning", "message": "careful"},
        {"event": 3, "at_line": 2, "kind": "annotation", "level": "notice", "message": "fyi", "file": "b.py"},
        {"event": 4, "at_line": 2, "kind": "endgroup"},
        {"event": 5, "at_line": 2, "kind": "step", "text": "building the thing"},
        {"event": 6, "at_line": 2, "kind": "url", "url": "https://example.com/page?q=1"},
        {"event": 7, "at_line": 2, "kind": "result", "value": {"ok": True, "count": 3}},
        {"event": 8, "at_line": 7, "kind": "result", "cut": True, "bytes": 70_002},
        {"event": 9, "at_line": 7, "kind": "step", "text": "second step"},
    ]
    (cut,) = events[10:]
    assert cut["kind"] == "annotation" and cut["cut"] is True and message.startswith(cut["message"])
    assert all(len(encoded(event)) <= EVENT_MAX_BYTES for event in received.events())
    assert received.state() == {
        "events": 11,
        "current_step": "second step",
        "current_url": "https://example.com/page?q=1",
        "annotations": {"error": 2, "warning": 1, "notice": 1},
        "usage": None,
        "result": {"ok": True, "count": 3},  # the cut result changed nothing
    }
    (progress,) = received.of_type("progress")
    assert progress["percent"] == 50 and progress["step"] == "half way"


def test_commands_on_stderr_count_too(start_runner, callback_server):
    script = "import sys; print('::error::on stderr', file=sys.stderr); print('plain', file=sys.stderr)"
    runner = start_runner([sys.executable, "-c", script])

    assert runner.wait() == 0
    received = callback_server.received()
    assert received.text("stderr") == "plain\n"
    assert without_ts(received.events()) == [
        {"event": 0, "at_line": 0, "kind": "annotation", "level": "error", "message": "on stderr"}
    ]


def test_a_job_without_commands_sends_no_events_and_no_state(start_runner, callback_server):
    runner = start_runner(job("lines", 50))

    assert runner.wait() == 0
    received = callback_server.received()
    assert received.events() == [] and received.state() is None
    assert all("events" not in m and "state" not in m for m in received.messages)


def test_ten_thousand_commands_go_in_few_messages_in_order_with_the_lines_among_them(
    start_runner, callback_server
):
    count, every, max_lines = 10_000, 100, 1000
    runner = start_runner(job("commands_flood", count, every), TAILRUN_BATCH_MAX_LINES=str(max_lines))

    assert runner.wait() == 0
    received = callback_server.received()
    received.check_seqs()
    lines = count // every
    assert received.text("stdout") == "".join(f"line {k}\n" for k in range(lines))
    events = received.events()
    assert [event["text"] for event in events] == [f"s{i}" for i in range(count)]
    assert [event["at_line"] for event in events] == [i // every for i in range(count)]
    outputs = received.of_type("output")
    assert all(len(m["lines"]) + len(m.get("events", [])) <= max_lines for m in outputs)
    # Events batch like lines: the 10,100 items need 11 full messages; a few more when the age limit sends a
    # batch before it is full. Not one message per event.
    assert len(outputs) <= (count + lines) / max_lines + 15, len(outputs)
    print(f"{len(outputs)} output messages for {count} events and {lines} lines")
    # Not starved: each line goes in the same message as the events printed around it, never after later ones.
    delivered = 0
    for message in outputs:
        delivered += len(message["lines"])
        assert all(event["at_line"] <= delivered for event in message.get("events", []))
        if message["lines"] and message.get("events"):
            assert message["events"][-1]["at_line"] >= delivered - 1
    assert received.state()["events"] == count and received.state()["current_step"] == f"s{count - 1}"


def start_agent(start_runner, *args: str, **env: str):
    return start_runner(
        job("commands_agent", *args),
        command=(sys.executable, str(STANDIN)),
        TAILRUN_AGENT_STREAM="claude",
        **env,
    )


def test_an_agents_stream_becomes_events_and_its_text_lines(start_runner, callback_server):
    runner = start_agent(start_runner, TAILRUN_ENV='{"SECRET": "agent-s3cret"}')

    assert runner.wait() == 0
    received = callback_server.received()
    received.check_seqs()
    assert received.text("stdout") == "Let me look.\nFirst the tests.\nnot json at all\n[1, 2, 3]\n"
    assert received.text("stderr") == "stderr stays plain\n"
    events = without_ts(received.events())
    # Where each event sits among the stdout lines (the stderr line, printed in the same burst from another pipe,
    # is merged at an estimated place: reader.interleave), and that at_line counts the stderr line when it is
    # placed before the event.
    stdout_numbers = [line["line"] for line in received.lines() if line["stream"] == "stdout"]
    stderr_number = next(line["line"] for line in received.lines() if line["stream"] == "stderr")

    def stdout_before(at_line: int) -> int:
        return sum(number < at_line for number in stdout_numbers)

    assert [(event["kind"], stdout_before(event["at_line"])) for event in events] == [
        ("agent_started", 0),
        ("message", 0),
        ("tool_call", 3),
        ("annotation", 3),
        ("usage", 3),
        ("agent_event", 3),
        ("result", 4),
        ("agent_completed", 4),
    ]
    assert all(
        event["at_line"] == stdout_before(event["at_line"]) + (stderr_number < event["at_line"])
        for event in events
    )
    assert events[0] == {
        "event": 0,
        "at_line": 0,
        "kind": "agent_started",
        "agent": "claude",
        "model": "toy-1",
        "tools": ["Bash", "Edit"],
    }
    assert events[2]["input"] == {"command": "npm test --token ***"}  # masked inside the tool's input
    assert events[2]["summary"] == "Bash: npm test --token ***"
    assert events[3]["message"] == "from the agent's stdout" and events[3]["line"] == 2
    assert events[5]["type"] == "mystery" and events[5]["data"] == {"type": "mystery", "payload": [1, 2]}
    assert received.state() == {
        "events": 8,
        "current_step": "Bash: npm test --token ***",
        "current_url": None,
        "annotations": {"error": 0, "warning": 1, "notice": 0},
        "usage": {"input_tokens": 120, "output_tokens": 30, "cost_usd": 0.0042},
        "result": "All 12 tests pass.",
    }
    assert b"agent-s3cret" not in b"".join(request.raw for request in received.requests)


def test_a_failing_agent_reader_leaves_the_rest_of_stdout_plain_lines(start_runner, callback_server):
    runner = start_agent(start_runner, "crash")

    assert runner.wait() == 0
    received = callback_server.received()
    stdout = received.text("stdout").splitlines()
    assert stdout[:3] == ["Let me look.", "First the tests.", "not json at all"]
    assert '{"type": "crash"}' in stdout  # from the failure on, each line is a plain line
    assert '{"type": "result", "text": "All 12 tests pass."}' in stdout
    assert [event["kind"] for event in received.events()][:3] == ["agent_started", "message", "tool_call"]
    assert "the claude stream reader failed" in runner.logs()


def test_without_the_agent_variable_an_agents_stream_stays_lines(start_runner, callback_server):
    runner = start_runner(job("commands_agent"), command=(sys.executable, str(STANDIN)))

    assert runner.wait() == 0
    received = callback_server.received()
    assert received.text("stdout").splitlines()[0].startswith('{"type": "init"')
    # The workflow command among them still is one.
    assert [event["kind"] for event in received.events()] == ["annotation"]
