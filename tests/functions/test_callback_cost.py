"""job_callback's cost in Firestore RPCs and document writes (issue 18), with the test playing the runner.

The functions' own client is observed (its GAPIC methods wrapped, the real calls made), so each assertion counts
what the emulator really served: an output is two RPCs (the token's read, which begins the transaction, and the
commit), a batch within the job document's write interval writes its chunk alone, a redelivery is answered without
a write and without reading its chunk, and a job printing 1,000 lines a second in the runner's heavy spacing (one
batch a second) costs at most 3 writes per 1,000 lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from google.cloud import firestore
from tailrun_functions import services

from .conftest import Api
from .helpers import PlayedRunner, chunks, job, launched
from .shared import dump_all


@dataclass
class Rpcs:
    """The RPCs of the functions' client, in order: (method, documents written by a commit)."""

    calls: list[tuple[str, list[str]]] = field(default_factory=list)

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def written(self) -> list[str]:
        return [document for _, documents in self.calls for document in documents]

    def clear(self) -> None:
        del self.calls[:]


METHODS = ("begin_transaction", "batch_get_documents", "run_query", "commit", "rollback")


@pytest.fixture
def rpcs(api: Api, monkeypatch: pytest.MonkeyPatch) -> Rpcs:
    """Every RPC the functions make from now on (observed, not replaced)."""
    gapic = services.current().db._firestore_api
    seen = Rpcs()

    def observed(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(request: Any = None, **kwargs: Any) -> Any:
            written: list[str] = []
            if name == "commit":
                writes = request["writes"] if isinstance(request, dict) else request.writes
                pbs = [getattr(w, "_pb", w) for w in writes]
                written = [pb.update.name.split("/documents/")[1] for pb in pbs if pb.HasField("update")]
            seen.calls.append((name, written))
            answer = real(request=request, **kwargs)
            return iter(list(answer)) if name in ("batch_get_documents", "run_query") else answer

        return call

    for name in METHODS:
        monkeypatch.setattr(gapic, name, observed(name, getattr(gapic, name)))
    return seen


@pytest.fixture
def runner(api: Api, captured: Path) -> PlayedRunner:
    played = PlayedRunner(api, launched(captured, api.create(argv=["make"])))
    assert played.started().status == 200
    return played


@pytest.fixture
def later() -> Iterator[Any]:
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)) as frozen:
        yield frozen


def test_an_output_after_quiet_is_two_rpcs_and_writes_its_chunk_and_the_job(
    runner: PlayedRunner, rpcs: Rpcs, later: Any
) -> None:
    later.tick(2)
    rpcs.clear()
    assert runner.output("one").status == 200
    assert rpcs.names() == ["batch_get_documents", "commit"]
    token = f"attempt_tokens/{runner.job_id}-0001"
    assert sorted(rpcs.written()) == sorted(
        [f"jobs/{runner.job_id}/chunks/0001-00000001", f"jobs/{runner.job_id}", token]
    )


def test_a_batch_within_the_interval_writes_its_chunk_alone_and_the_next_flush_reads_it_once(
    runner: PlayedRunner, rpcs: Rpcs, firestore_client: firestore.Client, later: Any
) -> None:
    later.tick(2)
    runner.output("one")
    rpcs.clear()
    later.tick(0.2)
    reply = runner.output("two")
    assert reply.body["flush_in_ms"] == 800
    assert rpcs.names() == ["batch_get_documents", "commit"]
    assert rpcs.written() == [f"jobs/{runner.job_id}/chunks/0001-00000002"]

    later.tick(0.8)
    rpcs.clear()
    assert "flush_in_ms" not in runner.heartbeat().body
    # the newest chunk is read once (a job without events: no query for the newest state)
    assert rpcs.names() == ["batch_get_documents", "run_query", "commit"]
    assert sorted(rpcs.written()) == sorted([f"jobs/{runner.job_id}", f"attempt_tokens/{runner.job_id}-0001"])
    document = job(firestore_client, runner.job_id)
    assert document["lines"] == 2 and [line["text"] for line in document["tail"]] == ["one", "two"]

    later.tick(1.5)
    rpcs.clear()
    runner.heartbeat()  # nothing came since the last flush: no read of the chunks
    assert rpcs.names() == ["batch_get_documents", "commit"]
    assert [line["text"] for line in job(firestore_client, runner.job_id)["tail"]] == ["one", "two"]


