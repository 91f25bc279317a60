"""The one clock: every timestamp and timer of the functions reads ``now()``, so one freeze_time controls a test."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """The current time as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


def after(seconds: float) -> dt.datetime:
    """The time ``seconds`` from now."""
    return now() + dt.timedelta(seconds=seconds)


def seconds_since(moment: dt.datetime | None) -> float:
    """Seconds elapsed since ``moment`` (infinity when it never happened)."""
    if moment is None:
        return float("inf")
    return (now() - moment).total_seconds()
