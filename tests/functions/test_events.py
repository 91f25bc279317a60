"""Events through job_callback (design §1, §4, §6): stored in order in the chunks, the job document's latest state
coalesced like output and exact at ``completed``, reset for a new attempt, bad ones refused with nothing written,
and no Firestore write of their own. The test plays the runner against the real entrypoint and the emulator."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from google.cloud import firestore

from .conftest import Api, Commit
from .helpers import EventRunner, chunks, document_size, events_of, fresh_state, job, launched, lines_of
from .shared import dump_all

STATE_FIELDS = ("events", "current_step", "current_url", "annotations", "usage", "result")


def state_of(document: dict[str, Any]) -> dict[str, Any]:
    return {name: document[name] for name in STATE_FIELDS}


@pytest.fixture
def runner(api: Api, captured: Path) -> EventRunner:
    """A running job's first attempt (two attempts allowed), played by the test."""
    job_id = api.create(argv=["agent"], max_attempts=2)
    played = EventRunner(api, launched(captured, job_id))
    assert played.started().status == 200
    return played


def later() -> Any:
    """Frozen time past the job document's last write (``started``), so the next write is due."""
    return freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5))


def test_a_new_job_starts_with_an_empty_state(
    api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    job_id = api.create(argv=["x"])

    assert state_of(job(firestore_client, job_id)) == fresh_state()


def test_events_are_stored_in_order_with_their_batches_and_read_back_contiguous(
    runner: EventRunner, firestore_client: firestore.Client
) -> None:
    assert runner.emit("installing deps", events=({"kind": "group", "title": "setup"},)).status == 200
    assert runner.emit(events=({"kind": "step", "text": "installing"}, {"kind": "endgroup"})).status == 200
    assert runner.emit("plain line").status == 200
    assert runner.emit("done", events=({"kind": "url", "url": "https://example.com/a"},)).status == 200
    assert runner.completed(0).status == 200

    stored = chunks(firestore_client, runner.job_id)
    assert [(c["first_event"], c["event_count"]) for c in stored] == [(0, 1), (1, 2), (0, 0), (3, 1)]
    assert [(c["first_line"], c["line_count"]) for c in stored] == [(0, 1), (1, 0), (1, 1), (2, 1)]
    assert stored[2]["events"] == [] and stored[2]["state"] is None, "a batch of lines only: the same fields"
    assert stored[1]["state"]["current_step"] == "installing"
    events = events_of(firestore_client, runner.job_id)
    assert [event["event"] for event in events] == list(range(4))
    assert [(event["kind"], event["at_line"]) for event in events] == [
        ("group", 0),
        ("step", 1),
        ("endgroup", 1),
        ("url", 2),
    ]
    assert events[0]["title"] == "setup" and "cut" not in events[0]
    document = job(firestore_client, runner.job_id)
    assert document["events"] == 4 == len(events), "a reader holds every event: 0 … events - 1"
    assert document["lines"] == 3
    assert document["current_step"] == "installing"
    assert document["current_url"] == "https://example.com/a"
    assert [line["text"] for line in lines_of(firestore_client, runner.job_id)] == [
        "installing deps",
        "plain line",
        "done",
    ]


def test_the_job_document_shows_the_latest_state_coalesced_and_exact_at_completed(
    runner: EventRunner, firestore_client: firestore.Client
) -> None:
    with later() as frozen:
        runner.emit(events=({"kind": "step", "text": "one"},))  # due: written at once
        assert job(firestore_client, runner.job_id)["current_step"] == "one"
        runner.emit(events=({"kind": "step", "text": "two"},))
        runner.emit("a line after it")  # the newest chunk has no state: the state is read from the one before
        assert job(firestore_client, runner.job_id)["current_step"] == "one", (
            "held back by the write interval"
        )

        frozen.tick(1.5)
        reply = runner.heartbeat()
        assert "flush_in_ms" not in reply.body
        document = job(firestore_client, runner.job_id)
        assert (document["current_step"], document["events"], document["lines"]) == ("two", 2, 1)

        runner.emit(events=({"kind": "step", "text": "three"}, {"kind": "url", "url": "https://b"}))
        assert job(firestore_client, runner.job_id)["current_step"] == "two"
        runner.completed(0)

    document = job(firestore_client, runner.job_id)
    assert state_of(document) == {**runner.state, "events": 4}
    assert document["current_step"] == "three" and document["current_url"] == "https://b"


def test_annotations_usage_and_a_result_reach_the_job_document(
    runner: EventRunner, firestore_client: firestore.Client
) -> None:
    annotations = (
        {"kind": "annotation", "level": "error", "message": "bad", "file": "a.py", "line": 3, "title": "T"},
        {"kind": "annotation", "level": "warning", "message": "hm"},
        {"kind": "annotation", "level": "warning", "message": "hm again"},
        {"kind": "annotation", "level": "notice", "message": "fyi"},
    )
    with later():
        runner.emit("checking", events=annotations)
        runner.emit(
            events=(
                {
                    "kind": "tool_call",
                    "id": "t1",
                    "name": "Bash",
                    "input": {"command": "npm test"},
                    "summary": "Bash: npm test",
                },
                {"kind": "usage", "input_tokens": 1234, "output_tokens": 567, "cost_usd": 0.0123},
                {"kind": "result", "value": {"ok": True, "pages": [1, 2, 3], "title": "done"}},
            )
        )
        runner.completed(0)

    document = job(firestore_client, runner.job_id)
    assert document["annotations"] == {"error": 1, "warning": 2, "notice": 1}
    assert document["current_step"] == "Bash: npm test"
    assert document["usage"] == {"input_tokens": 1234, "output_tokens": 567, "cost_usd": 0.0123}
    assert document["result"] == {"ok": True, "pages": [1, 2, 3], "title": "done"}
    (error,) = [e for e in events_of(firestore_client, runner.job_id) if e.get("level") == "error"]
    assert (error["file"], error["line"], error["title"], error["message"]) == ("a.py", 3, "T", "bad")


def test_usage_keeps_only_the_keys_an_agent_reported(
    runner: EventRunner, firestore_client: firestore.Client
) -> None:
    runner.emit(events=({"kind": "usage", "input_tokens": 10, "output_tokens": 2},))
    runner.completed(0)

    assert job(firestore_client, runner.job_id)["usage"] == {"input_tokens": 10, "output_tokens": 2}


def test_a_cut_result_is_stored_as_its_marker_and_leaves_the_last_valid_result(
    runner: EventRunner, firestore_client: firestore.Client
) -> None:
    runner.emit(events=({"kind": "result", "value": [1, 2]},))
    runner.emit(events=({"kind": "result", "cut": True, "bytes": 70_000},))
    runner.completed(0)

    assert job(firestore_client, runner.job_id)["result"] == [1, 2]
    cut = events_of(firestore_client, runner.job_id)[-1]
    assert cut == {"event": 1, "at_line": 0, "ts": cut["ts"], "kind": "result", "cut": True, "bytes": 70_000}


def test_values_firestore_cannot_hold_are_stored_as_their_json_text(
    runner: EventRunner, firestore_client: firestore.Client
) -> None:
    """A table as a list of lists, a number past 64 bits, a reserved key: stored, readable, nothing lost."""
    table = [["name", "price"], ["apple", 1.5]]
    raw = {"type": "weird", "data": {"__odd__": 1, "big": 2**70}}
    runner.emit(events=({"kind": "result", "value": table}, {"kind": "agent_event", **raw}))
    runner.completed(0)

    document = job(firestore_client, runner.job_id)
    assert document["result"] == ['["name","price"]', '["apple",1.5]']
    result_event, other = events_of(firestore_client, runner.job_id)
    assert result_event["value"] == document["result"]
    assert json.loads(other["data"]) == raw["data"]


def test_a_new_attempt_starts_from_a_clean_state(
    runner: EventRunner, api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    runner.emit(
        "trying",
        events=(
            {"kind": "step", "text": "first try"},
            {"kind": "annotation", "level": "error", "message": "broke"},
            {"kind": "result", "value": "partial"},
            {"kind": "usage", "input_tokens": 5},
        ),
    )
    runner.completed(1)
    assert chunks(firestore_client, runner.job_id)[0]["state"]["events"] == 4

    second = EventRunner(api, launched(captured, runner.job_id, attempt=2))
    assert state_of(job(firestore_client, runner.job_id)) == fresh_state()

    second.started()
    second.emit("again", events=({"kind": "url", "url": "https://c"},))
    second.completed(0)
    document = job(firestore_client, runner.job_id)
    assert state_of(document) == {**fresh_state(), "events": 1, "current_url": "https://c"}
    assert [e["event"] for e in events_of(firestore_client, runner.job_id, attempt=2)] == [0]


def test_a_redelivered_batch_of_events_changes_nothing(
    runner: EventRunner, firestore_client: firestore.Client
) -> None:
    batch = runner.batch("x", events=({"kind": "step", "text": "s"},))
    assert runner.send(batch).status == 200
    before = dump_all(firestore_client)

    again = runner.send(batch)

    assert again.status == 200 and again.body == {"ack": batch["seq"]}
    assert dump_all(firestore_client) == before


def test_an_older_batch_delivered_late_never_takes_the_state_back(
    runner: EventRunner, firestore_client: firestore.Client
) -> None:
    first = runner.batch(events=({"kind": "step", "text": "old"},))
    second = runner.batch(events=({"kind": "step", "text": "new"},))
    with later() as frozen:
        runner.send(second)
        frozen.tick(5)
        runner.send(first)  # due again, but its state is older than the one written
    assert job(firestore_client, runner.job_id)["current_step"] == "new"


def test_an_events_only_batch_after_the_last_line_keeps_the_exact_tail(
    runner: EventRunner, firestore_client: firestore.Client
) -> None:
    with later():
        runner.emit("l1", "l2", "l3")
        for i in range(8):
            runner.emit(events=({"kind": "message", "role": "assistant", "text": f"m{i}"},))
        runner.completed(0)

    document = job(firestore_client, runner.job_id)
    assert [line["text"] for line in document["tail"]] == ["l1", "l2", "l3"]
    assert document["lines"] == 3 and document["events"] == 8


def test_events_add_no_firestore_write_to_a_busy_job(
    api: Api, captured: Path, firestore_client: firestore.Client, commits: list[Commit]
) -> None:
    """Design §6: the same messages with and without events make the same commits of the same documents."""

    def run(with_events: bool) -> list[tuple[int, bool]]:
        played = EventRunner(api, launched(captured, api.create(argv=["x"])))
        played.started()
        del commits[:]
        with later() as frozen:
            for i in range(60):
                events = (
                    ({"kind": "message", "role": "assistant", "text": f"t{i}"},) * 20 if with_events else ()
                )
                assert played.emit(f"line {i}", events=events).status == 200
                if i % 5 == 0:
                    played.heartbeat()
                frozen.tick(0.1)
            played.completed(0)
        return [(len(commit.documents), commit.writes(f"jobs/{played.job_id}")) for commit in commits]

    plain, chatty = run(False), run(True)

    assert chatty == plain
    assert len(chatty) == 60 + 12 + 1, "a commit per message: batches, heartbeats, completed"
    assert sum(writes_job for _, writes_job in chatty) <= 8, "about one job-document write a second"


def test_a_batch_whose_events_outgrow_a_document_is_stored_with_its_largest_events_cut(
    runner: EventRunner, api: Api, firestore_client: firestore.Client
) -> None:
    """Small numbers are 2 bytes of JSON and 8 of Firestore: a body under the callback cap can exceed 1 MiB."""
    numbers = [0] * 30_000  # 60 kB of JSON, 240 kB stored
    message = runner.batch("x", events=tuple({"kind": "agent_event", "data": numbers} for _ in range(7)))
    raw = json.dumps(message, separators=(",", ":")).encode()
    assert len(raw) < 900_000

    reply = api.post("job_callback", raw=raw, token=runner.token)

    assert reply.status == 200, reply.body
    path = f"jobs/{runner.job_id}/chunks/0001-{message['seq']:08d}"
    stored = firestore_client.document(path).get().to_dict() or {}
    assert document_size(path, stored) < 1_048_576
    assert [event["event"] for event in stored["events"]] == list(range(7)), "every event is still there"
    cut = [event for event in stored["events"] if event.get("cut")]
    assert cut and all(event["bytes"] > 60_000 and "data" not in event for event in cut)


def _event(**fields: Any) -> dict[str, Any]:
    return {"event": 0, "at_line": 0, "ts": 1, "kind": "step", "text": "s", **fields}


STATE = {**fresh_state(), "events": 1}


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        pytest.param({"events": [_event(kind="Step")], "state": STATE}, "invalid_events", id="kind-upper"),
        pytest.param({"events": [_event(kind="")], "state": STATE}, "invalid_events", id="kind-empty"),
        pytest.param({"events": [_event(kind="k" * 33)], "state": STATE}, "invalid_events", id="kind-long"),
        pytest.param({"events": [_event(event=-1)], "state": STATE}, "invalid_events", id="negative"),
        pytest.param({"events": [_event(event="0")], "state": STATE}, "invalid_events", id="number-as-text"),
        pytest.param(
            {"events": [{"event": 0, "ts": 1, "kind": "s"}], "state": STATE},
            "invalid_events",
            id="no-at_line",
        ),
        pytest.param(
            {"events": [_event(), _event(event=2)], "state": {**STATE, "events": 3}},
            "invalid_events",
            id="gap",
        ),
        # JSON's escape of half a character: not valid JSON to the parser, refused before the events are read
        pytest.param(
            {"events": [_event(text="\ud800")], "state": STATE}, "invalid_body", id="lone-surrogate"
        ),
        pytest.param(
            {"events": [_event(text="x" * 80_000)], "state": STATE}, "event_too_large", id="too-big"
        ),
        pytest.param(
            {"events": [_event(event=i) for i in range(5001)], "state": {**STATE, "events": 5001}},
            "too_many_events",
            id="too-many",
        ),
        pytest.param({"events": [_event()]}, "invalid_state", id="no-state"),
        pytest.param(
            {"events": [_event()], "state": {**STATE, "events": 2}}, "invalid_state", id="wrong-count"
        ),
        pytest.param(
            {"events": [_event()], "state": {**STATE, "annotations": {"error": 0}}},
            "invalid_state",
            id="annotations-missing-a-level",
        ),
        pytest.param(
            {"events": [_event()], "state": {**STATE, "usage": {"input_tokens": -1}}},
            "invalid_state",
            id="negative-usage",
        ),
        pytest.param(
            {"events": [_event()], "state": {**STATE, "progress": 3}}, "invalid_state", id="unknown-key"
        ),
        pytest.param(
            {"events": [_event()], "state": {**STATE, "result": "r" * 80_000}},
            "invalid_state",
            id="result-too-big",
        ),
        pytest.param(
            {"events": [_event()], "state": {**STATE, "current_step": 7}}, "invalid_state", id="step-not-text"
        ),
        pytest.param({"lines": []}, "invalid_body", id="neither-lines-nor-events"),
        pytest.param({"events": {"event": 0}, "state": STATE}, "invalid_events", id="events-not-a-list"),
    ],
)
def test_bad_events_or_state_are_refused_and_write_nothing(
    fields: dict[str, Any], code: str, runner: EventRunner, firestore_client: firestore.Client
) -> None:
    message = runner.message("output", **{"lines": [], **fields})
    before = dump_all(firestore_client)

    reply = runner.send(message)

    assert reply.status == 400, reply.body
    assert reply.body["error"]["code"] == code, reply.body
    assert dump_all(firestore_client) == before


