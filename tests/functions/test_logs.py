"""The functions' logs are JSON lines for Cloud Logging, and nothing a runner or a client sends can forge a record."""

from __future__ import annotations

import ast
import io
import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from tailrun_functions import logs

from .shared import MAIN, ROOT

FUNCTIONS = ROOT / "functions"
SOURCES = [MAIN, *sorted((FUNCTIONS / "tailrun_functions").rglob("*.py"))]
FORGED = '{"severity": "CRITICAL", "message": "forged", "logger": "tailrun_functions.auth"}'
LEVELS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}


def run_logging(code: str) -> list[str]:
    """The stderr lines of a fresh interpreter that imports functions/main.py and then runs ``code``."""
    program = f"import sys\nsys.path.insert(0, {str(FUNCTIONS)!r})\nimport main\n" + textwrap.dedent(code)
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, cwd=FUNCTIONS, check=True
    )
    return done.stderr.splitlines()


def test_a_message_with_a_newline_and_a_forged_record_stays_one_json_record() -> None:
    """What a runner may send as an artifact's error message: a newline, then a line that looks like a record."""
    lines = run_logging(
        f"""
        import logging
        runner_says = "upload failed\\n" + {FORGED!r}
        logging.getLogger("tailrun_functions.callbacks").warning("artifact %r not uploaded: %s", "a.txt", runner_says)
        """
    )

    assert len(lines) == 1, lines
    record = json.loads(lines[0])
    assert record["severity"] == "WARNING" and record["logger"] == "tailrun_functions.callbacks"
    assert record["message"] == "artifact 'a.txt' not uploaded: upload failed\n" + FORGED
    assert record["time"].endswith("Z")


def test_an_exception_is_one_record_with_its_traceback() -> None:
    lines = run_logging(
        """
        import logging
        try:
            raise ValueError("bad\\nthing")
        except ValueError:
            logging.getLogger("tailrun_functions.edge").exception("unexpected error")
        """
    )

    assert len(lines) == 1, lines
    record = json.loads(lines[0])
    assert record["severity"] == "ERROR" and record["message"] == "unexpected error"
    assert "Traceback" in record["exception"] and "ValueError: bad\nthing" in record["exception"]


def test_importing_main_again_configures_nothing_more() -> None:
    lines = run_logging(
        """
        import importlib, logging
        from tailrun_functions import logs
        importlib.reload(main)
        logs.configure()
        ours = [h for h in logging.getLogger().handlers if isinstance(h, logs.JsonHandler)]
        logging.getLogger("t").info("handlers of ours: %d", len(ours))
        """
    )

    assert [json.loads(line)["message"] for line in lines] == ["handlers of ours: 1"]


def test_a_lone_surrogate_is_written_visibly_instead_of_losing_the_record() -> None:
    stream = io.StringIO()
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "name %r", ("\ud800",), None)
    handler = logs.JsonHandler(stream)
    handler.setFormatter(logs.JsonFormatter())

    handler.emit(record)

    written = stream.getvalue()
    written.encode("utf-8")
    assert json.loads(written)["message"] == "name '\\ud800'"


def logging_calls(path: Path) -> list[ast.Call]:
    calls = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in LEVELS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in ("logger", "logging", "log")
        ):
            calls.append(node)
    return calls


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(FUNCTIONS)))
def test_every_log_call_has_a_literal_format_and_passes_values_as_arguments(path: Path) -> None:
    """A value (a runner's message, a name) as the format string itself could inject ``%`` directives; and an
    f-string would hide from this test what is logged. So the format is always a plain literal."""
    for call in logging_calls(path):
        index = 1 if call.func.attr == "log" else 0  # type: ignore[attr-defined]
        first = call.args[index] if len(call.args) > index else None
        assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
            f"{path.name}:{call.lineno}: log with a literal format and %-arguments, not {ast.unparse(call)}"
        )
