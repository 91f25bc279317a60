"""A follow's chunk listener is a rolling window: it moves past what was shown, and the follower shows the same.

The window's point is where the follower has released everything (``ReleaseMark``); each test follows through a
real ``JobWatch`` on a real emulator with a small window (4 chunks), writing chunks as the callback stores them,
and checks that every line is shown once, in order, with no gap: chunks in order, a chunk that arrives late across
a move, a new attempt whose first chunk comes before the old attempt's last, a renewal of the listeners (a new ID
token), and a real job run by a real `tailrun dev`.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tailrun.cli.client import Stack, StackConfig
from tailrun.cli.credentials import CredentialStore, Login, TokenSource
from tailrun.cli.follow import ChunkWindow, Follower, JobWatch, LineAssembler, OutputLine, ReleaseMark
from tailrun.local.dev import DevProcess

from .stack import Cli, cli_env

WINDOW = 4  # chunks: small, so that a few dozen chunks move the window several times
WAIT_S = 60  # the longest a test waits for the follower to show what was written (a loaded machine)
LINES_PER_CHUNK = 2


def stored_chunk(attempt: int, seq: int, first_line: int, count: int = LINES_PER_CHUNK) -> dict[str, Any]:
    """A chunk as ``job_callback`` stores it (the fields a follower reads)."""
    return {
        "attempt": attempt,
        "seq": seq,
        "first_line": first_line,
        "line_count": count,
        "lines": [
            {"line": n, "stream": "stdout", "text": f"a{attempt} line {n}", "ts": n}
            for n in range(first_line, first_line + count)
        ],
        "first_event": 0,
        "event_count": 0,
        "events": [],
        "state": None,
    }


def expected_lines(attempt: int, count: int) -> list[tuple[int, str]]:
    return [(attempt, f"a{attempt} line {n}") for n in range(count)]


class ShownLines:
    """A display that records what the follower shows, and lets the test wait until it has shown enough."""

    def __init__(self) -> None:
        self.shown: list[tuple[int, str]] = []
        self.gaps: list[tuple[int, int, int]] = []
        self.attempts: list[int] = []
        self._attempt = 0
        self._changed = threading.Condition()

    def job(self, job: dict[str, Any]) -> None:
        pass

    def lines(self, lines: list[OutputLine]) -> None:
        with self._changed:
            self.shown.extend((self._attempt, line.text) for line in lines)
            self._changed.notify_all()

    def attempt(self, attempt: int) -> None:
        self._attempt = attempt
        self.attempts.append(attempt)

    def gap(self, attempt: int, start: int, end: int) -> None:
        self.gaps.append((attempt, start, end))

    def wait_until(self, done: Callable[[], bool]) -> None:
        """Wait until ``done()`` holds (checked whenever a line is shown, and at least every 50 ms)."""
        deadline = time.monotonic() + WAIT_S
        with self._changed:
            while not done():
                assert time.monotonic() < deadline, f"still waiting; shown so far: {self.shown[-5:]}"
                self._changed.wait(0.05)

    def wait_shown(self, count: int) -> None:
        self.wait_until(lambda: len(self.shown) >= count)


@dataclass
class Follow:
    """A job document, its chunks written by the test, and a follower on them in a thread of its own.

    ``db`` writes; the watch has a client of its own, as a follow has (the callback writes from another process).
    Google's emulator now and then answers a commit with CANCELLED ("call already cancelled") while listeners are
    being closed, whichever client holds them: ``write`` repeats the set then."""

    db: Any
    job_id: str
    watch: JobWatch
    display: ShownLines = field(default_factory=ShownLines)
    result: list[dict[str, Any] | None] = field(default_factory=list)
    thread: threading.Thread | None = None

    @property
    def job(self) -> Any:
        return self.db.collection("jobs").document(self.job_id)

    def start(self) -> None:
        follower = Follower(self.display, first_attempt=1)
        self.watch.start()
        self.thread = threading.Thread(
            target=lambda: self.result.append(follower.run(self.watch)), daemon=True
        )
        self.thread.start()
        # Google's emulator can drop a commit made before a fresh listener's first snapshot: write after it
        self.display.wait_until(lambda: self.watch.chunks.pushed)

    def write(self, chunk: dict[str, Any]) -> None:
        """Store a chunk (again, if Google's emulator answered CANCELLED: a set is idempotent)."""
        from google.api_core.exceptions import Cancelled

        document = self.job.collection("chunks").document(f"{chunk['attempt']:04d}-{chunk['seq']:08d}")
        try:
            document.set(chunk)
        except Cancelled:  # "call already cancelled": Google's emulator, while other clients' listeners close
            document.set(chunk)

    def write_shown(self, chunk: dict[str, Any]) -> None:
        """Write a chunk and wait until its lines are shown (so the next write finds the window moved, if due)."""
        shown = len(self.display.shown)
        self.write(chunk)
        self.display.wait_shown(shown + len(chunk["lines"]))

    def end(self, lines: int) -> dict[str, Any] | None:
        """Mark the job succeeded with ``lines`` lines in its last attempt; what the follow returned."""
        self.job.update({"status": "succeeded", "lines": lines, "events": 0})
        assert self.thread is not None
        self.thread.join(WAIT_S)
        assert not self.thread.is_alive(), "the follow did not end"
        return self.result[0]

    def wait_slides(self, count: int) -> None:
        self.display.wait_until(lambda: self.watch.chunks.slides >= count)


def assert_ended_in_order(follow: Follow, lines: int) -> None:
    """The job ends with ``lines`` lines in attempt 1: the follow returns, having shown each once, in order, no gap."""
    assert follow.end(lines) is not None
    assert follow.display.shown == expected_lines(1, lines)
    assert follow.display.gaps == []


@pytest.fixture
def watch_client(firestore_project: str) -> Iterator[Any]:
    """A second client on the emulator: the follow's own."""
    from google.cloud import firestore

    client: Any = firestore.Client(project=firestore_project)
    yield client
    client.close()


@pytest.fixture
def follow(firestore_client: Any, watch_client: Any, unique_id: str) -> Iterator[Follow]:
    firestore_client.collection("jobs").document(unique_id).set({"status": "running", "attempt": 1})
    follow = Follow(
        firestore_client, unique_id, JobWatch(watch_client, unique_id, tokens=None, window=WINDOW)
    )
    yield follow
    follow.watch.stop()


def test_the_window_is_a_filter_on_the_chunk_id_not_a_cursor(firestore_client: Any) -> None:
    """A filter is matched against each commit; a cursor would make the emulator re-run the query per commit."""
    chunks = firestore_client.collection("jobs/some-job/chunks")
    window = ChunkWindow(chunks, lambda _chunk: None)
    window.past = (2, 17)
    query = window._query()._to_protobuf()
    assert "start_at" not in query and "end_at" not in query and "limit" not in query
    assert query.where.field_filter.field.field_path == "__name__"
    assert query.where.field_filter.op.name == "GREATER_THAN"
    assert query.where.field_filter.value.reference_value.endswith("/jobs/some-job/chunks/0002-00000017")


def test_a_long_follow_moves_its_window_and_shows_every_line_once_in_order(follow: Follow) -> None:
    follow.start()
    for seq in range(30):
        follow.write_shown(stored_chunk(1, seq, LINES_PER_CHUNK * seq))
    assert follow.watch.chunks.slides >= 4  # 30 chunks through a window of 4 chunks
    assert follow.watch.chunks.past is not None and follow.watch.chunks.past >= (1, 20)
    assert follow.watch.chunks.held <= 2 * WINDOW
    assert_ended_in_order(follow, 30 * LINES_PER_CHUNK)


def test_a_chunk_that_arrives_late_across_a_window_move_is_shown_in_its_place(follow: Follow) -> None:
    follow.start()
    for seq in range(3):
        follow.write_shown(stored_chunk(1, seq, LINES_PER_CHUNK * seq))
    # seqs 3 and 4 are late; 5 and 6 arrive first and are held back; with them the window holds 5 chunks, 2 of
    # them past what was shown: it moves
    follow.write(stored_chunk(1, 5, LINES_PER_CHUNK * 5))
    follow.write(stored_chunk(1, 6, LINES_PER_CHUNK * 6))
    follow.wait_slides(1)
    assert follow.watch.chunks.past == (1, 2)  # past the last chunk shown, not the last one received
    assert len(follow.display.shown) == 3 * LINES_PER_CHUNK
    follow.write(stored_chunk(1, 4, LINES_PER_CHUNK * 4))
    follow.write(stored_chunk(1, 3, LINES_PER_CHUNK * 3))
    follow.display.wait_shown(7 * LINES_PER_CHUNK)
    for seq in range(7, 16):
        follow.write_shown(stored_chunk(1, seq, LINES_PER_CHUNK * seq))
    assert_ended_in_order(follow, 16 * LINES_PER_CHUNK)


def test_a_new_attempt_is_followed_through_the_window(follow: Follow) -> None:
    """Attempt 2's first chunk arrives before attempt 1's last: it waits, and the window moves past attempt 1."""
    follow.start()
    for seq in range(10):
        follow.write_shown(stored_chunk(1, seq, LINES_PER_CHUNK * seq))
    follow.write(stored_chunk(2, 0, 0))
    follow.job.collection("attempts").document("0001").set(
        {"attempt": 1, "lines": 11 * LINES_PER_CHUNK, "events": 0}
    )
    follow.job.update({"attempt": 2})
    follow.write(stored_chunk(1, 10, LINES_PER_CHUNK * 10))
    follow.display.wait_shown(12 * LINES_PER_CHUNK)
    for seq in range(1, 12):
        follow.write_shown(stored_chunk(2, seq, LINES_PER_CHUNK * seq))
    assert follow.watch.chunks.past is not None and follow.watch.chunks.past[0] == 2
    assert follow.end(12 * LINES_PER_CHUNK) is not None
    assert follow.display.attempts == [1, 2]
    assert follow.display.shown == expected_lines(1, 11 * LINES_PER_CHUNK) + expected_lines(
        2, 12 * LINES_PER_CHUNK
    )
    assert follow.display.gaps == []


class MovableClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def unsigned_token(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def test_renewed_listeners_reopen_the_window_where_it_was(
    firestore_client: Any, watch_client: Any, unique_id: str, tmp_path: Path
) -> None:
    """``renew_if_due`` closes every listener and opens them again: the chunks' past its point, not from the start."""
    now = time.time()
    login = Login(
        url="http://tailrun.invalid",
        uid="ann",
        email=None,
        project="tailrun-test",
        api_key="unused",
        refresh_token="unused",
        id_token=unsigned_token({"sub": "ann", "exp": int(now) + 3600}),
        received_at=now,
    )
    clock = MovableClock()
    tokens = TokenSource(CredentialStore(tmp_path), login)
    firestore_client.collection("jobs").document(unique_id).set({"status": "running", "attempt": 1})
    watch = JobWatch(watch_client, unique_id, tokens, clock=clock, window=WINDOW)
    follow = Follow(firestore_client, unique_id, watch)
    try:
        follow.start()
        for seq in range(10):
            follow.write_shown(stored_chunk(1, seq, LINES_PER_CHUNK * seq))
        past = watch.chunks.past
        assert past is not None
        clock.now = login.refresh_at() + 1  # the token is due: the follow reopens its listeners
        follow.display.wait_until(lambda: watch.renewals >= 1)
        clock.now = 0.0
        assert watch.chunks.past is not None and watch.chunks.past >= past
        for seq in range(10, 20):
            follow.write_shown(stored_chunk(1, seq, LINES_PER_CHUNK * seq))
        assert follow.end(20 * LINES_PER_CHUNK) is not None
    finally:
        watch.stop()
    assert follow.display.shown == expected_lines(1, 20 * LINES_PER_CHUNK)
    assert follow.display.gaps == []


def test_a_real_job_is_followed_through_a_moving_window(cli: Cli, dev_stack: DevProcess) -> None:
    lines = 40
    script = f"for i in $(seq 1 {lines}); do echo line $i; sleep 0.1; done"
    answer = cli("run", "--detach", "--", "sh", "-c", script)
    assert answer.returncode == 0, answer.stderr
    job_id = answer.stdout.strip()
    stack = Stack(StackConfig.discover(cli_env(dev_stack.url)))
    display = ShownLines()
    watch = JobWatch(stack.firestore, job_id, window=WINDOW)
    watch.start()
    try:
        job = Follower(display, first_attempt=1).run(watch)
    finally:
        watch.stop()
        stack.close()
    assert job is not None and job["status"] == "succeeded"
    assert display.shown == [(1, f"line {n}") for n in range(1, lines + 1)]
    assert display.gaps == []
    assert watch.chunks.slides >= 1, "the job's chunks never filled the window"


def released_by(chunks: list[dict[str, Any]], shown_lines: int, attempt: int = 1) -> ReleaseMark:
    mark = ReleaseMark()
    for chunk in chunks:
        mark.received(chunk)
    assembler = LineAssembler(next_line=shown_lines)
    mark.advance(attempt, assembler)
    return mark


def test_the_release_mark_stops_before_the_first_chunk_not_fully_shown() -> None:
    chunks = [stored_chunk(1, seq, 2 * seq) for seq in (0, 1, 3, 5)]  # seqs have holes (heartbeats)
    assert released_by(chunks, shown_lines=0).mark is None
    assert released_by(chunks, shown_lines=3).mark == (1, 0)  # chunk 1 is half shown
    assert released_by(chunks, shown_lines=4).mark == (1, 1)
    assert released_by(chunks, shown_lines=8).mark == (1, 3)  # chunk 5 holds lines 10-11, not shown
    assert released_by(list(reversed(chunks)), shown_lines=12).mark == (1, 5)


def test_the_release_mark_waits_for_events_and_passes_attempts_left_behind() -> None:
    events_only = {**stored_chunk(1, 2, 4, count=0), "first_line": 4, "first_event": 0, "event_count": 1}
    events_only["events"] = [{"event": 0, "at_line": 4, "kind": "step", "text": "build"}]
    chunks = [stored_chunk(1, 0, 0), stored_chunk(1, 1, 2), events_only]
    assert released_by(chunks, shown_lines=4).mark == (1, 1)  # the event is not shown yet
    mark = released_by(
        chunks, shown_lines=0, attempt=2
    )  # following attempt 2: attempt 1 is never shown again
    assert mark.mark == (1, 2)
