"""The ``google.firestore.v1.Firestore`` gRPC service on the store: one coroutine per RPC, on one event loop.

Every RPC handler is an ``async`` method taking the raw request; the wrappers at the bottom turn the emulator's
exceptions into gRPC status codes (anything unexpected is logged and answers UNKNOWN, as grpc does for an uncaught
exception, and which the clients do not retry; never a hung call), and
``generic_handler`` registers them under the service's method names with the raw messages' (de)serialisers.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import logging
import secrets
import string
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.message import DecodeError
from google.protobuf.wrappers_pb2 import StringValue

from firestore_emulator import protos as P
from firestore_emulator import query as query_engine
from firestore_emulator import values
from firestore_emulator.errors import (
    Aborted,
    AlreadyExists,
    EmulatorError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    Unimplemented,
    Unknown,
)
from firestore_emulator.listen import END, Authorize, ListenSession, RuleDependencies, TargetState
from firestore_emulator.names import (
    DatabaseId,
    check_collection_id,
    check_in_database,
    parse_database,
    parse_document,
    parse_parent,
)
from firestore_emulator.protos import Pb, timestamp
from firestore_emulator.query import StructuredQuery
from firestore_emulator.rules import (
    Caller,
    Decision,
    PermissionDenied,
    RulesRegistry,
    WriteCheck,
    caller_from_metadata,
)
from firestore_emulator.rules.types import Path, resource
from firestore_emulator.store import Database, Store
from firestore_emulator.transactions import (
    LOCK_TIMEOUT,
    LOCK_WAIT_SECONDS,
    QueryRead,
    Transaction,
    TransactionManager,
    read_time_micros,
    versions,
)
from firestore_emulator.writes import PendingCommit, check_write_count, write_target

logger = logging.getLogger(__name__)

SERVICE = "google.firestore.v1.Firestore"
SERVICE_V1BETA1 = "google.firestore.v1beta1.Firestore"
_AUTO_ID_ALPHABET = string.ascii_letters + string.digits
# The official emulator fails a ListDocuments page token combined with any order_by with UNKNOWN (a conformance
# suite's recording of cloud-firestore-emulator v1.22.0); the first page, token included, is answered.
LIST_TOKEN_WITH_ORDER = "ListDocuments cannot resume from a page token when order_by is set."
BATCH_WRITE_NEEDS_ADMIN = "Batch writes require admin authentication."  # Google's emulator, to a client
_QUERY_LOCK_ROUNDS = 3  # re-runs of a transactional query while the documents it returns get locked


def auto_id() -> str:
    """A 20-character random document id, as the clients and Firestore generate them."""
    return "".join(secrets.choice(_AUTO_ID_ALPHABET) for _ in range(20))


@dataclass
class ReadContext:
    """How one read RPC reads: at a fixed time (``at``) or the latest state, and in which transaction."""

    db: Database
    at: int | None
    transaction: Transaction | None
    new_transaction: bytes

    @property
    def locking(self) -> Transaction | None:
        """The read-write transaction whose reads lock and are recorded, if any."""
        return self.transaction if self.transaction is not None and not self.transaction.read_only else None

    def read_time(self) -> int:
        return self.at if self.at is not None else self.db.read_time()


class FirestoreService:
    """The RPCs. State lives in the store and the transaction manager; the service only orchestrates."""

    def __init__(
        self, store: Store, lock_wait: float = LOCK_WAIT_SECONDS, rules: RulesRegistry | None = None
    ) -> None:
        self.store = store
        self.transactions = TransactionManager(store, lock_wait)
        self.rules = rules if rules is not None else RulesRegistry()

    # --- reads ---

    async def get_document(self, request: Pb, caller: Caller) -> Pb:
        ctx = self._read_context(parse_document(request.name), request)
        doc = await self._read_documents(ctx, [request.name])
        decision = self._decision(caller, ctx.db, ctx.at)
        if decision is not None:
            decision.get(request.name, doc[0])
        if doc[0] is None:
            raise NotFound(f"Document ({request.name}) not found.")  # the official emulator's wording
        return _project(doc[0], request.mask if request.HasField("mask") else None)

    async def batch_get_documents(self, request: Pb, caller: Caller) -> AsyncIterator[Pb]:
        """Documents in request order, each found or missing; the first response carries a new transaction's id."""
        database = parse_database(request.database)
        names = list(request.documents)
        for name in names:
            check_in_database(name, database)
        ctx = self._read_context(database, request)
        docs = await self._read_documents(ctx, names)
        decision = self._decision(caller, ctx.db, ctx.at, multi=len(names) > 1)
        if decision is not None:
            for name, doc in zip(names, docs, strict=True):
                decision.get(name, doc)
        read_time = timestamp(ctx.read_time())
        mask = request.mask if request.HasField("mask") else None
        for index, (name, doc) in enumerate(zip(names, docs, strict=True)):
            response = P.BatchGetDocumentsResponse(read_time=read_time)
            if index == 0 and ctx.new_transaction:
                response.transaction = ctx.new_transaction
            if doc is None:
                response.missing = name
            else:
                response.found.CopyFrom(_project(doc, mask))
            yield response
        if not names and ctx.new_transaction:
            yield P.BatchGetDocumentsResponse(transaction=ctx.new_transaction, read_time=read_time)

    async def run_query(self, request: Pb, caller: Caller) -> AsyncIterator[Pb]:
        """One response per result (or one with only read_time), the last marked done, every other one carrying
        the number of results the offset skipped (as the official emulator answers), after a response holding
        only a new transaction's id; explain options are ignored (the official emulator runs the query and
        reports no metrics)."""
        ctx = self._read_context(parse_parent(request.parent), request)
        if not request.HasField("structured_query"):
            raise InvalidArgument("RunQuery needs a structured_query.")
        docs, skipped = await self._query(ctx, request)
        decision = self._decision(caller, ctx.db, ctx.at)
        if decision is not None:
            decision.query(request.parent, request.structured_query, docs)
        read_time = timestamp(ctx.read_time())
        responses = [
            P.RunQueryResponse(document=doc, read_time=read_time, skipped_results=skipped) for doc in docs
        ]
        if responses:
            responses[-1].skipped_results = 0
        else:
            responses.append(P.RunQueryResponse(read_time=read_time))
        responses[-1].done = True  # as the official emulator marks the end of the results
        if ctx.new_transaction:  # query.proto: "If set, no other fields will be set in this response."
            responses.insert(0, P.RunQueryResponse(transaction=ctx.new_transaction))
        for response in responses:
            yield response

    async def run_aggregation_query(self, request: Pb, caller: Caller) -> AsyncIterator[Pb]:
        """One response with the aggregations by alias (explain options ignored, as the official emulator); in a
        read-write transaction the query is re-checked at commit."""
        ctx = self._read_context(parse_parent(request.parent), request)
        aggregation = request.structured_aggregation_query
        if not aggregation.HasField("structured_query"):
            raise InvalidArgument("RunAggregationQuery needs a structured_query.")
        query = aggregation.structured_query
        candidates = list(ctx.db.candidates(request.parent, query, ctx.at))
        fields = query_engine.run_aggregation(request.parent, aggregation, candidates)
        decision = self._decision(caller, ctx.db, ctx.at)
        if ctx.locking is not None or decision is not None:
            matched = query_engine.run_query(request.parent, query, candidates)
            if decision is not None:
                decision.query(request.parent, query, matched)
            if ctx.locking is not None:
                ctx.locking.queries.append(QueryRead(request.parent, query, versions(matched)))
        response = P.RunAggregationQueryResponse(read_time=timestamp(ctx.read_time()))
        for alias, value in fields.items():
            response.result.aggregate_fields[alias].CopyFrom(value)
        if ctx.new_transaction:
            response.transaction = ctx.new_transaction
        yield response

    async def list_documents(self, request: Pb, caller: Caller) -> Pb:
        """Documents of a collection (or, without a collection id, of every collection under the parent) ordered
        by name or, in a collection, by ``order_by`` as a query orders them; paged by opaque tokens naming the
        last document listed (a full page always gets a token, as the official emulator answers); show_missing
        adds parents that only have subcollections, with only their name."""
        ctx = self._read_context(parse_parent(request.parent), request)
        if request.page_size < 0:
            raise InvalidArgument("Page size must be nonnegative.")
        check_collection_id(request.collection_id)
        if request.show_missing and not request.collection_id:
            raise InvalidArgument("collection id must be set when show_missing is true")
        if request.show_missing and request.order_by:
            raise InvalidArgument("show_missing cannot be combined with order_by.")
        orders = _list_orders(request.order_by)
        if not request.collection_id:
            _check_kindless_list_order(orders)
        if request.page_token and request.order_by:
            raise Unknown(LIST_TOKEN_WITH_ORDER)
        docs = self._ordered_listing(ctx, request, orders)
        if request.page_token:
            after = _page_after(request.page_token)
            docs = [doc for doc in docs if values.compare_paths(doc.name, after) > 0]
        page = docs[: request.page_size] if request.page_size > 0 else docs
        self._authorize_listing(caller, ctx, request, page)
        mask = request.mask if request.HasField("mask") else None
        response = P.ListDocumentsResponse(documents=[_project(doc, mask) for doc in page])
        if request.page_size > 0 and len(page) == request.page_size:
            response.next_page_token = _page_token(page[-1].name)
        return response

    async def list_collection_ids(self, request: Pb, caller: Caller) -> Pb:
        """Ids of the collections directly under a parent that hold live documents (at any depth), sorted, paged
        by opaque tokens naming the last id (a full page always gets a token, as the official emulator answers)."""
        ctx = self._read_context(parse_parent(request.parent), request)
        if request.page_size < 0:
            raise InvalidArgument("Page size must be nonnegative.")
        ids = sorted(path.rsplit("/", 1)[1] for path in ctx.db.child_paths(request.parent, ctx.at))
        if request.page_token:
            after = _page_after(request.page_token)
            ids = [i for i in ids if i > after]
        page = ids[: request.page_size] if request.page_size > 0 else ids
        response = P.ListCollectionIdsResponse(collection_ids=page)
        if request.page_size > 0 and len(page) == request.page_size:
            response.next_page_token = _page_token(page[-1])
        return response

    # --- writes ---

    async def commit(self, request: Pb, caller: Caller) -> Pb:
        """Apply writes atomically, in a transaction if one is given (ABORTED if it was aborted or what it read changed)."""
        database = parse_database(request.database)
        writes = list(request.writes)
        transaction = None
        if request.transaction:
            transaction = self.transactions.lookup(request.transaction, database)
            if transaction.read_only and writes:
                raise InvalidArgument("Cannot modify entities in a read-only transaction.")
        try:
            commit_time, results = await self._commit(database, writes, transaction, caller)
        except (NotFound, AlreadyExists, FailedPrecondition):
            if transaction is not None:  # a failed precondition ends it; an invalid write does not
                self.transactions.finish(transaction)
            raise
        if transaction is not None:
            self.transactions.finish(transaction)
        if not writes:
            return P.CommitResponse()  # the official emulator answers an empty commit with an empty response
        return P.CommitResponse(write_results=results, commit_time=timestamp(commit_time))

    async def batch_write(self, request: Pb, caller: Caller) -> Pb:
        """Apply writes independently at one time: each gets its own status; one document at most once per request.
        Under rules only the owner may (Google's emulator refuses clients whatever the rules say)."""
        database = parse_database(request.database)
        writes = list(request.writes)
        check_write_count(len(writes))
        targets = [write_target(write) for write in writes]
        if len(set(targets)) != len(targets):
            raise InvalidArgument("the same document cannot be written more than once in a single request")
        db = self.store.database(database)
        if self._decision(caller, db, None) is not None:
            raise PermissionDenied(BATCH_WRITE_NEEDS_ADMIN)
        pending = PendingCommit(db, db.next_commit_time())
        response = P.BatchWriteResponse()
        for write, target in zip(writes, targets, strict=True):
            try:
                if self.transactions.is_locked(database, target):
                    raise Aborted(LOCK_TIMEOUT)  # a transaction holds it; BatchWrite does not wait
                response.write_results.append(pending.apply(write, target))
                response.status.append(P.Status(code=0))
            except InvalidArgument:
                raise  # an invalid write fails the whole request, as the official emulator answers
            except EmulatorError as error:
                response.write_results.append(P.WriteResult())
                response.status.append(P.Status(code=error.code.value[0], message=error.message))
        db.commit(pending.time, pending.documents)
        return response

    async def create_document(self, request: Pb, caller: Caller) -> Pb:
        """Create a document (a random 20-character id when none is given); ALREADY_EXISTS if it exists."""
        database = parse_parent(request.parent)
        if not request.collection_id:
            raise InvalidArgument("CreateDocument needs a collection_id.")
        check_collection_id(request.collection_id)
        name = f"{request.parent}/{request.collection_id}/{request.document_id or auto_id()}"
        write = P.Write(update=P.Document(name=name, fields=request.document.fields))
        write.current_document.exists = False
        return await self._written(
            database, write, request.mask if request.HasField("mask") else None, caller
        )

    async def update_document(self, request: Pb, caller: Caller) -> Pb:
        """Upsert a document (with an optional mask and precondition) and return it as stored."""
        database = parse_document(request.document.name)
        write = P.Write(update=request.document)
        if request.HasField("update_mask"):
            write.update_mask.CopyFrom(request.update_mask)
        if request.HasField("current_document"):
            write.current_document.CopyFrom(request.current_document)
        return await self._written(
            database, write, request.mask if request.HasField("mask") else None, caller
        )

    async def delete_document(self, request: Pb, caller: Caller) -> Pb:
        write = P.Write(delete=request.name)
        if request.HasField("current_document"):
            write.current_document.CopyFrom(request.current_document)
        await self._commit(parse_document(request.name), [write], None, caller)
        return P.Empty()

    # --- transactions ---

    async def begin_transaction(self, request: Pb, caller: Caller) -> Pb:
        database = parse_database(request.database)
        options = request.options if request.HasField("options") else None
        return P.BeginTransactionResponse(transaction=self.transactions.begin(database, options).id)

    async def rollback(self, request: Pb, caller: Caller) -> Pb:
        self.transactions.rollback(request.transaction, parse_database(request.database))
        return P.Empty()

    # --- Listen ---

    async def listen(self, requests: AsyncIterator[Pb], caller: Caller) -> AsyncIterator[Pb]:
        """The Listen stream: requests and commits for this stream are queued and answered in order, one coroutine per stream."""
        queue: asyncio.Queue[object] = asyncio.Queue()
        reader = asyncio.create_task(_pump(requests, queue))
        session: ListenSession | None = None
        held: object = None  # a request or END taken from the queue behind a run of commits, handled next
        try:
            while True:
                item, held = (held, None) if held is not None else (await queue.get(), None)
                if item is END:
                    # The client half-closed: it sends no more targets. With none left (the JS SDK's terminate()
                    # after its listeners are gone, which waits for the end) the stream ends; otherwise its
                    # targets still receive changes until it cancels the call (a closed connection cancels this
                    # coroutine). Google's emulator ends the stream at once either way.
                    if session is None or not session.has_targets:
                        return
                    continue
                if session is None:
                    db = self.store.database(parse_database(item.database))  # type: ignore[attr-defined]
                    session = ListenSession(db, queue, self._listen_authorizer(caller, db))
                    db.add_listener(session)
                if isinstance(item, tuple):
                    commits = [item]  # and every commit queued behind it, up to a request: one snapshot
                    while held is None and not queue.empty():
                        following = queue.get_nowait()
                        if isinstance(following, tuple):
                            commits.append(following)
                        else:
                            held = following
                    responses = session.handle_commits(commits)
                else:
                    responses = session.handle_request(item)
                for response in responses:
                    yield response
        finally:
            reader.cancel()
            if session is not None:
                session.db.remove_listener(session)

    # --- unsupported ---

    async def execute_pipeline(self, request: Pb, caller: Caller) -> AsyncIterator[Pb]:
        """Pipelines need an Enterprise database, which the official emulator does not emulate either."""
        parse_database(request.database)
        raise InvalidArgument("ExecutePipeline requires the Database Edition to be `enterprise`.")
        yield  # pragma: no cover - makes this an async generator

    # --- the Write stream ---

    async def write_stream(self, requests: AsyncIterator[Pb], caller: Caller) -> AsyncIterator[Pb]:
        """The Write stream: a handshake (token "0"), then each request's writes committed atomically and
        answered in order with the next token; an empty request is answered and ends the stream."""
        database: DatabaseId | None = None
        answered = 0
        async for request in requests:
            if database is None:
                database = _open_write_stream(request)
                yield P.WriteResponse(stream_id=secrets.token_hex(8), stream_token=b"0")
                continue
            if request.database and request.database != database.name:
                raise InvalidArgument(
                    f"Request specified a database ({request.database}) that did not match the expected "
                    f"database ({database.name})"
                )
            answered += 1
            token = str(answered).encode()
            if not request.writes:
                yield P.WriteResponse(stream_token=token)
                return
            commit_time, results = await self._commit(database, list(request.writes), None, caller)
            yield P.WriteResponse(
                stream_token=token, write_results=results, commit_time=timestamp(commit_time)
            )

    # --- helpers ---

    def _decision(
        self,
        caller: Caller,
        db: Database,
        at: int | None,
        pending: PendingCommit | None = None,
        *,
        multi: bool = False,
    ) -> Decision | None:
        """The rules checks of a client's request; None for the owner or where no rules are loaded (all allowed).
        get()/exists() read as of ``at``; getAfter()/existsAfter() the state the pending writes leave."""
        if caller.owner:
            return None
        ruleset = self.rules.for_project(db.id.project)
        if ruleset is None:
            return None
        root = f"projects/{db.id.project}/"

        def lookup(path: Path, after: bool) -> dict[str, Any] | None:
            name = root + "/".join(path.segments)
            if after and pending is not None:
                return resource(pending.current(name))
            return resource(db.get(name, at))

        return Decision(
            ruleset, caller, lookup, multi=multi, time=pending.time if pending is not None else None
        )

    def _authorize_listing(self, caller: Caller, ctx: ReadContext, request: Pb, page: list[Pb]) -> None:
        """ListDocuments is a list of each collection it lists, as a query without filters."""
        decision = self._decision(caller, ctx.db, ctx.at)
        if decision is None:
            return
        collections = (
            [request.collection_id] if request.collection_id else sorted({_collection_id(d) for d in page})
        )
        for collection_id in collections:
            query = StructuredQuery()
            query.from_.add(collection_id=collection_id)
            decision.query(request.parent, query, [d for d in page if _collection_id(d) == collection_id])

    def _listen_authorizer(self, caller: Caller, db: Database) -> Authorize | None:
        """How a Listen stream checks a target when it is added: its documents as gets, its query as a list, under
        the rules in force then (rules loaded after the stream opened apply to its later targets)."""
        if caller.owner:
            return None

        root = f"projects/{db.id.project}/"

        def authorize(target: TargetState, current: dict[str, Pb]) -> RuleDependencies | None:
            decision = self._decision(caller, db, None, multi=len(target.documents) > 1)
            if decision is None:
                return None
            if target.query is None:
                for name in sorted(target.documents):
                    decision.get(name, current.get(name))
            else:
                decision.query(target.parent, target.query, list(current.values()))
            return RuleDependencies(
                frozenset(root + path for path in decision.read_paths()), decision.used_documents
            )

        return authorize

    def _read_context(self, database: DatabaseId, request: Pb) -> ReadContext:
        """Resolve the request's consistency selector: a transaction, a new one, or a read time."""
        db = self.store.database(database)
        selector = request.WhichOneof("consistency_selector")
        transaction, at, new_id = None, None, b""
        if selector == "transaction":
            transaction = self.transactions.lookup(request.transaction, database)
        elif selector == "new_transaction":
            transaction = self.transactions.begin(database, request.new_transaction)
            new_id = transaction.id
        elif selector == "read_time":
            at = read_time_micros(request.read_time)
        if transaction is not None and transaction.read_only:
            at = transaction.read_time
        return ReadContext(db, at, transaction, new_id)

    async def _read_documents(self, ctx: ReadContext, names: list[str]) -> list[Pb | None]:
        """Read documents as of the context; in a read-write transaction lock them first and record what was read."""
        if ctx.locking is not None:
            await self.transactions.lock(ctx.locking, names)
        docs = [ctx.db.get(name, ctx.at) for name in names]
        if ctx.locking is not None:
            for name, doc in zip(names, docs, strict=True):
                ctx.locking.record_read(name, doc)
        return docs

    async def _query(self, ctx: ReadContext, request: Pb) -> tuple[list[Pb], int]:
        """Run a query (its results and how many the offset skipped); in a read-write transaction lock its
        results (re-running while new ones appear) and record it."""
        parent, query = request.parent, request.structured_query
        docs, skipped = _execute(ctx.db, parent, query, ctx.at)
        transaction = ctx.locking
        if transaction is None:
            return docs, skipped
        for _ in range(_QUERY_LOCK_ROUNDS):
            unlocked = [doc.name for doc in docs if doc.name not in transaction.locks]
            if not unlocked:
                break
            await self.transactions.lock(transaction, unlocked)
            docs, skipped = _execute(ctx.db, parent, query, None)
        transaction.queries.append(QueryRead(parent, query, versions(docs)))
        return docs, skipped

    def _ordered_listing(self, ctx: ReadContext, request: Pb, orders: list[Pb]) -> list[Pb]:
        """The documents ListDocuments lists, in order: by name, or in a collection by ``orders`` as a query
        orders them (documents lacking an ordered field left out, ties by name in the last direction)."""
        docs = self._listed_documents(ctx, request)
        if not request.collection_id or not orders:
            docs.sort(key=functools.cmp_to_key(_compare_names))
            return docs
        query = StructuredQuery(order_by=orders)
        query.from_.add(collection_id=request.collection_id)
        return query_engine.run_query(request.parent, query, docs)

    def _listed_documents(self, ctx: ReadContext, request: Pb) -> list[Pb]:
        """The documents ListDocuments considers, before ordering and paging."""
        if request.collection_id:
            parents = [f"{request.parent}/{request.collection_id}"]
        else:
            parents = list(ctx.db.child_paths(request.parent, ctx.at))
        docs: list[Pb] = []
        for collection in parents:
            if request.show_missing:
                for name, exists in ctx.db.child_paths(collection, ctx.at).items():
                    docs.append(ctx.db.get(name, ctx.at) if exists else P.Document(name=name))
            else:
                docs.extend(ctx.db.collection(collection, ctx.at))
        return docs

    async def _commit(
        self, database: DatabaseId, writes: list[Pb], transaction: Transaction | None, caller: Caller
    ) -> tuple[int, list[Pb]]:
        """Wait for locks on the written documents, then apply the writes atomically (no await from the check of
        the transaction to the commit), aborting the other transactions that read them; a client's writes must
        all be allowed by the rules, judged on the applied but not yet committed state (nothing is written when
        one is denied). The rules come before preconditions, as in Google's emulator: an update of a missing
        document that the rules refuse is PERMISSION_DENIED, one they allow NOT_FOUND."""
        check_write_count(len(writes))
        names = [write_target(write) for write in writes]
        await self.transactions.before_write(database, names, transaction)
        db = self.store.database(database)
        if transaction is not None:
            self.transactions.check_commit(transaction, db)
        pending = PendingCommit(db, db.next_commit_time())
        decision = self._decision(caller, db, None, pending, multi=len(writes) > 1 or transaction is not None)
        checks: list[WriteCheck] = []
        results = []
        for write, name in zip(writes, names, strict=True):
            before = pending.current(name) if decision is not None else None  # only the rules need it
            try:
                results.append(pending.apply(write, name))
            except (NotFound, AlreadyExists, FailedPrecondition):
                if (
                    decision is not None
                ):  # judged as if the precondition held; denied, or the precondition fails
                    after = _ignoring_precondition(db, pending, write, name)
                    decision.writes(
                        [*checks, WriteCheck(_write_method(write, before), name, db.get(name), after)]
                    )
                raise
            if decision is not None:
                checks.append(
                    WriteCheck(_write_method(write, before), name, db.get(name), pending.current(name))
                )
        if decision is not None:
            decision.writes(checks)
        self.transactions.take_over(database, names, transaction)
        db.commit(pending.time, pending.documents)
        return pending.time, results

    async def _written(self, database: DatabaseId, write: Pb, mask: Pb | None, caller: Caller) -> Pb:
        await self._commit(database, [write], None, caller)
        doc = self.store.database(database).get(write.update.name)
        return _project(doc, mask)


