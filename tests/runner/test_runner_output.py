"""The runner, as a real process, delivers what a real job writes to a real HTTP receiver: every line, in order."""

from __future__ import annotations

import itertools
import random
import sys
import threading
from typing import Any

import pytest
from runner_harness import TOKEN, CallbackServer, Receiver, Reply, job
from tailrun_runner import defaults


def test_a_hundred_thousand_fast_lines_arrive_in_order_in_few_batches(start_runner, callback_server):
    runner = start_runner(job("lines", 100_000))

    assert runner.wait() == 0
    received = callback_server.received()
    received.check_seqs()
    assert received.text("stdout") == "".join(f"line {i}\n" for i in range(100_000))
    assert received.completed()["lines"] == 100_000
    batches = received.of_type("output")
    assert all(len(m["lines"]) <= 5000 for m in batches)
    assert len(batches) >= 20  # 100,000 lines / 5,000 per batch at most
    assert len(batches) <= 200  # heavy output: at most 2 requests per 1,000 lines (the goal)
    assert len(received.requests) == len(received.messages)  # nothing was sent twice


def test_every_message_carries_the_envelope_and_the_bearer_token(start_runner, callback_server):
    runner = start_runner(job("lines", 3))

    assert runner.wait() == 0
    received = callback_server.received()
    assert {r.authorization for r in received.requests} == {f"Bearer {TOKEN}"}
    for message in received.messages:
        assert message["job_id"] == "job-1"
        assert message["attempt"] == 1
        assert isinstance(message["ts"], int) and message["ts"] > 1_700_000_000_000
    assert [m["type"] for m in received.messages] == ["started", "output", "completed"]


def test_started_describes_the_sandbox(start_runner, callback_server):
    runner = start_runner(job("lines", 1), CLOUD_RUN_JOB="tailrun-runner", CLOUD_RUN_TASK_INDEX="0")

    assert runner.wait() == 0
    sandbox = callback_server.received().messages[0]["sandbox"]
    assert sandbox["pid"] == runner.proc.pid
    assert sandbox["runner_version"] == "0.1.0"
    assert sandbox["python"].startswith("3.")
    assert sandbox["hostname"]
    assert sandbox["cloud_run_job"] == "tailrun-runner"
    assert sandbox["cloud_run_task_index"] == "0"
    assert "cloud_run_execution" not in sandbox


def test_a_slow_trickle_arrives_line_by_line_while_the_job_waits_for_each(start_runner, callback_server):
    # The job prints a line and then waits, silent, until the receiver has it: a runner that held sparse
    # output back for more company would make the job exit 3.
    runner = start_runner(job("trickle", 5))

    assert runner.wait() == 0
    received = callback_server.received()
    assert received.completed()["exit_code"] == 0
    assert received.text("stdout") == "".join(f"tick {i}\n" for i in range(5))
    assert all(len(m["lines"]) == 1 for m in received.of_type("output"))
    # Each line left as soon as it was read: the batch age (25 ms) bounds the wait, not the 10 s the job allows.
    delays = [
        r.received_at * 1000 - r.message["lines"][0]["ts"]
        for r in received.requests
        if r.message["type"] == "output"
    ]
    assert len(delays) == 5 and max(delays) < 1000, delays


def test_stdout_and_stderr_interleaved_keep_their_streams_and_one_numbering(start_runner, callback_server):
    runner = start_runner(job("interleaved", 3000))

    assert runner.wait() == 0
    received = callback_server.received()
    lines = received.lines()  # checks 0..n-1 across both streams
    assert len(lines) == 3000
    assert received.text("stdout") == "".join(f"out {i}\n" for i in range(3000) if i % 3)
    assert received.text("stderr") == "".join(f"err {i}\n" for i in range(3000) if i % 3 == 0)
    assert {line["stream"] for line in lines} == {"stdout", "stderr"}


def test_a_5_mb_line_is_cut_at_the_cap_and_marked(start_runner, callback_server):
    runner = start_runner(job("long_line"), TAILRUN_MAX_LINE_BYTES="10000")

    assert runner.wait() == 0
    lines = callback_server.received().lines()
    assert [line["text"] for line in lines] == ["start", "x" * 10_000, "after"]
    assert lines[1]["cut"] is True
    assert "cut" not in lines[0] and "cut" not in lines[2]


def test_binary_output_is_replaced_and_marked_never_lost(start_runner, callback_server):
    runner = start_runner(job("binary"))

    assert runner.wait() == 0
    lines = callback_server.received().lines()
    assert lines[0] == {"line": 0, "stream": "stdout", "ts": lines[0]["ts"], "text": "plain"}
    assert lines[1]["text"] == "bad \ufffd\ufffd bytes" and lines[1]["invalid_utf8"] is True
    assert lines[2]["text"] == "nul \x00 and \x1b[31mansi\x1b[0m" and "invalid_utf8" not in lines[2]
    assert lines[3]["text"] == "caf\u00e9 \u2713"
    rng = random.Random(7)
    for line in lines[4:24]:
        raw = bytes(rng.randrange(256) for _ in range(64)).replace(b"\n", b"").replace(b"\r", b"")
        assert line["text"] == raw.decode("utf-8", "replace")
    assert lines[24]["text"] == "tail without newline \ufffd"
    assert lines[24]["partial"] is True and lines[24]["invalid_utf8"] is True
    assert len(lines) == 25


