"""The CLI, smoothed (issue 11): exit codes, attempts, cancel, errors as sentences, end reasons said once,
`status --json`, failed uploads, `review`, `jobs`, help, the dev banner and start-up cost, each through the real
`tailrun` against a real `tailrun dev`.

Tests marked ``needs_merge`` in their docstring rely on the other helpers' work of issue 11 (the job spec's ``tty``
and ``cwd``, ``label_pairs``, ``retried_by``, ``last_output_at``); the rest pass on main's functions.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tailrun.cli.commands import typeable_tailrun
from tailrun.local.dev import spawn

from .stack import TAILRUN, Cli, cli_env
from .test_artifacts_cli import bring, finished_job
from .test_cli import detach, eventually, job_status, wait_for_status

PY = sys.executable
ENDED = {"succeeded", "failed", "canceled", "timed_out"}


def ended_job(cli: Cli, script: str, *flags: str) -> str:
    answer = cli("run", "--detach", *flags, "--", PY, "-c", script)
    assert answer.returncode == 0, answer.stderr
    job_id = answer.stdout.strip()
    wait_for_status(cli, job_id, ENDED)
    return job_id


# 1. `logs -f` exits as `run` does


@pytest.mark.parametrize(
    ("script", "flags", "code"),
    [
        ("print('x'); raise SystemExit(3)", (), 3),
        ("print('fine')", (), 0),
        ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", (), 137),
        ("import time; print('then silence', flush=True); time.sleep(120)", ("--idle-timeout", "2"), 124),
    ],
)
def test_logs_follow_exits_as_run_does(cli: Cli, script: str, flags: tuple[str, ...], code: int) -> None:
    job_id = ended_job(cli, script, *flags)

    followed = cli("logs", job_id, "-f")

    assert followed.returncode == code, followed.stderr


def test_logs_follow_of_a_canceled_job_exits_130(cli: Cli) -> None:
    job_id = detach(cli, PY, "-c", "import time\nprint('started', flush=True)\ntime.sleep(120)")
    wait_for_status(cli, job_id, {"running"})
    following = cli.popen("logs", job_id, "-f")
    assert cli("cancel", job_id).returncode == 0
    _, stderr = following.communicate(timeout=60)
    assert following.returncode == 130, stderr
    assert "canceled" in stderr


# 2. an attempt that does not exist


def test_an_attempt_that_does_not_exist_says_how_many_there_are(cli: Cli) -> None:
    job_id = ended_job(cli, "print('once')")

    answer = cli("logs", job_id, "--attempt", "2")
    first = cli("logs", job_id, "--attempt", "1")

    assert answer.returncode == 1 and answer.stdout == ""
    assert f"Job {job_id} has 1 attempt" in answer.stderr and "--attempt 1" in answer.stderr
    assert first.returncode == 0 and first.stdout == "once\n"


# 3. cancel of an ended job


def test_cancel_of_a_finished_job_says_how_it_ended_and_succeeds(cli: Cli) -> None:
    job_id = ended_job(cli, "raise SystemExit(3)")

    answer = cli("cancel", job_id)

    assert answer.returncode == 0, answer.stderr
    assert f"Job {job_id} has already ended: failed (exit code 3)" in answer.stdout
    assert job_status(cli, job_id)["status"] == "failed"


# 4. errors are sentences; --verbose adds the details


def test_a_refused_request_is_a_sentence_and_verbose_adds_the_details(cli: Cli) -> None:
    job_id = ended_job(cli, "print('fine')")

    plain = cli("retry", job_id)
    verbose = cli("--verbose", "retry", job_id)

    assert plain.returncode == 1 and plain.stderr.startswith("Error: ")
    for noise in ("retry_job", "HTTP", "409", "not_retryable"):
        assert noise not in plain.stderr, plain.stderr
    assert job_id in plain.stderr and plain.stderr.strip().endswith(".")
    assert verbose.returncode == 1
    assert "retry_job answered HTTP 409 with error code 'not_retryable'" in verbose.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["run", "--detach", "--", "true"],
        ["cancel", "0123456789abcdef0123456789abcdef"],
        ["retry", "0123456789abcdef0123456789abcdef"],
        ["review", "0123456789abcdef0123456789abcdef", "a.txt", "approve"],
        ["logs", "0123456789abcdef0123456789abcdef"],
        ["jobs"],
    ],
)
def test_without_a_stack_errors_are_sentences_with_details_under_verbose(command: list[str]) -> None:
    from tailrun.local.dev import free_port

    cli = Cli(f"http://127.0.0.1:{free_port('127.0.0.1')}")

    plain = cli(*command)
    verbose = cli("-v", *command)

    assert "Start one with `tailrun dev`" in plain.stderr and "Traceback" not in plain.stderr
    assert "Connection" not in plain.stderr and "/_tailrun/config" not in plain.stderr
    assert "/_tailrun/config" in verbose.stderr
    assert plain.returncode == (125 if command[0] == "run" else 1)


def test_an_invalid_job_id_is_a_sentence(cli: Cli) -> None:
    for command in (["cancel", "a.b"], ["retry", "a b"], ["status", "a/b"]):
        answer = cli(*command)
        assert answer.returncode == 1 and "is not a job id" in answer.stderr, answer.stderr


# 5. each end reason said once


def test_each_end_reason_is_said_once(cli: Cli) -> None:
    exited = cli("run", "--", PY, "-c", "raise SystemExit(3)")
    killed = cli("run", "--", PY, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)")

    assert exited.returncode == 3 and killed.returncode == 143
    summary = exited.stderr.strip().splitlines()[-1]
    assert "failed (exit code 3)" in summary and "(exited)" not in summary
    assert summary.count("exit code") == 1 and "exited with" not in summary
    summary = killed.stderr.strip().splitlines()[-1]
    assert "failed (signal SIGTERM)" in summary and summary.count("SIGTERM") == 1, summary


# 6. status --json


def test_status_json_is_stable_and_complete(cli: Cli) -> None:
    job_id = ended_job(cli, "print('try'); raise SystemExit(4)", "--max-attempts", "2", "--label", "team=cli")

    first = cli("status", job_id, "--json")
    second = cli("status", job_id, "--json")

    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout, "the same document prints the same bytes"
    pairs = json.loads(first.stdout, object_pairs_hook=lambda items: items)
    assert [key for key, _ in pairs] == sorted(key for key, _ in pairs)
    document = json.loads(first.stdout)
    assert document["status"] == "failed" and document["spec"]["labels"] == {"team": "cli"}
    assert [(a["attempt"], a["status"], a["exit_code"]) for a in document["attempts"]] == [
        (1, "failed", 4),
        (2, "failed", 4),
    ]
    assert all(isinstance(a["duration_s"], float) and a["failed_uploads"] == [] for a in document["attempts"])
    assert document["artifacts"] == {"count": 0, "names": [], "review_states": {}, "items": []}
    assert document["failed_uploads"] == {"count": 0, "items": []}


def test_status_shows_artifacts_and_their_review_states(cli: Cli) -> None:
    job_id = finished_job(cli)
    bring(cli, job_id, "out/table.csv", b"a,b\n", "text/csv")
    bring(cli, job_id, "notes.md", b"# n\n", "text/markdown")
    assert cli("review", job_id, "table.csv", "approve").returncode == 0

    document = json.loads(cli("status", job_id, "--json").stdout)
    table = cli("status", job_id).stdout

    assert document["artifacts"]["count"] == 2
    assert document["artifacts"]["names"] == ["notes.md", "out/table.csv"]
    assert document["artifacts"]["review_states"] == {"approved": 1, "pending": 1}
    assert "out/table.csv (approved)" in table and "notes.md (pending)" in table


def test_status_json_lists_retries_and_last_output(cli: Cli) -> None:
    """needs_merge: ``retried_by`` and ``last_output_at`` are written by the functions' side of issue 11."""
    job_id = ended_job(cli, "print('try'); raise SystemExit(4)")
    retried = cli("retry", job_id)
    assert retried.returncode == 0, retried.stderr
    new_id = retried.stdout.strip()

    document = eventually(
        lambda: json.loads(cli("status", job_id, "--json").stdout), lambda doc: "retried_by" in doc
    )

    assert document.get("retried_by") == [new_id]
    assert document["last_output_at"] is not None
    assert re.search(rf"\bretried by\s+{new_id}\b", cli("status", job_id).stdout)