def _execute(db: Database, parent: str, query: Pb, at: int | None) -> tuple[list[Pb], int]:
    """Run a query on the database as of ``at`` (None: now): walking an order index when one gives the query's
    order (reads of the present only: an index holds the current documents), else over every candidate."""
    order = query_engine.index_order(parent, query) if at is None else None
    if order is None:
        return query_engine.execute_query(parent, query, db.candidates(parent, query, at))
    docs = db.ordered(order.path, order.field, order.descending)
    return query_engine.execute_query(parent, query, docs, presorted=True)


async def _pump(requests: AsyncIterator[Pb], queue: asyncio.Queue[object]) -> None:
    """Move a stream's incoming requests into its queue, then END (also when the client goes away)."""
    try:
        async for request in requests:
            queue.put_nowait(request)
    except asyncio.CancelledError:
        raise
    except Exception as error:  # the client's side failed: end the stream
        logger.debug("listen stream reader ended: %r", error)
    queue.put_nowait(END)


def _write_method(write: Pb, before: Pb | None) -> str:
    """The rules method of a write: delete; create with ``exists: false``, update with another precondition;
    without one, create for a new document and update for an existing one."""
    if write.WhichOneof("operation") == "delete":
        return "delete"
    precondition = write.current_document
    condition = precondition.WhichOneof("condition_type")
    if condition is not None:
        return "create" if condition == "exists" and not precondition.exists else "update"
    return "create" if before is None else "update"


