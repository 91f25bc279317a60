"""The functions with the real runner as a child process: the happy path, a failing job, and cancel."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

from freezegun import freeze_time
from google.cloud import firestore
from tailrun_functions import defaults

from .conftest import FAST_RUNNER, SCENARIOS, Api, Commit
from .helpers import events_of, job, lines_of
from .shared import dump_all, wait_for


def _ended(db: firestore.Client, job_id: str) -> dict | None:
    document = job(db, job_id)
    return document if document["status"] in {"succeeded", "failed", "canceled", "timed_out"} else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_job_streams_every_line_in_order_and_succeeds(
    api: Api, firestore_client: firestore.Client, commits: list[Commit]
) -> None:
    job_id = api.create(argv=[sys.executable, str(SCENARIOS / "numbered_lines.py"), "3000", "0"])

    document = wait_for(lambda: _ended(firestore_client, job_id), what="the job to end")

    assert document["status"] == "succeeded", document
    assert document["exit_code"] == 0
    assert document["lines"] == 3000
    assert document["progress"] == {"percent": 100.0, "step": "done"}
    lines = lines_of(firestore_client, job_id)
    assert [line["line"] for line in lines] == list(range(3000))
    for stream, first in (("stdout", 0), ("stderr", 1)):  # two pipes: order holds within each stream
        texts = [line["text"] for line in lines if line["stream"] == stream]
        assert texts == [f"line {i}" for i in range(first, 3000, 2)]
    assert [line["text"] for line in document["tail"]] == [line["text"] for line in lines[-5:]]
    assert commits and max(len(commit.documents) for commit in commits) <= 5, (
        "commits stay far below 500 writes"
    )


def test_a_failing_job_fails_after_its_attempts(api: Api, firestore_client: firestore.Client) -> None:
    job_id = api.create(argv=[sys.executable, str(SCENARIOS / "numbered_lines.py"), "3", "7"], max_attempts=2)

    document = wait_for(lambda: _ended(firestore_client, job_id), what="the job to end")

    assert document["status"] == "failed"
    assert document["attempt"] == 2
    assert document["exit_code"] == 7
    assert document["error"]["code"] == "exit_code"
    for attempt in (1, 2):
        assert sorted(line["text"] for line in lines_of(firestore_client, job_id, attempt)) == [
            "line 0",
            "line 1",
            "line 2",
        ]


def test_cancel_ends_the_process_and_keeps_what_it_printed(
    api: Api, firestore_client: firestore.Client
) -> None:
    job_id = api.create(argv=[sys.executable, str(SCENARIOS / "pid_then_wait.py")])
    printed = wait_for(
        lambda: len(lines_of(firestore_client, job_id)) == 2 and lines_of(firestore_client, job_id),
        what="output",
    )
    child_pid = int(next(line["text"] for line in printed if line["text"].startswith("pid")).split()[1])
    attempt = firestore_client.document(f"jobs/{job_id}/attempts/0001").get().to_dict() or {}
    runner_pid = attempt["launch"]["pid"]
    assert _alive(child_pid) and _alive(runner_pid)

    reply = api.post("cancel_job", {"job_id": job_id})

    assert reply.status == 200 and reply.body["status"] == "canceled"
    wait_for(lambda: not _alive(child_pid), timeout=15, what="the job's process to end")
    wait_for(lambda: not _alive(runner_pid), timeout=15, what="the runner to end")
    document = job(firestore_client, job_id)
    assert document["status"] == "canceled"
    assert document["error"]["code"] == "canceled"
    final = firestore_client.document(f"jobs/{job_id}/attempts/0001").get().to_dict() or {}
    assert final["reason"] == "stopped", final
    assert [line["text"] for line in lines_of(firestore_client, job_id)] == [f"pid {child_pid}", "working"]
    assert api.post("cancel_job", {"job_id": job_id}).status == 409


def test_a_reaped_job_has_its_process_ended_and_keeps_what_it_printed(
    api: Api, firestore_client: firestore.Client
) -> None:
    job_id = api.create(argv=[sys.executable, str(SCENARIOS / "pid_then_wait.py")], idle_timeout_s=60)
    printed = wait_for(
        lambda: len(lines_of(firestore_client, job_id)) == 2 and lines_of(firestore_client, job_id),
        what="output",
    )
    child_pid = int(next(line["text"] for line in printed if line["text"].startswith("pid")).split()[1])
    runner_pid = (firestore_client.document(f"jobs/{job_id}/attempts/0001").get().to_dict() or {})["launch"][
        "pid"
    ]

    silent_s = 60 + defaults.REAP_LIMIT_MARGIN_S + 1  # past the idle timeout and the reaper's margin
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=silent_s)):  # silent, though heartbeating
        reply = api.post("reap_sandboxes", {})

    assert reply.status == 200
    assert [(a["job_id"], a["action"]) for a in reply.body["actions"]] == [(job_id, "idle")]
    wait_for(lambda: not _alive(child_pid), timeout=15, what="the job's process to end")
    wait_for(lambda: not _alive(runner_pid), timeout=15, what="the runner to end")
    document = job(firestore_client, job_id)
    assert document["status"] == "timed_out" and document["error"]["code"] == "idle_timeout"
    final = firestore_client.document(f"jobs/{job_id}/attempts/0001").get().to_dict() or {}
    assert final["reason"] == "stopped", final
    assert sorted(line["text"] for line in lines_of(firestore_client, job_id)) == [
        f"pid {child_pid}",
        "working",
    ]


def test_progress_held_back_by_the_write_interval_reaches_the_job_while_it_runs_silently(
    api: Api, configure, firestore_client: firestore.Client, tmp_path: Path
) -> None:
    # Heartbeats 30 s apart: only the callback's flush hint can bring the held-back progress before the end.
    configure(TAILRUN_RUNNER_ENV=json.dumps({**FAST_RUNNER, "TAILRUN_HEARTBEAT_S": "30"}))
    release = tmp_path / "release"  # the job runs silently until the test has seen its progress
    script = (
        "import os, sys, time\nprint('::progress 50 half', flush=True)\n"
        "deadline = time.monotonic() + 60\n"
        "while not os.path.exists(sys.argv[1]) and time.monotonic() < deadline:\n    time.sleep(0.05)\n"
        "print('done')"
    )
    job_id = api.create(argv=[sys.executable, "-c", script, str(release)])

    document = wait_for(
        lambda: job(firestore_client, job_id) if job(firestore_client, job_id)["progress"] else None,
        what="the progress",
    )

    assert document["progress"] == {"percent": 50.0, "step": "half"}
    assert document["status"] == "running"  # not only at the end, with completed
    assert _ended(firestore_client, job_id) is None
    release.touch()
    wait_for(lambda: _ended(firestore_client, job_id), what="the released job to end")


# --- issue 12: events from a real runner, and secrets that never reach a document ---
# These need the runner of issue 12 (workflow commands, masking, agent streams): with an older runner the command
# lines are stored as lines and the secret as printed, and they fail on that.

SECRET = "sk-live-9f8e7d6c5b4a"  # an env value of the job
MASKED = "runtime-token-4242"  # a value the job masks itself with ::add-mask::

WORKFLOW = r"""
import os, sys
token = "-".join(["runtime", "token", str(4000 + 242)])  # made at run time: the job's argv must not hold it
print("::add-mask::" + token)
print("::group::Build")
print("compiling")
print("::error file=src/a.py,line=3,title=Syntax::unexpected token")
print("::warning::deprecated flag")
print("::step deploying")
print("::url https://example.com/deploy")
print("key is " + os.environ["API_KEY"])
print("the token " + token + " works", file=sys.stderr)
print("::endgroup::")
print("::frobnicate:: stays a line")
print('::result {"ok": true, "url": "https://example.com/deploy"}')
print("done")
"""


def _scan_for_secrets(db: firestore.Client, *secrets: str) -> None:
    """Every document but ``job_secrets`` (which holds the env values by design) is free of every secret."""
    everything = dump_all(db)
    assert any(path.startswith("jobs/") and "/chunks/" in path for path in everything)
    for path, document in everything.items():
        if path.startswith("job_secrets/"):
            continue
        text = repr(document["data"])
        for secret in secrets:
            assert secret not in text, f"{path} holds {secret!r}"


def test_workflow_commands_become_events_and_no_secret_reaches_any_document(
    api: Api, firestore_client: firestore.Client
) -> None:
    job_id = api.create(argv=[sys.executable, "-c", WORKFLOW], env={"API_KEY": SECRET})

    document = wait_for(lambda: _ended(firestore_client, job_id), what="the job to end")

    assert document["status"] == "succeeded", document
    texts = [line["text"] for line in lines_of(firestore_client, job_id)]
    assert not [text for text in texts if text.startswith("::") and "frobnicate" not in text], texts
    assert "::frobnicate:: stays a line" in texts
    assert "key is ***" in texts and "the token *** works" in texts
    events = events_of(firestore_client, job_id)
    assert [event["event"] for event in events] == list(range(len(events)))
    assert [event["kind"] for event in events] == [
        "group",
        "annotation",
        "annotation",
        "step",
        "url",
        "endgroup",
        "result",
    ]
    error = events[1]
    assert (error["level"], error["file"], error["line"], error["title"], error["message"]) == (
        "error",
        "src/a.py",
        3,
        "Syntax",
        "unexpected token",
    )
    assert document["events"] == len(events)
    assert document["annotations"] == {"error": 1, "warning": 1, "notice": 0}
    assert document["current_step"] == "deploying"
    assert document["current_url"] == "https://example.com/deploy"
    assert document["result"] == {"ok": True, "url": "https://example.com/deploy"}
    _scan_for_secrets(firestore_client, SECRET, MASKED)


CLAUDE_STREAM = r"""
import json, os, sys
def emit(obj):
    print(json.dumps(obj), flush=True)
