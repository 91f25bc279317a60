"""job_callback: the protocol of DESIGN.md, with the test playing the runner against the real entrypoint."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from freezegun import freeze_time
from google.cloud import firestore

from .conftest import Api, Commit
from .helpers import PlayedRunner, chunks, document_size, job, launched, lines_of
from .shared import dump_all


@pytest.fixture
def runner(api: Api, captured: Path) -> PlayedRunner:
    """A running job's first attempt, played by the test (the launch only recorded the runner's variables)."""
    job_id = api.create(argv=["make"], max_attempts=2)
    played = PlayedRunner(api, launched(captured, job_id))
    assert played.started().status == 200
    return played


def test_started_output_and_completed_make_a_succeeded_job(
    runner: PlayedRunner, firestore_client: firestore.Client
) -> None:
    assert job(firestore_client, runner.job_id)["status"] == "running"

    assert runner.output("one", "two").body["ack"] == 1
    assert runner.output("three", stream="stderr").body["ack"] == 2
    assert runner.completed(0).body == {"ack": 3}

    document = job(firestore_client, runner.job_id)
    assert document["status"] == "succeeded"
    assert document["exit_code"] == 0
    assert document["lines"] == 3
    assert document["error"] is None
    assert [line["text"] for line in document["tail"]] == ["one", "two", "three"]
    assert [
        (c["attempt"], c["seq"], c["first_line"], c["line_count"])
        for c in chunks(firestore_client, runner.job_id)
    ] == [
        (1, 1, 0, 2),
        (1, 2, 2, 1),
    ]
    assert [
        (line["line"], line["stream"], line["text"]) for line in lines_of(firestore_client, runner.job_id)
    ] == [
        (0, "stdout", "one"),
        (1, "stdout", "two"),
        (2, "stderr", "three"),
    ]


def test_a_duplicated_batch_is_acknowledged_and_changes_nothing(
    runner: PlayedRunner, firestore_client: firestore.Client
) -> None:
    batch = runner.message("output", lines=runner.lines("a", "b"))
    assert runner.send(batch).status == 200
    before = dump_all(firestore_client)

    again = runner.send(batch)

    assert again.status == 200 and again.body == {"ack": batch["seq"]}
    assert dump_all(firestore_client) == before


def test_reordered_batches_are_all_stored_and_read_back_in_order(
    runner: PlayedRunner, firestore_client: firestore.Client
) -> None:
    first = runner.message("output", lines=runner.lines("a"))
    second = runner.message("output", lines=runner.lines("b"))

    assert runner.send(second).status == 200
    assert [line["text"] for line in lines_of(firestore_client, runner.job_id)] == [
        "b"
    ]  # a gap shows as a gap
    assert runner.send(first).status == 200

    assert [line["text"] for line in lines_of(firestore_client, runner.job_id)] == ["a", "b"]


def test_a_failed_attempt_gets_a_new_attempt_and_the_old_one_is_superseded(
    runner: PlayedRunner, api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    runner.output("boom")
    assert runner.completed(1).status == 200

    second = PlayedRunner(api, launched(captured, runner.job_id, attempt=2))
    assert second.token != runner.token
    assert job(firestore_client, runner.job_id)["attempt"] == 2
    assert job(firestore_client, runner.job_id)["status"] == "booting"
    before = dump_all(firestore_client)
    late = runner.output("late")
    assert late.status == 409 and late.body["error"]["code"] == "superseded"
    assert dump_all(firestore_client) == before

    second.started()
    second.output("ok")
    second.completed(1)
    document = job(firestore_client, runner.job_id)
    assert document["status"] == "failed"
    assert document["error"] == {"code": "exit_code", "message": "exited with code 1"}
    assert [line["text"] for line in lines_of(firestore_client, runner.job_id, attempt=2)] == ["ok"]


def test_a_token_works_only_for_its_own_attempt(
    runner: PlayedRunner, api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    runner.completed(1)
    second = PlayedRunner(api, launched(captured, runner.job_id, attempt=2))
    before = dump_all(firestore_client)

    as_first = second.send(runner.message("heartbeat"), token=second.token)  # attempt 2's token, attempt 1
    as_second = second.send(second.message("heartbeat"), token=runner.token)  # attempt 1's token, attempt 2

    assert as_first.status == 401 and as_first.body["error"]["code"] == "bad_token"
    assert as_second.status == 401 and as_second.body["error"]["code"] == "bad_token"
    assert dump_all(firestore_client) == before


def test_after_completed_a_duplicate_is_acknowledged_and_anything_new_is_gone(
    api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    played = PlayedRunner(api, launched(captured, api.create(argv=["true"])))
    played.started()
    done = played.message("completed", exit_code=0, signal=None, duration_ms=1, lines=0, reason="exited")
    assert played.send(done).status == 200
    before = dump_all(firestore_client)

    assert played.send(done).body == {"ack": done["seq"]}
    gone = played.heartbeat()

    assert (gone.status, gone.body["error"]["code"]) == (410, "attempt_ended")
    assert dump_all(firestore_client) == before


@pytest.mark.parametrize(
    ("change", "code"),
    [
        pytest.param(lambda m, r, other: ("forged-token", {}), "bad_token", id="forged"),
        pytest.param(
            lambda m, r, other: (None, {"Authorization": "Basic abc"}), "missing_token", id="other-scheme"
        ),
        pytest.param(lambda m, r, other: (other.token, {}), "bad_token", id="another-job's-token"),
    ],
)
def test_bad_tokens_are_refused_and_write_nothing(
    change, code: str, runner: PlayedRunner, api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    other = PlayedRunner(api, launched(captured, api.create(argv=["true"])))
    message = runner.message("output", lines=runner.lines("x"))
    token, headers = change(message, runner, other)
    before = dump_all(firestore_client)

    if token is None:
        reply = api.post("job_callback", message, token=None, headers=headers)
    else:
        reply = runner.send(message, token=token)

    assert reply.status == 401
    assert reply.body["error"]["code"] == code
    assert dump_all(firestore_client) == before


def test_a_missing_token_is_refused(
    runner: PlayedRunner, api: Api, firestore_client: firestore.Client
) -> None:
    before = dump_all(firestore_client)
    reply = api.post("job_callback", runner.message("heartbeat"), token=None)
    assert reply.status == 401 and reply.body["error"]["code"] == "missing_token"
    assert dump_all(firestore_client) == before


def test_the_seeds_x_job_token_header_is_accepted(runner: PlayedRunner, api: Api) -> None:
    reply = api.post(
        "job_callback", runner.message("heartbeat"), token=None, headers={"X-Job-Token": runner.token}
    )
    assert reply.status == 200


def test_an_expired_token_is_refused(runner: PlayedRunner, firestore_client: firestore.Client) -> None:
    expires = (
        firestore_client.collection("attempt_tokens")
        .document(f"{runner.job_id}-0001")
        .get()
        .get("expires_at")
    )
    before = dump_all(firestore_client)
    with freeze_time(expires + dt.timedelta(seconds=1)):
        reply = runner.heartbeat()
    assert reply.status == 401 and reply.body["error"]["code"] == "token_expired"
    assert dump_all(firestore_client) == before


def test_job_document_updates_are_coalesced_but_completed_writes_everything(
    runner: PlayedRunner, firestore_client: firestore.Client
) -> None:
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)) as frozen:
        runner.output("first")
        runner.output("second")
        runner.progress(40, "halfway")
        document = job(firestore_client, runner.job_id)
        assert document["lines"] == 1, "the second batch within a second must not rewrite the job"
        assert document["progress"] is None
        assert len(chunks(firestore_client, runner.job_id)) == 2, "every batch is stored at once"

        frozen.tick(1.5)
        runner.heartbeat()
        document = job(firestore_client, runner.job_id)
        assert document["progress"] == {"percent": 40.0, "step": "halfway"}

        runner.output("third")
        runner.progress(90, "almost")
        runner.completed(0)
    document = job(firestore_client, runner.job_id)
    assert document["lines"] == 3
    assert document["progress"] == {"percent": 90.0, "step": "almost"}
    assert [line["text"] for line in document["tail"]] == ["first", "second", "third"]


def test_an_answer_says_when_what_it_held_back_can_be_written_and_a_heartbeat_then_writes_it(
    runner: PlayedRunner, firestore_client: firestore.Client
) -> None:
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)) as frozen:
        assert "flush_in_ms" not in runner.output("first").body  # written at once
        frozen.tick(0.25)
        held = runner.progress(40, "halfway").body
        assert held["flush_in_ms"] == 750  # the job document was written 0.25 s ago; the interval is 1 s
        frozen.tick(0.5)
        assert runner.heartbeat().body["flush_in_ms"] == 250  # early: still held
        assert job(firestore_client, runner.job_id)["progress"] is None

        frozen.tick(0.25)
        assert "flush_in_ms" not in runner.heartbeat().body
        assert job(firestore_client, runner.job_id)["progress"] == {"percent": 40.0, "step": "halfway"}
        assert "flush_in_ms" not in runner.heartbeat().body  # nothing is held any more


def test_an_older_progress_does_not_overwrite_a_newer_one(
    runner: PlayedRunner, firestore_client: firestore.Client
) -> None:
    newer = runner.message("progress", seq=5, percent=50, step="new")
    older = runner.message("progress", seq=4, percent=10, step="old")
    runner.send(newer)
    runner.send(older)
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)):
        runner.send(runner.message("heartbeat", seq=6))
    assert job(firestore_client, runner.job_id)["progress"] == {"percent": 50.0, "step": "new"}


def test_a_line_over_the_cap_is_cut_and_marked(
    runner: PlayedRunner, firestore_client: firestore.Client
) -> None:
    runner.output("x" * 100_000)
    (line,) = lines_of(firestore_client, runner.job_id)
    assert line["cut"] is True
    assert len(line["text"]) == 64 * 1024


def test_a_duplicated_started_changes_nothing(
    api: Api, captured: Path, firestore_client: firestore.Client
) -> None:
    played = PlayedRunner(api, launched(captured, api.create(argv=["x"])))
    started = played.message("started", sandbox={"hostname": "h"})
    assert played.send(started).status == 200
    before = dump_all(firestore_client)

    assert played.send(started).body == {"ack": 0}

    assert dump_all(firestore_client) == before


def test_a_busy_job_rewrites_its_job_document_about_once_a_second(
    runner: PlayedRunner, firestore_client: firestore.Client, commits: list[Commit]
) -> None:
    del commits[:]
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)) as frozen:
        for i in range(100):  # ten seconds of ten batches a second, with heartbeats and progress
            assert runner.output(f"line {i}").status == 200
            if i % 4 == 0:
                assert runner.heartbeat().status == 200
                assert runner.progress(i, f"step {i}").status == 200
            frozen.tick(0.1)

    job_writes = sum(commit.writes(f"jobs/{runner.job_id}") for commit in commits)
    assert 9 <= job_writes <= 11, f"{job_writes} job-document writes in 10 s"
    assert len(chunks(firestore_client, runner.job_id)) == 100, "output is never held back"
    assert max(len(commit.documents) for commit in commits) <= 3


@pytest.mark.parametrize(
    ("count", "text"),
    [
        pytest.param(None, "", id="as-many-empty-lines-as-fit"),
        pytest.param(None, "é" * 64 * 1024, id="lines-at-the-cap"),
        pytest.param(1, "x" * 880_000, id="one-line-over-the-cap"),
    ],
)
def test_the_largest_batch_accepted_makes_a_chunk_well_under_1_mib(
    count: int | None, text: str, runner: PlayedRunner, api: Api, firestore_client: firestore.Client
) -> None:
    def body(n: int) -> bytes:
        lines = [{"line": i, "stream": "stdout", "ts": 0, "text": text} for i in range(n)]
        message = runner.message("output", seq=1, lines=lines)
        return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()

    n = count or 1
    if count is None:  # the most lines whose body stays within the limit
        low, high = 1, 20_000
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if len(body(middle)) <= 900_000 else (low, middle - 1)
        n = low
        assert n == 20_000 or len(body(n + 1)) > 900_000
    raw = body(n)
    assert len(raw) <= 900_000

    reply = api.post("job_callback", raw=raw, token=runner.token)

    assert reply.status == 200, reply.body
    path = f"jobs/{runner.job_id}/chunks/0001-00000001"
    stored = firestore_client.document(path).get().to_dict() or {}
    assert stored["line_count"] == n
    assert document_size(path, stored) < 950_000  # 1 MiB is 1,048,576


def test_a_body_over_the_callback_limit_is_refused_and_writes_nothing(
    runner: PlayedRunner, api: Api, firestore_client: firestore.Client
) -> None:
    message = runner.message("output", lines=runner.lines("x" * 60_000))
    message["lines"] = [{**message["lines"][0], "line": i} for i in range(16)]  # ~960 kB of JSON
    before = dump_all(firestore_client)

    reply = api.post("job_callback", message, token=runner.token)

    assert reply.status == 413 and reply.body["error"]["code"] == "payload_too_large"
    assert dump_all(firestore_client) == before


def test_output_that_waited_reaches_the_job_document_with_the_next_heartbeat(
    runner: PlayedRunner, firestore_client: firestore.Client
) -> None:
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)) as frozen:
        runner.output("starting")
        frozen.tick(0.3)
        runner.output("loading", "ready")  # within the second: only its chunk is written
        waited = job(firestore_client, runner.job_id)
        assert waited["lines"] == 1 and [line["text"] for line in waited["tail"]] == ["starting"]
        runner.heartbeat()  # not due yet either
        assert job(firestore_client, runner.job_id)["lines"] == 1

        frozen.tick(1)
        runner.heartbeat()  # the job then goes silent for a long time: this is the write that shows it all

    document = job(firestore_client, runner.job_id)
    assert document["lines"] == 3
    assert [line["text"] for line in document["tail"]] == ["starting", "loading", "ready"]
    newest = chunks(firestore_client, runner.job_id)[-1]
    assert document["last_output_at"] == newest["created_at"]


def test_a_failed_artifact_is_noted_on_its_attempt_once_and_an_uploaded_one_writes_nothing(
    runner: PlayedRunner, firestore_client: firestore.Client
) -> None:
    attempt = firestore_client.document(f"jobs/{runner.job_id}/attempts/0001")
    uploaded = runner.message("artifact", name="out/a.csv", size=3, content_type="text/csv", artifact_id="a1")
    before = dump_all(firestore_client)
    assert runner.send(uploaded).status == 200
    assert dump_all(firestore_client) == before  # finalize_artifact recorded it already

    error = {"code": "type_not_allowed", "message": "content type 'text/html' is not allowed"}
    failed = runner.message("artifact", name="out/b.html", size=9, content_type="text/html", error=error)
    assert runner.send(failed).body == {"ack": failed["seq"]}
    assert runner.send(failed).body == {"ack": failed["seq"]}  # a resend

    noted = (attempt.get().to_dict() or {})["artifact_errors"]
    assert noted == [{"seq": failed["seq"], "name": "out/b.html", **error}]


@pytest.mark.parametrize(
    "fields",
    [
        {},  # no name
        {"name": ""},
        {"name": "x" * 1025},
        {"name": "a", "error": {"code": "bad code!", "message": "m"}},
        {"name": "a", "error": {"code": "c", "message": "m" * 2001}},
        {"name": "a", "size": -1},
        {"name": "a", "surprise": 1},
    ],
)
def test_a_malformed_artifact_report_is_refused_and_writes_nothing(
    runner: PlayedRunner, firestore_client: firestore.Client, fields: dict[str, object]
) -> None:
    before = dump_all(firestore_client)

    reply = runner.send(runner.message("artifact", **fields))

    assert reply.status == 400 and reply.body["error"]["code"]
    assert dump_all(firestore_client) == before