def _ignoring_precondition(db: Database, pending: PendingCommit, write: Pb, name: str) -> Pb | None:
    """The document a write whose precondition failed would have left (for ``request.resource``); None when it
    fails without its precondition too."""
    scratch = PendingCommit(db, pending.time)
    scratch.documents = dict(pending.documents)
    unconditional = P.Write()
    unconditional.CopyFrom(write)
    unconditional.ClearField("current_document")
    try:
        scratch.apply(unconditional)
    except EmulatorError:
        return None
    return scratch.current(name)


def _collection_id(doc: Pb) -> str:
    return str(doc.name.rsplit("/", 2)[-2])


def _open_write_stream(request: Pb) -> DatabaseId:
    """Check a Write stream's first request, in the official emulator's words; its database."""
    if not request.database:
        raise InvalidArgument("'database' must be set on an initial write request.")
    if request.stream_id:
        raise InvalidArgument("Resuming streams is not supported, do not set stream ID.")
    if request.stream_token:
        raise InvalidArgument(
            "Resuming streams is not supported, 'stream_token' must not be set on an initial write request."
        )
    if request.writes:
        raise InvalidArgument("'writes' must not be set on an initial write request.")
    return parse_database(request.database)


def _project(doc: Pb, mask: Pb | None) -> Pb:
    """The document with only the fields in ``mask`` (all fields without one)."""
    if mask is None:
        return doc
    projected = P.Document(name=doc.name)
    if doc.HasField("create_time"):
        projected.create_time.CopyFrom(doc.create_time)
        projected.update_time.CopyFrom(doc.update_time)
    for path in mask.field_paths:
        parts = values.parse_field_path(path)
        value = values.get_field(doc.fields, parts)
        if value is not None:
            values.set_field(projected.fields, parts, value)
    return projected


