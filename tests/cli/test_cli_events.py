"""Events through the real `tailrun` against a real `tailrun dev` (issue 12): a job that prints workflow commands,
shown by `run` and `logs` on stderr in their place while stdout keeps the job's other stdout lines byte for byte;
`logs --events [--json]`; `status` and `status --json`.

Tests whose docstring says ``needs_merge`` need the runner's and the functions' side of issue 12 (the runner turns
command lines into events, the callback stores them); they fail on this branch alone, because the job's command
lines come back as ordinary lines. The tests named ``display_alone`` write chunk documents with events straight into
the stack's emulator, in the functions' format (design §4), and check what the CLI shows from them.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tailrun_functions import clients
from tailrun_functions.schema import DEV_USER, LOCAL_PROJECT

from tailrun.local.dev import DevProcess

from .stack import TAILRUN, Cli, Terminal, cli_env, start_dev
from .test_cli import job_status, wait_for_status
from .test_dev_rules import firestore_of

PY = sys.executable
ENDED = {"succeeded", "failed", "canceled", "timed_out"}

COMMANDS_JOB = """
import sys
print("before", flush=True)
print("::group::Install", flush=True)
print("inside the group", flush=True)
print("::endgroup::", flush=True)
print("::error file=a.py,line=3::bad", flush=True)
print("::step building", flush=True)
print("::url https://example.com/page", flush=True)
print("::warning::careful%0Anow", flush=True)
print("::unknown-command stays a line", flush=True)
print("::error line=x::a malformed command stays a line", flush=True)
print('::result {"ok": true}', flush=True)
print("after", flush=True)
print("on stderr", file=sys.stderr, flush=True)
"""
JOB_STDOUT = "before\ninside the group\n::unknown-command stays a line\n::error line=x::a malformed command stays a line\nafter\n"
SHOWN_EVENTS = [
    "▸ Install",
    "error: a.py:3: bad",
    "→ building",
    "↗ https://example.com/page",
    "warning: careful",
]
KINDS = ["group", "endgroup", "annotation", "step", "url", "annotation", "result"]


def in_order(text: str, parts: list[str]) -> bool:
    """Whether every part is in ``text``, each after the one before."""
    position = 0
    for part in parts:
        found = text.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


@pytest.fixture(scope="module")
def commands_job(dev_stack: DevProcess) -> str:
    """A job that printed workflow commands among its lines, ended."""
    cli = Cli(dev_stack.url)
    answer = cli("run", "--detach", "--", PY, "-c", COMMANDS_JOB)
    assert answer.returncode == 0, answer.stderr
    job_id = answer.stdout.strip()
    wait_for_status(cli, job_id, ENDED)
    return job_id


def test_run_shows_events_on_stderr_and_keeps_stdout_the_jobs_own(cli: Cli) -> None:
    """needs_merge: the runner's workflow commands."""
    answer = cli("run", "--", PY, "-c", COMMANDS_JOB)

    assert answer.returncode == 0, answer.stderr
    assert answer.stdout == JOB_STDOUT
    assert in_order(answer.stderr, [*SHOWN_EVENTS, "  now", 'result: {"ok":true}']), answer.stderr
    assert "on stderr" in answer.stderr and "::" not in answer.stderr.replace("https://", "")


def test_logs_shows_the_stored_events_in_their_place(cli: Cli, commands_job: str) -> None:
    """needs_merge: the runner's workflow commands, the callback's chunk events."""
    answer = cli("logs", commands_job)

    assert answer.returncode == 0, answer.stderr
    assert answer.stdout == JOB_STDOUT
    assert in_order(answer.stderr, [*SHOWN_EVENTS, 'result: {"ok":true}']), answer.stderr


def test_logs_events_lists_every_event_and_json_gives_them_as_stored(cli: Cli, commands_job: str) -> None:
    """needs_merge: the runner's workflow commands, the callback's chunk events."""
    listed = cli("logs", commands_job, "--events")
    as_json = cli("logs", commands_job, "--events", "--json")

    assert listed.returncode == 0 and as_json.returncode == 0, listed.stderr + as_json.stderr
    rows = [line.split() for line in listed.stdout.splitlines()]
    assert [row[2] for row in rows] == KINDS
    assert [int(row[0]) for row in rows] == list(range(len(KINDS)))
    assert rows[2][3:] == ["level=error", "file=a.py", "line=3", "message=bad"]
    events = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [event["kind"] for event in events] == KINDS
    assert events[0] == {**events[0], "title": "Install", "at_line": 1}
    assert events[2] == {**events[2], "level": "error", "file": "a.py", "line": 3, "message": "bad"}
    assert events[5]["message"] == "careful\nnow"
    # 4 lines of stdout came before it; 5 when the stderr line, printed in the same burst, was merged ahead of it
    # (across the two pipes a burst's order is an estimate: reader.interleave)
    assert events[6]["value"] == {"ok": True} and events[6]["at_line"] in (4, 5)