# 7. failed uploads


@pytest.fixture
def scratch() -> Iterator[str]:
    """A folder name for a job's files, relative to the job's working directory (removed afterwards if the job
    ran where the stack runs, as on main)."""
    name = f".tailrun-test-{uuid.uuid4().hex[:8]}"
    yield name
    shutil.rmtree(Path.cwd() / name, ignore_errors=True)


def test_run_reports_failed_uploads_on_stderr_and_in_its_summary(cli: Cli, scratch: str) -> None:
    script = (
        f"import pathlib; d = pathlib.Path({scratch!r}); d.mkdir()\n"
        "(d / 'rows.csv').write_text('a,b\\n'); (d / 'page.html').write_text('<p>x</p>')"
    )

    answer = cli("run", "-a", f"{scratch}/*", "--", PY, "-c", script)

    assert answer.returncode == 0, answer.stderr
    assert f"Not uploaded: {scratch}/page.html (attempt 1): " in answer.stderr
    assert "'text/html' is not allowed" in answer.stderr
    summary = answer.stderr.strip().splitlines()[-1]
    assert "succeeded (exit code 0; 1 artifact not uploaded)" in summary, answer.stderr
    job_id = summary.split("job ")[1].split()[0]
    table = cli("status", job_id).stdout
    assert f"not uploaded  {scratch}/page.html (attempt 1)" in table
    document = json.loads(cli("status", job_id, "--json").stdout)
    assert [entry["name"] for entry in document["failed_uploads"]["items"]] == [f"{scratch}/page.html"]
    assert document["attempts"][0]["failed_uploads"][0]["name"] == f"{scratch}/page.html"
    assert document["artifacts"]["names"] == [f"{scratch}/rows.csv"]


