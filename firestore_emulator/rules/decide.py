"""Deciding requests: which ``match`` blocks apply to a path, which ``allow`` statements to a method, and the
verdict, raising ``PermissionDenied`` in Google's emulator's words.

Queries (list) are decided from their constraints, as Google decides them ("rules are not filters"): the rule is
evaluated once against an abstract document whose fields are the query's equality filters. A rule that reads a
field the query does not constrain fails (``Property owner is undefined on object.``) and the whole query is
denied, however many (or few) documents it would return. Where a rule needs a field the query constrains by
something other than equality (``<``, ``in``, ``array-contains``, ``!=``, or inside an ``or``), this emulator
cannot decide from the constraints and falls back to evaluating the rule on every document the query returns,
denying the query if any is denied. A collection-group query's documents lie at unknown depths below its parent:
only a recursive wildcard (``{path=**}``) matches the unknown part, bound to an unknown value.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from firestore_emulator.errors import InvalidArgument
from firestore_emulator.protos import Pb, now_micros
from firestore_emulator.rules import syntax as S
from firestore_emulator.rules.errors import EvaluationError, PermissionDenied
from firestore_emulator.rules.evaluator import Budget, Evaluator, Lookup
from firestore_emulator.rules.parser import parse
from firestore_emulator.rules.types import (
    Bounded,
    Interval,
    Path,
    Timestamp,
    Unknown,
    from_value,
    path_of_name,
    range_kind,
    resource,
)

NO_MATCH = "No matching allow statements"  # Google's emulator's words when no allow statement applies
OWNER_TOKEN = "owner"  # the bearer token server libraries send to an emulator: bypasses the rules
_RANGES = {1: "<", 2: "<=", 3: ">", 4: ">="}  # StructuredQuery.FieldFilter.Operator
_EQUAL, _IN = 5, 8
_AND = 1  # StructuredQuery.CompositeFilter.Operator.AND


class AnyPath:
    """The unknown segments between a collection-group query's parent and its collection: zero or more, matched
    only by a recursive wildcard."""


Segment = str | Unknown | AnyPath


@dataclass(frozen=True)
class Caller:
    """Who sends a request: the owner (server libraries: rules bypassed), or a client with its bearer ``token``
    (None when signed out), read only when rules apply, so that without rules any token is accepted as before."""

    owner: bool
    token: str | None = None

    @property
    def auth(self) -> dict[str, Any] | None:
        """``request.auth``: None when signed out, else ``{"uid", "token"}`` from the unsigned JWT the client SDKs
        send to an emulator; INVALID_ARGUMENT ``invalid jwt`` (Google's emulator's answer) for any other token."""
        return None if self.token is None else _claims_auth(self.token)


OWNER = Caller(owner=True)


def signed_in(claims: dict[str, Any]) -> Caller:
    """A client signed in with these claims (a test helper, and what an unsigned JWT of them means)."""
    return Caller(owner=False, token=unsigned_jwt(claims))


def unsigned_jwt(claims: dict[str, Any]) -> str:
    """A token as the JS SDK's ``mockUserToken`` makes it: alg "none", the claims in the payload, no signature."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def caller_from_metadata(metadata: Sequence[tuple[str, Any]] | None) -> Caller:
    """The caller named by a request's ``authorization`` metadata (``Bearer owner``: the owner)."""
    header = next((str(value) for key, value in metadata or () if key.lower() == "authorization"), "")
    if not header:
        return Caller(owner=False)
    token = header.removeprefix("Bearer ").strip()
    return OWNER if token == OWNER_TOKEN else Caller(owner=False, token=token)


def _claims_auth(token: str) -> dict[str, Any]:
    parts = token.split(".")
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (IndexError, ValueError, binascii.Error):
        raise InvalidArgument("invalid jwt") from None
    if not isinstance(claims, dict):
        raise InvalidArgument("invalid jwt")
    uid = claims.get("user_id", claims.get("sub"))
    return {"uid": uid, "token": claims}


class Ruleset:
    """A compiled ruleset (``RulesSyntaxError`` if the source does not compile)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.service = parse(source)

    def applicable(
        self, segments: Sequence[Segment]
    ) -> Iterator[tuple[S.Match, dict[str, Any], dict[str, S.Function]]]:
        """The match blocks whose full path matches ``segments``, with their variables and functions in scope."""
        yield from _walk(self.service.matches, tuple(segments), {}, dict(self.service.functions))

    def decide(
        self, method: str, segments: Sequence[Segment], variables: dict[str, Any], budget: Budget
    ) -> str | None:
        """None when some ``allow`` for ``method`` grants the request; otherwise the denial's reasons."""
        budget.next_document()
        reasons: list[str] = []
        for block, bindings, functions in self.applicable(segments):
            for allow in block.allows:
                if method not in allow.methods:
                    continue
                if allow.condition is None:
                    return None
                evaluator = Evaluator({**variables, **bindings}, functions, budget)
                try:
                    if evaluator.condition(allow.condition):
                        return None
                    reasons.append(f"false for '{method}' @ L{allow.line}")
                except EvaluationError as error:
                    reasons.append(f"{error} for '{method}' @ L{allow.line}")
        return "\n" + ", ".join(reasons) if reasons else NO_MATCH


