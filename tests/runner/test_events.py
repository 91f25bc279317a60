"""Events alone: their envelope, their caps, the state they make, and how the outbox batches them with lines."""

from __future__ import annotations

import json

from tailrun_runner import events
from tailrun_runner.defaults import EVENT_MAX_BYTES, RESULT_MAX_BYTES
from tailrun_runner.events import QueuedEvent, State
from tailrun_runner.outbox import Batch, BatchPolicy, Outbox


def size(event: dict) -> int:
    return len(events.encode(event))


def test_an_event_is_numbered_placed_and_timed_before_its_fields():
    event = events.build(3, 13, 1000, "step", {"text": "installing", "event": 99, "kind": "forged"})
    assert event == {"event": 3, "at_line": 13, "ts": 1000, "kind": "step", "text": "installing"}
    assert list(event)[:4] == ["event", "at_line", "ts", "kind"]


def test_a_kind_the_callback_would_refuse_is_kept_as_an_agent_event():
    event = events.build(0, 0, 1, "Weird.Kind", {"x": 1})
    assert event["kind"] == "agent_event" and event["type"] == "Weird.Kind" and event["data"] == {"x": 1}


def test_a_long_string_is_cut_to_the_event_cap_and_marked():
    event = events.build(0, 0, 1, "annotation", {"level": "error", "message": "m" * 40_000, "file": "a.py"})
    assert event["cut"] is True and size(event) <= EVENT_MAX_BYTES
    assert event["file"] == "a.py" and event["level"] == "error"
    assert EVENT_MAX_BYTES - 200 < len(event["message"]) < EVENT_MAX_BYTES
    small = events.build(0, 0, 1, "step", {"text": "ok"})
    assert "cut" not in small


def test_a_structure_too_big_even_with_its_strings_cut_becomes_cut_json_text():
    data = {f"key{i}": i for i in range(5000)}
    event = events.build(0, 0, 1, "agent_event", {"type": "huge", "data": data})
    assert event["cut"] is True and size(event) <= EVENT_MAX_BYTES
    assert event["type"] == "huge" and event["data"].startswith('{"key0":0,"key1":1')


def test_a_result_over_its_cap_keeps_no_value_but_an_agents_text_is_cut():
    value = {"rows": ["x" * 100] * 1000}
    cut = events.build(0, 0, 1, "result", {"value": value})
    assert cut == {"event": 0, "at_line": 0, "ts": 1, "kind": "result", "cut": True, "bytes": size(value)}
    text = events.build(0, 0, 1, "result", {"value": "é" * RESULT_MAX_BYTES})
    assert text["cut"] is True and len(events.encode(text["value"])) <= RESULT_MAX_BYTES
    fits = {"rows": ["x" * 100] * 500}
    assert events.build(0, 0, 1, "result", {"value": fits})["value"] == fits


def test_non_finite_numbers_and_lone_surrogates_still_encode_as_json():
    encoded = events.encode({"a": float("nan"), "b": [float("inf")], "c": "\ud800"})
    assert json.loads(encoded) == {"a": None, "b": [None], "c": "?"}


def test_the_state_follows_steps_urls_annotations_usage_and_results():
    state = State()
    for kind, fields in [
        ("step", {"text": "one"}),
        ("annotation", {"level": "warning", "message": "w"}),
        ("annotation", {"level": "error", "message": "e"}),
        ("annotation", {"level": "warning", "message": "w"}),
        ("url", {"url": "https://a"}),
        ("tool_call", {"id": "t1", "name": "Bash", "summary": "Bash: npm test"}),
        ("usage", {"input_tokens": 10, "output_tokens": 2}),
        ("usage", {"output_tokens": 5, "cost_usd": 0.01}),
        ("result", {"value": {"ok": True}}),
        ("result", {"cut": True, "bytes": 70_000}),
        ("group", {"title": "g"}),
    ]:
        state = events.advance(state, events.build(state.events, 0, 1, kind, fields))
    assert state.to_json() == {
        "events": 11,
        "current_step": "Bash: npm test",
        "current_url": "https://a",
        "annotations": {"error": 1, "warning": 2, "notice": 0},
        "usage": {"input_tokens": 10, "output_tokens": 5, "cost_usd": 0.01},
        "result": {"ok": True},
    }
    assert State().to_json() == {
        "events": 0,
        "current_step": None,
        "current_url": None,
        "annotations": {"error": 0, "warning": 0, "notice": 0},
        "usage": None,
        "result": None,
    }


def queued(number: int) -> QueuedEvent:
    return QueuedEvent(f'{{"event":{number}}}'.encode(), State(events=number + 1))


def test_events_batch_with_lines_count_toward_the_line_limit_and_carry_the_last_state():
    clock = [100.0]
    box = Outbox(
        policy=BatchPolicy(max_lines=3, max_bytes=10_000, max_age_s=0.025),
        max_bytes=1 << 20,
        monotonic=lambda: clock[0],
    )
    box.put([b"l0", queued(0), b"l1", queued(1), queued(2), b"l2"])
    first = box.take(deadline=clock[0])
    assert isinstance(first, Batch)
    assert first.entries == [b"l0", b"l1"] and first.events == [b'{"event":0}']  # three items in all
    assert first.state == State(events=1)
    clock[0] += 1
    second = box.take(deadline=clock[0])
    assert isinstance(second, Batch)
    assert second.entries == [b"l2"] and second.events == [b'{"event":1}', b'{"event":2}']
    assert second.state == State(events=3)


def test_a_batch_of_events_alone_goes_and_later_lines_carry_the_state_but_earlier_ones_none():
    clock = [100.0]
    box = Outbox(
        policy=BatchPolicy(max_lines=10, max_bytes=10_000, max_age_s=0.025),
        max_bytes=1 << 20,
        monotonic=lambda: clock[0],
    )
    box.put([b"first"])
    clock[0] += 1
    before_any = box.take(deadline=clock[0])
    assert isinstance(before_any, Batch) and before_any.state is None
    box.put([queued(0)])
    clock[0] += 1
    only_events = box.take(deadline=clock[0])
    assert isinstance(only_events, Batch) and only_events.entries == [] and only_events.events
    box.put([b"line"])
    clock[0] += 1
    only_lines = box.take(deadline=clock[0])
    # a batch of lines after an event says how many events came before it: readers can wait for a late one
    assert isinstance(only_lines, Batch) and only_lines.events == [] and only_lines.state == State(events=1)