def test_a_crash_reports_the_exit_code_and_the_runner_still_exits_0(start_runner, callback_server):
    runner = start_runner(job("crash", "exit", 3))

    assert runner.wait() == 0
    received = callback_server.received()
    assert received.text("stdout") == "about to fail\n"
    assert received.text("stderr") == "boom\n"
    completed = received.completed()
    assert completed["exit_code"] == 3 and completed["signal"] is None
    assert completed["reason"] == "exited" and completed["lines"] == 2
    assert completed["duration_ms"] >= 0


def test_a_job_killed_by_a_signal_reports_the_signal(start_runner, callback_server):
    runner = start_runner(job("crash", "signal", "SIGKILL"))

    assert runner.wait() == 0
    completed = callback_server.received().completed()
    assert completed["exit_code"] is None and completed["signal"] == "SIGKILL"


def test_a_command_that_does_not_exist_completes_with_127_and_says_why(start_runner, callback_server):
    runner = start_runner(["/nonexistent/tailrun-job"])

    assert runner.wait() == 0
    received = callback_server.received()
    assert received.completed()["exit_code"] == 127
    assert "cannot start '/nonexistent/tailrun-job'" in received.text("stderr")


def test_progress_lines_become_progress_messages_in_order(start_runner, callback_server):
    runner = start_runner(job("progress"))

    assert runner.wait() == 0
    received = callback_server.received()
    assert received.text("stdout") == "loading\nparsed\n::progress lots\n::progress 150 too much\ndone\n"
    progress = [(m["percent"], m["step"]) for m in received.of_type("progress")]
    # Consecutive reports may be coalesced into the latest; the last one always arrives, after "parsed".
    assert progress[-1] == (100, "")
    assert set(progress) <= {(10, "Loading input"), (55.5, "Parsing"), (100, "")}
    last = received.messages.index(received.of_type("progress")[-1])
    assert any(line["text"] == "parsed" for m in received.messages[:last] for line in m.get("lines", []))


def test_carriage_returns_send_the_final_state_of_a_line(start_runner, callback_server):
    runner = start_runner(job("rewrite", "fast"))

    assert runner.wait() == 0
    assert callback_server.received().text("stdout") == "begin\nprogress 100%\ncrlf line\n"


def test_a_line_rewritten_slowly_is_sent_while_it_is_drawn(start_runner, callback_server):
    runner = start_runner(job("rewrite", "slow"), TAILRUN_CR_INTERVAL_S="0.4")

    assert runner.wait() == 0
    lines = callback_server.received().lines()
    texts = [line["text"] for line in lines]
    assert texts[0] == "begin" and texts[-2:] == ["progress 100%", "crlf line"]
    snapshots = texts[1:-2]
    drawing_s = (lines[-2]["ts"] - lines[0]["ts"]) / 1000  # ~1.65 s: 11 states, 0.15 s apart
    assert 1 <= len(snapshots) <= drawing_s / 0.4  # one state per 0.4 s at most
    assert all(text.startswith("progress ") and text != "progress 100%" for text in snapshots)


def test_heartbeats_flow_while_the_job_is_silent(start_runner, callback_server):
    runner = start_runner(
        [sys.executable, "-c", "import time; print('hi', flush=True); time.sleep(1.6)"],
        TAILRUN_HEARTBEAT_S="0.3",
    )

    assert runner.wait() == 0
    received = callback_server.received()
    received.check_seqs()
    assert received.text("stdout") == "hi\n"
    kinds = [m["type"] for m in received.messages]
    silent = kinds[kinds.index("output") + 1 : kinds.index("completed")]
    assert silent.count("heartbeat") >= 3 and set(silent) == {"heartbeat"}  # sent during the 1.6 s of silence
    beats = [m["ts"] for m in received.of_type("heartbeat")]
    assert all(0.2 <= (b - a) / 1000 <= 1.5 for a, b in itertools.pairwise(beats))  # every ~0.3 s
    assert 1600 <= received.completed()["duration_ms"] < 10_000  # the job's own run time


def test_the_job_gets_its_env_and_cwd_but_not_the_callback_token(start_runner, callback_server, tmp_path):
    # A value under 4 characters is not masked (test_runner_masking has the masking), so it shows what the job got.
    runner = start_runner(job("environment"), TAILRUN_ENV='{"GREETING": "hi!"}', TAILRUN_CWD=str(tmp_path))

    assert runner.wait() == 0
    assert callback_server.received().text("stdout").splitlines() == [
        str(tmp_path),
        "TAILRUN_JOB_ID=job-1",
        "TAILRUN_ATTEMPT=1",
        "TAILRUN_TOKEN=-",
        "TAILRUN_CALLBACK_URL=-",
        "GREETING=hi!",
    ]


