"""Events among the lines (issue 12), as pure functions: the order the follower releases a chunk's lines and events
in, whatever the order chunks arrive in; how each kind of event reads; `logs --events` lines; `status` rows."""

from __future__ import annotations

import io
import itertools
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from tailrun.cli.follow import Follower, JobEvent, LineAssembler, OutputLine, show_everything
from tailrun.cli.render import (
    EventListDisplay,
    TerminalDisplay,
    annotations_text,
    event_json,
    event_line,
    event_text,
    status_table,
    usage_text,
)

# What the runner emits, in order: "L" a line, anything else an event of that kind.
Stream = list[str]


def batches(stream: Stream, cuts: list[int], *, first_event_when_empty: bool) -> list[dict[str, Any]]:
    """``stream`` cut at ``cuts`` into chunk documents as the callback stores them (design §4): lines numbered
    across the stream, events numbered and placed by ``at_line``, ``first_event`` the events of earlier chunks (or
    0 in a chunk without events, unless ``first_event_when_empty``)."""
    chunks, line, event = [], 0, 0
    bounds = [0, *sorted({c for c in cuts if 0 < c < len(stream)}), len(stream)]
    for seq, (start, end) in enumerate(itertools.pairwise(bounds), start=1):
        first_line, first_event = line, event
        lines, events = [], []
        for item in stream[start:end]:
            if item == "L":
                lines.append({"line": line, "stream": "stdout", "ts": line, "text": f"line {line}"})
                line += 1
            else:
                events.append(
                    {"event": event, "at_line": line, "ts": line, "kind": "step", "text": f"e{event}"}
                )
                event += 1
        chunks.append(
            {
                "attempt": 1,
                "seq": seq,
                "first_line": first_line,
                "line_count": len(lines),
                "lines": lines,
                "first_event": first_event if events or first_event_when_empty else 0,
                "event_count": len(events),
                "events": events,
            }
        )
    return chunks


def labels(released: list[Any]) -> list[str]:
    return [f"L{item.line}" if isinstance(item, OutputLine) else f"E{item.event}" for item in released]


def expected_labels(stream: Stream) -> list[str]:
    line = event = 0
    out = []
    for item in stream:
        if item == "L":
            out.append(f"L{line}")
            line += 1
        else:
            out.append(f"E{event}")
            event += 1
    return out


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[Stream, list[int], list[int]]:
    """A stream of lines and events, the places it is cut into chunks, and an order of delivery (some twice)."""
    stream = draw(st.lists(st.sampled_from(["L", "L", "E"]), max_size=40))
    cuts = draw(st.lists(st.integers(min_value=1, max_value=max(len(stream) - 1, 1)), max_size=10))
    count = len({c for c in cuts if 0 < c < len(stream)}) + 1
    order = list(range(count)) + draw(st.lists(st.integers(0, count - 1), max_size=3))
    return stream, cuts, draw(st.permutations(order))


@given(deliveries())
def test_lines_and_events_come_out_in_the_order_they_were_emitted_whatever_the_order_of_chunks(
    delivery: tuple[Stream, list[int], list[int]],
) -> None:
    stream, cuts, order = delivery
    chunks = batches(stream, cuts, first_event_when_empty=True)
    assembler = LineAssembler()
    released: list[Any] = []
    for index in order:
        assembler.add_chunk(chunks[index])
        released += assembler.ready_output()
        assert labels(released) == expected_labels(stream)[: len(released)], "something came out early"
    assert labels(released) == expected_labels(stream)
    assert assembler.gap() is None and assembler.event_gap() is None and not assembler.waiting()


@given(deliveries())
def test_without_a_count_in_chunks_that_have_no_events_nothing_is_lost_and_an_event_is_never_early(
    delivery: tuple[Stream, list[int], list[int]],
) -> None:
    stream, cuts, order = delivery
    assembler = LineAssembler()
    chunks = batches(stream, cuts, first_event_when_empty=False)
    released: list[Any] = []
    for index in order:
        assembler.add_chunk(chunks[index])
        released += assembler.ready_output()
    shown = labels(released)
    assert sorted(shown) == sorted(expected_labels(stream)), "every line and event once"
    assert [x for x in shown if x[0] == "L"] == [x for x in expected_labels(stream) if x[0] == "L"]
    assert [x for x in shown if x[0] == "E"] == [x for x in expected_labels(stream) if x[0] == "E"]
    for position, item in enumerate(released):
        if isinstance(item, JobEvent):
            before = {x for x in shown[:position] if x[0] == "L"}
            assert {f"L{n}" for n in range(item.at_line)} <= before, "an event before a line it follows"


