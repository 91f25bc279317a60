"""The rules package's errors: a ruleset that does not compile, an evaluation error, and a denial."""

from __future__ import annotations

import grpc

from firestore_emulator.errors import EmulatorError


class RulesSyntaxError(Exception):
    """A ruleset that does not compile; ``str()`` is Google's ``L<line>:<column> <message>`` form."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"L{line}:{column} {message}")
        self.line = line
        self.column = column


class EvaluationError(Exception):
    """An expression that has no value (a missing field, a type error, a limit): it denies, except where ``||``
    or ``&&`` decide without it."""


class PermissionDenied(EmulatorError):
    """A request the rules refuse: gRPC PERMISSION_DENIED with the reasons, in Google's emulator's words."""

    code = grpc.StatusCode.PERMISSION_DENIED
