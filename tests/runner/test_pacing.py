"""Adaptive batching (``pacing``, issue 18): its decisions with plain times, then the outbox under it driven by a
hand-held monotonic clock through simulated jobs (no sleeps, no threads): a line after quiet goes at once,
sustained output is spaced, and every line still arrives once, in order."""

from __future__ import annotations

import itertools
import statistics

import pytest
from tailrun_runner import defaults
from tailrun_runner.capture import Progress
from tailrun_runner.outbox import Batch, BatchPolicy, Outbox
from tailrun_runner.pacing import Pacer, Pacing

PACING = Pacing(linger_s=0.005, interval_s=0.2, heavy_interval_s=0.5, heavy_lines=50)


def test_a_line_after_quiet_waits_only_the_linger():
    pacer = Pacer(PACING)
    assert pacer.due_at(10.0) == pytest.approx(10.005)
    pacer.taken(10.005, 1)
    assert pacer.due_at(20.0) == pytest.approx(20.005)  # long after the last batch: at once again


def test_a_batch_during_output_keeps_the_spacing_from_the_last():
    pacer = Pacer(PACING)
    pacer.taken(10.0, 3)
    assert pacer.due_at(10.05) == pytest.approx(10.2)  # queued 50 ms after: waits for 200 ms after the last
    assert pacer.due_at(10.199) == pytest.approx(10.204)  # queued just before: the linger still applies


def test_a_heavy_batch_stretches_the_spacing_and_a_light_one_restores_it():
    pacer = Pacer(PACING)
    pacer.taken(10.0, 50)
    assert pacer.spacing_s == 0.5 and pacer.due_at(10.01) == pytest.approx(10.5)
    pacer.taken(10.5, 49)
    assert pacer.spacing_s == 0.2 and pacer.due_at(10.51) == pytest.approx(10.7)


def test_zero_intervals_are_the_old_fixed_age():
    pacer = Pacer(Pacing(linger_s=0.025))
    pacer.taken(10.0, 1000)
    assert pacer.due_at(10.001) == pytest.approx(10.026)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def outbox(clock: Clock, *, max_lines: int = 5000, interval_s: float = 0.2, heavy_s: float = 0.5) -> Outbox:
    policy = BatchPolicy(
        max_lines=max_lines,
        max_bytes=256 * 1024,
        max_age_s=0.005,
        interval_s=interval_s,
        heavy_interval_s=heavy_s,
        heavy_lines=defaults.BATCH_HEAVY_LINES,
    )
    return Outbox(policy=policy, max_bytes=1 << 30, monotonic=clock)


def simulate(
    box: Outbox, clock: Clock, rate: float, seconds: float, rtt_s: float = 0.02
) -> list[tuple[float, Batch]]:
    """A job printing ``rate`` lines/s (``b"<n>"``) for ``seconds``, in 1 ms steps, and a sender that takes a batch
    whenever one is due and has none in flight (an answer takes ``rtt_s``). Returns (time taken, batch)."""
    start, step = clock.now, 0.001
    printed, taken, busy_until = 0, [], float("-inf")
    total = int(rate * seconds)
    while printed < total or not box.drained():
        due = min(total, int((clock.now - start) * rate) + 1)
        if due > printed:
            box.put([str(n).encode() for n in range(printed, due)])
            printed = due
            if printed == total:
                box.close()
        if clock.now >= busy_until:
            item = box.take(deadline=clock.now)
            if isinstance(item, Batch):
                taken.append((clock.now, item))
                box.acked(item)
                busy_until = clock.now + rtt_s
        clock.now += step
    return taken


def delays(taken: list[tuple[float, Batch]], start: float, rate: float) -> list[float]:
    """Each line's wait from when it was printed (``start + n / rate``) to when its batch was taken."""
    return [at - (start + int(entry) / rate) for at, batch in taken for entry in batch.entries]


def test_ten_lines_a_second_make_at_most_five_batches_a_second_and_wait_little():
    clock = Clock()
    start = clock.now
    taken = simulate(outbox(clock), clock, rate=10, seconds=10)
    assert [int(e) for _, b in taken for e in b.entries] == list(range(100))  # all, once, in order
    assert len(taken) <= 5 * 10 + 1
    waits = delays(taken, start, 10)
    assert max(waits) <= 0.2 + 0.005 + 0.002 and statistics.median(waits) <= 0.11
    spaced = taken[:-1]  # the last goes when the output ends, unspaced
    assert min(b - a for (a, _), (b, _) in itertools.pairwise(spaced)) >= 0.2 - 1e-9


def test_a_thousand_lines_a_second_make_at_most_three_batches_per_thousand_lines():
    clock = Clock()
    taken = simulate(outbox(clock), clock, rate=1000, seconds=5)
    assert [int(e) for _, b in taken for e in b.entries] == list(range(5000))
    assert 1000 * len(taken) / 5000 <= 3


def test_the_first_line_after_quiet_goes_after_the_linger_even_mid_job():
    clock = Clock()
    box = outbox(clock)
    box.put([b"0"])
    assert box.take(deadline=clock.now) is None
    clock.now += 0.005
    first = box.take(deadline=clock.now)
    assert isinstance(first, Batch) and first.entries == [b"0"]
    box.acked(first)
    clock.now += 0.05
    box.put([b"1"])
    clock.now += 0.1
    assert box.take(deadline=clock.now) is None  # 155 ms after the last batch: spaced
    clock.now += 0.051  # 200 ms after it (and a float's rounding)
    second = box.take(deadline=clock.now)
    assert isinstance(second, Batch) and second.entries == [b"1"]
    box.acked(second)
    clock.now += 3.0  # quiet
    box.put([b"2"])
    clock.now += 0.005
    third = box.take(deadline=clock.now)
    assert isinstance(third, Batch) and third.entries == [b"2"]


def test_a_full_batch_and_the_end_of_output_ignore_the_spacing():
    clock = Clock()
    box = outbox(clock, max_lines=3)
    box.put([b"a"])
    clock.now += 0.005
    assert isinstance(box.take(deadline=clock.now), Batch)
    box.put([b"b", b"c", b"d", b"e"])
    full = box.take(deadline=clock.now)
    assert isinstance(full, Batch) and full.entries == [b"b", b"c", b"d"]
    assert box.take(deadline=clock.now) is None  # one left, spaced
    box.close()
    last = box.take(deadline=clock.now)
    assert isinstance(last, Batch) and last.entries == [b"e"]


def test_a_report_at_the_front_goes_while_the_lines_after_it_keep_the_spacing():
    clock = Clock()
    box = outbox(clock)
    box.put([b"a"])
    clock.now += 0.005
    assert isinstance(box.take(deadline=clock.now), Batch)
    box.put([Progress(50, "half"), b"b"])
    assert box.take(deadline=clock.now) == Progress(50, "half")
    assert box.take(deadline=clock.now) is None
    clock.now += 0.201
    after = box.take(deadline=clock.now)
    assert isinstance(after, Batch) and after.entries == [b"b"]


def test_without_spacing_sustained_output_is_one_batch_per_age():
    clock = Clock()
    taken = simulate(outbox(clock, interval_s=0, heavy_s=0), clock, rate=10, seconds=2)
    assert len(taken) == 20  # the old policy: a line every 100 ms, each its own batch
