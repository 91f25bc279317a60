"""The parsed ruleset: expression nodes and the service / match / allow / function structure.

Every node keeps the line and column it starts at: denials and evaluation errors name them as Google's emulator
does (``false for 'get' @ L5``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Node:
    line: int
    column: int


@dataclass(frozen=True)
class Literal(Node):
    value: object


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class PathLiteral(Node):
    """A path in an expression: each segment a plain string or an expression (from ``$(…)``)."""

    segments: tuple[str | Node, ...]


@dataclass(frozen=True)
class ListLiteral(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True)
class MapLiteral(Node):
    entries: tuple[tuple[Node, Node], ...]


@dataclass(frozen=True)
class Member(Node):
    target: Node
    name: str


@dataclass(frozen=True)
class Index(Node):
    target: Node
    index: Node


@dataclass(frozen=True)
class Slice(Node):
    target: Node
    start: Node
    end: Node


@dataclass(frozen=True)
class Call(Node):
    """``name(args)`` (a function) or ``target.name(args)`` (a method, or a namespace's function)."""

    target: Node | None
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Unary(Node):
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class IsType(Node):
    operand: Node
    type_name: str


@dataclass(frozen=True)
class Conditional(Node):
    test: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True)
class Function:
    name: str
    params: tuple[str, ...]
    lets: tuple[tuple[str, Node], ...]
    body: Node
    line: int


@dataclass(frozen=True)
class PatternSegment:
    """One segment of a ``match`` path: a literal ``text``, or a ``variable`` (``recursive`` for ``{x=**}``)."""

    text: str = ""
    variable: str = ""
    recursive: bool = False


@dataclass(frozen=True)
class Allow:
    methods: frozenset[str]  # of get, list, create, update, delete (read and write expanded)
    condition: Node | None  # None: ``allow read;`` allows unconditionally
    line: int


@dataclass
class Match:
    pattern: tuple[PatternSegment, ...]
    allows: list[Allow] = field(default_factory=list)
    functions: dict[str, Function] = field(default_factory=dict)
    children: list[Match] = field(default_factory=list)


@dataclass
class Service:
    """A parsed ``service cloud.firestore { … }``: its top-level functions and match blocks."""

    version: str
    functions: dict[str, Function] = field(default_factory=dict)
    matches: list[Match] = field(default_factory=list)