def _compare_names(a: Pb, b: Pb) -> int:
    return values.compare_paths(a.name, b.name)


def _list_orders(order_by: str) -> list[Pb]:
    """ListDocuments' ``order_by`` ("field [asc|desc], ..."; field paths as in a query) as query orders."""
    orders = []
    for term in order_by.split(","):
        words = term.split()
        if not words and not order_by.strip():
            continue
        if not 1 <= len(words) <= 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise InvalidArgument(f"Invalid order_by {order_by!r}: expected 'field [asc|desc], ...'.")
        values.parse_field_path(words[0])  # INVALID_ARGUMENT in the official emulator's words
        descending = len(words) == 2 and words[1].lower() == "desc"
        direction = StructuredQuery.DESCENDING if descending else StructuredQuery.ASCENDING
        orders.append(
            StructuredQuery.Order(
                field=StructuredQuery.FieldReference(field_path=words[0]), direction=direction
            )
        )
    return orders


def _check_kindless_list_order(orders: list[Pb]) -> None:
    """Without a collection id only the name ascending is allowed, as the official emulator answers: the name
    descending is a descending key scan, anything else needs a kind."""
    if all(o.field.field_path == "__name__" and o.direction != StructuredQuery.DESCENDING for o in orders):
        return
    if len(orders) == 1 and orders[0].field.field_path == "__name__":
        raise FailedPrecondition(query_engine.DESCENDING_KEY_SCAN)
    raise InvalidArgument(query_engine.KINDLESS_ORDER)


