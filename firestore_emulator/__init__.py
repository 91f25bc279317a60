"""An embedded Firestore emulator in pure Python: the ``google.firestore.v1.Firestore`` gRPC service.

The unmodified client libraries talk to it through ``FIRESTORE_EMULATOR_HOST``. It imports nothing from the
application. Start it with ``Emulator`` (Python) or ``python -m firestore_emulator`` (command line).
"""

from __future__ import annotations

from firestore_emulator.emulator import Emulator

__all__ = ["Emulator"]