emit({"type": "system", "subtype": "init", "session_id": "s1", "model": "claude-sonnet-4-5",
      "tools": ["Bash", "Edit"], "cwd": os.getcwd()})
emit({"type": "assistant", "session_id": "s1", "message": {"id": "m1", "role": "assistant", "model": "claude-sonnet-4-5",
      "content": [{"type": "text", "text": "I will run the tests.\nThen report."},
                  {"type": "tool_use", "id": "tu1", "name": "Bash", "input": {"command": "npm test"}}]}})
emit({"type": "user", "session_id": "s1", "message": {"role": "user", "content": [
      {"type": "tool_result", "tool_use_id": "tu1", "is_error": False,
       "content": "12 passing; key " + os.environ["API_KEY"]}]}})
emit({"type": "brand_new_kind", "session_id": "s1", "detail": 1})
print("not json at all")
emit({"type": "result", "subtype": "success", "is_error": False, "duration_ms": 1234, "num_turns": 2,
      "result": "All 12 tests pass.", "session_id": "s1", "total_cost_usd": 0.0123,
      "usage": {"input_tokens": 1200, "output_tokens": 340}})
"""


def test_a_claude_stream_becomes_events_through_a_real_runner(
    api: Api, configure, firestore_client: firestore.Client
) -> None:
    """A scenario program plays Claude Code's ``stream-json`` output (the fields of claude-agent-sdk-python's
    message parser); the launch tells the runner to read it (``TAILRUN_AGENT_STREAM=claude``)."""
    configure(TAILRUN_AGENTS=json.dumps({"claude": [sys.executable, "-c", CLAUDE_STREAM]}))
    job_id = api.create(prompt="run the tests", agent="claude", env={"API_KEY": SECRET})

    document = wait_for(lambda: _ended(firestore_client, job_id), what="the job to end")

    assert document["status"] == "succeeded", document
    events = events_of(firestore_client, job_id)
    kinds = [event["kind"] for event in events]
    for kind in (
        "agent_started",
        "message",
        "tool_call",
        "tool_result",
        "agent_event",
        "result",
        "agent_completed",
    ):
        assert kind in kinds, kinds
    assert kinds.index("agent_started") < kinds.index("tool_call") < kinds.index("result")
    (call,) = [event for event in events if event["kind"] == "tool_call"]
    assert (call["name"], call["input"]) == ("Bash", {"command": "npm test"}) and "npm test" in call[
        "summary"
    ]
    texts = [line["text"] for line in lines_of(firestore_client, job_id)]
    assert "I will run the tests." in texts and "Then report." in texts, "the agent's text is also lines"
    assert "not json at all" in texts
    assert not [text for text in texts if text.startswith('{"type"')], "the raw stream is not stored as lines"
    assert document["current_step"] == call["summary"]
    assert document["result"] == "All 12 tests pass."
    assert document["usage"]["input_tokens"] == 1200 and document["usage"]["output_tokens"] == 340
    assert document["events"] == len(events)
    _scan_for_secrets(firestore_client, SECRET)
