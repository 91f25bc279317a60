"""`tailrun` against a real `tailrun dev`: jobs run through the functions, the runner and the emulator."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import requests
from tailrun_functions import clients
from tailrun_functions.schema import LOCAL_PROJECT

from tailrun.local.dev import DevProcess

from .stack import TAILRUN, Cli, Terminal, cli_env, default_sigint, start_dev

PY = sys.executable
T = TypeVar("T")


def job_status(cli: Cli, job_id: str) -> dict[str, Any]:
    answer = cli("status", job_id, "--json")
    assert answer.returncode == 0, answer.stderr
    return dict(json.loads(answer.stdout))


def eventually(read: Callable[[], T], wanted: Callable[[T], bool], timeout_s: float = 30) -> T:
    """Read until what is read is wanted, or the deadline passes; the last reading (the caller asserts on it)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = read()
        if wanted(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def wait_for_status(cli: Cli, job_id: str, wanted: set[str], timeout_s: float = 30) -> dict[str, Any]:
    return eventually(lambda: job_status(cli, job_id), lambda job: job["status"] in wanted, timeout_s)


def stored_lines(cli: Cli, job_id: str) -> list[str]:
    return cli("logs", job_id).stdout.splitlines()


def detach(cli: Cli, *command: str) -> str:
    answer = cli("run", "--detach", "--", *command)
    assert answer.returncode == 0, answer.stderr
    return answer.stdout.strip()


def test_run_prints_every_line_in_order_and_exits_with_the_jobs_code(cli: Cli) -> None:
    script = (
        "import sys\nfor i in range(2000): print(f'line {i}')\nprint('oops', file=sys.stderr)\nsys.exit(3)"
    )
    answer = cli("run", "--", PY, "-c", script)
    assert answer.stdout.splitlines() == [f"line {i}" for i in range(2000)]
    assert "oops" in answer.stderr.splitlines()
    assert answer.returncode == 3, answer.stderr


def test_run_keeps_the_streams_apart_and_succeeds_with_the_job(cli: Cli) -> None:
    script = "import sys\nfor i in range(5):\n print(f'out {i}', flush=True)\n print(f'err {i}', file=sys.stderr, flush=True)"
    answer = cli("run", "--", PY, "-c", script)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.splitlines() == [f"out {i}" for i in range(5)]
    assert [line for line in answer.stderr.splitlines() if line.startswith("err")] == [
        f"err {i}" for i in range(5)
    ]
    assert "succeeded" in answer.stderr


def test_run_follows_automatic_retries_to_the_last_attempt(cli: Cli) -> None:
    answer = cli("run", "--max-attempts", "2", "--", PY, "-c", "print('try'); raise SystemExit(5)")
    assert answer.stdout.splitlines() == ["try", "try"]
    assert "attempt 2" in answer.stderr
    assert answer.returncode == 5


def test_output_arrives_while_the_job_runs(cli: Cli) -> None:
    script = "import time\nprint('first', flush=True)\ntime.sleep(2)\nprint('second', flush=True)"
    process = cli.popen("run", "--", PY, "-c", script)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "first"
    first_seen = time.monotonic()
    assert process.stdout.readline().strip() == "second"
    assert time.monotonic() - first_seen > 1.5, "the first line was shown only when the job ended"
    assert process.wait(timeout=30) == 0


def test_status_logs_and_jobs_describe_a_finished_job(cli: Cli) -> None:
    job_id = detach(cli, PY, "-c", "print('hello'); print('world')")
    job = wait_for_status(cli, job_id, {"succeeded", "failed"})
    assert job["status"] == "succeeded" and job["exit_code"] == 0
    logs = cli("logs", job_id)
    assert logs.returncode == 0 and logs.stdout.splitlines() == ["hello", "world"]
    followed = cli("logs", job_id, "-f")
    assert followed.stdout.splitlines() == ["hello", "world"]
    listing = cli("jobs")
    assert listing.returncode == 0 and job_id in listing.stdout
    assert job_id in cli("jobs", "--status", "succeeded").stdout
    assert job_id not in cli("jobs", "--status", "failed").stdout
    bogus = cli("jobs", "--status", "done")
    assert bogus.returncode == 1 and "--status must be one of queued, booting" in bogus.stderr
    assert "succeeded" in cli("status", job_id).stdout


def test_cancel_stops_a_running_job(cli: Cli) -> None:
    job_id = detach(cli, PY, "-c", "import time\nprint('started', flush=True)\ntime.sleep(120)")
    assert wait_for_status(cli, job_id, {"running"})["status"] == "running"
    answer = cli("cancel", job_id)
    assert answer.returncode == 0, answer.stderr
    assert wait_for_status(cli, job_id, {"canceled"})["status"] == "canceled"
    again = cli("cancel", job_id)
    assert again.returncode == 0, again.stderr
    assert f"Job {job_id} has already ended: canceled" in again.stdout and "Nothing to cancel" in again.stdout


def test_retry_runs_a_failed_job_again(cli: Cli) -> None:
    job_id = detach(cli, PY, "-c", "print('try'); raise SystemExit(4)")
    assert wait_for_status(cli, job_id, {"failed", "succeeded"})["status"] == "failed"
    answer = cli("retry", job_id, "--follow")
    assert answer.returncode == 4, answer.stderr
    assert answer.stdout.splitlines()[1:] == ["try"]


def test_an_unknown_job_is_a_sentence(cli: Cli) -> None:
    for command in (
        ["status", "no-such-job"],
        ["logs", "no-such-job"],
        ["logs", "-f", "no-such-job"],
        ["cancel", "no-such-job"],
        ["retry", "no-such-job"],
        ["artifacts", "no-such-job"],
    ):
        answer = cli(*command)
        # `logs -f` ends as `run` does: 125 when tailrun itself fails, so it never reads as the job's own code
        assert answer.returncode == (125 if "-f" in command else 1), (command, answer.stderr)
        assert "There is no job 'no-such-job'" in answer.stderr
        assert "Traceback" not in answer.stderr


def test_without_a_stack_every_command_says_to_start_one(tmp_path: Path) -> None:
    from tailrun.local.dev import free_port

    cli = Cli(f"http://127.0.0.1:{free_port('127.0.0.1')}")
    for command, code in (
        (["run", "--", "true"], 125),
        (["jobs"], 1),
        (["status", "x"], 1),
        (["artifacts", "x"], 1),
        (["download", "x", "a.txt"], 1),
    ):
        answer = cli(*command)
        assert answer.returncode == code
        assert "Start one with `tailrun dev`" in answer.stderr
        assert "Traceback" not in answer.stderr


def test_a_second_dev_stack_on_the_same_state_is_refused(dev_stack: DevProcess) -> None:
    second = start_dev_refused(dev_stack.state_dir)
    assert "already running" in second and str(dev_stack.state_dir) in second
    assert "Traceback" not in second
    assert (
        dev_stack.state_dir / "dev.json"
    ).exists()  # the refused one leaves the running stack's file alone


def test_a_second_dev_stack_on_the_same_port_is_refused(dev_stack: DevProcess, tmp_path: Path) -> None:
    port = dev_stack.url.rsplit(":", 1)[1]
    second = start_dev_refused(tmp_path / "other", "--port", port)
    assert f"already answers at {dev_stack.url}" in second


def start_dev_refused(state_dir: Path, *extra: str) -> str:

    answer = subprocess.run(
        [*TAILRUN, "dev", "--state-dir", str(state_dir), "--in-memory", *extra],
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env("unused"),
    )
    assert answer.returncode == 1
    return answer.stdout + answer.stderr


def child_pids(parent: int) -> list[int]:
    """The live child processes of ``parent`` (read from /proc; empty where there is no /proc)."""
    children = []
    for proc_stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = proc_stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == parent and fields[0] != "Z":
                children.append(int(proc_stat.parent.name))
    return children


def test_dev_stops_its_children_on_ctrl_c(tmp_path: Path) -> None:
    stack = start_dev(tmp_path / "state")
    children = child_pids(stack.process.pid)
    assert len(children) >= 2, "the Firestore and storage emulators run as child processes"
    assert stack.stop() == 0
    assert not (stack.state_dir / "dev.json").exists()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in children)


