"""``python -m firestore_emulator``."""

from __future__ import annotations

import sys

from firestore_emulator.cli import main

sys.exit(main())
