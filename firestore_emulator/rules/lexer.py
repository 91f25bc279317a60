"""Tokens of the security rules language.

A ``/`` where a value cannot end (at the start, after an operator, a keyword, ``(`` or ``,``) starts a path
literal: ``/databases/{database}/documents`` after ``match``, ``/databases/$(database)/documents/jobs/$(id)`` in an
expression. It is read whole into one ``PATH`` token whose segments are kept raw (``$(…)`` text is parsed later by
the parser), because path segments such as ``(default)`` (a literal segment: only ``$(…)`` is evaluated) or
``{doc=**}`` are not tokens of the expression language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from firestore_emulator.rules.errors import RulesSyntaxError

KEYWORDS = frozenset(
    {
        "rules_version",
        "service",
        "match",
        "allow",
        "if",
        "function",
        "let",
        "return",
        "true",
        "false",
        "null",
        "in",
        "is",
    }
)
_PUNCTUATION = ("&&", "||", "==", "!=", "<=", ">=", "{", "}", "(", ")", "[", "]", ";", ",", ".", ":", "?", "!",
                "=", "<", ">", "+", "-", "*", "/", "%")  # fmt: skip
_VALUE_ENDS = frozenset({"IDENT", "INT", "FLOAT", "STRING", "BYTES", "PATH", ")", "]"})
_SPACE = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)+", re.DOTALL)
_NUMBER = re.compile(
    r"(?:\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|0[xX][0-9a-fA-F]+|\d+)"
)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PLAIN_SEGMENT = re.compile(r"[^/\s(){}\[\],;$]+")
_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "0": "\0",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}


@dataclass(frozen=True)
class Token:
    """One token: its kind (``IDENT``, ``INT``, ``FLOAT``, ``STRING``, ``BYTES``, ``PATH``, a keyword or a
    punctuation mark), its value, and where it starts (1-based line and column)."""

    kind: str
    value: object
    line: int
    column: int


@dataclass(frozen=True)
class RawSegment:
    """One segment of a path literal as written: ``text`` for a plain segment, ``wildcard`` (``{x}`` or
    ``{x=**}``: ``name``, ``recursive``), or ``expression`` (the source inside ``$(…)``, at ``line``/``column``)."""

    kind: str
    text: str
    line: int = 0
    column: int = 0
    recursive: bool = False


class Lexer:
    """Turns rules source into tokens (``tokens()``), raising ``RulesSyntaxError`` with a line and column."""

    def __init__(self, source: str, line: int = 1, column: int = 1) -> None:
        self.source = source
        self.pos = 0
        self.line = line
        self.column = column

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        while True:
            self._skip_space()
            if self.pos >= len(self.source):
                out.append(Token("EOF", None, self.line, self.column))
                return out
            previous = out[-1].kind if out else ""
            out.append(self._next(previous))

    def _error(self, message: str) -> RulesSyntaxError:
        return RulesSyntaxError(message, self.line, self.column)

    def _advance(self, count: int) -> str:
        text = self.source[self.pos : self.pos + count]
        for char in text:
            if char == "\n":
                self.line, self.column = self.line + 1, 1
            else:
                self.column += 1
        self.pos += count
        return text

    def _skip_space(self) -> None:
        match = _SPACE.match(self.source, self.pos)
        if match:
            self._advance(match.end() - self.pos)

    def _next(self, previous: str) -> Token:
        line, column = self.line, self.column
        char = self.source[self.pos]
        if char == "/" and previous not in _VALUE_ENDS:
            return Token("PATH", self._path(), line, column)
        if char in "'\"" or (char in "bBrR" and self.source[self.pos + 1 : self.pos + 2] in ("'", '"')):
            return self._string(line, column)
        number = _NUMBER.match(self.source, self.pos)
        if number and (char.isdigit() or char == "."):
            text = self._advance(number.end() - self.pos)
            if text.lower().startswith("0x"):
                return Token("INT", int(text, 16), line, column)
            if any(c in text for c in ".eE"):
                return Token("FLOAT", float(text), line, column)
            return Token("INT", int(text), line, column)
        ident = _IDENT.match(self.source, self.pos)
        if ident:
            text = self._advance(ident.end() - self.pos)
            return Token(text if text in KEYWORDS else "IDENT", text, line, column)
        for mark in _PUNCTUATION:
            if self.source.startswith(mark, self.pos):
                self._advance(len(mark))
                return Token(mark, mark, line, column)
        raise self._error(f"Unexpected '{char}'.")

    def _string(self, line: int, column: int) -> Token:
        kind = "STRING"
        raw = False
        if self.source[self.pos] in "bB":
            kind = "BYTES"
            self._advance(1)
        elif self.source[self.pos] in "rR":
            raw = True
            self._advance(1)
        quote = self._advance(1)
        chars: list[str] = []
        while True:
            if self.pos >= len(self.source) or self.source[self.pos] == "\n":
                raise RulesSyntaxError("Unterminated string.", line, column)
            char = self._advance(1)
            if char == quote:
                break
            if char == "\\" and not raw:
                chars.append(self._escape())
            else:
                chars.append(char)
        text = "".join(chars)
        return Token(kind, text.encode() if kind == "BYTES" else text, line, column)

    def _escape(self) -> str:
        char = self._advance(1)
        if char in _ESCAPES:
            return _ESCAPES[char]
        if char in "xu":
            width = 2 if char == "x" else 4
            digits = self._advance(width)
            try:
                return chr(int(digits, 16))
            except ValueError:
                raise self._error(f"Bad escape \\{char}{digits}.") from None
        raise self._error(f"Bad escape \\{char}.")

    def _path(self) -> list[RawSegment]:
        segments: list[RawSegment] = []
        while self.pos < len(self.source) and self.source[self.pos] == "/":
            self._advance(1)
            segments.append(self._segment())
        return segments

    def _segment(self) -> RawSegment:
        line, column = self.line, self.column
        rest = self.source[self.pos :]
        if rest.startswith("$("):
            self._advance(2)
            start_line, start_column = self.line, self.column
            return RawSegment("expression", self._balanced(line, column), start_line, start_column)
        if rest.startswith("("):  # (default): a literal segment, as Google's compiler reads it
            self._advance(1)
            return RawSegment("text", f"({self._balanced(line, column)})", line, column)
        if rest.startswith("{"):
            end = rest.find("}")
            if end < 0:
                raise self._error("Unterminated path variable.")
            inner = self._advance(end + 1)[1:-1].strip()
            name, _, glob = inner.partition("=")
            if not _IDENT.fullmatch(name.strip()) or (glob and glob.strip() != "**"):
                raise RulesSyntaxError(f"Bad path variable {{{inner}}}.", line, column)
            return RawSegment("wildcard", name.strip(), line, column, recursive=bool(glob))
        plain = _PLAIN_SEGMENT.match(self.source, self.pos)
        if not plain:
            raise self._error("Missing path segment.")
        return RawSegment("text", self._advance(plain.end() - self.pos), line, column)

    def _balanced(self, line: int, column: int) -> str:
        depth, start = 1, self.pos
        while self.pos < len(self.source):
            char = self.source[self.pos]
            if char in "'\"":
                self._string(self.line, self.column)
                continue
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0:
                text = self.source[start : self.pos]
                self._advance(1)
                return text
            self._advance(1)
        raise RulesSyntaxError("Unterminated $( in a path.", line, column)