def _page_token(last: str) -> str:
    """An opaque page token naming the last name (or id) listed: the next page starts after it, so pages stay
    consistent when documents before it come or go."""
    return base64.b64encode(StringValue(value=last).SerializeToString()).decode()


def _page_after(token: str) -> str:
    """The last name (or id) a page token names; INVALID_ARGUMENT for a token this emulator did not issue."""
    try:
        return str(StringValue.FromString(base64.b64decode(token, validate=True)).value)
    except (ValueError, DecodeError) as error:
        raise InvalidArgument(f"Invalid page_token {token!r}.") from error


# --- gRPC registration ---------------------------------------------------------------------------------------

Handler = Callable[[Pb, grpc.aio.ServicerContext], Awaitable[Pb]]


def _unary(method: Callable[[Pb, Caller], Awaitable[Pb]]) -> Handler:
    @functools.wraps(method)
    async def handler(request: Pb, context: grpc.aio.ServicerContext) -> Pb:
        try:
            return await method(request, caller_from_metadata(context.invocation_metadata()))
        except EmulatorError as error:
            await context.abort(error.code, error.message)
        except Exception as error:
            logger.exception("%s failed", method.__name__)
            await context.abort(grpc.StatusCode.UNKNOWN, f"Internal emulator error: {error!r}")
        raise AssertionError("unreachable: abort raises")

    return handler