# 8. review


def test_review_approves_an_artifact_by_its_name_once(cli: Cli) -> None:
    job_id = finished_job(cli)
    bring(cli, job_id, "out/report.txt", b"hello\n")

    approved = cli("review", job_id, "out/report.txt", "approve", "--note", "looks right")
    again = cli("review", job_id, "out/report.txt", "reject")

    assert approved.returncode == 0, approved.stderr
    assert f"Approved out/report.txt of job {job_id}." in approved.stdout
    listing = json.loads(cli("artifacts", job_id, "--json").stdout)
    assert listing[0]["review"]["state"] == "approved" and listing[0]["review"]["note"] == "looks right"
    assert again.returncode == 1 and "already approved" in again.stderr
    assert "HTTP" not in again.stderr and "review_artifact" not in again.stderr


def test_review_by_file_name_or_id_and_unknown_or_ambiguous_names(cli: Cli) -> None:
    job_id = finished_job(cli)
    notes = bring(cli, job_id, "docs/notes.md", b"# a\n", "text/markdown")
    bring(cli, job_id, "a/data.csv", b"1\n", "text/csv")
    bring(cli, job_id, "b/data.csv", b"2\n", "text/csv")

    by_file_name = cli("review", job_id, "notes.md", "reject", "--note", "no")
    unknown = cli("review", job_id, "missing.txt", "approve")
    ambiguous = cli("review", job_id, "data.csv", "approve")
    by_id = cli("review", job_id, bring(cli, job_id, "c.csv", b"3\n", "text/csv")["artifact_id"], "approve")
    bad_decision = cli("review", job_id, "c.csv", "maybe")

    assert by_file_name.returncode == 0 and "Rejected docs/notes.md" in by_file_name.stdout
    assert notes["review"]["state"] == "pending"
    assert unknown.returncode == 1 and f"Job {job_id} has no artifact 'missing.txt'" in unknown.stderr
    assert ambiguous.returncode == 1
    assert "2 artifacts of job" in ambiguous.stderr and "a/data.csv" in ambiguous.stderr
    assert "b/data.csv" in ambiguous.stderr
    assert by_id.returncode == 0 and "Approved c.csv" in by_id.stdout
    assert bad_decision.returncode == 2 and "approve" in bad_decision.stderr


