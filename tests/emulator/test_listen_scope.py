"""Which Listen streams a commit reaches: the database indexes each stream's scope (``listen.scope_of``,
``Database.rescope``), so a commit is handed only to the streams it can concern.

These drive ``ListenSession`` on a real ``Database`` in this process (no gRPC) and look at what each session
queued, which is what its stream would answer; they test the embedded emulator's dispatch, not a behaviour shared
with Google's emulator. That a stream still sees every change it should is what the Listen suites test over a
real client (``test_listen.py``, ``test_listen_coalescing.py``, ``tests/cli/test_listen_rules.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from firestore_emulator import protos as P
from firestore_emulator.listen import ListenSession, RuleDependencies, TargetState, scope_of
from firestore_emulator.names import parse_database
from firestore_emulator.rules import PermissionDenied
from firestore_emulator.store import EVERYTHING, Change, Database, Scope, Store

DATABASE = "projects/scope/databases/(default)"
DOCUMENTS = f"{DATABASE}/documents"
REMOVE = P.TargetChange.TargetChangeType.REMOVE


@pytest.fixture
def db() -> Iterator[Database]:
    asyncio.set_event_loop(loop := asyncio.new_event_loop())
    try:
        yield Store().database(parse_database(DATABASE))
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def commit(db: Database, *names: str) -> int:
    """Write ``{n: 1}`` to each ``{DOCUMENTS}/<name>`` in one commit; its time."""
    time = db.next_commit_time()
    documents = {}
    for name in names:
        doc = P.Document(name=f"{DOCUMENTS}/{name}")
        doc.fields["n"].integer_value = 1
        doc.create_time.FromMicroseconds(time)
        doc.update_time.FromMicroseconds(time)
        documents[doc.name] = doc
    db.commit(time, documents)
    return time


def change(name: str) -> Change:
    """A change of ``{DOCUMENTS}/<name>`` (its states do not matter to whom it is dispatched)."""
    return Change(f"{DOCUMENTS}/{name}", None, None)


def query_target(parent: str, collection: str, *, descendants: bool = False) -> P.ListenRequest:
    request = P.ListenRequest(database=DATABASE)
    request.add_target.target_id = 1
    request.add_target.query.parent = f"{DOCUMENTS}/{parent}".rstrip("/")
    selector = request.add_target.query.structured_query.from_.add(collection_id=collection)
    selector.all_descendants = descendants
    return request


def document_target(*names: str) -> P.ListenRequest:
    request = P.ListenRequest(database=DATABASE)
    request.add_target.target_id = 1
    request.add_target.documents.documents.extend(f"{DOCUMENTS}/{name}" for name in names)
    return request


def stream(db: Database, request: P.ListenRequest, authorize: object = None) -> ListenSession:
    """A session registered as ``service.listen`` registers it, with its target added."""
    session = ListenSession(db, asyncio.Queue(), authorize)  # type: ignore[arg-type]
    db.add_listener(session)
    session.handle_request(request)
    return session


def queued(session: ListenSession) -> list[int]:
    """The commit times queued for the session since the last call."""
    times = []
    while not session.queue.empty():
        item = session.queue.get_nowait()
        assert isinstance(item, tuple)
        times.append(item[0])
    return times


def test_a_commit_reaches_only_the_streams_of_its_collections_and_documents(db: Database) -> None:
    chunks_a = stream(db, query_target("jobs/a", "chunks"))
    chunks_b = stream(db, query_target("jobs/b", "chunks"))
    every_chunk = stream(db, query_target("", "chunks", descendants=True))
    job_a = stream(db, document_target("jobs/a"))

    first = commit(db, "jobs/a/chunks/0001")
    second = commit(db, "jobs/a")
    third = commit(db, "jobs/b/chunks/0001", "jobs/a")

    assert queued(chunks_a) == [first]
    assert queued(chunks_b) == [third]
    assert queued(every_chunk) == [first, third]
    assert queued(job_a) == [second, third]
    # and the database did not even ask the others (each stream would have said no itself)
    assert db.listeners_of([change("jobs/a/chunks/0002")]) == {chunks_a, every_chunk}
    assert db.listeners_of([change("jobs/a")]) == {every_chunk, job_a}
    assert db.listeners_of([change("jobs/c/chunks/0001")]) == {every_chunk}


def test_a_removed_target_is_no_longer_told_and_a_new_one_is(db: Database) -> None:
    session = stream(db, query_target("jobs/a", "chunks"))
    remove = P.ListenRequest(database=DATABASE, remove_target=1)
    session.handle_request(remove)
    commit(db, "jobs/a/chunks/0001")
    assert queued(session) == []

    session.handle_request(query_target("jobs/b", "chunks"))
    later = commit(db, "jobs/b/chunks/0001")
    commit(db, "jobs/a/chunks/0002")
    assert queued(session) == [later]


def test_documents_a_rules_verdict_read_reach_the_stream_until_it_is_refused(db: Database) -> None:
    """A stream is told about a commit of a document its verdict read (a workspace's members), so that the
    recheck can cut it; once refused, nothing reaches it."""
    members = {"allowed": True}

    def authorize(target: TargetState, _current: object) -> RuleDependencies:
        if not members["allowed"]:
            raise PermissionDenied("Property members is undefined on object.")
        return RuleDependencies(reads=frozenset({f"{DOCUMENTS}/workspaces/w"}), held=False)

    session = stream(db, query_target("jobs/a", "chunks"), authorize)
    member_change = commit(db, "workspaces/w")
    commit(db, "workspaces/other")
    assert queued(session) == [member_change]

    members["allowed"] = False
    refusal = commit(db, "workspaces/w")
    item = session.queue.get_nowait()
    assert isinstance(item, tuple) and item[0] == refusal
    answered = session.handle_commits([item])
    assert [response.target_change.target_change_type for response in answered] == [REMOVE]
    commit(db, "jobs/a/chunks/0001", "workspaces/w")
    assert queued(session) == []


def test_the_scope_of_targets() -> None:
    assert scope_of([]) == Scope()
    chunks_query = query_target("jobs/a", "chunks").add_target.query.structured_query
    chunks = TargetState(1, parent=f"{DOCUMENTS}/jobs/a", query=chunks_query)
    named = TargetState(2, documents=frozenset({f"{DOCUMENTS}/jobs/a"}))
    judged = TargetState(
        3,
        documents=frozenset({f"{DOCUMENTS}/jobs/b"}),
        rules=RuleDependencies(reads=frozenset({f"{DOCUMENTS}/workspaces/w"}), held=True),
    )
    assert scope_of([chunks, named, judged]) == Scope(
        collections=frozenset({f"{DOCUMENTS}/jobs/a/chunks"}),
        documents=frozenset({f"{DOCUMENTS}/jobs/a", f"{DOCUMENTS}/jobs/b", f"{DOCUMENTS}/workspaces/w"}),
    )
    group_query = query_target("", "chunks", descendants=True).add_target.query.structured_query
    group = TargetState(4, parent=DOCUMENTS, query=group_query)
    assert scope_of([chunks, group]) == EVERYTHING


def test_a_listener_added_without_a_scope_is_told_every_commit(db: Database) -> None:
    told: list[int] = []

    class Everything:
        def on_commit(self, time: int, _changes: object) -> None:
            told.append(time)

    listener = Everything()
    db.add_listener(listener)  # type: ignore[arg-type]
    times = [commit(db, "jobs/a"), commit(db, "elsewhere/x/deep/y")]
    db.remove_listener(listener)  # type: ignore[arg-type]
    commit(db, "jobs/b")
    assert told == times