def _streaming(
    method: Callable[[Any, Caller], AsyncIterator[Pb]],
) -> Callable[[Any, grpc.aio.ServicerContext], AsyncIterator[Pb]]:
    @functools.wraps(method)
    async def handler(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Pb]:
        try:
            async for response in method(request, caller_from_metadata(context.invocation_metadata())):
                yield response
        except EmulatorError as error:
            await context.abort(error.code, error.message)
        except Exception as error:
            logger.exception("%s failed", method.__name__)
            await context.abort(grpc.StatusCode.UNKNOWN, f"Internal emulator error: {error!r}")

    return handler


class _Opaque:
    """The request of an unsupported method: left unparsed, the method only answers UNIMPLEMENTED."""

    @staticmethod
    def FromString(data: bytes) -> bytes:  # the protobuf deserialiser's name
        return data


def _serialize(message: Pb | bytes) -> bytes:
    """A response's wire bytes; a response already serialised (Listen's shared document changes) passes as is."""
    if isinstance(message, bytes):
        return message
    return message.SerializeToString()  # type: ignore[no-any-return]


def _partition_query(name: str) -> Callable[[Pb, Caller], Awaitable[Pb]]:
    """PartitionQuery of the service ``name``: UNIMPLEMENTED in the official emulator's words."""

    async def partition_query(request: Pb, caller: Caller) -> Pb:
        raise Unimplemented(f"Method {name}/PartitionQuery is unimplemented")

    return partition_query