def test_status_shows_the_latest_step_url_annotations_and_result(cli: Cli, commands_job: str) -> None:
    """needs_merge: the functions' job fields of issue 12."""
    table = cli("status", commands_job).stdout
    document = job_status(cli, commands_job)

    assert document["current_step"] == "building"
    assert document["current_url"] == "https://example.com/page"
    assert document["annotations"] == {"error": 1, "warning": 1, "notice": 0}
    assert document["result"] == {"ok": True} and document["usage"] is None
    assert document["events"] == len(KINDS) and document["lines"] == 6
    rows = {
        line.split(None, 1)[0]: line.split(None, 1)[1].strip() for line in table.splitlines() if " " in line
    }
    assert rows["step"] == "building" and rows["url"] == "https://example.com/page"
    assert rows["annotations"] == "1 error, 1 warning"
    assert rows["result"] == '{"ok":true}' and rows["events"] == str(len(KINDS))


def read_until(stream: Any, wanted: str, timeout_s: float = 30) -> str:
    """Read a child's pipe until ``wanted`` appears (or the deadline passes: the caller asserts on what it read)."""
    seen = ""
    deadline = time.monotonic() + timeout_s
    while wanted not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(stream.fileno(), 65536).decode()
        if not chunk:
            break
        seen += chunk
    return seen