def _walk(
    blocks: Sequence[S.Match],
    segments: tuple[Segment, ...],
    bindings: dict[str, Any],
    functions: dict[str, S.Function],
) -> Iterator[tuple[S.Match, dict[str, Any], dict[str, S.Function]]]:
    for block in blocks:
        scope = {**functions, **block.functions}
        for bound, rest in _consume(block.pattern, segments, bindings):
            if not rest:
                yield block, bound, scope
            elif block.children:
                yield from _walk(block.children, rest, bound, scope)


def _consume(
    pattern: Sequence[S.PatternSegment], segments: tuple[Segment, ...], bindings: dict[str, Any]
) -> Iterator[tuple[dict[str, Any], tuple[Segment, ...]]]:
    """Every way ``pattern`` matches a prefix of ``segments``: the bindings and the segments left over."""
    if not pattern:
        yield bindings, segments
        return
    head, tail = pattern[0], pattern[1:]
    if head.recursive:
        for count in range(len(segments) + 1):
            taken = segments[:count]
            known = all(isinstance(s, str) for s in taken)  # a path with unknown segments is unknown
            value = Path(tuple(str(s) for s in taken)) if known else Unknown(f"{{{head.variable}}}")
            yield from _consume(tail, segments[count:], {**bindings, head.variable: value})
        return
    if not segments:
        return
    first = segments[0]
    if isinstance(first, AnyPath):
        return
    if head.variable:
        yield from _consume(tail, segments[1:], {**bindings, head.variable: first})
    elif isinstance(first, str) and first == head.text:
        yield from _consume(tail, segments[1:], bindings)


@dataclass(frozen=True)
class WriteCheck:
    """One write of a commit as rules see it: its method, the document before the commit and after the write."""

    method: str  # create, update or delete
    name: str
    before: Pb | None
    after: Pb | None


class Decision:
    """The rules checks of one request by a client: document reads, queries and writes.

    ``lookup`` reads documents for get()/exists() (and, with ``after``, getAfter()/existsAfter()); ``multi``
    says whether the request touches several documents (20 accesses allowed instead of 10); ``time`` (in
    microseconds; default now) is ``request.time``: a commit's time, so that server timestamps equal it.
    """

    def __init__(
        self,
        ruleset: Ruleset,
        caller: Caller,
        lookup: Lookup,
        *,
        multi: bool = False,
        time: int | None = None,
    ) -> None:
        self.ruleset = ruleset
        self.caller = caller
        self.budget = Budget(20 if multi else 10, lookup)
        self.time = Timestamp((now_micros() if time is None else time) * 1000)
        self.auth = caller.auth
        self.used_documents = False  # whether a verdict rested on the documents themselves (``resource``)

    def read_paths(self) -> frozenset[str]:
        """The documents the rules read (get/exists and their After forms), as paths below the project
        (``databases/(default)/documents/…``): what a verdict depends on besides the documents judged."""
        return frozenset(key.lstrip("/") for key, _ in self.budget.seen)

    def _request(self, method: str, path: Path, **extra: Any) -> dict[str, Any]:
        return {"auth": self.auth, "method": method, "path": path, "time": self.time, **extra}

    def _enforce(self, method: str, segments: Sequence[Segment], variables: dict[str, Any]) -> None:
        verdict = self.ruleset.decide(method, segments, variables, self.budget)
        if verdict is not None:
            raise PermissionDenied(verdict)

    def get(self, name: str, doc: Pb | None) -> None:
        """A read of one document (``doc``: as stored, None when missing)."""
        path = path_of_name(name)
        self.used_documents = True
        self._enforce(
            "get", path.segments, {"request": self._request("get", path), "resource": resource(doc)}
        )

    def writes(self, checks: Sequence[WriteCheck]) -> None:
        """Every write of a commit must be allowed (one denial denies the commit)."""
        for check in checks:
            path = path_of_name(check.name)
            request = self._request(check.method, path, resource=resource(check.after))
            self._enforce(
                check.method, path.segments, {"request": request, "resource": resource(check.before)}
            )

    def query(self, parent: str, query: Pb, returned: Sequence[Pb]) -> None:
        """A list (RunQuery, a Listen query target, ListDocuments as a query without filters); ``returned``: the
        documents it returns, used only where the constraints cannot decide (see the module's docstring)."""
        partial: list[Unknown] = []
        data = _constrained(query.where, partial) if query.HasField("where") else {}
        abstract = {"__name__": Unknown("resource.__name__"), "id": Unknown("resource.id"), "data": data}
        collection_path = path_of_name(parent).segments
        request = self._request("list", Path(collection_path), query=_query_info(query))
        variables = {"request": request, "resource": abstract}
        selector = query.from_[0] if query.from_ else None
        below: tuple[Segment, ...] = (AnyPath(),) if selector is not None and selector.all_descendants else ()
        collection = selector.collection_id if selector is not None else ""
        segments = (*collection_path, *below, collection, Unknown("the document id"))
        verdict = self.ruleset.decide("list", segments, variables, self.budget)
        if verdict is None:
            return
        if not any(u.touched for u in partial):
            raise PermissionDenied(verdict)
        self.used_documents = True
        for doc in returned:
            path = path_of_name(doc.name)
            self._enforce("list", path.segments, {"request": request, "resource": resource(doc)})


