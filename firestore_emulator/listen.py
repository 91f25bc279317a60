"""Listen: the state of one bidirectional stream, its targets, and what it sends for each request and commit.

A ``ListenSession`` is registered with its database and is told about every commit synchronously, in the same
event-loop step that applied it; it only queues the commit, and the stream's own coroutine turns queued requests
and commits into responses in order. Each commit is evaluated *as of its own commit time* (the store keeps
versions). A stream that is several commits behind (its coroutine woke late, or its client's flow-control window
was full) answers the run of commits queued before the next request as one snapshot: each document's newest state
for each target, one global ``NO_CHANGE`` at the newest commit's time (``handle_commits``). The same document
change goes to every stream that listens to it, so its wire bytes are built once and shared (``_document_change``).

The messages follow what the clients' watch implementations consume (google.cloud.firestore_v1.watch, Node's
watch.ts): ``ADD``, one ``DocumentChange`` per result, ``CURRENT``, then a global ``NO_CHANGE`` (no target ids)
with ``read_time`` and ``resume_token``, which makes the client deliver a snapshot. Later commits send
``DocumentChange`` (added or modified), ``DocumentDelete`` (deleted), a ``DocumentChange`` with only
``removed_target_ids`` (still exists, left the query, as production sends it), and one global ``NO_CHANGE``. A
target added with a resume token or a ``read_time`` gets ``RESET`` and the whole result set, as the official
emulator answers every one (it never resumes; a conformance suite records ADD, RESET, CURRENT for a fresh token,
a read time and an expired one alike), where production would send only what changed since. As the official
emulator: a named document that does not exist
is answered with a ``DocumentDelete`` when its target is added, removing an unknown target sends nothing, a
target id already in use ends the stream (UNKNOWN), and resume tokens use its encoding (a message holding a
message holding the read time in microseconds). Under rules, a target is judged when it is added and again after
every commit (``ListenSession.recheck``): one the rules no longer allow is removed with a PERMISSION_DENIED cause.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from firestore_emulator import query as query_engine
from firestore_emulator.errors import EmulatorError, InvalidArgument, Unknown
from firestore_emulator.names import check_in_database, parse_parent
from firestore_emulator.protos import ListenResponse, Pb, Status, TargetChange, micros, timestamp
from firestore_emulator.store import EVERYTHING, Change, Database, Scope

NO_CHANGE = TargetChange.TargetChangeType.NO_CHANGE
ADD = TargetChange.TargetChangeType.ADD
REMOVE = TargetChange.TargetChangeType.REMOVE
CURRENT = TargetChange.TargetChangeType.CURRENT
RESET = TargetChange.TargetChangeType.RESET

END = object()  # queued when the client closes its side of the stream (or it fails)

Response = Pb | bytes  # a ListenResponse, or its wire bytes (``service._serialize`` passes bytes through)

ENCODED_CACHE_BYTES = 16 * 1024 * 1024  # bytes of serialised documents and responses kept for reuse
_UINT64 = (1 << 64) - 1  # a negative int32 is encoded as its 64-bit two's complement
_Key = tuple[int, tuple[int, ...] | None, tuple[int, ...] | None]  # (id(document), target ids, removed ids)
_ENCODED: dict[_Key, tuple[Pb, bytes]] = {}
_ENCODED_LOCK = threading.Lock()
_encoded_bytes = 0
_last_no_change: tuple[int, bytes] = (-1, b"")


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        byte, number = number & 0x7F, number >> 7
        if not number:
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def resume_token(time: int) -> bytes:
    """The official emulator's token for a snapshot time: ``{1: {1: <microseconds>}}`` as protobuf bytes."""
    inner = b"\x08" + _varint(time)
    return b"\x0a" + bytes([len(inner)]) + inner