# 9. jobs


def test_jobs_shows_times_durations_exit_codes_and_labels(cli: Cli) -> None:
    job_id = ended_job(cli, "raise SystemExit(6)", "--label", "team=cli", "-l", "kind=test")

    listing = cli("jobs", "--limit", "50")

    assert listing.returncode == 0, listing.stderr
    header = listing.stdout.splitlines()[0].split()
    assert header == ["JOB", "STATUS", "CREATED", "DURATION", "EXIT", "LABELS", "COMMAND"]
    row = next(line for line in listing.stdout.splitlines() if line.split()[:1] == [job_id])
    assert re.search(
        r"failed\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d+\.\d s\s+6\s+kind=test,team=cli\s", row
    ), row


def test_jobs_pages_past_any_count(cli: Cli) -> None:
    made = [ended_job(cli, f"print({n})") for n in range(3)]

    first = cli("jobs", "--status", "succeeded", "--limit", "2")
    ids = [line.split()[0] for line in first.stdout.splitlines()[1:]]
    hint = re.search(r"More jobs: (tailrun jobs .*--after (\w+))", first.stderr)
    assert hint is not None, first.stderr
    second = cli(*hint.group(1).split()[1:])
    more = [line.split()[0] for line in second.stdout.splitlines()[1:]]
    everything = cli("jobs", "--status", "succeeded", "--all")
    every_id = [line.split()[0] for line in everything.stdout.splitlines()[1:]]

    assert ids == [made[2], made[1]] and hint.group(2) == made[1]
    assert more[0] == made[0] and len(more) <= 2
    assert every_id[:3] == [made[2], made[1], made[0]] and len(every_id) == len(set(every_id))
    assert "More jobs" not in everything.stderr


def test_jobs_filters_by_labels(cli: Cli) -> None:
    """needs_merge: ``label_pairs`` on job documents comes with the functions' side of issue 11."""
    tag = uuid.uuid4().hex[:8]
    both = ended_job(cli, "print(1)", "-l", f"run={tag}", "-l", "side=a")
    one = ended_job(cli, "print(2)", "-l", f"run={tag}", "-l", "side=b")

    by_run = cli("jobs", "--label", f"run={tag}")
    by_both = cli("jobs", "--label", f"run={tag}", "--label", "side=a")
    nothing = cli("jobs", "--label", f"run={tag}", "--status", "failed")

    assert [line.split()[0] for line in by_run.stdout.splitlines()[1:]] == [one, both]
    assert [line.split()[0] for line in by_both.stdout.splitlines()[1:]] == [both]
    assert nothing.returncode == 0 and "No jobs match." in nothing.stderr
    assert cli("jobs", "--label", "nolabel").returncode == 1


# 10. help


COMMANDS = [
    "run",
    "logs",
    "status",
    "jobs",
    "cancel",
    "retry",
    "artifacts",
    "review",
    "download",
    "dev",
    "emulator",
    "login",
    "logout",
    "whoami",
]


@pytest.mark.parametrize("command", [[], *([name] for name in COMMANDS)])
def test_help_has_no_type_placeholders(command: list[str]) -> None:
    answer = subprocess.run(
        [*TAILRUN, *command, "--help"], capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"}
    )
    assert answer.returncode == 0, answer.stderr
    assert not re.search(r"<[a-z\[\], |]+>|\bTEXT\b|\bINTEGER\b|\{[A-Z]+\}", answer.stdout), answer.stdout


def test_run_help_says_what_tty_and_cwd_do() -> None:
    answer = subprocess.run(
        [*TAILRUN, "run", "--help"], capture_output=True, text=True, env={**os.environ, "COLUMNS": "300"}
    )
    assert "stdout and stderr become one stream" in answer.stdout
    assert "By default each job runs in a fresh directory of its own" in answer.stdout
    assert "124" in answer.stdout and "130" in answer.stdout