def generic_handler(service: FirestoreService, service_name: str = SERVICE) -> grpc.GenericRpcHandler:
    """The service's methods under their gRPC names in the service ``service_name``, with the raw messages'
    (de)serialisers."""
    s = service
    unary: list[tuple[str, Callable[[Pb, Caller], Awaitable[Pb]], Any]] = [
        ("GetDocument", s.get_document, P.GetDocumentRequest),
        ("ListDocuments", s.list_documents, P.ListDocumentsRequest),
        ("CreateDocument", s.create_document, P.CreateDocumentRequest),
        ("UpdateDocument", s.update_document, P.UpdateDocumentRequest),
        ("DeleteDocument", s.delete_document, P.DeleteDocumentRequest),
        ("BeginTransaction", s.begin_transaction, P.BeginTransactionRequest),
        ("Commit", s.commit, P.CommitRequest),
        ("Rollback", s.rollback, P.RollbackRequest),
        ("BatchWrite", s.batch_write, P.BatchWriteRequest),
        ("ListCollectionIds", s.list_collection_ids, P.ListCollectionIdsRequest),
        ("PartitionQuery", _partition_query(service_name), _Opaque),
    ]
    server_streaming: list[tuple[str, Callable[[Any, Caller], AsyncIterator[Pb]], Any]] = [
        ("BatchGetDocuments", s.batch_get_documents, P.BatchGetDocumentsRequest),
        ("RunQuery", s.run_query, P.RunQueryRequest),
        ("RunAggregationQuery", s.run_aggregation_query, P.RunAggregationQueryRequest),
        ("ExecutePipeline", s.execute_pipeline, P.ExecutePipelineRequest),
    ]
    bidi: list[tuple[str, Callable[[Any, Caller], AsyncIterator[Pb]], Any]] = [
        ("Listen", s.listen, P.ListenRequest),
        ("Write", s.write_stream, P.WriteRequest),
    ]
    handlers: dict[str, grpc.RpcMethodHandler] = {}
    for name, method, request_class in unary:
        handlers[name] = grpc.unary_unary_rpc_method_handler(
            _unary(method), request_deserializer=request_class.FromString, response_serializer=_serialize
        )
    for name, stream_method, request_class in server_streaming:
        handlers[name] = grpc.unary_stream_rpc_method_handler(
            _streaming(stream_method),
            request_deserializer=request_class.FromString,
            response_serializer=_serialize,
        )
    for name, bidi_method, request_class in bidi:
        handlers[name] = grpc.stream_stream_rpc_method_handler(
            _streaming(bidi_method),
            request_deserializer=request_class.FromString,
            response_serializer=_serialize,
        )
    return grpc.method_handlers_generic_handler(service_name, handlers)


def register(
    server: grpc.aio.Server,
    store: Store,
    lock_wait: float = LOCK_WAIT_SECONDS,
    rules: RulesRegistry | None = None,
) -> FirestoreService:
    """Add the Firestore service to a grpc.aio server, as ``google.firestore.v1.Firestore`` and, as the official
    emulator also serves it (its messages are the same on the wire), ``google.firestore.v1beta1.Firestore``;
    ``rules`` decide clients' requests (none: every request is allowed)."""
    service = FirestoreService(store, lock_wait, rules)
    server.add_generic_rpc_handlers(
        tuple(generic_handler(service, name) for name in (SERVICE, SERVICE_V1BETA1))
    )
    return service