@dataclass
class TargetState:
    """One target on a stream and the results the client holds for it (name -> update time)."""

    id: int
    documents: frozenset[str] = frozenset()
    parent: str = ""
    query: Pb = None
    selects: Callable[[Pb], bool] | None = None  # the query's compiled collection + filter test
    scope: tuple[Callable[[str], bool], ...] = ()  # the query's compiled collection tests, one per selector
    rerun: bool = False  # a limit, offset or cursor: membership depends on other documents, re-run the query
    once: bool = False
    results: dict[str, int] = field(default_factory=dict)
    since: int = 0  # the snapshot time the client's results are at
    rules: RuleDependencies | None = None  # what the rules' last verdict on it read (None: nothing, no rules)

    def evaluate(self, db: Database, at: int) -> dict[str, Pb]:
        """The target's documents as of ``at``."""
        if self.query is None:
            found = (db.get(name, at) for name in sorted(self.documents))
            return {doc.name: doc for doc in found if doc is not None}
        docs = query_engine.run_query(self.parent, self.query, db.candidates(self.parent, self.query, at))
        return {doc.name: doc for doc in docs}

    def affected_by(self, change: Change) -> bool:
        """Whether a changed document can alter this target's results."""
        if self.query is None:
            return change.name in self.documents
        return change.name in self.results or self.contains(change.new)

    def in_scope(self, name: str) -> bool:
        """Whether a commit of a document of this name can concern this target: in its collection(s), one of its
        names, or a document the rules' verdict on it read. Tested for every commit before the stream is woken, so
        it must stay cheap."""
        if self.rules is not None and name in self.rules.reads:  # the rules' verdict read it: judge again
            return True
        if self.query is None:
            return name in self.documents
        return any(test(name) for test in self.scope)

    def contains(self, doc: Pb | None) -> bool:
        """Whether an existing document passes the target's collection and filter (documents: by name)."""
        if doc is None:
            return False
        if self.selects is None:
            return doc.name in self.documents
        return self.selects(doc)


@dataclass(frozen=True)
class RuleDependencies:
    """What the rules' verdict on a target rested on: the documents they read (get/exists, full names), and whether
    the target's own documents (``resource``) mattered. A commit that touches neither cannot change the verdict."""

    reads: frozenset[str]
    held: bool


Authorize = Callable[
    [TargetState, dict[str, Pb]], RuleDependencies | None
]  # raises PermissionDenied for a target the rules refuse; else what the verdict depends on


@dataclass
class _Entry:
    """What one document's message will say, gathered across targets."""

    doc: Pb | None
    target_ids: list[int] = field(default_factory=list)
    removed_target_ids: list[int] = field(default_factory=list)