def test_a_redelivered_batch_is_acknowledged_by_its_failed_create_and_writes_nothing(
    runner: PlayedRunner, rpcs: Rpcs, firestore_client: firestore.Client
) -> None:
    batch = runner.message("output", lines=runner.lines("x"))
    assert runner.send(batch).status == 200
    before = dump_all(firestore_client)
    rpcs.clear()

    again = runner.send(batch)

    assert again.status == 200 and again.body == {"ack": batch["seq"]}
    assert rpcs.names() == ["batch_get_documents", "commit"], "no read of the chunk, no retry"
    assert dump_all(firestore_client) == before


def test_a_refused_message_reads_the_token_alone_rolls_back_and_writes_nothing(
    runner: PlayedRunner, rpcs: Rpcs, firestore_client: firestore.Client
) -> None:
    before = dump_all(firestore_client)
    rpcs.clear()
    reply = runner.send(runner.message("output", lines=runner.lines("x")), token="not-the-token")
    assert reply.status == 401
    assert rpcs.names() == ["batch_get_documents", "rollback"]
    assert dump_all(firestore_client) == before
    # the rollback released the token document: the next message goes at once
    assert runner.output("y").status == 200


def _writes_per_1000_lines(
    runner: PlayedRunner, rpcs: Rpcs, later: Any, batches: int, lines: int, spacing_s: float
) -> float:
    later.tick(2)
    rpcs.clear()
    for i in range(batches):
        texts = [f"{i}-{n}" for n in range(lines)]
        assert runner.output(*texts).status == 200
        jitter = 0.02 if i % 2 else -0.02  # the server sees the runner's spacing give or take a few ms
        if i % 5 == 4:  # the runner's regular heartbeat, between two batches
            later.tick(spacing_s / 2)
            runner.heartbeat()
            later.tick(spacing_s / 2 + jitter)
        else:
            later.tick(spacing_s + jitter)
    return 1000 * len(rpcs.written()) / (batches * lines)


def test_a_thousand_lines_a_second_in_one_batch_a_second_cost_at_most_three_writes_per_thousand_lines(
    runner: PlayedRunner, rpcs: Rpcs, firestore_client: firestore.Client, later: Any
) -> None:
    per_1000 = _writes_per_1000_lines(runner, rpcs, later, batches=10, lines=1000, spacing_s=1.0)
    assert per_1000 <= 3.0, f"{per_1000} writes per 1,000 lines"
    assert len(chunks(firestore_client, runner.job_id)) == 10
    assert job(firestore_client, runner.job_id)["lines"] == 10_000


def test_sparse_output_in_five_batches_a_second_costs_at_most_seven_writes_a_second(
    runner: PlayedRunner, rpcs: Rpcs, later: Any
) -> None:
    """The documented per-job ceiling: 5 chunks a second and one flush (the job and the token documents)."""
    _writes_per_1000_lines(runner, rpcs, later, batches=25, lines=2, spacing_s=0.2)
    assert len(rpcs.written()) <= 7 * 5 + 2, f"{len(rpcs.written())} writes in 5 s"


def test_an_output_that_flushes_reads_what_waited_only_when_its_tail_needs_it(
    runner: PlayedRunner, rpcs: Rpcs, firestore_client: firestore.Client, later: Any
) -> None:
    later.tick(2)
    runner.output("one")
    later.tick(0.2)
    runner.output("two")  # waits
    later.tick(0.8)
    rpcs.clear()
    runner.output(
        "three"
    )  # flushes: one line, after "two" which waited: the newest chunk is read for the tail
    assert rpcs.names() == ["batch_get_documents", "run_query", "commit"]
    assert [line["text"] for line in job(firestore_client, runner.job_id)["tail"]] == ["one", "two", "three"]

    later.tick(0.2)
    runner.output("four")  # waits
    later.tick(0.8)
    rpcs.clear()
    runner.output(*[f"five {n}" for n in range(5)])  # a whole tail of its own: nothing that waited is read
    assert rpcs.names() == ["batch_get_documents", "commit"]
    document = job(firestore_client, runner.job_id)
    assert document["lines"] == 9
    assert [line["text"] for line in document["tail"]] == [f"five {n}" for n in range(5)]