def test_run_shows_a_step_as_it_happens(cli: Cli, tmp_path: Path) -> None:
    """needs_merge: the runner's workflow commands."""
    go = tmp_path / "go"
    script = (
        "import pathlib, sys, time\n"
        "print('::step waiting for the test', flush=True)\n"
        f"deadline = time.monotonic() + 60\n"
        f"while not pathlib.Path({str(go)!r}).exists() and time.monotonic() < deadline: time.sleep(0.05)\n"
        "print('::step done waiting', flush=True)\n"
        "print('::result 42', flush=True)\n"
    )
    running = subprocess.Popen(
        [*TAILRUN, "run", "--", PY, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli_env(cli.url),
    )
    try:
        assert running.stderr is not None
        early = read_until(running.stderr, "→ waiting for the test\n")
        go.touch()
        out, rest = running.communicate(timeout=60)
    finally:
        if running.poll() is None:
            running.kill()
    assert "→ waiting for the test" in early and "done waiting" not in early, early
    assert in_order(rest.decode(), ["→ done waiting", "result: 42", "succeeded"]), rest
    assert out == b""


def test_masked_values_never_show(cli: Cli) -> None:
    """needs_merge: the runner's masking of the job's env and of ::add-mask::."""
    script = (
        "import os\n"
        "print('key is', os.environ['API_KEY'], flush=True)\n"
        "print('::add-mask::hunter2', flush=True)\n"
        "print('::step using hunter2', flush=True)\n"
        "print('password hunter2', flush=True)\n"
    )
    answer = cli("run", "-e", "API_KEY=sk-live-0123456789", "--", PY, "-c", script)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout == "key is ***\npassword ***\n"
    assert "→ using ***" in answer.stderr and "hunter2" not in answer.stderr


# The display alone: chunks with events written into the stack's emulator in the functions' format (design §4).


def stored_event(number: int, at_line: int, kind: str, **fields: Any) -> dict[str, Any]:
    return {"event": number, "at_line": at_line, "ts": 1763726400000 + number, "kind": kind, **fields}


def stored_line(number: int, text: str, stream: str = "stdout") -> dict[str, Any]:
    return {"line": number, "stream": stream, "ts": 1763726400000 + number, "text": text}


WRITTEN_EVENTS = [
    stored_event(0, 1, "group", title="Install"),
    stored_event(1, 2, "endgroup"),
    stored_event(2, 2, "annotation", level="error", message="bad", file="a.py", line=3),
    stored_event(3, 2, "step", text="building"),
    stored_event(
        4, 3, "tool_call", id="t1", name="Bash", input={"command": "npm test"}, summary="Bash: npm test"
    ),
    stored_event(5, 3, "message", role="assistant", text="all good"),
    stored_event(6, 4, "result", value={"ok": True}),
]


def written_chunks() -> list[dict[str, Any]]:
    """Output of one attempt as the callback would store it: lines 0-3 and events 0-6, the events of one batch
    alone in a chunk of their own."""

    def chunk(
        seq: int, lines: list[dict[str, Any]], events: list[dict[str, Any]], first_event: int
    ) -> dict[str, Any]:
        state = {"events": first_event + len(events), "current_step": "Bash: npm test"} if events else None
        return {
            "attempt": 1,
            "seq": seq,
            "first_line": lines[0]["line"] if lines else 0,
            "line_count": len(lines),
            "lines": lines,
            "first_event": first_event,
            "event_count": len(events),
            "events": events,
            **({"state": state} if state else {}),
            "created_at": datetime.now(UTC),
        }

    return [
        chunk(1, [stored_line(0, "before")], [], 0),
        chunk(3, [stored_line(1, "inside")], WRITTEN_EVENTS[0:2], 0),
        chunk(4, [], WRITTEN_EVENTS[2:4], 2),
        chunk(6, [stored_line(2, "warn", "stderr"), stored_line(3, "all good")], WRITTEN_EVENTS[4:6], 4),
        chunk(8, [], WRITTEN_EVENTS[6:7], 6),
    ]


@pytest.fixture
def written_job(dev_stack: DevProcess) -> Iterator[str]:
    """A succeeded job of `dev` whose output and events are written straight into the stack's emulator."""
    db = clients.firestore_client(LOCAL_PROJECT, firestore_of(dev_stack))
    job_id = uuid.uuid4().hex
    now = datetime.now(UTC)
    db.document(f"jobs/{job_id}").set(
        {
            "owner": DEV_USER,
            "status": "succeeded",
            "attempt": 1,
            "argv": ["agent"],
            "spec": {"argv": ["agent"]},
            "created_at": now,
            "started_at": now,
            "ended_at": now,
            "exit_code": 0,
            "lines": 4,
            "events": len(WRITTEN_EVENTS),
            "current_step": "Bash: npm test",
            "current_url": None,
            "annotations": {"error": 1, "warning": 0, "notice": 0},
            "usage": {"input_tokens": 1234, "output_tokens": 567, "cost_usd": 0.0123},
            "result": {"ok": True},
        }
    )
    for chunk in reversed(written_chunks()):
        db.document(f"jobs/{job_id}/chunks/0001-{chunk['seq']:08d}").set(chunk)
    yield job_id
    db.close()  # type: ignore[no-untyped-call]  # google-cloud-firestore: untyped


SHOWN_WRITTEN = [
    "▸ Install",
    "error: a.py:3: bad",
    "→ building",
    "warn",
    "→ Bash: npm test",
    'result: {"ok":true}',
]


def test_display_alone_logs_shows_stored_events_in_order_on_stderr(cli: Cli, written_job: str) -> None:
    answer = cli("logs", written_job)
    followed = cli("logs", written_job, "-f")

    for shown in (answer, followed):
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout == "before\ninside\nall good\n"
        assert in_order(shown.stderr, SHOWN_WRITTEN), shown.stderr
        assert "missing" not in shown.stderr
    assert "succeeded" in followed.stderr.splitlines()[-1]


def test_display_alone_on_a_terminal_events_show_among_the_lines_in_colour(
    cli: Cli, written_job: str
) -> None:
    terminal = Terminal.spawn(cli, "logs", written_job, "-f")

    assert terminal.wait() == 0, terminal.output
    shown = terminal.output.replace("\r\n", "\n")
    assert in_order(
        shown, ["before", "▸ Install", "inside", "error: a.py:3: bad", "→ building", "all good"]
    ), shown
    assert in_order(shown, ["all good", 'result: {"ok":true}', "succeeded"]), shown
    assert "\x1b[1;31merror: a.py:3: bad" in shown


def test_display_alone_logs_events_lists_them_all(cli: Cli, written_job: str) -> None:
    listed = cli("logs", written_job, "--events")
    as_json = cli("logs", written_job, "--events", "--json")

    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "0 1 group title=Install",
        "1 2 endgroup",
        "2 2 annotation level=error file=a.py line=3 message=bad",
        "3 2 step text=building",
        '4 3 tool_call summary="Bash: npm test" name=Bash id=t1 input={"command":"npm test"}',
        '5 3 message role=assistant text="all good"',
        '6 4 result value={"ok":true}',
    ]
    assert [json.loads(line) for line in as_json.stdout.splitlines()] == WRITTEN_EVENTS


def test_display_alone_status_shows_the_latest_state(cli: Cli, written_job: str) -> None:
    table = cli("status", written_job).stdout
    document = job_status(cli, written_job)

    rows = {
        line.split(None, 1)[0]: line.split(None, 1)[1].strip() for line in table.splitlines() if " " in line
    }
    assert rows["step"] == "Bash: npm test"
    assert rows["annotations"] == "1 error"
    assert rows["usage"] == "1,234 in / 567 out tokens, $0.0123"
    assert rows["result"] == '{"ok":true}' and rows["events"] == "7"
    assert "url" not in rows
    assert document["usage"] == {"input_tokens": 1234, "output_tokens": 567, "cost_usd": 0.0123}
    assert document["result"] == {"ok": True} and document["events"] == 7