class ListenSession:
    """One Listen stream on one database."""

    def __init__(
        self, db: Database, queue: asyncio.Queue[object], authorize: Authorize | None = None
    ) -> None:
        self.db = db
        self.queue = queue
        self.authorize = authorize  # the rules' check of a target, when added and after each commit
        self._targets: dict[int, TargetState] = {}

    @property
    def has_targets(self) -> bool:
        """Whether any target is still listened to on this stream."""
        return bool(self._targets)

    def on_commit(self, time: int, changes: Sequence[Change]) -> None:
        """Queue a commit for the stream, unless none of its documents can concern any target (most commits, when
        many streams listen to one collection each): such a commit would send nothing, and queuing it costs a
        wake-up of the stream's coroutine per commit per stream. A target still being added is not in
        ``_targets``; it is evaluated when its request is handled, at a time that includes this commit."""
        targets = self._targets.values()
        if any(target.in_scope(change.name) for change in changes for target in targets):
            self.queue.put_nowait((time, changes))

    def handle_request(self, request: Pb) -> list[Pb]:
        """Responses to one ListenRequest (add_target or remove_target)."""
        kind = request.WhichOneof("target_change")
        if kind == "add_target":
            responses = self._add(request.add_target)
        elif kind == "remove_target":
            responses = self._remove(request.remove_target)
        else:
            return []
        self._rescope()
        return responses

    def _rescope(self) -> None:
        """Tell the database which commits can concern the stream's targets now (``scope_of``)."""
        self.db.rescope(self, scope_of(self._targets.values()))

    def handle_commits(self, commits: Sequence[tuple[int, Sequence[Change]]]) -> list[Response]:
        """Responses for one or more queued commits, oldest first, as one snapshot: first a REMOVE
        (PERMISSION_DENIED) for each target the rules refuse after one of them (``recheck``, commit by commit),
        then one message per document whose state for some target differs from what the client held before the
        first commit (its newest state: the clients' watch implementations keep only the last message per
        document before a snapshot), and one global NO_CHANGE at the newest commit's time if anything was sent.

        A stream that fell behind (its coroutine woke late, or the client's flow-control window was full) catches
        up in one snapshot instead of one per commit, as production's global snapshots cover many commits. A
        document added and deleted again within the backlog sends nothing; a target refused by one of the
        commits receives nothing from any of them (its REMOVE says why)."""
        refused: list[Response] = []
        batch = _Batch()
        for time, changes in commits:
            refused += self.recheck(time, changes)
            for target in self._targets.values():
                if time <= target.since:
                    continue
                touched = [change for change in changes if target.affected_by(change)]
                if not touched:
                    continue
                if target.rerun:  # run at each commit: the next commit's recheck judges what it then holds
                    self._diff(target, target.evaluate(self.db, time), time, batch)
                else:
                    current = {c.name: c.new for c in touched if target.contains(c.new)}
                    self._diff(target, current, time, batch, only={c.name for c in touched})
                target.since = time
        entries = batch.entries(self._targets)
        if not entries:
            return refused
        newest = commits[-1][0]
        return [*refused, *_messages(entries, newest), _no_change(newest)]

    def recheck(self, time: int, changes: Sequence[Change]) -> list[Pb]:
        """Judge again, after a commit, the targets whose verdict the commit may change, and remove (REMOVE with a
        PERMISSION_DENIED cause) those the rules now refuse: a reader whose access a commit took away (a member
        removed from a workspace, whose rules read its ``member_uids``) stops receiving at once. Google's emulator
        cuts a query target so after such a commit and a document target at its document's next change; this one
        cuts both at once (tailrun's "a removed member loses access at once").

        A target is judged again only when the commit touched a document its last verdict read (get/exists), or
        one of its own documents where the verdict rested on them (``RuleDependencies``): a commit of a chunk does
        not re-judge every listener on the stream. A query is judged by its constraints; where the rules need
        documents to decide (see ``rules.decide``), by the documents the client holds (a lookup per held document).
        The rules read the store's latest state, which may be a little past ``time``: never an older one."""
        if self.authorize is None:
            return []
        changed = {change.name for change in changes}
        refused = []
        judged = False
        for target in list(self._targets.values()):
            names = target.documents if target.query is None else target.results
            deps = target.rules
            if deps is None or not (changed & deps.reads or (deps.held and not changed.isdisjoint(names))):
                continue
            held = {name: doc for name in sorted(names) if (doc := self.db.get(name, time)) is not None}
            judged = True
            try:
                target.rules = self.authorize(target, held)
            except EmulatorError as error:
                del self._targets[target.id]
                refused.append(_removed(target.id, error))
        if judged:  # what the verdicts read, or the targets themselves, may have changed
            self._rescope()
        return refused

    # --- targets ---

    def _add(self, spec: Pb) -> list[Pb]:
        """ADD (then RESET for a resume token or read time), the target's documents, CURRENT, NO_CHANGE."""
        target_id = spec.target_id or self._free_id()
        if target_id in self._targets:
            raise Unknown("")  # the official emulator ends the stream, UNKNOWN without a message
        try:
            target = self._target(spec, target_id)
            now = self.db.read_time()
            current = target.evaluate(self.db, now)
        except EmulatorError as error:
            return [_removed(target_id, error)]
        if self.authorize is not None:
            try:
                target.rules = self.authorize(target, current)
            except (
                EmulatorError
            ) as error:  # refused by the rules: added, then removed, as Google's emulator answers
                return [_target_change(ADD, [target_id]), _removed(target_id, error)]
        responses = [_target_change(ADD, [target_id])]
        if spec.resume_token or spec.HasField("read_time"):
            responses.append(_target_change(RESET, [target_id]))  # the official emulator never resumes
        batch = _Batch()
        self._diff(target, current, now, batch)
        entries = batch.entries({target_id: target})
        for name in sorted(target.documents - set(current)):
            entries.setdefault(name, _Entry(None)).removed_target_ids.append(target_id)
        target.since = now
        responses += [*_messages(entries, now), _target_change(CURRENT, [target_id], now)]
        responses.append(_target_change(NO_CHANGE, [], now))
        if target.once:
            responses.append(_target_change(REMOVE, [target_id]))
        else:
            self._targets[target_id] = target
        return responses

    def _remove(self, target_id: int) -> list[Pb]:
        """REMOVE for a target on the stream; nothing for an unknown one (the official emulator ignores it)."""
        if self._targets.pop(target_id, None) is None:
            return []
        return [_target_change(REMOVE, [target_id])]

    def _target(self, spec: Pb, target_id: int) -> TargetState:
        kind = spec.WhichOneof("target_type")
        if kind == "documents":
            for name in spec.documents.documents:
                check_in_database(name, self.db.id)
            return TargetState(target_id, documents=frozenset(spec.documents.documents), once=spec.once)
        if kind == "query":
            if parse_parent(spec.query.parent) != self.db.id:
                raise InvalidArgument(
                    f"Query parent {spec.query.parent!r} is not in database {self.db.id.name!r}."
                )
            query = spec.query.structured_query
            rerun = query.HasField("limit") or query.offset > 0
            rerun = rerun or any(query.HasField(f) for f in ("start_at", "end_at", "find_nearest"))
            selects = query_engine.matcher(spec.query.parent, query)
            scope = tuple(query_engine.collection_test(spec.query.parent, s) for s in query.from_)
            return TargetState(
                target_id,
                parent=spec.query.parent,
                query=query,
                selects=selects,
                scope=scope,
                rerun=rerun,
                once=spec.once,
            )
        raise InvalidArgument("A target must be a query or a list of documents.")

    def _free_id(self) -> int:
        return max(self._targets, default=0) + 1

    def _diff(
        self,
        target: TargetState,
        current: dict[str, Pb],
        time: int,
        batch: _Batch,
        only: set[str] | None = None,
    ) -> None:
        """Take ``target.results`` to ``current`` (the target's documents at ``time``), noting in ``batch`` what
        each changed name held before the batch and its state at ``time``.

        ``only`` limits the comparison to these names (the documents a commit touched).
        """
        results = target.results
        before = batch.before(target.id)
        for name, doc in current.items():
            version = micros(doc.update_time)
            held = results.get(name)
            if held != version:
                if name not in before:
                    before[name] = held
                results[name] = version
                batch.docs[name] = doc
        gone = [n for n in results if n not in current and (only is None or n in only)]
        for name in gone:
            if name not in before:
                before[name] = results[name]
            del results[name]
            batch.docs[name] = self.db.get(name, time)


