"""Firestore security rules for the embedded emulator: a parser, an evaluator with the documented library, and
the decisions for client requests (see decide.py). Requests from the owner (server libraries) bypass them."""

from __future__ import annotations

from firestore_emulator.rules.decide import (
    OWNER,
    Caller,
    Decision,
    Ruleset,
    RulesRegistry,
    WriteCheck,
    caller_from_metadata,
    signed_in,
    unsigned_jwt,
)
from firestore_emulator.rules.errors import EvaluationError, PermissionDenied, RulesSyntaxError

__all__ = [
    "OWNER",
    "Caller",
    "Decision",
    "EvaluationError",
    "PermissionDenied",
    "RulesRegistry",
    "RulesSyntaxError",
    "Ruleset",
    "WriteCheck",
    "caller_from_metadata",
    "signed_in",
    "unsigned_jwt",
]