def test_display_alone_an_event_lost_from_storage_is_reported(
    cli: Cli, written_job: str, dev_stack: DevProcess
) -> None:
    db = clients.firestore_client(LOCAL_PROJECT, firestore_of(dev_stack))
    db.document(f"jobs/{written_job}/chunks/0001-00000008").delete()
    db.close()  # type: ignore[no-untyped-call]  # google-cloud-firestore: untyped

    answer = cli("logs", written_job, "--events")

    assert answer.returncode == 0
    assert len(answer.stdout.splitlines()) == 6
    assert "events 6–6 of attempt 1 are missing from the stored output" in answer.stderr


def test_json_needs_events_and_raw_refuses_them(cli: Cli, written_job: str) -> None:
    plain_json = cli("logs", written_job, "--json")
    raw_events = cli("logs", written_job, "--events", "--raw")
    assert plain_json.returncode == 1 and "--json lists events" in plain_json.stderr
    assert raw_events.returncode == 1 and "give one of them" in raw_events.stderr


def test_logs_help_says_what_events_and_json_do() -> None:
    answer = subprocess.run(
        [*TAILRUN, "logs", "--help"], capture_output=True, text=True, env={**os.environ, "COLUMNS": "300"}
    )
    assert "List the job's events instead of its lines" in answer.stdout
    assert "one JSON object per line" in answer.stdout


# --- an agent's prompt (`tailrun run --prompt`): a stand-in `claude` on the stack's PATH plays Claude Code's
# stream-json (shapes as tests/scenarios/agent_streams/claude_success.jsonl: claude-agent-sdk-python's parser)

FAKE_CLAUDE = """#!{python}
import json, sys
def emit(obj):
    print(json.dumps(obj), flush=True)
assert sys.argv[1:5] == ["-p", "--output-format", "stream-json", "--verbose"], sys.argv
prompt = sys.argv[-1]
emit({{"type": "system", "subtype": "init", "session_id": "s1", "model": "claude-test", "tools": ["Bash"]}})
emit({{"type": "assistant", "session_id": "s1", "message": {{"role": "assistant", "content": [
    {{"type": "text", "text": "You asked: " + prompt}},
    {{"type": "tool_use", "id": "t1", "name": "Bash", "input": {{"command": "npm test"}}}}]}}}})
emit({{"type": "user", "session_id": "s1", "message": {{"role": "user", "content": [
    {{"type": "tool_result", "tool_use_id": "t1", "is_error": False, "content": "ok"}}]}}}})
emit({{"type": "result", "subtype": "success", "is_error": False, "duration_ms": 5, "num_turns": 1,
      "result": "Done: " + prompt, "session_id": "s1", "total_cost_usd": 0.01,
      "usage": {{"input_tokens": 10, "output_tokens": 4}}}})
"""


@pytest.fixture(scope="module")
def agent_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevProcess]:
    """A stack whose runners find the stand-in `claude` first on their PATH."""
    bin_dir = tmp_path_factory.mktemp("agent-bin")
    fake = bin_dir / "claude"
    fake.write_text(FAKE_CLAUDE.format(python=sys.executable))
    fake.chmod(0o755)
    stack = start_dev(
        tmp_path_factory.mktemp("agent") / "state", env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    )
    try:
        yield stack
    finally:
        stack.stop()


def test_run_prompt_runs_the_agent_and_shows_its_text_steps_and_result(agent_stack: DevProcess) -> None:
    cli = Cli(agent_stack.url)

    answer = cli("run", "--prompt", "fix the tests")

    assert answer.returncode == 0, answer.stderr
    assert answer.stdout == "You asked: fix the tests\n"  # the agent's text, not its JSON
    assert "→ Bash: npm test" in answer.stderr and "{" not in answer.stdout
    job_id = cli("jobs", "--limit", "1").stdout.splitlines()[1].split()[0]
    document = job_status(cli, job_id)
    assert document["result"] == "Done: fix the tests"
    assert document["current_step"] == "Bash: npm test"
    assert document["usage"]["output_tokens"] == 4


def test_run_takes_a_command_or_a_prompt_not_both_and_agent_only_with_a_prompt(
    agent_stack: DevProcess,
) -> None:
    cli = Cli(agent_stack.url)

    both = cli("run", "--prompt", "hi", "--", "true")
    neither = cli("run")
    stray_agent = cli("run", "--agent", "codex", "--", "true")

    assert both.returncode == neither.returncode == stray_agent.returncode == 125
    assert "not both" in both.stderr and "not both" in neither.stderr
    assert "--agent goes with --prompt" in stray_agent.stderr
