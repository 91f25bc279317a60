"""Google's Firestore emulator for the tests: the launcher lives in ``firestore_emulator.google`` (``tailrun dev
--firestore-emulator google`` starts it too); this module keeps the name the tests and the benchmark import."""

from __future__ import annotations

from firestore_emulator.google import GoogleEmulator, unavailable_reason

__all__ = ["GoogleEmulator", "unavailable_reason"]
