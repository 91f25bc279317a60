"""The batching policy and the memory bound, on the outbox alone with a hand-driven monotonic clock."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from tailrun_runner.capture import Progress
from tailrun_runner.defaults import LINE_OVERHEAD_BYTES
from tailrun_runner.outbox import Batch, BatchPolicy, Outbox


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def outbox(clock: Clock, *, max_lines: int = 100, max_bytes: int = 10_000, bound: int = 1 << 20) -> Outbox:
    policy = BatchPolicy(max_lines=max_lines, max_bytes=max_bytes, max_age_s=0.025)
    return Outbox(policy=policy, max_bytes=bound, monotonic=clock)


def entries(batch: Batch | Progress | None) -> list[bytes]:
    assert isinstance(batch, Batch)
    return batch.entries


def test_a_young_batch_waits_for_its_age_then_goes(clock):
    box = outbox(clock)
    box.put([b"a", b"b"])
    assert box.take(deadline=clock.now) is None  # 0 ms old: not due
    clock.now += 0.025
    assert entries(box.take(deadline=clock.now)) == [b"a", b"b"]


def test_a_full_batch_goes_at_once_and_the_rest_waits(clock):
    box = outbox(clock, max_lines=3)
    box.put([b"1", b"2", b"3", b"4"])
    assert entries(box.take(deadline=clock.now)) == [b"1", b"2", b"3"]
    assert box.take(deadline=clock.now) is None


def test_the_byte_limit_splits_batches_but_one_huge_line_still_goes(clock):
    box = outbox(clock, max_bytes=10)
    box.put([b"aaaa", b"bbbb", b"cccc", b"x" * 50])
    assert entries(box.take(deadline=clock.now)) == [b"aaaa", b"bbbb"]
    assert entries(box.take(deadline=clock.now)) == [b"cccc"]
    assert entries(box.take(deadline=clock.now)) == [b"x" * 50]


def test_closing_flushes_without_waiting_and_then_reports_drained(clock):
    box = outbox(clock)
    box.put([b"last"])
    box.close()
    assert not box.drained()
    assert entries(box.take(deadline=None)) == [b"last"]
    assert box.take(deadline=None) is None
    assert box.drained()


def test_progress_is_sent_after_the_lines_before_it_and_coalesced(clock):
    box = outbox(clock)
    box.put([b"l0", Progress(10, "a"), b"l1", Progress(20, "b"), b"l2"])
    clock.now += 1
    assert entries(box.take(deadline=clock.now)) == [b"l0", b"l1", b"l2"]
    assert box.take(deadline=clock.now) == Progress(20, "b")
    box.put([Progress(30, "c"), Progress(40, "d")])
    assert box.take(deadline=clock.now) == Progress(40, "d")  # a report with nothing before it goes at once


def test_progress_goes_at_most_once_per_interval_while_lines_go_on(clock):
    box = Outbox(
        policy=BatchPolicy(max_lines=100, max_bytes=10_000, max_age_s=0.0, progress_interval_s=1.0),
        max_bytes=1 << 20,
        monotonic=clock,
    )
    box.put([Progress(1, "a")])
    assert box.take(deadline=clock.now) == Progress(1, "a")  # the first goes at once
    box.put([Progress(2, "b"), Progress(3, "c"), b"l0"])
    assert entries(box.take(deadline=clock.now)) == [b"l0"]  # the report waits; the line after it does not
    assert box.take(deadline=clock.now) is None
    clock.now += 0.5
    box.put([Progress(4, "d")])
    assert box.take(deadline=clock.now) is None
    clock.now += 0.5
    assert box.take(deadline=clock.now) == Progress(4, "d")  # one second after the last: the latest only
    box.put([Progress(5, "e")])
    box.close()
    assert box.take(deadline=None) == Progress(5, "e")  # the job ended: the last report goes at once
    assert box.drained()


def held_back(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "output is held back" in r.getMessage()]


def test_the_reader_blocks_at_the_bound_until_a_batch_is_acknowledged(clock, caplog):
    caplog.set_level(logging.INFO, logger="tailrun_runner.outbox")
    line = b"x" * 100
    bound = 3 * (len(line) + LINE_OVERHEAD_BYTES)
    box = outbox(clock, bound=bound)
    box.put([line, line, line])
    blocked = threading.Thread(target=box.put, args=([b"next"],))
    blocked.start()
    deadline = time.monotonic() + 5
    while not held_back(caplog):  # at the bound: the reader says so, then waits
        assert time.monotonic() < deadline, "the reader never reached the bound"
        time.sleep(0.01)
    (said,) = held_back(caplog)
    assert blocked.is_alive() and f"undelivered output reached {bound} bytes" in said

    clock.now += 1
    batch = box.take(deadline=clock.now)
    blocked.join(0.2)
    assert blocked.is_alive()  # taken but still in flight: still counted

    assert isinstance(batch, Batch)
    box.acked(batch)
    blocked.join(5)
    assert not blocked.is_alive()
    assert len(held_back(caplog)) == 1  # said once per attempt, however often a flood reaches the bound


def test_abandoning_unblocks_the_reader_and_counts_what_was_dropped(clock):
    box = outbox(clock, bound=1)
    box.put([b"a", b"b"])
    blocked = threading.Thread(target=box.put, args=([b"c"],))
    blocked.start()
    box.abandon()
    blocked.join(5)
    assert not blocked.is_alive()
    assert box.discarded_lines == 3