def test_ctrl_c_in_the_terminal_of_dev_lets_running_jobs_deliver_before_the_emulators_stop(
    tmp_path: Path,
) -> None:
    stack = start_dev(tmp_path / "state", persistent=True, own_group=True)
    cli = Cli(stack.url)
    job_id = detach(cli, PY, "-c", "import time\nprint('before', flush=True)\ntime.sleep(120)")
    assert wait_for_status(cli, job_id, {"running"})["status"] == "running"
    assert eventually(lambda: stored_lines(cli, job_id), lambda lines: lines == ["before"]) == ["before"]
    started = time.monotonic()
    os.killpg(stack.process.pid, signal.SIGINT)  # what Ctrl-C does: the whole foreground process group
    assert stack.process.wait(timeout=30) == 0
    assert time.monotonic() - started < 8, (
        "the runner could not deliver its end and was killed after the grace"
    )
    restarted = start_dev(tmp_path / "state", persistent=True)
    try:
        cli = Cli(restarted.url)
        job = job_status(cli, job_id)
        assert job["status"] in {"failed", "canceled"} and job["signal"] == "SIGTERM", job
        assert cli("logs", job_id).stdout.splitlines() == ["before"]
    finally:
        restarted.stop()


def test_a_restarted_stack_keeps_its_jobs(tmp_path: Path) -> None:
    state = tmp_path / "state"
    first = start_dev(state, persistent=True)
    cli = Cli(first.url)
    job_id = detach(cli, PY, "-c", "print('kept')")
    assert wait_for_status(cli, job_id, {"succeeded"})["status"] == "succeeded"
    first.stop()
    second = start_dev(state, persistent=True)
    try:
        cli = Cli(second.url)
        assert job_status(cli, job_id)["status"] == "succeeded"
        assert cli("logs", job_id).stdout.splitlines() == ["kept"]
    finally:
        second.stop()


