"""Parse rules source into a ``Service`` (see syntax.py); any error raises ``RulesSyntaxError``.

Grammar (the subset of Google's rules language this emulator supports)::

    ruleset  := ["rules_version" "=" STRING [";"]] "service" NAME ("." NAME)* "{" (function | match)* "}"
    match    := "match" PATH "{" (match | allow | function)* "}"
    allow    := "allow" METHOD ("," METHOD)* [":" "if" expr] ";"
    function := "function" NAME "(" [NAME ("," NAME)*] ")" "{" ("let" NAME "=" expr ";")* "return" expr [";"] "}"
    expr     := or ["?" expr ":" expr]
    or       := and ("||" and)*          and := relation ("&&" relation)*
    relation := sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in") sum | "is" NAME)*
    sum      := product (("+" | "-") product)*      product := unary (("*" | "/" | "%") unary)*
    unary    := ("!" | "-") unary | postfix
    postfix  := primary ("." NAME ["(" args ")"] | "[" expr [":" expr] "]" | "(" args ")")*
    primary  := literal | NAME | PATH | "(" expr ")" | "[" args "]" | "{" [expr ":" expr ("," expr ":" expr)*] "}"
"""

from __future__ import annotations

import re
from collections.abc import Callable

from firestore_emulator.rules import syntax as S
from firestore_emulator.rules.errors import RulesSyntaxError
from firestore_emulator.rules.lexer import Lexer, RawSegment, Token

METHODS = {
    "read": frozenset({"get", "list"}),
    "write": frozenset({"create", "update", "delete"}),
    **{m: frozenset({m}) for m in ("get", "list", "create", "update", "delete")},
}
MAX_FUNCTION_ARGUMENTS = 7  # Google's documented limits
MAX_LET_BINDINGS = 10
_RELATIONS = frozenset({"==", "!=", "<", "<=", ">", ">=", "in"})
_REGEX_METHODS = frozenset({"matches", "split", "replace"})


def parse(source: str) -> S.Service:
    """The service of a ruleset's source."""
    return Parser(Lexer(source).tokens()).ruleset()


def parse_expression(source: str, line: int = 1, column: int = 1) -> S.Node:
    """One expression (a test helper, and how ``$(…)`` segments are parsed)."""
    parser = Parser(Lexer(source, line, column).tokens())
    node = parser.expression()
    parser.expect("EOF")
    return node