def test_a_receiver_sees_no_gap_before_completed(start_runner, callback_server: CallbackServer):
    runner = start_runner(job("interleaved", 500), TAILRUN_BATCH_MAX_LINES="7")

    assert runner.wait() == 0
    received: Receiver = callback_server.received()
    received.check_seqs()
    assert max(len(m["lines"]) for m in received.of_type("output")) <= 7
    assert received.completed()["lines"] == len(received.lines()) == 500


@pytest.mark.parametrize("kind", ["plain", "control"])
def test_every_request_stays_within_the_batch_byte_limit_whatever_the_lines(
    start_runner, callback_server, kind
):
    # Long lines at the cap; "control" lines are the JSON worst case (each \x01 becomes \u0001, 6 bytes).
    # A batch is one Firestore chunk document: it must stay well under 1 MiB.
    runner = start_runner(job("wide", 60, 32 * 1024, kind))

    assert runner.wait() == 0
    received = callback_server.received()
    assert max(len(r.raw) for r in received.requests) <= defaults.BATCH_MAX_BYTES + 1024  # + the envelope
    fill = (lambda i: "\x01") if kind == "control" else (lambda i: chr(97 + i % 26))
    assert received.text("stdout") == "".join(fill(i) * 32 * 1024 + "\n" for i in range(60))
    assert len(received.of_type("output")) > 1


def test_a_callback_slower_than_the_request_timeout_gets_the_batch_again(start_runner, callback_server):
    # The first output message is stored but answered too late: only once the runner, having timed out, has sent
    # the same bytes again. The receiver sees a duplicate seq and rebuilds the output exactly.
    slowed: list[int] = []
    resent = threading.Event()

    def late_once(message: dict[str, Any]) -> Reply:
        if message["type"] == "output" and not slowed:
            slowed.append(message["seq"])
            resent.wait(10)
        elif slowed and message["seq"] == slowed[0]:
            resent.set()
        return Reply()

    callback_server.answer = late_once
    runner = start_runner(job("lines", 50), TAILRUN_REQUEST_TIMEOUT_S="0.5")

    assert runner.wait() == 0
    # The late one is noted as it answers, after its resend.
    received = callback_server.wait_until(lambda r: len(r.requests) == 4)
    received.check_seqs()
    assert [r.message["seq"] for r in received.requests].count(slowed[0]) == 2
    assert received.duplicates == 1
    assert received.text("stdout") == "".join(f"line {i}\n" for i in range(50))
    assert "TimeoutError" in runner.logs() or "timed out" in runner.logs()


def test_progress_printed_in_a_tight_loop_goes_about_once_a_second_and_the_last_one_arrives(
    start_runner, callback_server
):
    runner = start_runner(job("progress_loop"))

    assert runner.wait() == 0
    received = callback_server.received()
    progress = [m["percent"] for m in received.of_type("progress")]
    seconds = received.completed()["duration_ms"] / 1000
    assert progress[-1] == 100 and progress == sorted(progress)
    assert len(progress) <= seconds + 2, (
        len(progress),
        seconds,
    )  # one per second (TAILRUN_PROGRESS_INTERVAL_S)
    assert received.text("stdout") == "done\n"


def _times_around_the_pause(callback_server: CallbackServer) -> tuple[float, float, list[float]]:
    """When "before" and "after" arrived, and the heartbeats that arrived between them."""
    requests = [r for r in callback_server.requests if r.reply.record]
    outputs = [r for r in requests if r.message["type"] == "output"]
    arrived = {line["text"]: r.received_at for r in outputs for line in r.message["lines"]}
    beats = [r.received_at for r in requests if r.message["type"] == "heartbeat"]
    before, after = arrived["before"], arrived["after"]
    return before, after, [t for t in beats if before < t < after]


@pytest.mark.parametrize("flush_in_ms", [300, None])
def test_an_answer_with_flush_in_ms_brings_a_heartbeat_that_soon_and_only_then(
    start_runner, callback_server, flush_in_ms
):
    extra = {} if flush_in_ms is None else {"flush_in_ms": flush_in_ms}
    callback_server.answer = lambda m: Reply(extra=extra if m["type"] == "output" else {})
    runner = start_runner(job("pause", 2.5), TAILRUN_HEARTBEAT_S="30")

    assert runner.wait() == 0
    before, _after, beats = _times_around_the_pause(callback_server)
    if flush_in_ms is None:
        assert beats == []  # the regular heartbeat is 30 s away
    else:
        assert len(beats) == 1, beats  # one, not one per hint: the heartbeat's own answer has none
        assert 0.3 <= beats[0] - before < 1.5