def scope_of(targets: Iterable[TargetState]) -> Scope:
    """Which commits can concern these targets (``TargetState.in_scope``, as an index the database keeps): their
    documents, the documents their rules' verdicts read, and their queries' collections; every commit once one
    query reads a collection group or every collection under its parent."""
    collections: set[str] = set()
    documents: set[str] = set()
    for target in targets:
        if target.rules is not None:
            documents |= target.rules.reads
        if target.query is None:
            documents |= target.documents
            continue
        for selector in target.query.from_:
            if selector.all_descendants or not selector.collection_id:
                return EVERYTHING
            collections.add(f"{target.parent}/{selector.collection_id}")
    return Scope(frozenset(collections), frozenset(documents))


class _Batch:
    """What a batch of commits (or one added target) changed for a stream's targets: per target, what the client
    held of each changed name before the batch (None: not in its results), and each changed name's newest state
    seen. Commits are applied in order, so the last state recorded for a name is the newest of the batch."""

    def __init__(self) -> None:
        self._before: dict[int, dict[str, int | None]] = {}
        self.docs: dict[str, Pb | None] = {}

    def before(self, target_id: int) -> dict[str, int | None]:
        """The versions held before the batch of the names changed so far for one target (name -> version)."""
        held = self._before.get(target_id)
        if held is None:
            held = self._before[target_id] = {}
        return held

    def entries(self, targets: dict[int, TargetState]) -> dict[str, _Entry]:
        """One entry per document whose state for a target still on the stream differs from what its client held
        before the batch: the target ids it is now in (changed) and those it left."""
        entries: dict[str, _Entry] = {}
        for target_id, before in self._before.items():
            target = targets.get(target_id)
            if target is None:  # refused by the rules during the batch: it receives nothing more
                continue
            results = target.results
            for name, held in before.items():
                version = results.get(name)
                if version == held:  # e.g. added and deleted again within the batch
                    continue
                entry = entries.get(name)
                if entry is None:
                    entry = entries[name] = _Entry(self.docs[name])
                if version is None:
                    entry.removed_target_ids.append(target_id)
                else:
                    entry.target_ids.append(target_id)
        return entries