def test_a_late_chunk_of_events_holds_back_the_lines_after_it() -> None:
    # the runner sent: line 0, [step at line 1] alone in a batch, then lines 1-2 with the next event count
    first = {"attempt": 1, "lines": [{"line": 0, "text": "a"}], "events": [], "first_event": 0}
    events = {"attempt": 1, "lines": [], "events": [{"event": 0, "at_line": 1, "kind": "step", "text": "s"}]}
    after = {"attempt": 1, "lines": [{"line": 1, "text": "b"}, {"line": 2, "text": "c"}], "first_event": 1}
    assembler = LineAssembler()
    assembler.add_chunk(first)
    assembler.add_chunk(after)
    assert labels(assembler.ready_output()) == ["L0"]
    assert assembler.event_gap() == (0, 1) and assembler.gap() is None
    assembler.add_chunk(events)
    assert labels(assembler.ready_output()) == ["E0", "L1", "L2"]


def test_events_after_the_last_line_come_out_at_the_end() -> None:
    chunk = {
        "lines": [{"line": 0, "text": "only"}],
        "events": [
            {"event": 0, "at_line": 0, "kind": "group", "title": "g"},
            {"event": 1, "at_line": 1, "kind": "endgroup"},
            {"event": 2, "at_line": 1, "kind": "result", "value": {"ok": True}},
        ],
    }
    assembler = LineAssembler()
    assembler.add_chunk(chunk)
    assert labels(assembler.ready_output()) == ["E0", "L0", "E1", "E2"]


