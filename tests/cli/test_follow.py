"""The follower puts chunks back in line order, waits for missing ones, and reports gaps that never close."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tailrun.cli.follow import Follower, LineAssembler, OutputLine


def make_lines(start: int, count: int, attempt: int = 1) -> list[dict[str, Any]]:
    return [
        {"line": n, "stream": "stderr" if n % 3 == 0 else "stdout", "text": f"a{attempt} line {n}", "ts": n}
        for n in range(start, start + count)
    ]


def chunk(first: int, count: int, seq: int = 0, attempt: int = 1) -> dict[str, Any]:
    return {"attempt": attempt, "seq": seq, "first_line": first, "lines": make_lines(first, count, attempt)}


class RecordingDisplay:
    """Records what the follower shows, in order."""

    def __init__(self) -> None:
        self.shown: list[tuple[int, str]] = []
        self.gaps: list[tuple[int, int, int]] = []
        self.attempts: list[int] = []
        self.statuses: list[str] = []

    def job(self, job: dict[str, Any]) -> None:
        self.statuses.append(job["status"])

    def lines(self, lines: list[OutputLine]) -> None:
        self.shown.extend((line.line, line.text) for line in lines)

    def attempt(self, attempt: int) -> None:
        self.attempts.append(attempt)

    def gap(self, attempt: int, start: int, end: int) -> None:
        self.gaps.append((attempt, start, end))


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@st.composite
def chunked_deliveries(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]]]:
    """A number of lines cut into chunks, delivered in any order, some twice."""
    total = draw(st.integers(min_value=0, max_value=60))
    cuts = sorted(set(draw(st.lists(st.integers(min_value=1, max_value=max(total - 1, 1)), max_size=12))))
    bounds = [0, *[c for c in cuts if 0 < c < total], total] if total else [0]
    chunks = [(a, b - a) for a, b in itertools.pairwise(bounds) if b > a]
    repeated = chunks + draw(st.lists(st.sampled_from(chunks), max_size=4)) if chunks else []
    return total, draw(st.permutations(repeated))


@given(chunked_deliveries())
def test_lines_come_out_in_order_whatever_the_order_of_chunks(
    delivery: tuple[int, list[tuple[int, int]]],
) -> None:
    total, chunks = delivery
    assembler = LineAssembler()
    released: list[int] = []
    for first, count in chunks:
        assembler.add(OutputLine.from_dict(raw) for raw in make_lines(first, count))
        released.extend(line.line for line in assembler.ready())
        assert released == list(range(len(released))), "a line was released before an earlier one"
    assert released == list(range(total))
    assert assembler.gap() is None


def test_a_chunk_past_a_hole_waits_for_the_missing_one() -> None:
    assembler = LineAssembler()
    assembler.add(OutputLine.from_dict(raw) for raw in make_lines(5, 5))
    assert assembler.ready() == []
    assert assembler.gap() == (0, 5)
    assembler.add(OutputLine.from_dict(raw) for raw in make_lines(0, 5))
    assert [line.line for line in assembler.ready()] == list(range(10))


def test_overlapping_chunks_release_each_line_once() -> None:
    assembler = LineAssembler()
    assembler.add(OutputLine.from_dict(raw) for raw in make_lines(0, 6))
    assembler.add(OutputLine.from_dict(raw) for raw in make_lines(4, 6))
    assert [line.line for line in assembler.ready()] == list(range(10))


def test_follower_shows_out_of_order_chunks_in_order_and_ends_when_every_stored_line_is_shown() -> None:
    display, clock = RecordingDisplay(), FakeClock()
    follower = Follower(display, clock=clock)
    follower.handle("job", {"status": "running", "attempt": 1})
    follower.handle("chunk", chunk(3, 3, seq=2))
    assert display.shown == []
    follower.handle("job", {"status": "succeeded", "attempt": 1, "lines": 6, "exit_code": 0})
    assert not follower.done(), "the job ended but line 0-2 are still on their way"
    follower.handle("chunk", chunk(0, 3, seq=1))
    assert [n for n, _ in display.shown] == list(range(6))
    assert follower.done()
    assert display.gaps == []


def test_follower_reports_a_gap_that_never_closes_after_the_grace_period() -> None:
    display, clock = RecordingDisplay(), FakeClock()
    follower = Follower(display, clock=clock)
    follower.handle("chunk", chunk(0, 2, seq=1))
    follower.handle("chunk", chunk(4, 2, seq=3))
    follower.handle("job", {"status": "failed", "attempt": 1, "lines": 6})
    assert not follower.done()
    clock.now += 60
    assert follower.done()
    assert [n for n, _ in display.shown] == [0, 1, 4, 5]
    assert display.gaps == [(1, 2, 4)]


def test_lines_stored_but_not_yet_delivered_by_the_listener_are_read_once_when_the_grace_runs_out() -> None:
    display, clock = RecordingDisplay(), FakeClock()
    follower = Follower(display, clock=clock)
    stored = {1: [chunk(0, 2, seq=1), chunk(2, 2, seq=2)]}
    reads: list[int] = []
    follower.reread = lambda attempt: reads.append(attempt) or stored[attempt]
    follower.handle("chunk", chunk(2, 2, seq=2))
    follower.handle("job", {"status": "succeeded", "attempt": 1, "lines": 4})
    assert not follower.done() and reads == [], "within the grace the listener may still bring them"
    clock.now += 60
    assert follower.done()
    assert [n for n, _ in display.shown] == [0, 1, 2, 3]
    assert display.gaps == [] and reads == [1]


def test_a_gap_still_missing_after_the_read_is_reported_and_read_only_once() -> None:
    display, clock = RecordingDisplay(), FakeClock()
    follower = Follower(display, clock=clock)
    reads: list[int] = []
    follower.reread = lambda attempt: reads.append(attempt) or [chunk(0, 1, seq=1)]
    follower.handle("job", {"status": "failed", "attempt": 1, "lines": 3})
    assert not follower.done()
    clock.now += 60
    assert follower.done()
    assert [n for n, _ in display.shown] == [0]
    assert display.gaps == [(1, 1, 3)] and reads == [1]


def test_an_attempt_waits_for_the_late_chunks_of_the_one_before() -> None:
    display, clock = RecordingDisplay(), FakeClock()
    follower = Follower(display, first_attempt=1, clock=clock)
    follower.handle("job", {"status": "running", "attempt": 2})
    follower.handle("chunk", chunk(0, 2, attempt=2))
    follower.handle("attempt", {"attempt": 1, "status": "failed", "lines": 2})
    assert display.shown == [], "attempt 1 has two lines still on their way"
    clock.now += 1.0
    assert not follower.done()
    follower.handle("chunk", chunk(0, 2, attempt=1))
    follower.handle("job", {"status": "succeeded", "attempt": 2, "lines": 2})
    assert display.shown == [(0, "a1 line 0"), (1, "a1 line 1"), (0, "a2 line 0"), (1, "a2 line 1")]
    assert display.attempts == [1, 2]
    assert follower.done()
    assert display.gaps == []


def test_an_attempt_whose_line_count_is_unknown_is_left_after_a_short_grace() -> None:
    display, clock = RecordingDisplay(), FakeClock()
    follower = Follower(display, clock=clock)
    follower.handle("job", {"status": "running", "attempt": 1})
    follower.handle("chunk", chunk(0, 2, attempt=1))
    follower.handle("job", {"status": "running", "attempt": 2})
    follower.handle("chunk", chunk(0, 1, attempt=2))
    assert [n for n, _ in display.shown] == [0, 1]
    clock.now += 10
    assert not follower.done()
    assert display.shown[2:] == [(0, "a2 line 0")]
    assert display.attempts == [1, 2]


def test_following_from_the_middle_starts_at_the_current_attempt() -> None:
    display, clock = RecordingDisplay(), FakeClock()
    follower = Follower(display, clock=clock)
    follower.handle("chunk", chunk(0, 3, attempt=1))
    follower.handle("job", {"status": "running", "attempt": 2})
    follower.handle("chunk", chunk(0, 1, attempt=2))
    assert display.shown == [(0, "a2 line 0")]
    assert display.attempts == [2]


def test_a_stored_line_keeps_its_cut_and_partial_marks() -> None:
    line = OutputLine.from_dict({"line": 4, "stream": "stdout", "text": "x", "cut": True, "partial": True})
    assert (line.cut, line.partial) == (True, True)
    assert OutputLine.from_dict({"line": 5, "text": "y"}) == OutputLine(5, "stdout", "y")