class Parser:
    """A recursive-descent parser over the lexer's tokens."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.pos]

    def error(self, message: str, token: Token | None = None) -> RulesSyntaxError:
        token = token or self.token
        return RulesSyntaxError(message, token.line, token.column)

    def accept(self, kind: str) -> Token | None:
        if self.token.kind == kind:
            self.pos += 1
            return self.tokens[self.pos - 1]
        return None

    def expect(self, kind: str) -> Token:
        token = self.accept(kind)
        if token is None:
            found = "end of input" if self.token.kind == "EOF" else f"'{self.token.value}'"
            raise self.error(f"Unexpected {found}, expected '{kind}'.")
        return token

    def name(self) -> str:
        return str(self.expect("IDENT").value)

    # --- structure ---

    def ruleset(self) -> S.Service:
        version = "1"
        if self.accept("rules_version"):
            self.expect("=")
            version = str(self.expect("STRING").value)
            if version not in ("1", "2"):
                raise self.error(f"Unsupported rules_version '{version}'.", self.tokens[self.pos - 1])
            self.accept(";")
        self.expect("service")
        service_name = [self.name()]
        while self.accept("."):
            service_name.append(self.name())
        if ".".join(service_name) != "cloud.firestore":
            raise self.error(f"Unsupported service '{'.'.join(service_name)}'; expected cloud.firestore.")
        service = S.Service(version)
        self.expect("{")
        while not self.accept("}"):
            if self.token.kind == "function":
                self._add_function(service.functions)
            elif self.token.kind == "match":
                service.matches.append(self.match())
            else:
                raise self.error(f"Unexpected '{self.token.value}'.")
        self.expect("EOF")
        return service

    def match(self) -> S.Match:
        self.expect("match")
        path = self.token
        if path.kind != "PATH":
            raise self.error("Missing path after 'match'.")
        self.pos += 1
        block = S.Match(tuple(_pattern(segment) for segment in path.value))  # type: ignore[attr-defined]
        self.expect("{")
        while not self.accept("}"):
            if self.token.kind == "match":
                block.children.append(self.match())
            elif self.token.kind == "allow":
                block.allows.append(self.allow())
            elif self.token.kind == "function":
                self._add_function(block.functions)
            else:
                raise self.error(f"Unexpected '{self.token.value}'.")
        return block

    def allow(self) -> S.Allow:
        start = self.expect("allow")
        methods: set[str] = set()
        while True:
            token = self.expect("IDENT")
            if token.value not in METHODS:
                raise self.error(f"Unknown method '{token.value}'.", token)
            methods |= METHODS[str(token.value)]
            if not self.accept(","):
                break
        condition = None
        if self.accept(":"):
            self.expect("if")
            condition = self.expression()
        self.expect(";")
        return S.Allow(frozenset(methods), condition, start.line)

    def _add_function(self, functions: dict[str, S.Function]) -> None:
        start = self.expect("function")
        name = self.name()
        self.expect("(")
        params: list[str] = []
        while not self.accept(")"):
            if params:
                self.expect(",")
            params.append(self.name())
        if len(params) > MAX_FUNCTION_ARGUMENTS:
            raise self.error(f"Function '{name}' has more than {MAX_FUNCTION_ARGUMENTS} arguments.", start)
        self.expect("{")
        lets: list[tuple[str, S.Node]] = []
        while self.accept("let"):
            variable = self.name()
            self.expect("=")
            lets.append((variable, self.expression()))
            self.expect(";")
        if len(lets) > MAX_LET_BINDINGS:
            raise self.error(f"Function '{name}' has more than {MAX_LET_BINDINGS} let bindings.", start)
        self.expect("return")
        body = self.expression()
        self.accept(";")
        self.expect("}")
        if name in functions:
            raise self.error(f"Function '{name}' is declared twice.", start)
        functions[name] = S.Function(name, tuple(params), tuple(lets), body, start.line)

    # --- expressions ---

    def expression(self) -> S.Node:
        test = self._or()
        token = self.accept("?")
        if token is None:
            return test
        then = self.expression()
        self.expect(":")
        return S.Conditional(token.line, token.column, test, then, self.expression())

    def _binary(self, operators: frozenset[str], operand: Callable[[], S.Node]) -> S.Node:
        left = operand()
        while self.token.kind in operators:
            token = self.tokens[self.pos]
            self.pos += 1
            left = S.Binary(token.line, token.column, token.kind, left, operand())
        return left

    def _or(self) -> S.Node:
        return self._binary(frozenset({"||"}), self._and)

    def _and(self) -> S.Node:
        return self._binary(frozenset({"&&"}), self._relation)

    def _relation(self) -> S.Node:
        left = self._sum()
        while self.token.kind in _RELATIONS or self.token.kind == "is":
            token = self.tokens[self.pos]
            self.pos += 1
            if token.kind == "is":
                left = S.IsType(token.line, token.column, left, self.name())
            else:
                left = S.Binary(token.line, token.column, token.kind, left, self._sum())
        return left

    def _sum(self) -> S.Node:
        return self._binary(frozenset({"+", "-"}), self._product)

    def _product(self) -> S.Node:
        return self._binary(frozenset({"*", "/", "%"}), self._unary)

    def _unary(self) -> S.Node:
        token = self.token
        if token.kind in ("!", "-"):
            self.pos += 1
            return S.Unary(token.line, token.column, token.kind, self._unary())
        return self._postfix()

    def _postfix(self) -> S.Node:
        node = self._primary()
        while True:
            token = self.token
            if self.accept("."):
                name = self.name()
                if self.accept("("):
                    node = S.Call(token.line, token.column, node, name, self._args(")"))
                    _check_pattern(node)
                else:
                    node = S.Member(token.line, token.column, node, name)
            elif self.accept("["):
                index = self.expression()
                if self.accept(":"):
                    node = S.Slice(token.line, token.column, node, index, self.expression())
                else:
                    node = S.Index(token.line, token.column, node, index)
                self.expect("]")
            elif self.token.kind == "(" and isinstance(node, S.Name):
                self.pos += 1
                node = S.Call(node.line, node.column, None, node.name, self._args(")"))
            else:
                return node

    def _args(self, close: str) -> tuple[S.Node, ...]:
        args: list[S.Node] = []
        while not self.accept(close):
            if args:
                self.expect(",")
            args.append(self.expression())
        return tuple(args)

    def _primary(self) -> S.Node:
        token = self.token
        self.pos += 1
        if token.kind in ("INT", "FLOAT", "STRING", "BYTES"):
            return S.Literal(token.line, token.column, token.value)
        if token.kind in ("true", "false", "null"):
            return S.Literal(
                token.line, token.column, {"true": True, "false": False, "null": None}[token.kind]
            )
        if token.kind == "IDENT":
            return S.Name(token.line, token.column, str(token.value))
        if token.kind == "PATH":
            return S.PathLiteral(token.line, token.column, tuple(_path_segment(s) for s in token.value))  # type: ignore[attr-defined]
        if token.kind == "(":
            node = self.expression()
            self.expect(")")
            return node
        if token.kind == "[":
            return S.ListLiteral(token.line, token.column, self._args("]"))
        if token.kind == "{":
            entries: list[tuple[S.Node, S.Node]] = []
            while not self.accept("}"):
                if entries:
                    self.expect(",")
                key = self.expression()
                self.expect(":")
                entries.append((key, self.expression()))
            return S.MapLiteral(token.line, token.column, tuple(entries))
        found = "end of input" if token.kind == "EOF" else f"'{token.value}'"
        raise self.error(f"Unexpected {found}.", token)


def _check_pattern(call: S.Call) -> None:
    """A literal regular expression of ``matches``, ``split`` or ``replace`` must compile (Google checks them when
    it compiles the rules)."""
    if call.name not in _REGEX_METHODS or not call.args or not isinstance(call.args[0], S.Literal):
        return
    pattern = call.args[0].value
    if isinstance(pattern, str):
        try:
            re.compile(pattern)
        except re.error:
            raise RulesSyntaxError(
                f"Invalid regular expression pattern. Pattern: {pattern}.",
                call.args[0].line,
                call.args[0].column,
            ) from None


def _pattern(segment: RawSegment) -> S.PatternSegment:
    if segment.kind == "wildcard":
        return S.PatternSegment(variable=segment.text, recursive=segment.recursive)
    if segment.kind == "expression":
        raise RulesSyntaxError("A match path cannot hold $(…).", segment.line, segment.column)
    return S.PatternSegment(text=segment.text)


def _path_segment(segment: RawSegment) -> str | S.Node:
    if segment.kind == "expression":
        return parse_expression(segment.text, segment.line, segment.column)
    if segment.kind == "wildcard":
        raise RulesSyntaxError(
            "A path in an expression cannot hold {variables}; use $(…).", segment.line, segment.column
        )
    return segment.text