# --tty and --cwd (the job spec's new fields)


def test_run_tty_gives_the_job_a_terminal(cli: Cli) -> None:
    """needs_merge: the runner's ``tty``."""
    answer = cli("run", "--tty", "--", PY, "-c", "import sys; print(sys.stdout.isatty(), sys.stdin.isatty())")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.split()[0] == "True"


def test_run_cwd_runs_the_job_in_that_directory(cli: Cli, tmp_path: Path) -> None:
    """needs_merge: the local stack's ``cwd``."""
    relative = os.path.relpath(tmp_path)
    answer = cli("run", "--cwd", relative, "--", PY, "-c", "import os; print(os.getcwd())")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == str(tmp_path.resolve())


def test_run_cwd_must_be_a_directory(cli: Cli, tmp_path: Path) -> None:
    answer = cli("run", "--cwd", str(tmp_path / "nowhere"), "--", "true")
    assert answer.returncode == 125 and "is not a directory" in answer.stderr


def test_run_tty_and_cwd_go_in_the_spec(cli: Cli, tmp_path: Path) -> None:
    """needs_merge: main's create_job refuses fields it does not know."""
    answer = cli("run", "--detach", "--tty", "--cwd", str(tmp_path), "--", "true")
    assert answer.returncode == 0, answer.stderr
    spec = job_status(cli, answer.stdout.strip())["spec"]
    assert spec["tty"] is True and spec["cwd"] == str(tmp_path.resolve())


# 11. the dev banner


def test_the_banner_prints_a_command_that_works_without_the_venv_on_path(tmp_path: Path) -> None:
    venv_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != venv_bin)
    env = {**cli_env("unused"), "PATH": path or "/usr/bin:/bin"}
    stack = spawn(tmp_path / "state", "--in-memory", env=env)
    try:
        line = eventually(lambda: stack.log.read_text(errors="replace"), lambda text: "Try: " in text).split(
            "Try: ", 1
        )[1]
        typed = line.split("    (Ctrl-C", 1)[0]
        answer = subprocess.run(
            ["bash", "-c", typed], capture_output=True, text=True, timeout=60, env={**env, "TAILRUN_URL": ""}
        )
    finally:
        stack.stop()
    assert answer.returncode == 0, (typed, answer.stderr)
    assert answer.stdout == "hello\n"


def test_the_typeable_tailrun_is_the_one_that_runs(tmp_path: Path) -> None:
    script = tmp_path / "bin" / "tailrun"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    other = tmp_path / "other"
    other.mkdir()
    (other / "tailrun").write_text("#!/bin/sh\n")
    (other / "tailrun").chmod(0o755)

    assert typeable_tailrun(str(script), "/x/python", path=str(script.parent)) == "tailrun"
    assert typeable_tailrun(str(script), "/x/python", path=str(other)) == str(script)
    assert typeable_tailrun("/a/tailrun/__main__.py", "/venv/bin/python", path=str(other)) == (
        "/venv/bin/python -m tailrun"
    )


# 12. start-up cost


def imported(*args: str, env: dict[str, str] | None = None) -> set[str]:
    answer = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tailrun", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    return {
        line.split("|")[-1].strip() for line in answer.stderr.splitlines() if line.startswith("import time:")
    }


def test_commands_that_read_nothing_do_not_import_firestore(cli: Cli) -> None:
    env = cli_env(cli.url)
    assert "google.cloud.firestore" not in imported("run", "--help")
    assert "google.cloud.firestore" not in imported("--help")
    running = detach(cli, PY, "-c", "import time; time.sleep(60)")
    assert "google.cloud.firestore" not in imported("run", "--detach", "--", "true", env=env)
    assert "google.cloud.firestore" not in imported("cancel", running, env=env)
    failed = ended_job(cli, "raise SystemExit(1)")
    assert "google.cloud.firestore" not in imported("retry", failed, env=env)
    assert "google.cloud.firestore" in imported("status", failed, env=env)  # it reads: it must load it