def _query_info(query: Pb) -> dict[str, Any]:
    """``request.query``: limit, offset and orderBy of a list request."""
    limit = query.limit.value if query.HasField("limit") else None
    order_by = [order.field.field_path for order in query.order_by]
    return {"limit": limit, "offset": query.offset, "orderBy": order_by[0] if order_by else None}


def _constrained(where: Pb, partial: list[Unknown]) -> dict[str, Any]:
    """The abstract document's data: the value an equality (or a one-value ``in``) fixes, a ``Bounded`` interval
    for range filters (numbers, strings, timestamps), an ``Unknown`` (partial: listed in ``partial``) for any other constraint;
    unconstrained fields are absent."""
    constraints: dict[tuple[str, ...], list[tuple[str, Any]]] = {}
    for path, op, value in _filter_fields(where, conjunctive=True):
        constraints.setdefault(path, []).append((op, value))
    data: dict[str, Any] = {}
    for path, terms in constraints.items():
        _place(data, path, _field_value(".".join(path), terms, partial))
    return data


def _field_value(name: str, terms: list[tuple[str, Any]], partial: list[Unknown]) -> Any:
    exact = [value for op, value in terms if op == "=="]
    if exact:
        return exact[0]
    kinds = {range_kind(value) for _, value in terms}
    if all(op in _RANGES.values() for op, _ in terms) and len(kinds) == 1 and None not in kinds:
        interval = Interval(kinds.pop() or "")
        for op, value in terms:
            interval.narrow(op, value)
        return Bounded(f"resource.data.{name}", interval)
    unknown = Unknown(f"resource.data.{name}", partial=True)
    partial.append(unknown)
    return unknown


def _filter_fields(where: Pb, conjunctive: bool) -> Iterator[tuple[tuple[str, ...], str, Any]]:
    """(field path, operator, value) of each term of a filter: ``==`` with the value for an equality (or a
    one-value ``in``) in a conjunction, the operator and value for a range in a conjunction, ``?`` otherwise."""
    kind = where.WhichOneof("filter_type")
    if kind == "composite_filter":
        both = conjunctive and where.composite_filter.op == _AND
        for sub in where.composite_filter.filters:
            yield from _filter_fields(sub, both)
        return
    leaf = where.field_filter if kind == "field_filter" else where.unary_filter
    path = tuple(leaf.field.field_path.split("."))
    if not conjunctive or kind != "field_filter":
        yield path, "?", None
    elif leaf.op == _EQUAL:
        yield path, "==", from_value(leaf.value, "")
    elif leaf.op == _IN and len(leaf.value.array_value.values) == 1:
        yield path, "==", from_value(leaf.value.array_value.values[0], "")
    elif leaf.op in _RANGES:
        yield path, _RANGES[leaf.op], from_value(leaf.value, "")
    else:
        yield path, "?", None


def _place(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        inner = data.get(part)
        if not isinstance(inner, dict):
            inner = data[part] = {}
        data = inner
    data[path[-1]] = value


class RulesRegistry:
    """The rules in force: one ruleset for every project (``--rules``), overridden per project by REST."""

    def __init__(self, default: Ruleset | None = None) -> None:
        self.default = default
        self.projects: dict[str, Ruleset] = {}

    def set(self, project: str, source: str) -> None:
        """Compile and install rules for a project; a compile error raises and the previous rules stay."""
        self.projects[project] = Ruleset(source)

    def for_project(self, project: str) -> Ruleset | None:
        """The project's ruleset; None when no rules are loaded (every request is allowed)."""
        return self.projects.get(project, self.default)