# --- launch: a prompt job reads its agent's JSON stream (design §5) ---


@pytest.mark.parametrize(
    ("spec", "stream", "argv"),
    [
        pytest.param(
            {"prompt": "fix it"},
            "claude",
            ["claude", "-p", "--output-format", "stream-json", "--verbose", "fix it"],
            id="default",
        ),
        pytest.param(
            {"prompt": "fix it", "agent": "claude"},
            "claude",
            ["claude", "-p", "--output-format", "stream-json", "--verbose", "fix it"],
            id="claude",
        ),
        pytest.param(
            {"prompt": "fix it", "agent": "codex"}, "codex", ["codex", "exec", "--json", "fix it"], id="codex"
        ),
        pytest.param({"prompt": "fix it", "agent": "gemini"}, None, ["gemini", "-p", "fix it"], id="gemini"),
        pytest.param({"argv": ["claude", "-p", "hi"]}, None, ["claude", "-p", "hi"], id="argv"),
    ],
)
def test_a_prompt_jobs_runner_is_told_which_agent_stream_it_reads(
    spec: dict[str, Any],
    stream: str | None,
    argv: list[str],
    api: Api,
    captured: Path,
    firestore_client: firestore.Client,
) -> None:
    job_id = api.create(**spec)

    variables = launched(captured, job_id)

    assert variables.get("TAILRUN_AGENT_STREAM") == stream
    assert json.loads(variables["TAILRUN_ARGV"]) == argv == job(firestore_client, job_id)["argv"]


def test_a_cloud_runner_gets_the_agent_stream_in_its_overrides(cloud_run: Any, api: Api) -> None:
    jobs_client, _, _ = cloud_run
    api.create(prompt="summarize", agent="codex")

    (request,) = jobs_client.requests
    (container,) = request.overrides.container_overrides
    env = {var.name: var.value for var in container.env}
    assert env["TAILRUN_AGENT_STREAM"] == "codex"
    assert "TAILRUN_ARGV" not in env