class Recording:
    """Records what is shown, in order (a display with events)."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.gaps: list[tuple[str, int, int, int]] = []

    def job(self, job: dict[str, Any]) -> None:
        pass

    def lines(self, lines: list[OutputLine]) -> None:
        self.shown += [f"L{line.line}" for line in lines]

    def events(self, events: list[JobEvent]) -> None:
        self.shown += [f"E{event.event}" for event in events]

    def attempt(self, attempt: int) -> None:
        pass

    def gap(self, attempt: int, start: int, end: int) -> None:
        self.gaps.append(("lines", attempt, start, end))

    def event_gap(self, attempt: int, start: int, end: int) -> None:
        self.gaps.append(("events", attempt, start, end))


def test_stored_output_with_lost_events_shows_the_rest_in_order_and_says_what_is_missing() -> None:
    stream = ["L", "E", "L", "E", "E", "L", "E", "L"]
    chunks = batches(stream, [2, 5], first_event_when_empty=True)
    assembler, display = LineAssembler(), Recording()
    for chunk in (chunks[0], chunks[2]):  # the middle chunk (line 1, events 1-2) never came
        assembler.add_chunk(chunk)
    show_everything(assembler, 1, display)
    assert display.shown == ["L0", "E0", "L2", "E3", "L3"]
    assert display.gaps == [("lines", 1, 1, 2), ("events", 1, 1, 3)]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_follower_waits_for_the_events_the_ended_job_counts_then_reports_those_that_never_come() -> None:
    display, clock = Recording(), Clock()
    follower = Follower(display, clock=clock)
    chunks = batches(["L", "E", "L", "E"], [2, 3], first_event_when_empty=True)
    follower.handle("job", {"status": "running", "attempt": 1})
    follower.handle("chunk", chunks[0])
    follower.handle("chunk", chunks[1])
    follower.handle("job", {"status": "succeeded", "attempt": 1, "lines": 2, "events": 2})
    assert not follower.done(), "event 1 is on its way"
    assert display.shown == ["L0", "E0", "L1"]
    clock.now += 60
    assert follower.done()
    assert display.gaps == [("events", 1, 1, 2)]


def test_the_follower_shows_a_late_last_event_then_ends() -> None:
    display, clock = Recording(), Clock()
    follower = Follower(display, clock=clock)
    chunks = batches(["L", "E", "L", "E"], [2, 3], first_event_when_empty=True)
    follower.handle("job", {"status": "succeeded", "attempt": 1, "lines": 2, "events": 2})
    for chunk in (chunks[2], chunks[0], chunks[1]):
        follower.handle("chunk", chunk)
    assert follower.done()
    assert display.shown == ["L0", "E0", "L1", "E1"] and display.gaps == []


# How each kind reads among the lines


def event(kind: str, **fields: Any) -> JobEvent:
    return JobEvent.from_dict({"event": 0, "at_line": 0, "ts": 1, "kind": kind, **fields})


@pytest.mark.parametrize(
    ("shown", "text", "style"),
    [
        (event("group", title="Install"), "▸ Install", "bold"),
        (
            event("annotation", level="error", file="a.py", line=3, message="bad"),
            "error: a.py:3: bad",
            "bold red",
        ),
        (
            event("annotation", level="warning", file="a.py", line=3, col=7, title="Lint", message="long"),
            "warning: a.py:3:7: Lint: long",
            "yellow",
        ),
        (event("annotation", level="notice", message="fyi", line=9), "notice: fyi", "cyan"),
        (event("step", text="installing"), "→ installing", "cyan"),
        (event("url", url="https://example.com/a"), "↗ https://example.com/a", "blue"),
        (event("result", value={"ok": True, "n": [1, 2]}), 'result: {"ok":true,"n":[1,2]}', "green"),
        (
            event("result", cut=True, bytes=70000),
            "result: not kept (70,000 bytes, over the 64 KiB cap)",
            "yellow",
        ),
        (
            event("tool_call", id="t1", name="Bash", input={"command": "npm test"}, summary="Bash: npm test"),
            "→ Bash: npm test",
            "cyan",
        ),
        (event("tool_call", id="t1", name="Read", input={}), "→ Read", "cyan"),
        (
            event("agent_failed", subtype="error_max_turns"),
            "error: the agent failed (error_max_turns)",
            "bold red",
        ),
        (event("error", message="rate limited"), "error: rate limited", "bold red"),
        (event("step", text="x" * 10, cut=True), "→ xxxxxxxxxx …", "cyan"),
        (
            event("agent_started", agent="claude", model="m1", tools=["Bash", "Read"]),
            "claude started (model m1, 2 tools)",
            "dim",
        ),
    ],
)
def test_each_shown_kind_reads_as_the_design_says(shown: JobEvent, text: str, style: str) -> None:
    assert event_text(shown) == (text, style)


@pytest.mark.parametrize(
    "kind", ["message", "thinking", "usage", "tool_result", "agent_event", "endgroup", "todo", "future_kind"]
)
def test_kinds_whose_text_is_a_line_already_or_that_say_nothing_to_people_are_not_shown(kind: str) -> None:
    assert event_text(event(kind, text="hello", role="assistant")) is None


def test_an_events_text_is_cleaned_of_control_sequences_and_a_long_message_continues_indented() -> None:
    hostile = event("annotation", level="error", message="\x1b]52;c;ZXZpbA==\x07first\nsecond\x1b[2J")
    text, _ = event_text(hostile) or ("", "")
    assert text == "error: first\n  second"
    assert event_text(event("step", text="\x1b[31mred\x1b[0m [bold]x[/]")) == ("→ red [bold]x[/]", "cyan")


def test_in_a_pipe_events_go_to_stderr_and_stdout_keeps_the_jobs_lines_alone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    display = TerminalDisplay("job1", interactive=False)
    display.lines([OutputLine(0, "stdout", "out 0")])
    display.events([event("step", text="building"), event("message", text="hi")])
    display.lines([OutputLine(1, "stderr", "err 1"), OutputLine(2, "stdout", "out 2")])
    display.events([event("annotation", level="error", file="a.py", line=3, message="bad [red]x[/]")])
    captured = capsys.readouterr()
    assert captured.out == "out 0\nout 2\n"
    assert captured.err == "→ building\nerr 1\nerror: a.py:3: bad [red]x[/]\n"


def test_on_a_terminal_events_show_among_the_lines_in_colour() -> None:
    display = TerminalDisplay("job1", interactive=True)
    screen = io.StringIO()
    display.out = Console(
        file=screen, force_terminal=True, color_system="standard", width=100, highlight=False
    )
    display.lines([OutputLine(0, "stdout", "before")])
    display.events([event("annotation", level="error", message="boom")])
    display.lines([OutputLine(1, "stdout", "after")])
    shown = screen.getvalue()
    assert shown.index("before") < shown.index("error: boom") < shown.index("after")
    assert "\x1b[1;31merror: boom" in shown


def test_the_live_bar_says_the_current_step_when_there_is_no_progress_step() -> None:
    display = TerminalDisplay("job1", interactive=True)
    display.out = Console(file=io.StringIO(), force_terminal=True, width=100)
    with display:
        display.job({"status": "running", "current_step": "Bash: npm test"})
        assert display._bar is not None and display._task is not None
        label = display._bar.tasks[0].fields["label"]
    assert "Bash: npm test" in label.plain


# `tailrun logs --events`


def test_an_event_line_gives_number_place_kind_and_fields_words_bare_and_other_texts_quoted() -> None:
    annotation = JobEvent.from_dict(
        {
            "event": 5,
            "at_line": 20,
            "ts": 9,
            "kind": "annotation",
            "message": "bad thing",
            "file": "a.py",
            "line": 3,
            "level": "error",
        }
    )
    assert event_line(annotation) == '5 20 annotation level=error file=a.py line=3 message="bad thing"'
    assert event_line(event("result", value={"ok": True})) == '0 0 result value={"ok":true}'
    assert event_line(event("endgroup")) == "0 0 endgroup"


def test_event_lists_escape_every_control_character_and_json_round_trips() -> None:
    raw = {"event": 2, "at_line": 4, "ts": 7, "kind": "step", "text": "a\x1b]52;c;x\x07b\x9bc\nd"}
    line = event_line(JobEvent.from_dict(raw))
    as_json = event_json(JobEvent.from_dict(raw))
    for text in (line, as_json):
        assert not any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in text), text
    assert json.loads(as_json) == raw
    assert json.loads(line.split("text=", 1)[1]) == raw["text"]


def test_the_event_list_display_lists_events_on_stdout_and_no_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    display = EventListDisplay("job1", as_json=True)
    display.lines([OutputLine(0, "stdout", "a line")])
    display.events([event("message", role="assistant", text="hi"), event("usage", input_tokens=3)])
    display.event_gap(1, 2, 4)
    captured = capsys.readouterr()
    assert [json.loads(row)["kind"] for row in captured.out.splitlines()] == ["message", "usage"]
    assert captured.err == "tailrun: events 2–3 of attempt 1 are missing from the stored output\n"


# `tailrun status`


@pytest.mark.parametrize(
    ("counts", "text"),
    [
        ({"error": 1, "warning": 2, "notice": 0}, "1 error, 2 warnings"),
        ({"error": 0, "warning": 0, "notice": 3}, "3 notices"),
        ({"error": 0, "warning": 0, "notice": 0}, ""),
        (None, ""),
    ],
)
def test_annotation_counts_read_as_words_without_zeros(counts: Any, text: str) -> None:
    assert annotations_text(counts) == text


@pytest.mark.parametrize(
    ("usage", "text"),
    [
        (
            {"input_tokens": 1234, "output_tokens": 567, "cost_usd": 0.0123},
            "1,234 in / 567 out tokens, $0.0123",
        ),
        ({"input_tokens": 10}, "10 in tokens"),
        ({"cost_usd": 1.5}, "$1.5000"),
        (None, ""),
    ],
)
def test_usage_reads_as_tokens_and_dollars(usage: Any, text: str) -> None:
    assert usage_text(usage) == text


def test_status_shows_the_latest_state_of_a_job() -> None:
    job = {
        "id": "j1",
        "status": "running",
        "current_step": "Edit: src/a.py",
        "current_url": "https://example.com/page",
        "annotations": {"error": 1, "warning": 2, "notice": 0},
        "usage": {"input_tokens": 1234, "output_tokens": 567, "cost_usd": 0.0123},
        "result": {"answer": "x" * 500},
        "lines": 12,
        "events": 30,
    }
    screen = io.StringIO()
    Console(file=screen, width=120).print(status_table(job))
    rows = {
        line.split(None, 1)[0]: line.split(None, 1)[1].rstrip() for line in screen.getvalue().splitlines()
    }
    assert rows["step"] == "Edit: src/a.py"
    assert rows["url"] == "https://example.com/page"
    assert rows["annotations"] == "1 error, 2 warnings"
    assert rows["usage"] == "1,234 in / 567 out tokens, $0.0123"
    assert rows["result"].startswith('{"answer":"xxx') and rows["result"].endswith("…")
    assert rows["events"] == "30"
    assert len([line for line in screen.getvalue().splitlines() if "xxx" in line]) == 1, "one line"


def test_status_leaves_out_what_a_job_did_not_report() -> None:
    screen = io.StringIO()
    job = {
        "id": "j1",
        "status": "succeeded",
        "current_step": None,
        "annotations": {"error": 0},
        "result": None,
    }
    Console(file=screen, width=120).print(status_table(job))
    keys = {line.split(None, 1)[0] for line in screen.getvalue().splitlines() if line.strip()}
    assert not keys & {"step", "url", "annotations", "usage", "result"}


def test_chunks_that_contradict_each_other_lose_nothing_when_everything_is_shown() -> None:
    # line 0's chunk says two events came before it; the events say they came after it
    assembler, display = LineAssembler(), Recording()
    assembler.add_chunk({"lines": [{"line": 0, "text": "a"}], "first_event": 2})
    assembler.add_chunk(
        {
            "lines": [],
            "events": [
                {"event": 0, "at_line": 1, "kind": "step", "text": "x"},
                {"event": 1, "at_line": 1, "kind": "step", "text": "y"},
            ],
        }
    )
    show_everything(assembler, 1, display)
    assert display.shown == ["L0", "E0", "E1"] and not assembler.waiting()
