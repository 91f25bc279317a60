"""Evaluating rule expressions, with Google's error semantics and limits.

An expression either has a value or raises ``EvaluationError``. ``a || b`` is true when either side is true even
if the other is an error, ``a && b`` false when either side is false even if the other is an error; otherwise an
error propagates, and a condition that ends in an error (or in a non-bool) denies. The documented limits hold per
request: 1,000 expressions evaluated per condition, a call depth of 20, and 10 (single document) or 20 (several
documents) distinct document accesses by get/exists/getAfter/existsAfter.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from firestore_emulator.rules import library
from firestore_emulator.rules import syntax as S
from firestore_emulator.rules.errors import EvaluationError
from firestore_emulator.rules.types import (
    Bounded,
    Duration,
    Path,
    RulesSet,
    Timestamp,
    check_int,
    check_known,
    equal,
    is_number,
    range_kind,
    type_name,
)

MAX_EXPRESSIONS = 1000
MAX_CALL_DEPTH = 20
SINGLE_DOCUMENT_ACCESSES = 10
MULTI_DOCUMENT_ACCESSES = 20
Lookup = Callable[[Path, bool], dict[str, Any] | None]  # (path, after the write?) -> resource or None
_TYPE_NAMES = frozenset({"bool", "bytes", "constraint", "duration", "float", "int", "latlng", "list", "map",
                         "map_diff", "number", "path", "set", "string", "timestamp"})  # fmt: skip


@dataclass
class Budget:
    """The document accesses of one request (``limit`` distinct ones in all), shared by every rule evaluated for
    it, and at most 10 for the decision about any one document (as Google's emulator counts: a batch of two
    writes whose rules read 11 documents is refused); repeats count once."""

    limit: int
    lookup: Lookup
    seen: dict[tuple[str, bool], dict[str, Any] | None] = field(default_factory=dict)
    current: set[tuple[str, bool]] = field(default_factory=set)  # accesses for the document being decided

    def next_document(self) -> None:
        """Start the decision about another document of the request."""
        self.current = set()

    def read(self, path: Path, after: bool) -> dict[str, Any] | None:
        key = (str(path), after)
        if key not in self.current:
            if len(self.current) >= SINGLE_DOCUMENT_ACCESSES:
                raise EvaluationError(f"Exceeded maximum of {SINGLE_DOCUMENT_ACCESSES} document accesses.")
            if key not in self.seen and len(self.seen) >= self.limit:
                raise EvaluationError(f"Exceeded maximum of {self.limit} document accesses per request.")
            self.current.add(key)
        if key not in self.seen:
            self.seen[key] = self.lookup(path, after)
        return self.seen[key]


class Evaluator:
    """Evaluates the conditions of one request: ``variables`` are ``request``, ``resource`` and the path
    wildcards; ``functions`` the rule functions in scope."""

    def __init__(self, variables: dict[str, Any], functions: dict[str, S.Function], budget: Budget) -> None:
        self.variables = variables
        self.functions = functions
        self.budget = budget
        self.steps = 0
        self.depth = 0

    def condition(self, node: S.Node) -> bool:
        """The condition's verdict; an error or a non-bool raises ``EvaluationError``."""
        self.steps = 0
        result = self.eval(node, self.variables)
        if not isinstance(result, bool):
            raise EvaluationError(f"Condition is not a bool: {type_name(result)}.")
        return result

    def eval(self, node: S.Node, scope: dict[str, Any]) -> Any:
        self.steps += 1
        if self.steps > MAX_EXPRESSIONS:
            raise EvaluationError(f"Exceeded maximum of {MAX_EXPRESSIONS} expressions evaluated.")
        handler = _HANDLERS[type(node)]
        return handler(self, node, scope)

    # --- nodes ---

    def _literal(self, node: S.Literal, scope: dict[str, Any]) -> Any:
        return node.value

    def _name(self, node: S.Name, scope: dict[str, Any]) -> Any:
        if node.name in scope:
            return scope[node.name]
        if node.name in library.NAMESPACES:
            raise EvaluationError(f"{node.name} is a namespace, not a value.")
        raise EvaluationError(f"Variable {node.name} is not defined.")

    def _path(self, node: S.PathLiteral, scope: dict[str, Any]) -> Path:
        parts: list[str] = []
        for segment in node.segments:
            if isinstance(segment, str):
                parts.append(segment)
                continue
            value = check_known(self.eval(segment, scope))
            if isinstance(value, Path):
                parts.extend(value.segments)
            elif isinstance(value, str | int) and not isinstance(value, bool):
                parts.append(str(value))
            else:
                raise EvaluationError(f"A path segment must be a string, got {type_name(value)}.")
        return Path(tuple(parts))

    def _list(self, node: S.ListLiteral, scope: dict[str, Any]) -> list[Any]:
        return [self.eval(item, scope) for item in node.items]

    def _map(self, node: S.MapLiteral, scope: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.entries:
            key = self.eval(key_node, scope)
            if not isinstance(key, str):
                raise EvaluationError(f"Map keys must be strings, got {type_name(key)}.")
            out[key] = self.eval(value_node, scope)
        return out

    def _member(self, node: S.Member, scope: dict[str, Any]) -> Any:
        target = check_known(self.eval(node.target, scope))
        return member(target, node.name)

    def _index(self, node: S.Index, scope: dict[str, Any]) -> Any:
        target = check_known(self.eval(node.target, scope))
        index = check_known(self.eval(node.index, scope))
        if isinstance(target, dict):
            if not isinstance(index, str):
                raise EvaluationError(f"Map keys are strings, got {type_name(index)}.")
            return member(target, index)
        if isinstance(target, list | Path | str):
            items = target.segments if isinstance(target, Path) else target
            if not isinstance(index, int) or isinstance(index, bool):
                raise EvaluationError(f"An index must be an int, got {type_name(index)}.")
            if not 0 <= index < len(items):
                raise EvaluationError(f"Index out of bound error. Index: [{index}] , size: [{len(items)}].")
            return items[index]
        raise EvaluationError(f"Cannot index a {type_name(target)}.")

    def _slice(self, node: S.Slice, scope: dict[str, Any]) -> Any:
        target = check_known(self.eval(node.target, scope))
        start, end = self.eval(node.start, scope), self.eval(node.end, scope)
        if not isinstance(target, list | str) or not all(type_name(i) == "int" for i in (start, end)):
            raise EvaluationError("A range needs a list and int bounds.")
        if not 0 <= start <= end <= len(target):
            raise EvaluationError(f"Range [{start}:{end}] out of bounds.")
        return target[start:end]

    def _unary(self, node: S.Unary, scope: dict[str, Any]) -> Any:
        value = check_known(self.eval(node.operand, scope))
        if node.op == "!":
            if not isinstance(value, bool):
                raise EvaluationError(
                    f"Unsupported operation error. Received: !{type_name(value)}. Expected: !bool."
                )
            return not value
        if is_number(value):
            return check_int(-value) if isinstance(value, int) else -value
        if isinstance(value, Duration):
            return Duration(-value.nanos)
        raise EvaluationError(f"- needs a number, got {type_name(value)}.")

    def _binary(self, node: S.Binary, scope: dict[str, Any]) -> Any:
        if node.op in ("&&", "||"):
            return self._logical(node, scope)
        left, right = self.eval(node.left, scope), self.eval(node.right, scope)
        return binary(node.op, left, right)

    def _logical(self, node: S.Binary, scope: dict[str, Any]) -> bool:
        decisive = node.op == "||"  # the value of one side that decides the whole
        left_error: EvaluationError | None = None
        try:
            left = self.eval(node.left, scope)
            if not isinstance(left, bool):
                raise EvaluationError(f"{node.op} needs bools, got {type_name(left)}.")
            if left is decisive:
                return decisive
        except EvaluationError as error:
            left_error = error
        try:
            right = self.eval(node.right, scope)
            if not isinstance(right, bool):
                raise EvaluationError(f"{node.op} needs bools, got {type_name(right)}.")
        except EvaluationError:
            if left_error is not None:
                raise left_error from None  # both sides failed: the first error is the one reported
            raise
        if right is decisive or left_error is None:
            return right
        raise left_error

    def _is(self, node: S.IsType, scope: dict[str, Any]) -> bool:
        value = self.eval(node.operand, scope)
        if node.type_name not in _TYPE_NAMES:
            raise EvaluationError(f"Unknown type {node.type_name}.")
        if isinstance(value, Bounded):  # Google's evaluator: a range-constrained field is a constraint
            return node.type_name == "constraint"
        if node.type_name == "number":
            return is_number(value)
        return type_name(value) == node.type_name

    def _conditional(self, node: S.Conditional, scope: dict[str, Any]) -> Any:
        test = self.eval(node.test, scope)
        if not isinstance(test, bool):
            raise EvaluationError(f"A condition must be a bool, got {type_name(test)}.")
        return self.eval(node.then if test else node.otherwise, scope)

    def _call(self, node: S.Call, scope: dict[str, Any]) -> Any:
        if (
            isinstance(node.target, S.Name)
            and node.target.name in library.NAMESPACES
            and node.target.name not in scope
        ):
            return library.call_namespace(
                node.target.name, node.name, [self.eval(a, scope) for a in node.args]
            )
        if node.target is not None:
            target = check_known(self.eval(node.target, scope))
            return library.call_method(
                target, node.name, [check_known(self.eval(a, scope)) for a in node.args]
            )
        args = [self.eval(a, scope) for a in node.args]
        if node.name in ("get", "exists", "getAfter", "existsAfter"):
            return self._access(node.name, args)
        if node.name in self.functions:
            return self._user_function(self.functions[node.name], args)
        if node.name in library.FUNCTIONS:
            if len(args) != 1:
                raise EvaluationError(f"{node.name}() takes one argument.")
            return library.FUNCTIONS[node.name](check_known(args[0]))
        raise EvaluationError(f"Function not found error: Name: [{node.name}].")

    def _access(self, name: str, args: list[Any]) -> Any:
        if len(args) != 1 or not isinstance(args[0], Path):
            raise EvaluationError(f"{name}() takes one path.")
        found = self.budget.read(args[0], name.endswith("After"))
        if name.startswith("exists"):
            return found is not None
        if found is None:  # Google's evaluator: get() of a missing document is an error, not null
            raise EvaluationError(f"Service call error. Function: [{name}], Argument: [{args[0]}].")
        return found

    def _user_function(self, function: S.Function, args: list[Any]) -> Any:
        if len(args) != len(function.params):
            raise EvaluationError(
                f"{function.name}() takes {len(function.params)} arguments, got {len(args)}."
            )
        if self.depth >= MAX_CALL_DEPTH:
            raise EvaluationError(f"Exceeded maximum call depth of {MAX_CALL_DEPTH}.")
        scope = {**self.variables, **dict(zip(function.params, args, strict=True))}
        self.depth += 1
        try:
            for variable, expression in function.lets:
                scope[variable] = self.eval(expression, scope)
            return self.eval(function.body, scope)
        finally:
            self.depth -= 1


_HANDLERS: dict[type, Callable[[Evaluator, Any, dict[str, Any]], Any]] = {
    S.Literal: Evaluator._literal,
    S.Name: Evaluator._name,
    S.PathLiteral: Evaluator._path,
    S.ListLiteral: Evaluator._list,
    S.MapLiteral: Evaluator._map,
    S.Member: Evaluator._member,
    S.Index: Evaluator._index,
    S.Slice: Evaluator._slice,
    S.Unary: Evaluator._unary,
    S.Binary: Evaluator._binary,
    S.IsType: Evaluator._is,
    S.Conditional: Evaluator._conditional,
    S.Call: Evaluator._call,
}


def member(target: Any, name: str) -> Any:
    """``target.name``: a map's entry (an error when it is missing, as Google's evaluator answers)."""
    if target is None:
        raise EvaluationError("Null value error.")
    if isinstance(target, dict):
        if name not in target:
            raise EvaluationError(f"Property {name} is undefined on object.")
        return target[name]
    raise EvaluationError(f"Property {name} is undefined on {type_name(target)}.")


def binary(op: str, left: Any, right: Any) -> Any:
    """An arithmetic, comparison or membership operator applied to two values."""
    if op in _FLIPPED and (isinstance(left, Bounded) or isinstance(right, Bounded)):
        return _bounded(op, left, right)
    check_known(left)
    check_known(right)
    if op == "==":
        return equal(left, right)
    if op == "!=":
        return not equal(left, right)
    if op == "in":
        return _in(left, right)
    if op in ("<", "<=", ">", ">="):
        return _compare(op, left, right)
    return _arithmetic(op, left, right)


_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _bounded(op: str, left: Any, right: Any) -> bool:
    """A comparison of a range-constrained field, decided for every value the query admits."""
    field, other, op = (left, right, op) if isinstance(left, Bounded) else (right, left, _FLIPPED[op])
    if isinstance(other, Bounded) or range_kind(other) != field.interval.kind:
        raise EvaluationError(f"Unsupported operation error. Received: constraint {op} {type_name(other)}.")
    decided = field.interval.decide(op, other)
    if decided is None:
        raise EvaluationError(f"{field.what} {op} {other!r} is not decided by the query's constraints.")
    return decided


def _in(value: Any, container: Any) -> bool:
    if isinstance(container, dict):
        return isinstance(value, str) and value in container
    if isinstance(container, list):
        return any(equal(value, item) for item in container)
    if isinstance(container, RulesSet):
        return container.contains(value)
    raise EvaluationError(f"'in' needs a list, set or map, got {type_name(container)}.")


def _compare(op: str, left: Any, right: Any) -> bool:
    comparable = (is_number(left) and is_number(right)) or (
        type_name(left) == type_name(right)
        and type_name(left) in ("string", "bytes", "timestamp", "duration")
    )
    if not comparable:
        raise EvaluationError(
            f"Unsupported operation error. Received: {type_name(left)} {op} {type_name(right)}. Expected: string {op} "
            f"string, bytes {op} bytes, int {op} int, float {op} float, duration {op} duration, timestamp {op} timestamp."
        )
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    return bool(left >= right)


def _arithmetic(op: str, left: Any, right: Any) -> Any:
    if is_number(left) and is_number(right):
        return _numeric(op, left, right)
    if op == "+":
        if type_name(left) == type_name(right) and isinstance(left, str | bytes | list):
            return left + right
        if isinstance(left, Timestamp) and isinstance(right, Duration):
            return Timestamp(left.nanos + right.nanos)
        if isinstance(left, Duration) and isinstance(right, Timestamp):
            return Timestamp(left.nanos + right.nanos)
        if isinstance(left, Duration) and isinstance(right, Duration):
            return Duration(left.nanos + right.nanos)
    if op == "-":
        if isinstance(left, Timestamp) and isinstance(right, Timestamp):
            return Duration(left.nanos - right.nanos)
        if isinstance(left, Timestamp) and isinstance(right, Duration):
            return Timestamp(left.nanos - right.nanos)
        if isinstance(left, Duration) and isinstance(right, Duration):
            return Duration(left.nanos - right.nanos)
    raise EvaluationError(f"Cannot apply {type_name(left)} {op} {type_name(right)}.")


def _numeric(op: str, left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int):
        if op in ("/", "%") and right == 0:
            raise EvaluationError("Division by zero.")
        if op == "/":
            return check_int(int(left / right) if abs(left) < 2**52 else _int_divide(left, right))
        if op == "%":
            return check_int(left - right * _int_divide(left, right))
        return check_int({"+": left + right, "-": left - right, "*": left * right}[op])
    a, b = float(left), float(right)
    if op == "/":
        return a / b if b else (math.copysign(math.inf, a) * math.copysign(1, b) if a else math.nan)
    if op == "%":
        return math.fmod(a, b) if b else math.nan
    return {"+": a + b, "-": a - b, "*": a * b}[op]


def _int_divide(a: int, b: int) -> int:
    """Integer division truncating toward zero, as rules (and C) divide."""
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b >= 0) else -quotient