def test_ctrl_c_without_a_terminal_detaches_and_the_job_keeps_running(cli: Cli) -> None:
    process = cli.popen(
        "run",
        "--",
        PY,
        "-c",
        "import time\nprint('hi', flush=True)\ntime.sleep(60)",
        interruptible=True,
        stdin=subprocess.DEVNULL,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "hi"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130 and "Detached; job " in err, err
    job_id = err.split("Detached; job ")[1].split()[0]
    assert f"`tailrun logs {job_id} -f`" in err
    assert job_status(cli, job_id)["status"] == "running"
    assert cli("cancel", job_id).returncode == 0


def test_ctrl_c_in_a_terminal_asks_and_cancels_the_job(cli: Cli) -> None:
    terminal = Terminal.spawn(
        cli, "run", "--", PY, "-c", "import time\nprint('hello-from-job', flush=True)\ntime.sleep(60)"
    )
    terminal.read_until("hello-from-job")
    terminal.write(b"\x03")  # Ctrl-C, through the terminal's line discipline
    terminal.read_until("Cancel job")
    terminal.write(b"y\r")
    assert terminal.wait() == 130, terminal.output
    assert "canceled" in terminal.output
    assert terminal.output.count("hello-from-job") == 1, "following on after the question showed a line twice"


def test_the_emulator_command_serves_firestore_until_interrupted(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [*TAILRUN, "emulator", "--port", "0", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    try:
        assert process.stdout is not None
        ready = process.stdout.readline()
        address = ready.split("grpc=")[1].split()[0]
        client = clients.firestore_client("cli-emulator", address)
        client.document("things/one").set({"n": 1})
        assert client.document("things/one").get().to_dict() == {"n": 1}
        client.close()
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0


def test_dev_can_use_another_firestore_emulator(tmp_path: Path, firestore_emulator: Any) -> None:
    stack = start_dev(tmp_path / "state", "--firestore-emulator", firestore_emulator.address)
    try:
        cli = Cli(stack.url)
        answer = cli("run", "--", PY, "-c", "print('elsewhere')")
        assert answer.returncode == 0 and answer.stdout == "elsewhere\n", answer.stderr
        job_id = cli("jobs").stdout.splitlines()[1].split()[0]
    finally:
        stack.stop()
    client = clients.firestore_client(LOCAL_PROJECT, firestore_emulator.address)
    assert client.document(f"jobs/{job_id}").get().get("status") == "succeeded"
    client.close()


def test_dev_serves_the_job_viewer_and_its_bundle(dev_stack: DevProcess) -> None:
    import requests

    page = requests.get(f"{dev_stack.url}/web/", timeout=10)
    assert page.status_code == 200 and 'src="bundle/viewer.js"' in page.text
    bundle = requests.get(f"{dev_stack.url}/web/bundle/viewer.js", timeout=10)
    assert bundle.status_code == 200 and "google.firestore.v1.Firestore" in bundle.text
    assert requests.get(f"{dev_stack.url}/web/../pyproject.toml", timeout=10).status_code == 404


def test_dev_prints_its_addresses(dev_stack: DevProcess) -> None:
    printed = dev_stack.log.read_text(errors="replace")
    config = requests.get(f"{dev_stack.url}/_tailrun/config", timeout=10).json()

    assert f"tailrun dev is ready at {dev_stack.url}" in printed
    assert f"functions          {dev_stack.url}/<name>" in printed
    assert f"firestore emulator {config['firestore_emulator_host']}" in printed
    assert f"storage emulator   {config['storage_emulator_host']}" in printed
    token = (dev_stack.state_dir / "dev_token").read_text().strip()
    assert f"job viewer         {dev_stack.url}/web/#token={token}" in printed  # printed once, never served
    assert stat.S_IMODE(dev_stack.log.stat().st_mode) == 0o600


def test_dev_logs_one_json_object_per_line(dev_stack: DevProcess) -> None:
    lines = dev_stack.log.read_text(errors="replace").splitlines()
    printed = [line for line in lines if not line.startswith("{")]  # stdout and stderr share this file
    records = [json.loads(line) for line in lines if line.startswith("{")]

    assert (
        len(printed) == 7 and printed[0].startswith("tailrun dev is ready") and printed[-1].startswith("Try:")
    ), f"only the announcement (on stdout) is not a JSON record: {printed}"
    assert any(
        record["logger"] == "tailrun.local.dev" and record["message"].startswith("serving functions")
        for record in records
    )
    assert all({"severity", "message", "logger"} <= set(record) for record in records)


def test_the_dev_scheduler_reaps_an_idle_job(cli: Cli) -> None:
    script = "import time\nprint('then silence', flush=True)\ntime.sleep(120)"
    started = time.monotonic()

    answer = cli("run", "--idle-timeout", "2", "--", PY, "-c", script, timeout=60)

    assert answer.returncode == 124, answer.stderr  # timed out, as timeout(1) reports it
    assert answer.stdout.splitlines() == ["then silence"]
    assert time.monotonic() - started < 30, "the reaper runs every second in this stack"
    assert "printed nothing for its idle timeout of 2 s" in answer.stderr


# Each report comes over a second after the job document's last write (the callback coalesces writes to one a
# second and holds a report that comes sooner until the next message), so each one is shown.
PROGRESS_JOB = (
    "import time\ntime.sleep(1.5)\nprint('::progress 40 parsing', flush=True)\ntime.sleep(2.5)\n"
    "print('::progress 90 writing', flush=True)\ntime.sleep(2.5)\nprint('done', flush=True)"
)


def test_progress_messages_drive_a_bar_in_a_terminal(cli: Cli) -> None:
    terminal = Terminal.spawn(cli, "run", "--", PY, "-c", PROGRESS_JOB)

    terminal.read_until("parsing")
    terminal.read_until("40%")
    terminal.read_until("writing")
    terminal.read_until("90%")
    assert terminal.wait() == 0, terminal.output
    assert "done" in terminal.output and "::progress" not in terminal.output


def test_progress_without_a_terminal_is_noted_on_stderr_only(cli: Cli) -> None:
    answer = cli("run", "--", PY, "-c", PROGRESS_JOB)

    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.splitlines() == ["done"]
    assert (
        "tailrun: progress 40% parsing" in answer.stderr and "tailrun: progress 90% writing" in answer.stderr
    )
