"""An embedded Firestore emulator in pure Python: the ``google.firestore.v1.Firestore`` gRPC service.

The unmodified client libraries talk to it through ``FIRESTORE_EMULATOR_HOST``. It imports nothing from the
application. Start it with ``Emulator`` (Python) or ``python -m firestore_emulator`` (command line); with
``rules=`` / ``--rules`` it enforces security rules for client requests (``firestore_emulator.rules``).
"""

from __future__ import annotations

from firestore_emulator.emulator import Emulator
from firestore_emulator.rules import Ruleset, RulesSyntaxError

__all__ = ["Emulator", "RulesSyntaxError", "Ruleset"]
