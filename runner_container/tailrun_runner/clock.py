"""The runner's one wall clock. Timers (ages, backoff, grace periods) use ``time.monotonic`` instead."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def now_ms() -> int:
    """The current time in milliseconds since the Unix epoch, as every message's ``ts`` carries it."""
    return time.time_ns() // 1_000_000
