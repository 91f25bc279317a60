"""Masking through a real runner process (invariant 8): the job's env values and ``::add-mask::`` values never
reach the callback, in any message the callback got, and ``***`` stands where they were."""

from __future__ import annotations

import json
import sys
from typing import Any

from runner_harness import Reply, job

SECRET = "sk-live-0123456789"
CAP = 1000


def refusing_uploads(message: dict[str, Any]) -> Reply:
    """Acknowledge callback messages; refuse an upload with an error message that quotes the secret."""
    if "type" not in message and "content_type" in message:  # an upload request, not a callback message
        return Reply(
            status=400, error={"code": "not_allowed", "message": f"refused: {SECRET} is not welcome"}
        )
    return Reply()


def test_env_and_added_values_are_masked_in_every_message(start_runner, callback_server, tmp_path):
    callback_server.answer = refusing_uploads
    runner = start_runner(
        job("commands_secrets", CAP),
        TAILRUN_ENV=json.dumps({"SECRET": SECRET, "SHORT": "abc"}),
        TAILRUN_CWD=str(tmp_path),
        TAILRUN_MAX_LINE_BYTES=str(CAP),
    )

    assert runner.wait() == 0
    received = callback_server.received()
    received.check_seqs()
    everything = b"".join(request.raw for request in received.requests)
    assert SECRET.encode() not in everything
    assert everything.count(b"added-later") == 1  # printed once before its ::add-mask::, never after
    assert b"add-mask" not in everything
    assert received.text("stdout").splitlines() == [
        "the secret is ***.",
        "the added one is added-later before its mask",
        "now the added one is ***, and the secret again: ***",
        "x" * (CAP - 3) + "***",  # the secret straddled the line cap: masked, then cut
        "a *** ***",
        "::artifact out.txt",
    ]
    assert received.text("stderr") == "on stderr ***\n"
    (long_line,) = [line for line in received.lines() if line["text"].startswith("xxx")]
    assert long_line["cut"] is True
    events = received.events()
    assert [event["kind"] for event in events] == ["group", "annotation", "step", "url", "result"]
    assert events[0]["title"] == "group ***"
    assert {k: events[1][k] for k in ("file", "title", "message")} == {
        "file": "***.py",
        "title": "***",
        "message": "message ***",
    }
    assert events[2]["text"] == "step ***" and events[3]["url"] == "https://example.com/?token=***"
    assert events[4]["value"] == {"token": "***", "list": ["in ***", 1]}
    assert received.state()["result"] == {"token": "***", "list": ["in ***", 1]}
    assert received.state()["current_step"] == "step ***"
    (progress,) = received.of_type("progress")
    assert progress["step"] == "progress ***"
    (artifact,) = received.of_type("artifact")
    assert artifact["error"] == {"code": "not_allowed", "message": "upload: 400 refused: *** is not welcome"}


def test_env_values_under_four_characters_are_not_masked(start_runner, callback_server):
    script = "import os; print(os.environ['PIN'], os.environ['LONG'])"
    runner = start_runner(
        [sys.executable, "-c", script], TAILRUN_ENV=json.dumps({"PIN": "123", "LONG": "1234"})
    )

    assert runner.wait() == 0
    assert callback_server.received().text("stdout") == "123 ***\n"


def test_a_masked_line_flood_still_arrives_whole_and_in_order(start_runner, callback_server):
    runner = start_runner(job("lines", 100_000), TAILRUN_ENV=json.dumps({"MASKED": "line 99999"}))

    assert runner.wait() == 0
    received = callback_server.received()
    expected = "".join(f"line {i}\n" for i in range(99_999)) + "***\n"
    assert received.text("stdout") == expected
    assert len(received.of_type("output")) <= 200