def _messages(entries: dict[str, _Entry], time: int) -> list[Response]:
    responses: list[Response] = []
    for name, entry in entries.items():
        if entry.doc is not None:  # changed, or still there and out of some targets (removed_target_ids)
            responses.append(_document_change(entry.doc, entry.target_ids, entry.removed_target_ids))
            continue
        response = ListenResponse()
        delete = response.document_delete
        delete.document = name
        delete.removed_target_ids.extend(entry.removed_target_ids)
        delete.read_time.CopyFrom(timestamp(time))
        responses.append(response)
    return responses


def _document_change(doc: Pb, target_ids: list[int], removed_target_ids: list[int]) -> bytes:
    """The wire bytes of ``ListenResponse{document_change: {document, target_ids, removed_target_ids}}``, as
    ``SerializeToString`` writes them (repeated ids packed), built once per document version and id lists: the
    same change goes to every stream that listens to it, usually with the same target ids (a client's first
    target is 1). Cached by the document object's identity (the store's versions are never modified), the
    object kept alive with its bytes so that its id is not reused; the oldest dropped first beyond
    ``ENCODED_CACHE_BYTES``."""
    key = (id(doc), tuple(target_ids), tuple(removed_target_ids))
    hit = _ENCODED.get(key)
    if hit is not None and hit[0] is doc:
        return hit[1]
    body = _field(1, _encoded_document(doc))
    if target_ids:
        body += _field(5, b"".join(_varint(i & _UINT64) for i in target_ids))
    if removed_target_ids:
        body += _field(6, b"".join(_varint(i & _UINT64) for i in removed_target_ids))
    data = _field(3, body)
    _remember(key, doc, data)
    return data


def _encoded_document(doc: Pb) -> bytes:
    key = (id(doc), None, None)
    hit = _ENCODED.get(key)
    if hit is not None and hit[0] is doc:
        return hit[1]
    data: bytes = doc.SerializeToString()
    _remember(key, doc, data)
    return data


def _remember(key: _Key, doc: Pb, data: bytes) -> None:
    """Keep ``data`` for ``key``, dropping the oldest entries beyond the budget. Under a lock: emulators started
    in one process (``Emulator`` in a thread) share the cache, each from its own event loop's thread."""
    global _encoded_bytes
    with _ENCODED_LOCK:
        stale = _ENCODED.pop(key, None)
        if stale is not None:
            _encoded_bytes -= len(stale[1])
        _ENCODED[key] = (doc, data)
        _encoded_bytes += len(data)
        while _encoded_bytes > ENCODED_CACHE_BYTES and len(_ENCODED) > 1:
            _encoded_bytes -= len(_ENCODED.pop(next(iter(_ENCODED)))[1])


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited field (wire type 2) with a field number below 16."""
    return bytes([number << 3 | 2]) + _varint(len(payload)) + payload


def _no_change(time: int) -> bytes:
    """The global NO_CHANGE at ``time`` as wire bytes; every stream sent a commit sends the same one."""
    global _last_no_change
    cached = _last_no_change  # one read: another emulator's thread may replace it
    if cached[0] != time:
        cached = _last_no_change = (time, _target_change(NO_CHANGE, [], time).SerializeToString())
    return cached[1]


def _target_change(kind: int, target_ids: list[int], time: int | None = None) -> Pb:
    response = ListenResponse()
    change = response.target_change
    change.target_change_type = kind
    change.target_ids.extend(target_ids)
    if time is not None:
        change.read_time.CopyFrom(timestamp(time))
        change.resume_token = resume_token(time)
    return response


def _removed(target_id: int, error: EmulatorError) -> Pb:
    response = _target_change(REMOVE, [target_id])
    response.target_change.cause.CopyFrom(Status(code=error.code.value[0], message=error.message))
    return response
