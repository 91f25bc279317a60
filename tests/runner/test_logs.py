"""The runner's log formatter and the functions' one format the same records into the same JSON fields and values.

The runner's image installs only the runner, so it keeps its own copy of the formatter (``tailrun_runner.logs``);
this test, run in the full development install, keeps the copy true to ``tailrun_functions.logs``.
"""

from __future__ import annotations

import json
import logging
import sys

import pytest
from tailrun_functions import logs as functions_logs
from tailrun_runner import logs as runner_logs


def record(message: str, *args: object, level: int = logging.WARNING, **extra: object) -> logging.LogRecord:
    """A record as ``logger.log(level, message, *args, extra=extra)`` would make it, with the current exception if
    one is being handled."""
    logger = logging.getLogger("tailrun_runner.test")
    return logger.makeRecord(
        logger.name,
        level,
        __file__,
        1,
        message,
        args,
        sys.exc_info() if sys.exc_info()[0] else None,
        extra=extra,
    )


def formatted(log: logging.LogRecord) -> tuple[dict[str, object], dict[str, object]]:
    """The record as the runner's and the functions' formatters write it, each parsed back from its one line."""
    lines = [
        formatter.format(log) for formatter in (runner_logs.JsonFormatter(), functions_logs.JsonFormatter())
    ]
    assert all("\n" not in line for line in lines)
    runner, functions = (json.loads(line) for line in lines)
    return runner, functions


@pytest.mark.parametrize(
    ("message", "args", "level"),
    [
        ("uploaded %r (%d bytes)", ("out/a.csv", 12), logging.INFO),
        ("a name with a newline %r\nand a second line", ("two\nlines",), logging.WARNING),
        ("a file name's stray byte: %s", ("caf\udce9.txt",), logging.ERROR),
        ("no arguments, ünïcode and a % sign", (), logging.DEBUG),
    ],
)
def test_plain_records_give_the_same_fields_and_values(
    message: str, args: tuple[object, ...], level: int
) -> None:
    runner, functions = formatted(record(message, *args, level=level))

    assert runner == functions
    assert set(runner) == {"severity", "message", "logger", "time"}
    assert runner["severity"] == logging.getLevelName(level) and runner["logger"] == "tailrun_runner.test"


def test_extra_fields_are_treated_alike() -> None:
    runner, functions = formatted(record("with extras", seq=7, job_id="job-1"))

    assert runner == functions


def test_a_record_with_an_exception_carries_the_same_traceback() -> None:
    try:
        raise ValueError("bad \udcff value")
    except ValueError:
        runner, functions = formatted(record("failed: %s", "the step", level=logging.ERROR))

    assert runner == functions
    assert "ValueError: bad \\udcff value" in str(runner["exception"])


def test_a_record_whose_traceback_was_already_rendered_carries_it_too() -> None:
    log = record("rendered elsewhere")
    log.exc_text = "Traceback (most recent call last):\n  ...\nKeyError: 'x'"

    runner, functions = formatted(log)

    assert runner == functions and runner["exception"] == log.exc_text
